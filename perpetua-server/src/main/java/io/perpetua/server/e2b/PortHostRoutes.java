package io.perpetua.server.e2b;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.perpetua.server.api.PortForward;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * A sandbox's own ports as E2B names them: a request for the host name
 * {@code <port>-<sandbox id>.<domain>} ({@code getHost(port)}), or with an
 * {@code E2b-Sandbox-Port} other than envd's, goes to that port through the port proxy, whatever
 * its path, before any route sees it. A sandbox made through E2B answers anybody unless its
 * creator asked for {@code allowPublicTraffic: false}; any other sandbox, only a request with its
 * traffic token in {@code e2b-traffic-access-token} (create and connect give it). A paused
 * sandbox answers 502, as E2B's proxy does, unless traffic resumes it ({@code autoResume}).
 * WebSockets take the port proxy's own routes ({@code /v1/sandboxes/{id}/ports/{port}}) or a preview.
 */
final class PortHostRoutes {

    static final String TRAFFIC_TOKEN_HEADER = "e2b-traffic-access-token";

    private final E2bSandboxes sandboxes;
    private final SandboxTokens tokens;
    private final JsonMapper json;

    PortHostRoutes(E2bSandboxes sandboxes, SandboxTokens tokens, JsonMapper json) {
        this.sandboxes = sandboxes;
        this.tokens = tokens;
        this.json = json;
    }

    void register(JavalinConfig config, PortForward ports) {
        config.routes.before(ctx -> {
            Optional<SandboxAddress> address = SandboxAddress.of(ctx).filter(named -> !named.envd());
            if (address.isPresent()) {
                ctx.skipRemainingHandlers();
                forward(ctx, address.get(), ports);
            }
        });
    }

    private void forward(Context ctx, SandboxAddress address, PortForward ports) {
        Optional<E2bSandboxes.Entry> entry = sandboxes.reachable(address.sandboxId());
        if (entry.isEmpty()) {
            refuse(ctx, 502, address, "the sandbox " + address.sandboxId() + " was not found, or it is paused and does not resume on traffic");
            return;
        }
        if (!entry.get().e2b().publicTraffic()
                && !tokens.trafficMatches(entry.get().sandbox().id(), ctx.header(TRAFFIC_TOKEN_HEADER))) {
            refuse(ctx, 403, address, "the ports of sandbox " + address.sandboxId() + " are not public: send its trafficAccessToken in the "
                    + TRAFFIC_TOKEN_HEADER + " header");
            return;
        }
        ports.forward(ctx, entry.get().sandbox().id(), address.port());
    }

    private void refuse(Context ctx, int status, SandboxAddress address, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sandboxId", address.sandboxId());
        body.put("port", address.port());
        body.put("message", message);
        body.put("code", status);
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(body));
    }
}
