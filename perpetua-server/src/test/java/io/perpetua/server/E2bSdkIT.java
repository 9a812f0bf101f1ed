package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real E2B clients driving a real daemon, with nothing but the two URLs and a Perpetua key:
 * the {@code e2b} npm SDK (2.51.0) and the OpenAI Agents SDK's E2B provider
 * ({@code @openai/agents-extensions} 0.18.0, no model and no OpenAI key), pinned in
 * src/test/e2b. Each script there asserts what the client documents of the calls it makes
 * (node's assert), and fails with the client's own error otherwise.
 */
class E2bSdkIT {

    private static Daemon daemon;
    private static NodeClients clients;

    @BeforeAll
    static void start() {
        clients = NodeClients.install("e2b");
        daemon = Daemon.start();
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lifecycle.mjs", "commands.mjs", "files.mjs", "ports.mjs", "agents.mjs"})
    void theSdkWorksAgainstPerpetua(String script) {
        String url = daemon.api().baseUri().toString().replaceAll("/$", "");
        NodeClients.Run run = clients.node(script, Map.of("E2B_API_URL", url, "E2B_SANDBOX_URL", url, "E2B_API_KEY", Api.ADMIN_KEY), 300);
        assertThat(run.exitCode()).as("%s printed:%n%s", script, run.output()).isZero();
        assertThat(run.output()).contains(script.replace(".mjs", "") + ": ok");
    }
}
