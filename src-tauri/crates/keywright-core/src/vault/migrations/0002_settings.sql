-- Schema 2: sealed per-vault settings (auto-lock, clipboard timeout, ...) and an index for
-- an item's audit history.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL                      -- sealed JSON value
) STRICT;

CREATE INDEX audit_by_item ON audit (item_id, seq);
