package io.perpetua.lifecycle;

import io.perpetua.access.ProjectId;
import io.perpetua.error.QuotaExceededException;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxState;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Lets a create or a wake go ahead only while its project stays within its {@link ProjectQuota}.
 * A check and the mark of what it let through are atomic per project, and the mark lasts until
 * the sandbox is counted as running, so two requests racing for the last slot cannot both win;
 * requests of different projects never wait for each other. A create's mark is taken back in
 * the same step as its sandbox appears among the engine's, so no check counts it twice.
 */
final class Admissions {

    private final ProjectQuota quota;
    private final Supplier<Collection<Sandbox>> sandboxes;
    private final Map<ProjectId, int[]> pending = new HashMap<>();

    /** @param sandboxes every sandbox the engine holds, as of the call */
    Admissions(ProjectQuota quota, Supplier<Collection<Sandbox>> sandboxes) {
        this.quota = quota;
        this.sandboxes = sandboxes;
    }

    /**
     * Runs {@code creation} of a new sandbox of {@code project} if the project may hold one more
     * that exists and one more that runs. The creation makes its sandbox appear among the
     * engine's through the publisher it is given, which takes the create's mark back at once.
     *
     * @throws QuotaExceededException if either limit is reached; {@code creation} does not run
     */
    <T> T create(ProjectId project, Function<Consumer<Runnable>, T> creation) {
        if (quota.equals(ProjectQuota.UNLIMITED)) {
            return creation.apply(Runnable::run);
        }
        synchronized (this) {
            int[] marks = pending.computeIfAbsent(project, p -> new int[2]);
            long existing = count(project, false) + marks[0];
            if (quota.maxSandboxes() > 0 && existing >= quota.maxSandboxes()) {
                throw new QuotaExceededException("project_sandbox_limit", "project " + project + " has " + existing
                        + " sandboxes, its limit; delete one, or ask the operator to raise --project-max-sandboxes");
            }
            requireRunningSlot(project, marks);
            marks[0]++;
            marks[1]++;
        }
        boolean[] published = {false};
        try {
            return creation.apply(appear -> {
                synchronized (this) {
                    appear.run();
                    release(project, 1);
                    published[0] = true;
                }
            });
        } finally {
            if (!published[0]) {
                release(project, 1);
            }
        }
    }

    /**
     * Runs {@code waking} of {@code sandbox} if it is running already or its project may have
     * one more running.
     *
     * @throws QuotaExceededException if the project's running limit is reached; {@code waking} does not run
     */
    void wake(Sandbox sandbox, Runnable waking) {
        if (quota.maxRunning() == 0 || sandbox.state() == SandboxState.RUNNING) {
            waking.run();
            return;
        }
        ProjectId project = sandbox.project();
        synchronized (this) {
            int[] marks = pending.computeIfAbsent(project, p -> new int[2]);
            requireRunningSlot(project, marks);
            marks[1]++;
        }
        try {
            waking.run();
        } finally {
            release(project, 0);
        }
    }

    private void requireRunningSlot(ProjectId project, int[] marks) {
        long running = count(project, true) + marks[1];
        if (quota.maxRunning() > 0 && running >= quota.maxRunning()) {
            throw new QuotaExceededException("project_running_limit", "project " + project + " has " + running
                    + " sandboxes running, its limit; put one in standby (POST /v1/sandboxes/{id}/standby) or let one go idle,"
                    + " or ask the operator to raise --project-max-running");
        }
    }

    /** Takes back one running mark and, for a create, one existing mark. */
    private synchronized void release(ProjectId project, int creates) {
        int[] marks = pending.get(project);
        marks[0] -= creates;
        marks[1]--;
        if (marks[0] == 0 && marks[1] == 0) {
            pending.remove(project);
        }
    }

    private long count(ProjectId project, boolean runningOnly) {
        return sandboxes.get().stream()
                .filter(s -> s.project().equals(project))
                .filter(s -> s.state() != SandboxState.DELETED)
                .filter(s -> !runningOnly || s.state() == SandboxState.RUNNING || s.state() == SandboxState.CREATING)
                .count();
    }
}
