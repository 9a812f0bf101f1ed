-- Templates: prepared environments of a project that new sandboxes start from. A template is
-- built by a recipe (the commands below) and, once ready, is a saved snapshot. A deleted one
-- keeps its row, with the time of its deletion; a live name is unique in its project.

CREATE TABLE templates (
    id               VARCHAR(32)  NOT NULL PRIMARY KEY,
    name             VARCHAR(63)  NOT NULL,
    project          VARCHAR(63)  NOT NULL,
    state            VARCHAR(16)  NOT NULL,
    from_template    VARCHAR(63)  NOT NULL,
    ready_command    TEXT,
    ready_timeout_ms BIGINT       NOT NULL,
    setup_timeout_ms BIGINT       NOT NULL,
    memory_mb        INTEGER,
    cpus             DOUBLE PRECISION,
    disk_mb          INTEGER,
    snapshot_id      VARCHAR(32),
    created_at       BIGINT       NOT NULL,
    state_changed_at BIGINT       NOT NULL,
    failure_reason   TEXT,
    build_log        TEXT         NOT NULL,
    deleted_at       BIGINT
);

CREATE UNIQUE INDEX templates_live_name ON templates (project, name) WHERE deleted_at IS NULL;

-- A recipe's commands: kind 'setup' (run in order) or 'start' (left running), by position.
CREATE TABLE template_commands (
    template_id VARCHAR(32)  NOT NULL REFERENCES templates (id),
    kind        VARCHAR(8)   NOT NULL,
    position    INTEGER      NOT NULL,
    command     TEXT         NOT NULL,
    PRIMARY KEY (template_id, kind, position)
);

CREATE TABLE template_env (
    template_id VARCHAR(32)  NOT NULL REFERENCES templates (id),
    name        VARCHAR(128) NOT NULL,
    value       TEXT         NOT NULL,
    PRIMARY KEY (template_id, name)
);
