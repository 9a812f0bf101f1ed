package io.perpetua.server.e2b;

import io.perpetua.access.ProjectId;
import io.perpetua.error.ConflictException;
import io.perpetua.error.NotFoundException;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.store.Annotations;
import io.perpetua.store.SandboxStore;
import io.perpetua.template.Templates;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E2B's lifecycle on Perpetua's. An E2B sandbox is a Perpetua sandbox of the caller's project
 * with a lifetime ({@code timeout}): when it ends, the sandbox is killed (deleted) or, if the
 * caller asked for {@code onTimeout: "pause"}, paused. Paused is Perpetua's standby (and, after
 * a while, hibernation) with every process and all memory kept, and one E2B rule on top: only
 * {@code connect} wakes it, or traffic if the caller asked for {@code autoResume}. A sandbox that
 * E2B reports as running may be asleep in Perpetua's standby all the same: it wakes on the next
 * request, as every Perpetua sandbox does. Everything goes through the engine; this class only
 * keeps the E2B attributes (in the store, and a copy in memory for the envd requests' path).
 */
final class E2bSandboxes {

    private static final Logger log = LoggerFactory.getLogger(E2bSandboxes.class);
    /** E2B's name of the default template. */
    static final String BASE_TEMPLATE = "base";
    private static final String DEFAULT_TEMPLATE = "default";

    /** A sandbox and its E2B attributes. */
    record Entry(Sandbox sandbox, E2bSandbox e2b) {
    }

    private final SandboxService sandboxes;
    private final Templates templates;
    private final SandboxStore store;
    private final Clock clock;
    private final ConcurrentMap<SandboxId, E2bSandbox> attributes = new ConcurrentHashMap<>();

    E2bSandboxes(SandboxService sandboxes, Templates templates, SandboxStore store, Clock clock) {
        this.sandboxes = sandboxes;
        this.templates = templates;
        this.store = store;
        this.clock = clock;
        store.annotated(E2bSandbox.NAMESPACE).forEach((id, values) -> attributes.put(id, E2bSandbox.of(values)));
    }

    /** Perpetua's name of an E2B template. */
    static String perpetuaTemplate(String e2bTemplate) {
        return e2bTemplate == null || e2bTemplate.equals(BASE_TEMPLATE) ? DEFAULT_TEMPLATE : e2bTemplate;
    }

    /**
     * Creates a sandbox whose lifetime starts now, from the project's template of that name if
     * it has one (a restore of its saved state, as E2B's templates are); its E2B attributes are
     * stored with it, before it starts.
     */
    Entry create(ProjectId project, SandboxSpec spec, String templateId, long timeoutSeconds, boolean autoPause, boolean autoResume,
                 boolean publicTraffic) {
        E2bSandbox e2b = new E2bSandbox(templateId, timeoutSeconds, clock.instant().plusSeconds(timeoutSeconds), autoPause, autoResume,
                false, publicTraffic);
        Annotations annotations = new Annotations(E2bSandbox.NAMESPACE, e2b.annotations());
        Sandbox sandbox;
        if (isSnapshot(project, templateId)) {
            sandbox = sandboxes.createFromSnapshot(project, templateId, source -> withEnvAndMetadata(source, spec), annotations);
        } else if (templates.find(project, spec.template()).isPresent()) {
            sandbox = templates.create(project, spec.template(), spec, annotations);
        } else {
            sandbox = sandboxes.create(project, spec, annotations);
        }
        attributes.put(sandbox.id(), e2b);
        return new Entry(sandbox, e2b);
    }

    /** Whether {@code id} names a saved snapshot of {@code project}: E2B makes sandboxes of snapshots as of templates. */
    private boolean isSnapshot(ProjectId project, String id) {
        return id != null && store.findSnapshot(id).filter(saved -> saved.project().equals(project)).isPresent();
    }

    /** The snapshot's sandbox's spec with the environment and metadata the create asked for added. */
    private static SandboxSpec withEnvAndMetadata(SandboxSpec source, SandboxSpec asked) {
        Map<String, String> env = new HashMap<>(source.env());
        env.putAll(asked.env());
        return new SandboxSpec(source.template(), source.idleTimeout(), source.hibernateAfter(), env, asked.labels(), source.memoryMb(),
                source.cpus(), source.diskMb(), source.maxProcesses(), source.maxOpenFiles(), source.network());
    }

    /** Saves the caller's sandbox {@code id} as a snapshot (E2B's createSnapshot); it runs on. */
    SavedSnapshot snapshot(ProjectId project, String id, String name) {
        return sandboxes.snapshot(get(project, id).sandbox().id(), name);
    }

    /** The caller's snapshots, of one sandbox if {@code sandboxId} is given, named or numbered {@code name} if given. */
    List<SavedSnapshot> snapshots(ProjectId project, String sandboxId, String name) {
        return sandboxes.snapshots(project).stream()
                .filter(saved -> sandboxId == null || saved.source().value().equals(sandboxId))
                .filter(saved -> name == null || name.equals(saved.name()) || name.equals(saved.id()))
                .toList();
    }

    /**
     * Deletes the caller's snapshot or template {@code id} (E2B deletes snapshots as templates);
     * false if it has neither.
     */
    boolean deleteTemplate(ProjectId project, String id) {
        if (isSnapshot(project, id)) {
            sandboxes.deleteSnapshot(project, id);
            return true;
        }
        if (templates.find(project, id).isPresent()) {
            templates.delete(project, id);
            return true;
        }
        return false;
    }

    /**
     * E2B's fork: the caller's sandbox {@code id} is saved and {@code count} sandboxes made of it,
     * each with a lifetime of {@code timeoutSeconds} and its source's E2B settings; then the
     * snapshot, which E2B does not show, is deleted. Each fork succeeds or fails on its own.
     */
    List<Fork> fork(ProjectId project, String id, int count, long timeoutSeconds) {
        Entry source = get(project, id);
        SavedSnapshot saved = sandboxes.snapshot(source.sandbox().id(), "fork of " + id);
        List<Fork> forks = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                forks.add(forkOne(project, saved, source.e2b(), timeoutSeconds));
            }
        } finally {
            sandboxes.deleteSnapshot(project, saved.id());
        }
        return forks;
    }

    /** One fork's outcome: the sandbox made, or why it could not be. */
    record Fork(Entry made, RuntimeException failure) {
    }

    private Fork forkOne(ProjectId project, SavedSnapshot saved, E2bSandbox like, long timeoutSeconds) {
        E2bSandbox e2b = new E2bSandbox(like.templateId(), timeoutSeconds, clock.instant().plusSeconds(timeoutSeconds), like.autoPause(),
                like.autoResume(), false, like.publicTraffic());
        try {
            Sandbox sandbox = sandboxes.createFromSnapshot(project, saved.id(), new Annotations(E2bSandbox.NAMESPACE, e2b.annotations()));
            attributes.put(sandbox.id(), e2b);
            return new Fork(new Entry(sandbox, e2b), null);
        } catch (RuntimeException e) {
            return new Fork(null, e);
        }
    }

    /** The caller's sandbox {@code id}; an unknown one, or another project's, is not found. */
    Entry get(ProjectId project, String id) {
        return find(id).filter(entry -> entry.sandbox().project().equals(project)).orElseThrow(() -> E2bException.notFound(id));
    }

    /** The caller's sandboxes, oldest first (the engine lists them so). */
    List<Entry> list(ProjectId project) {
        return sandboxes.list().stream().filter(sandbox -> sandbox.project().equals(project)).map(this::entry).toList();
    }

    /** The sandboxes made through E2B that are awake now. */
    List<Sandbox> awake() {
        return attributes.keySet().stream().map(id -> sandboxes.find(id.value())).flatMap(Optional::stream)
                .filter(sandbox -> sandbox.state() == SandboxState.RUNNING).toList();
    }

    /** Deletes the caller's sandbox; false if there is none. */
    boolean kill(ProjectId project, String id) {
        Optional<Entry> entry = find(id).filter(found -> found.sandbox().project().equals(project));
        if (entry.isEmpty()) {
            return false;
        }
        delete(entry.get().sandbox().id());
        return true;
    }

    /** Pauses the caller's sandbox; false if it was paused already. */
    synchronized boolean pause(ProjectId project, String id) {
        Entry entry = get(project, id);
        if (entry.e2b().paused()) {
            return false;
        }
        pause(entry);
        return true;
    }

    /**
     * Resumes the caller's sandbox if it is paused, starting a lifetime of {@code timeoutSeconds}
     * (or the last one asked for); a running sandbox's lifetime is only ever made longer.
     *
     * @return whether it was paused
     */
    synchronized boolean connect(ProjectId project, String id, Long timeoutSeconds) {
        Entry entry = get(project, id);
        E2bSandbox e2b = entry.e2b();
        Instant now = clock.instant();
        long seconds = timeoutSeconds != null ? timeoutSeconds : e2b.timeoutSeconds() > 0 ? e2b.timeoutSeconds() : E2bSandbox.DEFAULT_TIMEOUT_SECONDS;
        if (e2b.paused()) {
            keep(entry.sandbox().id(), e2b.running(seconds, now));
            sandboxes.resume(entry.sandbox().id());
            return true;
        }
        if (timeoutSeconds != null && e2b.endAt() != null && now.plusSeconds(seconds).isAfter(e2b.endAt())) {
            keep(entry.sandbox().id(), e2b.running(seconds, now));
        }
        return false;
    }

    /** Sets the caller's sandbox's lifetime to end {@code seconds} from now. */
    synchronized void setTimeout(ProjectId project, String id, long seconds) {
        Entry entry = get(project, id);
        keep(entry.sandbox().id(), entry.e2b().running(seconds, clock.instant()));
    }

    /**
     * The sandbox traffic for {@code id} (to envd or its ports) may reach now: resumed first if it is paused and
     * resumes on traffic; empty if there is none, or it is paused and does not.
     */
    synchronized Optional<Entry> reachable(String id) {
        Optional<Entry> entry = find(id);
        if (entry.isEmpty() || !entry.get().e2b().paused()) {
            return entry;
        }
        E2bSandbox e2b = entry.get().e2b();
        if (!e2b.autoResume()) {
            return Optional.empty();
        }
        E2bSandbox resumed = e2b.running(Math.max(e2b.timeoutSeconds(), 1), clock.instant());
        keep(entry.get().sandbox().id(), resumed);
        return Optional.of(new Entry(entry.get().sandbox(), resumed));
    }

    /**
     * Ends the lifetimes that are over: each such sandbox is paused or killed, as its caller
     * asked. Forgets the attributes of sandboxes deleted meanwhile (through {@code /v1}, say).
     */
    void expire() {
        Instant now = clock.instant();
        for (Map.Entry<SandboxId, E2bSandbox> kept : attributes.entrySet()) {
            if (sandboxes.find(kept.getKey().value()).isEmpty()) {
                attributes.remove(kept.getKey());
                continue;
            }
            if (!kept.getValue().expired(now)) {
                continue;
            }
            try {
                expire(kept.getKey());
            } catch (RuntimeException e) {
                log.warn("could not end the E2B lifetime of sandbox {}; tried again on the next tick", kept.getKey(), e);
            }
        }
    }

    private synchronized void expire(SandboxId id) {
        Optional<Entry> entry = find(id.value());
        if (entry.isEmpty()) {
            attributes.remove(id);
            return;
        }
        if (!entry.get().e2b().expired(clock.instant())) {
            return;
        }
        if (entry.get().e2b().autoPause()) {
            log.info("the E2B lifetime of sandbox {} ended; pausing it", id);
            pause(entry.get());
        } else {
            log.info("the E2B lifetime of sandbox {} ended; killing it", id);
            delete(id);
        }
    }

    private void pause(Entry entry) {
        SandboxId id = entry.sandbox().id();
        keep(id, entry.e2b().pausedNow());
        try {
            sandboxes.standby(id);
        } catch (ConflictException e) {
            // Requests are running in it: it goes to standby once they end and its idle window passes.
            log.info("sandbox {} is paused but busy; it goes to standby when idle: {}", id, e.getMessage());
        }
    }

    private void delete(SandboxId id) {
        try {
            sandboxes.delete(id);
        } catch (NotFoundException e) {
            // Deleted meanwhile.
        }
        attributes.remove(id);
    }

    private Optional<Entry> find(String id) {
        return sandboxes.find(id).map(this::entry);
    }

    private Entry entry(Sandbox sandbox) {
        E2bSandbox e2b = attributes.get(sandbox.id());
        return new Entry(sandbox, e2b != null ? e2b : E2bSandbox.unmanaged(sandbox.spec().template()));
    }

    private void keep(SandboxId id, E2bSandbox e2b) {
        store.annotate(id, E2bSandbox.NAMESPACE, e2b.annotations());
        attributes.put(id, e2b);
    }
}
