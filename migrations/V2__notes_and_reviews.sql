-- Review notes (internal unless public) and reviews ("I checked this force's page").
CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    force_id    INTEGER REFERENCES forces (id),
    text        TEXT NOT NULL,
    public      INTEGER NOT NULL CHECK (public IN (0, 1)),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    editor      TEXT NOT NULL,
    at          TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT
) STRICT;

CREATE INDEX notes_by_force ON notes (force_id, id);

CREATE TABLE reviews (
    id       INTEGER PRIMARY KEY,
    force_id INTEGER NOT NULL REFERENCES forces (id),
    at       TEXT NOT NULL,
    editor   TEXT NOT NULL,
    message  TEXT
) STRICT;

CREATE INDEX reviews_by_force ON reviews (force_id, at);
