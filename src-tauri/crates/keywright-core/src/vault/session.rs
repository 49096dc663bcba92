//! CLI sessions (like Bitwarden's `BW_SESSION`): `keywright unlock` wraps the vault key
//! under a session key and hands the shell a token for `KEYWRIGHT_SESSION`.
//!
//! The session key is HKDF-SHA256 over three random 32-byte parts: the token's (in the
//! shell's environment), the session file's (0600, in the runtime directory) and the
//! `sessions` row's (in the vault database). Any two open nothing. The row is what ends a
//! session for good: `keywright lock`, a password change, a rekey and the expiry sweep
//! delete it (and the file it names), so a copied file plus an old token stop working even
//! when the copies survive. Expiry is bound into the associated data (editing it in the
//! file breaks the seal) and enforced by the row's deletion, not only by the honest client.
//!
//! What a stolen token + file give an attacker with read access to the vault file: the
//! vault key (every item) until the session is ended or expires and is swept; a copy of
//! the vault file taken while the session lived stays openable with that token and file
//! (the row is in the copy). `keywright rekey` makes such copies useless for new secrets.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use rusqlite::{OptionalExtension as _, params};
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
const PREFIX: &str = "kws2";

/// Version of the session file and token format.
const FILE_VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct SessionFile {
    version: u32,
    vault_id: String,
    session_id: String,
    expires_at: i64,
    /// Base64 of the file's 32 random bytes of the session key.
    #[serde(default)]
    file_secret: String,
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
    format!("keywright/v2/{vault_id}/session/{session_id}/{expires_at}/vault-key").into_bytes()
}

fn file_path(dir: &Path, vault_id: &str, session_id: &str) -> PathBuf {
    dir.join(format!("{vault_id}.{session_id}.session"))
}

/// The session key from its three parts.
fn session_key(vault_id: &str, session_id: &str, token: &[u8], file: &[u8], row: &[u8]) -> Key {
    let mut ikm = Zeroizing::new(Vec::with_capacity(token.len() + file.len() + row.len()));
    ikm.extend_from_slice(token);
    ikm.extend_from_slice(file);
    ikm.extend_from_slice(row);
    crypto::hkdf(
        &ikm,
        vault_id.as_bytes(),
        &format!("keywright/v2/session/{session_id}"),
    )
}

fn has_table(vault: &Vault) -> bool {
    vault.schema_version >= 6
}

/// Start a session on an unlocked vault; returns the token for `KEYWRIGHT_SESSION`.
/// Expired sessions are swept first.
pub fn start(vault: &Vault, ttl_secs: u64, dir: &Path) -> Result<SecretString> {
    let vk = vault.vault_key()?;
    if !has_table(vault) {
        return Err(Error::corrupt("the vault has no sessions table"));
    }
    sweep(vault);
    let session_id = crypto::hex(&crypto::random_bytes(8)?);
    let token_part = Key::random()?;
    let file_part = Key::random()?;
    let row_part = Key::random()?;
    let ttl = i64::try_from(ttl_secs).map_err(|_| Error::invalid("ttl", "too long"))?;
    let now = timefmt::now();
    let expires_at = now.saturating_add(ttl);
    let vault_id = vault.vault_id();
    let key = session_key(
        vault_id,
        &session_id,
        token_part.expose(),
        file_part.expose(),
        row_part.expose(),
    );
    let wrapped = key.seal(&ad(vault_id, &session_id, expires_at), vk.expose())?;
    let file = SessionFile {
        version: FILE_VERSION,
        vault_id: vault_id.to_owned(),
        session_id: session_id.clone(),
        expires_at,
        file_secret: B64.encode(file_part.expose()),
        wrapped_key: B64.encode(wrapped),
    };
    paths::create_private_dir(dir)?;
    let path = file_path(dir, vault_id, &session_id);
    // The row first: a file without its row opens nothing, a row without its file is swept.
    vault.conn.execute(
        "INSERT INTO sessions (id, secret, created_at, expires_at, file) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            session_id,
            &row_part.expose()[..],
            now,
            expires_at,
            path.to_string_lossy()
        ],
    )?;
    let written = (|| {
        let mut f = paths::create_private_file(&path)?;
        let json =
            Zeroizing::new(serde_json::to_vec(&file).map_err(|e| Error::corrupt(e.to_string()))?);
        f.write_all(&json)
            .and_then(|()| f.sync_all())
            .map_err(|e| Error::io("cannot write", &path, e))
    })();
    if let Err(e) = written {
        let _ = vault
            .conn
            .execute("DELETE FROM sessions WHERE id = ?1", [&session_id]);
        let _ = fs::remove_file(&path);
        return Err(e);
    }
    let token = Zeroizing::new(B64URL.encode(token_part.expose()));
    Ok(SecretString::from(format!(
        "{PREFIX}.{session_id}.{}",
        token.as_str()
    )))
}

