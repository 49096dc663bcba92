//! Sealed audit events: add, change, delete, reveal, copy, rename, trash, restore, purge.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::crypto::{self, Key};
use crate::error::{Error, Result};

/// What happened.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Add,
    Change,
    Delete,
    Reveal,
    Copy,
    /// Keywright renamed the item (two names became the same under a new name folding).
    Rename,
    /// Moved to the Trash (restorable for 30 days).
    Trash,
    /// Brought back from the Trash (`detail`: the name it had, when restored under a new
    /// one).
    Restore,
    /// Deleted for good from the Trash (`detail`: why, when not asked for one by one).
    Purge,
    /// Left the vault, secrets and all, in a whole-vault export (`detail`: the format,
    /// e.g. `keepassxc`).
    Export,
}

/// Who did it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Cli,
    App,
}

/// One audit event, as sealed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: i64,
    pub action: Action,
    pub item_id: String,
    /// The item's name at the time.
    pub item_name: String,
    pub actor: Actor,
    /// What changed (field names, never values), or which field was copied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl AuditEvent {
    pub fn new(
        at: i64,
        action: Action,
        item_id: &str,
        item_name: &str,
        actor: Actor,
        detail: Option<String>,
    ) -> Self {
        AuditEvent {
            at,
            action,
            item_id: item_id.to_owned(),
            item_name: item_name.to_owned(),
            actor,
            detail,
        }
    }
}

/// A sealed row ready to insert.
pub struct SealedEvent {
    id: String,
    item_id: String,
    blob: Vec<u8>,
}

pub(super) fn ad(vault_id: &str, id: &str) -> Vec<u8> {
    format!("keywright/v1/{vault_id}/audit/{id}/event").into_bytes()
}

pub fn seal_event(key: &Key, vault_id: &str, ev: &AuditEvent) -> Result<SealedEvent> {
    let id = crypto::hex(&crypto::random_bytes(16)?);
    let json = serde_json::to_vec(ev).map_err(|e| Error::corrupt(e.to_string()))?;
    let blob = key.seal(&ad(vault_id, &id), &json)?;
    Ok(SealedEvent {
        id,
        item_id: ev.item_id.clone(),
        blob,
    })
}

pub fn insert(conn: &Connection, ev: &SealedEvent) -> Result<()> {
    conn.execute(
        "INSERT INTO audit (id, item_id, event) VALUES (?1, ?2, ?3)",
        params![ev.id, ev.item_id, ev.blob],
    )?;
    Ok(())
}

/// Events oldest first. An event that fails to open is reported as tampered.
pub fn read(
    conn: &Connection,
    key: &Key,
    vault_id: &str,
    item: Option<&str>,
) -> Result<Vec<AuditEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, event FROM audit WHERE ?1 IS NULL OR item_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([item], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, blob) = row?;
        let plain = key
            .open(&ad(vault_id, &id), &blob)
            .map_err(|_| Error::Tampered {
                item: format!("audit event {id}"),
                field: "event".into(),
            })?;
        let ev = serde_json::from_slice(&plain).map_err(|_| Error::Tampered {
            item: format!("audit event {id}"),
            field: "event".into(),
        })?;
        out.push(ev);
    }
    Ok(out)
}
