package io.perpetua.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of every command that talks to the daemon: where it is and how to print its answers. */
final class ApiOptions {

    static final String DEFAULT_URL = "http://127.0.0.1:7777";

    enum Output { TEXT, JSON }

    @Option(names = "--url", paramLabel = "URL",
            description = "Address of the daemon (default: $PERPETUA_URL, else " + DEFAULT_URL + ").")
    private String url;

    @Option(names = "--output", paramLabel = "FORMAT", description = "text or json (default: text).")
    private Output output = Output.TEXT;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    boolean json() {
        return output == Output.JSON;
    }

    /** A client for the daemon at {@code --url}, else {@code PERPETUA_URL} from {@code env}, else the default. */
    ApiClient connect(Map<String, String> env) {
        String address = url != null ? url : env.getOrDefault("PERPETUA_URL", "");
        if (address.isBlank()) {
            address = DEFAULT_URL;
        }
        return new ApiClient(baseUri(address));
    }

    private URI baseUri(String address) {
        try {
            URI uri = new URI(address.strip());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, with the value the user gave
        }
        throw new ParameterException(command.commandLine(),
                "--url must be an http:// or https:// address such as " + DEFAULT_URL + " but was '" + address + "'");
    }
}
