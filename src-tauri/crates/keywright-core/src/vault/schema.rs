//! Numbered, embedded schema migrations. `PRAGMA user_version` is the number applied.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// `PRAGMA application_id` of a Keywright vault: "KWRT".
pub const APPLICATION_ID: i32 = 0x4B57_5254;

/// Migrations in order; index + 1 is the schema version they bring the file to.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_settings.sql"),
    include_str!("migrations/0003_overview_index.sql"),
    include_str!("migrations/0004_requests.sql"),
    include_str!("migrations/0005_saved_requests.sql"),
    include_str!("migrations/0006_sessions.sql"),
    include_str!("migrations/0007_trash.sql"),
    include_str!("migrations/0008_versions.sql"),
    include_str!("migrations/0009_sync.sql"),
];

/// Newest schema this build understands.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The schema version of an open file.
pub fn version(conn: &Connection) -> Result<u32> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    u32::try_from(v).map_err(|_| Error::corrupt(format!("schema version {v} is out of range")))
}

/// Check that the file is a Keywright vault this build can read.
pub fn check(conn: &Connection) -> Result<u32> {
    let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app != APPLICATION_ID {
        return Err(Error::corrupt(format!(
            "not a Keywright vault (SQLite application id {app:#x}, expected {APPLICATION_ID:#x})"
        )));
    }
    let v = version(conn)?;
    if v == 0 {
        return Err(Error::corrupt("the vault has no schema"));
    }
    if v > SCHEMA_VERSION {
        return Err(Error::NewerVersion {
            found: v,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(v)
}

/// Apply every migration after the file's version, in one transaction. `upto` limits the
/// target version (tests build old-format fixtures with it).
pub fn migrate(conn: &mut Connection, upto: u32) -> Result<u32> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let from = version(&tx)?;
    let upto = upto.min(SCHEMA_VERSION);
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(from as usize)
        .take(upto.saturating_sub(from) as usize)
    {
        tx.execute_batch(sql)
            .map_err(|e| Error::corrupt(format!("migration {} failed: {e}", i + 1)))?;
    }
    if upto > from {
        tx.pragma_update(None, "user_version", upto)?;
        if from == 0 {
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
    }
    tx.commit()?;
    Ok(upto.max(from))
}
