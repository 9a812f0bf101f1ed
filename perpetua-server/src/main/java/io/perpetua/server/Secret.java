package io.perpetua.server;

import java.util.Objects;

/**
 * A secret setting, such as the admin key: its value never shows in a log line or an error.
 *
 * @param value the secret itself
 */
public record Secret(String value) {

    /** Checks that there is a value. */
    public Secret {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "(secret)";
    }
}
