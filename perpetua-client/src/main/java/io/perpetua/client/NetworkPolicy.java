package io.perpetua.client;

import java.util.List;
import java.util.Map;

/**
 * Where a sandbox may open connections to. The host and other sandboxes are always closed to it.
 * Without rules, the public internet is open and private ranges are closed; {@code allowOut}
 * wins over {@code denyOut}, and both over that default.
 *
 * <pre>{@code
 * // Only the package index, nothing else:
 * NetworkPolicy.allowOnly("pypi.org", "files.pythonhosted.org");
 * }</pre>
 *
 * @param allowOut IPv4 addresses, CIDR blocks or host names the sandbox may reach
 * @param denyOut  IPv4 addresses, CIDR blocks ({@code 0.0.0.0/0}: everything) or host names it may not reach
 */
public record NetworkPolicy(List<String> allowOut, List<String> denyOut) {

    /** Everything the daemon allows by default: the public internet, no private range. */
    public static final NetworkPolicy DEFAULT = new NetworkPolicy(List.of(), List.of());

    /** Copies the lists; null ones are empty. */
    public NetworkPolicy {
        allowOut = allowOut == null ? List.of() : List.copyOf(allowOut);
        denyOut = denyOut == null ? List.of() : List.copyOf(denyOut);
    }

    /**
     * A policy that lets the sandbox reach only {@code destinations}.
     *
     * @param destinations IPv4 addresses, CIDR blocks or host names
     * @return the policy: these allowed, everything else denied
     */
    public static NetworkPolicy allowOnly(String... destinations) {
        return new NetworkPolicy(List.of(destinations), List.of("0.0.0.0/0"));
    }

    /**
     * A policy that closes everything outside.
     *
     * @return the policy that denies {@code 0.0.0.0/0}
     */
    public static NetworkPolicy denyAll() {
        return new NetworkPolicy(List.of(), List.of("0.0.0.0/0"));
    }

    Map<String, Object> body() {
        return new RequestBody().set("allowOut", allowOut).set("denyOut", denyOut).fields();
    }

    static NetworkPolicy from(JsonObject json) {
        return json == null ? DEFAULT : new NetworkPolicy(json.strings("allowOut"), json.strings("denyOut"));
    }
}
