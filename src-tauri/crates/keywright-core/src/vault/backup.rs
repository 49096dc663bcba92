//! Encrypted backups: consistent snapshots of the vault file, still sealed.
//!
//! A snapshot is the vault database itself, copied through SQLite (`VACUUM INTO`: one read
//! transaction, so a consistent state even while the app and the CLI write), never a raw
//! copy of the live file and its WAL. It keeps the vault's slots, so it opens with the
//! password, the recovery code (and the keyring entry) that opened the vault when it was
//! taken: `keywright --vault SNAPSHOT list` works, and [`restore`] writes a new vault from it.
//!
//! File names: `keywright-<vault id, first 8 hex>-<UTC time, YYYYMMDDTHHMMSSZ>.kwbak.db`
//! (`…Z-2.kwbak.db`, `-3`… when two are taken in the same second). A snapshot is written
//! under a hidden temporary name (`.keywright-….partial`) in the target folder, checked
//! (it opens, `PRAGMA quick_check` is ok, its vault id is the vault's), synced, then renamed
//! into place and the folder synced: a file with the final name is complete whenever the
//! process is killed. A temporary file left by a killed backup is never listed, and the next
//! backup in that folder removes it (once no process holds its lock).
//!
//! In the snapshot the CLI sessions are removed (a session never opens a backup) and
//! `meta.backup_taken_at` marks it as a snapshot: automatic backups never run from a
//! snapshot opened as a vault, and [`restore`] removes the mark.
//!
//! Automatic backups ([`Vault::maybe_auto_backup`]) are configured in the vault's sealed
//! settings (`backup.config`: on/off and the folder; default folder `backups/` next to the
//! vault file) and remember the last one in `backup.state` (its time, file, size, and a
//! SHA-256 digest of the sealed rows it holds, to tell whether the vault changed since).

use std::collections::HashSet;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension as _};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{Vault, folder_of, immutable_uri, schema, sibling, slots};
use crate::crypto;
use crate::error::{Error, Result};
use crate::limits::MAX_BACKUP_FILES;
use crate::paths;

/// Every snapshot's file name starts with this.
pub const FILE_PREFIX: &str = "keywright-";
/// Every snapshot's file name ends with this.
pub const FILE_SUFFIX: &str = ".kwbak.db";
/// A snapshot being written ends with this (and starts with a dot).
const PARTIAL_SUFFIX: &str = ".partial";
/// The default backup folder's name, next to the vault file.
pub const DEFAULT_DIR: &str = "backups";
/// A change is backed up once the vault has been quiet this long (seconds).
pub const DEBOUNCE_S: i64 = 60;
/// While the vault keeps changing, a backup is taken at least this often (seconds); the
/// first change after this long without a backup is backed up at once.
pub const MAX_WAIT_S: i64 = 600;
/// An unchanged vault is backed up again after this long (seconds).
pub const DAILY_S: i64 = 86_400;
/// Retention: the newest this many snapshots are kept...
pub const KEEP_LAST: usize = 10;
/// ...plus the newest of each day over this many days...
pub const KEEP_DAILY_DAYS: i64 = 30;
// ...plus the newest of each month, forever.

/// The sealed setting with the automatic backup's configuration.
pub const CONFIG_KEY: &str = "backup.config";
/// The sealed setting with what the last automatic backup took.
pub const STATE_KEY: &str = "backup.state";
/// Settings under this prefix are the backup's own and do not count as a change.
const SETTINGS_PREFIX: &str = "backup.";
/// `meta` key marking a snapshot: when it was taken (Unix seconds).
pub(crate) const TAKEN_AT_KEY: &str = "backup_taken_at";
/// `meta` key of a snapshot: its item count, so that listing many snapshots reads a row
/// each rather than every page of their `items` tables.
const ITEMS_KEY: &str = "backup_items";
/// Characters of the vault id in a file name.
const ID_CHARS: usize = 8;
/// `YYYYMMDDTHHMMSSZ`.
const STAMP_CHARS: usize = 16;
/// A leftover temporary file no process holds is removed; on a file system without locks,
/// only once it is this old (seconds).
const STALE_PARTIAL_S: u64 = 86_400;

/// One snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub path: PathBuf,
    /// When it was taken (Unix seconds, from its name; from inside the file otherwise).
    pub taken_at: i64,
    /// File size in bytes.
    pub size: u64,
    /// The vault id inside the file, when it could be read.
    pub vault_id: Option<String>,
    /// Rows in its `items` table (read without unlocking), when it could be read.
    pub items: Option<u64>,
    /// Whether the file is whole: its size is what its header says, it opens as a
    /// Keywright vault and its id and items can be read. (`restore` also runs SQLite's
    /// `quick_check`.)
    pub complete: bool,
    /// Why it is not complete.
    pub problem: Option<String>,
}

/// Automatic backups: on or off, and where (`None`: `backups/` next to the vault file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupConfig {
    pub auto: bool,
    pub folder: Option<PathBuf>,
}

/// What the last backup recorded in the vault took (the automatic ones, and `backup_now`
/// into the configured folder).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupState {
    /// Digest of the sealed rows the last backup holds.
    pub digest: Option<String>,
    /// When it was taken (Unix seconds).
    pub at: Option<i64>,
    pub path: Option<PathBuf>,
    pub size: u64,
    pub items: u64,
    /// The vault's digest when a change was first seen, and when (the debounce's clock).
    pub seen_digest: Option<String>,
    pub seen_at: Option<i64>,
}

impl BackupState {
    /// A change seen (or noted by a process that wrote: `seen_digest` unknown) since the
    /// last backup and not yet backed up.
    pub fn pending(&self) -> bool {
        self.seen_at.is_some() && self.seen_digest != self.digest
    }
}

/// What [`Vault::maybe_auto_backup`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoBackup {
    /// Automatic backups are off (or the vault is read-only, so nothing can be recorded).
    Off,
    /// This vault is itself a snapshot (opened with `--vault SNAPSHOT`): never backed up
    /// automatically.
    Snapshot,
    /// Nothing changed since the last backup, which is less than a day old.
    NotDue,
    /// A change waits for the vault to be quiet ([`DEBOUNCE_S`]); seen at `since`.
    Pending { since: i64 },
    /// A snapshot was taken; `pruned` are the files retention removed, `prune_error` why
    /// pruning stopped, if it did.
    Done {
        backup: BackupInfo,
        pruned: Vec<PathBuf>,
        prune_error: Option<String>,
    },
}

/// Options of [`restore`].
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Replace an existing vault file at the target (a snapshot of it is taken first).
    pub force: bool,
    /// Where that snapshot goes (default: `backups/` next to the target).
    pub backup_dir: Option<PathBuf>,
}

/// What [`restore`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub path: PathBuf,
    pub from: PathBuf,
    pub vault_id: String,
    pub items: u64,
    /// The snapshot of the vault file that was replaced (with `force`).
    pub replaced_backup: Option<BackupInfo>,
}

/// A snapshot just written, with the digest of what it holds.
struct Taken {
    info: BackupInfo,
    digest: String,
}

/// The default backup folder of the vault at `vault_path`: `backups/` next to it.
pub fn default_dir(vault_path: &Path) -> PathBuf {
    let dir = folder_of(vault_path).join(DEFAULT_DIR);
    std::path::absolute(&dir).unwrap_or(dir)
}

fn stamp(ts: i64) -> Result<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(ts)
        .map_err(|_| Error::invalid("backup time", format!("{ts} is out of range")))?;
    let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    t.format(&fmt)
        .map_err(|e| Error::invalid("backup time", e.to_string()))
}

