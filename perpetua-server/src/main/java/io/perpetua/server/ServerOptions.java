package io.perpetua.server;

import io.perpetua.lifecycle.ProjectQuota;
import io.perpetua.metering.Prices;
import io.perpetua.server.ServerOptionConverters.CurrencyCode;
import io.perpetua.server.ServerOptionConverters.Limit;
import io.perpetua.server.ServerOptionConverters.MemoryThreshold;
import io.perpetua.server.ServerOptionConverters.NetworkMode;
import io.perpetua.server.ServerOptionConverters.PortNumber;
import io.perpetua.server.ServerOptionConverters.PositiveDuration;
import io.perpetua.server.ServerOptionConverters.Price;
import io.perpetua.server.ServerOptionConverters.Subnet;
import io.perpetua.server.ServerOptionConverters.WarmPoolSize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The daemon's options. Each is a flag ({@code --port 7777} or {@code --port=7777}), else an
 * environment variable named after it ({@code PERPETUA_PORT}), else its default; given twice,
 * the last one counts. Picocli parses them and each option's converter checks its value;
 * {@link #toConfig()} checks what involves several, and gives the daemon its
 * {@link ServerConfig}. {@code perpetua server} mixes these options into its command;
 * {@link #parse} parses them alone.
 */
public final class ServerOptions {

    private static final Pattern ADMIN_KEY = Pattern.compile("[A-Za-z0-9._~+/=-]{24,256}");

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7777", converter = PortNumber.class,
            description = "port of the API")
    private int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "address of the API")
    private String host;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.perpetua",
            description = "store, snapshots and sandbox files")
    private Path dataDirectory;

    @Option(names = "--idle-timeout", paramLabel = "TIME", defaultValue = "15s", converter = PositiveDuration.class,
            description = "default time without activity before a sandbox goes to standby")
    private Duration idleTimeout;

    @Option(names = "--hibernate-after", paramLabel = "TIME", defaultValue = "10m", converter = PositiveDuration.class,
            description = "default time in standby before a sandbox is checkpointed to disk")
    private Duration hibernateAfter;

    @Option(names = "--reclaim-after", paramLabel = "TIME", defaultValue = "30s", converter = PositiveDuration.class,
            description = "time in standby before a sandbox's memory is given back to the host (to swap): the reclaimed tier")
    private Duration reclaimAfter;

    @Option(names = "--swap-size", paramLabel = "SIZE", defaultValue = "4g", converter = MemoryThreshold.class,
            description = "the swap file in the data directory that reclaimed sandboxes' memory goes to: a size such as 4g, "
                    + "or a share of the host's memory such as 25%%; 0 turns the reclaimed tier off")
    private long swapSize;

    @Option(names = "--platform", paramLabel = "NAME", defaultValue = "ptrace",
            description = "runsc platform: ptrace, kvm where virtualisation works, systrap on newer runsc")
    private String platform;

    @Option(names = "--min-available-memory", paramLabel = "SIZE", defaultValue = "10%", converter = MemoryThreshold.class,
            description = "hibernate standby sandboxes, longest asleep first, while the host has less memory available: "
                    + "a size such as 2g, or a share of the host's memory such as 15%%; 0 turns it off")
    private long minAvailableMemory;

    @Option(names = "--runsc", paramLabel = "PROGRAM", defaultValue = "runsc",
            description = "the runsc program")
    private String runsc;

    @Option(names = "--cgroup-parent", paramLabel = "NAME", defaultValue = "perpetua",
            description = "cgroup under which each container gets its own")
    private String cgroupParent;

    @Option(names = "--tick-interval", paramLabel = "TIME", defaultValue = "250ms", converter = PositiveDuration.class,
            description = "how often idle timers are evaluated")
    private Duration tickInterval;

    @Option(names = "--network", paramLabel = "MODE", defaultValue = "sandbox", converter = NetworkMode.class,
            description = "sandbox: each sandbox has its own network, reaches outside networks through NAT, and its ports are "
                    + "reached through the proxy; none: loopback only")
    private String network;

    @Option(names = "--subnet", paramLabel = "CIDR", defaultValue = "10.200.0.0/16", converter = Subnet.class,
            description = "the IPv4 /16 from which each sandbox gets a /30")
    private String subnet;

    @Option(names = "--project-max-sandboxes", paramLabel = "N", defaultValue = "1000", converter = Limit.class,
            description = "sandboxes a project may hold, in any state; 0: no limit")
    private int projectMaxSandboxes;

    @Option(names = "--project-max-running", paramLabel = "N", defaultValue = "64", converter = Limit.class,
            description = "sandboxes of a project awake at once (sleeping ones do not count); 0: no limit")
    private int projectMaxRunning;

    @Option(names = "--sandbox-domain", paramLabel = "DOMAIN",
            description = "the domain under which host names <port>-<sandbox id>.<domain> reach sandboxes' ports (E2B's "
                    + "getHost; point a wildcard DNS name at the daemon); default: localhost:<the daemon's port>")
    private String sandboxDomain;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "serve HTTPS only, with this PEM certificate chain (leaf first) and --tls-key; without them the API "
                    + "is plain HTTP, for loopback or behind a TLS proxy")
    private Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "the certificate's unencrypted PKCS#8 private key (PEM; RSA, EC or EdDSA)")
    private Path tlsKey;

    @Option(names = "--price-vcpu-second", paramLabel = "PRICE", defaultValue = "0.0000112", converter = Price.class,
            description = "what a vCPU costs per second running, in usage reports")
    private double priceVcpuSecond;

    @Option(names = "--price-gb-second", paramLabel = "PRICE", defaultValue = "0.00000123", converter = Price.class,
            description = "what a GiB of memory costs per second running")
    private double priceGbSecond;

    @Option(names = "--price-storage-gb-month", paramLabel = "PRICE", defaultValue = "0.08", converter = Price.class,
            description = "what a GB stored costs per month (30 days) while dormant")
    private double priceStorageGbMonth;

    @Option(names = "--currency", paramLabel = "CODE", defaultValue = "USD", converter = CurrencyCode.class,
            description = "the currency of the prices, such as USD or EUR")
    private String currency;

    @Option(names = "--warm-pool", paramLabel = "N", defaultValue = "2", converter = WarmPoolSize.class,
            description = "sandboxes of the default shape kept started and frozen, so that creating one costs a thaw "
                    + "instead of a runsc run; 0 turns it off")
    private int warmPool;

    @Option(names = "--template-warm-pool", paramLabel = "N", defaultValue = "1", converter = WarmPoolSize.class,
            description = "copies kept started and frozen of each of the three templates most used in the last hour, so that "
                    + "creating one from them costs a thaw instead of a restore; 0 turns it off")
    private int templateWarmPool;

    private final Map<String, String> env;

    /** @param env the environment variables that set what the command line leaves out */
    public ServerOptions(Map<String, String> env) {
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    }

    /**
     * The settings from {@code args}, then {@code env}, then the defaults.
     *
     * @throws IllegalArgumentException naming the option of the first bad value (or {@code PERPETUA_ADMIN_KEY})
     */
    public static ServerConfig parse(List<String> args, Map<String, String> env) {
        ServerOptions options = new ServerOptions(env);
        try {
            options.applyTo(new CommandLine(options)).parseArgs(args.toArray(String[]::new));
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return options.toConfig();
    }

    /**
     * Sets up {@code command}, which has these options: they take their defaults from the
     * environment, the last of an option given twice counts, and its help shows each option's
     * variable and default.
     */
    public CommandLine applyTo(CommandLine command) {
        return command.setDefaultValueProvider(new EnvironmentDefaults(env))
                .setOverwrittenOptionsAllowed(true)
                .setExpandAtFiles(false)
                .setHelpFactory(EnvironmentDefaults.help());
    }

    /**
     * The parsed settings, once the checks that no single option's converter can make pass: that
     * the TLS files go together and can be used, and that the admin key is well formed.
     *
     * @throws IllegalArgumentException naming the options, or {@code PERPETUA_ADMIN_KEY}, in error
     */
    public ServerConfig toConfig() {
        return new ServerConfig(host, port, dataDirectory.toAbsolutePath(), idleTimeout, hibernateAfter, platform, runsc, cgroupParent,
                minAvailableMemory, tickInterval, warmPool, network, subnet, new ProjectQuota(projectMaxSandboxes, projectMaxRunning),
                adminKey(), new Prices(currency, priceVcpuSecond, priceGbSecond, priceStorageGbMonth), tls(), sandboxDomain(),
                templateWarmPool, reclaimAfter, swapSize);
    }

    private String sandboxDomain() {
        if (sandboxDomain == null || sandboxDomain.isBlank()) {
            return null;
        }
        String domain = sandboxDomain.strip().toLowerCase(Locale.ROOT);
        if (!domain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\\d{1,5})?")) {
            throw new IllegalArgumentException("--sandbox-domain must be a domain name, with a port if needed, such as "
                    + "sandboxes.example.com or localhost:8080, but was '" + sandboxDomain + "'");
        }
        return domain;
    }

    private TlsIdentity tls() {
        if (tlsCertificate == null && tlsKey == null) {
            return null;
        }
        if (tlsCertificate == null || tlsKey == null) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both PEM files, or neither for plain HTTP");
        }
        return TlsIdentity.load(tlsCertificate, tlsKey);
    }

    /** The admin key comes only from the environment, never a flag, so that it stays out of process listings. */
    private Secret adminKey() {
        String value = env.get("PERPETUA_ADMIN_KEY");
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!ADMIN_KEY.matcher(value.strip()).matches()) {
            throw new IllegalArgumentException("PERPETUA_ADMIN_KEY must be 24-256 characters of [A-Za-z0-9._~+/=-]");
        }
        return new Secret(value.strip());
    }
}
