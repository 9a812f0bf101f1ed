package io.perpetua.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A handle on one sandbox: runs commands in it, moves it between states, and reaches its files
 * and processes. Every call that needs the sandbox's processes wakes it from standby or
 * hibernation first, transparently. A handle is thread-safe.
 */
public final class Sandbox {

    /** The most copies one {@link #fork(int)} makes. */
    public static final int MAX_FORKS = 20;

    private final Http http;
    private final String id;
    private final String path;
    private final Files files;
    private final Processes processes;
    private volatile SandboxInfo info;

    Sandbox(Http http, String id, SandboxInfo info) {
        this.http = http;
        this.id = id;
        this.path = "/v1/sandboxes/" + Http.segment(id);
        this.files = new Files(http, path);
        this.processes = new Processes(http, path);
        this.info = info;
    }

    /** A handle on the sandbox {@code info} describes, holding that info. */
    static Sandbox of(Http http, SandboxInfo info) {
        return new Sandbox(http, info.id(), info);
    }

    /**
     * The sandbox's id.
     *
     * @return the id, such as {@code sbq3k7x2mfa4z5hd}
     */
    public String id() {
        return id;
    }

    /**
     * The sandbox as last seen: by the call that made this handle, by {@link #refresh()}, or by
     * a state change made through it. A handle made from an id alone fetches it on first use.
     *
     * @return the last known info
     * @throws NotFoundException when it must be fetched and the sandbox does not exist
     */
    public SandboxInfo info() {
        SandboxInfo known = info;
        return known != null ? known : refresh();
    }

    /**
     * Fetches the sandbox again ({@code GET /v1/sandboxes/{id}}). Reading it does not wake it.
     *
     * @return its info now, which {@link #info()} answers from then on
     * @throws NotFoundException when the sandbox no longer exists
     */
    public SandboxInfo refresh() {
        return remember(http.json(http.get(path), SandboxInfo::from));
    }

    /**
     * Runs a command and waits for it ({@code POST /exec}), with the defaults of {@link ExecCommand}.
     *
     * @param cmd the program and its arguments, run without a shell
     * @return its exit code and output
     */
    public ExecResult exec(String... cmd) {
        return exec(ExecCommand.of(cmd));
    }

    /**
     * Runs a command and waits for it ({@code POST /exec}). Output beyond 8 MiB per stream is
     * dropped ({@link ExecResult#truncated()}); use {@link #execStreaming} for more.
     *
     * @param command what to run
     * @return its exit code and output
     * @throws InvalidRequestException when the daemon rejects a part of the command, such as {@code cmd[1]}
     */
    public ExecResult exec(ExecCommand command) {
        Objects.requireNonNull(command, "command");
        return http.json(http.post(path + "/exec", command.body()), ExecResult::from);
    }

