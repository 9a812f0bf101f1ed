package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Perpetua's MCP server at {@code /mcp} through the official clients: the TypeScript SDK
 * ({@code @modelcontextprotocol/sdk} 1.32.2, pinned in src/test/mcp; its script calls every tool
 * and checks the errors of bad input and of a missing key) and the Java SDK's client.
 */
class McpIT {

    private static Daemon daemon;
    private static NodeClients clients;

    @BeforeAll
    static void start() {
        clients = NodeClients.install("mcp");
        daemon = Daemon.start();
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void theTypeScriptClientUsesEveryTool() {
        String url = daemon.api().baseUri().toString();
        NodeClients.Run run = clients.node("tools.mjs", Map.of("PERPETUA_URL", url, "PERPETUA_API_KEY", Api.ADMIN_KEY), 300);
        assertThat(run.exitCode()).as("tools.mjs printed:%n%s", run.output()).isZero();
        assertThat(run.output()).contains("tools: ok");
    }

    @Test
    void theJavaClientRunsACommandAndGetsToolErrorsAsToolErrors() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(daemon.api().baseUri().toString())
                .endpoint("/mcp").requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + Api.ADMIN_KEY)).build();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofMinutes(2)).build()) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("exec", "edit_file", "open_preview");

            McpSchema.CallToolResult created = call(client, "create_sandbox", Map.of());
            assertThat(created.isError()).isFalse();
            String id = (String) ((Map<?, ?>) created.structuredContent()).get("id");
            McpSchema.CallToolResult ran = call(client, "exec", Map.of("id", id, "cmd", List.of("python3", "-c", "print(6 * 7)")));
            assertThat(ran.isError()).isFalse();
            assertThat(((Map<?, ?>) ran.structuredContent()).get("stdout")).isEqualTo("42\n");

            McpSchema.CallToolResult missing = call(client, "read_file", Map.of("id", id, "path", "/no/such"));
            assertThat(missing.isError()).isTrue();
            assertThat(((McpSchema.TextContent) missing.content().getFirst()).text()).contains("file_not_found");

            assertThat(call(client, "delete_sandbox", Map.of("id", id)).isError()).isFalse();
        }
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(arguments).build());
    }
}
