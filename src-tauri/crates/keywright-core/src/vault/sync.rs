//! The vault's side of the sync folder: setting it up (`init`, `join`), one pass (read
//! the other devices' new files, merge them one transaction per file, write this
//! device's new versions), compaction, the password slots that travel with the folder,
//! removed devices and the status. The folder format is in [`crate::sync::folder`], the
//! merge rules in [`crate::sync::merge`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rusqlite::{OptionalExtension as _, TransactionBehavior, params};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::revisions::{self, ItemBody, MergeCounts, meta_get, meta_set};
use super::slots::{self, Slot, SlotParams};
use super::{Vault, insert_slot};
use crate::crypto::{Key, OpenError};
use crate::error::{Error, Result};
use crate::sync::Version;
use crate::sync::clock::short_device;
use crate::sync::folder::{self, FileKind, Payload, SyncFile, WireVersion};
use crate::timefmt;

/// Compact (write a snapshot, drop this device's older files) once its segments add up
/// to more than its last snapshot (and at least this many bytes), or number this many.
const COMPACT_MIN_BYTES: u64 = 64 * 1024;
const COMPACT_MAX_SEGMENTS: usize = 64;
const KEYS_FILE: &str = "keys.json";

/// What one sync pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Files of other devices merged.
    pub files_read: usize,
    pub merged: MergeCounts,
    /// This device's file written, if any (its name).
    pub wrote: Option<String>,
    /// Versions in it.
    pub sent: usize,
    /// A snapshot was written and older files of this device removed.
    pub compacted: bool,
    /// Files refused (they will be tried again), each with why.
    pub refused: Vec<String>,
    /// Files of other devices waiting (an earlier file of theirs has not arrived yet).
    pub pending: usize,
    /// Things the user should know (a password changed elsewhere, a device folder gone).
    pub notices: Vec<String>,
}

/// A device of the sync folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    /// Unix seconds of its newest file (this device: the last pass).
    pub last_seen: Option<i64>,
    pub this_device: bool,
    pub removed: bool,
}

/// `keywright sync status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub device_id: String,
    pub device_name: String,
    pub dir: Option<PathBuf>,
    pub devices: Vec<DeviceInfo>,
    /// Unix seconds of the last completed pass.
    pub last_sync: Option<i64>,
    /// Local changes not yet written to the folder, plus others' files not yet read.
    pub pending: usize,
    pub conflicts: usize,
}

/// How a new device proves it may join.
pub enum JoinSecret {
    Password(SecretString),
    Recovery(SecretString),
}

/// keys.json: the vault key wrapped by the password and the recovery code (as in the
/// vault file), so that a new device can join, and a MAC under the vault key so that a
/// device takes a changed password only from a holder of the key.
#[derive(Serialize, Deserialize, Clone)]
struct KeysFile {
    format: u32,
    vault_id: String,
    device: String,
    /// The revision of these slots (a hybrid logical clock): the highest wins everywhere.
    rev: u64,
    /// The device's name (shown by the others before its first file arrives).
    #[serde(default)]
    name: String,
    slots: Vec<KeySlot>,
    /// Base64 of the sealed SHA-256 of the revision and the slots' JSON.
    mac: String,
}

#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
struct KeySlot {
    id: String,
    params: SlotParams,
    wrapped_key: String,
    created_at: i64,
}

fn keys_ad(vault_id: &str, device: &str) -> Vec<u8> {
    format!("keywright/sync/v1/{vault_id}/{device}/keys").into_bytes()
}

fn slots_digest(rev: u64, slots: &[KeySlot]) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(&(rev, slots)).map_err(|e| Error::corrupt(e.to_string()))?;
    Ok(sha2::Sha256::digest(&json).to_vec())
}

