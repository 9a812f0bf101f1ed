package io.perpetua.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A client of a Perpetua daemon, the entry point of this SDK.
 *
 * <pre>{@code
 * try (Perpetua perpetua = Perpetua.connect("http://127.0.0.1:7777")) {
 *     Sandbox sandbox = perpetua.sandboxes().create();
 *     ExecResult result = sandbox.exec("python3", "-c", "print(6 * 7)");
 *     System.out.print(result.stdout());
 *     sandbox.delete();
 * }
 * }</pre>
 *
 * <p>A client is thread-safe and holds a pool of connections; make one per daemon and share it.
 * Every call blocks until the daemon answered. Failures are unchecked {@link PerpetuaException}s.
 */
public final class Perpetua implements AutoCloseable {

    /** The environment variable {@link #connect(String)} reads the API key from. */
    public static final String API_KEY_VARIABLE = "PERPETUA_API_KEY";

    /**
     * The environment variable {@link #connect(String)} reads a PEM file of certificates from, to
     * trust instead of the JDK's authorities: for a daemon serving HTTPS with its own certificate.
     */
    public static final String CA_CERT_VARIABLE = "PERPETUA_CA_CERT";

    private final Http http;
    private final Sandboxes sandboxes;
    private final Snapshots snapshots;
    private final Templates templates;
    private final Volumes volumes;
    private final Drives drives;
    private final Keys keys;

    private Perpetua(Http http) {
        this.http = http;
        this.sandboxes = new Sandboxes(http);
        this.snapshots = new Snapshots(http);
        this.templates = new Templates(http);
        this.volumes = new Volumes(http);
        this.drives = new Drives(http);
        this.keys = new Keys(http);
    }

    /**
     * A client of the daemon at {@code url}. Nothing is sent until the first call.
     *
     * @param url    the daemon's address, such as {@code http://127.0.0.1:7777}
     * @param apiKey sent as {@code Authorization: Bearer <apiKey>}; null or blank sends none
     * @return a new client, to be closed when done
     * @throws IllegalArgumentException if {@code url} is not an http:// or https:// address with a host
     */
    public static Perpetua connect(String url, String apiKey) {
        return connect(url, apiKey, null);
    }

    /**
     * A client of the daemon at {@code url} that checks its HTTPS certificate with {@code tls}
     * (see {@link #trusting(Path)} for a daemon with its own certificate).
     *
     * @param url    the daemon's address, such as {@code https://perpetua.internal:7777}
     * @param apiKey sent as {@code Authorization: Bearer <apiKey>}; null or blank sends none
     * @param tls    the TLS context to connect with; null: the JDK's default, which trusts its authorities
     * @return a new client, to be closed when done
     * @throws IllegalArgumentException if {@code url} is not an http:// or https:// address with a host
     */
    public static Perpetua connect(String url, String apiKey, SSLContext tls) {
        return new Perpetua(new Http(baseUrl(url), apiKey, tls));
    }

    /**
     * A client of the daemon at {@code url}, with the API key from the environment variable
     * {@value #API_KEY_VARIABLE} when it is set, trusting the certificates in the file named by
     * {@value #CA_CERT_VARIABLE} when that is set.
     *
     * @param url the daemon's address, such as {@code http://127.0.0.1:7777}
     * @return a new client, to be closed when done
     * @throws IllegalArgumentException if {@code url} is not an http:// or https:// address with a host,
     *                                  or the certificate file cannot be used
     */
    public static Perpetua connect(String url) {
        String certificates = System.getenv(CA_CERT_VARIABLE);
        SSLContext tls = certificates == null || certificates.isBlank() ? null : trusting(Path.of(certificates.strip()));
        return connect(url, System.getenv(API_KEY_VARIABLE), tls);
    }

    /**
     * A TLS context that trusts exactly the certificates in a PEM file (the way {@code curl
     * --cacert} does): the daemon's own self-signed certificate, or the authority that signed it.
     *
     * @param certificates a PEM file of one or more certificates
     * @return a context to give {@link #connect(String, String, SSLContext)}
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate
     */
    public static SSLContext trusting(Path certificates) {
        return TrustedCertificates.context(certificates);
    }

    /**
     * The sandboxes of the daemon.
     *
     * @return the entry point for creating, listing and finding sandboxes
     */
    public Sandboxes sandboxes() {
        return sandboxes;
    }

    /**
     * The saved snapshots of the caller's project.
     *
     * @return the entry point for listing, finding and deleting snapshots
     */
    public Snapshots snapshots() {
        return snapshots;
    }

    /**
     * The templates of the caller's project: prepared environments that sandboxes start from.
     *
     * @return the entry point for building, listing, finding and deleting templates
     */
    public Templates templates() {
        return templates;
    }

    /**
     * The volumes of the caller's project: file systems that outlive the sandboxes that mount
     * them, written by one sandbox at a time.
     *
     * @return the entry point for making, listing, finding and deleting volumes
     */
    public Volumes volumes() {
        return volumes;
    }

    /**
     * The drives of the caller's project: file systems that outlive the sandboxes that mount them,
     * written by any number of sandboxes at once.
     *
     * @return the entry point for making, listing, finding and deleting drives
     */
    public Drives drives() {
        return drives;
    }

