-- The network policy of each sandbox: where it may open connections to, beyond the default.
-- Entries (IPv4 CIDR blocks or host names, which cannot hold a comma) joined by commas; '' is none.

ALTER TABLE sandboxes ADD COLUMN allow_out TEXT NOT NULL DEFAULT '';
ALTER TABLE sandboxes ADD COLUMN deny_out TEXT NOT NULL DEFAULT '';
