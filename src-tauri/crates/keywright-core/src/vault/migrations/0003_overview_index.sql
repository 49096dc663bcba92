-- Schema 3: the overview index, a cache of every overview sealed in a few large chunks so
-- that unlock opens a handful of blobs instead of one per item. It is derived data: any
-- change to an item's name or overview deletes it (triggers below, in the same
-- transaction), and the next full load rebuilds it. See docs/vault-format.md.
CREATE TABLE overview_index (
    chunk  INTEGER PRIMARY KEY NOT NULL,     -- 0 .. chunks-1
    chunks INTEGER NOT NULL,                 -- how many chunks the index has
    items  INTEGER NOT NULL,                 -- how many items the whole index holds
    blob   BLOB NOT NULL                     -- sealed JSON [[id, Overview], ...]
) STRICT;

CREATE TRIGGER overview_index_on_insert AFTER INSERT ON items
BEGIN
    DELETE FROM overview_index;
END;

CREATE TRIGGER overview_index_on_update AFTER UPDATE OF id, name_mac, overview ON items
BEGIN
    DELETE FROM overview_index;
END;

CREATE TRIGGER overview_index_on_delete AFTER DELETE ON items
BEGIN
    DELETE FROM overview_index;
END;
