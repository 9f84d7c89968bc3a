-- The database's own identity (a random id given by `admin init`, recorded in every site it
-- publishes) and, for each publication, the hash of the newest change it covers: the audit
-- head that the published files carry.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

ALTER TABLE publications ADD COLUMN head_hash TEXT;

UPDATE publications SET head_hash = (SELECT hash FROM changes WHERE changes.id = publications.last_change);