fn read_keys(dir: &Path) -> Option<KeysFile> {
    let bytes = std::fs::read(dir.join(KEYS_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn verify_keys(k: &KeysFile, sync_key: &Key) -> bool {
    let Ok(mac) = B64.decode(&k.mac) else {
        return false;
    };
    let Ok(digest) = slots_digest(k.rev, &k.slots) else {
        return false;
    };
    sync_key
        .open(&keys_ad(&k.vault_id, &k.device), &mac)
        .is_ok_and(|d| d.as_slice() == digest.as_slice())
}

fn sync_error(reason: impl Into<String>) -> Error {
    Error::Sync {
        reason: reason.into(),
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "device".to_owned())
}

/// The vault's folder inside a sync folder, found for joining: the one holding a
/// keys.json, or the one named `vault_id`.
fn find_vault_root(dir: &Path, vault_id: Option<&str>) -> Result<(String, PathBuf)> {
    if !dir.is_dir() {
        return Err(sync_error(format!(
            "{} is not a folder (is the sync tool's folder there yet?)",
            dir.display()
        )));
    }
    let mut found = Vec::new();
    for id in folder::list_devices(dir)? {
        let root = dir.join(&id);
        let devices = folder::list_devices(&root).unwrap_or_default();
        if devices
            .iter()
            .any(|d| root.join(d).join(KEYS_FILE).is_file())
        {
            found.push(id);
        }
    }
    if let Some(want) = vault_id {
        return if found.iter().any(|f| f == want) {
            Ok((want.to_owned(), dir.join(want)))
        } else {
            Err(sync_error(format!(
                "{} holds no vault {want} (it holds: {})",
                dir.display(),
                if found.is_empty() {
                    "none".to_owned()
                } else {
                    found.join(", ")
                }
            )))
        };
    }
    match found.len() {
        0 => Err(sync_error(format!(
            "{} holds no Keywright vault yet: run `keywright sync init {}` on a device that \
             has the vault, and wait for the sync tool to bring its files here",
            dir.display(),
            dir.display()
        ))),
        1 => {
            let id = found.remove(0);
            let root = dir.join(&id);
            Ok((id, root))
        }
        _ => Err(sync_error(format!(
            "{} holds several vaults ({}); say which with --vault-id",
            dir.display(),
            found.join(", ")
        ))),
    }
}

impl Vault {
    /// The sync folder this vault uses, if it is set up.
    pub fn sync_dir(&self) -> Result<Option<PathBuf>> {
        Ok(meta_get(&self.conn, "sync_dir")?.map(PathBuf::from))
    }

    fn sync_key(&self) -> Result<Key> {
        let keys = self.keys()?;
        Ok(folder::sync_key(&keys.vault, &self.vault_id))
    }

    fn device_name(&self) -> Result<String> {
        Ok(meta_get(&self.conn, "device_name")?.unwrap_or_else(host_name))
    }

    fn removed_devices(&self) -> Result<BTreeSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT device FROM sync_peers WHERE removed = 1")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Set up sync in `dir` for this vault (the first device, or a device whose vault
    /// file was copied from one that syncs), then run a first pass.
    pub fn sync_init(&mut self, dir: &Path, name: Option<&str>) -> Result<SyncReport> {
        self.keys()?;
        if let Some(old) = self.sync_dir()? {
            return Err(sync_error(format!(
                "this vault already syncs through {}; run `keywright sync` for a pass",
                old.display()
            )));
        }
        crate::paths::create_private_dir(dir)?;
        let dir = dir
            .canonicalize()
            .map_err(|e| Error::io("cannot open the sync folder", dir, e))?;
        let root = dir.join(&self.vault_id);
        let me = self.device_id()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // A copied vault file shares its device id with the original: take a new one if
        // that device already writes here.
        let me = if root.join(&me).exists() {
            let fresh = super::new_id()?;
            meta_set(&tx, "device_id", &fresh)?;
            tx.execute("UPDATE sync_versions SET sent = 1", [])?;
            fresh
        } else {
            me
        };
        meta_set(&tx, "sync_dir", &dir.to_string_lossy())?;
        // The first pass writes a snapshot: everything this device holds (versions made on
        // other devices too, when it synced before, e.g. through a folder left after a rekey).
        meta_set(&tx, "sync_snapshot_due", "1")?;
        meta_set(&tx, "sync_seq", "0")?;
        meta_set(
            &tx,
            "device_name",
            name.map_or_else(host_name, str::to_owned).as_str(),
        )?;
        // Every item without a revision gets one at the first pass.
        tx.execute(
            "INSERT INTO sync_dirty (item_id, at_ms)
             SELECT id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) FROM items
             WHERE id NOT IN (SELECT item_id FROM sync_versions)
             ON CONFLICT (item_id) DO NOTHING",
            [],
        )?;
        tx.commit()?;
        crate::paths::create_private_dir(&root.join(&me))?;
        self.write_keys_file(None)?;
        self.sync_now()
    }

    /// Make a new vault file at `vault_path` for a new device of the vault in sync folder
    /// `dir`, opened with the vault's password or recovery code, and fill it from the
    /// other devices' files. Returns it unlocked.
    pub fn sync_join(
        dir: &Path,
        vault_path: &Path,
        secret: &JoinSecret,
        vault_id: Option<&str>,
        name: Option<&str>,
    ) -> Result<(Vault, SyncReport)> {
        let dir = dir
            .canonicalize()
            .map_err(|e| Error::io("cannot open the sync folder", dir, e))?;
        let (vault_id, root) = find_vault_root(&dir, vault_id)?;
        let mut files: Vec<KeysFile> = folder::list_devices(&root)?
            .iter()
            .filter_map(|d| read_keys(&root.join(d)))
            .filter(|k| k.vault_id == vault_id)
            .collect();
        // The newest slots first: a password changed on one device is the one that works.
        files.sort_by_key(|k| std::cmp::Reverse(k.rev));
        let want = match secret {
            JoinSecret::Password(_) => slots::PASSWORD,
            JoinSecret::Recovery(_) => slots::RECOVERY,
        };
        let mut last_err = None;
        let mut found = None;
        for k in &files {
            let Some(slot) = k.slots.iter().find(|s| s.id == want) else {
                continue;
            };
            let kek = match secret {
                JoinSecret::Password(p) => {
                    slots::password_kek(&slot.params, p.expose_secret().as_bytes())?
                }
                JoinSecret::Recovery(c) => slots::recovery_kek(&slot.params, c.expose_secret())?,
            };
            let wrapped = B64
                .decode(&slot.wrapped_key)
                .map_err(|_| Error::corrupt("keys.json: a wrapped key is not base64"))?;
            match kek.open(&slots::slot_ad(&vault_id, want), &wrapped) {
                Ok(vk) => {
                    let vk = Key::from_slice(&vk)?;
                    if !verify_keys(k, &folder::sync_key(&vk, &vault_id)) {
                        last_err = Some(sync_error(format!(
                            "{}'s keys.json does not carry a valid MAC; it was changed by \
                             someone without the vault key",
                            short_device(&k.device)
                        )));
                        continue;
                    }
                    found = Some((vk, k.clone()));
                    break;
                }
                Err(OpenError::Authentication) => {
                    last_err = Some(match secret {
                        JoinSecret::Password(_) => Error::WrongPassword,
                        JoinSecret::Recovery(_) => Error::WrongRecoveryCode,
                    });
                }
                Err(e) => last_err = Some(Error::corrupt(format!("keys.json: {e}"))),
            }
        }
        let Some((vk, keys_file)) = found else {
            return Err(last_err.unwrap_or_else(|| {
                sync_error(format!(
                    "{} has no keys.json with a {want} slot",
                    root.display()
                ))
            }));
        };
        let mut slot_rows = Vec::new();
        for s in &keys_file.slots {
            if s.id == slots::PASSWORD || s.id == slots::RECOVERY {
                slot_rows.push(Slot {
                    id: s.id.clone(),
                    params: s.params.clone(),
                    wrapped_key: B64
                        .decode(&s.wrapped_key)
                        .map_err(|_| Error::corrupt("keys.json: a wrapped key is not base64"))?,
                    created_at: s.created_at,
                });
            }
        }
        let mut vault = Vault::create_with_key(vault_path, &vault_id, vk, slot_rows)?;
        let me = super::new_id()?;
        let tx = vault
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        meta_set(&tx, "device_id", &me)?;
        meta_set(&tx, "sync_slots_rev", &keys_file.rev.to_string())?;
        meta_set(&tx, "sync_dir", &dir.to_string_lossy())?;
        meta_set(&tx, "sync_seq", "0")?;
        meta_set(
            &tx,
            "device_name",
            name.map_or_else(host_name, str::to_owned).as_str(),
        )?;
        tx.commit()?;
        crate::paths::create_private_dir(&root.join(&me))?;
        let report = vault.sync_now()?;
        Ok((vault, report))
    }

    /// Write this device's keys.json: with `rev` (slots taken from another device), or,
    /// when its slots differ from what the file holds (changed here), with a new revision.
    fn write_keys_file(&mut self, rev: Option<u64>) -> Result<()> {
        let Some(dir) = self.sync_dir()? else {
            return Ok(());
        };
        let me = self.device_id()?;
        let own = dir.join(&self.vault_id).join(&me);
        let slots: Vec<KeySlot> = self
            .slots
            .iter()
            .filter(|s| s.id == slots::PASSWORD || s.id == slots::RECOVERY)
            .map(|s| KeySlot {
                id: s.id.clone(),
                params: s.params.clone(),
                wrapped_key: B64.encode(&s.wrapped_key),
                created_at: s.created_at,
            })
            .collect();
        // The slots as last written or taken keep their revision; slots changed here
        // (a new password, a new recovery code) get a new one.
        let hash = crate::crypto::hex(&slots_digest(0, &slots)?);
        let known_rev: Option<u64> =
            meta_get(&self.conn, "sync_slots_rev")?.and_then(|s| s.parse().ok());
        let known_hash = meta_get(&self.conn, "sync_slots_hash")?;
        let rev = match (rev, known_rev) {
            (Some(r), _) => r,
            (None, Some(r)) if known_hash.as_deref().is_none_or(|h| h == hash) => {
                if read_keys(&own).is_some_and(|k| {
                    k.slots == slots && k.rev == r && self.device_name().is_ok_and(|n| n == k.name)
                }) {
                    return Ok(());
                }
                r
            }
            (None, _) => {
                let mut hlc = revisions::load_hlc(&self.conn)?;
                let r = hlc.tick(timefmt::now_millis());
                revisions::save_hlc(&self.conn, &hlc)?;
                r
            }
        };
        let digest = slots_digest(rev, &slots)?;
        let mac = self
            .sync_key()?
            .seal(&keys_ad(&self.vault_id, &me), &digest)?;
        let file = KeysFile {
            format: 1,
            vault_id: self.vault_id.clone(),
            device: me,
            rev,
            name: self.device_name()?,
            slots,
            mac: B64.encode(mac),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| Error::corrupt(e.to_string()))?;
        folder::replace(&own, KEYS_FILE, &json)?;
        meta_set(&self.conn, "sync_slots_rev", &rev.to_string())?;
        meta_set(&self.conn, "sync_slots_hash", &hash)?;
        Ok(())
    }

    /// Take the password and recovery slots of another device when their revision is
    /// newer than this device's (their MAC checked: only a holder of the vault key can
    /// have written them).
    fn take_newer_slots(
        &mut self,
        root: &Path,
        devices: &[String],
        report: &mut SyncReport,
    ) -> Result<()> {
        let key = self.sync_key()?;
        let mine: u64 = meta_get(&self.conn, "sync_slots_rev")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let me = self.device_id()?;
        let mut best: Option<(KeysFile, String)> = None;
        for d in devices.iter().filter(|d| **d != me) {
            let Some(k) = read_keys(&root.join(d)) else {
                continue;
            };
            if k.vault_id != self.vault_id || k.device != *d || !verify_keys(&k, &key) {
                continue;
            }
            if k.rev > mine && best.as_ref().is_none_or(|(b, _)| k.rev > b.rev) {
                best = Some((k, d.clone()));
            }
        }
        let Some((k, from)) = best else {
            return Ok(());
        };
        let mut taken = Vec::new();
        for s in &k.slots {
            if s.id != slots::PASSWORD && s.id != slots::RECOVERY {
                continue;
            }
            let Ok(wrapped) = B64.decode(&s.wrapped_key) else {
                continue;
            };
            let same = self
                .slot(&s.id)
                .is_some_and(|m| m.wrapped_key == wrapped && m.params == s.params);
            if !same {
                taken.push(Slot {
                    id: s.id.clone(),
                    params: s.params.clone(),
                    wrapped_key: wrapped,
                    created_at: s.created_at,
                });
            }
        }
        if !taken.is_empty() {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            for s in &taken {
                tx.execute("DELETE FROM slots WHERE id = ?1", [&s.id])?;
                insert_slot(&tx, &s.id, &s.params, &s.wrapped_key, s.created_at)?;
            }
            tx.commit()?;
        }
        let who = self
            .peer_name(&from)
            .unwrap_or_else(|| short_device(&from).to_owned());
        for s in taken {
            let what = if s.id == slots::PASSWORD {
                "the vault password was changed"
            } else {
                "a new recovery code was made"
            };
            report
                .notices
                .push(format!("{what} on device {who}; it applies here too"));
            self.slots.retain(|x| x.id != s.id);
            self.slots.push(s);
        }
        self.write_keys_file(Some(k.rev))
    }

    fn peer_name(&self, device: &str) -> Option<String> {
        self.conn
            .query_row(
                "SELECT name FROM sync_peers WHERE device = ?1",
                [device],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .ok()
            .flatten()
            .filter(|n| !n.is_empty())
    }

    /// One sync pass: read and merge the other devices' new files, then write this
    /// device's new versions (and compact when due). A file that does not open is
    /// reported and tried again next time; the rest still merges.
    pub fn sync_now(&mut self) -> Result<SyncReport> {
        // One pass at a time per vault file (the app's background pass and a `sync --watch`
        // must not both number this device's next file): a lock file beside the vault, never
        // in the synced folder. A file system without locks gets no lock.
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(super::sibling(&self.path, "-sync.lock"))
            .ok();
        if let Some(f) = &lock {
            let _ = f.lock();
        }
        let Some(dir) = self.sync_dir()? else {
            return Err(sync_error(
                "sync is not set up for this vault: run `keywright sync init DIR` on the first \
                 device, or `keywright sync join DIR` on a new one",
            ));
        };
        let root = dir.join(&self.vault_id);
        if !root.is_dir() {
            return Err(sync_error(format!(
                "the sync folder {} is not there (unmounted, moved or deleted?); local changes \
                 are kept and will be written at the next sync once it is back",
                root.display()
            )));
        }
        let me = self.device_id()?;
        if self.removed_devices()?.contains(&me) {
            return Err(sync_error(
                "this device was removed from the sync by another device; its vault keeps \
                 working here, unsynced",
            ));
        }
        let key = self.sync_key()?;
        let mut report = SyncReport::default();
        let devices = folder::list_devices(&root)?;
        self.take_newer_slots(&root, &devices, &mut report)?;

        // Peers known but whose folder is gone.
        let known: Vec<(String, i64)> = {
            let mut stmt = self
                .conn
                .prepare("SELECT device, seq FROM sync_peers WHERE removed = 0")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (d, seq) in &known {
            if *seq > 0 && !devices.contains(d) {
                report.notices.push(format!(
                    "device {}'s folder is gone from the sync folder; what it had synced stays",
                    self.peer_name(d)
                        .unwrap_or_else(|| short_device(d).to_owned())
                ));
            }
        }

        for d in devices.iter().filter(|d| **d != me) {
            if self.removed_devices()?.contains(d) {
                continue;
            }
            self.read_device(&key, &root, d, &mut report)?;
        }
        if self.removed_devices()?.contains(&me) {
            return Err(sync_error(
                "this device was removed from the sync by another device; its vault keeps \
                 working here, unsynced",
            ));
        }
        self.write_own(&key, &root, &me, &mut report)?;
        self.write_keys_file(None)?;
        meta_set(&self.conn, "sync_last", &timefmt::now().to_string())?;
        Ok(report)
    }

    fn read_device(
        &mut self,
        key: &Key,
        root: &Path,
        device: &str,
        report: &mut SyncReport,
    ) -> Result<()> {
        let files = folder::list_files(&root.join(device))?;
        let last: i64 = self
            .conn
            .query_row(
                "SELECT seq FROM sync_peers WHERE device = ?1",
                [device],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let last = u64::try_from(last).unwrap_or(0);
        let newest = files.iter().map(|f| f.seq).max().unwrap_or(0);
        // Known from its folder, before (or without) any file of it: its name from keys.json.
        let name = read_keys(&root.join(device))
            .map(|k| k.name)
            .unwrap_or_default();
        let seen = files.iter().map(|f| f.mtime).max();
        self.conn.execute(
            "INSERT INTO sync_peers (device, seq, name, last_seen) VALUES (?1, 0, ?2, ?3)
             ON CONFLICT (device) DO UPDATE SET
                 last_seen = coalesce(excluded.last_seen, last_seen),
                 name = CASE WHEN name = '' THEN excluded.name ELSE name END",
            params![device, name, seen],
        )?;
        if newest < last && !files.is_empty() {
            report.refused.push(format!(
                "device {device}: its folder went back from file {last} to {newest} (restored \
                 from an old copy?); nothing of it was applied"
            ));
            return Ok(());
        }
        // In order: the next segment, or a snapshot that covers it. A file that does not
        // open is reported and the ones after it are still merged (merging is idempotent),
        // but the read position stays before it, so it is tried again next time.
        let mut pos = last;
        let mut contiguous = true;
        let mut i = 0;
        let candidates: Vec<&SyncFile> = files.iter().filter(|f| f.seq > last).collect();
        while i < candidates.len() {
            let next = pos + 1;
            let f = if contiguous {
                match candidates
                    .iter()
                    .find(|f| f.seq == next && f.kind == FileKind::Segment)
                {
                    Some(f) => *f,
                    None => match candidates
                        .iter()
                        .filter(|f| f.kind == FileKind::Snapshot && f.seq >= next)
                        .max_by_key(|f| f.seq)
                    {
                        Some(f) => *f,
                        None => {
                            // A gap: the sync tool has not brought the missing file yet.
                            report.pending += candidates.iter().filter(|f| f.seq > pos).count();
                            break;
                        }
                    },
                }
            } else {
                candidates[i]
            };
            i = candidates
                .iter()
                .position(|c| c.seq == f.seq && c.kind == f.kind)
                .unwrap_or(i)
                + 1;
            match folder::open(key, &self.vault_id, device, f) {
                Ok(p) => {
                    let advance = contiguous;
                    self.apply_payload(p, device, advance.then_some(f.seq), report)?;
                    if advance {
                        pos = f.seq;
                    }
                }
                Err(r) => {
                    report.refused.push(r.to_string());
                    contiguous = false;
                }
            }
        }
        Ok(())
    }

    /// Merge one file in one transaction, with the peer's read position.
    fn apply_payload(
        &mut self,
        p: Payload,
        device: &str,
        seq: Option<u64>,
        report: &mut SyncReport,
    ) -> Result<()> {
        let name = p.name.clone();
        let removed = p.removed.clone();
        let versions: Vec<Version<ItemBody>> = p.versions.into_iter().map(Into::into).collect();
        let counts = self.with_merge(|m| {
            let mut counts = MergeCounts::default();
            for v in versions {
                revisions::apply_in(m, v, &mut counts)?;
            }
            m.conn.execute(
                "INSERT INTO sync_peers (device, seq, name) VALUES (?1, 0, ?2)
                 ON CONFLICT (device) DO UPDATE SET name = excluded.name",
                params![device, name],
            )?;
            if let Some(seq) = seq {
                m.conn.execute(
                    "UPDATE sync_peers SET seq = max(seq, ?2) WHERE device = ?1",
                    params![device, i64::try_from(seq).unwrap_or(i64::MAX)],
                )?;
            }
            for r in &removed {
                m.conn.execute(
                    "INSERT INTO sync_peers (device, seq, removed) VALUES (?1, 0, 1)
                     ON CONFLICT (device) DO UPDATE SET removed = 1",
                    [r],
                )?;
            }
            Ok(counts)
        })?;
        report.files_read += 1;
        let t = &mut report.merged;
        t.added += counts.added;
        t.updated += counts.updated;
        t.deleted += counts.deleted;
        t.conflicts += counts.conflicts;
        t.unchanged += counts.unchanged;
        Ok(())
    }

    fn payload(
        &self,
        me: &str,
        seq: u64,
        kind: FileKind,
        versions: Vec<WireVersion>,
    ) -> Result<Payload> {
        Ok(Payload {
            format: 1,
            vault: self.vault_id.clone(),
            device: me.to_owned(),
            seq,
            kind,
            made_at: timefmt::now(),
            name: self.device_name()?,
            removed: self.removed_devices()?.into_iter().collect(),
            versions,
        })
    }

    fn write_own(
        &mut self,
        key: &Key,
        root: &Path,
        me: &str,
        report: &mut SyncReport,
    ) -> Result<()> {
        self.stamp_changes()?;
        let own = root.join(me);
        let files = folder::list_files(&own)?;
        let written: u64 = meta_get(&self.conn, "sync_seq")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let on_disk = files.iter().map(|f| f.seq).max().unwrap_or(0);
        // Never reuse a number (a vault restored from a backup knows an older one).
        let mut seq = written.max(on_disk);
        let unsent = self.unsent_versions()?;
        // A change of the removed devices travels even without versions.
        let removed: Vec<String> = self.removed_devices()?.into_iter().collect();
        let removed_key = removed.join(",");
        let removed_changed =
            meta_get(&self.conn, "sync_removed_written")?.unwrap_or_default() != removed_key;
        if !unsent.is_empty() || removed_changed {
            seq += 1;
            report.sent = unsent.len();
            let wire: Vec<WireVersion> = unsent.iter().cloned().map(Into::into).collect();
            let bytes = folder::seal(key, &self.payload(me, seq, FileKind::Segment, wire)?)?;
            let name = folder::file_name(FileKind::Segment, seq);
            folder::write_new(&own, &name, &bytes)?;
            self.mark_sent(&unsent)?;
            meta_set(&self.conn, "sync_seq", &seq.to_string())?;
            meta_set(&self.conn, "sync_removed_written", &removed_key)?;
            report.wrote = Some(name);
        }
        // Compact when the segments outweigh the last snapshot, or when this device's own
        // files were lost (its folder deleted or emptied under the sync).
        let files = folder::list_files(&own)?;
        let snap_len = files
            .iter()
            .filter(|f| f.kind == FileKind::Snapshot)
            .map(|f| f.len)
            .max()
            .unwrap_or(0);
        let segs: Vec<&SyncFile> = files
            .iter()
            .filter(|f| f.kind == FileKind::Segment)
            .collect();
        let seg_bytes: u64 = segs.iter().map(|f| f.len).sum();
        let lost = seq > 0 && files.iter().map(|f| f.seq).max().unwrap_or(0) < seq;
        // The first pass into a folder: a snapshot of everything this device holds (after a
        // rekey that includes versions it sent to the old folder, and other devices').
        let due = meta_get(&self.conn, "sync_snapshot_due")?.is_some_and(|v| v == "1") && seq > 0;
        let heavy =
            seg_bytes > snap_len.max(COMPACT_MIN_BYTES) || segs.len() > COMPACT_MAX_SEGMENTS;
        if lost || heavy || due {
            seq += 1;
            let all: Vec<WireVersion> = self
                .versions_in_force()?
                .into_iter()
                .map(Into::into)
                .collect();
            let bytes = folder::seal(key, &self.payload(me, seq, FileKind::Snapshot, all)?)?;
            folder::write_new(&own, &folder::file_name(FileKind::Snapshot, seq), &bytes)?;
            meta_set(&self.conn, "sync_seq", &seq.to_string())?;
            for f in &files {
                if f.seq < seq {
                    let _ = std::fs::remove_file(&f.path);
                }
            }
            report.compacted = true;
        }
        meta_set(&self.conn, "sync_snapshot_due", "0")?;
        Ok(())
    }

    /// Where sync stands.
    pub fn sync_status(&mut self) -> Result<SyncStatus> {
        let dir = self.sync_dir()?;
        let me = self.device_id()?;
        let last_sync = meta_get(&self.conn, "sync_last")?.and_then(|s| s.parse().ok());
        let mut devices = vec![DeviceInfo {
            id: me.clone(),
            name: self.device_name()?,
            last_seen: last_sync,
            this_device: true,
            removed: self.removed_devices()?.contains(&me),
        }];
        {
            let mut stmt = self.conn.prepare(
                "SELECT device, name, last_seen, removed FROM sync_peers ORDER BY device",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(DeviceInfo {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    last_seen: r.get(2)?,
                    this_device: false,
                    removed: r.get::<_, i64>(3)? != 0,
                })
            })?;
            for d in rows {
                let d = d?;
                if d.id != me {
                    devices.push(d);
                }
            }
        }
        let dirty: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sync_dirty", [], |r| r.get(0))?;
        let unsent: i64 = self.conn.query_row(
            "SELECT count(*) FROM sync_versions WHERE device = ?1 AND sent = 0",
            [&me],
            |r| r.get(0),
        )?;
        // Others' files not yet read.
        let mut waiting = 0usize;
        if let Some(dir) = &dir {
            let root = dir.join(&self.vault_id);
            for d in devices.iter().filter(|d| !d.this_device && !d.removed) {
                let seq: i64 = self
                    .conn
                    .query_row(
                        "SELECT seq FROM sync_peers WHERE device = ?1",
                        [&d.id],
                        |r| r.get(0),
                    )
                    .unwrap_or(0);
                waiting += folder::list_files(&root.join(&d.id))
                    .unwrap_or_default()
                    .iter()
                    .filter(|f| i64::try_from(f.seq).unwrap_or(i64::MAX) > seq)
                    .count();
            }
            if let Ok(ids) = folder::list_devices(&root) {
                for id in ids {
                    if !devices.iter().any(|d| d.id == id) {
                        waiting += folder::list_files(&root.join(&id)).map_or(0, |f| f.len());
                    }
                }
            }
        }
        Ok(SyncStatus {
            device_id: me,
            device_name: self.device_name()?,
            dir,
            devices,
            last_sync,
            pending: usize::try_from(dirty + unsent).unwrap_or(0) + waiting,
            conflicts: self.conflict_count()?,
        })
    }

    /// Stop reading a device (by id or a unique prefix of it): its folder is ignored from
    /// now on, on every device that syncs with this one. What it synced before stays.
    pub fn sync_remove_device(&mut self, id: &str) -> Result<String> {
        self.keys()?;
        let me = self.device_id()?;
        let want = id.trim().to_ascii_lowercase();
        let mut known: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT device FROM sync_peers")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if let Some(dir) = self.sync_dir()? {
            for d in folder::list_devices(&dir.join(&self.vault_id)).unwrap_or_default() {
                if !known.contains(&d) {
                    known.push(d);
                }
            }
        }
        let matches: Vec<&String> = known.iter().filter(|d| d.starts_with(&want)).collect();
        let device = match matches.as_slice() {
            [] => {
                return Err(Error::invalid(
                    "device",
                    format!("no device of this vault's sync has an id starting {want:?}"),
                ));
            }
            [d] => (*d).clone(),
            many => {
                return Err(Error::invalid(
                    "device",
                    format!(
                        "{want:?} matches several devices ({}); give more of the id",
                        many.iter()
                            .map(|d| d.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        };
        if device == me || want.is_empty() {
            return Err(Error::invalid(
                "device",
                "is this device; remove it from another device",
            ));
        }
        self.conn.execute(
            "INSERT INTO sync_peers (device, seq, removed) VALUES (?1, 0, 1)
             ON CONFLICT (device) DO UPDATE SET removed = 1",
            [&device],
        )?;
        Ok(device)
    }

    /// Make a vault file from a vault key and slots obtained elsewhere (joining a sync).
    fn create_with_key(
        path: &Path,
        vault_id: &str,
        vk: Key,
        slot_rows: Vec<Slot>,
    ) -> Result<Vault> {
        if path.exists() {
            return Err(Error::VaultExists {
                path: path.to_path_buf(),
            });
        }
        if let Some(dir) = path.parent() {
            crate::paths::create_private_dir(dir)?;
        }
        drop(crate::paths::create_private_file(path)?);
        let r = Vault::init_file(path, vault_id, vk, slot_rows);
        if r.is_err() {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
        }
        r
    }
}
