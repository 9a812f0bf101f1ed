package io.perpetua.server.api;

import io.javalin.http.Context;
import io.perpetua.sandbox.SandboxId;

/**
 * The port proxy, for adapters that name a sandbox's port their own way (E2B's host names):
 * forwards the request, its whole path and query, to {@code port} of the sandbox, waking it
 * first. The caller has checked that the request may reach it.
 */
@FunctionalInterface
public interface PortForward {

    void forward(Context ctx, SandboxId sandbox, int port);
}
