-- Schema 8: previous versions of an item's secret. "Mark rotated" keeps the replaced value
-- sealed for a grace period the user chooses, so that services still using it keep working
-- while they roll over; the row is deleted when the period ends (`purge_at`) and with its
-- item. The value is sealed with the secret subkey; the associated data binds vault, row,
-- item and purge time, so a row moved to another item or given a later end does not open.
-- An item moved to the Trash (schema 7) keeps its previous versions (their grace period
-- still runs; they cannot be listed or opened while it is there), a restore brings them
-- back with it, and they go when it is purged.
CREATE TABLE versions (
    id         TEXT PRIMARY KEY NOT NULL,    -- 32 hex characters, random
    item_id    TEXT NOT NULL,                -- the item whose value this was
    created_at INTEGER NOT NULL,             -- Unix seconds: when it was replaced
    purge_at   INTEGER NOT NULL,             -- Unix seconds: when it is deleted
    value      BLOB NOT NULL                 -- sealed JSON {"value": "..."}
) STRICT;

CREATE INDEX versions_by_item ON versions (item_id, created_at);
CREATE INDEX versions_by_purge ON versions (purge_at);

-- As the Trash's triggers for requests (0007_trash.sql): a row moves to `trash` before it
-- leaves `items`, and back before it leaves `trash`.
CREATE TRIGGER versions_on_item_delete AFTER DELETE ON items
WHEN NOT EXISTS (SELECT 1 FROM trash WHERE id = OLD.id)
BEGIN
    DELETE FROM versions WHERE item_id = OLD.id;
END;

CREATE TRIGGER versions_on_trash_delete AFTER DELETE ON trash
WHEN NOT EXISTS (SELECT 1 FROM items WHERE id = OLD.id)
BEGIN
    DELETE FROM versions WHERE item_id = OLD.id;
END;
