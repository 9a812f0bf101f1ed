package io.perpetua.runtime.gvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.NetworkPolicy;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sandbox networks on real runsc: the host reaches a sandbox's ports, a sandbox reaches outside
 * networks through NAT (a second namespace on this machine plays "outside", with a public and
 * a private address), a listening socket keeps its address through checkpoint and restore, and
 * a sandbox reaches neither the host, nor another sandbox, nor private networks.
 */
class SandboxNetworkIT {

    private static final SandboxSpec SPEC = new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10),
            Map.of(), Map.of(), 512, 1.0);
    private static final String OUTSIDE = "perpetua-it-outside";
    /** A public address (TEST-NET-3, documentation only: routed here to the outside namespace, never beyond). */
    private static final String OUTSIDE_ADDRESS = "203.0.113.2";
    private static final String OUTSIDE_GATEWAY = "203.0.113.1";
    /** A private address of the same outside, as a company network would be. */
    private static final String PRIVATE_OUTSIDE_ADDRESS = "192.168.231.2";

    private static final List<SandboxId> STARTED = new CopyOnWriteArrayList<>();

    private static Path directory;
    private static RunscRuntime runtime;
    private static Process outsideServer;
    private static Path outsideLog;

    @BeforeAll
    static void start() throws Exception {
        directory = Files.createTempDirectory("perpetua-network-it-");
        runtime = new RunscRuntime(new RunscConfig("runsc", directory, "ptrace", "perpetua-it-" + Long.toHexString(System.nanoTime()),
                new NetworkConfig(true, "10.231.0.0/16")));
        outsideServer = startOutside();
    }

    @AfterAll
    static void removeEverything() throws Exception {
        if (outsideServer != null) {
            outsideServer.destroyForcibly().waitFor();
        }
        HostCommand.run(List.of("ip", "netns", "delete", OUTSIDE), Duration.ofSeconds(30));
        RuntimeCleanup.removeEverything(runtime, directory);
        assertThat(HostCommand.run(List.of("iptables", "-w", "-S"), Duration.ofSeconds(30)).stdout()).doesNotContain("10.231.");
        assertThat(HostCommand.run(List.of("iptables", "-w", "-t", "nat", "-S"), Duration.ofSeconds(30)).stdout()).doesNotContain("10.231.");
        String namespaces = HostCommand.run(List.of("ip", "netns", "list"), Duration.ofSeconds(30)).stdout();
        for (SandboxId id : STARTED) {
            assertThat(namespaces).doesNotContain(SandboxNetwork.namespace(id));
        }
    }

    @Test
    void hostReachesAServerInTheSandboxAtItsAddress() throws Exception {
        ContainerRef ref = started();
        runtime.exec(ref, ExecRequest.of("sh", "-c", "cd /root && nohup python3 -m http.server 8000 >/dev/null 2>&1 &"));
        String address = runtime.address(ref.sandbox()).orElseThrow();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get("http://" + address + ":8000/") == 200);
        runtime.destroy(ref.sandbox());
    }

    @Test
    void sandboxReachesOutsideNetworksThroughNat() throws Exception {
        ContainerRef ref = started();
        ExecResult result = runtime.exec(ref, ExecRequest.of("python3", "-c",
                "import urllib.request; print(urllib.request.urlopen('http://" + OUTSIDE_ADDRESS + ":8080/', timeout=10).status)"));
        assertThat(result.stdout()).as(result.stderr()).isEqualTo("200\n");
        assertThat(Files.readString(outsideLog)).as("the outside sees the host's address, not the sandbox's")
                .contains(OUTSIDE_GATEWAY).doesNotContain("10.231.");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void listeningSocketKeepsItsAddressThroughCheckpointAndRestore() throws Exception {
        ContainerRef ref = started();
        runtime.exec(ref, ExecRequest.of("sh", "-c", "cd /root && nohup python3 -m http.server 8000 >/dev/null 2>&1 & sleep 2"));
        Path image = Files.createDirectories(directory.resolve("image-" + ref.sandbox()));
        runtime.checkpoint(ref, image);
        ContainerRef next = ref.next();
        runtime.restore(next, SPEC, image);
        String address = runtime.address(ref.sandbox()).orElseThrow();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get("http://" + address + ":8000/") == 200);
        runtime.destroy(ref.sandbox());
    }

    @Test
    void checkpointWithAnOpenConnectionIsAConflictAndTheSandboxKeepsRunning() throws Exception {
        ContainerRef ref = started();
        runtime.exec(ref, ExecRequest.of("sh", "-c", "nohup python3 -c \"import socket,time; s=socket.create_connection(('"
                + OUTSIDE_ADDRESS + "', 8080)); time.sleep(1000)\" >/dev/null 2>&1 & sleep 2"));
        Path image = Files.createDirectories(directory.resolve("blocked-" + ref.sandbox()));
        assertThatThrownBy(() -> runtime.checkpoint(ref, image)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("TCP connection");
        assertThat(runtime.exec(ref, ExecRequest.of("true")).exitCode()).isZero();
        runtime.destroy(ref.sandbox());
    }

    @Test
    void checkpointJustAfterAConnectionClosedIsAConflictOrSucceedsAndNeverLosesTheSandbox() throws Exception {
        ContainerRef ref = started();
        assertThat(reach(ref, OUTSIDE_ADDRESS, 8080)).isEqualTo("open");
        Path image = Files.createDirectories(directory.resolve("closing-" + ref.sandbox()));

        try {
            runtime.checkpoint(ref, image);
            ContainerRef next = ref.next();
            runtime.restore(next, SPEC, image);
            assertThat(runtime.exec(next, ExecRequest.of("echo", "restored")).stdout()).isEqualTo("restored\n");
        } catch (ConflictException e) {
            assertThat(e.code()).isEqualTo("sandbox_has_connections");
            assertThat(runtime.exec(ref, ExecRequest.of("echo", "kept")).stdout()).as("the sandbox keeps running").isEqualTo("kept\n");
        }
        runtime.destroy(ref.sandbox());
    }

    @Test
    void sandboxCannotReachPrivateNetworksOutside() throws Exception {
        assertThat(get("http://" + PRIVATE_OUTSIDE_ADDRESS + ":8080/")).as("the host itself reaches it").isEqualTo(200);
        ContainerRef ref = started();

        assertThat(reach(ref, PRIVATE_OUTSIDE_ADDRESS, 8080)).isNotEqualTo("open");
        assertThat(reach(ref, OUTSIDE_ADDRESS, 8080)).as("while the public address is open").isEqualTo("open");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void sandboxCannotReachTheHostOnAnyOfItsAddresses() throws Exception {
        try (ServerSocket host = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            Thread.ofVirtual().start(() -> acceptForever(host));
            ContainerRef ref = started();
            String address = runtime.address(ref.sandbox()).orElseThrow();
            String gateway = address.substring(0, address.lastIndexOf('.') + 1) + (Integer.parseInt(address.substring(address.lastIndexOf('.') + 1)) - 1);
            List<String> hostAddresses = new ArrayList<>(List.of(gateway, OUTSIDE_GATEWAY));
            hostAddresses.addAll(hostIpv4Addresses());

            for (String target : hostAddresses) {
                try (Socket probe = new Socket(target, host.getLocalPort())) {
                    assertThat(probe.isConnected()).as("the host listens on " + target).isTrue();
                }
                assertThat(reach(ref, target, host.getLocalPort())).as("from the sandbox to the host at " + target).isNotEqualTo("open");
            }
            runtime.destroy(ref.sandbox());
        }
    }

    @Test
    void sandboxesCannotReachEachOther() throws Exception {
        ContainerRef server = started();
        runtime.exec(server, ExecRequest.of("sh", "-c", "cd /root && nohup python3 -m http.server 8000 >/dev/null 2>&1 &"));
        String serverAddress = runtime.address(server.sandbox()).orElseThrow();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get("http://" + serverAddress + ":8000/") == 200);
        ContainerRef neighbour = started();

        assertThat(reach(neighbour, serverAddress, 8000)).isNotEqualTo("open");
        runtime.destroy(neighbour.sandbox());
        runtime.destroy(server.sandbox());
    }

    @Test
    void egressPolicyIsKeptThroughCheckpointAndRestoreAndChangesLive() throws Exception {
        NetworkPolicy onlyThePrivateMirror = new NetworkPolicy(List.of(PRIVATE_OUTSIDE_ADDRESS), List.of("0.0.0.0/0"));
        ContainerRef ref = new ContainerRef(SandboxId.random(), 1);
        STARTED.add(ref.sandbox());
        runtime.start(ref, SPEC.withNetwork(onlyThePrivateMirror));
        // Checkpointed before any connection: this runsc cannot save one, not even one closing.
        Path image = Files.createDirectories(directory.resolve("policy-" + ref.sandbox()));
        runtime.checkpoint(ref, image);
        ContainerRef restored = ref.next();
        runtime.restore(restored, SPEC.withNetwork(onlyThePrivateMirror), image);

        assertThat(reach(restored, PRIVATE_OUTSIDE_ADDRESS, 8080)).as("allowed though private").isEqualTo("open");
        assertThat(reach(restored, OUTSIDE_ADDRESS, 8080)).as("everything else is closed").isNotEqualTo("open");

        runtime.applyNetworkPolicy(ref.sandbox(), NetworkPolicy.DEFAULT);
        assertThat(reach(restored, PRIVATE_OUTSIDE_ADDRESS, 8080)).isNotEqualTo("open");
        assertThat(reach(restored, OUTSIDE_ADDRESS, 8080)).isEqualTo("open");

        runtime.applyNetworkPolicy(ref.sandbox(), new NetworkPolicy(List.of(), List.of("203.0.113.0/24")));
        assertThat(reach(restored, OUTSIDE_ADDRESS, 8080)).as("denied though public").isNotEqualTo("open");

        assertThatThrownBy(() -> runtime.applyNetworkPolicy(ref.sandbox(), new NetworkPolicy(List.of("no-such-host.invalid"), List.of())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no-such-host.invalid");
        runtime.destroy(ref.sandbox());
        assertThat(HostCommand.run(List.of("iptables", "-w", "-S"), Duration.ofSeconds(30)).stdout())
                .doesNotContain(ref.sandbox().value().substring(SandboxId.LENGTH - 13));
    }

    /** Tries a TCP connection from inside the sandbox: "open", or the error it got. */
    private static String reach(ContainerRef ref, String host, int port) {
        ExecResult result = runtime.exec(ref, ExecRequest.of("python3", "-c", String.join("\n",
                "import socket",
                "try:",
                "    socket.create_connection(('" + host + "', " + port + "), timeout=5).close()",
                "    print('open')",
                "except OSError as e:",
                "    print(type(e).__name__, e)")));
        return result.stdout().strip();
    }

    private static List<String> hostIpv4Addresses() throws IOException {
        List<String> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback() && !nic.getName().startsWith("pv")) {
                nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(a -> addresses.add(a.getHostAddress()));
            }
        }
        return addresses;
    }

    private static void acceptForever(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                // Accepting is the answer; the probe closes at once.
                server.accept().close();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static ContainerRef started() {
        ContainerRef ref = new ContainerRef(SandboxId.random(), 1);
        STARTED.add(ref.sandbox());
        runtime.start(ref, SPEC);
        return ref;
    }

    private static int get(String url) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    /** A second network namespace with a web server: "outside", reached from the host through a veth pair. */
    private static Process startOutside() throws Exception {
        HostCommand.run(List.of("ip", "netns", "delete", OUTSIDE), Duration.ofSeconds(30));
        for (List<String> command : List.of(
                List.of("ip", "netns", "add", OUTSIDE),
                List.of("ip", "link", "add", "ptoutside", "type", "veth", "peer", "name", "eth0", "netns", OUTSIDE),
                List.of("ip", "addr", "add", OUTSIDE_GATEWAY + "/30", "dev", "ptoutside"),
                List.of("ip", "addr", "add", "192.168.231.1/30", "dev", "ptoutside"),
                List.of("ip", "link", "set", "ptoutside", "up"),
                List.of("ip", "-n", OUTSIDE, "addr", "add", OUTSIDE_ADDRESS + "/30", "dev", "eth0"),
                List.of("ip", "-n", OUTSIDE, "addr", "add", PRIVATE_OUTSIDE_ADDRESS + "/30", "dev", "eth0"),
                List.of("ip", "-n", OUTSIDE, "link", "set", "eth0", "up"),
                List.of("ip", "-n", OUTSIDE, "link", "set", "lo", "up"))) {
            HostCommand.run(command, Duration.ofSeconds(30)).orThrow(String.join(" ", command));
        }
        outsideLog = directory.resolve("outside.log");
        Process server = new ProcessBuilder("ip", "netns", "exec", OUTSIDE, "/usr/bin/python3", "-m", "http.server", "8080",
                "--bind", "0.0.0.0", "--directory", directory.toString())
                .redirectErrorStream(true).redirectOutput(outsideLog.toFile()).start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get("http://" + OUTSIDE_ADDRESS + ":8080/") == 200);
        return server;
    }
}
