package io.perpetua.events;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Instant;

/**
 * A sandbox moved from one state to another.
 *
 * @param id      this event's number, increasing within one run of the daemon
 * @param sandbox the sandbox
 * @param project who it belongs to
 * @param from    the state it left
 * @param to      the state it is in now
 * @param at      when
 * @param reason  why it failed, when {@code to} is failed; else null
 */
public record SandboxEvent(long id, SandboxId sandbox, ProjectId project, SandboxState from, SandboxState to, Instant at, String reason) {
}
