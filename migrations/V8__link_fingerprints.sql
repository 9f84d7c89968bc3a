-- What each `ok` or `caution` check saw of the page (SPEC section 13): its validators, the
-- sha256 of its body (first 5 MB) and its title; and whether that differed from the previous
-- check of the same URL (NULL on the first, and when no page was read).
ALTER TABLE link_checks ADD COLUMN etag TEXT;
ALTER TABLE link_checks ADD COLUMN last_modified TEXT;
ALTER TABLE link_checks ADD COLUMN content_sha256 TEXT;
ALTER TABLE link_checks ADD COLUMN title TEXT;
ALTER TABLE link_checks ADD COLUMN changed INTEGER CHECK (changed IN (0, 1));

-- the previous page of a force's URL, and when it last changed
CREATE INDEX link_checks_by_url ON link_checks (force_id, url, id);
