-- The log is the only writer (SPEC section 15): every row of a table the audit log describes
-- points at the change that last wrote it, and a review's identity is the change that made it.
-- Rows written before this migration are matched to their changes here; `audit verify` then
-- checks every one against a database rebuilt from the log.
ALTER TABLE forces ADD COLUMN change_id INTEGER;
UPDATE forces SET change_id =
    (SELECT MAX(id) FROM changes WHERE entity = 'force' AND changes.force = forces.slug);

ALTER TABLE notes ADD COLUMN change_id INTEGER;
UPDATE notes SET change_id =
    (SELECT MAX(id) FROM changes
     WHERE entity = 'note' AND json_extract(COALESCE(after, before), '$.id') = notes.id);

ALTER TABLE editors ADD COLUMN change_id INTEGER;
UPDATE editors SET change_id =
    (SELECT MAX(id) FROM changes
     WHERE entity = 'editor' AND json_extract(COALESCE(after, before), '$.name') = editors.name);

ALTER TABLE page ADD COLUMN change_id INTEGER;
UPDATE page SET change_id = (SELECT MAX(id) FROM changes WHERE entity = 'page');

ALTER TABLE publications ADD COLUMN change_id INTEGER;
UPDATE publications SET change_id =
    (SELECT MIN(id) FROM changes
     WHERE action = 'publish' AND json_extract(after, '$.id') = publications.id);

-- Reviews are keyed by their change. The n-th review row of a force with a given time, editor
-- and message is the n-th such review change still standing (not withdrawn by a revert).
CREATE TABLE reviews_by_change (
    change_id INTEGER PRIMARY KEY,
    force_id  INTEGER NOT NULL REFERENCES forces (id),
    at        TEXT NOT NULL,
    editor    TEXT NOT NULL,
    message   TEXT,
    data_to   TEXT
) STRICT;

INSERT INTO reviews_by_change (change_id, force_id, at, editor, message, data_to)
WITH standing AS (
    SELECT c.id, f.id AS force_id, c.at, c.editor, c.message,
           ROW_NUMBER() OVER (PARTITION BY c.force, c.at, c.editor, c.message ORDER BY c.id) AS n
    FROM changes c JOIN forces f ON f.slug = c.force
    WHERE c.entity = 'review' AND c.after IS NOT NULL
      AND c.id NOT IN (SELECT reverts FROM changes
                       WHERE entity = 'review' AND after IS NULL AND reverts IS NOT NULL)
), rows AS (
    SELECT r.id AS rid, r.force_id, r.at, r.editor, r.message, r.data_to,
           ROW_NUMBER() OVER (PARTITION BY r.force_id, r.at, r.editor, r.message ORDER BY r.id) AS n
    FROM reviews r
)
SELECT COALESCE(s.id, -rows.rid), rows.force_id, rows.at, rows.editor, rows.message, rows.data_to
FROM rows LEFT JOIN standing s
  ON s.force_id = rows.force_id AND s.at = rows.at AND s.editor = rows.editor
 AND s.message IS rows.message AND s.n = rows.n;

DROP TABLE reviews;
ALTER TABLE reviews_by_change RENAME TO reviews;
CREATE INDEX reviews_by_force ON reviews (force_id, at);

-- Signatures from here on (version 2) cover the database's id and the previous change's hash
-- with the change, so a signed change cannot be replayed into another database or another place
-- in the log. Changes signed before this migration keep their version-1 signatures.
INSERT INTO meta (key, value) SELECT 'signatures_v2_from', COALESCE(MAX(id), 0) + 1 FROM changes;
