//! The sync folder on disk. Layout (docs/vault-format.md, "Sync"):
//!
//! ```text
//! DIR/<vault-id>/<device-id>/keys.json                 password + recovery slots (wrapped), MAC'd
//! DIR/<vault-id>/<device-id>/seg-000000000007.kws      a change segment, sealed
//! DIR/<vault-id>/<device-id>/snap-000000000012.kws     a compacted snapshot, sealed
//! ```
//!
//! Each device writes only its own folder, each file once (written to a hidden temporary
//! name, synced, then renamed), so a file-sync tool never sees two writers of one file.
//! A segment or snapshot is `KWSYNC01` followed by the sealed, deflated JSON [`Payload`]
//! (XChaCha20-Poly1305 under the vault key's sync subkey); the associated data binds the
//! vault id, the device id, the kind and the sequence number, so a file from another
//! vault, another device or another number does not open.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::clock::{Clock, Ctx, Dot};
use super::merge::Version;
use crate::crypto::Key;
use crate::error::{Error, Result};
use crate::vault::revisions::ItemBody;

/// The first bytes of every segment and snapshot file.
pub const MAGIC: &[u8; 8] = b"KWSYNC01";
/// The largest segment or snapshot read (sealed bytes), and the largest it may inflate to.
pub const MAX_FILE: u64 = 512 * 1024 * 1024;
pub const MAX_INFLATED: u64 = 2 * 1024 * 1024 * 1024;

/// A segment holds the versions a device made since its previous file; a snapshot holds
/// every version in force on that device (its whole vault) and replaces its older files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Segment,
    Snapshot,
}

impl FileKind {
    fn prefix(self) -> &'static str {
        match self {
            FileKind::Segment => "seg",
            FileKind::Snapshot => "snap",
        }
    }
}

/// One file of a device folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncFile {
    pub kind: FileKind,
    pub seq: u64,
    pub path: PathBuf,
    pub len: u64,
    /// Modification time (Unix seconds).
    pub mtime: i64,
}

/// One version as written in a file.
#[derive(Clone, Serialize, Deserialize)]
pub struct WireVersion {
    pub item: String,
    pub device: String,
    pub clock: Clock,
    #[serde(default)]
    pub ctx: Ctx,
    #[serde(default)]
    pub body: Option<ItemBody>,
}

impl From<Version<ItemBody>> for WireVersion {
    fn from(v: Version<ItemBody>) -> Self {
        WireVersion {
            item: v.item,
            device: v.dot.device,
            clock: v.dot.clock,
            ctx: v.ctx,
            body: v.body,
        }
    }
}

impl From<WireVersion> for Version<ItemBody> {
    fn from(w: WireVersion) -> Self {
        Version {
            item: w.item,
            dot: Dot {
                device: w.device,
                clock: w.clock,
            },
            ctx: w.ctx,
            body: w.body,
        }
    }
}

impl std::fmt::Debug for Payload {
    /// Says what the file is and how many versions it holds, never their content.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payload")
            .field("vault", &self.vault)
            .field("device", &self.device)
            .field("seq", &self.seq)
            .field("kind", &self.kind)
            .field("versions", &self.versions.len())
            .finish_non_exhaustive()
    }
}

/// What a segment or snapshot holds (sealed).
#[derive(Serialize, Deserialize)]
pub struct Payload {
    pub format: u32,
    pub vault: String,
    pub device: String,
    pub seq: u64,
    pub kind: FileKind,
    /// Unix seconds.
    pub made_at: i64,
    /// The writing device's name (its host name, or what the user chose).
    #[serde(default)]
    pub name: String,
    /// Devices removed from the sync, as far as the writer knows.
    #[serde(default)]
    pub removed: Vec<String>,
    pub versions: Vec<WireVersion>,
}

/// The sync subkey of a vault key.
pub fn sync_key(vault_key: &Key, vault_id: &str) -> Key {
    vault_key.derive(vault_id.as_bytes(), "keywright/v1/sync")
}

fn file_ad(vault: &str, device: &str, kind: FileKind, seq: u64) -> Vec<u8> {
    format!("keywright/sync/v1/{vault}/{device}/{}/{seq}", kind.prefix()).into_bytes()
}

/// The file name of a segment or snapshot.
pub fn file_name(kind: FileKind, seq: u64) -> String {
    format!("{}-{seq:012}.kws", kind.prefix())
}

fn parse_name(name: &str) -> Option<(FileKind, u64)> {
    let stem = name.strip_suffix(".kws")?;
    let (kind, num) = if let Some(n) = stem.strip_prefix("seg-") {
        (FileKind::Segment, n)
    } else {
        (FileKind::Snapshot, stem.strip_prefix("snap-")?)
    };
    if num.len() != 12 || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((kind, num.parse().ok()?))
}

