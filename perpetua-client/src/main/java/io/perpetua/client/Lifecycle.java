package io.perpetua.client;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What becomes of a sandbox over time, as its owner chooses: what it does once idle, and the
 * rules that delete it, whichever comes first. Given at creation ({@link SandboxSpec.Builder#lifecycle})
 * and changed at any time ({@link Sandbox#setLifecycle}), also while the sandbox sleeps, without
 * waking it. Without rules a sandbox lives until it is deleted.
 *
 * <pre>{@code
 * // Sleeps when idle, deleted after a day without use or on New Year's Day, whichever comes first:
 * Lifecycle.of(Lifecycle.OnIdle.STANDBY,
 *         ExpirationPolicy.ttlIdle(Duration.ofDays(1)),
 *         ExpirationPolicy.of("date", "2027-01-01"));
 * }</pre>
 *
 * @param onIdle             what the sandbox does once idle past its idle timeout; null is {@link OnIdle#STANDBY}
 * @param expirationPolicies the rules that delete it, at most one of each type; null is none
 */
public record Lifecycle(OnIdle onIdle, List<ExpirationPolicy> expirationPolicies) {

    /** Perpetual and kept until deleted: the daemon's default. */
    public static final Lifecycle DEFAULT = new Lifecycle(OnIdle.STANDBY, List.of());

    /** What a sandbox does once idle past its idle timeout. */
    public enum OnIdle {

        /** Perpetual: goes to standby, then hibernates, with everything kept; wakes on the next request. */
        STANDBY,

        /** Persistent: never sleeps, and is billed as running all the while. */
        NONE,

        /** Ephemeral: deleted, with everything in it. */
        DELETE;

        /**
         * The choice as the API writes it.
         *
         * @return {@code standby}, {@code none} or {@code delete}
         */
        public String apiValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The choice the API calls {@code value}. */
        static OnIdle of(String value, String field) {
            for (OnIdle onIdle : values()) {
                if (onIdle.apiValue().equals(value)) {
                    return onIdle;
                }
            }
            throw new IllegalArgumentException(field + " must be standby, none or delete but was \"" + value + "\"");
        }
    }

    /**
     * Copies the rules; a null choice is {@link OnIdle#STANDBY} and null rules are none.
     *
     * @throws IllegalArgumentException if a rule is null or two rules have the same type
     */
    public Lifecycle {
        onIdle = onIdle == null ? OnIdle.STANDBY : onIdle;
        expirationPolicies = expirationPolicies == null ? List.of() : checked(expirationPolicies);
    }

    /**
     * A lifecycle of {@code onIdle} and {@code expirationPolicies}.
     *
     * @param onIdle             what the sandbox does once idle
     * @param expirationPolicies the rules that delete it, at most one of each type
     * @return the lifecycle
     * @throws IllegalArgumentException if a rule is null or two rules have the same type
     */
    public static Lifecycle of(OnIdle onIdle, ExpirationPolicy... expirationPolicies) {
        return new Lifecycle(onIdle, Arrays.asList(expirationPolicies));
    }

    /** The lifecycle as the API takes it: both parts, so that it replaces the sandbox's whole lifecycle. */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("onIdle", onIdle.apiValue());
        body.put("expirationPolicies", policies(expirationPolicies));
        return body;
    }

    /** The rules as the API takes them; an empty list removes every rule. */
    static List<Map<String, Object>> policies(List<ExpirationPolicy> policies) {
        return policies.stream().map(ExpirationPolicy::body).toList();
    }

    /** What the daemon says of a sandbox's lifecycle; a daemon that says nothing has the default one. */
    static Lifecycle from(JsonObject json) {
        if (json == null) {
            return DEFAULT;
        }
        String onIdle = json.optionalString("onIdle");
        return new Lifecycle(onIdle == null ? OnIdle.STANDBY : OnIdle.of(onIdle, "lifecycle.onIdle"),
                json.objects("expirationPolicies").stream().map(ExpirationPolicy::from).toList());
    }

    private static List<ExpirationPolicy> checked(List<ExpirationPolicy> policies) {
        Set<ExpirationPolicy.Type> seen = EnumSet.noneOf(ExpirationPolicy.Type.class);
        for (int i = 0; i < policies.size(); i++) {
            ExpirationPolicy policy = policies.get(i);
            if (policy == null) {
                throw new IllegalArgumentException("expirationPolicies[" + i + "] must not be null");
            }
            if (!seen.add(policy.type())) {
                throw new IllegalArgumentException("expirationPolicies has two " + policy.type().apiValue()
                        + " rules; give one of each type at most");
            }
        }
        return List.copyOf(policies);
    }
}
