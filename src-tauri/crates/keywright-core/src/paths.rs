//! Where the vault and session files live, and how they are protected.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Environment variable that overrides the vault path.
pub const VAULT_ENV: &str = "KEYWRIGHT_VAULT";

/// `<data dir>/keywright/vault.db` (e.g. `~/.local/share/keywright/vault.db` on Linux).
/// `flavor` is `None` for the product and e.g. `Some("dev")` for development builds, which
/// keep their own vault.
pub fn default_vault_path(flavor: Option<&str>) -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "keywright").ok_or_else(|| {
        Error::invalid(
            "vault path",
            "no home directory; pass --vault PATH or set KEYWRIGHT_VAULT",
        )
    })?;
    let file = match flavor {
        None => "vault.db".to_owned(),
        Some(f) => format!("vault-{f}.db"),
    };
    Ok(dirs.data_dir().join(file))
}

/// Where a file for the user goes when there is no save dialog: their documents folder
/// (`XDG_DOCUMENTS_DIR`, `~/Documents`) when it exists, else their home directory.
pub fn user_documents_dir() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    match dirs.document_dir() {
        Some(d) if d.is_dir() => Some(d.to_path_buf()),
        _ => Some(dirs.home_dir().to_path_buf()),
    }
}

/// `--vault`, else `KEYWRIGHT_VAULT`, else the default path.
pub fn resolve_vault_path(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    match std::env::var_os(VAULT_ENV) {
        Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
        _ => default_vault_path(None),
    }
}

/// Create `dir` and any missing parents; directories created here get mode 0700.
/// Existing directories are left as they are (a vault in /tmp must not chmod /tmp).
pub fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_private_dir(parent)?;
    }
    let mut b = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    match b.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io("cannot create directory", dir, e)),
    }
}

/// Create a new empty file with mode 0600; fails if it exists.
pub fn create_private_file(path: &Path) -> Result<fs::File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::VaultExists {
                path: path.to_path_buf(),
            }
        } else {
            Error::io("cannot create", path, e)
        }
    })
}

/// Write `bytes` to `path` as a new owner-only (0600) file, atomically: a temp file is
/// created with `O_EXCL` and mode 0600 in the same directory, written, synced, then moved
/// into place. Without `force` an existing `path` (a symlink too) is an error naming the
/// file; with `force` it is replaced, never written through: an existing file's mode is
/// not kept and a symlink is replaced, not followed. A directory is refused. No temp file
/// is left behind on error.
pub fn write_private_atomic(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    use std::io::Write as _;
    let exists = |p: &Path| Error::InvalidInput {
        field: "output file".into(),
        reason: format!("{} exists; use --force to overwrite it", p.display()),
    };
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(Error::InvalidInput {
                field: "output file".into(),
                reason: format!("{} is a directory", path.display()),
            });
        }
        Ok(_) if !force => return Err(exists(path)),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("cannot write", path, e)),
    }
    let name = path.file_name().ok_or_else(|| {
        Error::invalid("output file", format!("{} names no file", path.display()))
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(
        ".{}.tmp",
        crate::crypto::hex(&crate::crypto::random_bytes(8)?)
    ));
    let tmp = dir.join(tmp_name);
    let mut f = create_private_file(&tmp).map_err(|e| match e {
        Error::VaultExists { path } => Error::io(
            "cannot create",
            path,
            std::io::Error::from(std::io::ErrorKind::AlreadyExists),
        ),
        e => e,
    })?;
    let written = f
        .write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io("cannot write", &tmp, e))
        .and_then(|()| {
            drop(f);
            if force {
                fs::rename(&tmp, path).map_err(|e| Error::io("cannot write", path, e))
            } else {
                // A hard link does not replace what appeared meanwhile.
                match fs::hard_link(&tmp, path) {
                    Ok(()) => Ok(()),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists(path)),
                    Err(e) => Err(Error::io("cannot write", path, e)),
                }
            }
        });
    if written.is_err() || !force {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Mode bits of a file (Unix), for checks and tests.
#[cfg(unix)]
pub fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_is_private_and_replaces_without_following() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("export.txt");
        // A 0644 file keeps neither its mode nor its content.
        fs::write(&out, b"old").expect("write");
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&out, fs::Permissions::from_mode(0o644)).expect("chmod");
        let e = write_private_atomic(&out, b"new", false).expect_err("exists");
        assert_eq!(e.kind(), "invalid_input");
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(fs::read(&out).expect("read"), b"old");
        write_private_atomic(&out, b"new", true).expect("force");
        assert_eq!(fs::read(&out).expect("read"), b"new");
        assert_eq!(mode(&out), Some(0o600));

        // A symlink is replaced, its target untouched.
        let target = dir.path().join("target");
        fs::write(&target, b"precious").expect("write");
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).expect("chmod");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let e = write_private_atomic(&link, b"x", false).expect_err("link exists");
        assert_eq!(e.kind(), "invalid_input");
        write_private_atomic(&link, b"x", true).expect("force over link");
        assert_eq!(fs::read(&target).expect("read"), b"precious");
        assert_eq!(mode(&target), Some(0o644));
        assert!(
            !fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(mode(&link), Some(0o600));

        // A directory is refused, with or without --force.
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).expect("mkdir");
        for force in [false, true] {
            let e = write_private_atomic(&sub, b"x", force).expect_err("dir");
            assert!(e.to_string().contains("is a directory"), "{e}");
        }
        // A new file; no temp file is left anywhere.
        let fresh = dir.path().join("fresh.txt");
        write_private_atomic(&fresh, b"y", false).expect("new");
        assert_eq!(mode(&fresh), Some(0o600));
        // An unwritable place fails without leaving a temp file.
        let missing = dir.path().join("no-such-dir").join("f");
        assert!(write_private_atomic(&missing, b"z", true).is_err());
        let names: Vec<String> = fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }
}
