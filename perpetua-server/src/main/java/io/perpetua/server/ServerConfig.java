package io.perpetua.server;

import io.perpetua.lifecycle.HostMemory;
import io.perpetua.lifecycle.ProjectQuota;
import io.perpetua.metering.Prices;
import io.perpetua.runtime.gvisor.NetworkConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's settings. Each can be given as a flag ({@code --port 7777} or
 * {@code --port=7777}) or an environment variable ({@code PERPETUA_PORT}); a flag wins.
 *
 * @param host               address to listen on; loopback unless given
 * @param port               port to listen on
 * @param dataDirectory      where the store, snapshots and sandbox files live
 * @param idleTimeout        default time without activity before a sandbox goes to standby
 * @param hibernateAfter     default time in standby before a sandbox is checkpointed to disk
 * @param platform           runsc platform: ptrace, kvm or systrap
 * @param runsc              the runsc program
 * @param cgroupParent       cgroup under which each container gets its own
 * @param minAvailableMemory hibernate standby sandboxes when the host has less memory available (bytes; 0: never;
 *                           given as a size such as {@code 2g} or a share such as {@code 10%}, the default)
 * @param tickInterval       how often idle timers are evaluated
 * @param warmPool           sandboxes of the default shape kept started and frozen, for fast creates
 * @param network            {@code sandbox}: each sandbox gets its own network (NAT to outside, ports
 *                           reachable through the proxy); {@code none}: loopback only
 * @param subnet             the IPv4 /16 sandbox addresses come from
 * @param projectQuota       what each project may hold at once ({@code --project-max-sandboxes},
 *                           {@code --project-max-running}; 0: no limit)
 * @param adminKey           the admin key to issue at the first start instead of a random one; only from
 *                           the environment ({@code PERPETUA_ADMIN_KEY}), never a flag, so it stays out of
 *                           process listings; {@code null} if not set
 * @param prices             what usage costs ({@code --price-vcpu-second}, {@code --price-gb-second},
 *                           {@code --price-storage-gb-month}, {@code --currency}); examples by default, near
 *                           what public clouds charge for on-demand containers and block storage
 * @param tls                the certificate and key to serve HTTPS with ({@code --tls-cert}, {@code --tls-key},
 *                           PEM files); {@code null}: plain HTTP, for a daemon on loopback or behind a proxy
 */
