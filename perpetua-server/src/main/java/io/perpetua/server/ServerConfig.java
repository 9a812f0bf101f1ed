package io.perpetua.server;

import io.perpetua.lifecycle.ProjectQuota;
import io.perpetua.metering.Prices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The daemon's settings, as {@link ServerOptions} parses and checks them from its flags and
 * environment variables (see there for each option and its default).
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
 * @param sandboxDomain      the domain of the host names {@code <port>-<sandbox id>.<domain>} that reach sandboxes'
 *                           ports ({@code --sandbox-domain}); {@code null}: {@code localhost:<port>}
 * @param templateWarmPool   copies kept ready of each of the most used templates ({@code --template-warm-pool})
 * @param reclaimAfter       time in standby before a sandbox's memory is given back to the host ({@code --reclaim-after})
 * @param swapBytes          the size of the swap file reclaimed memory goes to; 0: no reclaimed tier ({@code --swap-size})
 */
public record ServerConfig(String host, int port, Path dataDirectory, Duration idleTimeout, Duration hibernateAfter,
                           String platform, String runsc, String cgroupParent, long minAvailableMemory,
                           Duration tickInterval, int warmPool, String network, String subnet, ProjectQuota projectQuota,
                           Secret adminKey, Prices prices, TlsIdentity tls, String sandboxDomain, int templateWarmPool,
                           Duration reclaimAfter, long swapBytes) {

    /** Checks that every setting is there; {@code adminKey}, {@code tls} and {@code sandboxDomain} may be {@code null}. */
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(hibernateAfter, "hibernateAfter");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(runsc, "runsc");
        Objects.requireNonNull(cgroupParent, "cgroupParent");
        Objects.requireNonNull(tickInterval, "tickInterval");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(projectQuota, "projectQuota");
        Objects.requireNonNull(prices, "prices");
        Objects.requireNonNull(reclaimAfter, "reclaimAfter");
    }
}
