package io.perpetua.cli;

import io.perpetua.client.ExpirationPolicy;
import io.perpetua.client.Lifecycle;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --on-idle} and {@code --expire}: a sandbox's lifecycle, for the commands that set one. */
final class LifecycleOptions {

    @Option(names = "--on-idle", paramLabel = "MODEL",
            description = "What the sandbox does once idle: standby (sleeps, keeps everything, wakes on the next request; "
                    + "the default), none (never sleeps) or delete (is deleted).")
    private Lifecycle.OnIdle onIdle;

    @Option(names = "--expire", paramLabel = "TYPE=VALUE",
            description = "A rule that deletes the sandbox, whichever comes first (repeatable, one of each type): "
                    + "ttl-idle=30m (idle this long), ttl-max-age=7d (this long after its creation) or date=2027-01-01 "
                    + "(midnight UTC; or a date and time with its offset). Durations: 90s, 30m, 24h, 7d, 1d12h.")
    private List<String> expire;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    /** Whether {@code --on-idle} was given. */
    boolean onIdleGiven() {
        return onIdle != null;
    }

    /** Whether {@code --expire} was given. */
    boolean rulesGiven() {
        return expire != null;
    }

    /** The choice of {@code --on-idle}, or null. */
    Lifecycle.OnIdle onIdle() {
        return onIdle;
    }

    /**
     * The rules of {@code --expire}, in their order; empty when none was given.
     *
     * @throws ParameterException naming the option if one is not TYPE=VALUE or does not parse
     */
    List<ExpirationPolicy> rules() {
        List<ExpirationPolicy> rules = new ArrayList<>();
        for (String rule : expire == null ? List.<String>of() : expire) {
            int equals = rule.indexOf('=');
            if (equals < 0) {
                throw new ParameterException(command.commandLine(), "--expire must be TYPE=VALUE, such as ttl-idle=30m or "
                        + "date=2027-01-01, but was '" + rule + "'");
            }
            try {
                rules.add(ExpirationPolicy.of(rule.substring(0, equals).strip(), rule.substring(equals + 1)));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(command.commandLine(), "--expire " + rule + ": " + e.getMessage());
            }
        }
        return rules;
    }

    /**
     * The whole lifecycle the options make, with the default for a part not given, or null when
     * neither option was given.
     *
     * @throws ParameterException naming the option if a rule does not parse, or two have the same type
     */
    Lifecycle lifecycle() {
        if (!onIdleGiven() && !rulesGiven()) {
            return null;
        }
        return lifecycle(onIdle, rules());
    }

    /** The lifecycle of {@code onIdle} and {@code rules}, refusing two rules of a type as a usage error. */
    Lifecycle lifecycle(Lifecycle.OnIdle choice, List<ExpirationPolicy> rules) {
        try {
            return new Lifecycle(choice, rules);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "--expire: " + e.getMessage());
        }
    }

    /** A lifecycle's rules as {@code --expire} takes them: {@code ttl-idle=30m date=2027-01-01}, or {@code -} for none. */
    static String describe(List<ExpirationPolicy> rules) {
        return rules.isEmpty() ? "-" : String.join(" ", rules.stream().map(rule -> rule.type().apiValue() + "=" + rule.value()).toList());
    }
}
