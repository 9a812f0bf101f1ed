package io.perpetua.cli;

/**
 * A failure the user can act on, such as an error answered by the daemon or a daemon that is not
 * running. Printed as {@code perpetua: <message>}; the command exits with 1.
 */
final class CliException extends RuntimeException {

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
