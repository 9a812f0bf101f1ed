package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.PerpetuaException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/** What a command may read and write: the CLI's own streams and environment, injected so tests run in-process. */
record Terminal(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {

    /** Prints {@code value} (maps, lists, strings, numbers, booleans, null) as indented JSON. */
    void printJson(Object value) {
        out.println(JsonOutput.pretty(value));
    }

    void fail(String message) {
        err.println("perpetua: " + message);
    }

    /**
     * Prints a failed call: the daemon's message with its code, or this client's own message,
     * which says all there is, and for a daemon that is not there, how to start one.
     */
    void fail(PerpetuaException e) {
        fail(switch (e.code()) {
            case PerpetuaException.UNREACHABLE -> e.getMessage() + ": is it running? Start it with ./perpetua server";
            case "unauthorized" -> e.getMessage() + " (unauthorized): set " + Perpetua.API_KEY_VARIABLE
                    + " to a key; the daemon prints its admin key at its first start";
            case PerpetuaException.CONNECTION_LOST, PerpetuaException.BAD_RESPONSE, PerpetuaException.INTERRUPTED -> e.getMessage();
            default -> e.code().equals("http_" + e.status()) ? e.getMessage() : e.getMessage() + " (" + e.code() + ")";
        });
    }
}
