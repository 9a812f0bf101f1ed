package io.perpetua.server.e2b;

import io.perpetua.error.NotFoundException;
import io.perpetua.files.FileInfo;
import io.perpetua.files.SandboxFiles;
import io.perpetua.files.SandboxPath;
import io.perpetua.processes.FileWatch;
import io.perpetua.processes.SandboxProcesses;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.SandboxId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** envd's {@code filesystem.Filesystem} service over Perpetua's file operations and watches. */
final class FilesystemRpc {

    private static final Map<String, String> EVENT_TYPES = Map.of("created", "EVENT_TYPE_CREATE", "modified", "EVENT_TYPE_WRITE",
            "deleted", "EVENT_TYPE_REMOVE");

    private final SandboxFiles files;
    private final SandboxProcesses processes;
    private final SandboxRuntime runtime;

    FilesystemRpc(SandboxFiles files, SandboxProcesses processes, SandboxRuntime runtime) {
        this.files = files;
        this.processes = processes;
        this.runtime = runtime;
    }

    /** Serves a streaming call: {@code WatchDir}. */
    void stream(String method, SandboxId id, JsonNode request, ConnectStream out, StreamLimits limits) {
        if (!method.equals("WatchDir")) {
            throw new ConnectError("unimplemented", "filesystem.Filesystem/" + method + " is not a streaming call here");
        }
        SandboxPath directory = path(request, "path");
        boolean recursive = Rpc.bool(request, "recursive");
        try (FileWatch watch = FileWatch.open(processes, files, runtime, id, directory)) {
            out.send(Map.of("start", Map.of()));
            StreamRelay.run(() -> {
                List<FileWatch.Change> changes = watch.poll();
                for (FileWatch.Change change : changes) {
                    relative(directory, change.path(), recursive).ifPresent(name ->
                            out.send(Map.of("filesystem", Map.of("name", name, "type", EVENT_TYPES.get(change.kind())))));
                }
                if (watch.ended()) {
                    return StreamRelay.Step.DONE;
                }
                return changes.isEmpty() ? StreamRelay.Step.IDLE : StreamRelay.Step.SENT;
            }, StreamRelay.waiter(watch::await, watch::hearsNews), out, limits, Map.of("keepalive", Map.of()), "the watch ends");
        }
    }

    /** The changed file's name relative to the watched directory; empty for a deeper one when the watch is not recursive. */
    private static Optional<String> relative(SandboxPath directory, String path, boolean recursive) {
        String prefix = directory.value().endsWith("/") ? directory.value() : directory.value() + "/";
        if (!path.startsWith(prefix)) {
            return Optional.empty();
        }
        String name = path.substring(prefix.length());
        return recursive || !name.contains("/") ? Optional.of(name) : Optional.empty();
    }

    /** Answers a unary call. */
    Object call(String method, SandboxId id, JsonNode request) {
        return switch (method) {
            case "Stat" -> Map.of("entry", entry(files.stat(id, path(request, "path"))));
            case "ListDir" -> list(id, request);
            case "MakeDir" -> makeDir(id, request);
            case "Move" -> Map.of("entry", entry(files.move(id, path(request, "source"), path(request, "destination"), true)));
            case "Remove" -> remove(id, request);
            case "WatchDir" -> throw ConnectError.invalid(method + " is a streaming call: send it as " + ConnectStream.CONTENT_TYPE);
            default -> throw new ConnectError("unimplemented", "filesystem.Filesystem/" + method + " is not implemented");
        };
    }

    private Map<String, Object> list(SandboxId id, JsonNode request) {
        long depth = Rpc.integer(request, "depth", 1);
        if (depth < 1 || depth > 64) {
            throw ConnectError.invalid("depth must be between 1 and 64 but was " + depth);
        }
        List<Map<String, Object>> entries = files.list(id, path(request, "path"), (int) depth).entries().stream()
                .filter(info -> !fileType(info).equals("FILE_TYPE_UNSPECIFIED"))
                .map(FilesystemRpc::entry).toList();
        return Map.of("entries", entries);
    }

    /** envd's MakeDir makes missing parents too, and tells an existing directory by {@code already_exists}. */
    private Map<String, Object> makeDir(SandboxId id, JsonNode request) {
        SandboxPath path = path(request, "path");
        try {
            files.stat(id, path);
            throw new ConnectError("already_exists", path + " already exists");
        } catch (NotFoundException e) {
            return Map.of("entry", entry(files.mkdir(id, path, true)));
        }
    }

    private Map<String, Object> remove(SandboxId id, JsonNode request) {
        files.delete(id, path(request, "path"), true);
        return Map.of();
    }

    private static SandboxPath path(JsonNode request, String field) {
        return EnvdPaths.resolve(Rpc.string(request, field), Rpc.string(request, "username"), field);
    }

    /** envd's EntryInfo of a file. */
    static Map<String, Object> entry(FileInfo info) {
        Map<String, Object> entry = new LinkedHashMap<>();
        String path = info.path();
        entry.put("name", path.equals("/") ? "/" : path.substring(path.lastIndexOf('/') + 1));
        entry.put("type", fileType(info));
        entry.put("path", path);
        entry.put("size", info.sizeBytes());
        int mode = Integer.parseInt(info.mode(), 8);
        entry.put("mode", mode);
        entry.put("permissions", permissions(info.type(), mode));
        entry.put("owner", "root");
        entry.put("group", "root");
        entry.put("modifiedTime", info.modifiedAt().toString());
        if (info.symlinkTarget() != null) {
            entry.put("symlinkTarget", info.symlinkTarget());
        }
        return entry;
    }

    private static String fileType(FileInfo info) {
        return switch (info.type()) {
            case "file" -> "FILE_TYPE_FILE";
            case "directory" -> "FILE_TYPE_DIRECTORY";
            case "symlink" -> "FILE_TYPE_SYMLINK";
            default -> "FILE_TYPE_UNSPECIFIED";
        };
    }

    /** As ls -l shows them: {@code drwxr-xr-x}. */
    private static String permissions(String type, int mode) {
        StringBuilder text = new StringBuilder(switch (type) {
            case "directory" -> "d";
            case "symlink" -> "l";
            default -> "-";
        });
        String letters = "rwxrwxrwx";
        for (int bit = 8; bit >= 0; bit--) {
            text.append((mode & (1 << bit)) != 0 ? letters.charAt(8 - bit) : '-');
        }
        return text.toString();
    }
}
