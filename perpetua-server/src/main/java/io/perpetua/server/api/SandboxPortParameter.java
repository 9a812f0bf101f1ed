package io.perpetua.server.api;

import io.perpetua.error.InvalidInputException;
import io.perpetua.runtime.SandboxRuntime;

/** A port of a sandbox as a request names it (path or body), checked: one the API may reach. */
final class SandboxPortParameter {

    private SandboxPortParameter() {
    }

    /**
     * The port {@code value} names.
     *
     * @throws InvalidInputException naming the {@code port} field if it is not a number from 1 to
     *                               65535, or is the port of the sandbox's agent
     */
    static int parse(String value) {
        try {
            int port = Integer.parseInt(value == null ? "" : value);
            InvalidInputException.check(port >= 1 && port <= 65535, "port", "port must be between 1 and 65535 but was " + port);
            InvalidInputException.check(port != SandboxRuntime.RESERVED_PORT, "port", "port " + port
                    + " belongs to the sandbox's agent, which runs API commands; it is not reachable through the API");
            return port;
        } catch (NumberFormatException e) {
            throw new InvalidInputException("port", "port must be a number between 1 and 65535 but was '" + value + "'");
        }
    }
}
