package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.TerminalSession;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code perpetua sandbox shell}: an interactive shell in a sandbox, like {@code ssh}. When
 * standard input is a terminal, it is put in raw mode (every key goes to the sandbox, Ctrl-C
 * included) and restored at the end, and size changes of the local window are passed on. Input
 * piped in is typed into the shell, then Ctrl-D. It exits with the shell's exit status.
 */
@Command(name = "shell", description = "Opens an interactive shell in a sandbox, like ssh.")
final class ShellCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    private static final byte END_OF_TRANSMISSION = 4;

    private final Terminal terminal;

    ShellCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        LocalTerminal local = LocalTerminal.detect(terminal.in() == System.in);
        int[] size = local.size();
        try (Perpetua client = api.connect(terminal.env());
             TerminalSession session = client.sandboxes().handle(id).openTerminal(size[0], size[1], bytes -> {
                 terminal.out().write(bytes, 0, bytes.length);
                 terminal.out().flush();
             })) {
            local.enterRaw();
            Thread keys = Thread.ofPlatform().daemon().name("shell-keys").start(() -> pump(terminal.in(), session));
            Thread resizes = Thread.ofPlatform().daemon().name("shell-resize").start(() -> followSize(local, session, size));
            int exit = session.awaitExit();
            keys.interrupt();
            resizes.interrupt();
            return exit < 0 ? 1 : exit;
        } finally {
            local.restore();
        }
    }

    private static void pump(InputStream in, TerminalSession session) {
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                session.write(Arrays.copyOf(buffer, n));
            }
            // Input piped in has ended: say so as a terminal does (Ctrl-D), and let the shell finish.
            session.write(new byte[] {END_OF_TRANSMISSION});
        } catch (IOException | RuntimeException e) {
            // The session ended; the main thread reports how.
        }
    }

    private static void followSize(LocalTerminal local, TerminalSession session, int[] last) {
        int[] current = last;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            int[] size = local.size();
            if (!Arrays.equals(size, current)) {
                current = size;
                session.resize(size[0], size[1]);
            }
        }
    }

    /** The local terminal, through stty on /dev/tty; a no-op when standard input is not a terminal. */
    private record LocalTerminal(boolean present, String saved) {

        static LocalTerminal detect(boolean standardInput) {
            if (!standardInput || System.console() == null || !System.console().isTerminal()) {
                return new LocalTerminal(false, "");
            }
            return new LocalTerminal(true, stty("-g").strip());
        }

        int[] size() {
            String rowsCols = present ? stty("size") : "";
            String[] parts = rowsCols.strip().split("\\s+");
            try {
                return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
            } catch (RuntimeException e) {
                return new int[] {24, 80};
            }
        }

        void enterRaw() {
            if (present) {
                stty("raw -echo");
            }
        }

        void restore() {
            if (present && !saved.isEmpty()) {
                stty(saved);
            }
        }

        private static String stty(String arguments) {
            try {
                Process stty = new ProcessBuilder(List.of("sh", "-c", "stty " + arguments + " < /dev/tty")).start();
                String output = new String(stty.getInputStream().readAllBytes());
                stty.waitFor();
                return output;
            } catch (IOException e) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }
    }
}
