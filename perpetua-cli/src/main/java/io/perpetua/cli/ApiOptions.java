package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The option of every command that talks to the daemon: where it is. The API key comes from the
 * environment, and so does the certificate to trust for a daemon serving HTTPS with its own.
 */
final class ApiOptions {

    static final String DEFAULT_URL = "http://127.0.0.1:7777";

    @Option(names = "--url", paramLabel = "URL",
            description = "Address of the daemon (default: $PERPETUA_URL, else " + DEFAULT_URL + ").")
    private String url;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    /**
     * A client of the daemon at {@code --url}, else {@code PERPETUA_URL} from {@code env}, else the
     * default; with {@code PERPETUA_API_KEY} from {@code env} when it is set, trusting the PEM
     * certificates named by {@code PERPETUA_CA_CERT} when that is set.
     */
    Perpetua connect(Map<String, String> env) {
        return Perpetua.connect(address(env).toString(), env.get(Perpetua.API_KEY_VARIABLE), tls(env));
    }

    /** The daemon's address: {@code --url}, else {@code PERPETUA_URL} from {@code env}, else the default. */
    URI address(Map<String, String> env) {
        String address = url != null ? url : env.getOrDefault("PERPETUA_URL", "");
        return baseUri(address.isBlank() ? DEFAULT_URL : address);
    }

    /** What {@code PERPETUA_CA_CERT} says to trust, or null to trust the JDK's authorities. */
    SSLContext tls(Map<String, String> env) {
        String certificates = env.getOrDefault(Perpetua.CA_CERT_VARIABLE, "");
        if (certificates.isBlank()) {
            return null;
        }
        try {
            return Perpetua.trusting(Path.of(certificates.strip()));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), Perpetua.CA_CERT_VARIABLE + ": " + e.getMessage());
        }
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
