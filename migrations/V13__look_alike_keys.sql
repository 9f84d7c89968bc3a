-- Force names are one name when their Unicode confusable skeletons match (UTS #39, SPEC section
-- 17): "Kent PoIice", "Kent P0lice" and "Kent Polıce" are Kent Police. Each force's key under that
-- rule (validate::look_key) is kept beside name_key, which stays the order names are listed in.
-- SQL cannot compute the key: admin registers it as the function look_key() on every connection
-- it migrates. The column is not UNIQUE: a database an older admin wrote may hold two forces whose
-- names now read alike; both stay, and `admin status` names the pair. A new name whose key
-- another force has is refused before it is written.
ALTER TABLE forces ADD COLUMN look_key TEXT NOT NULL DEFAULT '';
UPDATE forces SET look_key = look_key(name);
CREATE INDEX forces_look_key ON forces (look_key);
