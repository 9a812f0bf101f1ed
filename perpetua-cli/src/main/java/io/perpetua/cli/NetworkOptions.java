package io.perpetua.cli;

import io.perpetua.client.NetworkPolicy;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --allow-out} and {@code --deny-out}: a sandbox's network policy, for the commands that set one. */
final class NetworkOptions {

    @Option(names = "--allow-out", paramLabel = "DEST",
            description = "An address, CIDR block or host name the sandbox may reach, even if private or denied (repeatable).")
    private List<String> allowOut;

    @Option(names = "--deny-out", paramLabel = "DEST",
            description = "An address, CIDR block (0.0.0.0/0: everything) or host name it may not reach (repeatable).")
    private List<String> denyOut;

    /** Whether either option was given. */
    boolean given() {
        return allowOut != null || denyOut != null;
    }

    /** The policy the options make, or null when neither was given. */
    NetworkPolicy policy() {
        return given() ? new NetworkPolicy(allowOut, denyOut) : null;
    }
}
