package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
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
 * attempt is contained, and a neighbour sandbox keeps working through all of them. Each probe
 * is held to the error that containment gives (an errno, or the daemon's reason for stopping
 * the sandbox), beside a control: the same probe against something the sandbox may do
 * succeeds. So a probe that breaks for another reason fails the test instead of passing for
 * contained. Each attempt is printed, for the record (the neighbours' latency under attack is
 * measured by the benchmark, not asserted here).
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

    /**
     * Runs {@code statements} (python3, with os, socket, subprocess and a {@code libc} whose calls
     * {@code check} turns into OSError) in {@code sandbox} and records what they got: "ok" if
     * they raised nothing, else the name of the errno they failed with (ENOENT, EPERM, …). A
     * probe that breaks any other way (a typo, a missing module) answers neither, so an
     * assertion on the expected errno, or on the control's "ok", fails.
     */
    private static String attempt(String sandbox, String what, String... statements) {
        List<String> script = new ArrayList<>(List.of(
                "import ctypes, errno, os, socket, subprocess",
                "libc = ctypes.CDLL(None, use_errno=True)",
                "def check(result):",
                "    if result == -1:",
                "        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))",
                "try:"));
        for (String statement : statements) {
            script.add("    " + statement);
        }
        script.addAll(List.of("    print('ok')", "except OSError as e:", "    print(errno.errorcode.get(e.errno, repr(e)))"));
        JsonNode result = api.exec(sandbox, "python3", "-c", String.join("\n", script));
        String outcome = result.path("stdout").asString().strip();
        record(what, outcome.isEmpty() ? "probe broke: " + result.path("stderr").asString() : outcome);
        return outcome;
    }

    /** Tries a TCP connection from inside {@code sandbox}: "ok", or the errno it got. */
    private static String connect(String sandbox, String host, int port) {
        return attempt(sandbox, "connect to " + host + ":" + port, "socket.create_connection(('" + host + "', " + port + "), timeout=5).close()");
    }

    @Test
    void hostFilesAreOutOfSight() throws IOException {
        String attacker = api.create(Map.of());
        Path marker = Files.createTempFile("perpetua-escape-", ".secret");
        Files.writeString(marker, "host secret");
        try {
            for (String hostFile : List.of(marker.toString(), "/etc/shadow", "/root/.ssh/id_rsa", daemon.dataDirectory() + "/perpetua.db")) {
                assertThat(attempt(attacker, "read host file " + hostFile, "open('" + hostFile + "').read()")).as(hostFile).isEqualTo("ENOENT");
            }
            assertThat(attempt(attacker, "list /work", "os.listdir('/work')")).isEqualTo("ENOENT");

            // The same probes on the sandbox's own files, one at the host file's very path, succeed.
            assertThat(attempt(attacker, "read its own /etc/passwd", "open('/etc/passwd').read()")).isEqualTo("ok");
            assertThat(attempt(attacker, "list its own /root", "os.listdir('/root')")).isEqualTo("ok");
            assertThat(attempt(attacker, "write and read its own " + marker, "open('" + marker + "', 'w').write('own')",
                    "assert open('" + marker + "').read() == 'own'")).isEqualTo("ok");
            assertThat(Files.readString(marker)).isEqualTo("host secret");
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
        List<String> hostServices = new ArrayList<>(List.of(gateway + ":" + hostService.getLocalPort()));
        for (String hostAddress : hostAddresses()) {
            hostServices.add(hostAddress + ":" + hostService.getLocalPort());
        }
        List<String> targets = new ArrayList<>(List.of("127.0.0.1:" + daemon.port(), gateway + ":" + daemon.port(), neighbourAddress + ":8000"));
        targets.addAll(hostServices);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> api.get("/v1/sandboxes/" + neighbour + "/ports/8000/").status() == 200);
        try {
            // Controls: the neighbour's server answers through the port proxy (above), the host's service
            // answers the host at every address the sandbox tries, and the probe reaches a server of the
            // sandbox's own, at its address and on its loopback.
            for (String service : hostServices) {
                assertThat(hostConnects(service)).as("the host reaches its own service at " + service).isTrue();
            }
            assertThat(attempt(attacker, "connect to its own server", "server = socket.create_server(('0.0.0.0', 0))",
                    "socket.create_connection(('" + address + "', server.getsockname()[1]), timeout=5).close()",
                    "socket.create_connection(('127.0.0.1', server.getsockname()[1]), timeout=5).close()")).isEqualTo("ok");

            for (String target : targets) {
                String[] hostAndPort = target.split(":");
                assertThat(connect(attacker, hostAndPort[0], Integer.parseInt(hostAndPort[1]))).as(target).isEqualTo("ECONNREFUSED");
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
            assertThat(attempt(attacker, "open a raw socket", "socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)"))
                    .isEqualTo("EPERM");
            assertThat(attempt(attacker, "open a datagram socket", "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()"))
                    .isEqualTo("ok");

            // The sandbox's root holds no capabilities, so every mount is refused for want of CAP_SYS_ADMIN.
            assertThat(attempt(attacker, "mount the host's disk", "check(libc.mount(b'/dev/vda', b'/mnt', b'ext4', 0, None))"))
                    .isEqualTo("EPERM");
            assertThat(attempt(attacker, "mount a tmpfs", "os.makedirs('/mnt/x', exist_ok=True)",
                    "check(libc.mount(b'none', b'/mnt/x', b'tmpfs', 0, None))")).isEqualTo("EPERM");
            assertThat(attempt(attacker, "make namespaces of its own to mount in", "check(libc.unshare(0x10000000 | 0x00020000))",
                    "check(libc.mount(b'none', b'/mnt/x', b'tmpfs', 0, None))")).isEqualTo("EPERM");
            assertThat(api.sh(attacker, "grep CapEff /proc/self/status")).as("the capabilities of the sandbox's root")
                    .isEqualTo("CapEff:\t0000000000000000\n");
            assertThat(hostMounts()).as("the host's mounts are untouched").containsExactlyInAnyOrderElementsOf(hostMountsBefore);

            long daemonPid = daemon.pid();
            assertThat(attempt(attacker, "ptrace the daemon (host pid " + daemonPid + ")", "check(libc.ptrace(16, " + daemonPid + ", None, None))"))
                    .isEqualTo("ESRCH");
            assertThat(attempt(attacker, "ptrace its own child", "child = subprocess.Popen(['sleep', '30'])",
                    "check(libc.ptrace(16, child.pid, None, None))", "child.kill()")).isEqualTo("ok");
        } finally {
            api.delete("/v1/sandboxes/" + attacker);
        }
        neighbourIsFine();
    }

    @Test
    void exhaustingDiskProcessesOrMemoryStopsOnlyTheAttacker() throws IOException {
        String disk = api.create(Map.of("diskMb", 128));
        long hostFree = Files.getFileStore(daemon.dataDirectory()).getUsableSpace();
        assertThat(attempt(disk, "write 16 MiB", "open('/root/some', 'wb').write(bytes(16 << 20))")).isEqualTo("ok");
        assertThat(attempt(disk, "fill the disk", "with open('/root/fill', 'wb') as fill:", "    for _ in range(1024):",
                "        fill.write(bytes(1 << 20))")).isEqualTo("ENOSPC");
        assertThat(hostFree - Files.getFileStore(daemon.dataDirectory()).getUsableSpace()).isLessThan(200L << 20);
        api.delete("/v1/sandboxes/" + disk);

        String bomb = api.create(Map.of("maxProcesses", 64));
        assertThat(attempt(bomb, "start 10 processes", "children = [subprocess.Popen(['sleep', '1']) for _ in range(10)]",
                "[child.wait() for child in children]")).isEqualTo("ok");
        Api.Response bombed = api.post("/v1/sandboxes/" + bomb + "/exec", Map.of("cmd", List.of("python3", "-c", String.join("\n",
                "import os, time",
                "for _ in range(1000):",
                "    if os.fork() == 0:",
                "        time.sleep(30)",
                "        os._exit(0)")), "timeoutSeconds", 60));
        JsonNode afterBomb = await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/v1/sandboxes/" + bomb).json(),
                sandbox -> sandbox.path("state").asString().equals("failed"));
        record("fork bomb", bombed.status() + " " + afterBomb.path("state").asString() + " " + afterBomb.path("failureReason").asString());
        assertThat(afterBomb.path("failureReason").asString()).contains("too many processes: it reached its limit of 64");
        neighbourIsFine();
        api.delete("/v1/sandboxes/" + bomb);

        String memory = api.create(Map.of("memoryMb", 128));
        assertThat(attempt(memory, "use 32 MiB of memory", "used = 'x' * (32 << 20)")).isEqualTo("ok");
        Api.Response blown = api.post("/v1/sandboxes/" + memory + "/exec", Map.of("cmd", List.of("python3", "-c", "s = 'x' * (1 << 30)")));
        JsonNode afterMemory = api.get("/v1/sandboxes/" + memory).json();
        record("blow memory", blown.status() + " " + afterMemory.path("state").asString() + " " + afterMemory.path("failureReason").asString());
        assertThat(afterMemory.path("failureReason").asString()).contains("out of memory");
        api.delete("/v1/sandboxes/" + memory);
        neighbourIsFine();
    }

    /**
     * The host's mounts, but for any Perpetua daemon's (their data directories and network
     * namespaces): sandboxes come and go in the background (the warm pool, and other test runs).
     */
    private static List<String> hostMounts() throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .filter(line -> !line.contains("/perpetua-"))
                .toList();
    }

    /** Whether a TCP connection from the host (this test) to {@code target} is accepted. */
    private static boolean hostConnects(String target) {
        String[] hostAndPort = target.split(":");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostAndPort[0], Integer.parseInt(hostAndPort[1])), 5000);
            return true;
        } catch (IOException e) {
            return false;
        }
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
