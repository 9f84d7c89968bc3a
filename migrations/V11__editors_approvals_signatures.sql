-- The registry of editors (who may change what, and the key that signs their changes), each
-- change's signature, and what a publication says about its second check.
CREATE TABLE editors (
    name     TEXT PRIMARY KEY,
    role     TEXT NOT NULL CHECK (role IN ('editor', 'publisher', 'admin')),
    status   TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    -- an OpenSSH ed25519 public key, without its comment
    key      TEXT,
    added_at TEXT NOT NULL
) STRICT;

-- the armored SSH signature of the change's canonical JSON; outside the hashed body, so the
-- chain of older changes is unchanged
ALTER TABLE changes ADD COLUMN signature TEXT;

ALTER TABLE publications ADD COLUMN approved_by TEXT;
ALTER TABLE publications ADD COLUMN without_approval TEXT;