public record ServerConfig(String host, int port, Path dataDirectory, Duration idleTimeout, Duration hibernateAfter,
                           String platform, String runsc, String cgroupParent, long minAvailableMemory,
                           Duration tickInterval, int warmPool, String network, String subnet, ProjectQuota projectQuota,
                           Secret adminKey, Prices prices, TlsIdentity tls) {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");
    private static final Pattern ADMIN_KEY = Pattern.compile("[A-Za-z0-9._~+/=-]{24,256}");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmgt]i?b?|b)?");

    /** Checks every value and names the flag of the first bad one. */
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535 but was " + port);
        }
        positive(idleTimeout, "--idle-timeout");
        positive(hibernateAfter, "--hibernate-after");
        positive(tickInterval, "--tick-interval");
        if (!network.equals("sandbox") && !network.equals("none")) {
            throw new IllegalArgumentException("--network must be sandbox or none but was '" + network + "'");
        }
        try {
            new NetworkConfig(true, subnet);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--subnet: " + e.getMessage(), e);
        }
        if (warmPool < 0 || warmPool > 64) {
            throw new IllegalArgumentException("--warm-pool must be between 0 and 64 but was " + warmPool);
        }
        if (minAvailableMemory < 0) {
            throw new IllegalArgumentException("--min-available-memory must not be negative but was " + minAvailableMemory);
        }
    }

    /** The settings from {@code args}, then {@code env}, then the defaults. */
    public static ServerConfig parse(List<String> args, Map<String, String> env) {
        Map<String, String> flags = flags(args);
        Setting setting = new Setting(flags, env);
        ServerConfig config = new ServerConfig(
                setting.get("host", "127.0.0.1"),
                parseInt(setting.get("port", "7777"), "--port"),
                Path.of(setting.get("data-dir", Path.of(System.getProperty("user.home"), ".perpetua").toString())).toAbsolutePath(),
                parseDuration(setting.get("idle-timeout", "15s"), "--idle-timeout"),
                parseDuration(setting.get("hibernate-after", "10m"), "--hibernate-after"),
                setting.get("platform", "ptrace"),
                setting.get("runsc", "runsc"),
                setting.get("cgroup-parent", "perpetua"),
                parseMemory(setting.get("min-available-memory", "10%"), "--min-available-memory"),
                parseDuration(setting.get("tick-interval", "250ms"), "--tick-interval"),
                parseInt(setting.get("warm-pool", "2"), "--warm-pool"),
                setting.get("network", "sandbox"),
                setting.get("subnet", "10.200.0.0/16"),
                projectQuota(setting),
                adminKey(env),
                prices(setting),
                tls(setting));
        List<String> unknown = new ArrayList<>(flags.keySet());
        unknown.removeAll(Setting.KNOWN);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option --" + unknown.getFirst() + "; known: --" + String.join(", --", Setting.KNOWN));
        }
        return config;
    }

    private static ProjectQuota projectQuota(Setting setting) {
        int sandboxes = parseInt(setting.get("project-max-sandboxes", "1000"), "--project-max-sandboxes");
        int running = parseInt(setting.get("project-max-running", "64"), "--project-max-running");
        if (sandboxes < 0 || running < 0) {
            throw new IllegalArgumentException("--project-max-sandboxes and --project-max-running must not be negative (0: no limit)");
        }
        return new ProjectQuota(sandboxes, running);
    }

    private static Prices prices(Setting setting) {
        String currency = setting.get("currency", "USD").strip();
        if (!currency.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("--currency must be a three-letter code such as USD or EUR but was '" + currency + "'");
        }
        return new Prices(currency, price(setting, "price-vcpu-second", "0.0000112"), price(setting, "price-gb-second", "0.00000123"),
                price(setting, "price-storage-gb-month", "0.08"));
    }

    private static double price(Setting setting, String name, String fallback) {
        String text = setting.get(name, fallback);
        try {
            double price = Double.parseDouble(text.strip());
            if (price >= 0 && Double.isFinite(price)) {
                return price;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be a price of zero or more, such as " + fallback + ", but was '" + text + "'");
    }

    private static TlsIdentity tls(Setting setting) {
        String certificate = setting.get("tls-cert", "");
        String key = setting.get("tls-key", "");
        if (certificate.isBlank() && key.isBlank()) {
            return null;
        }
        if (certificate.isBlank() || key.isBlank()) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both PEM files, or neither for plain HTTP");
        }
        return TlsIdentity.load(Path.of(certificate), Path.of(key));
    }

    private static Secret adminKey(Map<String, String> env) {
        String value = env.get("PERPETUA_ADMIN_KEY");
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!ADMIN_KEY.matcher(value.strip()).matches()) {
            throw new IllegalArgumentException("PERPETUA_ADMIN_KEY must be 24-256 characters of [A-Za-z0-9._~+/=-]");
        }
        return new Secret(value.strip());
    }

    /** Parses {@code 15s}, {@code 500ms}, {@code 10m}, {@code 2h}, {@code 1d}, or plain seconds. */
    public static Duration parseDuration(String text, String name) {
        Matcher matcher = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException(name + " must be a duration such as 15s, 500ms, 10m or 2h but was '" + text + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /** A byte count, or a share of the host's memory such as {@code 10%}. */
    static long parseMemory(String text, String name) {
        String value = text.strip();
        if (!value.endsWith("%")) {
            return parseSize(value, name);
        }
        int percent = parseInt(value.substring(0, value.length() - 1), name);
        if (percent < 0 || percent > 90) {
            throw new IllegalArgumentException(name + " must be between 0% and 90% of the host's memory but was " + text);
        }
        return HostMemory.totalBytes() / 100 * percent;
    }

    /** Parses a byte count such as {@code 2g}, {@code 512MiB} or {@code 1048576}. */
    static long parseSize(String text, String name) {
        Matcher matcher = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException(name + " must be a size such as 512m or 2g but was '" + text + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "b" : matcher.group(2).substring(0, 1);
        int shift = switch (unit) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return amount << shift;
    }

    private static int parseInt(String text, String name) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number but was '" + text + "'");
        }
    }

    private static void positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive but was " + value);
        }
    }

    private static Map<String, String> flags(List<String> args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("expected an option such as --port 7777 but got '" + arg + "'");
            }
            int equals = arg.indexOf('=');
            if (equals > 0) {
                flags.put(arg.substring(2, equals), arg.substring(equals + 1));
            } else if (i + 1 < args.size()) {
                flags.put(arg.substring(2), args.get(++i));
            } else {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
        }
        return flags;
    }

    /** One lookup order for every setting: flag, then PERPETUA_* variable, then default. */
    private record Setting(Map<String, String> flags, Map<String, String> env) {

        static final List<String> KNOWN = List.of("host", "port", "data-dir", "idle-timeout", "hibernate-after", "platform",
                "runsc", "cgroup-parent", "min-available-memory", "tick-interval", "warm-pool", "network", "subnet",
                "project-max-sandboxes", "project-max-running", "tls-cert", "tls-key", "price-vcpu-second", "price-gb-second",
                "price-storage-gb-month", "currency");

        String get(String name, String fallback) {
            String flag = flags.get(name);
            if (flag != null) {
                return flag;
            }
            String variable = env.get("PERPETUA_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
            return variable != null && !variable.isBlank() ? variable : fallback;
        }
    }
}
