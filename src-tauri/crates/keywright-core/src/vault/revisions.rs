//! Revisions and merge, the vault's side: every changed item gets a revision
//! ([`Vault::stamp_changes`]), versions from other devices or files are merged into the
//! per-item sets of versions in force (`sync_versions`) by the rules of
//! [`crate::sync::merge`], and the winner of each set is written to the item's row
//! ("projected"). Conflict versions stay sealed in `sync_versions` until resolved.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::requests::{SavedRequest, saved_ad};
use super::{
    Keys, Vault, ad, head, normalize_name, open_overview, open_secret_blob, seal_item, trash,
};
use crate::credential::{Overview, SecretFields};
use crate::crypto::{self, Key};
use crate::error::{Error, Result};
use crate::sync::clock::short_device;
use crate::sync::{Clock, Ctx, Dot, Hlc, Version, merge};
use crate::timefmt;

/// Everything of an item that syncs: its overview, its secret fields and its saved
/// requests. (The request history, the audit log and previous values kept by "mark
/// rotated" stay on the device that made them.) `Debug` never shows the content.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct ItemBody {
    pub overview: Overview,
    pub secret: SecretFields,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<SavedRequest>,
}

impl std::fmt::Debug for ItemBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ItemBody([redacted])")
    }
}

/// A version as stored: the body sealed (`None`: a deletion).
pub(crate) type Stored = Version<Vec<u8>>;

/// What merging versions did, for reports and the merge preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeCounts {
    /// Items that appeared.
    pub added: usize,
    /// Items whose content changed.
    pub updated: usize,
    /// Items that were deleted (moved to the Trash).
    pub deleted: usize,
    /// Items that now have a conflict version they did not have.
    pub conflicts: usize,
    /// Versions that changed nothing (already known or superseded).
    pub unchanged: usize,
}

impl MergeCounts {
    pub fn changed(&self) -> usize {
        self.added + self.updated + self.deleted
    }
}

/// One version of an item with a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictVersion {
    /// The id `resolve --keep` takes: `DEVICE-CLOCK` (device id's first 8 characters,
    /// clock in hex).
    pub id: String,
    pub device_id: String,
    /// The hybrid logical clock of the revision.
    pub revision: Clock,
    /// When it was made (Unix seconds).
    pub at: i64,
    /// True for the version in force (the one the item shows).
    pub kept: bool,
    /// The version deletes the item.
    pub deleted: bool,
    /// The item's name in this version (`None` for a deletion).
    pub name: Option<String>,
}

/// An item with more than one version in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub item_id: String,
    pub name: String,
    pub versions: Vec<ConflictVersion>,
}

fn hlc_key() -> &'static str {
    "sync_hlc"
}

pub(super) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub(super) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub(super) fn load_hlc(conn: &Connection) -> Result<Hlc> {
    Ok(Hlc::new(
        meta_get(conn, hlc_key())?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    ))
}

pub(super) fn save_hlc(conn: &Connection, hlc: &Hlc) -> Result<()> {
    meta_set(conn, hlc_key(), &hlc.last().to_string())
}

pub(super) fn device_id_of(conn: &Connection) -> Result<String> {
    meta_get(conn, "device_id")?.ok_or_else(|| Error::corrupt("the vault has no device id"))
}

fn clock_i64(c: Clock) -> i64 {
    i64::try_from(c).unwrap_or(i64::MAX)
}

fn body_ad(vault_id: &str, item: &str, dot: &Dot) -> Vec<u8> {
    ad(
        vault_id,
        "sync_versions",
        item,
        &format!("{}/{}", dot.device, dot.clock),
    )
}

pub(super) fn seal_body(
    keys: &Keys,
    vault_id: &str,
    item: &str,
    dot: &Dot,
    body: &ItemBody,
) -> Result<Vec<u8>> {
    let json = Zeroizing::new(serde_json::to_vec(body).map_err(|e| Error::corrupt(e.to_string()))?);
    keys.secret.seal(&body_ad(vault_id, item, dot), &json)
}

