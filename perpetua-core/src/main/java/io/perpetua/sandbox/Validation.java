package io.perpetua.sandbox;

import io.perpetua.error.InvalidInputException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks shared by the request records of this package; each failure names the field. */
final class Validation {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?");
    private static final int MAX_ENTRIES = 256;
    private static final int MAX_ENV_VALUE = 32 * 1024;
    private static final int MAX_LABEL_VALUE = 255;

    private Validation() {
    }

    static Map<String, String> env(Map<String, String> env, String field) {
        if (env == null) {
            return Map.of();
        }
        InvalidInputException.check(env.size() <= MAX_ENTRIES, field,
                field + " may hold at most " + MAX_ENTRIES + " variables but has " + env.size());
        env.forEach((name, value) -> {
            InvalidInputException.check(name != null && ENV_NAME.matcher(name).matches(), field,
                    field + " name '" + name + "' must match [A-Za-z_][A-Za-z0-9_]* (at most 128 characters)");
            String where = field + "." + name;
            InvalidInputException.check(value != null, where, where + " must be a string but was null");
            InvalidInputException.check(value.length() <= MAX_ENV_VALUE, where,
                    where + " must be at most " + MAX_ENV_VALUE + " characters but has " + value.length());
            InvalidInputException.check(value.indexOf('\0') < 0, where, where + " must not contain a NUL character");
        });
        return Map.copyOf(env);
    }

    static Map<String, String> labels(Map<String, String> labels) {
        if (labels == null) {
            return Map.of();
        }
        InvalidInputException.check(labels.size() <= MAX_ENTRIES, "labels",
                "labels may hold at most " + MAX_ENTRIES + " entries but has " + labels.size());
        labels.forEach((key, value) -> {
            InvalidInputException.check(key != null && LABEL_KEY.matcher(key).matches(), "labels",
                    "label key '" + key + "' must be 1-63 characters of [A-Za-z0-9._/-], starting and ending alphanumeric");
            String where = "labels." + key;
            InvalidInputException.check(value != null, where, where + " must be a string but was null");
            InvalidInputException.check(value.length() <= MAX_LABEL_VALUE, where,
                    where + " must be at most " + MAX_LABEL_VALUE + " characters but has " + value.length());
        });
        return Map.copyOf(labels);
    }

    static void range(Integer value, int min, int max, String field) {
        InvalidInputException.check(value == null || (value >= min && value <= max), field,
                field + " must be between " + min + " and " + max + " but was " + value);
    }

    static Duration positive(Duration value, Duration max, String field) {
        if (value == null) {
            return null;
        }
        InvalidInputException.check(!value.isNegative() && !value.isZero(), field,
                field + " must be positive but was " + value.toSeconds());
        InvalidInputException.check(value.compareTo(max) <= 0, field,
                field + " must be at most " + max.toSeconds() + " but was " + value.toSeconds());
        return value;
    }
}
