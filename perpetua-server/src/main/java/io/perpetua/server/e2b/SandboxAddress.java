package io.perpetua.server.e2b;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox and port an E2B request is for, named as E2B's proxy takes them: by the headers
 * {@code E2b-Sandbox-Id} and {@code E2b-Sandbox-Port} (the SDK's {@code E2B_SANDBOX_URL} mode;
 * the port is envd's if not given), or by the host name {@code <port>-<sandbox id>.<domain>}
 * ({@code getHost(port)}). The id is as the caller wrote it, not checked yet.
 */
record SandboxAddress(String sandboxId, int port) {

    /** The port E2B clients believe envd listens on; any other is a port of the sandbox's own. */
    static final int ENVD_PORT = 49983;
    private static final Pattern HOST = Pattern.compile("(\\d{1,5})-(sb[a-z2-7]{14})(\\..*)?(:\\d+)?");

    /** What the request names; empty if it names no sandbox (or a port that cannot be one). */
    static Optional<SandboxAddress> of(Context ctx) {
        String id = ctx.header("E2b-Sandbox-Id");
        if (id != null && !id.isBlank()) {
            String port = ctx.header("E2b-Sandbox-Port");
            return port == null || port.isBlank() ? Optional.of(new SandboxAddress(id.strip(), ENVD_PORT)) : port(id.strip(), port.strip());
        }
        Matcher host = HOST.matcher(String.valueOf(ctx.header("Host")).toLowerCase(Locale.ROOT));
        return host.matches() ? port(host.group(2), host.group(1)) : Optional.empty();
    }

    private static Optional<SandboxAddress> port(String id, String port) {
        if (!port.matches("\\d{1,5}")) {
            return Optional.empty();
        }
        int number = Integer.parseInt(port);
        return number >= 1 && number <= 65535 ? Optional.of(new SandboxAddress(id, number)) : Optional.empty();
    }

    /** Whether the request is for envd rather than a port of the sandbox's own. */
    boolean envd() {
        return port == ENVD_PORT;
    }
}
