package io.perpetua.runtime.gvisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TCP connections a sandbox opened that may still be closing inside it. gVisor keeps a connection
 * its side closed first in TIME_WAIT for a minute, lists it nowhere in the sandbox's /proc/net/tcp,
 * and cannot checkpoint it: runsc fails and the container stops. The host's connection tracker
 * sees the same connection (every packet crosses the sandbox's veth), with how long ago it closed.
 * Connections the host opened into the sandbox (the port proxy, tunnels) are closed by the host
 * first and leave nothing inside, so only the sandbox's own count.
 */
final class ClosingConnections {

    private static final Path CONNTRACK = Path.of("/proc/net/nf_conntrack");
    private static final Path TIME_WAIT_TIMEOUT = Path.of("/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait");
    /** gVisor's TIME_WAIT (60 s), and a margin. */
    private static final long LINGER_SECONDS = 65;
    private static final Pattern ENTRY = Pattern.compile("\\btcp\\s+6\\s+(\\d+)\\s+([A-Z_]+)\\s+src=(\\S+)\\s");

    private ClosingConnections() {
    }

    /** How many connections {@code address} opened are closing and may still linger inside the sandbox. */
    static long of(String address) {
        if (address == null || !Files.isReadable(CONNTRACK)) {
            return 0;
        }
        try {
            long timeWait = Long.parseLong(Files.readString(TIME_WAIT_TIMEOUT).strip());
            return Files.readAllLines(CONNTRACK).stream().map(ENTRY::matcher).filter(Matcher::find)
                    .filter(entry -> entry.group(3).equals(address))
                    .filter(entry -> lingers(entry.group(2), Long.parseLong(entry.group(1)), timeWait))
                    .count();
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static boolean lingers(String state, long secondsLeft, long timeWait) {
        return switch (state) {
            case "TIME_WAIT" -> timeWait - secondsLeft < LINGER_SECONDS;
            case "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK" -> true;
            default -> false;
        };
    }
}
