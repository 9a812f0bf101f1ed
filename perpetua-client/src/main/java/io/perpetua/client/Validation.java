package io.perpetua.client;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks of the arguments of the API, shared by its values, with messages that name the field and the value. */
final class Validation {

    /** What can name a template: 1 to 63 characters of {@code [a-z0-9._-]}, starting with a letter or digit. */
    private static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    /** What can name a volume or drive: 1 to 63 characters of {@code [a-z0-9_-]}, starting with a letter or digit. */
    private static final Pattern VOLUME_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private Validation() {
    }

    static String notBlank(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank but was "
                    + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }

    static String absolutePath(String path, String field) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException(field + " must be an absolute path (starting with /) but was "
                    + (path == null ? "null" : "'" + path + "'"));
        }
        return path;
    }

    static int port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535 but was " + port);
        }
        return port;
    }

    static int between(int value, int min, int max, String field) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + " but was " + value);
        }
        return value;
    }

    /** A snapshot's name: 1 to {@value SavedSnapshotInfo#MAX_NAME_LENGTH} characters, not blank. */
    static String snapshotName(String name) {
        if (name == null || name.isBlank()) {
            return notBlank(name, "name");
        }
        if (name.length() > SavedSnapshotInfo.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name must have at most " + SavedSnapshotInfo.MAX_NAME_LENGTH
                    + " characters but had " + name.length());
        }
        return name;
    }

    /** A template's name, as the daemon takes it: {@link #TEMPLATE_NAME}. */
    static String templateName(String name, String field) {
        if (name == null || !TEMPLATE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(field + " must be 1 to 63 characters of [a-z0-9._-], starting with a letter or digit, "
                    + "but was " + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }

    /** A volume's or drive's name, as the daemon takes it: {@link #VOLUME_NAME}. */
    static String volumeName(String name, String field) {
        if (name == null || !VOLUME_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(field + " must be 1 to 63 characters of [a-z0-9_-], starting with a letter or digit, "
                    + "but was " + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }

    /** A time to wait: present and positive. */
    static Duration positive(Duration duration, String field) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration but was " + duration);
        }
        return duration;
    }

    /** A copy of a command line: at least one element, none null. */
    static List<String> command(List<String> cmd) {
        if (cmd == null || cmd.isEmpty()) {
            throw new IllegalArgumentException("cmd must name a program but was " + cmd);
        }
        for (int i = 0; i < cmd.size(); i++) {
            if (cmd.get(i) == null) {
                throw new IllegalArgumentException("cmd[" + i + "] must not be null but was in " + cmd);
            }
        }
        return List.copyOf(cmd);
    }

    /** An unmodifiable copy of mounts to ask for; null is empty; no null elements. */
    static List<Mount> mounts(List<Mount> mounts, String field) {
        if (mounts == null) {
            return List.of();
        }
        for (int i = 0; i < mounts.size(); i++) {
            if (mounts.get(i) == null) {
                throw new IllegalArgumentException(field + "[" + i + "] must not be null but was in " + mounts);
            }
        }
        return List.copyOf(mounts);
    }

    /** An unmodifiable copy in the given order; null is empty; no null keys or values. */
    static Map<String, String> strings(Map<String, String> map, String field) {
        if (map == null) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>();
        map.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException(field + " must not hold null keys or values but had " + key + "=" + value);
            }
            copy.put(key, value);
        });
        return Collections.unmodifiableMap(copy);
    }

    /** A duration the API takes in whole seconds: null, or positive and whole. */
    static Duration wholeSeconds(Duration duration, String field) {
        if (duration != null && (duration.isNegative() || duration.isZero() || duration.getNano() != 0)) {
            throw new IllegalArgumentException(field + " must be a positive whole number of seconds but was " + duration);
        }
        return duration;
    }
}
