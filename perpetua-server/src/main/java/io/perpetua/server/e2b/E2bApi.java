package io.perpetua.server.e2b;

import io.javalin.config.JavalinConfig;
import io.perpetua.access.ApiKeys;
import io.perpetua.files.SandboxFiles;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.processes.SandboxProcesses;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.server.api.PortForward;
import io.perpetua.store.SandboxStore;
import io.perpetua.template.Templates;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The E2B protocol, as an adapter at the edge: E2B's control plane and envd (its in-sandbox
 * API) on the daemon's port, over the same engine, keys and projects as {@code /v1}, so an agent
 * written for E2B runs on Perpetua with {@code E2B_API_URL} and {@code E2B_SANDBOX_URL} pointed
 * at the daemon and a Perpetua key as {@code E2B_API_KEY}. Call {@link #tick()} every second or
 * so: it ends the E2B lifetimes that are over and samples the sandboxes' metrics.
 */
public final class E2bApi {

    private final E2bSandboxes sandboxes;
    private final ControlPlaneRoutes controlPlane;
    private final EnvdRoutes envd;
    private final PortHostRoutes ports;
    private final E2bMetrics metrics;

    /**
     * @param secretFile where the secret of the sandboxes' tokens is kept (made if missing)
     * @param domain     the domain of the host names {@code <port>-<sandbox id>.<domain>} that reach sandboxes
     */
    public E2bApi(SandboxService engine, SandboxProcesses processes, Templates templates, SandboxRuntime runtime, ApiKeys keys,
                  SandboxStore store, Path secretFile, Supplier<String> domain, Clock clock) {
        // E2B's clients send fields this adapter does not know (and newer ones, more): they are ignored, not refused.
        JsonMapper json = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        SandboxTokens tokens = SandboxTokens.loadOrCreate(secretFile);
        this.sandboxes = new E2bSandboxes(engine, templates, store, clock);
        this.metrics = new E2bMetrics(runtime, clock);
        this.controlPlane = new ControlPlaneRoutes(sandboxes, keys, tokens, domain, metrics, json);
        this.ports = new PortHostRoutes(sandboxes, tokens, json);
        SandboxFiles files = new SandboxFiles(engine);
        this.envd = new EnvdRoutes(sandboxes, tokens, files, new ProcessRpc(engine, processes), new FilesystemRpc(files, processes, runtime), json);
    }

    /** Adds the control plane's and envd's routes, and the sandboxes' ports by host name through {@code portProxy}. */
    public void register(JavalinConfig config, PortForward portProxy) {
        ports.register(config, portProxy);
        controlPlane.register(config);
        envd.register(config);
    }

    /** Ends the E2B lifetimes that are over (each sandbox is paused or killed, as its caller asked), and samples the metrics. */
    public void tick() {
        sandboxes.expire();
        metrics.sampleIfDue(sandboxes.awake());
    }
}
