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

/// Mode bits of a file (Unix), for checks and tests.
#[cfg(unix)]
pub fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}
