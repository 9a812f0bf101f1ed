-- Limits of each sandbox beyond memory and CPU: its writable disk, its processes, its open files.
-- Sandboxes from before keep their writable layer on the host's disk; the disk size is recorded
-- for them too, as the product's default, but only sandboxes created since get a disk of that size.

ALTER TABLE sandboxes ADD COLUMN disk_mb INTEGER NOT NULL DEFAULT 10240;
ALTER TABLE sandboxes ADD COLUMN max_processes INTEGER NOT NULL DEFAULT 1024;
ALTER TABLE sandboxes ADD COLUMN max_open_files INTEGER NOT NULL DEFAULT 65536;
