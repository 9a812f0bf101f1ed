-- Sandboxes, their immutable spec, and the snapshots taken of them.
-- Timestamps are microseconds since the epoch (UTC). Written to run on SQLite and PostgreSQL.

CREATE TABLE sandboxes (
    id                 VARCHAR(16)      NOT NULL PRIMARY KEY,
    state              VARCHAR(16)      NOT NULL,
    template           VARCHAR(63)      NOT NULL,
    idle_timeout_ms    BIGINT           NOT NULL,
    hibernate_after_ms BIGINT           NOT NULL,
    memory_mb          INTEGER          NOT NULL,
    cpus               DOUBLE PRECISION NOT NULL,
    created_at         BIGINT           NOT NULL,
    state_changed_at   BIGINT           NOT NULL,
    last_activity_at   BIGINT           NOT NULL,
    generation         INTEGER          NOT NULL,
    snapshot_id        VARCHAR(32),
    failure_reason     TEXT
);

CREATE INDEX sandboxes_by_state ON sandboxes (state);

CREATE TABLE sandbox_env (
    sandbox_id VARCHAR(16)  NOT NULL REFERENCES sandboxes (id),
    name       VARCHAR(128) NOT NULL,
    value      TEXT         NOT NULL,
    PRIMARY KEY (sandbox_id, name)
);

CREATE TABLE sandbox_labels (
    sandbox_id VARCHAR(16)  NOT NULL REFERENCES sandboxes (id),
    label_key  VARCHAR(63)  NOT NULL,
    value      VARCHAR(255) NOT NULL,
    PRIMARY KEY (sandbox_id, label_key)
);

-- Every snapshot ever sealed; sandboxes.snapshot_id points at the live one. Rows of replaced
-- snapshots stay as history (their content is deleted).
CREATE TABLE snapshots (
    id         VARCHAR(32)  NOT NULL PRIMARY KEY,
    sandbox_id VARCHAR(16)  NOT NULL REFERENCES sandboxes (id),
    created_at BIGINT       NOT NULL,
    size_bytes BIGINT       NOT NULL,
    checksum   VARCHAR(80)  NOT NULL
);

CREATE INDEX snapshots_by_sandbox ON snapshots (sandbox_id);
