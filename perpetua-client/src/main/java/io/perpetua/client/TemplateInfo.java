package io.perpetua.client;

import java.time.Instant;
import java.util.List;

/**
 * A template of the caller's project as the daemon describes it: a prepared environment, built
 * from a {@link TemplateRecipe} in the background and captured whole (memory, processes, files)
 * once ready, which sandboxes start from with {@link Sandboxes#createFromTemplate(String)}.
 *
 * @param name           its name in the project, as sandboxes are made from it
 * @param id             its id, unique across every project
 * @param state          building, ready or failed
 * @param from           the template it was built from: {@code default} or another of the project
 * @param image          the root file system imported from an OCI image that it was built on instead, or null
 * @param setup          the shell commands its build ran, in order
 * @param envNames       the names of its environment variables (the values are never sent back)
 * @param start          the shell commands left running in it, such as a server
 * @param ready          the shell command its build waited to succeed, or null
 * @param snapshotId     the saved snapshot it is, once ready; else null
 * @param warmCopies     copies of it started ahead of demand and frozen, ready to be taken by the next creates
 *                       (the daemon keeps them for its most used templates); 0 from a daemon that keeps none
 * @param createdAt      when its build was asked for
 * @param stateChangedAt when it entered its state
 * @param failureReason  why its build failed, or null
 * @param buildLog       the end (64 KiB) of what its build printed, command by command; empty while it builds
 */
public record TemplateInfo(String name, String id, TemplateState state, String from, String image, List<String> setup, List<String> envNames,
                           List<String> start, String ready, String snapshotId, int warmCopies, Instant createdAt, Instant stateChangedAt,
                           String failureReason, String buildLog) {

    /** Copies the lists; null lists are empty and a null log is empty. */
    public TemplateInfo {
        setup = setup == null ? List.of() : List.copyOf(setup);
        envNames = envNames == null ? List.of() : List.copyOf(envNames);
        start = start == null ? List.of() : List.copyOf(start);
        buildLog = buildLog == null ? "" : buildLog;
    }

    /**
     * The last lines of the build log.
     *
     * @param lines how many lines at most, at least 1
     * @return those lines, each ending in a line break, or empty when there is no log
     * @throws IllegalArgumentException if {@code lines} is less than 1
     */
    public String buildLogTail(int lines) {
        Validation.between(lines, 1, Integer.MAX_VALUE, "lines");
        int cut = buildLog.endsWith("\n") ? buildLog.length() - 1 : buildLog.length();
        for (int seen = 0; seen < lines && cut >= 0; seen++) {
            cut = buildLog.lastIndexOf('\n', cut - 1);
        }
        String tail = buildLog.substring(cut + 1);
        return tail.isEmpty() || tail.endsWith("\n") ? tail : tail + "\n";
    }

    private static int warmCopies(JsonObject json) {
        Integer copies = json.optionalInt32("warmCopies");
        return copies == null ? 0 : copies;
    }

    static TemplateInfo from(JsonObject json) {
        return new TemplateInfo(json.string("name"), json.string("id"), TemplateState.of(json.string("state"), "answer.state"),
                json.string("from"), json.optionalString("image"), json.strings("setup"), json.strings("envNames"), json.strings("start"), json.optionalString("ready"),
                json.optionalString("snapshotId"), warmCopies(json), json.instant("createdAt"), json.instant("stateChangedAt"),
                json.optionalString("failureReason"), json.optionalString("buildLog"));
    }
}
