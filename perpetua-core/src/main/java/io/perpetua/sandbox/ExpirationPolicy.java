package io.perpetua.sandbox;

import io.perpetua.error.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One rule of a sandbox's retention, chosen by its owner: deleted after {@code ttl-idle} without
 * activity, {@code ttl-max-age} after its creation, or at a {@code date}.
 *
 * @param type  which rule
 * @param value as the owner wrote it ({@code 30m}, {@code 7d}, {@code 2027-01-01T00:00:00Z}), for showing back
 * @param after the duration of a {@code ttl-*} rule; null for a date
 * @param at    the moment of a {@code date} rule; null for the others
 */
public record ExpirationPolicy(Type type, String value, Duration after, Instant at) {

    /** The longest duration a rule may have: ten years. */
    public static final Duration MAX_DURATION = Duration.ofDays(3660);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([smhd])");

    /** The kinds of rule. */
    public enum Type {
        /** Deleted once it has been idle (no request, no traffic, nothing keeping it awake) this long. */
        TTL_IDLE,
        /** Deleted this long after it was created. */
        TTL_MAX_AGE,
        /** Deleted at this moment. */
        DATE;

        /** The type's name on the wire: {@code ttl-idle}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Type parse(String name, String field) {
            for (Type type : values()) {
                if (type.wireName().equals(name)) {
                    return type;
                }
            }
            throw new InvalidInputException(field, field + " must be ttl-idle, ttl-max-age or date but was '" + name + "'");
        }
    }

    /** Checks that the parts agree with the type. */
    public ExpirationPolicy {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((type == Type.DATE) != (at != null) || (type == Type.DATE) == (after != null)) {
            throw new IllegalArgumentException("a " + type.wireName() + " rule has " + (type == Type.DATE ? "a date" : "a duration"));
        }
    }

    /**
     * The rule {@code type} with {@code value}: a duration such as {@code 90s}, {@code 30m},
     * {@code 24h}, {@code 7d} or {@code 1d12h} for the {@code ttl-*} types; an ISO date
     * ({@code 2027-01-01}, midnight UTC) or date and time with its offset for {@code date}.
     *
     * @param field the field the rule came in, for errors ({@code lifecycle.expirationPolicies[0]})
     * @throws InvalidInputException naming {@code field} if either does not parse
     */
    public static ExpirationPolicy parse(String type, String value, String field) {
        InvalidInputException.check(type != null, field + ".type", field + ".type is required: ttl-idle, ttl-max-age or date");
        InvalidInputException.check(value != null && !value.isBlank() && value.length() <= 64, field + ".value",
                field + ".value is required: a duration such as 30m or 7d, or an ISO date");
        Type parsed = Type.parse(type, field + ".type");
        String trimmed = value.strip();
        if (parsed == Type.DATE) {
            return new ExpirationPolicy(parsed, trimmed, null, date(trimmed, field + ".value"));
        }
        return new ExpirationPolicy(parsed, trimmed, duration(trimmed, field + ".value"), null);
    }

    /** When this rule deletes {@code sandbox}, as things stand now (a {@code ttl-idle} rule moves with its activity). */
    public Instant deadline(Sandbox sandbox) {
        return switch (type) {
            case TTL_IDLE -> sandbox.lastActivityAt().plus(after);
            case TTL_MAX_AGE -> sandbox.createdAt().plus(after);
            case DATE -> at;
        };
    }

    /** The rule as people read it: {@code ttl-idle 30m}. */
    public String describe() {
        return type.wireName() + " " + value;
    }

    private static Duration duration(String value, String field) {
        Matcher part = DURATION.matcher(value.toLowerCase(Locale.ROOT));
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
        InvalidInputException.check(end == value.length() && end > 0, field,
                field + " must be a duration such as 90s, 30m, 24h, 7d or 1d12h but was '" + value + "'");
        InvalidInputException.check(total.isPositive() && total.compareTo(MAX_DURATION) <= 0, field,
                field + " must be longer than 0 and at most " + MAX_DURATION.toDays() + " days but was '" + value + "'");
        return total;
    }

    private static Instant date(String value, String field) {
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, field + " must be an ISO date (2027-01-01) or date and time with its offset"
                    + " (2027-01-01T09:00:00Z) but was '" + value + "'");
        }
    }
}
