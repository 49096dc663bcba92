-- Schema 9: revisions and sync (see docs/vault-format.md, "Sync").
--
-- This file's device id: random, given once. `sync join` makes a new file with its own;
-- `sync init` gives a fresh one to a file copied from a device that already syncs.
INSERT INTO meta (key, value) VALUES ('device_id', lower(hex(randomblob(16))))
    ON CONFLICT (key) DO NOTHING;

-- Items changed since their last revision. Every write to an item's row or its saved
-- requests marks it here, in the writer's transaction, whatever code path wrote it; the
-- next sync pass (or merge) gives each marked item a revision whose clock starts from
-- `at_ms`, the time of the change. An item moved to the Trash is marked too (its
-- revision is then a deletion).
CREATE TABLE sync_dirty (
    item_id TEXT PRIMARY KEY NOT NULL,
    at_ms   INTEGER NOT NULL                 -- Unix milliseconds of the last change
) STRICT;

CREATE TRIGGER sync_dirty_on_item_insert AFTER INSERT ON items
BEGIN
    INSERT INTO sync_dirty (item_id, at_ms)
    VALUES (NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    ON CONFLICT (item_id) DO UPDATE SET at_ms = excluded.at_ms;
END;

CREATE TRIGGER sync_dirty_on_item_update AFTER UPDATE OF name_mac, overview, secret ON items
BEGIN
    INSERT INTO sync_dirty (item_id, at_ms)
    VALUES (NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    ON CONFLICT (item_id) DO UPDATE SET at_ms = excluded.at_ms;
END;

CREATE TRIGGER sync_dirty_on_item_delete AFTER DELETE ON items
BEGIN
    INSERT INTO sync_dirty (item_id, at_ms)
    VALUES (OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    ON CONFLICT (item_id) DO UPDATE SET at_ms = excluded.at_ms;
END;

CREATE TRIGGER sync_dirty_on_saved_insert AFTER INSERT ON saved_requests
BEGIN
    INSERT INTO sync_dirty (item_id, at_ms)
    VALUES (NEW.item_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    ON CONFLICT (item_id) DO UPDATE SET at_ms = excluded.at_ms;
END;

CREATE TRIGGER sync_dirty_on_saved_update AFTER UPDATE ON saved_requests
BEGIN
    INSERT INTO sync_dirty (item_id, at_ms)
    VALUES (NEW.item_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    ON CONFLICT (item_id) DO UPDATE SET at_ms = excluded.at_ms;
END;

CREATE TRIGGER sync_dirty_on_saved_delete AFTER DELETE ON saved_requests
BEGIN
    INSERT INTO sync_dirty (item_id, at_ms)
    VALUES (OLD.item_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    ON CONFLICT (item_id) DO UPDATE SET at_ms = excluded.at_ms;
END;

-- Per item, the versions in force (src/sync/merge.rs): the one the item shows and any
-- conflict versions. Each holds the whole item (overview, secret, saved requests) sealed
-- with the secret subkey; the associated data binds vault, item, device and clock. A
-- deletion has no body. Rows stay for deleted items (a later, older version must not
-- bring an item back). `sent` marks this device's own versions written to its folder.
CREATE TABLE sync_versions (
    item_id TEXT NOT NULL,
    device  TEXT NOT NULL,
    clock   INTEGER NOT NULL,                -- hybrid logical clock: ms << 16 | counter
    ctx     TEXT NOT NULL,                   -- JSON: the versions it has seen
    body    BLOB,                            -- sealed JSON ItemBody; NULL = deleted
    sent    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, device, clock)
) STRICT;

CREATE INDEX sync_versions_unsent ON sync_versions (device, sent);

-- The other devices of the sync folder: how far this device has read each one's files.
CREATE TABLE sync_peers (
    device    TEXT PRIMARY KEY NOT NULL,
    seq       INTEGER NOT NULL DEFAULT 0,    -- last segment/snapshot applied in order
    name      TEXT NOT NULL DEFAULT '',
    last_seen INTEGER,                       -- Unix seconds: its newest file's time
    removed   INTEGER NOT NULL DEFAULT 0
) STRICT;
