package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A sandbox holding what a crash could lose: a background process (the keeper) with a random
 * token only in its memory, which tells its pid and token on SIGUSR1, and a file on its disk.
 * {@link #assertIntact} asks for both, waking the sandbox if it sleeps.
 */
final class StatefulSandbox {

    /** Keeps a random token only in memory, bumps a counter file five times a second, and tells its pid and token on SIGUSR1. */
    static final String KEEPER = """
            import os, secrets, signal, time
            token = secrets.token_hex(16)
            def answer(signum, frame):
                with open('/root/answer.tmp', 'w') as f:
                    f.write(f'{os.getpid()} {token}')
                os.rename('/root/answer.tmp', '/root/answer')
            signal.signal(signal.SIGUSR1, answer)
            n = 0
            while True:
                n += 1
                with open('/root/counter.tmp', 'w') as f:
                    f.write(str(n))
                os.rename('/root/counter.tmp', '/root/counter')
                time.sleep(0.2)
            """;

    private final String id;
    private final String pid;
    private final String identity;
    private final String note;

    private StatefulSandbox(String id, String pid, String identity, String note) {
        this.id = id;
        this.pid = pid;
        this.identity = identity;
        this.note = note;
    }

    /** Creates a sandbox with {@code spec}, starts its keeper and writes its file. */
    static StatefulSandbox create(Api api, Map<String, Object> spec) {
        String id = api.create(spec);
        return in(api, id);
    }

    /** Starts a keeper and writes a file in the running sandbox {@code id}. */
    static StatefulSandbox in(Api api, String id) {
        api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("sh", "-c", "cat > /root/keeper.py"), "stdin", KEEPER));
        String pid = api.sh(id, "nohup python3 /root/keeper.py >/dev/null 2>&1 & echo $!").strip();
        // SIGUSR1 would kill the keeper before it installs its handler, which it does before counting.
        await().atMost(Duration.ofSeconds(30)).until(() -> api.sh(id, "cat /root/counter 2>/dev/null || echo 0").strip().matches("[1-9]\\d*"));
        String note = "note " + UUID.randomUUID();
        api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("sh", "-c", "cat > /root/note"), "stdin", note));
        String identity = ask(api, id, pid);
        assertThat(identity).matches(pid + " [0-9a-f]{32}");
        return new StatefulSandbox(id, pid, identity, note);
    }

    String id() {
        return id;
    }

    /** The same state in sandbox {@code copy}, a fork of this one: the same keeper, token and file. */
    StatefulSandbox copyIn(String copy) {
        return new StatefulSandbox(copy, pid, identity, note);
    }

    /** The keeper's pid and in-memory token, as it told them when it started. */
    String identity() {
        return identity;
    }

    /** Asks the keeper for its pid and in-memory token, and reads the file: both as they were. */
    void assertIntact(Api api, String when) {
        assertThat(ask(api, id, pid)).as("the keeper's pid and in-memory token " + when).isEqualTo(identity);
        assertThat(api.sh(id, "cat /root/note")).as("the file " + when).isEqualTo(note);
    }

    private static String ask(Api api, String id, String pid) {
        return api.sh(id, "rm -f /root/answer; kill -USR1 " + pid
                + "; for i in $(seq 100); do [ -f /root/answer ] && break; sleep 0.05; done; cat /root/answer; rm /root/answer");
    }
}
