package io.perpetua.server.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.perpetua.access.ApiKeys;
import io.perpetua.access.Previews;
import io.perpetua.access.ProjectId;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.PerpetuaException;
import io.perpetua.files.SandboxFiles;
import io.perpetua.events.EventFeed;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.processes.SandboxProcesses;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.store.Annotations;
import io.perpetua.template.Templates;
import io.perpetua.volume.Volume;
import io.perpetua.volume.VolumeMount;
import io.perpetua.volume.Volumes;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.server.metrics.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.http.UriCompliance;

/**
 * The REST API, version 1. Handlers are thin: parse and validate the input, call the
 * lifecycle engine, render the result. Every request that needs a sandbox's processes goes
 * through the engine's activity path, which wakes the sandbox if it sleeps.
 */
public final class ApiRoutes {

    /** Most of a request's body read after its handler; a larger leftover closes the connection. */
    private static final long UNREAD_BODY_DRAINED = 4L * 1024 * 1024;

    private final SandboxService sandboxes;
    private final Metrics metrics;
    private final JsonCodec json = new JsonCodec();
    private final ErrorResponses errors;
    private final SandboxRuntime runtime;
    private final FileRoutes files;
    private final ProcessRoutes processes;
    private final TerminalRoutes terminals;
    private final PortProxyRoutes ports;
    private final PreviewRoutes previewUrls;
    private final TcpTunnelRoutes tunnels;
    private final KeyRoutes keys;
    private final UsageRoutes usage;
    private final EventRoutes events;
    private final CostModelRoutes costModel;
    private final SnapshotRoutes snapshots;
    private final TemplateRoutes templateRoutes;
    private final VolumeRoutes volumeRoutes;
    private final Templates templates;
    private final AccessControl access;
    private final Previews previews;
    private List<RouteTable.Route> registered = List.of();

    /**
     * @param sandboxes the lifecycle engine the API drives
     * @param processes the background processes of the sandboxes
     * @param runtime   the runtime, for its terminal command and the sandboxes' addresses
     * @param previews  makes, opens and revokes preview URLs
     * @param keys      the API keys callers identify with
     * @param usage     what usage reports are made of
     * @param events    the feed of lifecycle transitions that {@code /v1/events} follows
     * @param clock     the daemon's clock (the end of a usage report is at most now)
     * @param metrics   where API metrics go, and what {@code /metrics} shows
     */
    public ApiRoutes(SandboxService sandboxes, SandboxProcesses processes, Templates templates, SandboxRuntime runtime, Previews previews,
                     ApiKeys keys, UsageSource usage, EventFeed events, Clock clock, Metrics metrics) {
        this.sandboxes = sandboxes;
        this.metrics = metrics;
        this.errors = new ErrorResponses(json, metrics);
        this.runtime = runtime;
        this.files = new FileRoutes(new SandboxFiles(sandboxes), processes, runtime, json);
        this.processes = new ProcessRoutes(processes, json);
        this.terminals = new TerminalRoutes(sandboxes, runtime, json);
        this.ports = new PortProxyRoutes(sandboxes, id -> runtime.address(id), previews);
        this.previewUrls = new PreviewRoutes(sandboxes, previews, json);
        this.tunnels = new TcpTunnelRoutes(sandboxes, ports::address);
        this.keys = new KeyRoutes(keys, json);
        this.usage = new UsageRoutes(sandboxes, usage, clock, json);
        this.events = new EventRoutes(events, json);
        this.costModel = new CostModelRoutes(usage == null ? null : usage.prices(), json);
        this.snapshots = new SnapshotRoutes(sandboxes, this::view, json);
        this.templates = templates;
        this.templateRoutes = new TemplateRoutes(templates, json);
        this.volumeRoutes = new VolumeRoutes(sandboxes, this::view, json);
        this.access = new AccessControl(keys, sandboxes);
        this.previews = previews;
    }

    /** The port proxy, for the E2B adapter's host names. */
    public PortForward portForward() {
        return ports::forwardWholePath;
    }

