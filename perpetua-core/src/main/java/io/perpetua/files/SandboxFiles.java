package io.perpetua.files;

import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.runtime.RunningCommand;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.text.Utf8Decoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The files of a sandbox, read and written through the sandbox's own kernel: each operation is
 * a short POSIX shell script run in the sandbox, so paths are resolved inside its root (no
 * symlink or {@code ..} can reach the host) and the sandbox sees every change at once. Content
 * is streamed, never held whole in the daemon. Every operation wakes the sandbox and counts as
 * activity.
 */
public final class SandboxFiles {

    private static final Duration TRANSFER_LIMIT = Duration.ofHours(6);
    private static final Duration METADATA_LIMIT = Duration.ofSeconds(60);
    /** Most entries a listing returns; the rest is reported as truncated. */
    public static final int LIST_LIMIT = 10_000;

    private final SandboxService sandboxes;

    /** @param sandboxes the engine through which every operation reaches its sandbox */
    public SandboxFiles(SandboxService sandboxes) {
        this.sandboxes = sandboxes;
    }

    /** Where a download goes once it is known to exist: opening it commits to the answer. */
    @FunctionalInterface
    public interface Sink {
        /** Called once, before the first byte; returns where the content goes. */
        OutputStream open() throws IOException;
    }

    /**
     * Streams the regular file at {@code path} into the sink.
     *
     * @throws NotFoundException with code {@code file_not_found} if there is no such file
     * @throws InvalidInputException naming {@code path} if it is a directory
     */
    public long read(SandboxId id, SandboxPath path, Sink sink) {
        String script = """
                [ -e "$1" ] || { echo "no such file: $1" >&2; exit 2; }
                [ -d "$1" ] && { echo "$1 is a directory" >&2; exit 21; }
                exec dd if="$1" bs=1M status=none
                """;
        return run(id, TRANSFER_LIMIT, command -> {
            command.stdin().close();
            InputStream out = command.stdout();
            byte[] buffer = new byte[64 * 1024];
            int first = out.read(buffer);
            if (first < 0) {
                int exit = command.waitFor();
                failUnlessZero(exit, path, stderr(command));
                sink.open().close();
                return 0L;
            }
            try (OutputStream target = sink.open()) {
                target.write(buffer, 0, first);
                return first + out.transferTo(target);
            }
        }, script, path.value());
    }

    /**
     * Writes exactly {@code length} bytes from {@code content} to {@code path}, creating missing
     * parent directories. The file is replaced only when all of it has arrived: the bytes go to
     * a temporary file next to it, renamed over it at the end.
     *
     * @throws InvalidInputException naming {@code path} if it is a directory or its parent is a file
     */
    public FileInfo write(SandboxId id, SandboxPath path, InputStream content, long length) {
        String script = """
                [ -d "$1" ] && { echo "$1 is a directory" >&2; exit 21; }
                dir=$(dirname -- "$1")
                mkdir -p -- "$dir" 2>/dev/null || { echo "cannot create directory $dir" >&2; exit 20; }
                tmp="$dir/.perpetua-upload-$$"
                dd of="$tmp" bs=1M iflag=fullblock,count_bytes count="$2" status=none
                size=$(stat -c %s -- "$tmp")
                if [ "$size" = "$2" ]; then mv -f -- "$tmp" "$1"; else rm -f -- "$tmp"; echo "upload incomplete: $size of $2 bytes" >&2; exit 74; fi
                """;
        run(id, TRANSFER_LIMIT, command -> {
            try (OutputStream in = command.stdin()) {
                long copied = copy(content, in, length);
                if (copied < length) {
                    throw new InvalidInputException("body", "the body ended after " + copied + " of " + length + " bytes");
                }
            }
            failUnlessZero(command.waitFor(), path, stderr(command));
            return null;
        }, script, path.value(), Long.toString(length));
        return stat(id, path);
    }

    /** Describes {@code path} without following a final symlink. */
    public FileInfo stat(SandboxId id, SandboxPath path) {
        String script = """
                [ -e "$1" ] || [ -L "$1" ] || { echo "no such file: $1" >&2; exit 2; }
                stat --printf '%F\\n%s\\n%a\\n%.9Y\\n' -- "$1" && { [ -L "$1" ] && readlink -- "$1" || true; }
                """;
        String[] lines = text(id, METADATA_LIMIT, path, script, path.value()).split("\n", -1);
        return FileListing.info(path.value(), lines[0], lines[1], lines[2], lines[3], lines.length > 4 && !lines[4].isEmpty() ? lines[4] : null);
    }

