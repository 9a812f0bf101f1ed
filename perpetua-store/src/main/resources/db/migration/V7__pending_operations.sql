-- Multi-step operations begun and not yet ended (a hibernation, a deletion), at most one per
-- sandbox, written before the first step and removed after the last, so that a restart after a
-- crash finishes or undoes each one instead of guessing from what it finds.

CREATE TABLE pending_operations (
    sandbox_id  VARCHAR(16) NOT NULL PRIMARY KEY REFERENCES sandboxes (id),
    kind        VARCHAR(16) NOT NULL,
    from_state  VARCHAR(16) NOT NULL,
    snapshot_id VARCHAR(32),
    started_at  BIGINT      NOT NULL
);
