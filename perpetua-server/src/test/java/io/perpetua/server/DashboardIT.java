package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in a real browser (Debian's headless chromium) against a real daemon with a
 * sandbox in each state: what it shows is what the API says, and it keeps up with transitions.
 * The screenshot lands in target/dashboard.png.
 */
class DashboardIT {

    private static Daemon daemon;
    private static Api api;
    private static final Map<String, String> STATES = new HashMap<>();

    @BeforeAll
    static void sandboxesInEveryState() {
        daemon = Daemon.start("--idle-timeout", "1h", "--warm-pool", "0");
        api = daemon.api();
        String running = api.create(Map.of("labels", Map.of("team", "search")));
        String standby = api.create(Map.of());
        assertThat(api.post("/v1/sandboxes/" + standby + "/standby", "").status()).isEqualTo(200);
        String hibernated = api.create(Map.of());
        assertThat(api.post("/v1/sandboxes/" + hibernated + "/hibernate", "").status()).isEqualTo(200);
        String failed = api.create(Map.of("memoryMb", 128));
        api.post("/v1/sandboxes/" + failed + "/exec", Map.of("cmd", List.of("python3", "-c", "x = 'a' * (1 << 30)")));
        await().atMost(Duration.ofSeconds(30)).until(() -> api.state(failed).equals("failed"));
        STATES.putAll(Map.of(running, "running", standby, "standby", hibernated, "hibernated", failed, "failed"));
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void showsTheFleetTimelinesAndUsageAndFollowsTransitions() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(api.baseUri() + "/#key=" + api.key());
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet(browser).equals(STATES));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    browser.run("return document.querySelectorAll('rect.model-bar').length;").asInt() == 12);

            JsonNode page = browser.run("""
                    return {
                      tiers: [...document.querySelectorAll('tr[data-sandbox]')].map(r => r.dataset.state + '=' + r.children[2].textContent),
                      timelines: document.querySelectorAll('svg.timeline-chart rect[data-state]').length,
                      bars: document.querySelectorAll('rect.usage-bar').length,
                      figures: [...document.querySelectorAll('[data-figure]')].map(f => f.dataset.figure),
                      keyInUrl: location.href.includes('pk_'),
                      modelBars: [...document.querySelectorAll('rect.model-bar')].map(b => b.dataset.policy),
                      error: document.getElementById('error').textContent
                    };""");
            assertThat(page.path("error").asString()).isEmpty();
            assertThat(page.path("tiers").valueStream().map(JsonNode::asString).toList())
                    .contains("running=active", "standby=hot", "hibernated=cold");
            assertThat(page.path("timelines").asInt()).as("a timeline segment per state lived").isGreaterThanOrEqualTo(7);
            assertThat(page.path("bars").asInt()).as("today's cost, in three parts").isGreaterThanOrEqualTo(3);
            assertThat(page.path("figures").valueStream().map(JsonNode::asString).toList())
                    .contains("running", "standby", "hibernated", "total cost");
            assertThat(page.path("keyInUrl").asBoolean()).as("the key leaves the address bar").isFalse();
            assertThat(page.path("modelBars").valueStream().map(JsonNode::asString).toList()).as("four fleets, three policies each")
                    .hasSize(12).containsOnly("ephemeral", "persistent", "perpetual");

            String running = STATES.entrySet().stream().filter(e -> e.getValue().equals("running")).findFirst().orElseThrow().getKey();
            assertThat(api.post("/v1/sandboxes/" + running + "/standby", "").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> "standby".equals(fleet(browser).get(running)));

            Path screenshot = Path.of("target", "dashboard.png");
            browser.screenshot(screenshot);
            assertThat(Files.size(screenshot)).isGreaterThan(10_000);
        }
    }

    @Test
    void thePageItselfNeedsNoKeyAndHoldsNone() {
        Api.Response page = api.withKey(null).get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Perpetua</title>").doesNotContain(api.key());
    }

    private static Map<String, String> fleet(HeadlessChromium browser) {
        Map<String, String> shown = new HashMap<>();
        browser.run("return [...document.querySelectorAll('tr[data-sandbox]')].map(r => [r.dataset.sandbox, r.dataset.state]);")
                .forEach(row -> shown.put(row.get(0).asString(), row.get(1).asString()));
        return shown;
    }
}