fn parse_stamp(s: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(s, &fmt)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

fn short_id(vault_id: &str) -> &str {
    vault_id.get(..ID_CHARS).unwrap_or(vault_id)
}

/// The file name of a snapshot of `vault_id` taken at `ts`; `n` > 1 for the n-th in the
/// same second.
pub fn file_name(vault_id: &str, ts: i64, n: u32) -> Result<String> {
    let extra = if n > 1 {
        format!("-{n}")
    } else {
        String::new()
    };
    Ok(format!(
        "{FILE_PREFIX}{}-{}{extra}{FILE_SUFFIX}",
        short_id(vault_id),
        stamp(ts)?
    ))
}

/// The short vault id and the time in a snapshot's file name, if it is one.
pub fn parse_name(name: &str) -> Option<(String, i64)> {
    let body = name.strip_prefix(FILE_PREFIX)?.strip_suffix(FILE_SUFFIX)?;
    let (id, rest) = body.split_at_checked(ID_CHARS)?;
    if !id
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let rest = rest.strip_prefix('-')?;
    let (stamp, extra) = rest.split_at_checked(STAMP_CHARS)?;
    if !extra.is_empty() {
        let n = extra.strip_prefix('-')?;
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    Some((id.to_owned(), parse_stamp(stamp)?))
}

/// Whether `path` has a -wal file with content: part of the database is there (a live
/// vault's header, even its application id, may not be in the main file yet).
fn wal_pending(path: &Path) -> bool {
    fs::metadata(sibling(path, "-wal")).is_ok_and(|m| m.len() > 0)
}

/// What the 100-byte SQLite header says is wrong with a vault file of `len` bytes.
fn header_problem(path: &Path, len: u64) -> Option<String> {
    let mut head = [0u8; 100];
    let read = fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    if let Err(e) = read {
        return Some(if e.kind() == std::io::ErrorKind::UnexpectedEof {
            format!("it is {len} bytes, shorter than a database header")
        } else {
            format!("it cannot be read ({e})")
        });
    }
    if &head[..16] != b"SQLite format 3\0" {
        return Some("it is not a SQLite database".into());
    }
    let be32 = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let wal_mode = head[18] == 2;
    if wal_mode && wal_pending(path) {
        // A live vault: its header may be in the -wal; SQLite reads the rest.
        return None;
    }
    let app = i32::from_be_bytes([head[68], head[69], head[70], head[71]]);
    if app != schema::APPLICATION_ID {
        return Some("it is a SQLite database but not a Keywright vault".into());
    }
    let raw = u16::from_be_bytes([head[16], head[17]]);
    let page = if raw == 1 { 65_536 } else { u64::from(raw) };
    if page < 512 || !page.is_power_of_two() {
        return Some(format!("its header gives a page size of {raw}"));
    }
    // The page count is valid when written by a SQLite that keeps it (version-valid-for =
    // change counter). A WAL-mode vault's pages may be in its -wal: not checked then.
    let pages = u64::from(be32(28));
    if !wal_mode && be32(92) == be32(24) && pages > 0 && len != page * pages {
        return Some(format!(
            "it is {len} bytes where its header says {} ({pages} pages of {page}): it was \
             cut short or not fully written",
            page * pages
        ));
    }
    None
}

/// Whether `path` is a Keywright vault or snapshot file: a SQLite database (header read
/// first, so other files are not opened) whose application id is Keywright's.
pub fn is_keywright_file(path: &Path) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        _ => return false,
    }
    let mut head = [0u8; 16];
    let ok = fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    if ok.is_err() || &head != b"SQLite format 3\0" {
        return false;
    }
    open_read_only(path)
        .and_then(|c| Ok(c.query_row("PRAGMA application_id", [], |r| r.get::<_, i32>(0))?))
        .is_ok_and(|id| id == schema::APPLICATION_ID)
}

/// Open a snapshot (or any vault file) read-only: `immutable` (no locks, nothing written
/// next to it) unless a pending -wal holds part of it.
fn open_read_only(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if wal_pending(path) {
        Connection::open_with_flags(path, flags)
    } else {
        Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
    }
    .map_err(|e| Error::corrupt(format!("{} does not open: {e}", path.display())))?;
    conn.busy_timeout(super::BUSY_TIMEOUT)?;
    Ok(conn)
}

/// What can be read from a vault file without its key.
struct Facts {
    vault_id: String,
    items: u64,
    taken_at: Option<i64>,
}

/// What a vault file says about itself. `exact`: count the `items` rows even when the file
/// records its count (a snapshot opened as a vault and changed may differ from it).
fn read_facts(conn: &Connection, exact: bool) -> Result<Facts> {
    schema::check(conn)?;
    let vault_id: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'vault_id'", [], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| Error::corrupt("it has no vault id"))?;
    let has_password: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM slots WHERE id = ?1)",
        [slots::PASSWORD],
        |r| r.get(0),
    )?;
    if !has_password {
        return Err(Error::corrupt("it has no password slot"));
    }
    let meta = |key: &str| -> Result<Option<i64>> {
        let v: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?;
        Ok(v.and_then(|v| v.parse().ok()))
    };
    let recorded = meta(ITEMS_KEY)?;
    let items: i64 = match recorded {
        Some(n) if !exact => n,
        _ => conn.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?,
    };
    let taken_at: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [TAKEN_AT_KEY],
            |r| r.get(0),
        )
        .optional()?;
    Ok(Facts {
        vault_id,
        items: u64::try_from(items).unwrap_or(0),
        taken_at: taken_at.and_then(|t| t.parse().ok()),
    })
}

/// Size, vault id, item count and completeness of a snapshot file, read without its key.
/// Never fails: what cannot be read makes it incomplete, with the reason in `problem`.
pub fn inspect(path: &Path) -> BackupInfo {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(parse_name)
        .map(|(_, t)| t);
    let meta = fs::metadata(path);
    let size = meta.as_ref().map_or(0, fs::Metadata::len);
    let mtime = meta
        .as_ref()
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0);
    let mut info = BackupInfo {
        path: path.to_path_buf(),
        taken_at: named.unwrap_or(mtime),
        size,
        vault_id: None,
        items: None,
        complete: false,
        problem: None,
    };
    if let Err(e) = &meta {
        info.problem = Some(format!("it cannot be read ({e})"));
        return info;
    }
    if let Some(p) = header_problem(path, size) {
        info.problem = Some(p);
        return info;
    }
    match open_read_only(path).and_then(|c| read_facts(&c, false)) {
        Ok(f) => {
            info.vault_id = Some(f.vault_id);
            info.items = Some(f.items);
            if named.is_none() {
                info.taken_at = f.taken_at.unwrap_or(mtime);
            }
            info.complete = true;
        }
        Err(e) => info.problem = Some(e.to_string()),
    }
    info
}

/// Every snapshot in `dir` (files named as snapshots, of any vault), newest first. Hidden
/// temporary files of a backup being written (or killed) are not listed. A folder that
/// does not exist holds none.
pub fn list(dir: &Path) -> Result<Vec<BackupInfo>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("cannot read the backup folder", dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("cannot read the backup folder", dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if parse_name(name).is_none() {
            continue;
        }
        // Only regular files: a link is never listed (nor pruned through).
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        if out.len() >= MAX_BACKUP_FILES {
            return Err(Error::invalid(
                "backup folder",
                format!(
                    "{} holds more than {MAX_BACKUP_FILES} Keywright backups; move some \
                     elsewhere",
                    dir.display()
                ),
            ));
        }
        out.push(inspect(&entry.path()));
    }
    // Newest first; in one second, the later name (`-2` after none) first.
    let seq = |b: &BackupInfo| {
        b.path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(FILE_SUFFIX))
            .and_then(|n| n.get(FILE_PREFIX.len() + ID_CHARS + 1 + STAMP_CHARS..))
            .and_then(|n| n.strip_prefix('-'))
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(1)
    };
    out.sort_by(|a, b| {
        b.taken_at
            .cmp(&a.taken_at)
            .then(seq(b).cmp(&seq(a)))
            .then(b.path.cmp(&a.path))
    });
    Ok(out)
}

/// Retention over snapshot times: which to keep at `now`. The newest [`KEEP_LAST`], the
/// newest of each UTC day within [`KEEP_DAILY_DAYS`] days of `now`, and the newest of each
/// UTC month (forever).
pub fn retention(times: &[i64], now: i64) -> Vec<bool> {
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| times[b].cmp(&times[a]).then(b.cmp(&a)));
    let mut keep = vec![false; times.len()];
    let mut days = HashSet::new();
    let mut months = HashSet::new();
    for (rank, &i) in order.iter().enumerate() {
        let t = times[i];
        if rank < KEEP_LAST {
            keep[i] = true;
        }
        if now.saturating_sub(t) < KEEP_DAILY_DAYS * 86_400 && days.insert(t.div_euclid(86_400)) {
            keep[i] = true;
        }
        let month = time::OffsetDateTime::from_unix_timestamp(t)
            .map(|d| (d.year(), u8::from(d.month())))
            .unwrap_or((i32::MIN, 0));
        if months.insert(month) {
            keep[i] = true;
        }
    }
    keep
}

/// Apply [`retention`] to the complete snapshots of `vault_id` in `dir` (by their file
/// names' times) and delete the rest. Files of other vaults, incomplete files and anything
/// not named as a snapshot are never touched. Returns the deleted paths.
pub fn prune(dir: &Path, vault_id: &str, now: i64) -> Result<Vec<PathBuf>> {
    let mine: Vec<BackupInfo> = list(dir)?
        .into_iter()
        .filter(|b| {
            b.complete
                && b.vault_id.as_deref() == Some(vault_id)
                && b.path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(parse_name)
                    .is_some_and(|(id, _)| id == short_id(vault_id))
        })
        .collect();
    let times: Vec<i64> = mine.iter().map(|b| b.taken_at).collect();
    let keep = retention(&times, now);
    let mut deleted = Vec::new();
    for (b, keep) in mine.into_iter().zip(keep) {
        if keep {
            continue;
        }
        fs::remove_file(&b.path)
            .map_err(|e| Error::io("cannot delete the old backup", &b.path, e))?;
        deleted.push(b.path);
    }
    if !deleted.is_empty() {
        sync_dir(dir);
    }
    Ok(deleted)
}