    /**
     * The daemon's API keys; managing them needs an admin key.
     *
     * @return the entry point for issuing, listing and revoking keys
     */
    public Keys keys() {
        return keys;
    }

    /**
     * The usage of the caller's project ({@code GET /v1/usage}).
     *
     * @param from    start of the period; null: the first day of the month of {@code to}
     * @param to      end of the period; null: now
     * @param groupBy {@code sandbox}, {@code label} or {@code day}; null: sandbox
     * @param label   the label to group by, with {@code groupBy} {@code label}; else null
     * @return the report, with costs at the daemon's prices
     */
    public UsageReport usage(Instant from, Instant to, String groupBy, String label) {
        return http.json(http.get("/v1/usage" + usageQuery(from, to, groupBy, label, "json")), UsageReport::from);
    }

    /**
     * The same report as {@link #usage}, as CSV: a header line, a line per group, then the total.
     *
     * @param from    start of the period; null: the first day of the month of {@code to}
     * @param to      end of the period; null: now
     * @param groupBy {@code sandbox}, {@code label} or {@code day}; null: sandbox
     * @param label   the label to group by, with {@code groupBy} {@code label}; else null
     * @return the CSV text
     */
    public String usageCsv(Instant from, Instant to, String groupBy, String label) {
        return http.text(http.request("/v1/usage" + usageQuery(from, to, groupBy, label, "csv")).setHeader("Accept", "text/csv").GET().build());
    }

    private static String usageQuery(Instant from, Instant to, String groupBy, String label, String format) {
        StringBuilder query = new StringBuilder("?format=" + format);
        if (from != null) {
            query.append("&from=").append(Http.queryValue(from.toString()));
        }
        if (to != null) {
            query.append("&to=").append(Http.queryValue(to.toString()));
        }
        if (groupBy != null) {
            query.append("&groupBy=").append(Http.queryValue(groupBy));
        }
        if (label != null) {
            query.append("&label=").append(Http.queryValue(label));
        }
        return query.toString();
    }

    /**
     * Prices a fleet trace under the ephemeral, persistent and perpetual policies, with the
     * daemon's prices and the resume and rebuild costs measured on its host ({@code POST /v1/cost-model}).
     *
     * @param traceCsv the trace: lines of {@code session,start_seconds,duration_seconds}
     * @return the three policies' costs
     */
    public CostModelReport costModel(String traceCsv) {
        return http.json(http.post("/v1/cost-model", Map.of("trace", traceCsv)), CostModelReport::from);
    }

    /**
     * Prices a synthetic fleet the daemon generates: {@code sessions} sessions of {@code hours}
     * hours, active for {@code activeRatio} of the time.
     *
     * @param activeRatio the share of time with work going on, such as 0.05
     * @param sessions    how many sessions (sandboxes)
     * @param hours       how long each session lasts
     * @param seed        the generator's seed: the same seed gives the same trace
     * @return the three policies' costs
     */
    public CostModelReport costModel(double activeRatio, int sessions, double hours, long seed) {
        return http.json(http.post("/v1/cost-model", Map.of("generate", Map.of("activeRatio", activeRatio, "sessions", sessions,
                "hours", hours, "seed", seed))), CostModelReport::from);
    }

    /**
     * A synthetic fleet trace as CSV ({@code GET /v1/cost-model/trace}), to edit or to price later.
     *
     * @param activeRatio the share of time with work going on, such as 0.05
     * @param sessions    how many sessions (sandboxes)
     * @param hours       how long each session lasts
     * @param seed        the generator's seed
     * @return lines of {@code session,start_seconds,duration_seconds}
     */
    public String generateTrace(double activeRatio, int sessions, double hours, long seed) {
        return http.text(http.request("/v1/cost-model/trace?activeRatio=" + activeRatio + "&sessions=" + sessions + "&hours=" + hours
                + "&seed=" + seed).setHeader("Accept", "text/csv").GET().build());
    }

    /**
     * Asks the daemon whether it serves requests ({@code GET /healthz}).
     *
     * @return its status
     * @throws PerpetuaException with the code {@link PerpetuaException#UNREACHABLE} when it does not answer
     */
    public Health health() {
        return http.json(http.get("/healthz"), Health::from);
    }

    /**
     * The daemon's metrics ({@code GET /metrics}).
     *
     * @return the metrics in the Prometheus text format
     */
    public String metrics() {
        return http.text(http.request("/metrics").setHeader("Accept", "text/plain").GET().build());
    }

    /**
     * The address this client talks to.
     *
     * @return the URL given to {@code connect}, without a trailing slash
     */
    public String url() {
        return http.base();
    }

    /**
     * Closes the client: ends the log streams it follows (their subscribers get an error), then
     * waits up to two seconds for calls in flight before aborting them. Calling it again does nothing.
     */
    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "Perpetua[" + http.base() + "]";
    }

    private static String baseUrl(String url) {
        String address = url == null ? "" : url.strip();
        try {
            URI uri = new URI(address);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return address.replaceAll("/+$", "");
            }
        } catch (URISyntaxException e) {
            // reported below, with the value given
        }
        throw new IllegalArgumentException("url must be an http:// or https:// address such as http://127.0.0.1:7777 but was '"
                + url + "'");
    }
}
