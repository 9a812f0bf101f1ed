package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.perpetua.client.ConflictException;
import io.perpetua.client.ExecResult;
import io.perpetua.client.InvalidRequestException;
import io.perpetua.client.NotFoundException;
import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxSpec;
import io.perpetua.client.TemplateInfo;
import io.perpetua.client.TemplateRecipe;
import io.perpetua.client.TemplateState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Templates through the Java SDK against a real daemon: a recipe that writes a page and starts
 * an HTTP server is built and waited for, and a sandbox made from it serves the page at once,
 * from the server the template captured running; a recipe that fails is an exception with the
 * reason and the end of the build log.
 */
class SdkTemplateIT {

    private static final Duration BUILD = Duration.ofMinutes(3);
    private static final String SERVER = "cd /srv && exec python3 -m http.server 8000 --bind 0.0.0.0";
    private static final String READY = "python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/', timeout=5)\"";
    private static final String ASK = "import urllib.request; "
            + "print(urllib.request.urlopen('http://127.0.0.1:8000/index.html', timeout=5).read().decode().strip())";

    private static Daemon daemon;
    private static Perpetua perpetua;

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0"), "--idle-timeout", "1h", "--hibernate-after", "1h");
        perpetua = Perpetua.connect(daemon.api().baseUri().toString(), daemon.api().key());
    }

    @AfterAll
    static void removeEverything() {
        if (perpetua != null) {
            perpetua.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Every sandbox, then every template, newest first, so that none is deleted under one built from it. */
    @AfterEach
    void deleteEverything() {
        perpetua.sandboxes().list().forEach(Sandbox::delete);
        perpetua.templates().list().reversed().forEach(template -> perpetua.templates().delete(template.name()));
    }

    @Test
    void aTemplateIsBuiltWaitedForListedAndServesFromItsSandboxesAtOnce() {
        TemplateRecipe recipe = TemplateRecipe.builder("sdk-web")
                .diskMb(1024)
                .setup("mkdir -p /srv", "echo hi > /srv/index.html")
                .start(SERVER)
                .ready(READY)
                .env("GREETING", "hello")
                .build();

        TemplateInfo web = perpetua.templates().buildAndWait(recipe, BUILD);

        assertThat(web.state()).isEqualTo(TemplateState.READY);
        assertThat(web.name()).isEqualTo("sdk-web");
        assertThat(web.from()).isEqualTo("default");
        assertThat(web.image()).isNull();
        assertThat(web.snapshotId()).isNotBlank();
        assertThat(web.failureReason()).isNull();
        assertThat(web.setup()).containsExactly("mkdir -p /srv", "echo hi > /srv/index.html");
        assertThat(web.start()).containsExactly(SERVER);
        assertThat(web.ready()).isEqualTo(READY);
        assertThat(web.envNames()).containsExactly("GREETING");
        assertThat(web.buildLog()).contains("$ mkdir -p /srv", "$ echo hi > /srv/index.html");
        assertThat(web.stateChangedAt()).isAfterOrEqualTo(web.createdAt());

        Sandbox sandbox = perpetua.sandboxes().createFromTemplate("sdk-web");
        assertThat(sandbox.info().state()).isEqualTo("running");
        assertThat(sandbox.info().template()).isEqualTo("sdk-web");
        assertThat(sandbox.info().diskMb()).isEqualTo(1024);
        ExecResult page = sandbox.exec("python3", "-c", ASK);
        assertThat(page.exitCode()).as(page.stderr()).isZero();
        assertThat(page.stdout()).as("the first request, from the server the template captured").isEqualTo("hi\n");

        Sandbox labelled = perpetua.sandboxes().create(SandboxSpec.builder().template("sdk-web").label("team", "a").env("EXTRA", "1")
                .build());
        assertThat(labelled.info().labels()).containsEntry("team", "a");
        assertThat(labelled.exec("sh", "-c", "echo $GREETING $EXTRA").stdout()).isEqualTo("hello 1\n");
        assertThat(labelled.exec("python3", "-c", ASK).stdout()).isEqualTo("hi\n");

        assertThat(perpetua.templates().list()).extracting(TemplateInfo::name, TemplateInfo::state)
                .containsExactly(tuple("sdk-web", TemplateState.READY));
        assertThat(perpetua.templates().get("sdk-web")).as("as it was built, but for the copies kept ready")
                .usingRecursiveComparison().ignoringFields("warmCopies").isEqualTo(web);
    }

    @Test
    void aFailingRecipeIsAConflictWithTheReasonAndTheEndOfItsLog() {
        TemplateRecipe recipe = TemplateRecipe.builder("sdk-broken")
                .setup("echo preparing", "echo oops >&2; exit 3", "echo never")
                .build();

        assertThatThrownBy(() -> perpetua.templates().buildAndWait(recipe, BUILD))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("template_failed"))
                .hasMessageStartingWith("template 'sdk-broken' failed to build: setup[1] exited with 3")
                .hasMessageContaining("the end of its build log:")
                .hasMessageContaining("preparing")
                .hasMessageContaining("oops")
                .message().doesNotContain("never");

        TemplateInfo broken = perpetua.templates().get("sdk-broken");
        assertThat(broken.state()).isEqualTo(TemplateState.FAILED);
        assertThat(broken.snapshotId()).isNull();
        assertThat(broken.failureReason()).contains("setup[1]", "exited with 3");
        assertThatThrownBy(() -> perpetua.sandboxes().createFromTemplate("sdk-broken"))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("template_failed"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(perpetua.sandboxes().list()).as("no build sandbox is left")
                .isEmpty());
    }

    @Test
    void aBuildLongerThanTheWaitIsNotReadyAndATakenNameAConflict() {
        TemplateRecipe slow = TemplateRecipe.builder("sdk-slow").setup("sleep 20").build();

        assertThatThrownBy(() -> perpetua.templates().buildAndWait(slow, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("template_not_ready"))
                .hasMessage("template 'sdk-slow' is still being built after 1 s; it builds on in the background");
        assertThat(perpetua.templates().get("sdk-slow").state()).isEqualTo(TemplateState.BUILDING);
        assertThatThrownBy(() -> perpetua.sandboxes().createFromTemplate("sdk-slow"))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("template_not_ready"));
        assertThatThrownBy(() -> perpetua.templates().build(slow))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("template_exists"));
    }

    @Test
    void aTemplateThatDoesNotExistIsNotFoundWithItsCode() {
        assertThatThrownBy(() -> perpetua.templates().get("sdk-nosuch"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("template_not_found"));
        assertThatThrownBy(() -> perpetua.templates().delete("sdk-nosuch"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("template_not_found"));
        assertThatThrownBy(() -> perpetua.templates().awaitReady("sdk-nosuch", Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("template_not_found"));
        assertThatThrownBy(() -> perpetua.sandboxes().createFromTemplate("sdk-nosuch"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("template"));
        assertThat(perpetua.templates().list()).isEmpty();
        assertThat(perpetua.sandboxes().list()).isEmpty();
    }
}
