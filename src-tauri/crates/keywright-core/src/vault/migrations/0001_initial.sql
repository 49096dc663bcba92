-- Keywright vault, schema 1. Everything secret is in sealed blobs; see docs/vault-format.md.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE slots (
    id          TEXT PRIMARY KEY NOT NULL,   -- 'password' | 'recovery' | 'keyring'
    kind        TEXT NOT NULL,
    params      TEXT NOT NULL,               -- JSON, slot-specific
    wrapped_key BLOB NOT NULL,               -- sealed vault key
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE items (
    id       TEXT PRIMARY KEY NOT NULL,      -- 32 hex characters, random
    name_mac BLOB NOT NULL UNIQUE,           -- HMAC of the normalised name (uniqueness, lookup)
    overview BLOB NOT NULL,                  -- sealed Overview JSON
    secret   BLOB NOT NULL                   -- sealed SecretFields JSON
) STRICT;

CREATE TABLE audit (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    id      TEXT NOT NULL UNIQUE,            -- 32 hex characters, random
    item_id TEXT,                            -- the item concerned (kept after deletion)
    event   BLOB NOT NULL                    -- sealed AuditEvent JSON
) STRICT;