/// SHA-256 over the sealed rows a backup is for (items, Trash, slots, settings other than
/// the backup's own, saved requests, previous versions): equal digests, nothing to back
/// up. The audit log and the request history are left out (a reveal or a test request is
/// not worth a backup of its own; the next one holds them). Each row is hashed alone and
/// the row hashes of a table are XORed, so the tables are read in storage order (a
/// snapshot may number rows differently; reading them by key costs 2-3 times as much).
/// Call inside a read transaction for a consistent view.
pub(crate) fn digest(conn: &Connection) -> Result<String> {
    const PARTS: &[(&str, &str)] = &[
        ("items", "SELECT id, name_mac, overview, secret FROM items"),
        (
            "trash",
            "SELECT id, deleted_at, overview, secret FROM trash",
        ),
        ("slots", "SELECT id, kind, params, wrapped_key FROM slots"),
        (
            "settings",
            "SELECT key, value FROM settings WHERE substr(key, 1, 7) <> 'backup.'",
        ),
        (
            "saved_requests",
            "SELECT id, item_id, request FROM saved_requests",
        ),
        (
            "versions",
            "SELECT id, item_id, purge_at, value FROM versions",
        ),
    ];
    debug_assert_eq!(SETTINGS_PREFIX.len(), 7);
    let tables: HashSet<String> = {
        let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut h = Sha256::new();
    for (table, sql) in PARTS {
        if !tables.contains(*table) {
            continue;
        }
        let mut acc = [0u8; 32];
        let mut count = 0u64;
        let mut stmt = conn.prepare(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let mut r = Sha256::new();
            for i in 0..n {
                match row.get_ref(i)? {
                    ValueRef::Null => r.update([0u8]),
                    ValueRef::Integer(v) => {
                        r.update([1u8]);
                        r.update(v.to_be_bytes());
                    }
                    ValueRef::Real(v) => {
                        r.update([2u8]);
                        r.update(v.to_bits().to_be_bytes());
                    }
                    ValueRef::Text(b) | ValueRef::Blob(b) => {
                        r.update([3u8]);
                        r.update((b.len() as u64).to_be_bytes());
                        r.update(b);
                    }
                }
            }
            for (a, b) in acc.iter_mut().zip(r.finalize().iter()) {
                *a ^= b;
            }
            count += 1;
        }
        h.update(table.as_bytes());
        h.update([0u8]);
        h.update(count.to_be_bytes());
        h.update(acc);
    }
    Ok(crypto::hex(&h.finalize()))
}

fn sync_dir(dir: &Path) {
    // Makes the rename durable; not possible on every platform (Windows), not fatal.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn remove_with_journal(path: &Path) {
    let _ = fs::remove_file(path);
    for suffix in ["-journal", "-wal", "-shm"] {
        let _ = fs::remove_file(sibling(path, suffix));
    }
}

/// Remove what killed backups of `vault_id` left in `dir`: hidden `.partial` files no
/// process holds (each writer holds a lock on its own), and their journals.
fn clean_partials(dir: &Path, vault_id: &str) {
    let prefix = format!(".{FILE_PREFIX}{}-", short_id(vault_id));
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten().take(MAX_BACKUP_FILES) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(&prefix) || !name.ends_with(PARTIAL_SUFFIX) {
            continue;
        }
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let Ok(f) = fs::OpenOptions::new().read(true).write(true).open(&path) else {
            continue;
        };
        let free = match f.try_lock() {
            Ok(()) => true,
            Err(fs::TryLockError::WouldBlock) => false,
            // No locks on this file system: only what is surely abandoned.
            Err(fs::TryLockError::Error(_)) => f
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > STALE_PARTIAL_S),
        };
        drop(f);
        if free {
            remove_with_journal(&path);
        }
    }
}

/// A connection to write the new file: plain read-write, rollback journal.
fn open_new(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(super::BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(Error::corrupt(format!(
            "{}: cannot use a rollback journal (got {mode})",
            path.display()
        )));
    }
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(conn)
}

fn has_table(conn: &Connection, table: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [table],
        |r| r.get(0),
    )?)
}

fn close(conn: Connection) -> Result<()> {
    conn.close().map_err(|(_, e)| Error::from(e))
}

/// Make the copy at `path` a snapshot (`taken_at` Some) or a vault again (None): the mark
/// set or removed, the CLI sessions removed either way.
fn set_snapshot_mark(path: &Path, taken_at: Option<i64>) -> Result<()> {
    let mut conn = open_new(path)?;
    let tx = conn.transaction()?;
    if has_table(&tx, "sessions")? {
        tx.execute("DELETE FROM sessions", [])?;
    }
    match taken_at {
        Some(t) => {
            let items: i64 = tx.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
            for (k, v) in [(TAKEN_AT_KEY, t), (ITEMS_KEY, items)] {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    rusqlite::params![k, v.to_string()],
                )?;
            }
        }
        None => {
            tx.execute(
                "DELETE FROM meta WHERE key IN (?1, ?2)",
                [TAKEN_AT_KEY, ITEMS_KEY],
            )?;
        }
    }
    tx.commit()?;
    close(conn)
}

/// Check a copy just written: it opens, `quick_check` is ok, it is a vault with
/// `vault_id`. Returns its item count and digest.
fn verify(path: &Path, vault_id: &str) -> Result<(u64, String)> {
    let conn = open_read_only(path)?;
    quick_check(&conn, path)?;
    let facts = read_facts(&conn, true)?;
    if facts.vault_id != vault_id {
        return Err(Error::corrupt(format!(
            "{}: the copy holds vault {} instead of {vault_id}",
            path.display(),
            facts.vault_id
        )));
    }
    let tx = conn.unchecked_transaction()?;
    let d = digest(&tx)?;
    tx.finish()?;
    Ok((facts.items, d))
}

fn quick_check(conn: &Connection, path: &Path) -> Result<()> {
    let found: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA quick_check(5)")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if found != ["ok"] {
        return Err(Error::corrupt(format!(
            "{} fails SQLite's quick check: {}",
            path.display(),
            found.join("; ")
        )));
    }
    Ok(())
}

fn utf8(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| {
        Error::invalid(
            "backup folder",
            format!(
                "{} is not valid UTF-8; choose another folder",
                path.display()
            ),
        )
    })
}

/// A hidden temporary file next to `final_name` in `dir`, created 0600, locked while we
/// hold it (so that another process's cleanup leaves it alone).
fn partial(dir: &Path, final_name: &str) -> Result<(PathBuf, fs::File)> {
    let tmp = dir.join(format!(
        ".{final_name}.{}{PARTIAL_SUFFIX}",
        crypto::hex(&crypto::random_bytes(6)?)
    ));
    let f = paths::create_private_file(&tmp).map_err(|e| match e {
        Error::VaultExists { path } => Error::io(
            "cannot create",
            path,
            std::io::Error::from(std::io::ErrorKind::AlreadyExists),
        ),
        e => e,
    })?;
    // A file system without locks still gets the backup; cleanup then waits a day.
    let _ = f.try_lock();
    Ok((tmp, f))
}

/// The backup folder, absolute, created 0700 when missing.
fn prepare_dir(dir: &Path) -> Result<PathBuf> {
    let dir =
        std::path::absolute(dir).map_err(|e| Error::io("cannot use the backup folder", dir, e))?;
    match fs::metadata(&dir) {
        Ok(m) if !m.is_dir() => {
            return Err(Error::invalid(
                "backup folder",
                format!("{} is a file, not a folder", dir.display()),
            ));
        }
        Ok(_) => {}
        Err(_) => paths::create_private_dir(&dir)?,
    }
    Ok(dir)
}

/// Snapshot the database behind `conn` (vault `vault_id`) into `dir` at `now`: written
/// under a temporary name, checked, synced, renamed into place, folder synced.
fn take(conn: &Connection, vault_id: &str, dir: &Path, now: i64) -> Result<Taken> {
    let dir = prepare_dir(dir)?;
    clean_partials(&dir, vault_id);
    let mut n = 1;
    let final_path = loop {
        let p = dir.join(file_name(vault_id, now, n)?);
        if fs::symlink_metadata(&p).is_err() {
            break p;
        }
        n += 1;
        if n > 1_000 {
            return Err(Error::invalid(
                "backup folder",
                format!(
                    "{} already holds 1,000 backups of this second",
                    dir.display()
                ),
            ));
        }
    };
    let final_name = final_path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(FILE_PREFIX)
        .to_owned();
    let (tmp, lock) = partial(&dir, &final_name)?;
    let result = (|| -> Result<Taken> {
        conn.execute("VACUUM INTO ?1", [utf8(&tmp)?])?;
        set_snapshot_mark(&tmp, Some(now))?;
        let (items, digest) = verify(&tmp, vault_id)?;
        lock.sync_all()
            .map_err(|e| Error::io("cannot write", &tmp, e))?;
        // Two processes backing up in the same second: the second takes the next name.
        let mut target = final_path.clone();
        let mut m = n;
        while fs::symlink_metadata(&target).is_ok() {
            m += 1;
            target = dir.join(file_name(vault_id, now, m)?);
        }
        fs::rename(&tmp, &target).map_err(|e| Error::io("cannot write", &target, e))?;
        sync_dir(&dir);
        let size = fs::metadata(&target).map_or(0, |m| m.len());
        Ok(Taken {
            info: BackupInfo {
                path: target,
                taken_at: now,
                size,
                vault_id: Some(vault_id.to_owned()),
                items: Some(items),
                complete: true,
                problem: None,
            },
            digest,
        })
    })();
    if result.is_err() {
        remove_with_journal(&tmp);
    }
    drop(lock);
    result
}

