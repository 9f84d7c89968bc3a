-- One row per run of `admin publish` that wrote the site.
CREATE TABLE publications (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    editor         TEXT NOT NULL,
    note           TEXT NOT NULL,
    major          INTEGER NOT NULL CHECK (major IN (0, 1)),
    -- sha256 of the site's manifest (every file's name and sha256)
    sha256         TEXT NOT NULL,
    -- sha256 of the public directory content: unchanged content publishes nothing
    content_sha256 TEXT NOT NULL,
    -- the changes it covers: (first_change, last_change], ids in the audit log
    first_change   INTEGER NOT NULL,
    last_change    INTEGER NOT NULL
) STRICT;
