-- Snapshots a user asked for (POST /v1/sandboxes/{id}/snapshots): owned by a project and kept
-- until deleted, whatever becomes of the sandbox they were taken of. Their content is described
-- by their row in snapshots; a deleted one keeps its row here, with the time of its deletion,
-- for the usage ledger's history.

CREATE TABLE saved_snapshots (
    id         VARCHAR(32)  NOT NULL PRIMARY KEY REFERENCES snapshots (id),
    project    VARCHAR(63)  NOT NULL,
    name       VARCHAR(100),
    deleted_at BIGINT
);

CREATE INDEX saved_snapshots_by_project ON saved_snapshots (project, deleted_at);
