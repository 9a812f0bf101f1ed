package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code perpetua mcp} as an MCP client starts it: a process spoken to over its stdio, here by
 * the official Java SDK's client, relaying to a real daemon's {@code /mcp}.
 */
class McpCommandIT {

    private static LiveDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = LiveDaemon.start();
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void anMcpClientRunsCommandsThroughTheStdioRelay() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(daemon.env());
        ServerParameters perpetuaMcp = ServerParameters.builder(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .args("-cp", System.getProperty("java.class.path"), PerpetuaCli.class.getName(), "mcp").env(env).build();
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(JsonMapper.builder().build());
        try (McpSyncClient client = McpClient.sync(new StdioClientTransport(perpetuaMcp, json)).requestTimeout(Duration.ofMinutes(2)).build()) {
            McpSchema.InitializeResult server = client.initialize();
            assertThat(server.serverInfo().name()).isEqualTo("perpetua");
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("create_sandbox", "exec", "edit_file");

            McpSchema.CallToolResult created = call(client, "create_sandbox", Map.of("labels", Map.of("via", "stdio")));
            String id = (String) ((Map<?, ?>) created.structuredContent()).get("id");
            McpSchema.CallToolResult ran = call(client, "exec", Map.of("id", id, "cmd", List.of("sh", "-c", "echo through stdio")));
            assertThat(((Map<?, ?>) ran.structuredContent()).get("stdout")).isEqualTo("through stdio\n");
            McpSchema.CallToolResult refused = call(client, "exec", Map.of("id", id));
            assertThat(refused.isError()).as("the daemon's validation, relayed").isTrue();
            assertThat(call(client, "delete_sandbox", Map.of("id", id)).isError()).isFalse();
        }
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(arguments).build());
    }
}
