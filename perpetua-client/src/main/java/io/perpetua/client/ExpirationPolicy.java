package io.perpetua.client;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One rule of a {@link Lifecycle} that deletes a sandbox: after it has been idle so long
 * ({@code ttl-idle}), so long after its creation ({@code ttl-max-age}), or at a moment
 * ({@code date}). The value is checked as the daemon checks it, so a rule that is built is one
 * the daemon takes.
 *
 * <pre>{@code
 * ExpirationPolicy.ttlIdle(Duration.ofMinutes(30));       // ttl-idle 30m
 * ExpirationPolicy.of("ttl-max-age", "1d12h");
 * ExpirationPolicy.date(Instant.parse("2027-01-01T00:00:00Z"));
 * }</pre>
 *
 * @param type  which rule
 * @param value a duration such as {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d} or {@code 1d12h} for the
 *              {@code ttl-*} types; an ISO date ({@code 2027-01-01}, midnight UTC) or date and time with its offset
 *              ({@code 2027-01-01T09:00:00+02:00}) for {@code date}; surrounding blanks are dropped
 */
public record ExpirationPolicy(Type type, String value) {

    /** The longest duration a rule may have, as the daemon allows: 3660 days (ten years). */
    public static final Duration MAX_DURATION = Duration.ofDays(3660);
    /** The longest value, in characters. */
    public static final int MAX_VALUE_LENGTH = 64;
    private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,9})([smhd])");

    /** The kinds of rule. */
    public enum Type {

        /** Deleted once it has been idle this long; a sandbox in use never expires for being idle. */
        TTL_IDLE,

        /** Deleted this long after it was created. */
        TTL_MAX_AGE,

        /** Deleted at this moment. */
        DATE;

        /**
         * The type as the API writes it.
         *
         * @return {@code ttl-idle}, {@code ttl-max-age} or {@code date}
         */
        public String apiValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /**
         * The type the API calls {@code value}.
         *
         * @param value {@code ttl-idle}, {@code ttl-max-age} or {@code date}
         * @return the type
         * @throws IllegalArgumentException if {@code value} is none of them
         */
        public static Type of(String value) {
            for (Type type : values()) {
                if (type.apiValue().equals(value)) {
                    return type;
                }
            }
            throw new IllegalArgumentException("type must be ttl-idle, ttl-max-age or date but was "
                    + (value == null ? "null" : "'" + value + "'"));
        }
    }

    /**
     * Checks the value against the type, as the daemon does, and drops its surrounding blanks.
     *
     * @throws IllegalArgumentException if the value is blank or longer than {@value #MAX_VALUE_LENGTH} characters, a
     *                                  {@code ttl-*} value is not a duration from 1 s to {@link #MAX_DURATION}, or a
     *                                  {@code date} value is not an ISO date or date and time with its offset
     * @throws NullPointerException     if {@code type} is null
     */
    public ExpirationPolicy {
        Objects.requireNonNull(type, "type");
        if (value == null || value.isBlank() || value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("the value of a " + type.apiValue() + " rule must be 1 to " + MAX_VALUE_LENGTH
                    + " characters, " + (type == Type.DATE ? "an ISO date" : "a duration such as 30m or 7d") + ", but was "
                    + (value == null ? "null" : "'" + value + "'"));
        }
        value = value.strip();
        if (type == Type.DATE) {
            moment(value);
        } else {
            duration(type, value);
        }
    }

    /**
     * The rule as the API writes it.
     *
     * @param type  {@code ttl-idle}, {@code ttl-max-age} or {@code date}
     * @param value the rule's value, as the record's {@code value}
     * @return the rule
     * @throws IllegalArgumentException if the type is unknown or the value does not fit it
     */
    public static ExpirationPolicy of(String type, String value) {
        return new ExpirationPolicy(Type.of(type), value);
    }

    /**
     * A rule that deletes the sandbox once it has been idle for {@code idle}.
     *
     * @param idle a whole number of seconds from 1 s to {@link #MAX_DURATION}
     * @return the {@code ttl-idle} rule, its value in the largest unit that divides it ({@code 30m})
     * @throws IllegalArgumentException if {@code idle} is out of range or not whole seconds
     */
    public static ExpirationPolicy ttlIdle(Duration idle) {
        return new ExpirationPolicy(Type.TTL_IDLE, text(idle, "idle"));
    }

    /**
     * A rule that deletes the sandbox {@code age} after its creation.
     *
     * @param age a whole number of seconds from 1 s to {@link #MAX_DURATION}
     * @return the {@code ttl-max-age} rule, its value in the largest unit that divides it ({@code 7d})
     * @throws IllegalArgumentException if {@code age} is out of range or not whole seconds
     */
    public static ExpirationPolicy ttlMaxAge(Duration age) {
        return new ExpirationPolicy(Type.TTL_MAX_AGE, text(age, "age"));
    }

    /**
     * A rule that deletes the sandbox at {@code at}.
     *
     * @param at the moment; one that has passed deletes the sandbox at once
     * @return the {@code date} rule, its value the moment in UTC ({@code 2027-01-01T00:00:00Z})
     */
    public static ExpirationPolicy date(Instant at) {
        return new ExpirationPolicy(Type.DATE, Objects.requireNonNull(at, "at").toString());
    }

    /**
     * How long the rule waits, for the {@code ttl-*} types.
     *
     * @return the duration its value says, or null for a {@code date} rule
     */
    public Duration duration() {
        return type == Type.DATE ? null : duration(type, value);
    }

    /**
     * When the rule deletes the sandbox, for a {@code date} rule.
     *
     * @return the moment its value says, or null for the {@code ttl-*} types
     */
    public Instant at() {
        return type == Type.DATE ? moment(value) : null;
    }

    /** The rule as the API takes it: {@code {"type": "ttl-idle", "value": "30m"}}. */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.apiValue());
        body.put("value", value);
        return body;
    }

    static ExpirationPolicy from(JsonObject json) {
        return new ExpirationPolicy(Type.of(json.string("type")), json.string("value"));
    }

    /** Parses {@code 1d12h} as the daemon does: parts of 1 to 9 digits and a unit, in any case, nothing between. */
    private static Duration duration(Type type, String value) {
        Matcher part = DURATION_PART.matcher(value.toLowerCase(Locale.ROOT));
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
            end = part.end();
        }
        if (end != value.length() || end == 0) {
            throw new IllegalArgumentException("the value of a " + type.apiValue()
                    + " rule must be a duration such as 90s, 30m, 24h, 7d or 1d12h but was '" + value + "'");
        }
        if (total.isZero() || total.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("the value of a " + type.apiValue() + " rule must be longer than 0 and at most "
                    + MAX_DURATION.toDays() + " days but was '" + value + "'");
        }
        return total;
    }

    private static Instant moment(String value) {
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the value of a date rule must be an ISO date (2027-01-01) or date and time with "
                    + "its offset (2027-01-01T09:00:00Z) but was '" + value + "'", e);
        }
    }

    /** {@code duration} in the largest unit that divides it: {@code 90s}, {@code 30m}, {@code 36h}, {@code 7d}. */
    private static String text(Duration duration, String field) {
        Validation.wholeSeconds(Objects.requireNonNull(duration, field), field);
        if (duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_DURATION.toDays() + " days but was " + duration);
        }
        long seconds = duration.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
