package io.perpetua.server.mcp;

import io.perpetua.access.Previews;
import io.perpetua.access.ProjectId;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.files.FileInfo;
import io.perpetua.files.SandboxFiles;
import io.perpetua.files.SandboxPath;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.processes.OutputChunk;
import io.perpetua.processes.OutputFollower;
import io.perpetua.processes.ProcessInfo;
import io.perpetua.processes.ProcessSpec;
import io.perpetua.processes.SandboxProcesses;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.text.Utf8Decoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tools an agent needs of a sandbox, as MCP exposes them: each with a JSON Schema of its
 * input (checked by the MCP SDK before the call) and a handler over the same engine, processes,
 * files and previews as {@code /v1}, for the caller's project only.
 */
final class SandboxTools {

    /** The caller of a tool: the project its key belongs to, and the daemon's address as the caller reaches it. */
    record Caller(ProjectId project, String baseUrl) {
    }

    /** One tool. */
    record Tool(String name, String description, String inputSchema, Handler handler) {
    }

    /** What a tool does; its answer becomes the call's JSON result. */
    @FunctionalInterface
    interface Handler {
        Object call(Caller caller, ToolArguments arguments);
    }

    /** Largest file read_file and edit_file take whole. */
    static final int MAX_FILE_BYTES = 8 * 1024 * 1024;
    private static final String ID = "\"id\": {\"type\": \"string\", \"description\": \"the sandbox's id\"}";

    private final SandboxService sandboxes;
    private final SandboxProcesses processes;
    private final SandboxFiles files;
    private final Previews previews;

    SandboxTools(SandboxService sandboxes, SandboxProcesses processes, SandboxFiles files, Previews previews) {
        this.sandboxes = sandboxes;
        this.processes = processes;
        this.files = files;
        this.previews = previews;
    }

    List<Tool> all() {
        return List.of(
                new Tool("create_sandbox", "Creates a sandbox (an isolated Linux machine that sleeps when idle and keeps everything) and "
                        + "returns it.", schema("""
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "env": {"type": "object", "additionalProperties": {"type": "string"}},
                        "memoryMb": {"type": "integer", "minimum": 64},
                        "cpus": {"type": "number", "minimum": 0.1},
                        "idleTimeoutSeconds": {"type": "integer", "minimum": 1}""", ""), this::create),
                new Tool("list_sandboxes", "Lists the sandboxes of this key's project.", schema("", ""),
                        (caller, args) -> Map.of("sandboxes", sandboxes.list().stream().filter(s -> s.project().equals(caller.project()))
                                .map(SandboxTools::view).toList())),
                new Tool("get_sandbox", "Returns a sandbox: its state, labels and limits. Does not wake it.", schema(ID, "\"id\""),
                        (caller, args) -> view(owned(caller, args))),
                new Tool("standby_sandbox", "Puts a sandbox to sleep now: its processes freeze, nothing is lost, the next call wakes it.",
                        schema(ID, "\"id\""), (caller, args) -> view(sandboxes.standby(owned(caller, args).id()))),
                new Tool("delete_sandbox", "Deletes a sandbox with everything in it.", schema(ID, "\"id\""), this::delete),
                new Tool("exec", "Runs a command in a sandbox (waking it if it sleeps) and returns its exit code and output. "
                        + "Give either command (a shell command line) or cmd (a program and its arguments).", schema(ID + """
                        ,
                        "command": {"type": "string"},
                        "cmd": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                        "cwd": {"type": "string"},
                        "env": {"type": "object", "additionalProperties": {"type": "string"}},
                        "stdin": {"type": "string"},
                        "timeoutSeconds": {"type": "integer", "minimum": 1, "maximum": 86400}""", "\"id\""), this::exec),
                new Tool("start_process", "Starts a background process (a server, a build) and returns its processId; its output is "
                        + "kept and read with process_logs.", schema(ID + """
                        ,
                        "command": {"type": "string"},
                        "cmd": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                        "cwd": {"type": "string"},
                        "env": {"type": "object", "additionalProperties": {"type": "string"}},
                        "keepAlive": {"type": "boolean", "description": "keep the sandbox awake until the process exits"},
                        "name": {"type": "string"}""", "\"id\""), this::startProcess),
                new Tool("process_logs", "Returns a background process's output from an offset (0: from the start) and whether it "
                        + "still runs; pass the returned next offset to read on.", schema(ID + """
                        ,
                        "processId": {"type": "string"},
                        "from": {"type": "integer", "minimum": 0}""", "\"id\", \"processId\""), this::logs),
                new Tool("signal_process", "Sends a signal (TERM, KILL, INT, HUP, …) to a background process and everything it started.",
                        schema(ID + """
                        ,
                        "processId": {"type": "string"},
                        "signal": {"type": "string"}""", "\"id\", \"processId\", \"signal\""), this::signal),
                new Tool("read_file", "Reads a file of a sandbox as text (UTF-8; other bytes come as base64).", schema(ID + """
                        ,
                        "path": {"type": "string"}""", "\"id\", \"path\""), this::read),
                new Tool("write_file", "Writes a text file in a sandbox, making its directories; replaces it whole.", schema(ID + """
                        ,
                        "path": {"type": "string"},
                        "content": {"type": "string"}""", "\"id\", \"path\", \"content\""), this::write),
                new Tool("list_files", "Lists a directory of a sandbox, depth levels deep (1 by default).", schema(ID + """
                        ,
                        "path": {"type": "string"},
                        "depth": {"type": "integer", "minimum": 1, "maximum": 64}""", "\"id\", \"path\""), this::list),
                new Tool("edit_file", "Replaces an exact string in a text file: oldString must appear exactly once, or replaceAll "
                        + "must be true.", schema(ID + """
                        ,
                        "path": {"type": "string"},
                        "oldString": {"type": "string", "minLength": 1},
                        "newString": {"type": "string"},
                        "replaceAll": {"type": "boolean"}""", "\"id\", \"path\", \"oldString\", \"newString\""), this::edit),
                new Tool("open_preview", "Opens a URL to a port of a sandbox (a web server in it), reachable with that URL alone.",
                        schema(ID + """
                        ,
                        "port": {"type": "integer", "minimum": 1, "maximum": 65535}""", "\"id\", \"port\""), this::preview));
    }

