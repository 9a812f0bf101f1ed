package io.perpetua.server;

import java.time.Duration;
import java.util.List;

/**
 * A web server to run in a sandbox: it answers every request, whatever its method, with 200 and
 * the headers it received, so a test sees what reached the sandbox through the port proxy. It
 * speaks HTTP/1.0, and so closes each connection after its answer, without saying so.
 */
final class EchoServer {

    static final int PORT = 8000;

    private static final String CODE = """
            import http.server, time
            class Echo(http.server.BaseHTTPRequestHandler):
                def handle(self):
                    super().handle()
                    time.sleep(%s)
                def do_GET(self):
                    self.rfile.read(int(self.headers.get('Content-Length') or 0))
                    body = str(self.headers).encode()
                    self.send_response(200)
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    if self.command != 'HEAD':
                        self.wfile.write(body)
                do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer(('0.0.0.0', %d), Echo).serve_forever()
            """;

    private EchoServer() {
    }

    /** The command that runs the server, for {@code POST /v1/sandboxes/{id}/processes}. */
    static List<String> command() {
        return command(Duration.ZERO);
    }

    /**
     * The command that runs a server that keeps each connection open for {@code delay} after its
     * answer, reading nothing more: a request a client sends on it meanwhile is lost for sure.
     */
    static List<String> command(Duration delay) {
        return List.of("python3", "-c", CODE.formatted(delay.toMillis() / 1000.0, PORT));
    }
}
