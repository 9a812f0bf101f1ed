package io.perpetua.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A sandbox made from a ready template (taken from the copies kept ready, and restored) against
 * one made fresh and brought to the same state by the same recipe, each until its server's first
 * answer, in the same run. The recipe is what an
 * agent's environment does before it is useful, offline: a virtualenv, a data file, and a server
 * that loads the data into memory at start.
 */
final class TemplateBenchmark {

    private static final String SERVER = """
            import http.server
            values = [float(line) for line in open('/root/data.csv')]
            total = sum(values)
            class Answer(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = f'{len(values)} {total:.3f}'.encode()
                    self.send_response(200)
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer(('0.0.0.0', 8000), Answer).serve_forever()
            """;
    private static final List<String> SETUP = List.of(
            "python3 -m venv /root/venv",
            "python3 -c \"import random; open('/root/data.csv', 'w').write(chr(10).join(str(random.random()) for _ in range(300000)))\"",
            "cat > /root/server.py <<'EOF'\n" + SERVER + "EOF");
    private static final String START = "exec python3 /root/server.py";
    private static final String ASK = "python3 -c \"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8000/',"
            + " timeout=5).read().decode())\"";

    private final BenchClient api;

    TemplateBenchmark(BenchClient api) {
        this.api = api;
    }

    void run(int rounds, Report report) {
        long started = System.nanoTime();
        api.buildTemplate(Map.of("name", "bench-web", "setup", SETUP, "start", List.of(START), "ready", ASK));
        report.value("template build (recipe + capture), once", (System.nanoTime() - started) / 1e6, "ms");
        Samples warm = new Samples("create from a template, a copy kept ready, until the server's first answer");
        Samples restored = new Samples("create from a template, restored, until the server's first answer");
        Samples fresh = new Samples("create + setup + start + ready until the server's first answer");
        List<String> made = new ArrayList<>();
        try {
            made.add(api.create(Map.of("template", "bench-web")));
            for (int i = 0; i < rounds; i++) {
                awaitWarmCopy();
                made.add(answered(warm));
                made.add(answered(restored));
                long start = System.nanoTime();
                String cold = api.create(Map.of());
                made.add(cold);
                for (String command : SETUP) {
                    api.exec(cold, "bash", "-lc", command);
                }
                api.start(cold, "bash", "-lc", START);
                awaitAnswer(cold);
                fresh.since(start);
                made.forEach(api::deleteQuietly);
                made.clear();
            }
        } finally {
            made.forEach(api::deleteQuietly);
            api.deleteTemplate("bench-web");
        }
        report.add(warm);
        report.add(restored);
        report.add(fresh);
        report.ratio("create from template (copy kept ready) / create + setup, p50", warm.median() / fresh.median(), "");
        report.ratio("create from template (restored) / create + setup, p50", restored.median() / fresh.median(), "");
    }

    /**
     * A sandbox made from the template and asked once, timed into {@code samples}: taken from
     * the copies kept ready if there is one, else restored (one create right after another
     * finds none, as they are made one at a time).
     */
    private String answered(Samples samples) {
        long start = System.nanoTime();
        String copy = api.create(Map.of("template", "bench-web"));
        api.exec(copy, "bash", "-lc", ASK);
        samples.since(start);
        return copy;
    }

    private void awaitWarmCopy() {
        while (api.template("bench-web").path("warmCopies").asInt() == 0) {
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    private void awaitAnswer(String id) {
        for (;;) {
            try {
                api.exec(id, "bash", "-lc", ASK);
                return;
            } catch (IllegalStateException notYet) {
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }
    }
}
