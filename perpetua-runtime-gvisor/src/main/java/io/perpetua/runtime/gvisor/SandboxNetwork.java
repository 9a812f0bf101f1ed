package io.perpetua.runtime.gvisor;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.NetworkPolicy;
import io.perpetua.sandbox.SandboxId;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network of each sandbox: its own network namespace, holding one end of a veth pair with
 * an address from a /30 of the configured subnet; the host end is the sandbox's gateway, and
 * the host masquerades the subnet's traffic to outside networks ({@link HostFirewall} holds the
 * rules, and what a sandbox may not reach). runsc takes the namespace's
 * interface, addresses and routes into its own network stack at start and restore (and leaves
 * the interface without its address when the sandbox stops, so the address is put back before
 * a restore). The daemon reaches a sandbox's ports at its address.
 */
final class SandboxNetwork {

    private static final Logger log = LoggerFactory.getLogger(SandboxNetwork.class);

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final int SLOTS = 16384;

    private final NetworkConfig config;
    private final HostFirewall firewall;
    private final BitSet used = new BitSet(SLOTS);
    private int lastAllocated;

    SandboxNetwork(NetworkConfig config) {
        this.config = config;
        this.firewall = new HostFirewall(config);
    }

    boolean enabled() {
        return config.enabled();
    }

    /** Turns on forwarding, and installs the host's rules for the subnet (NAT and isolation); idempotent. */
    void prepareHost() {
        if (!config.enabled()) {
            return;
        }
        try {
            Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot enable IP forwarding for sandbox networks: " + e.getMessage(), e);
        }
        firewall.install();
    }

    /** Removes what {@link #prepareHost} added (forwarding stays on: other software may rely on it). */
    void cleanUpHost() {
        if (config.enabled()) {
            firewall.remove();
        }
    }

    /** Marks a slot taken by a sandbox found on disk at start, so it is not handed out twice. */
    synchronized void claim(SandboxDirectory directory) {
        slotOf(directory).ifPresent(slot -> {
            used.set(slot);
            lastAllocated = Math.max(lastAllocated, slot);
        });
    }

    /** The sandbox's network namespace, created (with its veth pair and addresses) if missing. */
    String ensure(SandboxDirectory directory, SandboxId id) {
        int slot = slotOf(directory).orElseGet(() -> allocate(directory));
        String namespace = namespace(id);
        if (!Files.exists(Path.of("/var/run/netns", namespace))) {
            create(id, slot);
        }
        // runsc took the address into its own stack when the sandbox last ran; a restore needs it back.
        // One ip process for both (each is on the resume path from hibernation), idempotent either way.
        String sandboxAddress = address(slot, 2);
        HostCommand.run(List.of("ip", "-n", namespace, "-batch", "-"),
                "addr replace " + sandboxAddress + "/30 dev eth0\nroute replace default via " + address(slot, 1) + "\n", LIMIT)
                .orThrow("addressing and routing " + namespace);
        return Path.of("/var/run/netns", namespace).toString();
    }

    /** The sandbox's own address, or null if it has no network. */
    String address(SandboxDirectory directory) {
        return slotOf(directory).map(slot -> address(slot, 2)).orElse(null);
    }

    /**
     * Enforces {@code policy} on the sandbox's outgoing connections, host names resolved now
     * (to their IPv4 addresses; a name whose addresses change later keeps the ones it had).
     *
     * @param strict whether a host name that does not resolve is the caller's error (a policy
     *               being set); otherwise (a start or restore) it is left out with a warning, so
     *               a sandbox always wakes: an allowed name that is gone stays closed
     * @throws InvalidInputException naming the entry, when strict, if a host name does not resolve
     */
    void applyPolicy(SandboxId id, NetworkPolicy policy, boolean strict) {
        firewall.applyPolicy(hostInterface(id), addresses(id, policy.allowOut(), "network.allowOut", strict),
                addresses(id, policy.denyOut(), "network.denyOut", strict));
    }

