-- The page text, the forces and the append-only, hash-chained audit log.
CREATE TABLE page (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE forces (
    id       INTEGER PRIMARY KEY,
    slug     TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    -- the name trimmed and lower-cased: names are unique ignoring case
    name_key TEXT NOT NULL UNIQUE,
    url      TEXT,
    status   TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired'))
) STRICT;

CREATE TABLE changes (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    editor  TEXT NOT NULL,
    action  TEXT NOT NULL,
    -- what the change is about: force, note, review, publication
    entity  TEXT NOT NULL,
    force   TEXT,
    before  TEXT,
    after   TEXT,
    message TEXT,
    hash    TEXT NOT NULL
) STRICT;

CREATE INDEX changes_by_force ON changes (force, id);
CREATE INDEX changes_by_editor ON changes (editor, id);
CREATE INDEX changes_by_at ON changes (at);

CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: changes cannot be updated');
END;

CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: changes cannot be deleted');
END;