/// Unlock `vault` with a session token. Expired sessions are swept (rows and files).
pub fn unlock(vault: &mut Vault, token: &SecretString, dir: &Path) -> Result<()> {
    let invalid = |reason: &str| Error::SessionInvalid {
        reason: reason.to_owned(),
    };
    let not_token = "KEYWRIGHT_SESSION is not a Keywright session token";
    let mut parts = token.expose_secret().trim().splitn(3, '.');
    let (Some(prefix), Some(session_id), Some(key_b64)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(not_token));
    };
    if prefix == "kws1" {
        return Err(invalid(
            "KEYWRIGHT_SESSION is from an older Keywright, whose sessions no longer open the \
             vault; run `keywright unlock` again",
        ));
    }
    if prefix != PREFIX
        || session_id.len() != 16
        || !session_id.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(invalid(not_token));
    }
    let token_part = Zeroizing::new(
        B64URL
            .decode(key_b64)
            .map_err(|_| invalid("KEYWRIGHT_SESSION is damaged"))?,
    );
    if token_part.len() != 32 {
        return Err(invalid("KEYWRIGHT_SESSION is damaged"));
    }
    let ended = "this session was ended (`keywright lock`, a password change or `keywright \
                 rekey`), or was made for another vault";
    if !has_table(vault) {
        return Err(invalid(ended));
    }
    let row: Option<(Vec<u8>, i64)> = vault
        .conn
        .query_row(
            "SELECT secret, expires_at FROM sessions WHERE id = ?1",
            [session_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((row_part, row_expires)) = row else {
        return Err(invalid(ended));
    };
    let row_part = Zeroizing::new(row_part);
    if row_expires <= timefmt::now() {
        sweep(vault);
        return Err(Error::SessionExpired {
            expired_at: timefmt::rfc3339(row_expires),
        });
    }
    let path = file_path(dir, vault.vault_id(), session_id);
    let data = match fs::read(&path) {
        Ok(d) => Zeroizing::new(d),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(invalid(&format!(
                "the session file is missing from {} (another runtime directory?)",
                dir.display()
            )));
        }
        Err(e) => return Err(Error::io("cannot read", &path, e)),
    };
    let damaged = "the session file is damaged";
    let file: SessionFile = serde_json::from_slice(&data).map_err(|_| invalid(damaged))?;
    if file.version != FILE_VERSION
        || file.vault_id != vault.vault_id()
        || file.session_id != session_id
        || file.expires_at != row_expires
    {
        return Err(invalid(damaged));
    }
    let file_part = Zeroizing::new(
        B64.decode(&file.file_secret)
            .map_err(|_| invalid(damaged))?,
    );
    let wrapped = B64
        .decode(&file.wrapped_key)
        .map_err(|_| invalid(damaged))?;
    let key = session_key(
        vault.vault_id(),
        session_id,
        &token_part,
        &file_part,
        &row_part,
    );
    let vk_bytes = key
        .open(&ad(vault.vault_id(), session_id, row_expires), &wrapped)
        .map_err(|_| invalid("KEYWRIGHT_SESSION does not match its session file"))?;
    let vk = Key::from_slice(&vk_bytes)?;
    vault.unlock_with_vault_key(vk)
}

/// How long the row of an expired session is kept, without its secret, so that its token
/// is reported as expired rather than unknown.
const EXPIRED_KEPT_SECS: i64 = 7 * 86_400;

/// End expired sessions: their row's secret (the third part of the key) and their file
/// are deleted; the row itself (id and times only) is kept a week to say "expired".
/// Best effort: a read-only or busy vault is swept next time (the client refuses expired
/// sessions anyway).
pub fn sweep(vault: &Vault) {
    if !has_table(vault) {
        return;
    }
    // Never wait for another process's write: a listing must not stall on the sweep.
    let _ = vault.conn.busy_timeout(std::time::Duration::ZERO);
    if let Err(e) = sweep_conn(&vault.conn, timefmt::now()) {
        tracing::debug!("expired sessions not swept: {e}");
    }
    let _ = vault.conn.busy_timeout(super::BUSY_TIMEOUT);
}

