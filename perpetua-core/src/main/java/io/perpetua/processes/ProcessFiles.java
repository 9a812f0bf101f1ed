package io.perpetua.processes;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import java.io.IOException;
import java.io.RandomAccessFile;
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
 *   pids    "&lt;supervisor pid&gt; &lt;process pid&gt;" once the process runs
 *   output  records: 1 byte stream ('o', 'e', or 't' for truncated), 4 bytes big-endian length, bytes
 *   exit    "exited &lt;code&gt;" or "killed &lt;signal&gt;" once it ended
 * </pre>
 */
public final class ProcessFiles {

    /** Where the process directories are, inside the sandbox. */
    public static final String SANDBOX_DIRECTORY = "/run/perpetua/processes";

    private final Path root;

    /** @param hostView the host directory holding what the sandbox wrote (see the runtime's {@code hostView}) */
    public ProcessFiles(Path hostView) {
        this.root = hostView.resolve(SANDBOX_DIRECTORY.substring(1));
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
            if (meta.length < 5 || !meta[0].equals("1") || pids.length != 2) {
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

    /** The supervisor's pid, which holds the process's input. */
    public long supervisorPid(String id) {
        try {
            return Long.parseLong(Files.readString(root.resolve(id).resolve("pids")).strip().split(" ")[0]);
        } catch (IOException e) {
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
     * Output from byte {@code from} on, whole records only, about {@code maxBytes} of it. An
     * empty list means nothing new yet.
     *
     * @throws InvalidInputException naming {@code from} if it is not where a record starts
     */
    public List<OutputChunk> output(String id, long from, int maxBytes) {
        Path file = root.resolve(id).resolve("output");
        if (!Files.exists(file)) {
            InvalidInputException.check(from == 0, "from", "offset " + from + " is past the end of the output");
            return List.of();
        }
        List<OutputChunk> chunks = new ArrayList<>();
        try (RandomAccessFile output = new RandomAccessFile(file.toFile(), "r")) {
            requireRecordStart(output, from);
            long at = from;
            long read = 0;
            while (read < maxBytes && at + 5 <= output.length()) {
                output.seek(at);
                int stream = output.read();
                int length = output.readInt();
                if (length < 0 || at + 5 + length > output.length()) {
                    break;
                }
                byte[] bytes = new byte[length];
                output.readFully(bytes);
                at += 5 + length;
                read += length;
                chunks.add(new OutputChunk(stream == 'o' ? "stdout" : stream == 'e' ? "stderr" : "truncated", bytes, at));
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read the output of process " + id + ": " + e.getMessage(), e);
        }
        return chunks;
    }

    /** Offsets handed out are where records start; anything else would be read as garbage. */
    private static void requireRecordStart(RandomAccessFile output, long from) throws IOException {
        long at = 0;
        while (at < from && at + 5 <= output.length()) {
            output.seek(at + 1);
            at += 5 + output.readInt();
        }
        InvalidInputException.check(at == from, "from", "offset " + from + " is not the start of a piece of output");
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
