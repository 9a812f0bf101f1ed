-- Projects (tenants): every sandbox belongs to one, and API keys see only their project's.
-- Sandboxes made before projects existed belong to the project 'default', as the first admin key does.

ALTER TABLE sandboxes ADD COLUMN project VARCHAR(63) NOT NULL DEFAULT 'default';

CREATE INDEX sandboxes_by_project ON sandboxes (project);

-- API keys: their public part and the SHA-256 of their secret, never the secret.
CREATE TABLE api_keys (
    id          VARCHAR(16)  NOT NULL PRIMARY KEY,
    project     VARCHAR(63)  NOT NULL,
    name        VARCHAR(100) NOT NULL,
    admin       BOOLEAN      NOT NULL,
    secret_hash CHAR(64)     NOT NULL UNIQUE,
    created_at  BIGINT       NOT NULL,
    revoked_at  BIGINT
);
