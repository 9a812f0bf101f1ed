package io.perpetua.server.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.websocket.WsConfig;
import io.perpetua.error.PerpetuaException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Registers routes with Javalin and remembers them, so the OpenAPI document can be checked against them. */
final class RouteTable {

    /** One route: an HTTP method (lower case) and a path with {@code {name}} parameters. */
    record Route(String method, String path) {
    }

    private final JavalinConfig config;
    private final Handler guard;
    private final BiConsumer<PerpetuaException, Context> refusal;
    private final List<Route> routes = new ArrayList<>();

    /**
     * @param guard   runs first on every route, with the route's path parameters, WebSocket
     *                upgrades included (the access check): before any of the route's own code
     *                reads the body or the query
     * @param refusal answers a WebSocket request that failed its check, in place of the upgrade
     */
    RouteTable(JavalinConfig config, Handler guard, BiConsumer<PerpetuaException, Context> refusal) {
        this.config = config;
        this.guard = guard;
        this.refusal = refusal;
    }

    void get(String path, Handler handler) {
        config.routes.get(path, guarded(handler));
        routes.add(new Route("get", path));
    }

    void post(String path, Handler handler) {
        config.routes.post(path, guarded(handler));
        routes.add(new Route("post", path));
    }

    void put(String path, Handler handler) {
        config.routes.put(path, guarded(handler));
        routes.add(new Route("put", path));
    }

    void patch(String path, Handler handler) {
        config.routes.patch(path, guarded(handler));
        routes.add(new Route("patch", path));
    }

    void delete(String path, Handler handler) {
        config.routes.delete(path, guarded(handler));
        routes.add(new Route("delete", path));
    }

    /** The same handler for every method a proxied server may see. */
    void any(String path, Handler handler) {
        Handler guarded = guarded(handler);
        config.routes.get(path, guarded);
        config.routes.post(path, guarded);
        config.routes.put(path, guarded);
        config.routes.patch(path, guarded);
        config.routes.delete(path, guarded);
        config.routes.head(path, guarded);
        config.routes.options(path, guarded);
        for (String method : List.of("get", "post", "put", "patch", "delete", "head", "options")) {
            routes.add(new Route(method, path));
        }
    }

    /**
     * A WebSocket route, reached with an upgraded GET, whose request is checked before the
     * upgrade: what {@code check} throws is answered as an HTTP error in JSON, as on any other
     * route, and no socket opens.
     */
    void ws(String path, Handler check, Consumer<WsConfig> handler) {
        config.routes.wsBeforeUpgrade(path, ctx -> {
            try {
                guard.handle(ctx);
                check.handle(ctx);
            } catch (PerpetuaException e) {
                refusal.accept(e, ctx);
            }
        });
        config.routes.ws(path, handler);
        if (!routes.contains(new Route("get", path))) {
            routes.add(new Route("get", path));
        }
    }

    private Handler guarded(Handler handler) {
        return ctx -> {
            guard.handle(ctx);
            handler.handle(ctx);
        };
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }
}