    /** A JSON Schema of an object with {@code properties} and {@code required}, and nothing else. */
    private static String schema(String properties, String required) {
        return "{\"type\": \"object\", \"properties\": {" + properties + "}, \"required\": [" + required + "], "
                + "\"additionalProperties\": false}";
    }

    private Object create(Caller caller, ToolArguments args) {
        Integer idle = args.optionalInteger("idleTimeoutSeconds");
        SandboxSpec spec = new SandboxSpec(null, idle == null ? null : Duration.ofSeconds(idle), null, args.stringMap("env"),
                args.stringMap("labels"), args.optionalInteger("memoryMb"), args.optionalNumber("cpus"));
        return view(sandboxes.create(caller.project(), spec));
    }

    private Object delete(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        sandboxes.delete(id);
        return Map.of("deleted", id.value());
    }

    private Object exec(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        Integer timeout = args.optionalInteger("timeoutSeconds");
        ExecResult result = sandboxes.exec(id, new ExecRequest(command(args), args.optionalString("cwd"), args.stringMap("env"),
                args.optionalString("stdin"), timeout == null ? null : Duration.ofSeconds(timeout)));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("exitCode", result.exitCode());
        answer.put("stdout", result.stdout());
        answer.put("stderr", result.stderr());
        answer.put("timedOut", result.timedOut());
        return answer;
    }

    private Object startProcess(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        ProcessInfo started = processes.start(id, new ProcessSpec(command(args), args.optionalString("cwd"), args.stringMap("env"),
                args.flag("keepAlive"), args.optionalString("name")));
        return process(started);
    }

    private Object logs(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        Integer from = args.optionalInteger("from");
        OutputFollower output = processes.follow(id, args.string("processId"), from == null ? 0 : from);
        OutputFollower.Poll poll = output.poll(MAX_FILE_BYTES);
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        for (OutputChunk chunk : poll.chunks()) {
            (chunk.stream().equals("stderr") ? stderr : stdout).append(chunk.text());
        }
        Map<String, Object> answer = new LinkedHashMap<>(process(poll.process()));
        answer.put("stdout", stdout.toString());
        answer.put("stderr", stderr.toString());
        answer.put("next", output.position());
        return answer;
    }

    private Object signal(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        processes.signal(id, args.string("processId"), args.string("signal"));
        return process(processes.get(id, args.string("processId")));
    }