fn sweep_conn(conn: &rusqlite::Connection, now: i64) -> Result<()> {
    let old = now.saturating_sub(EXPIRED_KEPT_SECS);
    // Read first: most runs have nothing to sweep and should not take the write lock.
    let due: i64 = conn.query_row(
        "SELECT count(*) FROM sessions WHERE expires_at <= ?1 AND (length(secret) > 0 OR expires_at <= ?2)",
        params![now, old],
        |r| r.get(0),
    )?;
    if due == 0 {
        return Ok(());
    }
    let files: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT file FROM sessions WHERE expires_at <= ?1 AND length(secret) > 0")?;
        let rows = stmt.query_map([now], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    conn.execute(
        "UPDATE sessions SET secret = x'', file = '' WHERE expires_at <= ?1 AND length(secret) > 0",
        [now],
    )?;
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [old])?;
    remove_files(&files);
    Ok(())
}

/// Delete the session rows matching `filter` (with `?1` bound to `arg`) and the files they
/// name; returns how many rows went.
fn end_where(conn: &rusqlite::Connection, filter: &str, arg: i64) -> Result<usize> {
    let files: Vec<String> = {
        let mut stmt = conn.prepare(&format!("SELECT file FROM sessions WHERE {filter}"))?;
        let rows = stmt.query_map([arg], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if files.is_empty() {
        return Ok(0);
    }
    let n = conn.execute(&format!("DELETE FROM sessions WHERE {filter}"), [arg])?;
    for f in files {
        match fs::remove_file(&f) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::debug!("session file {f} not removed: {e}"),
        }
    }
    Ok(n)
}

/// End every session of the vault inside a transaction of the caller (password change,
/// rekey): the rows go with it; the files are removed by [`remove_files`] after commit.
pub(crate) fn end_all_in(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let files: Vec<String> = {
        let mut stmt = conn.prepare("SELECT file FROM sessions")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    conn.execute("DELETE FROM sessions", [])?;
    Ok(files)
}

/// Remove session files (after their rows were deleted).
pub(crate) fn remove_files(files: &[String]) {
    for f in files {
        let _ = fs::remove_file(f);
    }
}

/// End every session of this vault (`keywright lock`): every row (with the file it names,
/// wherever it is) and any session file of this vault left in `dir`. Returns how many
/// sessions were ended.
pub fn end_all(vault: &Vault, dir: &Path) -> Result<usize> {
    let mut n = 0;
    if has_table(vault) {
        n = end_where(&vault.conn, "?1 = ?1", 0)?;
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(n),
        Err(e) => return Err(Error::io("cannot list", dir, e)),
    };
    let prefix = format!("{}.", vault.vault_id());
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".session") {
            // A file its row did not list (an older Keywright's, or a copy put back).
            fs::remove_file(entry.path())
                .map_err(|e| Error::io("cannot remove", entry.path(), e))?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::kdf::KdfParams;
    use crate::vault::CreateOptions;
    use proptest::prelude::*;

    fn vault(dir: &Path) -> Vault {
        Vault::create(
            &dir.join("vault.db"),
            &SecretString::from("pw".to_owned()),
            CreateOptions {
                kdf: Some(KdfParams::new_unchecked(256, 1, 1)),
                keyring: None,
            },
        )
        .map(|c| c.vault)
        .unwrap_or_else(|e| panic!("create: {e}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever KEYWRIGHT_SESSION holds (a near-token, bytes, a huge string), unlock
        /// refuses it as session_invalid and never panics or unlocks.
        #[test]
        fn any_token_is_refused_cleanly(
            raw in prop_oneof![
                ".{0,300}",
                "kws2\\.[0-9a-f]{0,20}\\.[A-Za-z0-9_-]{0,60}",
                "kws[0-9]\\.[^.]{0,20}\\.[^.]{0,60}\\.?.{0,10}",
            ]
        ) {
            let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let run = dir.path().join("run");
            let v = vault(dir.path());
            let _real = start(&v, 600, &run).map_err(|e| TestCaseError::fail(e.to_string()))?;
            drop(v);
            let mut locked = Vault::open(&dir.path().join("vault.db"))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let e = unlock(&mut locked, &SecretString::from(raw.clone()), &run);
            prop_assert!(e.is_err());
            let kind = e.err().map(|e| e.kind()).unwrap_or_default();
            prop_assert_eq!(kind, "session_invalid");
            prop_assert!(!locked.is_unlocked());
        }
    }
}
