//! CLI sessions (like Bitwarden's `BW_SESSION`): `keywright unlock` wraps the vault key
//! under a fresh random key, writes the wrapped key to a 0600 file in the runtime
//! directory and hands the random key to the shell as `KEYWRIGHT_SESSION`. The file alone
//! opens nothing; the environment value alone opens nothing. Expiry is bound into the
//! associated data, so editing it in the file breaks the seal.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::Vault;
use crate::crypto::{self, Key};
use crate::error::{Error, Result};
use crate::paths;
use crate::timefmt;

/// Environment variable holding the session token.
pub const SESSION_ENV: &str = "KEYWRIGHT_SESSION";
/// Environment variable overriding the session directory.
pub const RUNTIME_DIR_ENV: &str = "KEYWRIGHT_RUNTIME_DIR";
const PREFIX: &str = "kws1";

#[derive(Serialize, Deserialize)]
struct SessionFile {
    version: u32,
    vault_id: String,
    session_id: String,
    expires_at: i64,
    wrapped_key: String,
}

/// `$KEYWRIGHT_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/keywright` (a per-user tmpfs on most
/// Linux desktops), else `<data dir>/keywright/sessions`.
pub fn session_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os(RUNTIME_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) =
        directories::BaseDirs::new().and_then(|b| b.runtime_dir().map(Path::to_path_buf))
    {
        return Ok(d.join("keywright"));
    }
    let dirs = directories::ProjectDirs::from("", "", "keywright")
        .ok_or_else(|| Error::invalid("session directory", "no home directory"))?;
    Ok(dirs.data_dir().join("sessions"))
}

fn ad(vault_id: &str, session_id: &str, expires_at: i64) -> Vec<u8> {
    format!("keywright/v1/{vault_id}/session/{session_id}/{expires_at}/vault-key").into_bytes()
}

fn file_path(dir: &Path, vault_id: &str, session_id: &str) -> PathBuf {
    dir.join(format!("{vault_id}.{session_id}.session"))
}

/// Start a session on an unlocked vault; returns the token for `KEYWRIGHT_SESSION`.
pub fn start(vault: &Vault, ttl_secs: u64, dir: &Path) -> Result<SecretString> {
    let vk = vault.vault_key()?;
    let session_id = crypto::hex(&crypto::random_bytes(8)?);
    let key = Key::random()?;
    let ttl = i64::try_from(ttl_secs).map_err(|_| Error::invalid("ttl", "too long"))?;
    let expires_at = timefmt::now().saturating_add(ttl);
    let wrapped = key.seal(&ad(vault.vault_id(), &session_id, expires_at), vk.expose())?;
    let file = SessionFile {
        version: 1,
        vault_id: vault.vault_id().to_owned(),
        session_id: session_id.clone(),
        expires_at,
        wrapped_key: B64.encode(wrapped),
    };
    paths::create_private_dir(dir)?;
    let path = file_path(dir, vault.vault_id(), &session_id);
    let mut f = paths::create_private_file(&path)?;
    let json = serde_json::to_vec(&file).map_err(|e| Error::corrupt(e.to_string()))?;
    f.write_all(&json)
        .map_err(|e| Error::io("cannot write", &path, e))?;
    let token = Zeroizing::new(B64URL.encode(key.expose()));
    Ok(SecretString::from(format!(
        "{PREFIX}.{session_id}.{}",
        token.as_str()
    )))
}

/// Unlock `vault` with a session token. Expired sessions are deleted.
pub fn unlock(vault: &mut Vault, token: &SecretString, dir: &Path) -> Result<()> {
    let invalid = |reason: &str| Error::SessionInvalid {
        reason: reason.to_owned(),
    };
    let mut parts = token.expose_secret().trim().splitn(3, '.');
    let (Some(PREFIX), Some(session_id), Some(key_b64)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(
            "KEYWRIGHT_SESSION is not a Keywright session token",
        ));
    };
    if session_id.is_empty() || !session_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(
            "KEYWRIGHT_SESSION is not a Keywright session token",
        ));
    }
    let key_bytes = Zeroizing::new(
        B64URL
            .decode(key_b64)
            .map_err(|_| invalid("KEYWRIGHT_SESSION is damaged"))?,
    );
    let key = Key::from_slice(&key_bytes).map_err(|_| invalid("KEYWRIGHT_SESSION is damaged"))?;
    let path = file_path(dir, vault.vault_id(), session_id);
    let data = match fs::read(&path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(invalid(
                "no such session for this vault (locked, or made for another vault)",
            ));
        }
        Err(e) => return Err(Error::io("cannot read", &path, e)),
    };
    let file: SessionFile =
        serde_json::from_slice(&data).map_err(|_| invalid("the session file is damaged"))?;
    if file.expires_at <= timefmt::now() {
        let _ = fs::remove_file(&path);
        return Err(invalid("the session expired; run `keywright unlock` again"));
    }
    let wrapped = B64
        .decode(&file.wrapped_key)
        .map_err(|_| invalid("the session file is damaged"))?;
    let vk_bytes = key
        .open(&ad(vault.vault_id(), session_id, file.expires_at), &wrapped)
        .map_err(|_| invalid("KEYWRIGHT_SESSION does not match its session file"))?;
    let vk = Key::from_slice(&vk_bytes)?;
    vault.unlock_with_vault_key(vk)
}

/// End every session of this vault (`keywright lock`); returns how many files were removed.
pub fn end_all(vault_id: &str, dir: &Path) -> Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io("cannot list", dir, e)),
    };
    let prefix = format!("{vault_id}.");
    let mut n = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".session") {
            fs::remove_file(entry.path())
                .map_err(|e| Error::io("cannot remove", entry.path(), e))?;
            n += 1;
        }
    }
    Ok(n)
}
