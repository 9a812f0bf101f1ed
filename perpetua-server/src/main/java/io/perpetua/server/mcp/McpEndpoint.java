package io.perpetua.server.mcp;

import io.javalin.config.JavalinConfig;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.perpetua.access.ApiKey;
import io.perpetua.access.ApiKeys;
import io.perpetua.access.Previews;
import io.perpetua.error.PerpetuaException;
import io.perpetua.error.UnauthenticatedException;
import io.perpetua.files.SandboxFiles;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.processes.SandboxProcesses;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP server at {@code /mcp} (streamable HTTP, the official MCP Java SDK): the sandbox
 * tools of {@link SandboxTools}, for any MCP client. Every request needs an API key
 * ({@code Authorization: Bearer pk_…}), and its tools see that key's project only.
 */
public final class McpEndpoint {

    /** Where the endpoint listens. */
    public static final String PATH = "/mcp";
    private static final Logger log = LoggerFactory.getLogger(McpEndpoint.class);
    private static final String CALLER = "perpetua.mcp.caller";

    private final ApiKeys keys;
    private final HttpServletStreamableServerTransportProvider transport;
    private final McpSyncServer server;

    public McpEndpoint(SandboxService sandboxes, SandboxProcesses processes, Previews previews, ApiKeys keys, String version) {
        this.keys = keys;
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(JsonMapper.builder().build());
        this.transport = HttpServletStreamableServerTransportProvider.builder().jsonMapper(json).mcpEndpoint(PATH)
                .contextExtractor(request -> McpTransportContext.create(Map.of(CALLER, request.getAttribute(CALLER))))
                .build();
        SandboxTools tools = new SandboxTools(sandboxes, processes, new SandboxFiles(sandboxes), previews);
        this.server = McpServer.sync(transport).jsonMapper(json).serverInfo("perpetua", version)
                .instructions("Perpetua runs perpetual sandboxes: isolated Linux machines that sleep when idle and keep their "
                        + "files, processes and memory for as long as they exist. Create one, run commands and edit files in it; "
                        + "it wakes by itself on the next call.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(tools.all().stream().map(tool -> specification(tool, json)).toList())
                .build();
    }

    /** Mounts the endpoint (and the check of its key) on the daemon's server. */
    public void register(JavalinConfig config) {
        config.jetty.modifyServletContextHandler(context -> {
            context.addServlet(new ServletHolder("mcp", transport), PATH);
            context.addFilter(new FilterHolder((Filter) (request, response, chain) -> {
                HttpServletRequest http = (HttpServletRequest) request;
                try {
                    ApiKey key = keys.authenticate(bearer(http.getHeader("Authorization")));
                    http.setAttribute(CALLER, new SandboxTools.Caller(key.project(), baseUrl(http)));
                } catch (UnauthenticatedException e) {
                    refuse((HttpServletResponse) response, e.getMessage());
                    return;
                }
                chain.doFilter(request, response);
            }), PATH, EnumSet.of(DispatcherType.REQUEST));
        });
    }

    /** Stops the server's sessions. */
    public void close() {
        server.closeGracefully();
    }

    private static McpServerFeatures.SyncToolSpecification specification(SandboxTools.Tool tool, JacksonMcpJsonMapper json) {
        McpSchema.Tool definition = McpSchema.Tool.builder(tool.name(), json, tool.inputSchema()).description(tool.description()).build();
        return McpServerFeatures.SyncToolSpecification.builder().tool(definition).callHandler((exchange, request) -> {
            SandboxTools.Caller caller = (SandboxTools.Caller) exchange.transportContext().get(CALLER);
            try {
                Object answer = tool.handler().call(caller, new ToolArguments(request.arguments()));
                return McpSchema.CallToolResult.builder().addTextContent(json.writeValueAsString(answer)).structuredContent(answer)
                        .isError(false).build();
            } catch (PerpetuaException e) {
                return McpSchema.CallToolResult.builder().addTextContent(e.code() + ": " + e.getMessage()).isError(true).build();
            } catch (IOException | RuntimeException e) {
                log.warn("MCP tool {} failed", tool.name(), e);
                return McpSchema.CallToolResult.builder().addTextContent("internal_error: " + e.getMessage()).isError(true).build();
            }
        }).build();
    }

    private static String bearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7) : null;
    }

    private static String baseUrl(HttpServletRequest request) {
        return request.getScheme() + "://" + request.getHeader("Host");
    }

    private static void refuse(HttpServletResponse response, String message) throws IOException {
        response.setStatus(401);
        response.setContentType("application/json");
        response.getOutputStream().write(("{\"error\": {\"code\": \"unauthorized\", \"message\": \"" + message.replace("\"", "'")
                + "\"}}").getBytes(StandardCharsets.UTF_8));
    }
}