/// Open `snapshot` as the source of a restore: a whole Keywright vault file that passes
/// `quick_check`. Errors say what is wrong with it.
fn open_source(snapshot: &Path) -> Result<(Connection, Facts)> {
    let bad = |why: String| {
        Error::corrupt(format!(
            "{} is not a usable Keywright backup: {why}; choose another snapshot \
             (`keywright backup list` shows them)",
            snapshot.display()
        ))
    };
    let meta = match fs::metadata(snapshot) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::invalid(
                "snapshot",
                format!("{} does not exist", snapshot.display()),
            ));
        }
        Err(e) => return Err(Error::io("cannot read", snapshot, e)),
    };
    if !meta.is_file() {
        return Err(Error::invalid(
            "snapshot",
            format!("{} is not a file", snapshot.display()),
        ));
    }
    if let Some(p) = header_problem(snapshot, meta.len()) {
        return Err(bad(p));
    }
    let conn = open_read_only(snapshot).map_err(|e| bad(e.to_string()))?;
    let found: Vec<String> = conn
        .prepare("PRAGMA quick_check(5)")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| bad(format!("SQLite cannot check it ({e})")))?;
    if found != ["ok"] {
        return Err(bad(format!(
            "it fails SQLite's quick check ({})",
            found.join("; ")
        )));
    }
    let facts = read_facts(&conn, true).map_err(|e| match e {
        e @ Error::NewerVersion { .. } => e,
        e => bad(e.to_string()),
    })?;
    Ok((conn, facts))
}

fn in_use(path: &Path) -> Error {
    Error::invalid(
        "to",
        format!(
            "{} is open in another program (the Keywright app, or another keywright command); \
             close it, then restore again. Nothing was changed",
            path.display()
        ),
    )
}

/// Write a new vault file at `to` from `snapshot` (a backup, or any Keywright vault file),
/// through SQLite, checked before it takes the name `to`. An existing `to` is refused
/// unless `opts.force`; then it must be a Keywright vault no other process has open, a
/// snapshot of it is taken first (into `opts.backup_dir`, default `backups/` next to it),
/// and it is replaced atomically (rename). The new file unlocks with the snapshot's
/// password, recovery code or keyring entry.
pub fn restore(snapshot: &Path, to: &Path, opts: &RestoreOptions) -> Result<Restored> {
    let (source, facts) = open_source(snapshot)?;
    let to = std::path::absolute(to).map_err(|e| Error::io("cannot write", to, e))?;
    let name = to
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::invalid("to", format!("{} names no file", to.display())))?
        .to_owned();
    let existing = match fs::symlink_metadata(&to) {
        Ok(m) if m.is_dir() => {
            return Err(Error::invalid(
                "to",
                format!(
                    "{} is a folder; name the vault file to write (e.g. {})",
                    to.display(),
                    to.join("vault.db").display()
                ),
            ));
        }
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::io("cannot write", &to, e)),
    };
    if existing {
        let same = match (fs::canonicalize(snapshot), fs::canonicalize(&to)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            return Err(Error::invalid(
                "to",
                "is the snapshot itself; restore it to another file",
            ));
        }
        if !opts.force {
            return Err(Error::invalid(
                "to",
                format!(
                    "{} already exists; restore to a new file, or add --force to replace it \
                     (a backup of it is taken first)",
                    to.display()
                ),
            ));
        }
        if !is_keywright_file(&to) {
            return Err(Error::invalid(
                "to",
                format!(
                    "{} is not a Keywright vault; refusing to replace it",
                    to.display()
                ),
            ));
        }
    }
    let dir = folder_of(&to);
    paths::create_private_dir(&dir)?;
    let (tmp, lock) = partial(&dir, &format!("{name}.restore"))?;
    let now = crate::timefmt::now();
    let result = (|| -> Result<Option<BackupInfo>> {
        source.execute("VACUUM INTO ?1", [utf8(&tmp)?])?;
        set_snapshot_mark(&tmp, None)?;
        verify(&tmp, &facts.vault_id)?;
        lock.sync_all()
            .map_err(|e| Error::io("cannot write", &tmp, e))?;
        if existing {
            let backup_dir = opts.backup_dir.clone().unwrap_or_else(|| default_dir(&to));
            replace(&to, &tmp, &backup_dir, now).map(Some)
        } else {
            if fs::symlink_metadata(&to).is_ok() {
                return Err(Error::invalid(
                    "to",
                    format!("{} appeared meanwhile; nothing was changed", to.display()),
                ));
            }
            fs::rename(&tmp, &to).map_err(|e| Error::io("cannot write", &to, e))?;
            Ok(None)
        }
    })();
    if result.is_err() {
        remove_with_journal(&tmp);
    }
    drop(lock);
    let replaced_backup = result?;
    sync_dir(&dir);
    Ok(Restored {
        path: to,
        from: snapshot.to_path_buf(),
        vault_id: facts.vault_id,
        items: facts.items,
        replaced_backup,
    })
}

/// Replace the vault file `to` with `new`: refused while another process has it open;
/// a snapshot of it is taken into `backup_dir` first.
fn replace(to: &Path, new: &Path, backup_dir: &Path, now: i64) -> Result<BackupInfo> {
    let conn = Connection::open_with_flags(
        to,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_millis(500))?;
    let facts = read_facts(&conn, false).map_err(|e| {
        Error::invalid(
            "to",
            format!(
                "{} cannot be read as a vault ({e}); refusing to replace it",
                to.display()
            ),
        )
    })?;
    // Leaving WAL mode needs every other connection closed: the test that no other
    // process (the app, a CLI command) has the vault open. It also folds the -wal in.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                in_use(to)
            }
            _ => Error::from(e),
        })?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(in_use(to));
    }
    let before = take(&conn, &facts.vault_id, backup_dir, now)?;
    // Hold the file (readers too) while it is replaced.
    conn.execute_batch("BEGIN EXCLUSIVE")
        .map_err(|_| in_use(to))?;
    let renamed = fs::rename(new, to).map_err(|e| Error::io("cannot write", to, e));
    // The old file's companions must not be read with the new one.
    if renamed.is_ok() {
        for suffix in ["-wal", "-shm", "-journal"] {
            let _ = fs::remove_file(sibling(to, suffix));
        }
    }
    let _ = conn.execute_batch("ROLLBACK");
    drop(conn);
    renamed?;
    Ok(before.info)
}

// ----- the vault's side -------------------------------------------------------------------

impl Vault {
    /// The automatic backup's configuration (sealed setting; unlocked vault).
    pub fn backup_config(&self) -> Result<BackupConfig> {
        match self.setting(CONFIG_KEY)? {
            None => Ok(BackupConfig::default()),
            Some(v) => serde_json::from_value(v)
                .map_err(|e| Error::corrupt(format!("setting {CONFIG_KEY}: {e}"))),
        }
    }

    /// Store the configuration. A folder must be a full path (not the vault file itself).
    pub fn set_backup_config(&mut self, cfg: &BackupConfig) -> Result<()> {
        if let Some(f) = &cfg.folder {
            if f.as_os_str().is_empty() || !f.is_absolute() {
                return Err(Error::invalid(
                    "folder",
                    format!(
                        "\"{}\" is not a full path. Give the whole path of the backup folder, \
                         e.g. /media/usb/keywright.",
                        f.display()
                    ),
                ));
            }
            if f.to_str().is_none() {
                return Err(Error::invalid("folder", "is not valid UTF-8"));
            }
        }
        let v = serde_json::to_value(cfg).map_err(|e| Error::invalid("folder", e.to_string()))?;
        self.set_own_setting(CONFIG_KEY, &v)
    }

    /// Where backups go: the configured folder, else `backups/` next to the vault file.
    pub fn backup_folder(&self) -> Result<PathBuf> {
        Ok(self
            .backup_config()?
            .folder
            .unwrap_or_else(|| default_dir(&self.path)))
    }

    /// `backups/` next to this vault file.
    pub fn default_backup_folder(&self) -> PathBuf {
        default_dir(&self.path)
    }

    /// What the last recorded backup took (unlocked vault).
    pub fn backup_state(&self) -> Result<BackupState> {
        match self.setting(STATE_KEY)? {
            None => Ok(BackupState::default()),
            // An unreadable state only costs an extra backup.
            Some(v) => Ok(serde_json::from_value(v).unwrap_or_default()),
        }
    }

    fn set_backup_state(&mut self, s: &BackupState) -> Result<()> {
        let v = serde_json::to_value(s).map_err(|e| Error::corrupt(e.to_string()))?;
        self.set_own_setting(STATE_KEY, &v)
    }

    /// A backup setting, written without counting as a change of this process (see
    /// [`Vault::auto_backup_at_close`]).
    fn set_own_setting(&mut self, key: &str, v: &serde_json::Value) -> Result<()> {
        let before = self.conn.total_changes();
        self.set_setting(key, v)?;
        let own = self.conn.total_changes().saturating_sub(before);
        self.changes_at_unlock = self.changes_at_unlock.saturating_add(own);
        Ok(())
    }