    /**
     * Runs a command and passes its output to {@code listener} as it is written, then answers
     * how it ended. The output is not kept, so there is no limit to it.
     *
     * @param command  what to run
     * @param listener receives the output, on this thread
     * @return its exit code, duration and whether it timed out
     * @throws PerpetuaException with the code {@link PerpetuaException#CONNECTION_LOST} when the
     *                           stream ends before the command did
     */
    public ExecExit execStreaming(ExecCommand command, OutputListener listener) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(listener, "listener");
        return ExecStream.run(http, path + "/exec", command, listener);
    }

    /**
     * Freezes the sandbox's processes now instead of at the end of its idle window.
     *
     * @return the sandbox, in {@code standby}
     * @throws ConflictException when its state forbids it
     */
    public SandboxInfo standby() {
        return transition("standby");
    }

    /**
     * Gives the sandbox's memory back to the host now (a running one goes to standby first): it
     * stays frozen with every process, its memory in the daemon's swap, and wakes by thawing, its
     * pages coming back as they are touched.
     *
     * @return the sandbox, {@code reclaimed}
     * @throws ConflictException when its state forbids it, or with code {@code reclaim_unavailable}
     *                           when the daemon has no swap
     */
    public SandboxInfo reclaim() {
        return transition("reclaim");
    }

    /**
     * Checkpoints the sandbox to disk now, freeing its memory.
     *
     * @return the sandbox, {@code hibernated}
     * @throws ConflictException when its state forbids it
     */
    public SandboxInfo hibernate() {
        return transition("hibernate");
    }

    /**
     * Brings the sandbox back to running from standby or hibernation.
     *
     * @return the sandbox, {@code running}
     * @throws ConflictException when its state forbids it
     */
    public SandboxInfo resume() {
        return transition("resume");
    }

    /**
     * Deletes the sandbox: every process and file of it is gone. The snapshots saved of it with
     * {@link #snapshot()} are kept until deleted through {@link Perpetua#snapshots()}.
     *
     * @throws NotFoundException when it does not exist (any more)
     */
    public void delete() {
        http.discard(http.delete(path));
    }

    /**
     * Opens a shell ({@code bash -l}) on a terminal of {@code rows} by {@code cols} in the
     * sandbox, waking it first.
     *
     * @param rows   lines of the terminal
     * @param cols   columns of the terminal
     * @param output receives what the terminal shows, as it comes, on a thread of the client
     * @return the open terminal, to be closed when done
     */
    public TerminalSession openTerminal(int rows, int cols, Consumer<byte[]> output) {
        return TerminalSession.open(http, path + "/terminal?rows=" + rows + "&cols=" + cols, output);
    }

    /**
     * Opens a TCP connection to {@code port} in the sandbox, through the daemon, waking the
     * sandbox first: for protocols other than HTTP (which the port proxy at
     * {@code /v1/sandboxes/{id}/ports/{port}/} serves directly).
     *
     * @param port the port a server in the sandbox listens on, 1 to 65535
     * @return the open connection, to be closed when done
     * @throws ServerException with code {@code port_unreachable} if nothing listens on the port
     */
    public PortConnection connect(int port) {
        return PortConnection.open(http, path + "/tcp/" + Validation.port(port));
    }

    /**
     * The sandbox's files.
     *
     * @return the entry point for reading, writing and listing its files
     */
    public Files files() {
        return files;
    }

    /**
     * The sandbox's background processes.
     *
     * @return the entry point for starting and finding its processes
     */
    public Processes processes() {
        return processes;
    }

    @Override
    public String toString() {
        SandboxInfo known = info;
        return "Sandbox[" + id + (known == null ? "" : ", " + known.state()) + "]";
    }

    /**
     * Replaces where the sandbox may open connections to ({@code PUT /v1/sandboxes/{id}/network}),
     * enforced before this returns; it does not wake the sandbox.
     *
     * @param policy the new policy; {@link NetworkPolicy#DEFAULT} goes back to the daemon's default
     * @return the sandbox's info, with its new policy
     * @throws InvalidRequestException naming the entry, such as {@code network.allowOut[1]}, if one is not an
     *                                 address, CIDR block or host name, or a host name does not resolve
     */
    public SandboxInfo setNetwork(NetworkPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return remember(http.json(http.put(path + "/network", policy.body()), SandboxInfo::from));
    }

    /**
     * Replaces the sandbox's lifecycle ({@code PATCH /v1/sandboxes/{id}}), both what it does once
     * idle and its rules, in whatever state it is, without waking it. A rule whose deadline has
     * passed deletes the sandbox at the daemon's next tick.
     *
     * @param lifecycle the new lifecycle; {@link Lifecycle#DEFAULT} makes it perpetual again, with no rule
     * @return the sandbox's info, with its new lifecycle and {@link SandboxInfo#expiresAt()}
     * @throws InvalidRequestException naming the field, such as {@code lifecycle.expirationPolicies[0].value}, if the
     *                                 daemon refuses a part
     */
    public SandboxInfo setLifecycle(Lifecycle lifecycle) {
        Objects.requireNonNull(lifecycle, "lifecycle");
        return patchLifecycle(lifecycle.body());
    }

    /**
     * Changes what the sandbox does once idle, keeping its rules ({@code PATCH /v1/sandboxes/{id}}),
     * without waking it.
     *
     * @param onIdle standby (perpetual), none (persistent: never sleeps) or delete (ephemeral)
     * @return the sandbox's info, with its new lifecycle
     */
    public SandboxInfo setOnIdle(Lifecycle.OnIdle onIdle) {
        Objects.requireNonNull(onIdle, "onIdle");
        return patchLifecycle(Map.of("onIdle", onIdle.apiValue()));
    }

    /**
     * Replaces the rules that delete the sandbox, keeping what it does once idle
     * ({@code PATCH /v1/sandboxes/{id}}), without waking it.
     *
     * @param policies the new rules, at most one of each type; none removes every rule, so that it lives until deleted
     * @return the sandbox's info, with its new rules and {@link SandboxInfo#expiresAt()}
     * @throws IllegalArgumentException if a rule is null or two have the same type
     */
    public SandboxInfo setExpirationPolicies(List<ExpirationPolicy> policies) {
        Objects.requireNonNull(policies, "policies");
        return patchLifecycle(Map.of("expirationPolicies", Lifecycle.policies(new Lifecycle(null, policies).expirationPolicies())));
    }

    /**
     * Opens a port of the sandbox to browsers ({@code POST /v1/sandboxes/{id}/previews}): its URL
     * needs no API key, so share it like a password; revoke it when done.
     *
     * @param port the port in the sandbox, 1 to 65535
     * @return the preview, with its URL: shown this once
     */
    public IssuedPreview openPreview(int port) {
        return http.json(http.post(path + "/previews", Map.of("port", Validation.port(port))), IssuedPreview::from);
    }

    /**
     * Lists the sandbox's previews, revoked ones included ({@code GET /v1/sandboxes/{id}/previews}).
     *
     * @return the previews, oldest first, without their tokens
     */
    public List<PreviewInfo> previews() {
        return http.json(http.get(path + "/previews"), json -> json.objects("previews").stream().map(PreviewInfo::from).toList());
    }

    /**
     * Revokes a preview: its URL answers 404 from now on.
     *
     * @param previewId the preview's id
     * @throws NotFoundException if the sandbox has no such preview
     */
    public void revokePreview(String previewId) {
        http.discard(http.delete(path + "/previews/" + URLEncoder.encode(Validation.notBlank(previewId, "previewId"), StandardCharsets.UTF_8)));
    }

    /**
     * Saves the sandbox's complete state (memory, processes, files) as an unnamed snapshot
     * ({@code POST /v1/sandboxes/{id}/snapshots}), as {@link #snapshot(String)} does.
     *
     * @return the snapshot, sealed
     * @throws ConflictException with the code {@code sandbox_has_connections} if it holds open TCP connections,
     *                           or {@code sandbox_busy} if it is serving a request
     */
    public SavedSnapshotInfo snapshot() {
        return takeSnapshot(new RequestBody());
    }

    /**
     * Saves the sandbox's complete state (memory, processes, files) as a snapshot of its project
     * ({@code POST /v1/sandboxes/{id}/snapshots}), kept until deleted, whatever becomes of the
     * sandbox. The sandbox is woken first if it sleeps and runs on afterwards with the same
     * processes, which its clients see as a pause.
     *
     * @param name what to call it: 1 to {@value SavedSnapshotInfo#MAX_NAME_LENGTH} characters, not blank
     * @return the snapshot, sealed
     * @throws IllegalArgumentException if {@code name} is blank or too long
     * @throws ConflictException        with the code {@code sandbox_has_connections} if it holds open TCP
     *                                  connections, or {@code sandbox_busy} if it is serving a request
     * @throws QuotaExceededException   if waking it would exceed the project's running limit
     */
    public SavedSnapshotInfo snapshot(String name) {
        return takeSnapshot(new RequestBody().set("name", Validation.snapshotName(name)));
    }

    /**
     * Lists the snapshots taken of this sandbox ({@code GET /v1/sandboxes/{id}/snapshots}); reading
     * them does not wake it.
     *
     * @return its snapshots, oldest first
     * @throws NotFoundException when the sandbox does not exist
     */
    public List<SavedSnapshotInfo> snapshots() {
        return http.json(http.get(path + "/snapshots"), Snapshots::decodeList);
    }

    /**
     * Puts the sandbox back to one of its snapshots ({@code POST /v1/sandboxes/{id}/restore}):
     * processes, memory and files become what they were when it was taken, under the same id.
     *
     * @param snapshotId the id of a snapshot taken of this sandbox
     * @return the sandbox, {@code running}
     * @throws IllegalArgumentException if {@code snapshotId} is blank
     * @throws InvalidRequestException  if the snapshot was taken of another sandbox
     * @throws NotFoundException        with the code {@code snapshot_not_found} or {@code sandbox_not_found}
     * @throws ConflictException        with the code {@code snapshot_corrupt} if the snapshot is damaged, or
     *                                  {@code sandbox_busy}; the sandbox is unchanged then
     */
    public SandboxInfo restore(String snapshotId) {
        Map<String, Object> body = Map.of("snapshot", Validation.notBlank(snapshotId, "snapshotId"));
        return remember(http.json(http.post(path + "/restore", body), SandboxInfo::from));
    }

    /**
     * Snapshots the sandbox and starts {@code count} copies of it ({@code POST /v1/sandboxes/{id}/fork}):
     * each a new sandbox with the source's processes, memory and files, and an id, address and
     * disk of its own. All or nothing: if one copy cannot be made, none is kept, nor the snapshot.
     *
     * @param count how many copies, 1 to {@value #MAX_FORKS}
     * @return the snapshot and the copies, running
     * @throws IllegalArgumentException if {@code count} is out of range
     * @throws ConflictException        if the sandbox is busy or holds open TCP connections
     * @throws QuotaExceededException   if the copies would exceed a limit of the project
     */
    public Fork fork(int count) {
        Map<String, Object> body = Map.of("count", Validation.between(count, 1, MAX_FORKS, "count"));
        return http.json(http.post(path + "/fork", body), json -> Fork.from(http, json));
    }

    /**
     * Mounts a drive into the sandbox read-write ({@code POST /v1/sandboxes/{id}/drives}), as
     * {@link #mountDrive(String, String, boolean)} does.
     *
     * @param idOrName  the drive's id or name ({@link Perpetua#drives()})
     * @param mountPath where it appears in the sandbox, such as {@code /shared}
     * @return the sandbox's info, with the drive in its {@link SandboxInfo#mounts()}
     * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
     * @throws InvalidRequestException  if the project has no such drive, the path cannot be mounted at or is taken,
     *                                  or the sandbox mounts the drive already
     */
    public SandboxInfo mountDrive(String idOrName, String mountPath) {
        return mountDrive(idOrName, mountPath, false);
    }

    /**
     * Mounts a drive into the sandbox ({@code POST /v1/sandboxes/{id}/drives}), at once and
     * without a restart; a sleeping sandbox is woken first. The drive stays mounted through
     * standby, hibernation and restores, for the sandbox's life.
     *
     * @param idOrName  the drive's id or name ({@link Perpetua#drives()})
     * @param mountPath where it appears in the sandbox, such as {@code /shared}
     * @param readOnly  true to only read it
     * @return the sandbox's info, with the drive in its {@link SandboxInfo#mounts()}
     * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
     * @throws InvalidRequestException  if the project has no such drive, the path cannot be mounted at or is taken,
     *                                  or the sandbox mounts the drive already
     * @throws NotFoundException        when the sandbox does not exist
     */
    public SandboxInfo mountDrive(String idOrName, String mountPath, boolean readOnly) {
        Map<String, Object> body = Mount.drive(idOrName, mountPath, readOnly).body();
        return remember(http.json(http.post(path + "/drives", body), SandboxInfo::from));
    }

    private SandboxInfo patchLifecycle(Map<String, Object> lifecycle) {
        return remember(http.json(http.patch(path, Map.of("lifecycle", lifecycle)), SandboxInfo::from));
    }

    private SavedSnapshotInfo takeSnapshot(RequestBody body) {
        return http.json(http.post(path + "/snapshots", body.fields()), SavedSnapshotInfo::from);
    }

    private SandboxInfo transition(String action) {
        return remember(http.json(http.post(path + "/" + action, null), SandboxInfo::from));
    }

    private SandboxInfo remember(SandboxInfo fetched) {
        info = fetched;
        return fetched;
    }
}
