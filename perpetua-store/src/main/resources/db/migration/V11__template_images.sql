-- A template may be built on a root file system imported from an OCI image rather than on the
-- default template: the runtime's name for that root.

ALTER TABLE templates ADD COLUMN image_root VARCHAR(63);