/// Whether a folder name is a Keywright id (32 lowercase hex characters).
pub fn is_id(name: &str) -> bool {
    name.len() == 32
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn io(action: &'static str, path: &Path, e: std::io::Error) -> Error {
    Error::io(action, path, e)
}

/// The device folders under a vault's sync folder.
pub fn list_devices(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let rd = std::fs::read_dir(root).map_err(|e| io("cannot read the sync folder", root, e))?;
    for e in rd {
        let e = e.map_err(|e| io("cannot read the sync folder", root, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if is_id(&name) && e.file_type().is_ok_and(|t| t.is_dir()) {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// A device folder's segments and snapshots, by sequence number. Other files (a sync
/// tool's temporaries, our own partial files) are ignored.
pub fn list_files(dir: &Path) -> Result<Vec<SyncFile>> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io("cannot read the sync folder", dir, e)),
    };
    for e in rd {
        let e = e.map_err(|e| io("cannot read the sync folder", dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let Some((kind, seq)) = parse_name(&name) else {
            continue;
        };
        let Ok(meta) = e.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        out.push(SyncFile {
            kind,
            seq,
            path: e.path(),
            len: meta.len(),
            mtime,
        });
    }
    out.sort_by_key(|f| (f.seq, f.kind == FileKind::Snapshot));
    Ok(out)
}

/// Seal a payload into file bytes.
pub fn seal(key: &Key, p: &Payload) -> Result<Vec<u8>> {
    let json = Zeroizing::new(serde_json::to_vec(p).map_err(|e| Error::corrupt(e.to_string()))?);
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&json)
        .map_err(|e| Error::corrupt(format!("compressing a sync file: {e}")))?;
    let packed = Zeroizing::new(
        z.finish()
            .map_err(|e| Error::corrupt(format!("compressing a sync file: {e}")))?,
    );
    let sealed = key.seal(&file_ad(&p.vault, &p.device, p.kind, p.seq), &packed)?;
    let mut out = Vec::with_capacity(MAGIC.len() + sealed.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Why a file of the sync folder was refused. The message names the file, never content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub path: PathBuf,
    pub reason: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

/// Read and open one file of device `device`, expected to be `file.kind` number
/// `file.seq` of vault `vault`.
pub fn open(
    key: &Key,
    vault: &str,
    device: &str,
    file: &SyncFile,
) -> std::result::Result<Payload, Refusal> {
    let refuse = |reason: String| Refusal {
        path: file.path.clone(),
        reason,
    };
    if file.len > MAX_FILE {
        return Err(refuse(format!(
            "is {} bytes, more than the {MAX_FILE} a sync file may have",
            file.len
        )));
    }
    let bytes = std::fs::read(&file.path).map_err(|e| refuse(format!("cannot be read: {e}")))?;
    let Some(sealed) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Err(refuse(
            "is not a Keywright sync file (no KWSYNC01 header)".into(),
        ));
    };
    let packed = key
        .open(&file_ad(vault, device, file.kind, file.seq), sealed)
        .map_err(|_| {
            refuse(
                "does not open with this vault's key: it was changed or cut short, comes \
                 from another vault or device, or is an older file put under a newer number"
                    .into(),
            )
        })?;
    let mut json = Zeroizing::new(Vec::new());
    flate2::read::DeflateDecoder::new(packed.as_slice())
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut json)
        .map_err(|e| refuse(format!("does not inflate: {e}")))?;
    if json.len() as u64 > MAX_INFLATED {
        return Err(refuse(format!(
            "inflates to more than {MAX_INFLATED} bytes"
        )));
    }
    let p: Payload = serde_json::from_slice(&json)
        .map_err(|e| refuse(format!("is not a valid sync file: {e}")))?;
    if p.format != 1 {
        return Err(refuse(format!(
            "has format {}, which this version does not read (update Keywright)",
            p.format
        )));
    }
    if p.vault != vault || p.device != device || p.seq != file.seq || p.kind != file.kind {
        return Err(refuse(
            "names another vault, device or number than its place".into(),
        ));
    }
    if let Some(v) = p
        .versions
        .iter()
        .find(|v| p.kind == FileKind::Segment && v.device != device)
    {
        return Err(refuse(format!(
            "holds a version of item {} made by another device",
            v.item
        )));
    }
    Ok(p)
}

/// Write `bytes` to `dir/name` so that a reader (or a file-sync tool) sees the whole file
/// or nothing: a hidden temporary file, synced, then renamed. Refuses to replace a file.
pub fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    crate::paths::create_private_dir(dir)?;
    let path = dir.join(name);
    let exists = || {
        Error::io(
            "will not replace",
            &path,
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "the file exists"),
        )
    };
    if path.exists() {
        return Err(exists());
    }
    let tmp = dir.join(format!(".{name}.partial"));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("cannot write to the sync folder", &path, e)
    })?;
    // A hard link never replaces a file: two writers can never both take one name. A file
    // system without hard links (some network shares) gets a checked rename.
    let linked = match std::fs::hard_link(&tmp, &path) {
        Ok(()) => {
            let _ = std::fs::remove_file(&tmp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(&tmp);
            return Err(exists());
        }
        Err(_) if path.exists() => {
            let _ = std::fs::remove_file(&tmp);
            return Err(exists());
        }
        Err(_) => std::fs::rename(&tmp, &path),
    };
    linked.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("cannot write to the sync folder", &path, e)
    })?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(path)
}

