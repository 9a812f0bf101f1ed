package io.perpetua.template;

import io.perpetua.access.ProjectId;
import java.time.Instant;
import java.util.Objects;

/**
 * A prepared environment of a project that new sandboxes start from: what a recipe built,
 * captured whole (memory, processes, files) as a saved snapshot, so that a sandbox made from
 * it is a restore rather than a boot and its servers are already running.
 *
 * @param id             unique id
 * @param name           its name in the project, as {@code POST /v1/sandboxes {"template"}} takes it
 * @param project        who owns it
 * @param recipe         how it is built
 * @param image          the root file system imported from an OCI image it is built on, or null (then it is built on
 *                       {@code recipe.from()})
 * @param state          building, ready or failed
 * @param snapshotId     the saved snapshot it is, once ready
 * @param createdAt      when its build was asked for
 * @param stateChangedAt when it entered {@code state}
 * @param failureReason  why its build failed, or null
 * @param buildLog       the end of what its setup printed, or empty
 */
public record Template(String id, String name, ProjectId project, TemplateRecipe recipe, String image, State state, String snapshotId,
                       Instant createdAt, Instant stateChangedAt, String failureReason, String buildLog) {

    /** The root every template starts from in the end: the default template's file system. */
    public static final String DEFAULT_ROOT = "default";
    /** How much of the setup's output a template keeps. */
    public static final int BUILD_LOG_LIMIT = 64 * 1024;

    /** Where a template is in its life. */
    public enum State {
        /** Its recipe is running. */
        BUILDING,
        /** Built: new sandboxes can start from it. */
        READY,
        /** Its build failed; nothing can start from it. */
        FAILED
    }

    /** Checks that the required parts are present. */
    public Template {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(stateChangedAt, "stateChangedAt");
        buildLog = buildLog == null ? "" : buildLog;
        if (state == State.READY && snapshotId == null) {
            throw new IllegalArgumentException("a ready template names its snapshot");
        }
    }

    /** A template whose build begins now. */
    public static Template building(String id, String name, ProjectId project, TemplateRecipe recipe, Instant now) {
        return new Template(id, name, project, recipe, null, State.BUILDING, null, now, now, null, "");
    }

    /** This template built on root file system {@code root}, imported from an OCI image. */
    public Template onImage(String root) {
        return new Template(id, name, project, recipe, root, state, snapshotId, createdAt, stateChangedAt, failureReason, buildLog);
    }

    /** This template built, as snapshot {@code snapshot}. */
    public Template ready(String snapshot, String log, Instant at) {
        return new Template(id, name, project, recipe, image, State.READY, snapshot, createdAt, at, null, log);
    }

    /** This template's build failed. */
    public Template failed(String reason, String log, Instant at) {
        return new Template(id, name, project, recipe, image, State.FAILED, null, createdAt, at, reason, log);
    }

    /** The end of {@code log}, at most {@link #BUILD_LOG_LIMIT} characters. */
    public static String tail(String log) {
        return log.length() <= BUILD_LOG_LIMIT ? log : log.substring(log.length() - BUILD_LOG_LIMIT);
    }
}
