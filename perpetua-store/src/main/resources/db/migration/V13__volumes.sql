-- Volumes and drives: file systems of a project that outlive its sandboxes. A deleted one keeps
-- its row, with the time of its deletion (its storage is billed until then); a live name is
-- unique among its kind in its project.

CREATE TABLE volumes (
    id          VARCHAR(32)  NOT NULL PRIMARY KEY,
    name        VARCHAR(63)  NOT NULL,
    project     VARCHAR(63)  NOT NULL,
    kind        VARCHAR(8)   NOT NULL,
    size_mb     INTEGER      NOT NULL,
    created_at  BIGINT       NOT NULL,
    deleted_at  BIGINT
);

CREATE UNIQUE INDEX volumes_live_name ON volumes (project, kind, name) WHERE deleted_at IS NULL;

-- Which sandbox mounts which volume, where. A mount lasts as long as its sandbox: once that is
-- deleted, the row is history and no longer holds the volume.
CREATE TABLE volume_mounts (
    sandbox_id  VARCHAR(32)  NOT NULL,
    volume_id   VARCHAR(32)  NOT NULL REFERENCES volumes (id),
    mount_path  VARCHAR(255) NOT NULL,
    read_only   BOOLEAN      NOT NULL,
    attached_at BIGINT       NOT NULL,
    PRIMARY KEY (sandbox_id, volume_id)
);

CREATE INDEX volume_mounts_by_volume ON volume_mounts (volume_id);
