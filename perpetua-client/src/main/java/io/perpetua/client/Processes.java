package io.perpetua.client;

import java.util.List;
import java.util.Objects;

/** The background processes of one sandbox, from {@link Sandbox#processes()}. */
public final class Processes {

    private final Http http;
    private final String path;

    Processes(Http http, String sandboxPath) {
        this.http = http;
        this.path = sandboxPath + "/processes";
    }

    /**
     * Starts a background process ({@code POST /processes}) and answers at once.
     *
     * @param command what to start
     * @return the started process
     * @throws InvalidRequestException when the daemon rejects a part of the command
     */
    public Process start(ProcessCommand command) {
        Objects.requireNonNull(command, "command");
        ProcessInfo info = http.json(http.post(path, command.body()), ProcessInfo::from);
        return new Process(http, path, info.id(), info);
    }

    /**
     * Starts a background process with the defaults of {@link ProcessCommand}.
     *
     * @param cmd the program and its arguments, run without a shell
     * @return the started process
     */
    public Process start(String... cmd) {
        return start(ProcessCommand.of(cmd));
    }

    /**
     * Lists the sandbox's processes, running and ended.
     *
     * @return every process, each holding its info as of this call
     */
    public List<Process> list() {
        return http.json(http.get(path), json -> json.objects("processes").stream()
                .map(ProcessInfo::from)
                .map(info -> new Process(http, path, info.id(), info))
                .toList());
    }

    /**
     * Fetches a process.
     *
     * @param processId the process's id
     * @return the process, holding its info as of this call
     * @throws NotFoundException when there is no such process
     */
    public Process get(String processId) {
        Process process = handle(processId);
        process.refresh();
        return process;
    }

    /**
     * A handle on the process with this id, made without asking the daemon.
     *
     * @param processId the process's id
     * @return a handle whose {@link Process#info()} is fetched when first asked for
     * @throws IllegalArgumentException if {@code processId} is blank
     */
    public Process handle(String processId) {
        return new Process(http, path, Validation.notBlank(processId, "processId"), null);
    }
}
