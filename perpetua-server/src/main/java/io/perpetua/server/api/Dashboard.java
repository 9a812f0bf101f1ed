package io.perpetua.server.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard at {@code /}: one static page that calls the API with the key its user enters
 * (kept in the browser's session storage, or handed over in the URL's fragment, which never
 * reaches the server). The page itself holds nothing of anybody's, so it needs no key.
 */
final class Dashboard {

    private static final String PAGE = load();
    /** Inline script and style only from the page itself; API calls only to this daemon. */
    private static final String POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private Dashboard() {
    }

    static void serve(Context ctx) {
        ctx.contentType("text/html; charset=utf-8")
                .header("Content-Security-Policy", POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-cache")
                .result(PAGE);
    }

    private static String load() {
        try (InputStream in = Dashboard.class.getResourceAsStream("/io/perpetua/server/dashboard/index.html")) {
            if (in == null) {
                throw new IllegalStateException("the dashboard page is missing from the server's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