    /** Adds every route and error handler to {@code config}. */
    public void register(JavalinConfig config) {
        config.http.defaultContentType = "application/json";
        config.http.prefer405over404 = true;
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler(json)));
        // Javalin has Jetty let %u escapes through (LEGACY), which its own decoding of path parameters then fails on:
        // Jetty refuses them, as it refuses every other malformed escape.
        config.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(
                http.getUriCompliance().without("LEGACY_WITHOUT_UTF16", UriCompliance.Violation.UTF16_ENCODINGS)));
        config.routes.after(ApiRoutes::drainBody);
        RouteTable routes = new RouteTable(config, access::check, errors::refuseUpgrade);
        register(routes);
        registered = routes.routes();
        config.routes.exception(PerpetuaException.class, errors::handle);
        config.routes.exception(HttpResponseException.class, errors::http);
        config.routes.exception(Exception.class, errors::unexpected);
        config.routes.error(404, ctx -> fillIfEmpty(ctx, "not_found", "no route for " + ctx.method() + " " + ctx.path()));
        config.routes.error(405, ctx -> fillIfEmpty(ctx, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()));
        config.routes.error(413, ctx -> fillIfEmpty(ctx, "body_too_large", "the request body is too large"));
    }

    private SandboxView view(Sandbox sandbox) {
        return SandboxView.of(sandbox, runtime.address(sandbox.id()).orElse(null), mounts(sandbox.id()));
    }

    private List<MountBody.View> mounts(SandboxId id) {
        Volumes volumes = sandboxes.volumes();
        return volumes.mountsOf(id).stream().map(mount -> {
            Optional<Volume> volume = volumes.find(mount.volumeId());
            return new MountBody.View(volume.map(v -> v.kind().word()).orElse(null), mount.volumeId(), volume.map(Volume::name).orElse(null),
                    mount.mountPath(), mount.readOnly());
        }).toList();
    }

    /** The routes added by {@link #register(JavalinConfig)}. */
    List<RouteTable.Route> routes() {
        return registered;
    }

    /** Adds every route to {@code routes}. */
    void register(RouteTable routes) {
        routes.get("/", Dashboard::serve);
        routes.get("/healthz", this::health);
        routes.get("/metrics", this::metrics);
        routes.get("/v1/openapi.json", ctx -> ctx.result(OpenApi.document()));
        routes.post("/v1/sandboxes", this::create);
        routes.get("/v1/sandboxes", this::list);
        routes.get("/v1/sandboxes/{id}", ctx -> sandbox(ctx, sandboxes.get(id(ctx))));
        routes.delete("/v1/sandboxes/{id}", this::delete);
        routes.post("/v1/sandboxes/{id}/exec", this::exec);
        routes.post("/v1/sandboxes/{id}/standby", ctx -> sandbox(ctx, sandboxes.standby(id(ctx))));
        routes.post("/v1/sandboxes/{id}/hibernate", ctx -> sandbox(ctx, sandboxes.hibernate(id(ctx))));
        routes.post("/v1/sandboxes/{id}/reclaim", ctx -> sandbox(ctx, sandboxes.reclaim(id(ctx))));
        routes.post("/v1/sandboxes/{id}/resume", ctx -> sandbox(ctx, sandboxes.resume(id(ctx))));
        routes.put("/v1/sandboxes/{id}/network", this::network);
        routes.patch("/v1/sandboxes/{id}", this::patch);
        files.register(routes);
        processes.register(routes);
        terminals.register(routes);
        ports.register(routes);
        previewUrls.register(routes);
        tunnels.register(routes);
        keys.register(routes);
        usage.register(routes);
        events.register(routes);
        costModel.register(routes);
        snapshots.register(routes);
        templateRoutes.register(routes);
        volumeRoutes.register(routes);
    }

    private void health(Context ctx) {
        ctx.result(json.write(Map.of("status", "ok")));
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    private void create(Context ctx) {
        CreateSandboxBody body = json.read(ctx.bodyAsBytes(), CreateSandboxBody.class, CreateSandboxBody.EMPTY);
        ProjectId project = AccessControl.project(ctx);
        Sandbox created;
        List<VolumeMount> mounts = MountBody.resolve(sandboxes.volumes(), project, body.volumes(), body.drives());
        if (body.snapshot() != null) {
            created = sandboxes.createFromSnapshot(project, body.snapshotAlone(), UnaryOperator.identity(), Lifecycle.DEFAULT, mounts,
                    Annotations.NONE);
        } else if (body.template() != null && templates.find(project, body.template()).isPresent()) {
            created = templates.create(project, body.template(), body.toSpec(), body.toLifecycle(), mounts, Annotations.NONE);
        } else {
            created = sandboxes.create(project, body.toSpec(), body.toLifecycle(), mounts, Annotations.NONE);
        }
        ctx.status(HttpStatus.CREATED).header("Location", "/v1/sandboxes/" + created.id());
        sandbox(ctx, created);
    }

    private void list(Context ctx) {
        ProjectId project = AccessControl.project(ctx);
        ctx.result(json.write(Map.of("sandboxes", sandboxes.list().stream().filter(s -> s.project().equals(project)).map(this::view).toList())));
    }

    private void network(Context ctx) {
        SandboxId id = id(ctx);
        NetworkBody body = json.read(ctx.bodyAsBytes(), NetworkBody.class, null);
        sandbox(ctx, sandboxes.updateNetwork(id, body.toPolicy()));
    }

    /** Changes what may change of a sandbox after its creation without waking it: its lifecycle. */
    private void patch(Context ctx) {
        SandboxId id = id(ctx);
        PatchBody body = json.read(ctx.bodyAsBytes(), PatchBody.class, null);
        if (body.lifecycle() == null) {
            throw new InvalidInputException("lifecycle", "lifecycle is what a PATCH changes: {onIdle?, expirationPolicies?}");
        }
        sandbox(ctx, sandboxes.updateLifecycle(id, body.lifecycle()::over));
    }

    /** The body of {@code PATCH /v1/sandboxes/{id}}. */
    record PatchBody(LifecycleBody lifecycle) {
    }

    private void delete(Context ctx) {
        SandboxId id = id(ctx);
        sandboxes.delete(id);
        previews.revokeAll(id);
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void exec(Context ctx) {
        SandboxId id = id(ctx);
        ExecBody body = json.read(ctx.bodyAsBytes(), ExecBody.class, null);
        if (EventStream.wanted(ctx)) {
            ExecStream.run(ctx, sandboxes, id, body.toRequest(), json);
            return;
        }
        long started = System.nanoTime();
        ExecResult result = sandboxes.exec(id, body.toRequest());
        metrics.execCompleted(Duration.ofNanos(System.nanoTime() - started));
        ctx.result(json.write(ExecView.of(result)));
    }

    private void sandbox(Context ctx, Sandbox sandbox) {
        ctx.result(json.write(view(sandbox)));
    }

    private static SandboxId id(Context ctx) {
        return SandboxIdParameter.of(ctx);
    }

    /**
     * Reads what a handler left of the request's body (a GET with a body, an upload refused
     * early), up to a bound: closing a connection with unread data makes the kernel reset it,
     * which can cut off the answer the client is still reading.
     */
    private static void drainBody(Context ctx) {
        byte[] buffer = new byte[64 * 1024];
        long left = UNREAD_BODY_DRAINED;
        try {
            InputStream body = ctx.req().getInputStream();
            for (int n = body.read(buffer); n > 0 && left > 0; n = body.read(buffer)) {
                left -= n;
            }
        } catch (IOException | IllegalStateException e) {
            // Nothing more to read, or the body went elsewhere (a WebSocket, a proxy): fine either way.
        }
    }

    private void fillIfEmpty(Context ctx, String code, String message) {
        if (ctx.result() == null || ctx.result().isEmpty()) {
            errors.send(ctx, ctx.statusCode(), code, message, null);
        }
    }
}
