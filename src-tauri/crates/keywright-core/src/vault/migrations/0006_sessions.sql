-- Schema 6: CLI sessions. A session key is HKDF over three random parts: the token in the
-- shell's KEYWRIGHT_SESSION, a secret in the session file (runtime directory) and the
-- secret in this row. `keywright lock`, a password change, a rekey and the expiry sweep
-- delete the row (and the file it names), so a copied file and token open nothing after
-- that. Metadata only: the row holds no secret of the vault.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY NOT NULL,    -- 16 hex characters, random (in the token)
    secret     BLOB NOT NULL,                -- 32 random bytes, the row's part of the key
    created_at INTEGER NOT NULL,             -- Unix seconds
    expires_at INTEGER NOT NULL,             -- Unix seconds
    file       TEXT NOT NULL                 -- the session file's path
) STRICT;
