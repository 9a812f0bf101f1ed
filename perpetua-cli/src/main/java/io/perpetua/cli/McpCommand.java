package io.perpetua.cli;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.perpetua.client.Perpetua;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code perpetua mcp}: Perpetua's MCP tools over stdio, for MCP clients that start their
 * servers themselves (desktop assistants, IDEs). It is a relay: it lists the daemon's tools at
 * {@code /mcp} with {@code PERPETUA_API_KEY} and forwards every call there, so the tools are
 * the daemon's own, with its validation and its errors. It ends when its input ends.
 */
@Command(name = "mcp", description = "Serves Perpetua's MCP tools over stdio (for MCP clients that start their servers); "
        + "every call goes to the daemon's /mcp with PERPETUA_API_KEY.",
        footer = {"", "MCP client configuration: {\"command\": \"/path/to/perpetua\", \"args\": [\"mcp\"], "
                + "\"env\": {\"PERPETUA_API_KEY\": \"pk_…\", \"PERPETUA_URL\": \"http://127.0.0.1:7777\"}}"})
final class McpCommand implements Callable<Integer> {

    private static final Duration CALL_LIMIT = Duration.ofMinutes(30);

    @Mixin
    private ApiOptions api;

    private final Terminal terminal;

    McpCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        String key = terminal.env().get(Perpetua.API_KEY_VARIABLE);
        if (key == null || key.isBlank()) {
            throw new CliException("perpetua mcp needs an API key: set " + Perpetua.API_KEY_VARIABLE);
        }
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(JsonMapper.builder().build());
        try (McpSyncClient daemon = McpClient.sync(upstream(key, json)).requestTimeout(CALL_LIMIT).build()) {
            McpSchema.InitializeResult daemonInfo = daemon.initialize();
            List<McpSchema.Tool> tools = daemon.listTools().tools();
            CountDownLatch inputEnded = new CountDownLatch(1);
            McpSyncServer relay = McpServer.sync(new StdioServerTransportProvider(json, untilEnd(terminal.in(), inputEnded), terminal.out()))
                    .jsonMapper(json).serverInfo(daemonInfo.serverInfo()).instructions(daemonInfo.instructions())
                    .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                    .tools(tools.stream().map(tool -> forwarding(tool, daemon)).toList())
                    .build();
            inputEnded.await();
            relay.closeGracefully();
        }
        return 0;
    }

    private HttpClientStreamableHttpTransport upstream(String key, JacksonMcpJsonMapper json) {
        HttpClientStreamableHttpTransport.Builder transport = HttpClientStreamableHttpTransport.builder(api.address(terminal.env()).toString())
                .endpoint("/mcp").jsonMapper(json).requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + key));
        SSLContext tls = api.tls(terminal.env());
        if (tls != null) {
            transport.clientBuilder(HttpClient.newBuilder().sslContext(tls));
        }
        return transport.build();
    }

    /** A tool of the relay: the daemon's tool, each call forwarded as it came. */
    private static McpServerFeatures.SyncToolSpecification forwarding(McpSchema.Tool tool, McpSyncClient daemon) {
        return McpServerFeatures.SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> daemon.callTool(request)).build();
    }

    /** {@code in}, counting down {@code ended} when it ends: the MCP client closed its end. */
    private static InputStream untilEnd(InputStream in, CountDownLatch ended) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                return ended(super.read());
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                return ended(super.read(buffer, offset, length));
            }

            private int ended(int read) {
                if (read < 0) {
                    ended.countDown();
                }
                return read;
            }
        };
    }
}
