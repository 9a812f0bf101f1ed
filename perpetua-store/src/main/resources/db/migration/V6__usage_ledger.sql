-- The usage ledger: one line per state change of a sandbox, appended and never updated.
-- A line opens an interval that the next line of the same sandbox closes.

CREATE TABLE state_changes (
    seq               INTEGER      PRIMARY KEY AUTOINCREMENT,
    sandbox_id        VARCHAR(16)  NOT NULL,
    project           VARCHAR(64)  NOT NULL,
    state             VARCHAR(16)  NOT NULL,
    at                BIGINT       NOT NULL,
    cpus              DOUBLE       NOT NULL,
    memory_mb         INTEGER      NOT NULL,
    generation        INTEGER      NOT NULL,
    cpu_nanos         BIGINT       NOT NULL,
    peak_memory_bytes BIGINT       NOT NULL,
    stored_bytes      BIGINT       NOT NULL
);

CREATE INDEX state_changes_by_project ON state_changes (project, sandbox_id, seq);
CREATE INDEX state_changes_by_sandbox ON state_changes (sandbox_id, seq);

-- When the daemon was last known alive: a container lost with its host is billed until then.
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at BIGINT  NOT NULL
);
