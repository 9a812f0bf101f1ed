package io.perpetua.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ExecRequestTest {

    private static void assertRejected(String field, ThrowingCallable construction) {
        assertThatThrownBy(construction).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }

    private static ExecRequest command(List<String> cmd) {
        return new ExecRequest(cmd, null, null, null, null);
    }

    @Test
    void ofGivesTheDefaults() {
        ExecRequest request = ExecRequest.of("ls", "-l");

        assertThat(request.cmd()).containsExactly("ls", "-l");
        assertThat(request.cwd()).isNull();
        assertThat(request.env()).isEmpty();
        assertThat(request.stdin()).isNull();
        assertThat(request.timeout()).isEqualTo(ExecRequest.DEFAULT_TIMEOUT);
    }

    @Test
    void cmdIsCopied() {
        List<String> cmd = new ArrayList<>(List.of("echo", "a"));
        ExecRequest request = command(cmd);

        cmd.add("b");

        assertThat(request.cmd()).containsExactly("echo", "a");
    }

    @Test
    void cmdMustBeANonEmptyList() {
        assertRejected("cmd", () -> command(null));
        assertRejected("cmd", () -> command(List.of()));
        assertRejected("cmd", () -> command(Collections.nCopies(4097, "x")));
    }

    @Test
    void eachBadArgumentIsNamedByItsIndex() {
        assertRejected("cmd[1]", () -> command(Arrays.asList("echo", null)));
        assertRejected("cmd[0]", () -> command(Arrays.asList((String) null)));
        assertRejected("cmd[2]", () -> command(List.of("echo", "a", "b\0c")));
        assertRejected("cmd[1]", () -> command(List.of("echo", "x".repeat(128 * 1024 + 1))));
    }

    @Test
    void theProgramMustNotBeEmpty() {
        assertRejected("cmd[0]", () -> command(List.of("", "arg")));
    }

    @Test
    void cwdMustBeAnAbsolutePath() {
        assertRejected("cwd", () -> new ExecRequest(List.of("ls"), "tmp", null, null, null));
        assertRejected("cwd", () -> new ExecRequest(List.of("ls"), "", null, null, null));
        assertRejected("cwd", () -> new ExecRequest(List.of("ls"), "/tmp\0", null, null, null));
        assertRejected("cwd", () -> new ExecRequest(List.of("ls"), "/" + "a".repeat(4096), null, null, null));
        assertThat(new ExecRequest(List.of("ls"), "/tmp", null, null, null).cwd()).isEqualTo("/tmp");
    }

    @Test
    void envIsCheckedLikeTheSandboxEnv() {
        assertRejected("env", () -> new ExecRequest(List.of("ls"), null, Map.of("BAD NAME", "x"), null, null));
        assertRejected("env.GOOD", () -> new ExecRequest(List.of("ls"), null, Map.of("GOOD", "\0"), null, null));
    }

    @Test
    void timeoutMustBePositiveAndAtMostADay() {
        assertRejected("timeoutSeconds", () -> new ExecRequest(List.of("ls"), null, null, null, Duration.ofSeconds(-1)));
        assertRejected("timeoutSeconds", () -> new ExecRequest(List.of("ls"), null, null, null, Duration.ZERO));
        assertRejected("timeoutSeconds", () -> new ExecRequest(List.of("ls"), null, null, null, ExecRequest.MAX_TIMEOUT.plusSeconds(1)));
        assertThat(new ExecRequest(List.of("ls"), null, null, null, Duration.ofSeconds(3)).timeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void stdinMayHoldAtMost16MiB() {
        assertRejected("stdin", () -> new ExecRequest(List.of("cat"), null, null, "x".repeat(16 * 1024 * 1024 + 1), null));
    }
}
