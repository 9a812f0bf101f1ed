package io.perpetua.processes;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The files in which a sandbox keeps its background processes, read from the host (the
 * sandbox's writable layer), so neither listing nor reading output needs the sandbox awake.
 * One directory per process under {@link #SANDBOX_DIRECTORY}:
 * <pre>
 *   meta    NUL-separated: format version 1, keepAlive, startedAt, name, then the command
 *   pids    "&lt;supervisor pid&gt; &lt;process pid&gt;" once the process runs, then " agent" if the
 *           sandbox's agent supervises it (and takes its input) rather than a supervise program
 *   output  records: 1 byte stream ('o', 'e', or 't' for truncated), 4 bytes big-endian length, bytes
 *   exit    "exited &lt;code&gt;" or "killed &lt;signal&gt;" once it ended
 * </pre>
 */
public final class ProcessFiles {

    /** Where the process directories are, inside the sandbox. */
    public static final String SANDBOX_DIRECTORY = "/run/perpetua/processes";

    private final Path root;
    private final OutputCursor.Opener opener;

    /** @param hostView the host directory holding what the sandbox wrote (see the runtime's {@code hostView}) */
    public ProcessFiles(Path hostView) {
        this(hostView, Files::newByteChannel);
    }

    ProcessFiles(Path hostView, OutputCursor.Opener opener) {
        this.root = hostView.resolve(SANDBOX_DIRECTORY.substring(1));
        this.opener = opener;
    }

    /** The processes with a readable record, oldest first. */
    public List<ProcessInfo> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<ProcessInfo> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                read(dir.getFileName().toString()).ifPresent(found::add);
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot list the processes in " + root + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.comparing(ProcessInfo::startedAt).thenComparing(ProcessInfo::id));
        return found;
    }

    /** The process {@code id}, if it was started (its pids are known). */
    public Optional<ProcessInfo> read(String id) {
        Path dir = root.resolve(id);
        try {
            String[] meta = Files.readString(dir.resolve("meta"), StandardCharsets.UTF_8).split("\0", -1);
            String[] pids = Files.readString(dir.resolve("pids")).strip().split(" ");
            if (meta.length < 5 || !meta[0].equals("1") || pids.length < 2) {
                return Optional.empty();
            }
            String exit = readIfPresent(dir.resolve("exit"));
            String status = exit == null ? "running" : exit.startsWith("killed") ? "killed" : "exited";
            Integer code = exit == null ? null : Integer.valueOf(exit.substring(exit.indexOf(' ') + 1).strip());
            return Optional.of(new ProcessInfo(id, meta[3].isEmpty() ? null : meta[3], Arrays.asList(meta).subList(4, meta.length),
                    Long.parseLong(pids[1]), status, status.equals("exited") ? code : null, status.equals("killed") ? code : null,
                    Boolean.parseBoolean(meta[1]), Instant.parse(meta[2])));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new RuntimeFailureException("cannot read the record of process " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Who holds the process's input.
     *
     * @param pid     the supervisor's pid in the sandbox
     * @param inAgent whether it is the sandbox's agent (which takes input by request) rather than
     *                a supervise program (which keeps it on its descriptor 63)
     */
    public record Supervisor(long pid, boolean inAgent) {
    }

    /** The process's supervisor. */
    public Supervisor supervisor(String id) {
        try {
            String[] pids = Files.readString(root.resolve(id).resolve("pids")).strip().split(" ");
            return new Supervisor(Long.parseLong(pids[0]), pids.length > 2 && pids[2].equals("agent"));
        } catch (IOException | RuntimeException e) {
            throw new RuntimeFailureException("cannot read the pids of process " + id + ": " + e.getMessage(), e);
        }
    }

    /** The meta file's content for a new process. */
    public static String meta(ProcessSpec spec, Instant startedAt) {
        List<String> fields = new ArrayList<>(List.of("1", Boolean.toString(spec.keepAlive()), startedAt.toString(),
                spec.name() == null ? "" : spec.name()));
        fields.addAll(spec.cmd());
        return String.join("\0", fields);
    }

    /**
     * A reader of the process's output from byte {@code from} on, which each read moves forward.
     *
     * @throws InvalidInputException naming {@code from} if it is not where a record starts
     */
    public OutputCursor cursor(String id, long from) {
        return new OutputCursor(id, root.resolve(id).resolve("output"), from, opener);
    }

    /** Whether a live process of this sandbox asked to keep it awake. */
    public boolean anyKeepsAwake() {
        return list().stream().anyMatch(process -> process.keepAlive() && process.running());
    }

    private static String readIfPresent(Path file) throws IOException {
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
