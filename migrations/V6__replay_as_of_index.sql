-- `list --as-of`, `show --as-of` and republishing find each entity's newest change at or before a
-- time: with `at` in the index (the id comes with every index entry) that search reads the index
-- alone, not one table row per change.
CREATE INDEX changes_by_entity_at ON changes (entity, force, at);
