-- What adapters at the edge (the E2B API) keep about a sandbox, each under a namespace of its
-- own: name/value pairs the lifecycle engine never reads.

CREATE TABLE annotations (
    sandbox_id VARCHAR(16)  NOT NULL REFERENCES sandboxes (id),
    namespace  VARCHAR(32)  NOT NULL,
    name       VARCHAR(64)  NOT NULL,
    value      TEXT         NOT NULL,
    PRIMARY KEY (sandbox_id, namespace, name)
);

CREATE INDEX annotations_by_namespace ON annotations (namespace, sandbox_id);