pub(super) fn open_body(
    keys: &Keys,
    vault_id: &str,
    item: &str,
    dot: &Dot,
    blob: &[u8],
) -> Result<ItemBody> {
    let bad = || Error::Tampered {
        item: item.to_owned(),
        field: format!("version {dot}"),
    };
    let plain = keys
        .secret
        .open(&body_ad(vault_id, item, dot), blob)
        .map_err(|_| bad())?;
    serde_json::from_slice(&plain).map_err(|_| bad())
}

/// The versions in force of `sync_versions` rows matching `filter` (its one parameter
/// `arg`), bodies still sealed, ordered by item, then revision.
fn read_stored(conn: &Connection, filter: &str, arg: &str) -> Result<Vec<Stored>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT item_id, device, clock, ctx, body FROM sync_versions {filter}
         ORDER BY item_id, clock, device"
    ))?;
    let rows = stmt.query_map([arg], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<Vec<u8>>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (item, device, clock, ctx, body) = row?;
        let ctx: Ctx = serde_json::from_str(&ctx)
            .map_err(|e| Error::corrupt(format!("revision of item {item}: {e}")))?;
        out.push(Version {
            item,
            dot: Dot {
                device,
                clock: u64::try_from(clock).unwrap_or(0),
            },
            ctx,
            body,
        });
    }
    Ok(out)
}

/// An item's versions in force, sorted by revision.
pub(super) fn load_set(conn: &Connection, item: &str) -> Result<Vec<Stored>> {
    let mut set = read_stored(conn, "WHERE item_id = ?1", item)?;
    // By dot (clock, then device); SQL ordered by clock, then device already.
    set.sort_by(|a, b| a.dot.cmp(&b.dot));
    Ok(set)
}

/// Replace the stored set `old` of an item by `new` (rows not in `new` go, new ones come).
fn save_set(conn: &Connection, old: &[Stored], new: &[Stored], me: &str) -> Result<()> {
    for v in old {
        if !new.iter().any(|n| n.dot == v.dot) {
            conn.prepare_cached(
                "DELETE FROM sync_versions WHERE item_id = ?1 AND device = ?2 AND clock = ?3",
            )?
            .execute(params![v.item, v.dot.device, clock_i64(v.dot.clock)])?;
        }
    }
    for v in new {
        if !old.iter().any(|o| o.dot == v.dot) {
            let ctx = serde_json::to_string(&v.ctx).map_err(|e| Error::corrupt(e.to_string()))?;
            // Versions from elsewhere are never this device's to send.
            let sent = i64::from(v.dot.device != me);
            conn.prepare_cached(
                "INSERT INTO sync_versions (item_id, device, clock, ctx, body, sent)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                v.item,
                v.dot.device,
                clock_i64(v.dot.clock),
                ctx,
                v.body,
                sent
            ])?;
        }
    }
    Ok(())
}

/// The item as its rows hold it now, or `None` when it is not in `items` (deleted, in
/// the Trash, never here).
fn current_body(
    conn: &Connection,
    keys: &Keys,
    vault_id: &str,
    id: &str,
) -> Result<Option<ItemBody>> {
    let row: Option<(Vec<u8>, Vec<u8>)> = conn
        .query_row(
            "SELECT overview, secret FROM items WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((ov, sec)) = row else {
        return Ok(None);
    };
    let overview = open_overview(keys, vault_id, id, &ov)?;
    let secret = open_secret_blob(keys, vault_id, id, &sec)?;
    let mut stmt =
        conn.prepare_cached("SELECT id, request FROM saved_requests WHERE item_id = ?1")?;
    let rows = stmt.query_map([id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut requests = Vec::new();
    for row in rows {
        let (rid, blob) = row?;
        let plain = keys
            .secret
            .open(&saved_ad(vault_id, id, &rid), &blob)
            .map_err(|_| Error::Tampered {
                item: id.to_owned(),
                field: format!("saved request {rid}"),
            })?;
        let s: SavedRequest = serde_json::from_slice(&plain)
            .map_err(|e| Error::corrupt(format!("saved request {rid}: {e}")))?;
        requests.push(s);
    }
    requests.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Some(ItemBody {
        overview,
        secret,
        requests,
    }))
}

/// Everything a merge needs in one place (borrowed from the vault).
pub(super) struct Merger<'a> {
    pub(super) conn: &'a Connection,
    pub(super) keys: &'a Keys,
    pub(super) vault_id: &'a str,
    pub(super) me: &'a str,
    pub(super) hlc: &'a mut Hlc,
    /// How the sealed item counts move (items, Trash): applied once at the end.
    pub(super) head: (i64, i64),
}