    private Object read(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        SandboxPath path = SandboxPath.of(args.string("path"), "path");
        byte[] bytes = readWhole(id, path);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("path", path.value());
        answer.put("sizeBytes", bytes.length);
        try {
            answer.put("content", StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            answer.put("encoding", "base64");
            answer.put("content", Base64.getEncoder().encodeToString(bytes));
        }
        return answer;
    }

    private Object write(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        byte[] content = args.string("content").getBytes(StandardCharsets.UTF_8);
        return file(files.write(id, SandboxPath.of(args.string("path"), "path"), new ByteArrayInputStream(content), content.length));
    }

    private Object list(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        Integer depth = args.optionalInteger("depth");
        var listing = files.list(id, SandboxPath.of(args.string("path"), "path"), depth == null ? 1 : depth);
        return Map.of("path", listing.path(), "entries", listing.entries().stream().map(SandboxTools::file).toList(),
                "truncated", listing.truncated());
    }

    /** Claude's str_replace: an exact string, found once (or replaced everywhere if asked), or an error that says why not. */
    private Object edit(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        SandboxPath path = SandboxPath.of(args.string("path"), "path");
        byte[] before = readWhole(id, path);
        String text = Utf8Decoder.wholeCharacters(before, 0, before.length);
        String oldString = args.string("oldString");
        int found = occurrences(text, oldString);
        if (found == 0) {
            throw new InvalidInputException("oldString", "oldString does not appear in " + path);
        }
        if (found > 1 && !args.flag("replaceAll")) {
            throw new InvalidInputException("oldString", "oldString appears " + found + " times in " + path
                    + "; give more of the text around it, or replaceAll: true");
        }
        String edited = args.flag("replaceAll") ? text.replace(oldString, args.string("newString"))
                : text.replaceFirst(Pattern.quote(oldString), Matcher.quoteReplacement(args.string("newString")));
        byte[] content = edited.getBytes(StandardCharsets.UTF_8);
        files.write(id, path, new ByteArrayInputStream(content), content.length);
        return Map.of("path", path.value(), "replacements", args.flag("replaceAll") ? found : 1);
    }

    private Object preview(Caller caller, ToolArguments args) {
        SandboxId id = owned(caller, args).id();
        Previews.IssuedPreview issued = previews.create(id, args.optionalInteger("port"));
        return Map.of("previewId", issued.preview().id(), "port", issued.preview().port(),
                "url", caller.baseUrl() + "/preview/" + issued.token() + "/");
    }

    private byte[] readWhole(SandboxId id, SandboxPath path) {
        BoundedBytes bytes = new BoundedBytes();
        files.read(id, path, () -> bytes);
        return bytes.toByteArray();
    }

    /** The bytes of a file read whole, refused past {@link #MAX_FILE_BYTES}. */
    private static final class BoundedBytes extends ByteArrayOutputStream {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (size() + (long) len > MAX_FILE_BYTES) {
                throw new InvalidInputException("path", "the file is larger than " + MAX_FILE_BYTES + " bytes; read it with exec");
            }
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    /** The command to run: {@code cmd} as it is, or {@code command} through a shell; exactly one of them. */
    private static List<String> command(ToolArguments args) {
        List<String> cmd = args.strings("cmd");
        String command = args.optionalString("command");
        if ((cmd == null) == (command == null)) {
            throw new InvalidInputException("command", "give either command (a shell command line) or cmd (a program and its arguments)");
        }
        return cmd != null ? cmd : new ArrayList<>(List.of("sh", "-c", command));
    }

    private Sandbox owned(Caller caller, ToolArguments args) {
        SandboxId id = args.sandbox();
        return sandboxes.find(id.value()).filter(sandbox -> sandbox.project().equals(caller.project()))
                .orElseThrow(() -> NotFoundException.sandbox(id.value()));
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static Map<String, Object> view(Sandbox sandbox) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", sandbox.id().value());
        view.put("state", sandbox.state().wireName());
        view.put("labels", sandbox.spec().labels());
        view.put("memoryMb", sandbox.spec().memoryMb());
        view.put("cpus", sandbox.spec().cpus());
        view.put("createdAt", sandbox.createdAt().toString());
        return view;
    }

    private static Map<String, Object> process(ProcessInfo process) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("processId", process.id());
        view.put("pid", process.pid());
        view.put("status", process.status());
        if (process.exitCode() != null) {
            view.put("exitCode", process.exitCode());
        }
        if (process.name() != null) {
            view.put("name", process.name());
        }
        return view;
    }

    private static Map<String, Object> file(FileInfo info) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("path", info.path());
        view.put("type", info.type());
        view.put("sizeBytes", info.sizeBytes());
        view.put("modifiedAt", info.modifiedAt().toString());
        return view;
    }
}
