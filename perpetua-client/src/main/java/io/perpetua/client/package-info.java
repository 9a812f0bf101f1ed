/**
 * The Java SDK of Perpetua: the daemon's whole REST API over the JDK's HTTP client, with no
 * other dependency.
 *
 * <p>Start at {@link io.perpetua.client.Perpetua#connect(String, String)}. From the client,
 * {@link io.perpetua.client.Perpetua#sandboxes()} creates and finds sandboxes; a
 * {@link io.perpetua.client.Sandbox} runs commands and changes state, and reaches its
 * {@link io.perpetua.client.Files} and background {@link io.perpetua.client.Processes}, changes its
 * {@link io.perpetua.client.Lifecycle} (what it does once idle, the rules that delete it), and saves
 * it as a snapshot to roll back to or copy; {@link io.perpetua.client.Perpetua#snapshots()} lists
 * and deletes those, and {@link io.perpetua.client.Perpetua#templates()} builds prepared
 * environments that sandboxes start from. {@link io.perpetua.client.Perpetua#volumes()} and
 * {@link io.perpetua.client.Perpetua#drives()} make file systems that outlive the sandboxes that
 * mount them, with one writer at a time or many. Values
 * are records; inputs with several optional parts have builders. Every failure is an unchecked
 * {@link io.perpetua.client.PerpetuaException}, whose subclass follows the daemon's status.
 */
package io.perpetua.client;
