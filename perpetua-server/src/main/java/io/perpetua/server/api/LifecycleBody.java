package io.perpetua.server.api;

import io.perpetua.error.InvalidInputException;
import io.perpetua.sandbox.ExpirationPolicy;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;

/**
 * A sandbox's lifecycle as the API takes and shows it: {@code {onIdle, expirationPolicies: [{type,
 * value}]}}. In a {@code PATCH}, a part left out keeps its value; {@code expirationPolicies: []}
 * removes every rule.
 */
record LifecycleBody(String onIdle, List<PolicyBody> expirationPolicies) {

    /** One rule: {@code {"type": "ttl-idle", "value": "30m"}}. */
    record PolicyBody(String type, String value) {
    }

    /** The lifecycle this body gives, taking what it leaves out from {@code current}. */
    Lifecycle over(Lifecycle current) {
        Lifecycle.OnIdle idle = onIdle == null ? current.onIdle() : Lifecycle.OnIdle.parse(onIdle, "lifecycle.onIdle");
        return new Lifecycle(idle, expirationPolicies == null ? current.expirationPolicies() : policies());
    }

    private List<ExpirationPolicy> policies() {
        List<ExpirationPolicy> parsed = new ArrayList<>();
        for (int i = 0; i < expirationPolicies.size(); i++) {
            String field = "lifecycle.expirationPolicies[" + i + "]";
            PolicyBody rule = expirationPolicies.get(i);
            InvalidInputException.check(rule != null, field, field + " must be {type, value}");
            parsed.add(ExpirationPolicy.parse(rule.type(), rule.value(), field));
        }
        return parsed;
    }

    /** The lifecycle of {@code sandbox} as shown, with when its rules delete it (null: never, as things stand). */
    static View view(Sandbox sandbox) {
        Lifecycle lifecycle = sandbox.lifecycle();
        return new View(lifecycle.onIdle().wireName(), lifecycle.expirationPolicies().stream()
                .map(rule -> new PolicyBody(rule.type().wireName(), rule.value())).toList(),
                lifecycle.expiresAt(sandbox).map(Object::toString).orElse(null));
    }

    /** How a sandbox shows its lifecycle. */
    record View(String onIdle, List<PolicyBody> expirationPolicies, String expiresAt) {
    }
}