/// [`write_new`] for a file that may be replaced (keys.json).
pub fn replace(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    crate::paths::create_private_dir(dir)?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.partial"));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("cannot write to the sync folder", &path, e)
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(seq: u64, kind: FileKind) -> Payload {
        Payload {
            format: 1,
            vault: "v".repeat(32),
            device: "d".repeat(32),
            seq,
            kind,
            made_at: 1,
            name: "laptop".into(),
            removed: vec![],
            versions: vec![],
        }
    }

    fn file(dir: &Path, p: &Payload, key: &Key) -> SyncFile {
        let bytes = seal(key, p).expect("test step");
        let path = write_new(dir, &file_name(p.kind, p.seq), &bytes).expect("test step");
        list_files(dir)
            .expect("test step")
            .into_iter()
            .find(|f| f.path == path)
            .expect("test step")
    }

    #[test]
    fn a_file_opens_only_in_its_place() {
        let dir = tempfile::tempdir().expect("test step");
        let key = Key::random().expect("test step");
        let p = payload(3, FileKind::Segment);
        let f = file(dir.path(), &p, &key);
        let (v, d) = (p.vault.clone(), p.device.clone());
        assert!(open(&key, &v, &d, &f).is_ok());
        // Another vault, device, number or kind: refused.
        assert!(open(&key, &"a".repeat(32), &d, &f).is_err());
        assert!(open(&key, &v, &"b".repeat(32), &f).is_err());
        let moved = SyncFile {
            seq: 4,
            ..f.clone()
        };
        let r = open(&key, &v, &d, &moved).expect_err("should fail");
        assert!(r.reason.contains("does not open"), "{r}");
        let snap = SyncFile {
            kind: FileKind::Snapshot,
            ..f.clone()
        };
        assert!(open(&key, &v, &d, &snap).is_err());
        // Another key: refused.
        assert!(open(&Key::random().expect("test step"), &v, &d, &f).is_err());
        // One flipped bit: refused.
        let mut bytes = std::fs::read(&f.path).expect("test step");
        let n = bytes.len() - 3;
        bytes[n] ^= 1;
        std::fs::write(&f.path, &bytes).expect("test step");
        assert!(open(&key, &v, &d, &f).is_err());
        // Cut short: refused.
        std::fs::write(&f.path, &bytes[..20]).expect("test step");
        assert!(open(&key, &v, &d, &f).is_err());
    }

    #[test]
    fn files_are_listed_in_order_and_strangers_ignored() {
        let dir = tempfile::tempdir().expect("test step");
        let key = Key::random().expect("test step");
        for (s, k) in [
            (2, FileKind::Segment),
            (1, FileKind::Segment),
            (3, FileKind::Snapshot),
        ] {
            file(dir.path(), &payload(s, k), &key);
        }
        std::fs::write(dir.path().join(".syncthing.seg-000000000004.kws.tmp"), b"x")
            .expect("test step");
        std::fs::write(dir.path().join("seg-12.kws"), b"x").expect("test step");
        std::fs::write(dir.path().join("notes.txt"), b"x").expect("test step");
        let seqs: Vec<(u64, FileKind)> = list_files(dir.path())
            .expect("test step")
            .into_iter()
            .map(|f| (f.seq, f.kind))
            .collect();
        assert_eq!(
            seqs,
            vec![
                (1, FileKind::Segment),
                (2, FileKind::Segment),
                (3, FileKind::Snapshot)
            ]
        );
        // A file is never replaced.
        assert!(write_new(dir.path(), &file_name(FileKind::Segment, 1), b"x").is_err());
    }
}
