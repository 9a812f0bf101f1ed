package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code perpetua keys} against a real daemon: issue, use, list and revoke a key. */
class KeysCommandIT {

    private static LiveDaemon daemon;

    @BeforeAll
    static void startDaemon() throws Exception {
        daemon = LiveDaemon.start();
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static Map<String, String> withKey(String key) {
        Map<String, String> env = new HashMap<>(daemon.env());
        env.put("PERPETUA_API_KEY", key);
        return env;
    }

    @Test
    void aKeyIsIssuedForAProjectUsedListedAndRevoked() {
        CliRun created = CliRun.of(daemon.env(), "", "keys", "create", "--project", "blue", "--name", "ci");
        assertThat(created.exitCode()).as(created.err()).isZero();
        Matcher secret = Pattern.compile("export PERPETUA_API_KEY=(pk_\\S+)").matcher(created.out());
        assertThat(secret.find()).as(created.out()).isTrue();
        String id = Pattern.compile("key (ak\\w+) for project blue").matcher(created.out()).results().findFirst().orElseThrow().group(1);

        CliRun asBlue = CliRun.of(withKey(secret.group(1)), "", "sandbox", "list", "--output", "json");
        assertThat(asBlue.exitCode()).as(asBlue.err()).isZero();
        assertThat(asBlue.out().strip()).isEqualTo("[]");

        CliRun forbidden = CliRun.of(withKey(secret.group(1)), "", "keys", "list");
        assertThat(forbidden.exitCode()).isEqualTo(1);
        assertThat(forbidden.err()).contains("not an admin key").contains("(forbidden)");

        CliRun listed = CliRun.of(daemon.env(), "", "keys", "list");
        assertThat(listed.out()).contains(id).contains("blue").contains("ci").doesNotContain(secret.group(1));

        CliRun revoked = CliRun.of(daemon.env(), "", "keys", "revoke", id);
        assertThat(revoked.exitCode()).as(revoked.err()).isZero();
        CliRun refused = CliRun.of(withKey(secret.group(1)), "", "sandbox", "list");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("revoked").contains("set PERPETUA_API_KEY");
    }

    @Test
    void withoutAKeyTheCliSaysWhereToGetOne() {
        Map<String, String> env = new HashMap<>(daemon.env());
        env.remove("PERPETUA_API_KEY");

        CliRun run = CliRun.of(env, "", "sandbox", "list");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("needs an API key").contains("prints its admin key");
    }
}
