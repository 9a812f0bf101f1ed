package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
    @ValueSource(strings = {"lifecycle.mjs", "commands.mjs", "files.mjs", "ports.mjs", "agents.mjs", "snapshots.mjs"})
    void theSdkWorksAgainstPerpetua(String script) {
        String url = daemon.api().baseUri().toString().replaceAll("/$", "");
        NodeClients.Run run = clients.node(script, Map.of("E2B_API_URL", url, "E2B_SANDBOX_URL", url, "E2B_API_KEY", Api.ADMIN_KEY), 300);
        assertThat(run.exitCode()).as("%s printed:%n%s", script, run.output()).isZero();
        assertThat(run.output()).contains(script.replace(".mjs", "") + ": ok");
    }

    @Test
    void aPerpetuaTemplateIsAnE2bTemplate() {
        Api api = daemon.api();
        Api.Response accepted = api.post("/v1/templates", Map.of("name", "e2b-web", "env", Map.of("GREETING", "hi"),
                "setup", List.of("mkdir -p /srv", "echo hello-from-template > /srv/index.html"),
                "start", List.of("cd /srv && exec python3 -m http.server 8000 --bind 0.0.0.0"),
                "ready", "python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/', timeout=5)\""));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> !api.get("/v1/templates/e2b-web").json().path("state").asString()
                    .equals("building"));
            assertThat(api.get("/v1/templates/e2b-web").json().path("state").asString()).isEqualTo("ready");
            String url = api.baseUri().toString().replaceAll("/$", "");
            NodeClients.Run run = clients.node("templates.mjs", Map.of("E2B_API_URL", url, "E2B_SANDBOX_URL", url,
                    "E2B_API_KEY", Api.ADMIN_KEY, "TEMPLATE", "e2b-web"), 300);
            assertThat(run.exitCode()).as("templates.mjs printed:%n%s", run.output()).isZero();
            assertThat(run.output()).contains("templates: ok");
        } finally {
            api.delete("/v1/templates/e2b-web");
        }
    }
}
