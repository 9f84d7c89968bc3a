-- Results of `admin check-links`; the newest per force is its link status.
CREATE TABLE link_checks (
    id            INTEGER PRIMARY KEY,
    force_id      INTEGER NOT NULL REFERENCES forces (id),
    url           TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('ok', 'caution', 'broken')),
    http_status   INTEGER,
    final_url     TEXT,
    problem       TEXT,
    suggested_fix TEXT,
    checked_at    TEXT NOT NULL
) STRICT;

CREATE INDEX link_checks_by_force ON link_checks (force_id, id);