    private static List<String> addresses(SandboxId id, List<String> entries, String field, boolean strict) {
        List<String> cidrs = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            if (!NetworkPolicy.isHostName(entry)) {
                cidrs.add(entry);
                continue;
            }
            List<String> resolved = resolve(entry);
            if (resolved.isEmpty() && strict) {
                throw new InvalidInputException(field + "[" + i + "]", "host " + entry + " has no IPv4 address here");
            }
            if (resolved.isEmpty()) {
                log.warn("sandbox {}: host {} in {} has no IPv4 address now; left out of its network policy", id, entry, field);
            }
            cidrs.addAll(resolved);
        }
        return cidrs;
    }

    private static List<String> resolve(String host) {
        try {
            return Arrays.stream(InetAddress.getAllByName(host)).filter(Inet4Address.class::isInstance)
                    .map(address -> address.getHostAddress() + "/32").distinct().toList();
        } catch (UnknownHostException e) {
            return List.of();
        }
    }

    /** Deletes the namespace (which takes the veth pair with it) and its rules, and frees the slot. Idempotent. */
    void remove(SandboxDirectory directory, SandboxId id) {
        firewall.removePolicy(hostInterface(id));
        if (Files.exists(Path.of("/var/run/netns", namespace(id)))) {
            ip(List.of("netns", "delete", namespace(id))).orThrow("deleting network namespace " + namespace(id));
        }
        slotOf(directory).ifPresent(slot -> {
            synchronized (this) {
                used.clear(slot);
            }
        });
    }

    private void create(SandboxId id, int slot) {
        String namespace = namespace(id);
        String host = hostInterface(id);
        ip(List.of("netns", "add", namespace)).orThrow("creating network namespace " + namespace);
        ip(List.of("link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", namespace)).orThrow("creating veth " + host);
        ip(List.of("addr", "add", address(slot, 1) + "/30", "dev", host)).orThrow("addressing " + host);
        strictReversePath(host);
        ip(List.of("link", "set", host, "up")).orThrow("bringing up " + host);
        ip(List.of("-n", namespace, "link", "set", "lo", "up")).orThrow("bringing up lo in " + namespace);
        ip(List.of("-n", namespace, "link", "set", "eth0", "up")).orThrow("bringing up eth0 in " + namespace);
    }

    /** Drops what arrives on the sandbox's veth from an address that is not the sandbox's own. */
    private static void strictReversePath(String hostInterface) {
        try {
            Files.writeString(Path.of("/proc/sys/net/ipv4/conf", hostInterface, "rp_filter"), "1");
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot turn on reverse-path filtering on " + hostInterface + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes the next free slot after the last one taken, wrapping around: an address freed by a
     * deleted sandbox comes back only after the whole subnet went round, so what the host still
     * tracks of the old sandbox's connections (see {@link ClosingConnections}) is long gone.
     */
    private synchronized int allocate(SandboxDirectory directory) {
        int slot = used.nextClearBit(lastAllocated + 1);
        if (slot >= SLOTS) {
            slot = used.nextClearBit(1);
        }
        if (slot >= SLOTS) {
            throw new RuntimeFailureException("no network address left in " + config.subnet() + " for another sandbox");
        }
        lastAllocated = slot;
        try {
            Files.createDirectories(directory.root());
            Files.writeString(directory.root().resolve("network"), Integer.toString(slot));
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot record the network of " + directory.root() + ": " + e.getMessage(), e);
        }
        used.set(slot);
        return slot;
    }

    private static Optional<Integer> slotOf(SandboxDirectory directory) {
        try {
            return Optional.of(Integer.parseInt(Files.readString(directory.root().resolve("network")).strip()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            throw new RuntimeFailureException("cannot read the network of " + directory.root() + ": " + e.getMessage(), e);
        }
    }

    /** Address {@code host} (1 the gateway, 2 the sandbox) of slot {@code slot}'s /30. */
    private String address(int slot, int host) {
        int offset = slot * 4 + host;
        return config.prefix() + "." + (offset / 256) + "." + (offset % 256);
    }

    static String namespace(SandboxId id) {
        return "perpetua-" + id.value();
    }

    /** Interface names have at most 15 characters: "pv" (see {@link HostFirewall#INTERFACES}) and the last 13 of the id. */
    private static String hostInterface(SandboxId id) {
        return "pv" + id.value().substring(SandboxId.LENGTH - 13);
    }

    private static HostCommand.Result ip(List<String> args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(args);
        return HostCommand.run(command, LIMIT);
    }
}
