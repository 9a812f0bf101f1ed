package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Code that tries to get out of its sandbox, run inside real sandboxes through the API: every
 * attempt is contained, and a neighbour sandbox keeps working through all of them. Each test
 * prints what the attempt got, for the record (the neighbours' latency under attack is measured
 * by the benchmark, not asserted here).
 */
class EscapeIT {

    private static Daemon daemon;
    private static Api api;
    private static String neighbour;
    private static ServerSocket hostService;

    @BeforeAll
    static void start() throws IOException {
        daemon = Daemon.start("--idle-timeout", "1h");
        api = daemon.api();
        neighbour = api.create(Map.of());
        api.post("/v1/sandboxes/" + neighbour + "/processes", Map.of("cmd", List.of("python3", "-m", "http.server", "8000")));
        hostService = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
        Thread.ofVirtual().start(() -> {
            while (!hostService.isClosed()) {
                try {
                    hostService.accept().close();
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterAll
    static void stop() throws IOException {
        if (hostService != null) {
            hostService.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    private static void record(String attempt, String outcome) {
        System.out.println("escape attempt: " + attempt + " -> " + outcome.strip().replace('\n', ' '));
    }

    /** The neighbour answers, as before the attack. */
    private static void neighbourIsFine() {
        assertThat(api.exec(neighbour, "echo", "fine").path("stdout").asString()).isEqualTo("fine\n");
    }

    /** Tries a TCP connection from inside {@code sandbox}: "open", or the error it got. */
    private static String connect(String sandbox, String host, int port) {
        return api.exec(sandbox, "python3", "-c", String.join("\n",
                "import socket",
                "try:",
                "    socket.create_connection(('" + host + "', " + port + "), timeout=5).close()",
                "    print('open')",
                "except OSError as e:",
                "    print(type(e).__name__, e)")).path("stdout").asString().strip();
    }

    @Test
    void hostFilesAreOutOfSight() throws IOException {
        String attacker = api.create(Map.of());
        Path marker = Files.createTempFile("perpetua-escape-", ".secret");
        Files.writeString(marker, "host secret");
        try {
            String probe = api.exec(attacker, "sh", "-c", "cat " + marker + " /etc/shadow /root/.ssh/id_rsa " + daemon.dataDirectory()
                    + "/perpetua.db 2>&1; ls /work /home 2>&1; grep -c . /proc/mounts").path("stdout").asString();
            record("read host files", probe);
            assertThat(probe).doesNotContain("host secret").contains("No such file or directory");
            assertThat(api.exec(attacker, "sh", "-c", "cat /etc/shadow").path("exitCode").asInt()).isNotZero();
        } finally {
            Files.delete(marker);
            api.delete("/v1/sandboxes/" + attacker);
        }
        neighbourIsFine();
    }

    @Test
    void theDaemonTheHostAndOtherSandboxesAreUnreachable() throws IOException {
        String attacker = api.create(Map.of());
        String address = api.get("/v1/sandboxes/" + attacker).json().path("address").asString();
        String gateway = address.substring(0, address.lastIndexOf('.') + 1) + (Integer.parseInt(address.substring(address.lastIndexOf('.') + 1)) - 1);
        String neighbourAddress = api.get("/v1/sandboxes/" + neighbour).json().path("address").asString();
        List<String> targets = new ArrayList<>(List.of("127.0.0.1:" + daemon.port(), gateway + ":" + daemon.port(),
                gateway + ":" + hostService.getLocalPort(), neighbourAddress + ":8000"));
        for (String hostAddress : hostAddresses()) {
            targets.add(hostAddress + ":" + hostService.getLocalPort());
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> api.get("/v1/sandboxes/" + neighbour + "/ports/8000/").status() == 200);
        try {
            for (String target : targets) {
                String[] hostAndPort = target.split(":");
                String outcome = connect(attacker, hostAndPort[0], Integer.parseInt(hostAndPort[1]));
                record("connect to " + target, outcome);
                assertThat(outcome).as(target).isNotEqualTo("open");
            }
        } finally {
            api.delete("/v1/sandboxes/" + attacker);
        }
        neighbourIsFine();
    }

    @Test
    void rawSocketsMountsAndPtraceStayInsideTheSandboxKernel() throws IOException {
        String attacker = api.create(Map.of());
        List<String> hostMountsBefore = hostMounts();
        try {
            String raw = api.exec(attacker, "python3", "-c", String.join("\n",
                    "import socket",
                    "try:",
                    "    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
                    "    print('raw socket open')",
                    "except OSError as e:",
                    "    print(type(e).__name__, e)")).path("stdout").asString();
            record("open a raw socket", raw);
            assertThat(raw).doesNotContain("raw socket open");

            String mount = api.exec(attacker, "sh", "-c",
                    "mkdir -p /mnt/x && mount -t tmpfs none /mnt/x 2>&1; echo exit $?; mount /dev/vda /mnt 2>&1; echo exit $?")
                    .path("stdout").asString();
            record("mount", mount);
            assertThat(hostMounts()).as("the host's mounts are untouched").isEqualTo(hostMountsBefore);

            long daemonPid = daemon.pid();
            String ptrace = api.exec(attacker, "python3", "-c", String.join("\n",
                    "import ctypes, os",
                    "libc = ctypes.CDLL(None, use_errno=True)",
                    "r = libc.ptrace(16, " + daemonPid + ", None, None)",
                    "print('attach', r, os.strerror(ctypes.get_errno()))",
                    "print('processes', len([p for p in os.listdir('/proc') if p.isdigit()]))")).path("stdout").asString();
            record("ptrace the daemon (host pid " + daemonPid + ")", ptrace);
            assertThat(ptrace).contains("attach -1");
        } finally {
            api.delete("/v1/sandboxes/" + attacker);
        }
        neighbourIsFine();
    }

    @Test
    void exhaustingDiskProcessesOrMemoryStopsOnlyTheAttacker() throws IOException {
        String disk = api.create(Map.of("diskMb", 128));
        long hostFree = Files.getFileStore(daemon.dataDirectory()).getUsableSpace();
        String filled = api.exec(disk, "sh", "-c", "dd if=/dev/zero of=/root/fill bs=1M count=1024 2>&1 | head -1").path("stdout").asString();
        record("fill the disk", filled);
        assertThat(filled).contains("No space left on device");
        assertThat(hostFree - Files.getFileStore(daemon.dataDirectory()).getUsableSpace()).isLessThan(200L << 20);
        api.delete("/v1/sandboxes/" + disk);

        String bomb = api.create(Map.of("maxProcesses", 64));
        api.post("/v1/sandboxes/" + bomb + "/exec", Map.of("cmd", List.of("python3", "-c", String.join("\n",
                "import os, time",
                "for _ in range(1000):",
                "    if os.fork() == 0:",
                "        time.sleep(30)",
                "        os._exit(0)")), "timeoutSeconds", 60));
        JsonNode afterBomb = await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/v1/sandboxes/" + bomb).json(),
                sandbox -> sandbox.path("state").asString().equals("failed") || exhaustedForks(bomb));
        record("fork bomb", afterBomb.path("state").asString() + " " + afterBomb.path("failureReason").asString());
        neighbourIsFine();
        api.delete("/v1/sandboxes/" + bomb);

        String memory = api.create(Map.of("memoryMb", 128));
        Api.Response blown = api.post("/v1/sandboxes/" + memory + "/exec", Map.of("cmd", List.of("python3", "-c", "s = 'x' * (1 << 30)")));
        JsonNode afterMemory = api.get("/v1/sandboxes/" + memory).json();
        record("blow memory", blown.status() + " " + afterMemory.path("state").asString() + " " + afterMemory.path("failureReason").asString());
        assertThat(afterMemory.path("failureReason").asString()).contains("out of memory");
        api.delete("/v1/sandboxes/" + memory);
        neighbourIsFine();
    }

    /** Whether the fork bomb's sandbox is still there but refuses new processes (the other way to be contained). */
    private static boolean exhaustedForks(String sandbox) {
        Api.Response probe = api.post("/v1/sandboxes/" + sandbox + "/exec", Map.of("cmd", List.of("true")));
        return probe.status() != 200 || probe.json().path("exitCode").asInt() != 0;
    }

    /** The host's mounts, but for the daemon's own: sandboxes come and go in the background (the warm pool). */
    private static List<String> hostMounts() throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .filter(line -> !line.contains(daemon.dataDirectory().toString()) && !line.contains("/run/netns/perpetua-"))
                .toList();
    }

    private static List<String> hostAddresses() throws IOException {
        List<String> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback() && !nic.getName().startsWith("pv")) {
                nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(a -> addresses.add(a.getHostAddress()));
            }
        }
        return addresses;
    }
}
