package io.perpetua.cli;

import io.perpetua.client.ExecResult;
import io.perpetua.client.ExpirationPolicy;
import io.perpetua.client.FileInfo;
import io.perpetua.client.FileListing;
import io.perpetua.client.Fork;
import io.perpetua.client.KeyInfo;
import io.perpetua.client.LogEvent;
import io.perpetua.client.LogPage;
import io.perpetua.client.MountInfo;
import io.perpetua.client.NetworkPolicy;
import io.perpetua.client.ProcessInfo;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxInfo;
import io.perpetua.client.SavedSnapshotInfo;
import io.perpetua.client.SnapshotInfo;
import io.perpetua.client.TemplateInfo;
import io.perpetua.client.VolumeInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The SDK's values in the API's own JSON shape (names, units, order), for {@code --output json}. */
final class JsonViews {

    private JsonViews() {
    }

    static Map<String, Object> sandbox(SandboxInfo sandbox) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", sandbox.id());
        json.put("project", sandbox.project());
        json.put("state", sandbox.state());
        json.put("template", sandbox.template());
        json.put("createdAt", time(sandbox.createdAt()));
        json.put("stateChangedAt", time(sandbox.stateChangedAt()));
        json.put("lastActivityAt", time(sandbox.lastActivityAt()));
        json.put("idleTimeoutSeconds", sandbox.idleTimeout().toSeconds());
        json.put("hibernateAfterSeconds", sandbox.hibernateAfter().toSeconds());
        json.put("memoryMb", sandbox.memoryMb());
        json.put("cpus", sandbox.cpus());
        json.put("diskMb", sandbox.diskMb());
        json.put("maxProcesses", sandbox.maxProcesses());
        json.put("maxOpenFiles", sandbox.maxOpenFiles());
        json.put("envNames", sandbox.envNames());
        json.put("labels", sandbox.labels());
        json.put("snapshot", sandbox.snapshot() == null ? null : snapshot(sandbox.snapshot()));
        json.put("failureReason", sandbox.failureReason());
        json.put("network", network(sandbox.network()));
        json.put("lifecycle", lifecycle(sandbox));
        json.put("expiresAt", time(sandbox.expiresAt()));
        json.put("mounts", sandbox.mounts().stream().map(JsonViews::mount).toList());
        return json;
    }

    static List<Map<String, Object>> sandboxes(List<SandboxInfo> sandboxes) {
        return sandboxes.stream().map(JsonViews::sandbox).toList();
    }

    static Map<String, Object> exec(ExecResult result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("exitCode", result.exitCode());
        json.put("stdout", result.stdout());
        json.put("stderr", result.stderr());
        json.put("durationMs", result.duration().toMillis());
        json.put("timedOut", result.timedOut());
        json.put("truncated", result.truncated());
        return json;
    }

    static Map<String, Object> file(FileInfo file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", file.path());
        json.put("type", file.type());
        json.put("sizeBytes", file.sizeBytes());
        json.put("mode", file.mode());
        json.put("modifiedAt", time(file.modifiedAt()));
        json.put("symlinkTarget", file.symlinkTarget());
        return json;
    }

    static Map<String, Object> listing(FileListing listing) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", listing.path());
        json.put("entries", listing.entries().stream().map(JsonViews::file).toList());
        json.put("truncated", listing.truncated());
        return json;
    }

    static Map<String, Object> process(ProcessInfo process) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", process.id());
        json.put("name", process.name());
        json.put("cmd", process.cmd());
        json.put("pid", process.pid());
        json.put("status", process.status());
        json.put("exitCode", process.exitCode());
        json.put("signal", process.signal());
        json.put("keepAlive", process.keepAlive());
        json.put("startedAt", time(process.startedAt()));
        return json;
    }

    static Map<String, Object> chunk(LogEvent event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("stream", event.stream());
        json.put("data", event.data());
        json.put("next", event.offset());
        return json;
    }

    /** The pages read one after the other, as one answer of {@code GET …/logs}. */
    static Map<String, Object> logs(List<LogEvent> chunks, LogPage last) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("chunks", chunks.stream().map(JsonViews::chunk).toList());
        json.put("next", last.next());
        json.put("process", process(last.process()));
        return json;
    }

    static Map<String, Object> network(NetworkPolicy policy) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("allowOut", policy.allowOut());
        json.put("denyOut", policy.denyOut());
        return json;
    }

    /** A sandbox's lifecycle as the API shows it: what it does once idle, its rules, and when they delete it. */
    static Map<String, Object> lifecycle(SandboxInfo sandbox) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("onIdle", sandbox.lifecycle().onIdle().apiValue());
        json.put("expirationPolicies", sandbox.lifecycle().expirationPolicies().stream().map(JsonViews::expirationPolicy).toList());
        json.put("expiresAt", time(sandbox.expiresAt()));
        return json;
    }

    static Map<String, Object> expirationPolicy(ExpirationPolicy policy) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", policy.type().apiValue());
        json.put("value", policy.value());
        return json;
    }

    static Map<String, Object> key(KeyInfo key) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", key.id());
        json.put("project", key.project());
        json.put("name", key.name());
        json.put("admin", key.admin());
        json.put("createdAt", time(key.createdAt()));
        json.put("revokedAt", key.revokedAt() == null ? null : time(key.revokedAt()));
        return json;
    }

    static Map<String, Object> savedSnapshot(SavedSnapshotInfo snapshot) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", snapshot.id());
        json.put("name", snapshot.name());
        json.put("sandboxId", snapshot.sandboxId());
        json.put("project", snapshot.project());
        json.put("createdAt", time(snapshot.createdAt()));
        json.put("sizeBytes", snapshot.sizeBytes());
        return json;
    }

    static Map<String, Object> fork(Fork fork) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("snapshot", savedSnapshot(fork.snapshot()));
        json.put("sandboxes", sandboxes(fork.sandboxes().stream().map(Sandbox::info).toList()));
        return json;
    }

    static Map<String, Object> template(TemplateInfo template) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", template.name());
        json.put("id", template.id());
        json.put("state", template.state().apiValue());
        json.put("from", template.from());
        json.put("image", template.image());
        json.put("setup", template.setup());
        json.put("envNames", template.envNames());
        json.put("start", template.start());
        json.put("ready", template.ready());
        json.put("snapshotId", template.snapshotId());
        json.put("warmCopies", template.warmCopies());
        json.put("createdAt", time(template.createdAt()));
        json.put("stateChangedAt", time(template.stateChangedAt()));
        json.put("failureReason", template.failureReason());
        json.put("buildLog", template.buildLog());
        return json;
    }

    /** A volume or drive, with the live sandboxes that mount it. */
    static Map<String, Object> volume(VolumeInfo volume) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", volume.id());
        json.put("name", volume.name());
        json.put("kind", volume.kind().apiValue());
        json.put("sizeMb", volume.sizeMb());
        json.put("usedBytes", volume.usedBytes());
        json.put("createdAt", time(volume.createdAt()));
        json.put("mountedIn", volume.mountedIn().stream().map(holder -> {
            Map<String, Object> mounted = new LinkedHashMap<>();
            mounted.put("sandboxId", holder.sandboxId());
            mounted.put("mountPath", holder.mountPath());
            mounted.put("readOnly", holder.readOnly());
            return mounted;
        }).toList());
        return json;
    }

    /** A volume or drive that a sandbox mounts. */
    private static Map<String, Object> mount(MountInfo mount) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", mount.kind() == null ? null : mount.kind().apiValue());
        json.put("id", mount.id());
        json.put("name", mount.name());
        json.put("mountPath", mount.mountPath());
        json.put("readOnly", mount.readOnly());
        return json;
    }

    private static Map<String, Object> snapshot(SnapshotInfo snapshot) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", snapshot.id());
        json.put("createdAt", time(snapshot.createdAt()));
        json.put("sizeBytes", snapshot.sizeBytes());
        return json;
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
