package io.perpetua.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.perpetua.access.ApiKeys;
import io.perpetua.access.KeyStore;
import io.perpetua.access.PreviewStore;
import io.perpetua.access.Previews;
import io.perpetua.events.EventFeed;
import io.perpetua.server.metrics.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OpenApiTest {

    @Test
    void documentDescribesExactlyTheRoutesTheDaemonServes() {
        KeyStore noKeys = new KeyStore() {
            @Override
            public void insert(HashedKey key) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean revoke(String id, Instant at) {
                return false;
            }

            @Override
            public List<HashedKey> all() {
                return List.of();
            }
        };
        PreviewStore noPreviews = new PreviewStore() {
            @Override
            public void insert(HashedPreview preview) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean revoke(String id, Instant at) {
                return false;
            }

            @Override
            public List<HashedPreview> all() {
                return List.of();
            }
        };
        ApiRoutes api = new ApiRoutes(null, null, null, null, new Previews(noPreviews, Clock.systemUTC()), new ApiKeys(noKeys, Clock.systemUTC()),
                null, new EventFeed(), Clock.systemUTC(), new Metrics());
        Javalin.create(api::register);
        Set<RouteTable.Route> served = new HashSet<>();
        // Javalin writes a parameter that spans slashes as <path>; OpenAPI as {path}.
        api.routes().forEach(route -> served.add(new RouteTable.Route(route.method(), route.path().replaceAll("<(\\w+)>", "{$1}"))));

        JsonNode document = JsonMapper.builder().build().readTree(OpenApi.document());
        Set<RouteTable.Route> documented = new HashSet<>();
        document.path("paths").properties().forEach(path ->
                path.getValue().propertyNames().forEach(method -> documented.add(new RouteTable.Route(method, path.getKey()))));

        assertThat(served).isNotEmpty();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(served);
    }

    @Test
    void documentIsOpenApi31WithEveryReferenceDefined() {
        JsonNode document = JsonMapper.builder().build().readTree(OpenApi.document());
        assertThat(document.path("openapi").asString()).isEqualTo("3.1.0");
        Set<String> defined = new HashSet<>(document.path("components").path("schemas").propertyNames());
        assertThat(document.toString()).matches(text -> {
            Matcher refs = Pattern.compile("#/components/schemas/(\\w+)").matcher(text);
            while (refs.find()) {
                if (!defined.contains(refs.group(1))) {
                    return false;
                }
            }
            return true;
        }, "every $ref names a schema of components");
    }
}
