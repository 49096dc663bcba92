-- Schema 5: saved test requests per item (a health-check URL, a login call). Each is
-- sealed whole with the secret subkey, since a typed header or body may hold a secret; the
-- associated data binds vault, table and row. Deleted with their item.
CREATE TABLE saved_requests (
    id         TEXT PRIMARY KEY NOT NULL,    -- 32 hex characters, random
    item_id    TEXT NOT NULL,                -- the item whose credential is attached
    updated_at INTEGER NOT NULL,             -- Unix seconds
    request    BLOB NOT NULL                 -- sealed JSON SavedRequest
) STRICT;

CREATE INDEX saved_requests_by_item ON saved_requests (item_id);

CREATE TRIGGER saved_requests_on_item_delete AFTER DELETE ON items
BEGIN
    DELETE FROM saved_requests WHERE item_id = OLD.id;
END;
