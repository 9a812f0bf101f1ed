package io.perpetua.runtime.gvisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's rules for sandbox traffic, enforced outside the sandboxes where their code cannot
 * touch them (iptables, filter and nat tables):
 * <ul>
 * <li>the host itself is closed to sandboxes: its loopback services, its own addresses, the
 *     gateway address of each sandbox and the daemon's API (only answers to connections the
 *     daemon opened pass);</li>
 * <li>sandboxes cannot reach one another;</li>
 * <li>private, link-local, loopback and multicast ranges outside are closed, except DNS to the
 *     host's own name servers; the public internet is open, through NAT.</li>
 * </ul>
 * Rules live in two chains named after the subnet, so daemons on different subnets keep apart,
 * and each chain is hooked in once. Refusals are TCP resets (and ICMP "administratively
 * prohibited" for the rest), so a refused connection fails at once instead of timing out.
 */
final class HostFirewall {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    /** Where a sandbox may not go unless a rule above says so: RFC 1918, CGNAT, link-local, loopback, this-network, multicast, reserved. */
    static final List<String> PRIVATE_RANGES = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
            "169.254.0.0/16", "127.0.0.0/8", "0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4");
    private static final Pattern NAMESERVER = Pattern.compile("(?m)^\\s*nameserver\\s+(\\d{1,3}(?:\\.\\d{1,3}){3})\\s*$");
    /**
     * The host ends of sandbox veth pairs. Matching the interface, not only the source, keeps the
     * host's own connections from a gateway address (which lie in the subnet) out of these rules;
     * each interface has strict reverse-path filtering, so a sandbox cannot send from an address
     * that is not its own.
     */
    static final String INTERFACES = "pv+";
    /** TCP is refused with a reset: gVisor's network stack ignores ICMP errors on a connect, which would then time out. */
    private static final List<String> REFUSE_TCP = List.of("-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset");
    private static final List<String> REFUSE = List.of("-j", "REJECT", "--reject-with", "icmp-admin-prohibited");

    private static final String SANDBOX_CHAIN_PREFIX = "PERPETUA-SB-";
    private static final Pattern SANDBOX_JUMP = Pattern.compile("-i (\\S+) -j (" + SANDBOX_CHAIN_PREFIX + "\\S+)");

    private final String subnet;
    private final String toHost;
    private final String outward;
    private final String policies;
    /**
     * The rules each sandbox with a policy chain has, by interface ("" when the chain was there
     * before this daemon started): a start or restore whose policy is unchanged costs no
     * iptables call, and one without a policy none either.
     */
    private final Map<String, String> applied = new ConcurrentHashMap<>();

    HostFirewall(NetworkConfig config) {
        this.subnet = config.subnet();
        this.toHost = "PERPETUA-HOST-" + config.prefix();
        this.outward = "PERPETUA-OUT-" + config.prefix();
        this.policies = "PERPETUA-POLICY-" + config.prefix();
    }

    /** Installs (or brings up to date) every rule; idempotent. */
    void install() {
        ensureRule(List.of("-t", "nat", "POSTROUTING", "-s", subnet, "!", "-d", subnet, "-j", "MASQUERADE"), false);

        fill(toHost, List.of(
                List.of("-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"),
                REFUSE_TCP,
                REFUSE));
        ensureRule(List.of("INPUT", "-i", INTERFACES, "-s", subnet, "-j", toHost), true);

        // Kept as it is: it holds the jumps to each sandbox's own policy, which outlive the daemon.
        iptables(List.of("-N", policies));
        Matcher jumps = SANDBOX_JUMP.matcher(iptables(List.of("-S", policies)).stdout());
        while (jumps.find()) {
            applied.put(jumps.group(1), "");
        }
        List<List<String>> out = new ArrayList<>();
        out.add(concat(List.of("-d", subnet), REFUSE_TCP));
        out.add(concat(List.of("-d", subnet), REFUSE));
        out.add(List.of("-j", policies));
        for (String nameserver : hostNameservers()) {
            out.add(List.of("-d", nameserver, "-p", "udp", "--dport", "53", "-j", "ACCEPT"));
            out.add(List.of("-d", nameserver, "-p", "tcp", "--dport", "53", "-j", "ACCEPT"));
        }
        for (String range : PRIVATE_RANGES) {
            out.add(concat(List.of("-d", range), REFUSE_TCP));
            out.add(concat(List.of("-d", range), REFUSE));
        }
        out.add(List.of("-j", "ACCEPT"));
        fill(outward, out);
        ensureRule(List.of("FORWARD", "-i", INTERFACES, "-s", subnet, "-j", outward), true);
        // Answers from outside, for hosts whose FORWARD policy drops what no rule accepts.
        ensureRule(List.of("FORWARD", "-d", subnet, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"), true);
    }

    /** Removes every rule and chain {@link #install} added; idempotent. */
    void remove() {
        deleteRule(List.of("-t", "nat", "POSTROUTING", "-s", subnet, "!", "-d", subnet, "-j", "MASQUERADE"));
        deleteRule(List.of("INPUT", "-i", INTERFACES, "-s", subnet, "-j", toHost));
        deleteRule(List.of("FORWARD", "-i", INTERFACES, "-s", subnet, "-j", outward));
        deleteRule(List.of("FORWARD", "-d", subnet, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"));
        List<String> sandboxChains = new ArrayList<>();
        Matcher jumps = SANDBOX_JUMP.matcher(iptables(List.of("-S", policies)).stdout());
        while (jumps.find()) {
            sandboxChains.add(jumps.group(2));
        }
        applied.clear();
        List<String> chains = new ArrayList<>(List.of(toHost, outward, policies));
        chains.addAll(sandboxChains);
        for (String chain : chains) {
            iptables(List.of("-F", chain));
        }
        for (String chain : chains) {
            iptables(List.of("-X", chain));
        }
    }

    /**
     * Makes {@code policy} the rules of the sandbox behind {@code hostInterface}: one chain of
     * its own, replaced in one step (iptables-restore), so no packet ever sees half a policy.
     * The default policy needs no chain; an earlier one is removed.
     *
     * @param allow addresses and CIDR blocks the sandbox may reach, before everything else
     * @param deny  addresses and CIDR blocks it may not reach
     */
    void applyPolicy(String hostInterface, List<String> allow, List<String> deny) {
        if (allow.isEmpty() && deny.isEmpty()) {
            removePolicy(hostInterface);
            return;
        }
        String chain = sandboxChain(hostInterface);
        StringBuilder rules = new StringBuilder("*filter\n:").append(chain).append(" - [0:0]\n");
        allow.forEach(cidr -> rules.append("-A ").append(chain).append(" -d ").append(cidr).append(" -j ACCEPT\n"));
        for (String cidr : deny) {
            for (List<String> refusal : List.of(REFUSE_TCP, REFUSE)) {
                rules.append("-A ").append(chain).append(" -d ").append(cidr).append(' ').append(String.join(" ", refusal)).append('\n');
            }
        }
        rules.append("COMMIT\n");
        if (rules.toString().equals(applied.get(hostInterface))) {
            return;
        }
        HostCommand.run(List.of("iptables-restore", "-w", "--noflush"), rules.toString(), LIMIT).orThrow("applying the network policy of " + hostInterface);
        ensureRule(List.of(policies, "-i", hostInterface, "-j", chain), false);
        applied.put(hostInterface, rules.toString());
    }

    /** Removes the sandbox's own rules, leaving it the default policy; idempotent. */
    void removePolicy(String hostInterface) {
        if (applied.remove(hostInterface) == null) {
            return;
        }
        String chain = sandboxChain(hostInterface);
        deleteRule(List.of(policies, "-i", hostInterface, "-j", chain));
        iptables(List.of("-F", chain));
        iptables(List.of("-X", chain));
    }

    /** Chain names have at most 28 characters: the prefix and the interface's 13 characters of the sandbox id. */
    private static String sandboxChain(String hostInterface) {
        return SANDBOX_CHAIN_PREFIX + hostInterface.substring(2);
    }

    /** Makes {@code chain} hold exactly {@code rules}, creating it if needed. */
    private static void fill(String chain, List<List<String>> rules) {
        iptables(List.of("-N", chain));
        iptables(List.of("-F", chain)).orThrow("flushing chain " + chain);
        for (List<String> rule : rules) {
            iptables(concat(List.of("-A", chain), rule)).orThrow("adding a rule to " + chain);
        }
    }

    /** Adds {@code rule} ({@code [-t table] CHAIN spec...}) unless present: first in its chain, or last. */
    private static void ensureRule(List<String> rule, boolean first) {
        if (!iptables(withAction("-C", rule)).succeeded()) {
            iptables(withAction(first ? "-I" : "-A", rule)).orThrow("adding the rule " + String.join(" ", rule));
        }
    }

    /** Deletes every copy of {@code rule}. */
    private static void deleteRule(List<String> rule) {
        for (int i = 0; i < 16 && iptables(withAction("-D", rule)).succeeded(); i++) {
            // One copy gone; look for another left by an earlier run.
        }
    }

    private static List<String> withAction(String action, List<String> rule) {
        List<String> command = new ArrayList<>();
        int table = rule.indexOf("-t");
        if (table == 0) {
            command.addAll(rule.subList(0, 2));
            rule = rule.subList(2, rule.size());
        }
        command.add(action);
        command.addAll(rule);
        return command;
    }

    /** The IPv4 name servers of the host, which sandboxes use through the template's resolv.conf. */
    private static List<String> hostNameservers() {
        try {
            Matcher matcher = NAMESERVER.matcher(Files.readString(Path.of("/etc/resolv.conf")));
            List<String> servers = new ArrayList<>();
            while (matcher.find()) {
                servers.add(matcher.group(1));
            }
            return servers;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static HostCommand.Result iptables(List<String> args) {
        return HostCommand.run(concat(List.of("iptables", "-w"), args), LIMIT);
    }
}
