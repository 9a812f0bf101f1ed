package io.perpetua.metering;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A ledger in memory, for tests of the engine; the SQLite one is tested against a real database. */
public final class InMemoryLedger implements Ledger {

    private final List<StateChange> lines = new ArrayList<>();
    private Instant heartbeat;

    @Override
    public synchronized void append(List<StateChange> changes) {
        lines.addAll(changes);
    }

    @Override
    public synchronized List<StateChange> changesBefore(Instant until, ProjectId project) {
        List<StateChange> sorted = new ArrayList<>(lines.stream()
                .filter(line -> line.project().equals(project) && line.at().isBefore(until)).toList());
        // Stable: lines of one sandbox keep the order they were appended in.
        sorted.sort(Comparator.comparing((StateChange line) -> line.sandbox().value()));
        return sorted;
    }

    @Override
    public synchronized List<StateChange> changesOf(SandboxId sandbox) {
        return lines.stream().filter(line -> line.sandbox().equals(sandbox)).toList();
    }

    @Override
    public synchronized Map<SandboxId, StateChange> latest() {
        Map<SandboxId, StateChange> latest = new LinkedHashMap<>();
        lines.forEach(line -> latest.put(line.sandbox(), line));
        return latest;
    }

    @Override
    public synchronized void heartbeat(Instant at) {
        heartbeat = at;
    }

    @Override
    public synchronized Optional<Instant> lastHeartbeat() {
        return Optional.ofNullable(heartbeat);
    }

    /** Forgets the last line appended, as if the daemon had died before writing it. */
    public synchronized void dropLast() {
        lines.removeLast();
    }

    /** Every line, in the order appended. */
    public synchronized List<StateChange> lines() {
        return List.copyOf(lines);
    }
}
