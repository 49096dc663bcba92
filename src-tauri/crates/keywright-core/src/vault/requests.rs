//! The history of test requests per item (schema 4), sealed: at most [`KEEP`] per item.

use rusqlite::{TransactionBehavior, params};

use super::{Vault, ad, new_id};
use crate::error::{Error, Result};
use crate::probe::history::HistoryEntry;

/// Entries kept per item; older ones are deleted with each new one.
pub const KEEP: usize = 50;

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
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, entry FROM requests WHERE item_id = ?1 ORDER BY at DESC, rowid DESC",
        )?;
        let rows = stmt.query_map([item_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, blob) = row?;
            let Ok(plain) = keys
                .audit
                .open(&ad(&self.vault_id, "requests", &id, "entry"), &blob)
            else {
                continue;
            };
            if let Ok(e) = serde_json::from_slice::<HistoryEntry>(&plain) {
                out.push(e);
            }
        }
        Ok(out)
    }
}
