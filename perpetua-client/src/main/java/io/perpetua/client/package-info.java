/**
 * The Java SDK of Perpetua. Start at {@code Perpetua.connect(url, apiKey)}.
 */
package io.perpetua.client;
