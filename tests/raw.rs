//! Direct SQLite access to a vault file, to tamper with it the way an attacker or a broken
//! disk would.

use std::path::Path;

use rusqlite::Connection;

fn conn(db: &Path) -> Connection {
    Connection::open(db).expect("open raw sqlite")
}

pub fn exec(db: &Path, sql: &str) {
    conn(db).execute_batch(sql).expect("raw sql");
}

/// Flip one bit of byte `at` in `table.column` of the row whose key column is `key`.
pub fn flip_byte(db: &Path, table: &str, column: &str, key: &str, at: usize) {
    let c = conn(db);
    let key_col = match table {
        "settings" => "key",
        "overview_index" => "chunk",
        _ => "id",
    };
    let mut blob: Vec<u8> = c
        .query_row(
            &format!("SELECT {column} FROM {table} WHERE {key_col} = ?1"),
            [key],
            |r| r.get(0),
        )
        .expect("row");
    blob[at] ^= 0x01;
    c.execute(
        &format!("UPDATE {table} SET {column} = ?2 WHERE {key_col} = ?1"),
        rusqlite::params![key, blob],
    )
    .expect("update");
}

/// The sealed overview and secret of an item.
pub fn item_blobs(db: &Path, id: &str) -> (Vec<u8>, Vec<u8>) {
    conn(db)
        .query_row(
            "SELECT overview, secret FROM items WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("item")
}

/// Rows in `table`.
pub fn count(db: &Path, table: &str) -> i64 {
    conn(db)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}
