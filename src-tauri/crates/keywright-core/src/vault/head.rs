//! The sealed item count (`meta.item_head`, schema 6): kept in the same transaction as
//! every add and delete, so that rows deleted by someone who can write the file but has no
//! key show up as a mismatch (`Vault::item_count_problem`). A mismatch is kept: later
//! adds and deletes move the count by their own delta, never re-read it from the rows.
//!
//! Since the Trash (schema 7) it holds two counts, `{"items":N,"trash":M}`: the rows of
//! `items` and of `trash`. A count written before the Trash has no `trash` (read as 0: the
//! table is new and empty at that upgrade).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rusqlite::{Connection, OptionalExtension as _, params};

use super::ad;
use crate::crypto::Key;
use crate::error::{Error, Result};

/// The schema that brought the sealed item count.
pub(super) const SINCE_SCHEMA: u32 = 6;
const KEY: &str = "item_head";

pub(super) enum Head {
    Count { items: i64, trash: i64 },
    Missing,
    Damaged,
}

fn head_ad(vault_id: &str) -> Vec<u8> {
    ad(vault_id, "meta", KEY, "value")
}

pub(super) fn read(conn: &Connection, key: &Key, vault_id: &str) -> Result<Head> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [KEY], |r| r.get(0))
        .optional()?;
    let Some(v) = v else {
        return Ok(Head::Missing);
    };
    let Ok(blob) = B64.decode(v) else {
        return Ok(Head::Damaged);
    };
    let Ok(plain) = key.open(&head_ad(vault_id), &blob) else {
        return Ok(Head::Damaged);
    };
    let Ok(j) = serde_json::from_slice::<serde_json::Value>(&plain) else {
        return Ok(Head::Damaged);
    };
    let Some(items) = j.get("items").and_then(serde_json::Value::as_i64) else {
        return Ok(Head::Damaged);
    };
    let trash = match j.get("trash") {
        None => 0,
        Some(t) => match t.as_i64() {
            Some(t) => t,
            None => return Ok(Head::Damaged),
        },
    };
    Ok(Head::Count { items, trash })
}

pub(super) fn write(
    conn: &Connection,
    key: &Key,
    vault_id: &str,
    items: i64,
    trash: i64,
) -> Result<()> {
    let json = serde_json::to_vec(&serde_json::json!({ "items": items, "trash": trash }))
        .map_err(|e| Error::corrupt(e.to_string()))?;
    let blob = key.seal(&head_ad(vault_id), &json)?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![KEY, B64.encode(blob)],
    )?;
    Ok(())
}

/// Move the counts by `items` and `trash` (inside the caller's transaction). A missing or
/// damaged count is left as it is: the problem stays reported.
pub(super) fn bump(
    conn: &Connection,
    key: &Key,
    vault_id: &str,
    items: i64,
    trash: i64,
) -> Result<()> {
    match read(conn, key, vault_id)? {
        Head::Count { items: n, trash: t } => write(
            conn,
            key,
            vault_id,
            n.saturating_add(items),
            t.saturating_add(trash),
        ),
        Head::Missing | Head::Damaged => Ok(()),
    }
}
