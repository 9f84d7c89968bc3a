-- A revert points at the change it undoes; replaying the log per entity needs an index.
ALTER TABLE changes ADD COLUMN reverts INTEGER REFERENCES changes (id);

CREATE INDEX changes_by_entity ON changes (entity, force, id);
