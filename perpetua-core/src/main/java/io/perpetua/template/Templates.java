package io.perpetua.template;

import io.perpetua.access.ProjectId;
import io.perpetua.crash.CrashPoint;
import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.id.RandomIds;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.processes.ProcessSpec;
import io.perpetua.processes.SandboxProcesses;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.store.Annotations;
import io.perpetua.store.SandboxStore;
import io.perpetua.volume.VolumeMount;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds templates and makes sandboxes from them. A build runs in the background in a sandbox of
 * its own (the build sandbox, marked by an annotation written with it), which runs the recipe and
 * is then saved whole as the template's snapshot and deleted; a sandbox made from the template is
 * a copy of that snapshot, with its servers already running.
 *
 * <p>A build the daemon dies in is failed at the next start, and what it left (its build
 * sandbox, a snapshot not yet recorded as the template) is removed.
 */
public final class Templates implements AutoCloseable {

    /** The annotation namespace that marks a build sandbox, with the template's id under {@code template}. */
    static final String BUILD = "template-build";
    private static final Duration READY_POLL = Duration.ofMillis(500);
    private static final Duration READY_CHECK_LIMIT = Duration.ofSeconds(30);
    private static final Duration BUILD_IDLE = Duration.ofHours(2);
    private static final Logger log = LoggerFactory.getLogger(Templates.class);

