-- A sandbox's lifecycle, its owner's to change at any time: what it does when idle (standby,
-- none or delete) and the rules that delete it (ttl-idle=30m,ttl-max-age=7d,date=2027-01-01;
-- empty: none). The reason a lifecycle deleted a sandbox is kept in failure_reason.

ALTER TABLE sandboxes ADD COLUMN on_idle VARCHAR(16) NOT NULL DEFAULT 'standby';
ALTER TABLE sandboxes ADD COLUMN expiration TEXT NOT NULL DEFAULT '';