    /// When this file was taken as a snapshot, if it is one (`None` for a vault).
    pub fn snapshot_taken_at(&self) -> Result<Option<i64>> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [TAKEN_AT_KEY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.map(|v| v.parse().unwrap_or(0)))
    }

    /// The digest of the sealed rows a backup is for, now.
    fn state_digest(&mut self) -> Result<String> {
        let tx = self.conn.transaction()?;
        let d = digest(&tx)?;
        tx.finish()?;
        Ok(d)
    }

    /// Take a snapshot now into `dir`, or the configured folder (which needs the vault
    /// unlocked). Works locked with a folder given: a snapshot needs no key. Recorded as
    /// the last backup when it went to the configured folder. Retention is not applied
    /// (automatic backups apply it).
    pub fn backup_now(&mut self, dir: Option<&Path>, now: i64) -> Result<BackupInfo> {
        let configured = if self.is_unlocked() {
            Some(self.backup_folder()?)
        } else {
            None
        };
        let dir = match (dir, &configured) {
            (Some(d), _) => std::path::absolute(d)
                .map_err(|e| Error::io("cannot use the backup folder", d, e))?,
            (None, Some(c)) => c.clone(),
            (None, None) => return Err(Error::Locked),
        };
        let taken = take(&self.conn, &self.vault_id, &dir, now)?;
        if configured.as_deref() == Some(dir.as_path()) && self.read_only.is_none() {
            let mut state = self.backup_state()?;
            record(&mut state, &taken, now);
            self.set_backup_state(&state)?;
        }
        Ok(taken.info)
    }

    /// The automatic backup, called after changes and from time to time (the app's watch,
    /// every CLI command). When automatic backups are on: a vault that changed since the
    /// last backup is backed up once it has been quiet [`DEBOUNCE_S`] seconds, or at once
    /// when the last backup is [`MAX_WAIT_S`] old; an unchanged vault once a day. Then
    /// retention is applied to the folder. Needs the vault unlocked (the settings are
    /// sealed).
    pub fn maybe_auto_backup(&mut self, now: i64) -> Result<AutoBackup> {
        let cfg = self.backup_config()?;
        if !cfg.auto || self.read_only.is_some() {
            return Ok(AutoBackup::Off);
        }
        if self.snapshot_taken_at()?.is_some() {
            return Ok(AutoBackup::Snapshot);
        }
        let before = self.backup_state()?;
        let mut state = before.clone();
        let d = self.state_digest()?;
        let since_backup = state.at.map(|a| now.saturating_sub(a));
        let changed = state.digest.as_deref() != Some(d.as_str());
        let due = if changed {
            if state.seen_digest.is_none() && state.seen_at.is_some() {
                // Noted by a process that wrote (at `seen_at`) without reading the vault.
                state.seen_digest = Some(d.clone());
            } else if state.seen_digest.as_deref() != Some(d.as_str()) {
                state.seen_digest = Some(d.clone());
                state.seen_at = Some(now);
            }
            let quiet = now.saturating_sub(state.seen_at.unwrap_or(now));
            quiet >= DEBOUNCE_S || since_backup.is_none_or(|s| s >= MAX_WAIT_S)
        } else {
            // A write that changed nothing a backup holds (the audit log): nothing waits.
            state.seen_digest.clone_from(&state.digest);
            since_backup.is_none_or(|s| s >= DAILY_S)
        };
        if !due {
            if before != state {
                self.set_backup_state(&state)?;
            }
            return Ok(if changed {
                AutoBackup::Pending {
                    since: state.seen_at.unwrap_or(now),
                }
            } else {
                AutoBackup::NotDue
            });
        }
        let dir = cfg.folder.unwrap_or_else(|| default_dir(&self.path));
        let taken = match take(&self.conn, &self.vault_id, &dir, now) {
            Ok(t) => t,
            Err(e) => {
                // Remember the change seen, so the debounce keeps its clock.
                let _ = self.set_backup_state(&state);
                return Err(e);
            }
        };
        record(&mut state, &taken, now);
        self.set_backup_state(&state)?;
        let (pruned, prune_error) = match prune(&dir, &self.vault_id, now) {
            Ok(p) => (p, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        Ok(AutoBackup::Done {
            backup: taken.info,
            pruned,
            prune_error,
        })
    }

    /// [`Vault::maybe_auto_backup`] for a process that is done with the vault (a CLI
    /// command), without reading the whole vault when the clock says nothing can be due: a
    /// write soon after the last backup is only noted (its time, [`BackupState::pending`]);
    /// a command that wrote nothing looks only when a noted change has been quiet a
    /// minute, or the last backup is old.
    pub(crate) fn auto_backup_at_close(&mut self, now: i64) -> Result<AutoBackup> {
        let wrote = self.conn.total_changes() > self.changes_at_unlock;
        if !self.backup_config()?.auto || self.read_only.is_some() {
            return Ok(AutoBackup::Off);
        }
        if self.snapshot_taken_at()?.is_some() {
            return Ok(AutoBackup::Snapshot);
        }
        let mut state = self.backup_state()?;
        let recent = |limit: i64| state.at.is_some_and(|a| now.saturating_sub(a) < limit);
        if wrote {
            if recent(MAX_WAIT_S) {
                state.seen_digest = None;
                state.seen_at = Some(now);
                self.set_backup_state(&state)?;
                return Ok(AutoBackup::Pending { since: now });
            }
        } else if state.pending() {
            let since = state.seen_at.unwrap_or(now);
            if now.saturating_sub(since) < DEBOUNCE_S && recent(MAX_WAIT_S) {
                return Ok(AutoBackup::Pending { since });
            }
        } else if recent(DAILY_S) {
            return Ok(AutoBackup::NotDue);
        }
        self.maybe_auto_backup(now)
    }
}

fn record(state: &mut BackupState, taken: &Taken, now: i64) {
    state.digest = Some(taken.digest.clone());
    state.at = Some(now);
    state.path = Some(taken.info.path.clone());
    state.size = taken.info.size;
    state.items = taken.info.items.unwrap_or(0);
    state.seen_digest = Some(taken.digest.clone());
    state.seen_at = Some(now);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Kind, NewItem};
    use secrecy::SecretString;

    const PW: &str = "pw-pw-pw-pw";
    /// 2026-12-02T10:15:00Z.
    const T0: i64 = 1_796_206_500;

    fn pw() -> SecretString {
        SecretString::from(PW.to_owned())
    }

    /// A new vault with `n` items, and its recovery code.
    fn new_vault(dir: &Path, n: usize) -> (Vault, String) {
        let created = Vault::create(
            &dir.join("vault.db"),
            &pw(),
            crate::CreateOptions {
                kdf: Some(crate::crypto::kdf::KdfParams::new_unchecked(256, 1, 1)),
                keyring: None,
            },
        )
        .expect("create");
        let mut v = created.vault;
        let news = (0..n)
            .map(|i| NewItem::new(Kind::ApiKey, format!("key {i:05}"), format!("sk_live_{i}")))
            .collect();
        v.add_batch(news).expect("add");
        use secrecy::ExposeSecret as _;
        (v, created.recovery_code.expose_secret().to_owned())
    }

    fn names(v: &mut Vault) -> Vec<String> {
        v.items()
            .expect("items")
            .iter()
            .map(|i| i.name().to_owned())
            .collect()
    }

    fn open_pw(path: &Path) -> Vault {
        let mut v = Vault::open(path).expect("open");
        v.unlock_with_password(&pw()).expect("unlock");
        v
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn names_encode_the_vault_and_the_utc_time() {
        let id = "0123456789abcdef0123456789abcdef";
        let name = file_name(id, T0, 1).expect("name");
        assert_eq!(name, "keywright-01234567-20261202T101500Z.kwbak.db");
        assert_eq!(parse_name(&name), Some(("01234567".into(), T0)));
        let second = file_name(id, T0, 2).expect("name");
        assert_eq!(second, "keywright-01234567-20261202T101500Z-2.kwbak.db");
        assert_eq!(parse_name(&second), Some(("01234567".into(), T0)));
        // Listed newest first: in one second, -10 after -2 after none.
        let dir = tempfile::tempdir().expect("tmp");
        for n in [1, 2, 10] {
            fs::write(dir.path().join(file_name(id, T0, n).expect("name")), "x").expect("write");
        }
        let order: Vec<String> = list(dir.path())
            .expect("list")
            .iter()
            .map(|b| {
                b.path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            order,
            [
                file_name(id, T0, 10).expect("name"),
                second.clone(),
                name.clone()
            ]
        );
        for bad in [
            "keywright-01234567-20261202T101500Z.kwbak.db.partial",
            ".keywright-01234567-20261202T101500Z.kwbak.db.ab12.partial",
            "keywright-0123456-20261202T101500Z.kwbak.db",
            "keywright-0123456g-20261202T101500Z.kwbak.db",
            "keywright-01234567-20261302T101500Z.kwbak.db",
            "keywright-01234567-20261202T101500Z-.kwbak.db",
            "keywright-01234567-20261202T101500Z-x.kwbak.db",
            "vault.db",
        ] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_snapshot_opens_with_the_password_and_the_recovery_code_and_holds_the_items() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, code) = new_vault(dir.path(), 25);
        let trashed = v.find("key 00003").expect("find").id;
        v.trash(&trashed).expect("trash");
        let before = names(&mut v);
        let out = dir.path().join("bk");
        let b = v.backup_now(Some(&out), T0).expect("backup");
        assert!(b.complete);
        assert_eq!(b.items, Some(24));
        assert_eq!(b.taken_at, T0);
        assert_eq!(b.vault_id.as_deref(), Some(v.vault_id()));
        assert_eq!(b.size, fs::metadata(&b.path).expect("meta").len());
        assert_eq!(
            b.path.file_name().and_then(|n| n.to_str()).expect("name"),
            file_name(v.vault_id(), T0, 1).expect("name")
        );
        #[cfg(unix)]
        {
            assert_eq!(paths::mode(&b.path), Some(0o600));
            assert_eq!(paths::mode(&out), Some(0o700));
        }
        // Only the snapshot: no temporary file, no journal.
        assert_eq!(entries(&out).len(), 1, "{:?}", entries(&out));
        // The secret never appears in the file.
        let bytes = fs::read(&b.path).expect("read");
        assert!(!bytes.windows(10).any(|w| w == b"sk_live_12"));

        let mut s = open_pw(&b.path);
        assert_eq!(s.vault_id(), v.vault_id());
        assert_eq!(s.snapshot_taken_at().expect("mark"), Some(T0));
        assert_eq!(names(&mut s), before);
        let id = s.find("key 00012").expect("find").id;
        assert_eq!(s.open_secret(&id).expect("secret").value, "sk_live_12");
        assert_eq!(s.trash_items().expect("trash").items.len(), 1);
        drop(s);

        let mut r = Vault::open(&b.path).expect("open");
        r.unlock_with_recovery(&code).expect("recovery code");
        assert_eq!(names(&mut r), before);
        // A wrong password stays wrong.
        let mut w = Vault::open(&b.path).expect("open");
        let e = w
            .unlock_with_password(&SecretString::from("nope".to_owned()))
            .expect_err("wrong");
        assert_eq!(e.kind(), "wrong_password");
    }

    #[test]
    fn a_snapshot_is_consistent_while_another_connection_writes() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 200);
        let path = v.path().to_path_buf();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut w = open_pw(&path);
                let mut n = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    w.add(NewItem::new(Kind::Bearer, format!("w{n}"), "tok"))
                        .expect("add");
                    n += 1;
                }
                n
            })
        };
        let out = dir.path().join("bk");
        let mut counts = Vec::new();
        for i in 0..5 {
            let b = v.backup_now(Some(&out), T0 + i).expect("backup");
            assert!(b.complete, "{b:?}");
            let mut s = open_pw(&b.path);
            // The sealed item count matches the rows: one transaction's state.
            assert_eq!(s.item_count_problem().expect("count"), None);
            let n = s.items().expect("items").len();
            assert_eq!(Some(n as u64), b.items);
            counts.push(n);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let written = writer.join().expect("writer");
        assert!(written > 0);
        assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
        assert!(counts.iter().all(|&n| n >= 200));
    }

    #[test]
    fn a_cut_short_file_is_listed_incomplete_and_never_restored() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 300);
        let out = dir.path().join("bk");
        let good = v.backup_now(Some(&out), T0).expect("backup");
        let bytes = fs::read(&good.path).expect("read");
        // A copy cut short, under a snapshot's name (as a raw copy killed mid-way would be).
        let cut = out.join(file_name(v.vault_id(), T0 + 60, 1).expect("name"));
        fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
        // What a killed backup leaves: a hidden partial file (and its journal).
        let partial = out.join(format!(
            ".{}.0a0b0c0d0e0f.partial",
            file_name(v.vault_id(), T0 + 120, 1).expect("name")
        ));
        fs::write(&partial, &bytes[..4096]).expect("write");
        fs::write(sibling(&partial, "-journal"), b"x").expect("write");

        let listed = list(&out).expect("list");
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert_eq!(listed[0].path, cut);
        assert!(!listed[0].complete);
        let why = listed[0].problem.as_deref().expect("problem");
        assert!(why.contains("cut short"), "{why}");
        assert_eq!(listed[0].items, None);
        assert_eq!(listed[1].path, good.path);
        assert!(listed[1].complete);

        let target = dir.path().join("restored.db");
        for bad in [&cut, &partial] {
            let e = restore(bad, &target, &RestoreOptions::default()).expect_err("refused");
            assert_eq!(e.kind(), "corrupt", "{e}");
            assert!(
                e.to_string().contains("not a usable Keywright backup"),
                "{e}"
            );
            assert!(!target.exists());
        }
        // Not a vault at all.
        let text = dir.path().join("notes.txt");
        fs::write(&text, "hello").expect("write");
        let e = restore(&text, &target, &RestoreOptions::default()).expect_err("refused");
        assert!(
            e.to_string().contains("shorter than a database header"),
            "{e}"
        );
        // A damaged page inside a file of the right size fails the quick check.
        let mut flipped = bytes.clone();
        let page = 4096;
        for b in &mut flipped[page * 3..page * 3 + 64] {
            *b ^= 0x5a;
        }
        let damaged = dir.path().join("damaged.db");
        fs::write(&damaged, &flipped).expect("write");
        let e = restore(&damaged, &target, &RestoreOptions::default()).expect_err("refused");
        assert_eq!(e.kind(), "corrupt", "{e}");
        assert!(!target.exists());
        assert!(
            entries(dir.path()).iter().all(|n| !n.ends_with(".partial")),
            "{:?}",
            entries(dir.path())
        );

        // The next backup removes the leftover partial file and its journal.
        v.backup_now(Some(&out), T0 + 180).expect("backup");
        let names = entries(&out);
        assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
        assert_eq!(names.len(), 3, "{names:?}");
    }

    #[test]
    fn a_partial_file_held_by_a_running_backup_is_left_alone() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 1);
        let out = dir.path().join("bk");
        fs::create_dir(&out).expect("mkdir");
        let name = file_name(v.vault_id(), T0, 1).expect("name");
        let (held, lock) = partial(&out, &name).expect("partial");
        v.backup_now(Some(&out), T0 + 1).expect("backup");
        assert!(held.exists(), "a backup in progress lost its file");
        drop(lock);
        v.backup_now(Some(&out), T0 + 2).expect("backup");
        assert!(!held.exists());
    }

    #[test]
    fn restore_writes_a_new_vault_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, code) = new_vault(dir.path(), 12);
        let out = dir.path().join("bk");
        let b = v.backup_now(Some(&out), T0).expect("backup");
        let to = dir.path().join("sub").join("new.db");
        let r = restore(&b.path, &to, &RestoreOptions::default()).expect("restore");
        assert_eq!(r.path, to);
        assert_eq!(r.items, 12);
        assert_eq!(r.vault_id, v.vault_id());
        assert_eq!(r.replaced_backup, None);
        #[cfg(unix)]
        assert_eq!(paths::mode(&to), Some(0o600));
        let mut n = open_pw(&to);
        // A vault again: no snapshot mark, so automatic backups may run from it.
        assert_eq!(n.snapshot_taken_at().expect("mark"), None);
        assert_eq!(names(&mut n), names(&mut v));
        n.add(NewItem::new(Kind::ApiKey, "after restore", "x"))
            .expect("writable");
        drop(n);
        let mut by_code = Vault::open(&to).expect("open");
        by_code.unlock_with_recovery(&code).expect("recovery");
        drop(by_code);

        // An existing file is refused without force, whatever it is.
        let before = fs::read(&to).expect("read");
        let e = restore(&b.path, &to, &RestoreOptions::default()).expect_err("exists");
        assert_eq!(e.kind(), "invalid_input");
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(fs::read(&to).expect("read"), before);
        // With force, a file that is not a vault is still refused.
        let other = dir.path().join("other.txt");
        fs::write(&other, "precious").expect("write");
        let force = RestoreOptions {
            force: true,
            backup_dir: None,
        };
        let e = restore(&b.path, &other, &force).expect_err("not a vault");
        assert!(e.to_string().contains("not a Keywright vault"), "{e}");
        assert_eq!(fs::read_to_string(&other).expect("read"), "precious");
        // The snapshot onto itself.
        let e = restore(&b.path, &b.path, &force).expect_err("itself");
        assert!(e.to_string().contains("snapshot itself"), "{e}");
        // A folder.
        let e = restore(&b.path, dir.path(), &force).expect_err("folder");
        assert!(e.to_string().contains("is a folder"), "{e}");
    }

    #[test]
    fn restore_over_the_live_vault_backs_it_up_first() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 5);
        let live = v.path().to_path_buf();
        let out = dir.path().join("bk");
        let old = v.backup_now(Some(&out), T0).expect("backup");
        v.add(NewItem::new(Kind::ApiKey, "added later", "sk_later"))
            .expect("add");
        let live_names = names(&mut v);

        // Refused while the vault is open (here: by this process's own connection).
        let force = RestoreOptions {
            force: true,
            backup_dir: Some(out.clone()),
        };
        let e = restore(&old.path, &live, &force).expect_err("in use");
        assert!(e.to_string().contains("open in another program"), "{e}");
        assert_eq!(names(&mut open_pw(&live)), live_names);
        drop(v);

        let r = restore(&old.path, &live, &force).expect("restore");
        let copy = r.replaced_backup.expect("a copy of the live vault");
        assert_eq!(copy.items, Some(6));
        assert!(copy.path.starts_with(&out));
        let mut kept = open_pw(&copy.path);
        assert_eq!(names(&mut kept), live_names);
        drop(kept);
        let mut now_live = open_pw(&live);
        assert_eq!(now_live.item_count().expect("count"), 5);
        assert!(now_live.find("added later").is_err());
        assert_eq!(now_live.item_count_problem().expect("count"), None);
        // Its own folder's default when none is given.
        drop(now_live);
        let r = restore(
            &old.path,
            &live,
            &RestoreOptions {
                force: true,
                backup_dir: None,
            },
        )
        .expect("restore");
        let copy = r.replaced_backup.expect("copy");
        assert_eq!(copy.path.parent(), Some(default_dir(&live).as_path()));
    }

    #[test]
    fn a_snapshot_holds_no_session() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 1);
        v.conn
            .execute(
                "INSERT INTO sessions (id, secret, created_at, expires_at, file)
                 VALUES ('0011223344556677', x'00', 0, 9999999999, '/nowhere')",
                [],
            )
            .expect("session row");
        let b = v
            .backup_now(Some(&dir.path().join("bk")), T0)
            .expect("backup");
        let c = open_read_only(&b.path).expect("open");
        let n: i64 = c
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 0);
        // Its item count is recorded, for listings (a restore counts the rows).
        let recorded: String = c
            .query_row(
                "SELECT value FROM meta WHERE key = 'backup_items'",
                [],
                |r| r.get(0),
            )
            .expect("recorded");
        assert_eq!(recorded, "1");
        drop(c);
        exec(
            &b.path,
            "UPDATE meta SET value = '7' WHERE key = 'backup_items'",
        );
        assert_eq!(inspect(&b.path).items, Some(7));
        let r = restore(
            &b.path,
            &dir.path().join("r.db"),
            &RestoreOptions::default(),
        )
        .expect("restore");
        assert_eq!(r.items, 1);
    }

    fn exec(db: &Path, sql: &str) {
        Connection::open(db)
            .and_then(|c| c.execute_batch(sql))
            .expect("sql");
    }

    /// Which of `times` an independent formulation of the policy keeps.
    fn expected_keep(times: &[i64], now: i64) -> HashSet<i64> {
        let mut sorted = times.to_vec();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let mut keep: HashSet<i64> = sorted.iter().take(KEEP_LAST).copied().collect();
        // Newest per day within 30 days: the first one met going back in time.
        let mut last_day = None;
        let mut last_month = None;
        for &t in &sorted {
            let day = t / 86_400;
            if now - t < 30 * 86_400 && last_day != Some(day) {
                keep.insert(t);
            }
            last_day = Some(day);
            let d = time::OffsetDateTime::from_unix_timestamp(t).expect("time");
            let month = (d.year(), d.month());
            if last_month != Some(month) {
                keep.insert(t);
            }
            last_month = Some(month);
        }
        keep
    }

    #[test]
    fn retention_of_400_days_of_hourly_snapshots() {
        // Hourly from 2025-11-01T00:30Z for 400 days; `now` is the last one.
        let start = 1_761_957_000;
        let times: Vec<i64> = (0..400 * 24).map(|h| start + h * 3_600).collect();
        let now = *times.last().expect("last");
        let keep = retention(&times, now);
        let kept: HashSet<i64> = times
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(t, _)| *t)
            .collect();
        assert_eq!(kept, expected_keep(&times, now));
        // 2025-11-01T00:30Z .. 2026-12-05T23:30Z: 14 months.
        let months: HashSet<(i32, u8)> = times
            .iter()
            .map(|&t| {
                let d = time::OffsetDateTime::from_unix_timestamp(t).expect("time");
                (d.year(), u8::from(d.month()))
            })
            .collect();
        assert_eq!(months.len(), 14);
        // The newest 10 are the last 10 hours (today's newest among them).
        for t in &times[times.len() - 10..] {
            assert!(kept.contains(t));
        }
        // Each of the 29 days before keeps exactly its 23:30 snapshot.
        for day in 1..30 {
            let t = now - day * 86_400;
            assert!(kept.contains(&t), "day -{day}");
            assert!(!kept.contains(&(t - 3_600)), "day -{day}, one hour earlier");
        }
        assert!(!kept.contains(&(now - 30 * 86_400)));
        // Beyond 30 days, only the newest of each month: its last day at 23:30.
        use time::macros::datetime;
        let mut old: Vec<i64> = kept
            .iter()
            .copied()
            .filter(|&t| now - t >= 30 * 86_400)
            .collect();
        old.sort_unstable();
        let month_ends: Vec<i64> = [
            datetime!(2025-11-30 23:30 UTC),
            datetime!(2025-12-31 23:30 UTC),
            datetime!(2026-01-31 23:30 UTC),
            datetime!(2026-02-28 23:30 UTC),
            datetime!(2026-03-31 23:30 UTC),
            datetime!(2026-04-30 23:30 UTC),
            datetime!(2026-05-31 23:30 UTC),
            datetime!(2026-06-30 23:30 UTC),
            datetime!(2026-07-31 23:30 UTC),
            datetime!(2026-08-31 23:30 UTC),
            datetime!(2026-09-30 23:30 UTC),
            datetime!(2026-10-31 23:30 UTC),
        ]
        .iter()
        .map(|d| d.unix_timestamp())
        .collect();
        assert_eq!(old, month_ends);
        // November and December 2026 are covered by the daily and latest ones.
        assert_eq!(kept.len(), 10 + 29 + 12);
        // Nothing kept twice, and a second pass over the kept set keeps all of it.
        let again: Vec<i64> = kept.iter().copied().collect();
        assert!(retention(&again, now).iter().all(|k| *k));
    }

    #[test]
    fn retention_keeps_few_snapshots_all() {
        assert_eq!(retention(&[], T0), Vec::<bool>::new());
        let times: Vec<i64> = (0..10).map(|i| T0 - i * 60).collect();
        assert!(retention(&times, T0).iter().all(|k| *k));
        // An eleventh in the same hour goes.
        let mut more = times.clone();
        more.push(T0 - 3_000);
        let k = retention(&more, T0);
        assert_eq!(k.iter().filter(|k| !**k).count(), 1);
        assert!(!k[10]);
    }

    #[test]
    fn prune_deletes_only_this_vaults_snapshots() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 1);
        let out = dir.path().join("bk");
        // 15 snapshots a minute apart: the 5 oldest go (same day, same month).
        for i in 0..15 {
            v.backup_now(Some(&out), T0 + i * 60).expect("backup");
        }
        // Another vault's file, a stranger's file and an incomplete file with our name.
        let other = tempfile::tempdir().expect("tmp");
        let (mut w, _) = new_vault(other.path(), 1);
        let theirs = w.backup_now(Some(&out), T0 - 86_400 * 3).expect("backup");
        fs::write(out.join("notes.txt"), "mine").expect("write");
        let broken = out.join(file_name(v.vault_id(), T0 - 7_200, 1).expect("name"));
        fs::write(&broken, b"SQLite format 3\0").expect("write");

        let deleted = prune(&out, v.vault_id(), T0 + 15 * 60).expect("prune");
        assert_eq!(deleted.len(), 5, "{deleted:?}");
        for i in 0..5 {
            let p = out.join(file_name(v.vault_id(), T0 + i * 60, 1).expect("name"));
            assert!(deleted.contains(&p));
            assert!(!p.exists());
        }
        assert!(theirs.path.exists());
        assert!(broken.exists());
        assert!(out.join("notes.txt").exists());
        let mine = list(&out)
            .expect("list")
            .into_iter()
            .filter(|b| b.vault_id.as_deref() == Some(v.vault_id()))
            .count();
        assert_eq!(mine, 10);
    }

    fn auto_on(v: &mut Vault, folder: &Path) {
        v.set_backup_config(&BackupConfig {
            auto: true,
            folder: Some(folder.to_path_buf()),
        })
        .expect("config");
    }

    #[test]
    fn automatic_backups_follow_changes_debounced_and_daily() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 3);
        assert_eq!(v.maybe_auto_backup(T0).expect("auto"), AutoBackup::Off);
        assert_eq!(v.backup_config().expect("cfg"), BackupConfig::default());
        assert_eq!(
            v.backup_folder().expect("folder"),
            std::path::absolute(dir.path().join("backups")).expect("abs")
        );
        let e = v
            .set_backup_config(&BackupConfig {
                auto: true,
                folder: Some(PathBuf::from("relative/dir")),
            })
            .expect_err("relative");
        assert!(e.to_string().contains("full path"), "{e}");
        let out = dir.path().join("usb");
        auto_on(&mut v, &out);

        // The first call backs up: there is no backup yet.
        let AutoBackup::Done { backup, pruned, .. } = v.maybe_auto_backup(T0).expect("auto") else {
            panic!("no first backup");
        };
        assert!(backup.path.starts_with(&out));
        assert!(pruned.is_empty());
        let state = v.backup_state().expect("state");
        assert_eq!(state.at, Some(T0));
        assert_eq!(state.path.as_deref(), Some(backup.path.as_path()));
        assert!(!state.pending());
        // Nothing changed: nothing to do, until a day has passed.
        assert_eq!(
            v.maybe_auto_backup(T0 + 30).expect("auto"),
            AutoBackup::NotDue
        );
        // The backup's own settings are no change; the app's preferences are.
        auto_on(&mut v, &out);
        assert_eq!(
            v.maybe_auto_backup(T0 + 40).expect("auto"),
            AutoBackup::NotDue
        );

        // A change soon after a backup waits for the vault to be quiet a minute.
        v.add(NewItem::new(Kind::ApiKey, "new", "v")).expect("add");
        assert_eq!(
            v.maybe_auto_backup(T0 + 100).expect("auto"),
            AutoBackup::Pending { since: T0 + 100 }
        );
        assert!(v.backup_state().expect("state").pending());
        // Another change restarts the clock.
        v.add(NewItem::new(Kind::ApiKey, "newer", "v"))
            .expect("add");
        assert_eq!(
            v.maybe_auto_backup(T0 + 150).expect("auto"),
            AutoBackup::Pending { since: T0 + 150 }
        );
        assert_eq!(
            v.maybe_auto_backup(T0 + 150 + DEBOUNCE_S - 1)
                .expect("auto"),
            AutoBackup::Pending { since: T0 + 150 }
        );
        let AutoBackup::Done { backup, .. } =
            v.maybe_auto_backup(T0 + 150 + DEBOUNCE_S).expect("auto")
        else {
            panic!("not backed up once quiet");
        };
        assert_eq!(backup.items, Some(5));
        assert_eq!(
            v.maybe_auto_backup(T0 + 300).expect("auto"),
            AutoBackup::NotDue
        );

        // A vault that keeps changing is backed up every MAX_WAIT_S at least.
        let mut t = T0 + 300;
        let mut done = 0;
        for i in 0..30 {
            v.add(NewItem::new(Kind::ApiKey, format!("busy {i}"), "v"))
                .expect("add");
            t += 30;
            if matches!(
                v.maybe_auto_backup(t).expect("auto"),
                AutoBackup::Done { .. }
            ) {
                done += 1;
            }
        }
        assert_eq!(done, 1, "30 changes 30 s apart over 15 minutes");

        // Quiet a minute after the last change: backed up.
        assert!(matches!(
            v.maybe_auto_backup(t + DEBOUNCE_S).expect("auto"),
            AutoBackup::Done { .. }
        ));
        // Unchanged for a day: backed up again.
        let last = v.backup_state().expect("state").at.expect("at");
        assert_eq!(last, t + DEBOUNCE_S);
        assert_eq!(
            v.maybe_auto_backup(last + DAILY_S - 1).expect("auto"),
            AutoBackup::NotDue
        );
        assert!(matches!(
            v.maybe_auto_backup(last + DAILY_S).expect("auto"),
            AutoBackup::Done { .. }
        ));
        // A change after a long quiet time is backed up at once.
        let last = last + DAILY_S;
        v.add(NewItem::new(Kind::ApiKey, "much later", "v"))
            .expect("add");
        assert!(matches!(
            v.maybe_auto_backup(last + MAX_WAIT_S).expect("auto"),
            AutoBackup::Done { .. }
        ));
        let last = last + MAX_WAIT_S;

        // A snapshot opened as a vault never backs itself up.
        let snap = list(&out).expect("list")[0].path.clone();
        let mut s = open_pw(&snap);
        assert!(s.backup_config().expect("cfg").auto);
        assert_eq!(
            s.maybe_auto_backup(last + 5 * DAILY_S).expect("auto"),
            AutoBackup::Snapshot
        );

        // Off again: nothing.
        v.set_backup_config(&BackupConfig::default()).expect("off");
        v.add(NewItem::new(Kind::ApiKey, "while off", "v"))
            .expect("add");
        assert_eq!(
            v.maybe_auto_backup(last + 9 * DAILY_S).expect("auto"),
            AutoBackup::Off
        );
    }

    #[test]
    fn automatic_backups_run_when_a_process_closes_the_vault() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 1);
        let out = dir.path().join("bk");
        auto_on(&mut v, &out);
        v.backup_now(None, crate::timefmt::now()).expect("first");
        drop(v);
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let report = |seen: &std::sync::Arc<std::sync::Mutex<Vec<String>>>| {
            let seen = seen.clone();
            move |r: Result<AutoBackup>| {
                let what = match r {
                    Ok(AutoBackup::Done { .. }) => "done".to_owned(),
                    Ok(other) => format!("{other:?}"),
                    Err(e) => format!("error {e}"),
                };
                seen.lock().expect("lock").push(what);
            }
        };
        // A command that reads: nothing pending, nothing to do.
        let mut r = open_pw(&dir.path().join("vault.db"));
        r.auto_backup_on_close(report(&seen));
        let _ = r.items().expect("items");
        drop(r);
        // A command that writes: its change is pending (the last backup is seconds old).
        let mut w = open_pw(&dir.path().join("vault.db"));
        w.auto_backup_on_close(report(&seen));
        w.add(NewItem::new(Kind::ApiKey, "x", "y")).expect("add");
        w.close_for_exit();
        // Locked: never run.
        let mut l = open_pw(&dir.path().join("vault.db"));
        l.auto_backup_on_close(report(&seen));
        l.lock();
        drop(l);
        let seen = seen.lock().expect("lock").clone();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0], "NotDue");
        assert!(seen[1].starts_with("Pending"), "{seen:?}");
    }

    #[test]
    fn a_command_that_wrote_only_notes_the_change_until_the_clock_says_a_backup_is_due() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 2);
        let out = dir.path().join("bk");
        auto_on(&mut v, &out);
        assert!(matches!(
            v.maybe_auto_backup(T0).expect("first"),
            AutoBackup::Done { .. }
        ));
        let db = v.path().to_path_buf();
        drop(v);
        // A command that writes, seconds after the backup: the change is noted, not read.
        let mut w = open_pw(&db);
        w.add(NewItem::new(Kind::ApiKey, "new", "v")).expect("add");
        assert_eq!(
            w.auto_backup_at_close(T0 + 10).expect("close"),
            AutoBackup::Pending { since: T0 + 10 }
        );
        let st = w.backup_state().expect("state");
        assert!(st.pending());
        assert_eq!((st.seen_digest, st.seen_at), (None, Some(T0 + 10)));
        drop(w);
        // Commands that only read: nothing until the change has been quiet a minute.
        let mut r = open_pw(&db);
        assert_eq!(
            r.auto_backup_at_close(T0 + 30).expect("close"),
            AutoBackup::Pending { since: T0 + 10 }
        );
        let AutoBackup::Done { backup, .. } = r.auto_backup_at_close(T0 + 70).expect("close")
        else {
            panic!("not backed up once quiet");
        };
        assert_eq!(backup.items, Some(3));
        assert!(!r.backup_state().expect("state").pending());
        assert_eq!(
            r.auto_backup_at_close(T0 + 80).expect("close"),
            AutoBackup::NotDue
        );
        drop(r);
        // A write of the audit log only (a reveal): noted, then found to change nothing.
        let mut a = open_pw(&db);
        let id = a.find("new").expect("find").id;
        a.record_reveal(&id).expect("reveal");
        assert!(matches!(
            a.auto_backup_at_close(T0 + 100).expect("close"),
            AutoBackup::Pending { .. }
        ));
        drop(a);
        let mut r = open_pw(&db);
        assert_eq!(
            r.auto_backup_at_close(T0 + 200).expect("close"),
            AutoBackup::NotDue
        );
        assert!(!r.backup_state().expect("state").pending());
        // The backup's own settings are no change of the command.
        let cfg = r.backup_config().expect("cfg");
        r.set_backup_config(&cfg).expect("config");
        assert_eq!(
            r.auto_backup_at_close(T0 + 210).expect("close"),
            AutoBackup::NotDue
        );
        // The first write 10 minutes after a backup is backed up at once.
        r.add(NewItem::new(Kind::ApiKey, "later", "v"))
            .expect("add");
        assert!(matches!(
            r.auto_backup_at_close(T0 + 70 + MAX_WAIT_S).expect("close"),
            AutoBackup::Done { .. }
        ));
        // Unchanged for a day: the next command, even a read, backs up.
        drop(r);
        let mut r = open_pw(&db);
        assert!(matches!(
            r.auto_backup_at_close(T0 + 70 + MAX_WAIT_S + DAILY_S)
                .expect("close"),
            AutoBackup::Done { .. }
        ));
    }

    #[test]
    fn an_unwritable_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let (mut v, _) = new_vault(dir.path(), 1);
        let file = dir.path().join("plain");
        fs::write(&file, "x").expect("write");
        let e = v.backup_now(Some(&file), T0).expect_err("a file");
        assert!(e.to_string().contains("is a file, not a folder"), "{e}");
        let e = v
            .backup_now(Some(&file.join("sub")), T0)
            .expect_err("under a file");
        assert_eq!(e.kind(), "io", "{e}");
        // Locked, with no folder given: the configured folder is sealed.
        v.lock();
        assert_eq!(v.backup_now(None, T0).expect_err("locked").kind(), "locked");
        assert!(v.backup_now(Some(&dir.path().join("bk")), T0).is_ok());
    }
}
