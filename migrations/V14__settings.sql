-- Settings of the database, each set by an audited `settings` change (SPEC section 16): whether
-- publishing needs an approval (`approval`: required or optional) and where the site is
-- published (`site`: an absolute directory). Like every projected table, each row points at the
-- change that last wrote it. A setting with no row has its default: approval is required from
-- the moment two editors could publish; the site is `publish/` beside the database, or where
-- its first publication went.
CREATE TABLE settings (
    name      TEXT PRIMARY KEY,
    value     TEXT NOT NULL,
    change_id INTEGER NOT NULL
);
