-- Schema 4: the history of test requests per item. Each entry is sealed (the audit
-- subkey; associated data binds vault, table, row) and holds what was sent with every
-- secret redacted, and the diagnosis. At most 50 entries per item are kept.
CREATE TABLE requests (
    id      TEXT PRIMARY KEY NOT NULL,       -- 32 hex characters, random
    item_id TEXT NOT NULL,                   -- the item whose credential was attached
    at      INTEGER NOT NULL,                -- Unix seconds
    entry   BLOB NOT NULL                    -- sealed JSON HistoryEntry
) STRICT;

CREATE INDEX requests_by_item ON requests (item_id, at);

CREATE TRIGGER requests_on_item_delete AFTER DELETE ON items
BEGIN
    DELETE FROM requests WHERE item_id = OLD.id;
END;