/// Give every changed item (`sync_dirty`) a revision made on top of its winner: an edit,
/// or a deletion when the item is no longer in `items`. Returns how many.
pub(super) fn stamp_in(m: &mut Merger<'_>) -> Result<usize> {
    let dirty: Vec<(String, i64)> = {
        let mut stmt = m
            .conn
            .prepare_cached("SELECT item_id, at_ms FROM sync_dirty ORDER BY at_ms, item_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut n = 0;
    for (id, at_ms) in dirty {
        let body = current_body(m.conn, m.keys, m.vault_id, &id)?;
        let old = load_set(m.conn, &id)?;
        let already_deleted = merge::winner(&old).is_some_and(|w| old[w].body.is_none());
        if body.is_none() && already_deleted {
            // Already deleted (a purge from the Trash): nothing new to say.
            continue;
        }
        // An item deleted before it ever had a version still gets a deletion: an older copy
        // of the vault merged later must not bring it back.
        let dot = Dot {
            device: m.me.to_owned(),
            clock: m.hlc.tick(at_ms),
        };
        let sealed = match &body {
            Some(b) => Some(seal_body(m.keys, m.vault_id, &id, &dot, b)?),
            None => None,
        };
        let v = Version {
            item: id.clone(),
            dot,
            ctx: edit_ctx(m, &old)?,
            body: sealed,
        };
        let mut new = old.clone();
        merge::insert(&mut new, v);
        save_set(m.conn, &old, &new, m.me)?;
        n += 1;
    }
    m.conn.execute("DELETE FROM sync_dirty", [])?;
    if n > 0 {
        save_hlc(m.conn, m.hlc)?;
    }
    Ok(n)
}

/// The bodies of an item's versions in force, opened (`None`: a deletion).
fn open_all(keys: &Keys, vault_id: &str, set: &[Stored]) -> Result<Vec<Option<ItemBody>>> {
    set.iter().map(|v| open_stored(keys, vault_id, v)).collect()
}

/// A stored version's body, opened (`None`: a deletion).
fn open_stored(keys: &Keys, vault_id: &str, v: &Stored) -> Result<Option<ItemBody>> {
    match &v.body {
        Some(b) => open_body(keys, vault_id, &v.item, &v.dot, b).map(Some),
        None => Ok(None),
    }
}

/// Indices of the versions in force whose content is the winner's (the same edit made
/// on two devices, or one item merged from two copies): not a conflict.
fn same_as_winner(bodies: &[Option<ItemBody>], w: usize) -> Vec<bool> {
    bodies.iter().map(|b| *b == bodies[w]).collect()
}

/// The context of a local edit of an item ([`merge::edit_ctx_covering`]).
fn edit_ctx(m: &Merger<'_>, set: &[Stored]) -> Result<Ctx> {
    if set.len() < 2 {
        return Ok(merge::edit_ctx(set));
    }
    let Some(w) = merge::winner(set) else {
        return Ok(Ctx::default());
    };
    let same = same_as_winner(&open_all(m.keys, m.vault_id, set)?, w);
    Ok(merge::edit_ctx_covering(set, |i| same[i]))
}

/// Whether the set holds a version whose content differs from the winner's, with at
/// least one live version: the user has something to choose.
fn real_conflict(m: &Merger<'_>, set: &[Stored]) -> Result<bool> {
    if !live_conflict(set) {
        return Ok(false);
    }
    let Some(w) = merge::winner(set) else {
        return Ok(false);
    };
    Ok(same_as_winner(&open_all(m.keys, m.vault_id, set)?, w)
        .iter()
        .any(|s| !s))
}

/// What happened to one item when a version was merged.
enum Effect {
    Unchanged,
    Added,
    Updated,
    Deleted,
}

/// Merge one version (its body in clear) into the vault, inside the caller's transaction.
pub(super) fn apply_in(
    m: &mut Merger<'_>,
    v: Version<ItemBody>,
    counts: &mut MergeCounts,
) -> Result<()> {
    m.hlc.observe(v.dot.clock);
    let old = load_set(m.conn, &v.item)?;
    if old.iter().any(|s| s.dot == v.dot || s.supersedes(&v.dot)) {
        counts.unchanged += 1;
        return Ok(());
    }
    let sealed = match &v.body {
        Some(b) => Some(seal_body(m.keys, m.vault_id, &v.item, &v.dot, b)?),
        None => None,
    };
    let item = v.item.clone();
    let dot = v.dot.clone();
    let mut new = old.clone();
    merge::insert(
        &mut new,
        Version {
            item: v.item,
            dot: v.dot,
            ctx: v.ctx,
            body: sealed,
        },
    );
    save_set(m.conn, &old, &new, m.me)?;
    if real_conflict(m, &new)? && !real_conflict(m, &old)? {
        counts.conflicts += 1;
    }
    let hint = v.body.as_ref().map(|b| (&dot, b));
    match project(m, &item, &new, hint)? {
        Effect::Unchanged => counts.unchanged += 1,
        Effect::Added => counts.added += 1,
        Effect::Updated => counts.updated += 1,
        Effect::Deleted => counts.deleted += 1,
    }
    Ok(())
}

/// A set with more than one version in force and at least one of them live: the user
/// has something to choose.
fn live_conflict(set: &[Stored]) -> bool {
    set.len() > 1 && set.iter().any(|v| v.body.is_some())
}

/// The name an item takes when another item (with a smaller id) already has its name:
/// the same on every device, whatever the order things arrived in.
fn collision_name(name: &str, id: &str) -> String {
    format!("{name} ({})", id.get(..6).unwrap_or(id))
}

/// Write the winner of `set` to the item's rows: update, insert (from nothing or from the
/// Trash) or move to the Trash. The HOTP counter is the highest of all live versions in
/// force, so a counter value is never handed out again once any device has seen it used.
fn project(
    m: &mut Merger<'_>,
    id: &str,
    set: &[Stored],
    hint: Option<(&Dot, &ItemBody)>,
) -> Result<Effect> {
    let Some(w) = merge::winner(set) else {
        return Ok(Effect::Unchanged);
    };
    let in_items: bool = m
        .conn
        .prepare_cached("SELECT count(*) FROM items WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, i64>(0))?
        > 0;
    let effect = match &set[w].body {
        None => {
            if in_items {
                move_to_trash(m, id)?;
                Effect::Deleted
            } else {
                Effect::Unchanged
            }
        }
        Some(blob) => {
            // The version just merged is usually the winner: its body is at hand.
            let mut body = match hint {
                Some((dot, b)) if *dot == set[w].dot => b.clone(),
                _ => open_body(m.keys, m.vault_id, id, &set[w].dot, blob)?,
            };
            for (i, v) in set.iter().enumerate() {
                if i == w {
                    continue;
                }
                if let Some(b) = &v.body {
                    let other = open_body(m.keys, m.vault_id, id, &v.dot, b)?;
                    body.secret.counter = body.secret.counter.max(other.secret.counter);
                }
            }
            if in_items {
                let current = current_body(m.conn, m.keys, m.vault_id, id)?;
                let written = write_item(m, id, body, true)?;
                if current.as_ref() == Some(&written) {
                    Effect::Unchanged
                } else {
                    Effect::Updated
                }
            } else {
                write_item(m, id, body, false)?;
                Effect::Added
            }
        }
    };
    Ok(effect)
}

fn write_item(
    m: &mut Merger<'_>,
    id: &str,
    mut body: ItemBody,
    in_items: bool,
) -> Result<ItemBody> {
    // Two items of one name (added on two devices): the larger id takes a suffix.
    let mac = crypto::mac(&m.keys.name, normalize_name(&body.overview.name).as_bytes());
    let other: Option<String> = m
        .conn
        .prepare_cached("SELECT id FROM items WHERE name_mac = ?1 AND id != ?2")?
        .query_row(params![&mac[..], id], |r| r.get(0))
        .optional()?;
    if let Some(other) = other {
        if other.as_str() < id {
            body.overview.name = collision_name(&body.overview.name, id);
        } else {
            rename_for_collision(m, &other)?;
        }
    }
    let (mac, ov_blob, sec_blob) = seal_item(m.keys, m.vault_id, id, &body.overview, &body.secret)?;
    if in_items {
        m.conn
            .prepare_cached(
                "UPDATE items SET name_mac = ?2, overview = ?3, secret = ?4 WHERE id = ?1",
            )?
            .execute(params![id, &mac[..], ov_blob, sec_blob])?;
    } else {
        m.conn
            .prepare_cached(
                "INSERT INTO items (id, name_mac, overview, secret) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id, &mac[..], ov_blob, sec_blob])?;
        let from_trash = m
            .conn
            .prepare_cached("DELETE FROM trash WHERE id = ?1")?
            .execute([id])?;
        m.head.0 += 1;
        m.head.1 -= i64::try_from(from_trash).unwrap_or(0);
    }
    m.conn
        .prepare_cached("DELETE FROM saved_requests WHERE item_id = ?1")?
        .execute([id])?;
    for s in &body.requests {
        let json =
            Zeroizing::new(serde_json::to_vec(s).map_err(|e| Error::corrupt(e.to_string()))?);
        let sealed = m
            .keys
            .secret
            .seal(&saved_ad(m.vault_id, id, &s.id), &json)?;
        m.conn.execute(
            "INSERT INTO saved_requests (id, item_id, updated_at, request) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET item_id = excluded.item_id,
                 updated_at = excluded.updated_at, request = excluded.request",
            params![s.id, id, s.updated_at, sealed],
        )?;
    }
    Ok(body)
}

fn rename_for_collision(m: &mut Merger<'_>, id: &str) -> Result<()> {
    let Some(body) = current_body(m.conn, m.keys, m.vault_id, id)? else {
        return Ok(());
    };
    let mut ov = body.overview;
    ov.name = collision_name(&ov.name, id);
    let (mac, ov_blob, _) = seal_item(m.keys, m.vault_id, id, &ov, &body.secret)?;
    m.conn.execute(
        "UPDATE items SET name_mac = ?2, overview = ?3 WHERE id = ?1",
        params![id, &mac[..], ov_blob],
    )?;
    Ok(())
}

fn move_to_trash(m: &mut Merger<'_>, id: &str) -> Result<()> {
    let Some(body) = current_body(m.conn, m.keys, m.vault_id, id)? else {
        return Ok(());
    };
    let now = timefmt::now();
    let ov_json = Zeroizing::new(
        serde_json::to_vec(&body.overview).map_err(|e| Error::corrupt(e.to_string()))?,
    );
    let sec_json = Zeroizing::new(
        serde_json::to_vec(&body.secret).map_err(|e| Error::corrupt(e.to_string()))?,
    );
    let ov_blob = m
        .keys
        .overview
        .seal(&trash::overview_ad(m.vault_id, id, now), &ov_json)?;
    let sec_blob = m
        .keys
        .secret
        .seal(&trash::secret_ad(m.vault_id, id), &sec_json)?;
    m.conn.execute("DELETE FROM trash WHERE id = ?1", [id])?;
    m.conn.execute(
        "INSERT INTO trash (id, deleted_at, overview, secret) VALUES (?1, ?2, ?3, ?4)",
        params![id, now, ov_blob, sec_blob],
    )?;
    m.conn.execute("DELETE FROM items WHERE id = ?1", [id])?;
    m.head.0 -= 1;
    m.head.1 += 1;
    Ok(())
}

impl Vault {
    /// This file's device id (a random id given by the schema 9 upgrade).
    pub fn device_id(&self) -> Result<String> {
        device_id_of(&self.conn)
    }

    /// Run `f` with the merge context inside one immediate transaction; the opened
    /// overviews are reloaded afterwards.
    pub(super) fn with_merge<T>(
        &mut self,
        f: impl FnOnce(&mut Merger<'_>) -> Result<T>,
    ) -> Result<T> {
        self.with_merge_opt(false, f)
    }

    /// [`Vault::with_merge`]; with `dry_run` the transaction is rolled back (a preview).
    fn with_merge_opt<T>(
        &mut self,
        dry_run: bool,
        f: impl FnOnce(&mut Merger<'_>) -> Result<T>,
    ) -> Result<T> {
        if let Some(dir) = &self.read_only {
            return Err(Error::read_only(dir, "merging changes writes to it"));
        }
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let me = device_id_of(&tx)?;
        let mut hlc = load_hlc(&tx)?;
        let out = {
            let mut m = Merger {
                conn: &tx,
                keys,
                vault_id: &self.vault_id,
                me: &me,
                hlc: &mut hlc,
                head: (0, 0),
            };
            // Local changes first: they did not see what is about to arrive.
            stamp_in(&mut m)?;
            let out = f(&mut m)?;
            // The rows were written by the merge, not changed here: no new revision.
            tx.execute("DELETE FROM sync_dirty", [])?;
            if m.head != (0, 0) {
                head::bump(&tx, &keys.overview, &self.vault_id, m.head.0, m.head.1)?;
            }
            out
        };
        if dry_run {
            tx.rollback()?;
            return Ok(out);
        }
        save_hlc(&tx, &hlc)?;
        tx.commit()?;
        self.cache = None;
        self.otp_sealed = None;
        Ok(out)
    }

    /// Give every item changed since its last revision a new one. Returns how many.
    pub fn stamp_changes(&mut self) -> Result<usize> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        if self.read_only.is_some() {
            return Ok(0);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let me = device_id_of(&tx)?;
        let mut hlc = load_hlc(&tx)?;
        let n = stamp_in(&mut Merger {
            conn: &tx,
            keys,
            vault_id: &self.vault_id,
            me: &me,
            hlc: &mut hlc,
            head: (0, 0),
        })?;
        tx.commit()?;
        Ok(n)
    }

    /// Merge versions (from another device or file) in one transaction.
    pub fn merge_versions(&mut self, versions: Vec<Version<ItemBody>>) -> Result<MergeCounts> {
        self.with_merge(|m| {
            let mut counts = MergeCounts::default();
            for v in versions {
                apply_in(m, v, &mut counts)?;
            }
            Ok(counts)
        })
    }

    /// Merge another copy of this vault (a backup, a copy from a machine that was offline)
    /// by the sync rules: what only it has is added, what both changed is kept as a
    /// conflict version, deletions it made apply. The file is read from a private copy,
    /// never written. With `dry_run` nothing changes here either (a preview).
    pub fn merge_file(&mut self, other: &Path, dry_run: bool) -> Result<MergeCounts> {
        let vk = Key::from_slice(self.keys()?.vault.expose())?;
        let probe = Vault::open(other)?;
        if probe.vault_id != self.vault_id {
            return Err(Error::invalid(
                "file",
                format!(
                    "{} is another vault (id {}), not a copy of this one ({}); use \
                     `keywright import` or `keywright export` to move items between vaults",
                    other.display(),
                    probe.vault_id,
                    self.vault_id
                ),
            ));
        }
        let tmp =
            super::folder_of(&self.path).join(format!(".keywright-merge-{}", super::new_id()?));
        crate::paths::create_private_dir(&tmp)?;
        let result = (|| {
            let copy = tmp.join("other.db");
            probe
                .conn
                .execute("VACUUM INTO ?1", [copy.to_string_lossy()])?;
            drop(probe);
            let mut o = Vault::open(&copy)?;
            o.unlock_with_vault_key(vk)?;
            let versions = o.versions_for_merge()?;
            drop(o);
            // This file's items without a revision get one first, so that nothing of
            // theirs is overwritten by the other copy: both sides' edits are kept.
            self.conn.execute(
                "INSERT INTO sync_dirty (item_id, at_ms)
                 SELECT id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) FROM items
                 WHERE id NOT IN (SELECT item_id FROM sync_versions)
                 ON CONFLICT (item_id) DO NOTHING",
                [],
            )?;
            self.with_merge_opt(dry_run, |m| {
                let mut counts = MergeCounts::default();
                for v in versions {
                    // A version the other copy never revised (a plain backup) that is older
                    // than this vault's deletion of the item: the deletion came after it.
                    if v.dot.device.starts_with('m') && v.ctx == Ctx::default() {
                        let set = load_set(m.conn, &v.item)?;
                        if merge::winner(&set).is_some_and(|w| {
                            set[w].body.is_none() && set[w].dot.clock > v.dot.clock
                        }) {
                            counts.unchanged += 1;
                            continue;
                        }
                    }
                    apply_in(m, v, &mut counts)?;
                }
                Ok(counts)
            })
        })();
        let _ = std::fs::remove_dir_all(&tmp);
        result
    }

    /// The versions of this file for a merge into another copy: those in force, plus one
    /// for each item changed since (or never given) a revision. Those get a revision from
    /// their content (device `m` + a hash of it, clock from their last change), so that
    /// merging the same file twice adds nothing.
    fn versions_for_merge(&mut self) -> Result<Vec<Version<ItemBody>>> {
        let mut out = self.versions_in_force()?;
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT id FROM items WHERE id IN (SELECT item_id FROM sync_dirty)
                    OR id NOT IN (SELECT item_id FROM sync_versions)
                 UNION SELECT item_id FROM sync_dirty WHERE item_id NOT IN (SELECT id FROM items)",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let keys = self.keys()?;
        for id in ids {
            let body = current_body(&self.conn, keys, &self.vault_id, &id)?;
            let set = load_set(&self.conn, &id)?;
            if body.is_none() && merge::winner(&set).is_none_or(|w| set[w].body.is_none()) {
                continue;
            }
            let json = serde_json::to_vec(&body).map_err(|e| Error::corrupt(e.to_string()))?;
            let device = format!(
                "m{}",
                &crypto::hex(&<sha2::Sha256 as sha2::Digest>::digest(&json))[..31]
            );
            let at = body
                .as_ref()
                .map_or_else(timefmt::now, |b| b.overview.updated_at);
            let clock = u64::try_from(at.max(0)).unwrap_or(0).saturating_mul(1000) << 16;
            out.push(Version {
                item: id,
                dot: Dot { device, clock },
                ctx: merge::edit_ctx(&set),
                body,
            });
        }
        Ok(out)
    }

    /// Every version in force, opened (for writing a snapshot, or comparing two vaults).
    pub fn versions_in_force(&mut self) -> Result<Vec<Version<ItemBody>>> {
        self.read_versions("WHERE ?1 = ?1", "")
    }

    fn read_versions(&mut self, filter: &str, arg: &str) -> Result<Vec<Version<ItemBody>>> {
        let keys = self.keys()?;
        read_stored(&self.conn, filter, arg)?
            .into_iter()
            .map(|v| {
                let body = open_stored(keys, &self.vault_id, &v)?;
                Ok(Version {
                    item: v.item,
                    dot: v.dot,
                    ctx: v.ctx,
                    body,
                })
            })
            .collect()
    }

    /// This device's versions not yet written to its sync folder, opened.
    pub(crate) fn unsent_versions(&mut self) -> Result<Vec<Version<ItemBody>>> {
        let me = self.device_id()?;
        self.read_versions("WHERE device = ?1 AND sent = 0", &me)
    }

    /// Mark versions as written to this device's sync folder.
    pub(crate) fn mark_sent(&mut self, versions: &[Version<ItemBody>]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for v in versions {
            tx.execute(
                "UPDATE sync_versions SET sent = 1 WHERE item_id = ?1 AND device = ?2 AND clock = ?3",
                params![v.item, v.dot.device, clock_i64(v.dot.clock)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Items with more than one version in force, at least one of them live.
    pub fn conflicts(&mut self) -> Result<Vec<Conflict>> {
        // Local changes not yet given a revision get one first: the versions listed are
        // the ones `resolve_conflict` finds. (A vault that never synced nor merged has no
        // versions and no conflicts: it is not written to for a look.)
        let versioned: bool =
            self.conn
                .query_row("SELECT EXISTS (SELECT 1 FROM sync_versions)", [], |r| {
                    r.get(0)
                })?;
        if versioned {
            self.stamp_changes()?;
        }
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT item_id FROM sync_versions GROUP BY item_id HAVING count(*) > 1
                   AND sum(body IS NOT NULL) > 0 ORDER BY item_id",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let keys = self.keys()?;
        let mut out = Vec::new();
        for id in ids {
            let set = load_set(&self.conn, &id)?;
            let Some(w) = merge::winner(&set) else {
                continue;
            };
            let bodies = open_all(keys, &self.vault_id, &set)?;
            if same_as_winner(&bodies, w).iter().all(|s| *s) {
                // The same content on two devices: nothing to choose.
                continue;
            }
            let mut versions = Vec::new();
            let mut name = String::new();
            for (i, v) in set.iter().enumerate() {
                let vname = bodies[i].as_ref().map(|b| b.overview.name.clone());
                if i == w {
                    name = vname.clone().unwrap_or_default();
                }
                versions.push(ConflictVersion {
                    id: v.dot.to_string(),
                    device_id: v.dot.device.clone(),
                    revision: v.dot.clock,
                    at: crate::sync::clock::clock_millis(v.dot.clock) / 1000,
                    kept: i == w,
                    deleted: v.body.is_none(),
                    name: vname,
                });
            }
            out.push(Conflict {
                item_id: id,
                name,
                versions,
            });
        }
        out.sort_by_key(|c| normalize_name(&c.name));
        Ok(out)
    }

    /// One version in force of an item, opened (`None`: it deletes the item).
    pub fn conflict_version(
        &mut self,
        item_id: &str,
        version_id: &str,
    ) -> Result<Option<ItemBody>> {
        let set = load_set(&self.conn, item_id)?;
        let keys = self.keys()?;
        open_stored(
            keys,
            &self.vault_id,
            find_version(&set, item_id, version_id)?,
        )
    }

    /// Resolve an item's conflict by keeping one of its versions in force: a new revision
    /// that has seen them all, with that version's content (or the deletion). The other
    /// versions go, on every device.
    pub fn resolve_conflict(&mut self, item_id: &str, version_id: &str) -> Result<()> {
        let vault_id = self.vault_id.clone();
        self.with_merge(|m| {
            let set = load_set(m.conn, item_id)?;
            if set.len() < 2 {
                return Err(Error::invalid(
                    "item",
                    "has no conflict to resolve (it has one version)",
                ));
            }
            let chosen = find_version(&set, item_id, version_id)?;
            let body = match &chosen.body {
                Some(b) => Some(open_body(m.keys, &vault_id, item_id, &chosen.dot, b)?),
                None => None,
            };
            let dot = Dot {
                device: m.me.to_owned(),
                clock: m.hlc.tick(timefmt::now_millis()),
            };
            let sealed = match &body {
                Some(b) => Some(seal_body(m.keys, &vault_id, item_id, &dot, b)?),
                None => None,
            };
            let mut new = set.clone();
            merge::insert(
                &mut new,
                Version {
                    item: item_id.to_owned(),
                    dot,
                    ctx: merge::resolve_ctx(&set),
                    body: sealed,
                },
            );
            save_set(m.conn, &set, &new, m.me)?;
            project(m, item_id, &new, None)?;
            Ok(())
        })
    }

    /// How many items have an unresolved conflict.
    pub fn conflict_count(&mut self) -> Result<usize> {
        Ok(self.conflicts()?.len())
    }

    /// Per item id, the revisions in force (for tests and the merge preview).
    pub fn revisions(&self) -> Result<BTreeMap<String, Vec<String>>> {
        let mut stmt = self.conn.prepare(
            "SELECT item_id, device, clock FROM sync_versions ORDER BY item_id, clock, device",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in rows {
            let (item, device, clock) = row?;
            out.entry(item).or_default().push(
                Dot {
                    device,
                    clock: u64::try_from(clock).unwrap_or(0),
                }
                .to_string(),
            );
        }
        Ok(out)
    }
}

fn find_version<'a>(set: &'a [Stored], item_id: &str, version_id: &str) -> Result<&'a Stored> {
    let want = version_id.trim().to_ascii_lowercase();
    set.iter()
        .find(|v| v.dot.to_string() == want)
        .ok_or_else(|| {
            Error::invalid(
                "version",
                format!(
                    "{want:?} is not a version of item {item_id}; its versions are {}",
                    set.iter()
                        .map(|v| format!("{} (device {})", v.dot, short_device(&v.dot.device)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}