    /**
     * The entries below the directory {@code path}, {@code depth} levels deep, at most
     * {@link #LIST_LIMIT} of them.
     */
    public FileListing list(SandboxId id, SandboxPath path, int depth) {
        InvalidInputException.check(depth >= 1 && depth <= 64, "depth", "depth must be between 1 and 64 but was " + depth);
        String script = """
                [ -e "$1" ] || { echo "no such directory: $1" >&2; exit 2; }
                [ -d "$1" ] || { echo "$1 is not a directory" >&2; exit 20; }
                find "$1/" -mindepth 1 -maxdepth "$2" -printf '%y\\0%s\\0%m\\0%T@\\0%l\\0%P\\0' | head -c 64000000
                """;
        return FileListing.parse(path.value(), text(id, METADATA_LIMIT, path, script, path.value(), Integer.toString(depth)), LIST_LIMIT);
    }

    /**
     * Creates the directory {@code path}; with {@code parents}, also its missing parents, and an
     * existing directory is no error.
     */
    public FileInfo mkdir(SandboxId id, SandboxPath path, boolean parents) {
        String script = """
                if [ "$2" = true ]; then mkdir -p -- "$1" 2>/dev/null && exit 0; [ -e "$1" ] && exit 17; exit 20; fi
                [ -e "$1" ] && { echo "$1 already exists" >&2; exit 17; }
                mkdir -- "$1" 2>/dev/null || { echo "the parent of $1 is missing or not a directory" >&2; exit 20; }
                """;
        text(id, METADATA_LIMIT, path, script, path.value(), Boolean.toString(parents));
        return stat(id, path);
    }

    /** Moves (renames) {@code from} to {@code to}; an existing {@code to} is replaced only with {@code overwrite}. */
    public FileInfo move(SandboxId id, SandboxPath from, SandboxPath to, boolean overwrite) {
        String script = """
                [ -e "$1" ] || [ -L "$1" ] || { echo "no such file: $1" >&2; exit 2; }
                if [ -e "$2" ] || [ -L "$2" ]; then [ "$3" = true ] || { echo "$2 already exists" >&2; exit 17; }; fi
                mkdir -p -- "$(dirname -- "$2")" 2>/dev/null || exit 20
                mv -f -T -- "$1" "$2" || exit 1
                """;
        text(id, METADATA_LIMIT, to, script, from.value(), to.value(), Boolean.toString(overwrite));
        return stat(id, to);
    }

    /** Deletes {@code path}; a non-empty directory only with {@code recursive}. */
    public void delete(SandboxId id, SandboxPath path, boolean recursive) {
        String script = """
                [ -e "$1" ] || [ -L "$1" ] || { echo "no such file: $1" >&2; exit 2; }
                [ "$1" = / ] && { echo "refusing to delete /" >&2; exit 21; }
                if [ -d "$1" ] && [ ! -L "$1" ]; then
                  if [ "$2" = true ]; then rm -rf -- "$1"; else rmdir -- "$1" 2>/dev/null || { echo "$1 is not empty" >&2; exit 39; }; fi
                else rm -f -- "$1"; fi
                """;
        text(id, METADATA_LIMIT, path, script, path.value(), Boolean.toString(recursive));
    }

    private String text(SandboxId id, Duration limit, SandboxPath path, String script, String... args) {
        return run(id, limit, command -> {
            command.stdin().close();
            String out = new String(command.stdout().readAllBytes(), StandardCharsets.UTF_8);
            failUnlessZero(command.waitFor(), path, stderr(command));
            return out;
        }, script, args);
    }

    private interface Work<T> {
        T apply(RunningCommand command) throws IOException;
    }

    private <T> T run(SandboxId id, Duration limit, Work<T> work, String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        cmd.addAll(List.of(args));
        Function<RunningCommand, T> streaming = command -> {
            try {
                return work.apply(command);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        try {
            return sandboxes.stream(id, new ExecRequest(cmd, "/", null, null, limit), streaming);
        } catch (UncheckedIOException e) {
            throw new RuntimeFailureException("file_transfer_failed", "the transfer of a file of sandbox " + id
                    + " failed: " + e.getCause().getMessage(), e);
        }
    }

    /** Turns the scripts' exit codes (errno numbers where there is one) into the API's errors. */
    private static void failUnlessZero(int exit, SandboxPath path, String message) {
        switch (exit) {
            case 0 -> { }
            case 2 -> throw new NotFoundException("file_not_found", message.isBlank() ? "no such file: " + path : message);
            case 17 -> throw new ConflictException("file_exists", message.isBlank() ? path + " already exists" : message);
            case 20, 21 -> throw new InvalidInputException("path", message.isBlank() ? "not possible on " + path : message);
            case 39 -> throw new ConflictException("directory_not_empty", message);
            default -> throw new RuntimeFailureException("file_operation_failed",
                    "file operation on " + path + " failed (exit " + exit + "): " + message, null);
        }
    }

    /** The start of what the command wrote to stderr, cut between characters. */
    private static String stderr(RunningCommand command) throws IOException {
        byte[] message = command.stderr().readNBytes(4096);
        return Utf8Decoder.wholeCharacters(message, 0, message.length).strip();
    }

    private static long copy(InputStream from, OutputStream to, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        while (copied < length) {
            int n = from.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
            if (n < 0) {
                break;
            }
            to.write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }
}
