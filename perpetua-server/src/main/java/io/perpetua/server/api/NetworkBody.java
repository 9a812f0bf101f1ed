package io.perpetua.server.api;

import io.perpetua.sandbox.NetworkPolicy;
import java.util.List;

/** A sandbox's network policy as the API reads and shows it: {@code {allowOut?, denyOut?}}. */
record NetworkBody(List<String> allowOut, List<String> denyOut) {

    NetworkPolicy toPolicy() {
        return new NetworkPolicy(allowOut, denyOut);
    }

    static NetworkBody of(NetworkPolicy policy) {
        return new NetworkBody(policy.allowOut(), policy.denyOut());
    }
}
