package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.TemplateInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code perpetua template} and {@code sandbox create --template} against a real daemon: a
 * template built with a file and a server running is listed and shown, a sandbox made from it
 * has both, and a failed build prints its log and reason.
 */
class TemplateCommandIT {

    private static final String ASK = "python3 -c \"import urllib.request; "
            + "print(urllib.request.urlopen('http://127.0.0.1:8000/note', timeout=5).read().decode().strip())\"";

    private static LiveDaemon daemon;
    private static Perpetua perpetua;

    @BeforeAll
    static void startDaemon() throws Exception {
        daemon = LiveDaemon.start();
        perpetua = Perpetua.connect(daemon.url(), LiveDaemon.KEY);
    }

    @AfterAll
    static void stopDaemon() {
        if (perpetua != null) {
            perpetua.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void deleteEverything() {
        perpetua.sandboxes().list().forEach(Sandbox::delete);
        perpetua.templates().list().reversed().stream().map(TemplateInfo::name).forEach(perpetua.templates()::delete);
    }

    @Test
    void aTemplateIsBuiltListedShownStartedFromAndDeleted() {
        CliRun build = CliRun.of(daemon.env(), "", "template", "build", "cli-web", "--disk", "1024",
                "--setup", "echo from-template > /root/note", "--start", "cd /root && exec python3 -m http.server 8000",
                "--ready", ASK, "--env", "GREETING=hi");
        assertThat(build.exitCode()).as(build.err()).isZero();
        assertThat(build.out()).isEqualTo("cli-web\n");
        assertThat(build.err()).contains("building template cli-web: ready after ");

        assertThat(ok("template", "list")).contains("cli-web").contains("ready");
        String shown = ok("template", "get", "cli-web");
        assertThat(shown).contains("state:    ready").contains("env:      GREETING").doesNotContain("snapshot: -");
        assertThat(ok("template", "get", "cli-web", "--output", "json")).contains("\"state\": \"ready\"")
                .contains("$ echo from-template > /root/note");

        String sandbox = ok("sandbox", "create", "--template", "cli-web").strip();
        assertThat(sandbox).startsWith("sb").doesNotContain("\n");
        assertThat(ok("sandbox", "exec", sandbox, "--", "cat", "/root/note")).isEqualTo("from-template\n");
        assertThat(ok("sandbox", "exec", sandbox, "--", "sh", "-c", ASK + " && echo $GREETING")).isEqualTo("from-template\nhi\n");

        assertThat(ok("template", "delete", "cli-web")).isEqualTo("deleted cli-web\n");
        CliRun gone = CliRun.of(daemon.env(), "", "template", "get", "cli-web");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("(template_not_found)");
        assertThat(ok("sandbox", "exec", sandbox, "--", "cat", "/root/note")).as("a sandbox outlives its template")
                .isEqualTo("from-template\n");
    }

    @Test
    void aFailedBuildPrintsItsLogAndReasonAndExitsWith1() {
        CliRun build = CliRun.of(daemon.env(), "", "template", "build", "cli-broken", "--setup", "echo preparing",
                "--setup", "echo oops >&2; exit 3");

        assertThat(build.exitCode()).isEqualTo(1);
        assertThat(build.out()).isEmpty();
        assertThat(build.err()).contains("building template cli-broken: failed after ", "build log of template cli-broken:",
                "preparing", "oops").endsWith("perpetua: template 'cli-broken' failed to build: setup[1] exited with 3: "
                + "echo oops >&2; exit 3\n");
        assertThat(ok("template", "list")).contains("cli-broken").contains("failed");
        CliRun create = CliRun.of(daemon.env(), "", "sandbox", "create", "--template", "cli-broken");
        assertThat(create.exitCode()).isEqualTo(1);
        assertThat(create.err()).contains("(template_failed)");
    }

    /** Runs the CLI, expecting success, and answers what it printed. */
    private static String ok(String... args) {
        CliRun run = CliRun.of(daemon.env(), "", args);
        assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run.out();
    }
}
