-- The Trash: a deleted item's row moves here for 30 days (restore, purge, empty). Its
-- overview and secret are sealed again under the trash's associated data, which binds the
-- deletion time (see docs/vault-format.md): a row moved back into `items` by hand, or a
-- `deleted_at` edited to purge or keep an item, fails to open. The name MAC is not kept:
-- a trashed item does not hold its name. The sealed item count (`meta.item_head`) counts
-- trash rows separately.
CREATE TABLE trash (
    id         TEXT PRIMARY KEY NOT NULL,    -- the item's id (the same as in items)
    deleted_at INTEGER NOT NULL,             -- Unix seconds; bound into the overview's AD
    overview   BLOB NOT NULL,                -- sealed Overview JSON (trash AD)
    secret     BLOB NOT NULL                 -- sealed SecretFields JSON (trash AD)
) STRICT;

CREATE INDEX trash_by_time ON trash (deleted_at);

-- An item's request history and saved requests stay while it is in the Trash (a row moves
-- to `trash` before it leaves `items`, and back before it leaves `trash`), and go with it
-- when it is deleted for good.
DROP TRIGGER requests_on_item_delete;
DROP TRIGGER saved_requests_on_item_delete;

CREATE TRIGGER requests_on_item_delete AFTER DELETE ON items
WHEN NOT EXISTS (SELECT 1 FROM trash WHERE id = OLD.id)
BEGIN
    DELETE FROM requests WHERE item_id = OLD.id;
END;

CREATE TRIGGER saved_requests_on_item_delete AFTER DELETE ON items
WHEN NOT EXISTS (SELECT 1 FROM trash WHERE id = OLD.id)
BEGIN
    DELETE FROM saved_requests WHERE item_id = OLD.id;
END;

CREATE TRIGGER requests_on_trash_delete AFTER DELETE ON trash
WHEN NOT EXISTS (SELECT 1 FROM items WHERE id = OLD.id)
BEGIN
    DELETE FROM requests WHERE item_id = OLD.id;
END;

CREATE TRIGGER saved_requests_on_trash_delete AFTER DELETE ON trash
WHEN NOT EXISTS (SELECT 1 FROM items WHERE id = OLD.id)
BEGIN
    DELETE FROM saved_requests WHERE item_id = OLD.id;
END;