    private final SandboxService sandboxes;
    private final SandboxProcesses processes;
    private final SandboxRuntime runtime;
    private final SandboxStore store;
    private final Clock clock;
    private final ExecutorService builds = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("template-build-", 0).factory());
    private final HotTemplates hot = new HotTemplates();
    private final int warmCopies;

    /**
     * Finishes what builds the previous daemon left, then takes new ones.
     *
     * @param warmCopies copies kept ready of each of the templates most used lately; 0: none
     */
    public Templates(SandboxService sandboxes, SandboxProcesses processes, SandboxRuntime runtime, SandboxStore store, Clock clock,
                     int warmCopies) {
        this.sandboxes = sandboxes;
        this.processes = processes;
        this.runtime = runtime;
        this.store = store;
        this.clock = clock;
        this.warmCopies = warmCopies;
        recover();
    }

    /**
     * Starts building template {@code name} of {@code project} by {@code recipe}; returns it
     * building. Its state tells when it is ready, or why it failed.
     *
     * @throws InvalidInputException if the name is malformed, or {@code from} names no ready template of the project
     * @throws ConflictException     with code {@code template_exists} if the project has a template of that name
     */
    public synchronized Template build(ProjectId project, String name, TemplateRecipe recipe) {
        requireFree(project, name);
        Template building = Template.building(RandomIds.next("tp", 14), name, project, recipe, clock.instant());
        if (!recipe.fromDefault()) {
            Template base = store.findTemplate(project, recipe.from()).filter(t -> t.state() == Template.State.READY)
                    .orElseThrow(() -> new InvalidInputException("from", "from must be 'default' or a ready template of the project; '"
                            + recipe.from() + "' is not"));
            requireNoResources(recipe, base);
            // Built on its base's image, if it has one: the image stays while this template does.
            building = building.onImage(base.image());
        }
        Template template = building;
        store.insertTemplate(template);
        log.info("building template {} ({}) of project {}", name, template.id(), project);
        builds.execute(() -> run(template));
        return template;
    }

    /**
     * Imports the OCI image at {@code source} (an OCI image layout, an OCI archive or a
     * {@code docker save} archive) as template {@code name} of {@code project}: unpacked now, so
     * that a bad image is refused here with nothing left of it, then built in the background like
     * any template: a sandbox booted from the image's file system, {@code recipe}'s setup run in
     * it (with bash if the image has it, else sh), its state saved.
     *
     * @throws InvalidInputException naming {@code image} if it is no image that can be read, or {@code from} if given
     * @throws ConflictException     with code {@code template_exists} if the project has a template of that name
     */
    public synchronized Template importImage(ProjectId project, String name, Path source, TemplateRecipe recipe) {
        return importImage(project, name, recipe, root -> runtime.importImage(root, source), source.toString());
    }

    /**
     * Like {@link #importImage(ProjectId, String, Path, TemplateRecipe)}, for an archive uploaded
     * as {@code archive} (an OCI archive or a {@code docker save} archive).
     */
    public synchronized Template importImage(ProjectId project, String name, InputStream archive, TemplateRecipe recipe) {
        return importImage(project, name, recipe, root -> runtime.importImage(root, archive), "an upload");
    }

    private Template importImage(ProjectId project, String name, TemplateRecipe recipe, Consumer<String> unpack, String source) {
        requireFree(project, name);
        InvalidInputException.check(recipe.fromDefault(), "from", "from cannot be given with an image: the image is the template's base");
        String id = RandomIds.next("tp", 14);
        String root = "img-" + id;
        unpack.accept(root);
        CrashPoint.IMAGE_UNPACKED.reach();
        Template template = Template.building(id, name, project, recipe, clock.instant()).onImage(root);
        try {
            store.insertTemplate(template);
        } catch (RuntimeException e) {
            runtime.deleteImage(root);
            throw e;
        }
        log.info("building template {} ({}) of project {} from image {}", name, id, project, source);
        builds.execute(() -> run(template));
        return template;
    }

    private void requireFree(ProjectId project, String name) {
        TemplateRecipe.requireName(name, "name");
        InvalidInputException.check(!name.equals(Template.DEFAULT_ROOT), "name", "'" + name + "' is the built-in template's name");
        if (store.findTemplate(project, name).isPresent()) {
            throw new ConflictException("template_exists", "the project has a template named '" + name + "'; delete it first");
        }
    }

    private static void requireNoResources(TemplateRecipe recipe, Template base) {
        String why = " cannot be given with from '" + base.name() + "': a template made from another has its resources";
        InvalidInputException.check(recipe.memoryMb() == null, "memoryMb", "memoryMb" + why);
        InvalidInputException.check(recipe.cpus() == null, "cpus", "cpus" + why);
        InvalidInputException.check(recipe.diskMb() == null, "diskMb", "diskMb" + why);
    }

    /**
     * Template {@code name} of {@code project}, in whatever state.
     *
     * @throws NotFoundException if there is none
     */
    public Template get(ProjectId project, String name) {
        return find(project, name).orElseThrow(() -> notFound(name));
    }

    /** Template {@code name} of {@code project}, if there is one. */
    public Optional<Template> find(ProjectId project, String name) {
        return store.findTemplate(project, name);
    }

    /** How many copies of {@code template} are started ahead of demand, ready to be taken. */
    public int warmCopies(Template template) {
        return template.snapshotId() == null ? 0 : sandboxes.warmCopies(template.snapshotId());
    }

    /** Every template of {@code project}, oldest first. */
    public List<Template> list(ProjectId project) {
        return store.listTemplates().stream().filter(t -> t.project().equals(project)).toList();
    }

    /**
     * Deletes template {@code name} of {@code project} and its snapshot; sandboxes made from it
     * are not affected. A build in progress is abandoned.
     *
     * @throws NotFoundException if there is none
     */
    public synchronized void delete(ProjectId project, String name) {
        Template template = get(project, name);
        hot.forget(template);
        store.deleteTemplate(template.id(), clock.instant());
        if (template.snapshotId() != null) {
            sandboxes.deleteSnapshot(project, template.snapshotId());
        }
        boolean imageStillNeeded = store.listTemplates().stream().anyMatch(other -> Objects.equals(other.image(), template.image()));
        if (template.image() != null && !imageStillNeeded) {
            deleteImageUnlessUsed(template.image());
        }
        log.info("template {} ({}) of project {} deleted", name, template.id(), project);
    }

    /**
     * Makes a sandbox of {@code project} from ready template {@code name}: a copy of its state,
     * with {@code requested}'s idle windows, labels and network policy, and its environment added
     * to the template's.
     *
     * @throws NotFoundException if there is no such template
     * @throws ConflictException with code {@code template_not_ready} or {@code template_failed}
     */
    public Sandbox create(ProjectId project, String name, SandboxSpec requested, Annotations annotations) {
        return create(project, name, requested, Lifecycle.DEFAULT, annotations);
    }

    /** Like {@link #create(ProjectId, String, SandboxSpec, Annotations)}, with {@code lifecycle} recorded from the start. */
    public Sandbox create(ProjectId project, String name, SandboxSpec requested, Lifecycle lifecycle, Annotations annotations) {
        return create(project, name, requested, lifecycle, List.of(), annotations);
    }

    /** Like {@link #create(ProjectId, String, SandboxSpec, Lifecycle, Annotations)}, with {@code mounts} of the project's volumes mounted. */
    public Sandbox create(ProjectId project, String name, SandboxSpec requested, Lifecycle lifecycle, List<VolumeMount> mounts,
                          Annotations annotations) {
        Template template = get(project, name);
        switch (template.state()) {
            case BUILDING -> throw new ConflictException("template_not_ready", "template '" + name + "' is still being built");
            case FAILED -> throw new ConflictException("template_failed", "template '" + name + "' failed to build: "
                    + template.failureReason());
            case READY -> { }
        }
        Sandbox made = sandboxes.createFromSnapshot(project, template.snapshotId(), source -> fromTemplate(name, source, requested),
                lifecycle, mounts, annotations);
        keepHotOnesWarm(template);
        return made;
    }

    /** Keeps copies of the templates used most lately ready, and lets those that cooled down go. */
    private void keepHotOnesWarm(Template used) {
        if (warmCopies == 0) {
            return;
        }
        HotTemplates.Changes changes = hot.used(used, clock.instant());
        changes.cool().forEach(cool -> sandboxes.keepWarmCopies(cool.snapshotId(), spec -> spec, 0));
        for (Template warm : changes.warm()) {
            try {
                sandboxes.keepWarmCopies(warm.snapshotId(), source -> fromTemplate(warm.name(), source, SandboxSpec.defaults()), warmCopies);
            } catch (RuntimeException e) {
                log.warn("cannot keep copies of template {} ready: {}", warm.name(), e.getMessage());
            }
        }
    }

    private static SandboxSpec fromTemplate(String name, SandboxSpec source, SandboxSpec requested) {
        Map<String, String> env = new HashMap<>(source.env());
        env.putAll(requested.env());
        return new SandboxSpec(name, requested.idleTimeout(), requested.hibernateAfter(), env, requested.labels(),
                requested.memoryMb() != null ? requested.memoryMb() : source.memoryMb(),
                requested.cpus() != null ? requested.cpus() : source.cpus(),
                requested.diskMb() != null ? requested.diskMb() : source.diskMb(),
                requested.maxProcesses() != null ? requested.maxProcesses() : source.maxProcesses(),
                requested.maxOpenFiles() != null ? requested.maxOpenFiles() : source.maxOpenFiles(),
                requested.network());
    }

    /** Runs the recipe in a build sandbox and records the outcome; never throws. */
    private void run(Template template) {
        BuildLog output = new BuildLog();
        SandboxId build = null;
        try {
            build = startBuildSandbox(template);
            CrashPoint.TEMPLATE_BUILDING.reach();
            setUp(template, build, output);
            SavedSnapshot saved = sandboxes.snapshot(build, "template " + template.name());
            CrashPoint.TEMPLATE_SAVED.reach();
            finish(template, saved, output);
        } catch (RuntimeException e) {
            log.warn("template {} ({}) failed to build: {}", template.name(), template.id(), e.getMessage());
            fail(template, e.getMessage(), output);
        } finally {
            if (build != null) {
                deleteQuietly(build);
            }
        }
    }

    private SandboxId startBuildSandbox(Template template) {
        TemplateRecipe recipe = template.recipe();
        Annotations marked = new Annotations(BUILD, Map.of("template", template.id()));
        if (recipe.fromDefault()) {
            String root = template.image() != null ? template.image() : Template.DEFAULT_ROOT;
            SandboxSpec spec = new SandboxSpec(root, BUILD_IDLE, BUILD_IDLE, recipe.env(), Map.of(), recipe.memoryMb(),
                    recipe.cpus(), recipe.diskMb(), null, null, null);
            return sandboxes.create(template.project(), spec, marked).id();
        }
        Template base = get(template.project(), recipe.from());
        if (base.state() != Template.State.READY) {
            throw new IllegalStateException("template '" + recipe.from() + "', which it is built from, is not ready");
        }
        SandboxSpec requested = new SandboxSpec(null, BUILD_IDLE, BUILD_IDLE, recipe.env(), Map.of(), null, null, null, null, null, null);
        return sandboxes.createFromSnapshot(template.project(), base.snapshotId(), source -> fromTemplate(base.name(), source, requested),
                marked).id();
    }

    private void setUp(Template template, SandboxId build, BuildLog output) {
        TemplateRecipe recipe = template.recipe();
        for (int i = 0; i < recipe.setup().size(); i++) {
            String command = recipe.setup().get(i);
            output.command(command);
            ExecResult result = sandboxes.exec(build, new ExecRequest(shell(command), "/root", null, null, recipe.setupTimeout()));
            output.result(result);
            if (result.exitCode() != 0) {
                throw new IllegalStateException("setup[" + i + "] " + (result.timedOut() ? "ran past its timeout of "
                        + recipe.setupTimeout().toSeconds() + " s" : "exited with " + result.exitCode()) + ": " + command);
            }
        }
        for (int i = 0; i < recipe.start().size(); i++) {
            output.command("(in the background) " + recipe.start().get(i));
            processes.start(build, new ProcessSpec(shell(recipe.start().get(i)), "/root", null, false, "start-" + i));
        }
        if (recipe.ready() != null) {
            awaitReady(recipe, build, output);
        }
    }

    /** {@code command} run by a login bash, or by a login sh where the root has no bash (a busybox image, say). */
    private static List<String> shell(String command) {
        return List.of("sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -lc \"$1\"; else exec sh -lc \"$1\"; fi",
                "sh", command);
    }

    private void awaitReady(TemplateRecipe recipe, SandboxId build, BuildLog output) {
        output.command("(until it succeeds) " + recipe.ready());
        Instant deadline = clock.instant().plus(recipe.readyTimeout());
        ExecResult last;
        do {
            last = sandboxes.exec(build, new ExecRequest(shell(recipe.ready()), "/root", null, null, READY_CHECK_LIMIT));
            if (last.exitCode() == 0) {
                output.result(last);
                return;
            }
            LockSupport.parkNanos(READY_POLL.toNanos());
        } while (clock.instant().isBefore(deadline));
        output.result(last);
        throw new IllegalStateException("ready did not succeed within " + recipe.readyTimeout().toSeconds() + " s: " + recipe.ready());
    }

    /** Records the template ready, unless it was deleted while it was built (then its snapshot goes too). */
    private synchronized void finish(Template template, SavedSnapshot saved, BuildLog output) {
        if (!isCurrent(template)) {
            log.info("template {} ({}) was deleted while it was built; dropping its snapshot", template.name(), template.id());
            sandboxes.deleteSnapshot(template.project(), saved.id());
            return;
        }
        store.updateTemplate(template.ready(saved.id(), output.text(), clock.instant()));
        log.info("template {} ({}) of project {} is ready as snapshot {}", template.name(), template.id(), template.project(), saved.id());
    }

    private synchronized void fail(Template template, String reason, BuildLog output) {
        if (isCurrent(template)) {
            store.updateTemplate(template.failed(reason, output.text(), clock.instant()));
        }
    }

    private boolean isCurrent(Template template) {
        return store.findTemplate(template.project(), template.name()).map(Template::id).filter(template.id()::equals).isPresent();
    }

    /**
     * After a restart: a build the previous daemon did not finish fails, its build sandbox is
     * deleted, and a snapshot a build saved but did not record is deleted too.
     */
    private void recover() {
        Instant now = clock.instant();
        for (Template template : store.listTemplates()) {
            if (template.state() == Template.State.BUILDING) {
                log.warn("template {} ({}) was being built when the daemon stopped; its build failed", template.name(), template.id());
                store.updateTemplate(template.failed("the daemon stopped during its build; delete it and build it again", "", now));
            }
        }
        Set<SandboxId> buildSandboxes = store.annotated(BUILD).keySet();
        buildSandboxes.forEach(id -> sandboxes.find(id.value()).ifPresent(leftover -> deleteQuietly(leftover.id())));
        Set<String> recorded = store.listTemplates().stream().map(Template::snapshotId).collect(Collectors.toSet());
        Set<String> images = store.listTemplates().stream().map(Template::image).filter(Objects::nonNull).collect(Collectors.toSet());
        runtime.images().stream().filter(image -> !images.contains(image)).forEach(this::deleteImageUnlessUsed);
        for (SavedSnapshot saved : store.listSnapshots()) {
            if (buildSandboxes.contains(saved.source()) && !recorded.contains(saved.id())) {
                log.warn("removing snapshot {}, which a build saved and did not record", saved.id());
                sandboxes.deleteSnapshot(saved.project(), saved.id());
            }
        }
    }

    /** An image some sandbox is still on stays until a later start finds it unused. */
    private void deleteImageUnlessUsed(String image) {
        try {
            runtime.deleteImage(image);
        } catch (ConflictException e) {
            log.info("keeping image {} while sandboxes are on it: {}", image, e.getMessage());
        }
    }

    private void deleteQuietly(SandboxId build) {
        try {
            sandboxes.delete(build);
        } catch (RuntimeException e) {
            log.warn("could not delete build sandbox {}", build, e);
        }
    }

    private static NotFoundException notFound(String name) {
        return new NotFoundException("template_not_found", "no template named '" + name + "'");
    }

    /** Stops taking builds and waits a little for those running; a build cut short fails at the next start. */
    @Override
    public void close() {
        builds.shutdownNow();
        try {
            builds.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What a build printed, command by command, keeping the end. */
    private static final class BuildLog {
        private final StringBuilder text = new StringBuilder();

        synchronized void command(String command) {
            append("$ " + command + "\n");
        }

        synchronized void result(ExecResult result) {
            append(result.stdout());
            append(result.stderr());
            if (result.exitCode() != 0) {
                append("(exit " + result.exitCode() + ")\n");
            }
        }

        private void append(String more) {
            text.append(more);
            if (text.length() > 2 * Template.BUILD_LOG_LIMIT) {
                text.delete(0, text.length() - Template.BUILD_LOG_LIMIT);
            }
        }

        synchronized String text() {
            return Template.tail(text.toString());
        }
    }
}
