-- Checkpoints of the state the log replays to, every 100,000 changes: derived data, like the
-- tables, so that a reading of the past (`list --as-of`) starts from the nearest one at or
-- before its moment instead of the first change. The projection writes them, under the write
-- lock; `audit verify` compares each with its own replay at that change.
CREATE TABLE checkpoints (
    change INTEGER PRIMARY KEY REFERENCES changes (id),
    state TEXT NOT NULL
);
