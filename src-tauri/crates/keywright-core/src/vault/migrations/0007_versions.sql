-- Schema 7: previous versions of an item's secret. "Mark rotated" keeps the replaced value
-- sealed for a grace period the user chooses, so that services still using it keep working
-- while they roll over; the row is deleted when the period ends (`purge_at`) and with its
-- item. The value is sealed with the secret subkey; the associated data binds vault, row,
-- item and purge time, so a row moved to another item or given a later end does not open.
CREATE TABLE versions (
    id         TEXT PRIMARY KEY NOT NULL,    -- 32 hex characters, random
    item_id    TEXT NOT NULL,                -- the item whose value this was
    created_at INTEGER NOT NULL,             -- Unix seconds: when it was replaced
    purge_at   INTEGER NOT NULL,             -- Unix seconds: when it is deleted
    value      BLOB NOT NULL                 -- sealed JSON {"value": "..."}
) STRICT;

CREATE INDEX versions_by_item ON versions (item_id, created_at);
CREATE INDEX versions_by_purge ON versions (purge_at);

CREATE TRIGGER versions_on_item_delete AFTER DELETE ON items
BEGIN
    DELETE FROM versions WHERE item_id = OLD.id;
END;
