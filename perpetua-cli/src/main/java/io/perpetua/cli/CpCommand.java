package io.perpetua.cli;

import io.perpetua.client.NotFoundException;
import io.perpetua.client.Perpetua;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code perpetua sandbox cp}: copies one file into or out of a sandbox, streamed both ways, like
 * {@code cp}: a destination that is a directory gets the file under its own name.
 */
@Command(name = "cp", description = "Copies a file into or out of a sandbox.",
        footer = {"", "A path written ID:/path is in the sandbox ID; any other path is local.",
                "Examples: perpetua sandbox cp data.csv ID:/root/",
                "          perpetua sandbox cp ID:/root/plot.png ."})
final class CpCommand implements Callable<Integer> {

    /** {@code ID:/absolute/path}. */
    private static final Pattern SANDBOX_PATH = Pattern.compile("([^/:]+):(/.*)");
    private static final int BUFFER = 64 * 1024;

    /** One end of a copy: a file in a sandbox ({@code sandbox} set) or a local one. */
    private record Location(String sandbox, String path) {

        static Location of(String argument) {
            Matcher matcher = SANDBOX_PATH.matcher(argument);
            return matcher.matches() ? new Location(matcher.group(1), matcher.group(2)) : new Location(null, argument);
        }

        boolean inSandbox() {
            return sandbox != null;
        }

        /** The last part of the path, for a copy into a directory. */
        String fileName() {
            String trimmed = path.replaceAll("/+$", "");
            return trimmed.substring(trimmed.lastIndexOf('/') + 1);
        }
    }

    @Mixin
    private ApiOptions api;

    @Parameters(index = "0", paramLabel = "SRC", description = "The file to copy: ID:/path or a local path.")
    private String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Where to copy it: ID:/path or a local path.")
    private String destination;

    @Option(names = {"-q", "--quiet"}, description = "Do not show progress (shown for copies over 1 MiB).")
    private boolean quiet;

    @Spec
    private CommandSpec spec;

    private final Terminal terminal;

    CpCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        Location from = Location.of(source);
        Location to = Location.of(destination);
        if (from.inSandbox() == to.inSandbox()) {
            throw new ParameterException(spec.commandLine(),
                    "one of SRC and DST must be a sandbox path such as ID:/root/file and the other a local path, but were '"
                            + source + "' and '" + destination + "'");
        }
        try (Perpetua client = api.connect(terminal.env())) {
            if (to.inSandbox()) {
                upload(client, Path.of(from.path()), to);
            } else {
                download(client, from, Path.of(to.path()));
            }
        }
        return 0;
    }

    private void upload(Perpetua client, Path local, Location to) {
        if (!Files.isRegularFile(local)) {
            throw new CliException("cannot copy " + local + ": " + (Files.exists(local) ? "not a regular file" : "no such file"));
        }
        io.perpetua.client.Files files = client.sandboxes().handle(to.sandbox()).files();
        String target = targetIn(files, to.path(), local.getFileName().toString());
        try (InputStream in = Files.newInputStream(local)) {
            long size = Files.size(local);
            Progress progress = new Progress(terminal.err(), "uploaded", size, quiet);
            files.upload(target, progress.counting(in), size);
            progress.done();
        } catch (IOException e) {
            throw new CliException("cannot read " + local + ": " + e.getMessage(), e);
        }
    }

    /** {@code path}, or the file under its own name in it when it is a directory (or ends with a slash). */
    private static String targetIn(io.perpetua.client.Files files, String path, String name) {
        if (path.endsWith("/")) {
            return path + name;
        }
        try {
            return files.stat(path).isDirectory() ? path + "/" + name : path;
        } catch (NotFoundException e) {
            return path;
        }
    }

    private void download(Perpetua client, Location from, Path local) {
        Path target = Files.isDirectory(local) ? local.resolve(from.fileName()) : local;
        Progress progress = new Progress(terminal.err(), "downloaded", -1, quiet);
        // The daemon has answered once the stream is open: a missing file leaves nothing behind locally.
        try (InputStream in = client.sandboxes().handle(from.sandbox()).files().open(from.path())) {
            copy(in, target, progress);
        } catch (IOException e) {
            throw new CliException("cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
        }
        progress.done();
    }

    /** Copies into {@code target}; a copy that fails half way leaves no partial file. */
    private static void copy(InputStream in, Path target, Progress progress) throws IOException {
        boolean complete = false;
        try (OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[BUFFER];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                progress.add(n);
            }
            complete = true;
        } finally {
            if (!complete) {
                Files.deleteIfExists(target);
            }
        }
    }
}
