package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived host program (runsc, mount, gcc) to completion with a time limit.
 * Standard output and error are collected in full; use {@link #runDetaching} for programs
 * that hand their stdio on to processes outliving them.
 */
final class HostCommand {

    /** How a host program ended. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        boolean succeeded() {
            return exitCode == 0;
        }

        /** Throws a {@link RuntimeFailureException} naming the command and its error output unless it succeeded. */
        Result orThrow(String what) {
            if (!succeeded()) {
                throw new RuntimeFailureException(what + " failed (exit " + exitCode + "): " + describe());
            }
            return this;
        }

        String describe() {
            String text = !stderr.isBlank() ? stderr : stdout;
            return text.strip();
        }
    }

    private static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new File("/dev/null"));

    private HostCommand() {
    }

    /** Runs {@code command} and waits at most {@code timeout}; kills it if it takes longer. */
    static Result run(List<String> command, Duration timeout) {
        return run(command, null, timeout);
    }

    /** Like {@link #run(List, Duration)}, with {@code input} (if not null) as the command's standard input. */
    static Result run(List<String> command, String input, Duration timeout) {
        Process process = start(new ProcessBuilder(command).redirectInput(input == null ? NO_INPUT : ProcessBuilder.Redirect.PIPE), command);
        if (input != null) {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The command ended without reading it all; its exit status says why.
            }
        }
        Thread.Builder readers = Thread.ofVirtual().name("host-command-output");
        StreamText stderr = new StreamText(process.getErrorStream());
        Thread errorReader = readers.start(stderr);
        String stdout = readAll(process.getInputStream());
        int exitCode = waitFor(process, timeout, command);
        join(errorReader);
        return new Result(command, exitCode, stdout, stderr.text());
    }

    /**
     * Runs a program that passes its stdio on to processes that outlive it ({@code runsc run
     * --detach}, {@code runsc restore --detach}). Those must never get a pipe the daemon waits
     * on, so stdout and stderr go to {@code log} (appended) and stdin is {@code /dev/null}.
     */
    static Result runDetaching(List<String> command, Duration timeout, Path log) {
        return runDetaching(command, timeout, log, () -> { });
    }

    /**
     * Like {@link #runDetaching(List, Duration, Path)}, calling {@code started} once the program
     * runs. With no pipe to the daemon, the program carries on to its end if the daemon dies.
     */
    static Result runDetaching(List<String> command, Duration timeout, Path log, Runnable started) {
        long before = size(log);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(NO_INPUT)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process process = start(builder, command);
        started.run();
        int exitCode = waitFor(process, timeout, command);
        return new Result(command, exitCode, "", exitCode == 0 ? "" : tail(log, before));
    }

    private static Process start(ProcessBuilder builder, List<String> command) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits for the program to end, at most {@code timeout}. An interrupt does not stop the wait:
     * a host command half done (a mount, a runsc run, a deletion) is worse than one finished
     * late, so the interrupt is kept for the caller to see once the command has ended.
     */
    private static int waitFor(Process process, Duration timeout, List<String> command) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        return process.exitValue();
                    }
                    process.destroyForcibly();
                    throw new RuntimeFailureException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** What was appended to {@code log} after {@code offset}, at most the last 4 KiB. */
    private static String tail(Path log, long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.max(offset, all.length - 4096L);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static final class StreamText implements Runnable {
        private final InputStream in;
        private volatile String text = "";

        StreamText(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            text = readAll(in);
        }

        String text() {
            return text;
        }
    }
}
