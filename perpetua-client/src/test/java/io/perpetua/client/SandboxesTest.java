package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SandboxesTest {

    private StubServer daemon;
    private Perpetua perpetua;

    @BeforeEach
    void start() throws IOException {
        daemon = StubServer.start();
        perpetua = Perpetua.connect(daemon.url(), null);
    }

    @AfterEach
    void stop() {
        perpetua.close();
        daemon.close();
    }

    @Test
    void createSendsOnlyTheFieldsThatAreSet() {
        daemon.json("POST", "/v1/sandboxes", 201, Fixtures.SANDBOX);

        perpetua.sandboxes().create(SandboxSpec.builder()
                .template("python")
                .hibernateAfter(Duration.ofMinutes(5))
                .label("team", "ml")
                .memoryMb(512)
                .build());

        StubServer.Request request = daemon.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/sandboxes");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.text()).isEqualTo("{\"template\":\"python\",\"hibernateAfterSeconds\":300,\"labels\":{\"team\":\"ml\"},\"memoryMb\":512}");
    }

    @Test
    void everyPartOfTheSpecHasItsApiField() {
        daemon.json("POST", "/v1/sandboxes", 201, Fixtures.SANDBOX);

        perpetua.sandboxes().create(SandboxSpec.builder().template("t").idleTimeout(Duration.ofSeconds(30))
                .hibernateAfter(Duration.ofHours(1)).env("A", "1").env(Map.of("B", "x=y")).label("k", "v")
                .memoryMb(1024).cpus(0.5).build());

        assertThat(daemon.only().text()).isEqualTo("{\"template\":\"t\",\"idleTimeoutSeconds\":30,\"hibernateAfterSeconds\":3600,"
                + "\"env\":{\"A\":\"1\",\"B\":\"x=y\"},\"labels\":{\"k\":\"v\"},\"memoryMb\":1024,\"cpus\":0.5}");
    }

    @Test
    void createWithTheDefaultsSendsAnEmptyObject() {
        daemon.json("POST", "/v1/sandboxes", 201, Fixtures.SANDBOX);

        Sandbox sandbox = perpetua.sandboxes().create();

        assertThat(daemon.only().text()).isEqualTo("{}");
        assertThat(sandbox.id()).isEqualTo("sbq3k7x2mfa4z5hd");
    }

    @Test
    void theCreatedSandboxHoldsEverythingTheDaemonSaidAboutIt() {
        daemon.json("POST", "/v1/sandboxes", 201, Fixtures.SANDBOX);

        SandboxInfo info = perpetua.sandboxes().create().info();

        assertThat(info).isEqualTo(new SandboxInfo("sbq3k7x2mfa4z5hd", "default", "running", "python",
                Instant.parse("2026-01-02T03:04:05.678Z"), Instant.parse("2026-01-02T03:04:06Z"),
                Instant.parse("2026-01-02T03:05:00.500Z"), Duration.ofSeconds(15), Duration.ofMinutes(10), 512, 1.0, null, null, null,
                List.of("A", "B"), Map.of("team", "ml", "owner", "ana"), null, null, NetworkPolicy.DEFAULT, Lifecycle.DEFAULT, null, List.of()));
        assertThat(info.labels().keySet()).containsExactly("team", "owner");
        assertThat(daemon.requests()).hasSize(1);
    }

    @Test
    void listAnswersEverySandboxWithItsSnapshot() {
        daemon.json("GET", "/v1/sandboxes", 200, "{\"sandboxes\":[" + Fixtures.SANDBOX + "," + Fixtures.HIBERNATED + "]}");

        List<Sandbox> sandboxes = perpetua.sandboxes().list();

        assertThat(sandboxes).extracting(Sandbox::id, sandbox -> sandbox.info().state())
                .containsExactly(tuple("sbq3k7x2mfa4z5hd", "running"), tuple("sb2hib2hib2hib2h", "hibernated"));
        assertThat(sandboxes.get(1).info().template()).isNull();
        assertThat(sandboxes.get(1).info().snapshot())
                .isEqualTo(new SnapshotInfo("snap1", Instant.parse("2026-01-01T01:00:00Z"), 1024));
        assertThat(daemon.requests()).hasSize(1);
    }

    @Test
    void getFetchesTheSandboxButAHandleAsksNothingUntilUsed() {
        daemon.json("GET", "/v1/sandboxes/sbq3k7x2mfa4z5hd", 200, Fixtures.SANDBOX);

        Sandbox handle = perpetua.sandboxes().handle("sbq3k7x2mfa4z5hd");
        assertThat(daemon.requests()).isEmpty();

        assertThat(handle.info().state()).isEqualTo("running");
        assertThat(perpetua.sandboxes().get("sbq3k7x2mfa4z5hd").info().memoryMb()).isEqualTo(512);
        assertThat(daemon.requests()).extracting(StubServer.Request::method).containsExactly("GET", "GET");
    }

    @Test
    void idsAreEscapedInThePath() {
        assertThatThrownBy(() -> perpetua.sandboxes().get("a b/c?d")).isInstanceOf(NotFoundException.class);

        assertThat(daemon.only().path()).isEqualTo("/v1/sandboxes/a%20b%2Fc%3Fd");
    }

    @Test
    void theApiKeyIsSentAsABearerToken() {
        daemon.json("GET", "/v1/sandboxes", 200, "{\"sandboxes\":[]}");

        try (Perpetua withKey = Perpetua.connect(daemon.url() + "/", "s3cret")) {
            withKey.sandboxes().list();
        }

        assertThat(daemon.only().header("Authorization")).isEqualTo("Bearer s3cret");
    }

    @Test
    void withoutAKeyNoAuthorizationIsSent() {
        daemon.json("GET", "/v1/sandboxes", 200, "{\"sandboxes\":[]}");

        perpetua.sandboxes().list();

        assertThat(daemon.only().headers()).doesNotContainKey("authorization");
        assertThat(daemon.only().header("Accept")).isEqualTo("application/json");
    }

    @Test
    void stateChangesPostToTheirPathsAndUpdateTheInfo() {
        String id = "sbq3k7x2mfa4z5hd";
        daemon.json("POST", "/v1/sandboxes/" + id + "/standby", 200, Fixtures.SANDBOX.replace("\"running\"", "\"standby\""))
                .json("POST", "/v1/sandboxes/" + id + "/hibernate", 200, Fixtures.SANDBOX.replace("\"running\"", "\"hibernated\""))
                .json("POST", "/v1/sandboxes/" + id + "/resume", 200, Fixtures.SANDBOX);
        Sandbox sandbox = perpetua.sandboxes().handle(id);

        assertThat(sandbox.standby().state()).isEqualTo("standby");
        assertThat(sandbox.hibernate().state()).isEqualTo("hibernated");
        assertThat(sandbox.info().state()).isEqualTo("hibernated");
        assertThat(sandbox.resume().state()).isEqualTo("running");
        assertThat(daemon.requests()).extracting(StubServer.Request::path, request -> request.body().length)
                .containsExactly(tuple("/v1/sandboxes/" + id + "/standby", 0), tuple("/v1/sandboxes/" + id + "/hibernate", 0),
                        tuple("/v1/sandboxes/" + id + "/resume", 0));
    }

    @Test
    void deleteSendsADelete() {
        daemon.json("DELETE", "/v1/sandboxes/sb1", 204, "");

        perpetua.sandboxes().handle("sb1").delete();

        assertThat(daemon.only().method()).isEqualTo("DELETE");
    }

    @Test
    void healthAndMetricsReadTheirEndpoints() {
        daemon.json("GET", "/healthz", 200, "{\"status\":\"ok\"}")
                .on("GET", "/metrics", (request, exchange) -> StubServer.send(exchange, 200, "text/plain",
                        "perpetua_sandboxes{state=\"running\"} 3\n".getBytes()));

        assertThat(perpetua.health()).isEqualTo(new Health("ok"));
        assertThat(perpetua.metrics()).isEqualTo("perpetua_sandboxes{state=\"running\"} 3\n");
    }

    @Test
    void aUrlThatIsNotHttpIsRejectedAtOnce() {
        assertThatThrownBy(() -> Perpetua.connect("127.0.0.1:7777", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("url must be an http:// or https:// address such as http://127.0.0.1:7777 but was '127.0.0.1:7777'");
    }
}
