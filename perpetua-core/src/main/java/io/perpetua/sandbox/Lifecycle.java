package io.perpetua.sandbox;

import io.perpetua.error.InvalidInputException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What becomes of a sandbox over time, as its owner chose, changeable at any time: what it does
 * when idle (the three models side by side) and the rules that delete it. Without rules a
 * sandbox lives until it is deleted: retention is its owner's, never the platform's.
 *
 * @param onIdle             what an idle sandbox does
 * @param expirationPolicies the rules that delete it, whichever comes first; at most one of each type
 */
public record Lifecycle(OnIdle onIdle, List<ExpirationPolicy> expirationPolicies) {

    /** Perpetual, kept until deleted. */
    public static final Lifecycle DEFAULT = new Lifecycle(OnIdle.STANDBY, List.of());

    /** What a sandbox does once idle past its window. */
    public enum OnIdle {
        /** Perpetual: goes to standby, then hibernates, with everything kept; wakes on the next request. */
        STANDBY,
        /** Persistent: never sleeps, and is billed as running all the while. */
        NONE,
        /** Ephemeral: deleted, with everything in it. */
        DELETE;

        /** The name on the wire: {@code standby}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @throws InvalidInputException naming {@code field} unless {@code name} is standby, none or delete
         */
        public static OnIdle parse(String name, String field) {
            for (OnIdle value : values()) {
                if (value.wireName().equals(name)) {
                    return value;
                }
            }
            throw new InvalidInputException(field, field + " must be standby, none or delete but was '" + name + "'");
        }
    }

    /** @throws InvalidInputException if two rules have the same type */
    public Lifecycle {
        onIdle = onIdle == null ? OnIdle.STANDBY : onIdle;
        expirationPolicies = expirationPolicies == null ? List.of() : List.copyOf(expirationPolicies);
        Set<ExpirationPolicy.Type> seen = new HashSet<>();
        for (ExpirationPolicy policy : expirationPolicies) {
            InvalidInputException.check(seen.add(policy.type()), "lifecycle.expirationPolicies",
                    "lifecycle.expirationPolicies has two " + policy.type().wireName() + " rules; give one of each type at most");
        }
    }

    /** When {@code sandbox} is deleted by its rules as things stand now, if it has any. */
    public Optional<Instant> expiresAt(Sandbox sandbox) {
        return expirationPolicies.stream().map(policy -> policy.deadline(sandbox)).min(Comparator.naturalOrder());
    }

    /** The rule whose deadline for {@code sandbox} has come by {@code now}, the earliest if several. */
    public Optional<ExpirationPolicy> due(Sandbox sandbox, Instant now) {
        return expirationPolicies.stream().filter(policy -> !now.isBefore(policy.deadline(sandbox)))
                .min(Comparator.comparing(policy -> policy.deadline(sandbox)));
    }

    /** The rules as the store keeps them: {@code ttl-idle=30m,date=2027-01-01}. */
    public String encodedPolicies() {
        return String.join(",", expirationPolicies.stream().map(policy -> policy.type().wireName() + "=" + policy.value()).toList());
    }

    /** The rules {@link #encodedPolicies} wrote. */
    public static List<ExpirationPolicy> decodePolicies(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return List.of();
        }
        return java.util.Arrays.stream(encoded.split(",")).map(rule -> {
            int equals = rule.indexOf('=');
            return ExpirationPolicy.parse(rule.substring(0, equals), rule.substring(equals + 1), "stored rule");
        }).toList();
    }
}
