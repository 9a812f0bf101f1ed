-- Previews: a port of a sandbox opened to whoever holds the token; only the token's SHA-256 is kept.

CREATE TABLE previews (
    id         VARCHAR(16) NOT NULL PRIMARY KEY,
    sandbox_id VARCHAR(16) NOT NULL,
    port       INTEGER     NOT NULL,
    token_hash CHAR(64)    NOT NULL UNIQUE,
    created_at BIGINT      NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX previews_by_sandbox ON previews (sandbox_id);
