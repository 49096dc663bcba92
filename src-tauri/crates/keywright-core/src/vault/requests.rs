//! Test requests per item: the history (schema 4), sealed, at most [`KEEP`] per item; and
//! saved requests (schema 5), sealed whole, at most [`MAX_SAVED`] per item.

use rusqlite::{TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::{Vault, ad, new_id};
use crate::error::{Error, Result};
use crate::probe::history::HistoryEntry;
use crate::probe::input::RequestInput;

/// Entries kept per item; older ones are deleted with each new one.
pub const KEEP: usize = 50;
/// Saved requests per item.
pub const MAX_SAVED: usize = 100;
/// Longest name of a saved request, in characters.
pub const MAX_SAVED_NAME: usize = 80;

/// A request kept under a name with its item, to send again.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedRequest {
    pub id: String,
    pub name: String,
    pub request: RequestInput,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub updated_at: i64,
}

/// A saved request's associated data binds its item too: moved to another item's row it
/// does not open (it would send that item's credential to the first one's URL).
pub(super) fn saved_ad(vault_id: &str, item_id: &str, id: &str) -> Vec<u8> {
    ad(
        vault_id,
        "saved_requests",
        id,
        &format!("request/{item_id}"),
    )
}

impl Vault {
    /// Add a request to an item's history (already redacted by `probe::history::entry`).
    pub fn record_request(&mut self, item_id: &str, entry: &HistoryEntry) -> Result<()> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let id = new_id()?;
        let json = serde_json::to_vec(entry).map_err(|e| Error::corrupt(e.to_string()))?;
        let sealed = keys
            .audit
            .seal(&ad(&self.vault_id, "requests", &id, "entry"), &json)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO requests (id, item_id, at, entry) VALUES (?1, ?2, ?3, ?4)",
            params![id, item_id, entry.at, sealed],
        )?;
        tx.execute(
            "DELETE FROM requests WHERE item_id = ?1 AND id NOT IN \
             (SELECT id FROM requests WHERE item_id = ?1 ORDER BY at DESC, rowid DESC LIMIT ?2)",
            params![item_id, KEEP as i64],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// An item's request history, newest first. An entry that fails to open is skipped.
    pub fn request_history(&mut self, item_id: &str) -> Result<Vec<HistoryEntry>> {
        Ok(self
            .history_rows(
                "SELECT id, item_id, entry FROM requests WHERE item_id = ?1 \
                 ORDER BY at DESC, rowid DESC",
                params![item_id],
            )?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }

    /// The newest `limit` requests of the whole vault, with their item's id, newest first
    /// (for a view across items; not those of items in the Trash). An entry that fails to
    /// open is skipped.
    pub fn recent_requests(&mut self, limit: usize) -> Result<Vec<(String, HistoryEntry)>> {
        self.history_rows(
            "SELECT id, item_id, entry FROM requests WHERE item_id NOT IN (SELECT id FROM trash) \
             ORDER BY at DESC, rowid DESC LIMIT ?1",
            params![i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }

    /// History rows `(id, item_id, entry)` selected by `sql`, opened; a row that fails to
    /// open is skipped (a log, not the user's own work).
    fn history_rows(
        &mut self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<(String, HistoryEntry)>> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, item_id, blob) = row?;
            let Ok(plain) = keys
                .audit
                .open(&ad(&self.vault_id, "requests", &id, "entry"), &blob)
            else {
                continue;
            };
            if let Ok(e) = serde_json::from_slice::<HistoryEntry>(&plain) {
                out.push((item_id, e));
            }
        }
        Ok(out)
    }

    /// Save `request` under `name` with item `item_id`; a saved request of the same name
    /// (any case) is replaced. The request must be one that can be sent.
    pub fn save_request(
        &mut self,
        item_id: &str,
        name: &str,
        request: &RequestInput,
    ) -> Result<SavedRequest> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("name", "a saved request needs a name"));
        }
        if name.chars().count() > MAX_SAVED_NAME {
            return Err(Error::invalid(
                "name",
                format!("is longer than {MAX_SAVED_NAME} characters"),
            ));
        }
        request.to_spec()?;
        let item = self.get(item_id)?;
        let existing = self.saved_requests(&item.id)?;
        let same = existing
            .iter()
            .find(|s| s.name.to_lowercase() == name.to_lowercase());
        if same.is_none() && existing.len() >= MAX_SAVED {
            return Err(Error::invalid(
                "saved request",
                format!(
                    "{:?} already has {MAX_SAVED} saved requests; delete one first",
                    item.overview.name
                ),
            ));
        }
        let saved = SavedRequest {
            id: match same {
                Some(s) => s.id.clone(),
                None => new_id()?,
            },
            name: name.to_owned(),
            request: request.clone(),
            updated_at: crate::timefmt::now(),
        };
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let json = zeroize::Zeroizing::new(
            serde_json::to_vec(&saved).map_err(|e| Error::corrupt(e.to_string()))?,
        );
        let sealed = keys
            .secret
            .seal(&saved_ad(&self.vault_id, &item.id, &saved.id), &json)?;
        self.conn.execute(
            "INSERT INTO saved_requests (id, item_id, updated_at, request) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, request = excluded.request",
            params![saved.id, item.id, saved.updated_at, sealed],
        )?;
        Ok(saved)
    }

    /// An item's saved requests, by name. One that fails to open is an error (`tampered`,
    /// naming it), not skipped: it is the user's own work, not a log.
    pub fn saved_requests(&mut self, item_id: &str) -> Result<Vec<SavedRequest>> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, request FROM saved_requests WHERE item_id = ?1")?;
        let rows = stmt.query_map([item_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, blob) = row?;
            let plain = keys
                .secret
                .open(&saved_ad(&self.vault_id, item_id, &id), &blob)
                .map_err(|_| Error::Tampered {
                    item: item_id.to_owned(),
                    field: format!("saved request {id}"),
                })?;
            let s: SavedRequest = serde_json::from_slice(&plain)
                .map_err(|e| Error::corrupt(format!("saved request {id}: {e}")))?;
            out.push(s);
        }
        out.sort_by_key(|s| s.name.to_lowercase());
        Ok(out)
    }

    /// Delete saved request `id` of item `item_id`.
    pub fn delete_saved_request(&mut self, item_id: &str, id: &str) -> Result<()> {
        let n = self.conn.execute(
            "DELETE FROM saved_requests WHERE item_id = ?1 AND id = ?2",
            params![item_id, id],
        )?;
        if n == 0 {
            return Err(Error::invalid(
                "saved request",
                "there is no such saved request",
            ));
        }
        Ok(())
    }

    /// Saved request `name_or_id` of item `item_id`.
    pub fn saved_request(&mut self, item_id: &str, name_or_id: &str) -> Result<SavedRequest> {
        let key = name_or_id.trim().to_lowercase();
        self.saved_requests(item_id)?
            .into_iter()
            .find(|s| s.id == name_or_id || s.name.to_lowercase() == key)
            .ok_or_else(|| {
                Error::invalid(
                    "saved request",
                    format!("there is no saved request called {:?}", name_or_id.trim()),
                )
            })
    }
}
