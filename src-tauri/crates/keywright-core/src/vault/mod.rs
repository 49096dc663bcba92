//! The vault: one SQLite file, a random vault key wrapped by slots, items sealed per field.
//!
//! Layout and byte formats: docs/vault-format.md. Every change is one transaction.

pub mod audit;
pub mod backup;
mod head;
pub mod import;
mod index;
use self::index::{Cache, par_map};
pub mod keyring;
pub mod names;
pub mod oauth;
pub mod otp;
pub mod rekey;
pub mod requests;
pub mod revisions;
pub mod schema;
pub mod session;
pub mod slots;
pub mod sync;
#[cfg(test)]
mod sync_tests;

/// SQL that takes a vault back from schema 9 (sync) to 8, for tests that build older files.
#[cfg(test)]
pub(crate) const UNDO_SCHEMA_9: &str = "
    DROP TRIGGER sync_dirty_on_item_insert; DROP TRIGGER sync_dirty_on_item_update;
    DROP TRIGGER sync_dirty_on_item_delete; DROP TRIGGER sync_dirty_on_saved_insert;
    DROP TRIGGER sync_dirty_on_saved_update; DROP TRIGGER sync_dirty_on_saved_delete;
    DROP TABLE sync_dirty; DROP TABLE sync_versions; DROP TABLE sync_peers;
    DELETE FROM meta WHERE key = 'device_id';
    PRAGMA user_version = 8;";
pub mod trash;
pub mod versions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

pub use self::audit::{Action, Actor, AuditEvent};
use self::keyring::{Keyring, Lookup};
use self::slots::{Slot, SlotParams};
pub use self::trash::{Trash, TrashedItem};
use crate::credential::{NewItem, Overview, SecretFields};
use crate::crypto::kdf::KdfParams;
use crate::crypto::{self, Key, OpenError};
use crate::error::{Error, Result};
use crate::expiry::{self, Expiry};
use crate::paths;
use crate::timefmt;

/// SQLite busy timeout: how long a writer waits for another process's transaction.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Below this many items, overviews are opened on one thread.
const PARALLEL_LOAD_MIN: usize = 2_000;
/// The name an audit event gives a deleted item whose overview no longer opened.
const DAMAGED_NAME: &str = "(damaged item)";
/// Items per chunk of the overview index.
const INDEX_CHUNK: usize = 1_024;
/// Magic value sealed in `meta.key_check`, to verify a vault key from any source.
const KEY_CHECK: &[u8] = b"keywright vault key check v1";

/// An item as listed: its id and its opened overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    pub overview: Overview,
}

impl Item {
    pub fn name(&self) -> &str {
        &self.overview.name
    }

    /// The item's expiry status at `now`.
    pub fn expiry(&self, now: i64) -> Expiry {
        expiry::evaluate(&self.overview, now)
    }
}

/// An item whose overview failed to open: reported by id, the rest of the vault stays usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TamperedItem {
    pub id: String,
    pub reason: String,
}

/// How the keyring slot fared when creating a vault or enabling the slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyringOutcome {
    Enabled,
    NotRequested,
    /// The keyring could not be used; the vault unlocks with its password. The reason is
    /// the one-line notice to show.
    Unavailable(String),
}

/// Options for [`Vault::create`].
#[derive(Debug, Default)]
pub struct CreateOptions {
    /// Argon2id parameters; `None` calibrates on this machine (≈ 0.5 s, ≥ 64 MiB).
    pub kdf: Option<KdfParams>,
    /// Add a keyring slot in this keyring.
    pub keyring: Option<Keyring>,
}

/// A new vault, unlocked, with the recovery code to show once.
pub struct Created {
    pub vault: Vault,
    pub recovery_code: SecretString,
    pub keyring: KeyringOutcome,
    pub kdf: KdfParams,
}

/// Changes to an item; `None` leaves a field as it is. `Debug` shows which secret fields
/// are set, never their values.
#[derive(Default, Clone)]
pub struct ItemPatch {
    pub name: Option<String>,
    pub tags: Option<Vec<String>>,
    pub url: Option<Option<String>>,
    pub username: Option<Option<String>>,
    pub issuer: Option<Option<String>>,
    pub placement: Option<crate::credential::Placement>,
    pub oauth: Option<crate::credential::OAuthConfig>,
    pub otp: Option<crate::credential::OtpParams>,
    pub expires_at: Option<Option<i64>>,
    /// `Some(0)` switches the rotation reminder off.
    pub rotate_every_days: Option<u32>,
    pub warn_days: Option<Option<u32>>,
    /// A new primary secret value (counts as a rotation).
    pub value: Option<Zeroizing<String>>,
    pub notes: Option<Zeroizing<String>>,
    pub access_token: Option<Zeroizing<String>>,
    pub refresh_token: Option<Zeroizing<String>>,
    pub counter: Option<u64>,
}

impl std::fmt::Debug for ItemPatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |o: &Option<Zeroizing<String>>| o.as_ref().map(|_| "[redacted]");
        f.debug_struct("ItemPatch")
            .field("name", &self.name)
            .field("tags", &self.tags)
            .field("url", &self.url)
            .field("username", &self.username)
            .field("issuer", &self.issuer)
            .field("placement", &self.placement)
            .field("oauth", &self.oauth)
            .field("otp", &self.otp)
            .field("expires_at", &self.expires_at)
            .field("rotate_every_days", &self.rotate_every_days)
            .field("warn_days", &self.warn_days)
            .field("value", &set(&self.value))
            .field("notes", &set(&self.notes))
            .field("access_token", &set(&self.access_token))
            .field("refresh_token", &set(&self.refresh_token))
            .field("counter", &self.counter)
            .finish()
    }
}

/// What [`Vault::apply_update`] does beyond an edit.
#[derive(Default)]
struct UpdateExtra {
    /// Keep the replaced value this many days (0: not at all).
    keep_previous_days: Option<u32>,
    /// `Some(t)` sets (or with `None` clears) the snooze.
    snooze: Option<Option<i64>>,
    /// Put in front of the audit event's list of changed fields.
    detail_prefix: Option<&'static str>,
}

struct Keys {
    vault: Key,
    overview: Key,
    secret: Key,
    audit: Key,
    name: Key,
}

impl Keys {
    fn derive(vk: Key, vault_id: &str) -> Keys {
        let salt = vault_id.as_bytes();
        Keys {
            overview: vk.derive(salt, "keywright/v1/overview"),
            secret: vk.derive(salt, "keywright/v1/secret"),
            audit: vk.derive(salt, "keywright/v1/audit"),
            name: vk.derive(salt, "keywright/v1/name-index"),
            vault: vk,
        }
    }
}

/// An open vault file, locked or unlocked.
pub struct Vault {
    path: PathBuf,
    conn: Connection,
    vault_id: String,
    schema_version: u32,
    slots: Vec<Slot>,
    keys: Option<Keys>,
    cache: Option<Cache>,
    /// The sealed secrets of the 2FA items, as last read (ciphertext only), for the Codes
    /// view's repeated reads; see `otp::SealedOtp`.
    otp_sealed: Option<otp::SealedOtp>,
    actor: Actor,
    /// The vault's folder when the vault was opened read-only (it is not writable).
    read_only: Option<PathBuf>,
    /// Notices of the last unlock, for [`Vault::take_notices`].
    notices: Vec<String>,
    /// `total_changes` of the connection right after the unlock: more means this process
    /// wrote (see [`Vault::auto_backup_on_close`]).
    changes_at_unlock: u64,
    /// Run the automatic backup when the vault is closed (the CLI's commands).
    on_close: Option<CloseHook>,
}

/// What [`Vault::auto_backup_on_close`] is told.
type CloseHook = Box<dyn FnMut(Result<backup::AutoBackup>) + Send>;

impl Drop for Vault {
    fn drop(&mut self) {
        self.run_close_hook();
    }
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("vault_id", &self.vault_id)
            .field("unlocked", &self.keys.is_some())
            .finish_non_exhaustive()
    }
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

fn map_open_error(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            Error::corrupt(format!("{} is not a SQLite database", path.display()))
        }
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            Error::corrupt(format!("{} is corrupt ({e})", path.display()))
        }
        _ => Error::Database(e),
    }
}

/// The folder a vault file is in (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `path` with `suffix` appended (`-wal`, `-shm`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// A SQLite URI opening `path` as immutable (no locks, no -shm, no WAL).
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// An open that failed for want of write access (SQLite could not open or create the
/// file, its -wal or its -shm for writing).
fn access_error(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            rusqlite::ErrorCode::CannotOpen
                | rusqlite::ErrorCode::ReadOnly
                | rusqlite::ErrorCode::PermissionDenied
                | rusqlite::ErrorCode::SystemIoFailure
        )
    )
}

/// Whether the vault file and its folder can be written (SQLite needs both in WAL mode).
/// Probed by opening the file for writing and creating (then removing) a file in the
/// folder: permission bits do not say what a read-only mount or an ACL allows.
fn writable(path: &Path) -> bool {
    if std::fs::OpenOptions::new().write(true).open(path).is_err() {
        return false;
    }
    let Ok(tag) = crypto::random_bytes(8) else {
        return false;
    };
    let probe = folder_of(path).join(format!(".keywright-probe-{}", crypto::hex(&tag)));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

/// SQLite's `PRAGMA integrity_check` in a line (its first few findings).
fn integrity_report(conn: &Connection) -> String {
    let found: rusqlite::Result<Vec<String>> = conn
        .prepare("PRAGMA integrity_check(5)")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
    match found {
        Ok(lines) if lines == ["ok"] => {
            "SQLite's integrity check passes, yet an index disagrees with its table".into()
        }
        Ok(lines) => format!("integrity check: {}", lines.join("; ")),
        Err(e) => format!("the integrity check itself failed: {e}"),
    }
}

fn ad(vault_id: &str, table: &str, row: &str, field: &str) -> Vec<u8> {
    format!("keywright/v1/{vault_id}/{table}/{row}/{field}").into_bytes()
}

/// The keyring account of a vault's keyring slot.
pub(crate) fn keyring_account(vault_id: &str) -> String {
    format!("vault-{vault_id}")
}

fn new_id() -> Result<String> {
    Ok(crypto::hex(&crypto::random_bytes(16)?))
}

pub use self::names::normalize_name;

impl Vault {
    /// Create a new vault at `path` (the file must not exist) and return it unlocked.
    pub fn create(path: &Path, password: &SecretString, opts: CreateOptions) -> Result<Created> {
        check_password(password)?;
        let kdf = match opts.kdf {
            Some(k) => {
                k.check_bounds()?;
                k
            }
            None => KdfParams::calibrate(kdf_target())?,
        };
        if let Some(dir) = path.parent() {
            paths::create_private_dir(dir)?;
        }
        drop(paths::create_private_file(path)?);
        let result = Self::create_in(path, password, kdf, opts.keyring);
        if result.is_err() {
            // Do not leave a half-made vault behind: it would block a retry.
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
        }
        result
    }

    fn create_in(
        path: &Path,
        password: &SecretString,
        kdf: KdfParams,
        keyring: Option<Keyring>,
    ) -> Result<Created> {
        let vault_id = new_id()?;
        let now = timefmt::now();
        let vk = Key::random()?;
        let recovery_code = slots::new_recovery_code()?;

        let pw_params = slots::password_params(kdf)?;
        let pw_kek = slots::password_kek(&pw_params, password.expose_secret().as_bytes())?;
        let rc_params = slots::recovery_params()?;
        let rc_kek = slots::recovery_kek(&rc_params, &recovery_code)?;
        let mut slot_rows = Vec::new();
        for (id, params, kek) in [
            (slots::PASSWORD, pw_params, &pw_kek),
            (slots::RECOVERY, rc_params, &rc_kek),
        ] {
            let wrapped = kek.seal(&slots::slot_ad(&vault_id, id), vk.expose())?;
            slot_rows.push(Slot {
                id: id.into(),
                params,
                wrapped_key: wrapped,
                created_at: now,
            });
        }
        let mut vault = Self::init_file(path, &vault_id, vk, slot_rows)?;
        let keyring = match keyring {
            None => KeyringOutcome::NotRequested,
            Some(kr) => vault.enable_keyring(&kr)?,
        };
        Ok(Created {
            vault,
            recovery_code: SecretString::from(recovery_code.as_str().to_owned()),
            keyring,
            kdf,
        })
    }

    /// Make the tables of a new vault file (which exists, empty) for vault `vault_id` with
    /// key `vk` and these slots; returns it unlocked.
    fn init_file(path: &Path, vault_id: &str, vk: Key, slot_rows: Vec<Slot>) -> Result<Vault> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| map_open_error(path, e))?;
        configure(&conn)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::corrupt(format!(
                "cannot switch the vault to WAL (got {mode})"
            )));
        }
        schema::migrate(&mut conn, schema::SCHEMA_VERSION)?;
        let now = timefmt::now();
        let key_check = vk.seal(&ad(vault_id, "meta", "key_check", "value"), KEY_CHECK)?;

        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (k, v) in [
            ("vault_id", vault_id.to_owned()),
            ("created_at", now.to_string()),
            ("key_check", B64.encode(&key_check)),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![k, v],
            )?;
        }
        names::record_current(&tx)?;
        for s in &slot_rows {
            insert_slot(&tx, &s.id, &s.params, &s.wrapped_key, s.created_at)?;
        }
        tx.commit()?;

        let vault = Vault {
            path: path.to_path_buf(),
            conn,
            vault_id: vault_id.to_owned(),
            schema_version: schema::SCHEMA_VERSION,
            slots: slot_rows,
            keys: Some(Keys::derive(vk, vault_id)),
            cache: None,
            otp_sealed: None,
            actor: Actor::Cli,
            read_only: None,
            notices: Vec::new(),
            changes_at_unlock: 0,
            on_close: None,
        };
        if let Some(keys) = &vault.keys {
            head::write(&vault.conn, &keys.overview, vault_id, 0, 0)?;
        }
        Ok(vault)
    }

    /// Open an existing vault, locked. Reads only: the file is not changed until an unlock
    /// succeeds (pending migrations run then).
    pub fn open(path: &Path) -> Result<Vault> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(_) => return Err(Error::corrupt(format!("{} is not a file", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NoVault {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(Error::io("cannot read", path, e)),
        }
        match Self::open_with(path, false) {
            Err(Error::Database(e)) if access_error(&e) && !writable(path) => {
                Self::open_with(path, true)
            }
            r => r,
        }
    }

    /// Open a vault read-only, as [`Vault::open`] does when the file or its folder is not
    /// writable: reading works (list, show, codes); any change fails with
    /// [`Error::read_only`]. Without a pending WAL the file is opened `immutable` (no
    /// -shm needed); with one, SQLite's read-only WAL mode reads it too.
    pub fn open_read_only(path: &Path) -> Result<Vault> {
        Self::open_with(path, true)
    }

    fn open_with(path: &Path, read_only: bool) -> Result<Vault> {
        let dir = folder_of(path);
        let conn = if read_only {
            let wal = sibling(path, "-wal");
            let pending = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let opened = if pending {
                Connection::open_with_flags(path, flags)
            } else {
                Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
            };
            let conn = opened.map_err(|e| map_open_error(path, e))?;
            if pending {
                // Fails when the -shm file is missing and cannot be made.
                if let Err(e) = conn.query_row("PRAGMA user_version", [], |_| Ok(())) {
                    return Err(Error::Io {
                        action: "cannot read the vault: its folder",
                        path: dir,
                        source: std::io::Error::new(
                            std::io::ErrorKind::PermissionDenied,
                            format!(
                                "is not writable (permission denied) and {} holds changes not \
                                 yet in the vault file ({e}); make the folder writable",
                                wal.display()
                            ),
                        ),
                    });
                }
            }
            conn
        } else {
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| map_open_error(path, e))?
        };
        // SQLite's own errors name the file: "... is not a SQLite database".
        let name_file = |e: Error| match e {
            Error::Database(e) => map_open_error(path, e),
            Error::Corrupt { reason } if reason.starts_with("SQLite reports") => {
                Error::corrupt(format!("{}: {reason}", path.display()))
            }
            e => e,
        };
        configure(&conn).map_err(name_file)?;
        let schema_version = schema::check(&conn).map_err(name_file)?;
        let vault_id: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'vault_id'", [], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::corrupt("the vault has no id"))?;
        let slots = read_slots(&conn)?;
        if !slots.iter().any(|s| s.id == slots::PASSWORD) {
            return Err(Error::corrupt("the vault has no password slot"));
        }
        Ok(Vault {
            path: path.to_path_buf(),
            conn,
            vault_id,
            schema_version,
            slots,
            keys: None,
            cache: None,
            otp_sealed: None,
            actor: Actor::Cli,
            read_only: read_only.then_some(dir),
            notices: Vec::new(),
            changes_at_unlock: 0,
            on_close: None,
        })
    }

    /// The folder that made this vault read-only, when it was opened so.
    pub fn read_only_folder(&self) -> Option<&Path> {
        self.read_only.as_deref()
    }

    /// Who is acting, for the audit log.
    pub fn set_actor(&mut self, actor: Actor) {
        self.actor = actor;
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn vault_id(&self) -> &str {
        &self.vault_id
    }

    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    pub fn is_unlocked(&self) -> bool {
        self.keys.is_some()
    }

    /// Slot ids present (`password`, `recovery`, `keyring`).
    pub fn slot_ids(&self) -> Vec<String> {
        self.slots.iter().map(|s| s.id.clone()).collect()
    }

    pub fn has_keyring_slot(&self) -> bool {
        self.slot(slots::KEYRING).is_some()
    }

    /// The Argon2id parameters of the password slot.
    pub fn password_kdf(&self) -> Option<KdfParams> {
        self.slot(slots::PASSWORD).and_then(|s| s.params.kdf())
    }

    fn slot(&self, id: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.id == id)
    }

    fn keys(&self) -> Result<&Keys> {
        self.keys.as_ref().ok_or(Error::Locked)
    }

    pub(crate) fn vault_key(&self) -> Result<&Key> {
        Ok(&self.keys()?.vault)
    }

    /// Unlock with the password.
    pub fn unlock_with_password(&mut self, password: &SecretString) -> Result<()> {
        let slot = self
            .slot(slots::PASSWORD)
            .ok_or_else(|| Error::corrupt("no password slot"))?;
        let kek = slots::password_kek(&slot.params, password.expose_secret().as_bytes())?;
        let vk = self
            .unwrap_slot(slots::PASSWORD, &kek)
            .map_err(|e| match e {
                OpenError::Authentication => Error::WrongPassword,
                e => Error::corrupt(format!("password slot: {e}")),
            })?;
        self.finish_unlock(vk)
    }

    /// Unlock with the recovery code shown at creation.
    pub fn unlock_with_recovery(&mut self, code: &str) -> Result<()> {
        let slot = self
            .slot(slots::RECOVERY)
            .ok_or_else(|| Error::corrupt("no recovery slot"))?;
        let kek = slots::recovery_kek(&slot.params, code)?;
        let vk = self
            .unwrap_slot(slots::RECOVERY, &kek)
            .map_err(|e| match e {
                OpenError::Authentication => Error::WrongRecoveryCode,
                e => Error::corrupt(format!("recovery slot: {e}")),
            })?;
        self.finish_unlock(vk)
    }

    /// Unlock with the key kept in the OS keyring.
    pub fn unlock_with_keyring(&mut self, kr: &Keyring) -> Result<()> {
        let slot = self
            .slot(slots::KEYRING)
            .ok_or_else(|| Error::KeyringSlotMissing {
                reason: "this vault has no keyring slot".into(),
            })?;
        let SlotParams::Keyring { service, account } = &slot.params else {
            return Err(Error::corrupt("keyring slot has the wrong parameters"));
        };
        self.check_keyring_entry(kr, service, account)?;
        let kek = match kr.get(service, account)? {
            Lookup::Found(bytes) => {
                Key::from_slice(&bytes).map_err(|_| Error::KeyringSlotMissing {
                    reason: "the keyring entry for this vault is not a Keywright key".into(),
                })?
            }
            Lookup::Missing => {
                return Err(Error::KeyringSlotMissing {
                    reason: "the system keyring has no key for this vault (was it removed?)".into(),
                });
            }
        };
        let vk = self
            .unwrap_slot(slots::KEYRING, &kek)
            .map_err(|_| Error::KeyringSlotMissing {
                reason: "the key in the system keyring does not open this vault".into(),
            })?;
        self.finish_unlock(vk)
    }

    /// The keyring entry this vault writes: service = the keyring's, account =
    /// `vault-<vault id>`. A slot naming any other entry (edited, or made by a build with
    /// another service name) is refused before the keyring is touched.
    fn check_keyring_entry(&self, kr: &Keyring, service: &str, account: &str) -> Result<()> {
        let own = keyring_account(&self.vault_id);
        if service == kr.service() && account == own {
            return Ok(());
        }
        Err(Error::KeyringSlotMissing {
            reason: format!(
                "the keyring slot names the entry {service:?}/{account:?}, not this vault's \
                 {:?}/{own:?}; the keyring was not used",
                kr.service()
            ),
        })
    }

    /// Unlock with a vault key obtained elsewhere (a CLI session); verified against the
    /// vault's key check.
    pub(crate) fn unlock_with_vault_key(&mut self, vk: Key) -> Result<()> {
        self.finish_unlock(vk)
    }

    fn unwrap_slot(&self, id: &str, kek: &Key) -> Result<Key, OpenError> {
        let slot = self.slot(id).ok_or(OpenError::Truncated)?;
        let bytes = kek.open(&slots::slot_ad(&self.vault_id, id), &slot.wrapped_key)?;
        Key::from_slice(&bytes).map_err(|_| OpenError::Truncated)
    }

    fn finish_unlock(&mut self, vk: Key) -> Result<()> {
        let check: String = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::corrupt("the vault has no key check"))?;
        let check = B64
            .decode(check)
            .map_err(|_| Error::corrupt("key check is not base64"))?;
        match vk.open(&ad(&self.vault_id, "meta", "key_check", "value"), &check) {
            Ok(p) if p.as_slice() == KEY_CHECK => {}
            _ => return Err(Error::corrupt("the vault key does not match this vault")),
        }
        if let Some(dir) = &self.read_only {
            if self.schema_version < schema::SCHEMA_VERSION {
                return Err(Error::read_only(
                    dir,
                    "the vault needs a format upgrade, which writes to it",
                ));
            }
            self.keys = Some(Keys::derive(vk, &self.vault_id));
            self.changes_at_unlock = self.conn.total_changes();
            return Ok(());
        }
        if self.schema_version < schema::SCHEMA_VERSION {
            let from = self.schema_version;
            self.schema_version = schema::migrate(&mut self.conn, schema::SCHEMA_VERSION)?;
            if from < head::SINCE_SCHEMA {
                // The sealed item count starts with the upgrade, from what the file holds.
                let keys = Keys::derive(Key::from_slice(vk.expose())?, &self.vault_id);
                let n: i64 = self
                    .conn
                    .query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
                head::write(&self.conn, &keys.overview, &self.vault_id, n, 0)?;
            }
        }
        // Vaults from older versions or other tools may use a rollback journal.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            let _: String = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        }
        self.keys = Some(Keys::derive(vk, &self.vault_id));
        // Previous versions whose grace period has ended go now (reads skip them anyway).
        self.purge_versions();
        match names::migrate(self) {
            Ok(renamed) => {
                self.notices
                    .extend(renamed.iter().map(names::Renamed::notice));
                // What has been in the Trash 30 days goes now; a failure (a busy writer)
                // leaves it for the next unlock.
                if let Err(e) = self.purge_expired_trash(timefmt::now()) {
                    tracing::warn!("the Trash was not purged: {e}");
                }
                self.changes_at_unlock = self.conn.total_changes();
                Ok(())
            }
            Err(e) => {
                self.keys = None;
                Err(e)
            }
        }
    }

    /// Notices from the last unlock (items renamed by the name-folding migration), once.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// When this vault is closed (dropped, or [`Vault::close_for_exit`]) while unlocked, run
    /// the automatic backup ([`Vault::maybe_auto_backup`]; skipped cheaply when this
    /// process wrote nothing and no change waits) and tell `report` what it did. For a
    /// process that opens the vault for one command: the CLI. Not run while panicking.
    pub fn auto_backup_on_close(
        &mut self,
        report: impl FnMut(Result<backup::AutoBackup>) + Send + 'static,
    ) {
        self.on_close = Some(Box::new(report));
    }

    fn run_close_hook(&mut self) {
        let Some(mut report) = self.on_close.take() else {
            return;
        };
        if self.keys.is_none() || std::thread::panicking() {
            return;
        }
        report(self.auto_backup_at_close(timefmt::now()));
    }

    /// Drop the keys and the opened overviews.
    pub fn lock(&mut self) {
        self.keys = None;
        self.cache = None;
        self.otp_sealed = None;
    }

    /// Lock and close for a process that is about to exit: the keys are wiped as by
    /// [`Vault::lock`], but the opened overviews (no secrets) are left for the OS to
    /// reclaim instead of freeing tens of thousands of small allocations one by one.
    pub fn close_for_exit(mut self) {
        self.run_close_hook();
        self.keys = None;
        std::mem::forget(self.cache.take());
    }

    // ----- slots ---------------------------------------------------------------------

    /// Re-wrap the vault key under a new password (items are not re-sealed) and end every
    /// CLI session in the same transaction. `kdf` `None` keeps the current parameters.
    pub fn change_password(&mut self, new: &SecretString, kdf: Option<KdfParams>) -> Result<()> {
        check_password(new)?;
        let kdf = match kdf.or_else(|| self.password_kdf()) {
            Some(k) => k,
            None => KdfParams::calibrate(kdf_target())?,
        };
        let params = slots::password_params(kdf)?;
        let kek = slots::password_kek(&params, new.expose_secret().as_bytes())?;
        self.replace_slot(slots::PASSWORD, params, &kek, true)
    }

    /// Add (or replace) the keyring slot: a random key stored in `kr`. When the keyring
    /// cannot be used, nothing changes and the outcome carries the reason.
    pub fn enable_keyring(&mut self, kr: &Keyring) -> Result<KeyringOutcome> {
        self.keys()?;
        let kek = Key::random()?;
        let account = keyring_account(&self.vault_id);
        if let Err(e) = kr.set(&account, kek.expose()) {
            return Ok(KeyringOutcome::Unavailable(e.to_string()));
        }
        let params = SlotParams::Keyring {
            service: kr.service().to_owned(),
            account,
        };
        self.replace_slot(slots::KEYRING, params, &kek, false)?;
        Ok(KeyringOutcome::Enabled)
    }

    /// Remove the keyring slot and its keyring entry. The slot is removed even when the
    /// keyring cannot be reached (the stale entry then opens nothing); the error is
    /// returned as a notice.
    pub fn disable_keyring(&mut self, kr: Option<&Keyring>) -> Result<Option<String>> {
        self.keys()?;
        let Some(slot) = self.slot(slots::KEYRING).cloned() else {
            return Ok(None);
        };
        self.conn
            .execute("DELETE FROM slots WHERE id = ?1", [slots::KEYRING])?;
        self.slots.retain(|s| s.id != slots::KEYRING);
        let SlotParams::Keyring { service, account } = &slot.params else {
            return Ok(None);
        };
        // Only this vault's own entry is deleted: a slot naming another one (edited, or
        // another build's) must not make Keywright delete someone else's secret.
        if let Some(Err(e)) = kr.map(|kr| self.check_keyring_entry(kr, service, account)) {
            return Ok(Some(format!("{e}; its entry was left as it is")));
        }
        match kr.map(|kr| kr.delete(service, account)) {
            Some(Ok(())) => Ok(None),
            Some(Err(e)) => Ok(Some(format!("the keyring entry could not be deleted: {e}"))),
            None => Ok(Some(
                "the system keyring is unavailable; its entry was left".into(),
            )),
        }
    }

    fn replace_slot(
        &mut self,
        id: &str,
        params: SlotParams,
        kek: &Key,
        end_sessions: bool,
    ) -> Result<()> {
        let wrapped = kek.seal(
            &slots::slot_ad(&self.vault_id, id),
            self.keys()?.vault.expose(),
        )?;
        let now = timefmt::now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM slots WHERE id = ?1", [id])?;
        insert_slot(&tx, id, &params, &wrapped, now)?;
        let ended = if end_sessions && self.schema_version >= 6 {
            session::end_all_in(&tx)?
        } else {
            Vec::new()
        };
        tx.commit()?;
        session::remove_files(&ended);
        self.slots.retain(|s| s.id != id);
        self.slots.push(Slot {
            id: id.to_owned(),
            params,
            wrapped_key: wrapped,
            created_at: now,
        });
        Ok(())
    }

    // ----- items ---------------------------------------------------------------------

    /// Items removed (or added) outside Keywright, as told by the sealed item count kept
    /// with every add, delete, move to the Trash, restore and purge: `None` when the counts
    /// match the file. The mismatch stays reported until `rekey` accepts the vault as it is.
    pub fn item_count_problem(&self) -> Result<Option<String>> {
        let keys = self.keys()?;
        if self.schema_version < head::SINCE_SCHEMA {
            return Ok(None);
        }
        let count = i64::try_from(self.item_count()?).unwrap_or(i64::MAX);
        let in_trash = i64::try_from(self.trash_count()?).unwrap_or(i64::MAX);
        let what = |n: i64, count: i64, place: &str| {
            if n > count {
                format!(
                    "{} item(s) were removed {place}outside Keywright (the vault's sealed count \
                     is {n}, the file holds {count}); restore a backup to get them back",
                    n - count
                )
            } else {
                format!(
                    "{} item(s) were added {place}outside Keywright, e.g. restored from an old \
                     copy (the vault's sealed count is {n}, the file holds {count})",
                    count - n
                )
            }
        };
        Ok(
            match head::read(&self.conn, &keys.overview, &self.vault_id)? {
                head::Head::Count { items, trash } => {
                    let mut found = Vec::new();
                    if items != count {
                        found.push(what(items, count, ""));
                    }
                    if trash != in_trash {
                        found.push(
                            what(trash, in_trash, "from the Trash ")
                                .replace("were added from the Trash", "were added to the Trash"),
                        );
                    }
                    (!found.is_empty()).then(|| found.join("; "))
                }
                head::Head::Missing => Some(
                    "the vault's sealed item count is missing: items may have been removed \
                 outside Keywright"
                        .into(),
                ),
                head::Head::Damaged => Some(
                    "the vault's sealed item count failed its integrity check: items may have \
                 been removed outside Keywright"
                        .into(),
                ),
            },
        )
    }

    /// Number of items (including tampered ones) without opening any.
    pub fn item_count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Find an item by name (case-insensitive) or by id, opening only that row.
    pub fn find(&mut self, name_or_id: &str) -> Result<Item> {
        let keys = self.keys()?;
        let mac = crypto::mac(&keys.name, normalize_name(name_or_id).as_bytes());
        let row: Option<(String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT id, overview FROM items WHERE name_mac = ?1 OR id = ?2",
                params![&mac[..], name_or_id.trim()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((id, blob)) = row else {
            return Err(self.missing(name_or_id));
        };
        let overview = open_overview(keys, &self.vault_id, &id, &blob)?;
        // The row was found by its name MAC, which is not sealed with the overview: one
        // swapped with another row's would serve that row. The opened name must be the
        // name asked for.
        if id != name_or_id.trim() && normalize_name(&overview.name) != normalize_name(name_or_id) {
            return Err(Error::Tampered {
                item: id,
                field: "name_mac (the row found by name holds another item)".into(),
            });
        }
        Ok(Item { id, overview })
    }

    /// The error for a name or id no row answers to: `not_found`, unless the overviews
    /// (the overview index or a scan of the items) do list it. Then the database's own
    /// structure is damaged (its name index and its table disagree): `corrupt`, with
    /// SQLite's integrity check and what to do.
    fn missing(&mut self, name_or_id: &str) -> Error {
        let not_found = Error::NotFound {
            name: name_or_id.to_owned(),
        };
        let wanted = normalize_name(name_or_id);
        let id = name_or_id.trim();
        // Rebuild from the rows when the cache is older than the file.
        let listed = match self.load() {
            Ok(c) => c
                .items
                .iter()
                .any(|i| i.id == id || normalize_name(i.name()) == wanted),
            Err(e) => return e,
        };
        if !listed {
            // Asked for by the name or id of an item in the Trash: say so.
            return match self.find_in_trash(name_or_id) {
                Ok(t) => Error::InTrash {
                    name: t.overview.name,
                },
                Err(Error::TrashAmbiguous { .. }) => Error::InTrash {
                    name: name_or_id.trim().to_owned(),
                },
                Err(_) => not_found,
            };
        }
        let check = integrity_report(&self.conn);
        Error::corrupt(format!(
            "{name_or_id:?} is listed but its row cannot be looked up: the database's structure \
             is damaged ({check}). Restore a backup of {}; until then `keywright list` and \
             `keywright show NAME --reveal` read what still opens",
            self.path.display()
        ))
    }

    /// Add an item; one transaction with its audit event.
    pub fn add(&mut self, new: NewItem) -> Result<Item> {
        let now = timefmt::now();
        let (ov, secret) = new.into_parts(now)?;
        let id = new_id()?;
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let (mac, ov_blob, sec_blob) = seal_item(keys, &self.vault_id, &id, &ov, &secret)?;
        let event = AuditEvent::new(now, Action::Add, &id, &ov.name, self.actor, None);
        let ev_row = audit::seal_event(&keys.audit, &self.vault_id, &event)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO items (id, name_mac, overview, secret) VALUES (?1, ?2, ?3, ?4)",
            params![id, &mac[..], ov_blob, sec_blob],
        )
        .map_err(|e| unique_violation(e, &ov.name))?;
        audit::insert(&tx, &ev_row)?;
        head::bump(&tx, &keys.overview, &self.vault_id, 1, 0)?;
        tx.commit()?;
        let item = Item { id, overview: ov };
        self.cache_put(item.clone());
        Ok(item)
    }

    /// Add many items in one transaction: all are added, or none (the first invalid or
    /// duplicate item is reported with its position).
    pub fn add_batch(&mut self, news: Vec<NewItem>) -> Result<Vec<Item>> {
        self.add_batch_with_requests(news.into_iter().map(|n| (n, Vec::new())).collect())
    }

    /// Keep the opened overviews in step with this connection's own writes (SQLite's
    /// `data_version` only moves for other connections' commits).
    fn cache_put(&mut self, item: Item) {
        if let Some(c) = &mut self.cache {
            c.remove(&item.id);
            c.insert_sorted(item);
        }
    }

    /// Open an item's secret for use by the program (codes, requests); not audited.
    pub fn open_secret(&mut self, id: &str) -> Result<SecretFields> {
        let keys = self.keys()?;
        let blob: Vec<u8> = self
            .conn
            .query_row("SELECT secret FROM items WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound {
                name: id.to_owned(),
            })?;
        open_secret_blob(keys, &self.vault_id, id, &blob)
    }

    /// Open an item's secret to show it to the user; records a `reveal` audit event.
    pub fn reveal(&mut self, id: &str) -> Result<SecretFields> {
        let secret = self.open_secret(id)?;
        self.record_reveal(id)?;
        Ok(secret)
    }

    /// Record that the user was shown an item's secret (already opened by the caller).
    pub fn record_reveal(&mut self, id: &str) -> Result<()> {
        let item = self.get(id)?;
        self.record(Action::Reveal, &item, None)
    }

    /// Record that a secret left the vault for the user or a program (`keywright token`,
    /// `keywright run`): a `reveal` event naming the field and the use.
    pub fn record_use(&mut self, id: &str, detail: &str) -> Result<()> {
        let item = self.get(id)?;
        self.record(Action::Reveal, &item, Some(detail.to_owned()))
    }

    /// Record that the user copied an item's secret.
    pub fn record_copy(&mut self, id: &str, field: &str) -> Result<()> {
        let item = self.get(id)?;
        self.record(Action::Copy, &item, Some(field.to_owned()))
    }

    /// Record that items left the vault in a whole-vault export: one `export` event per
    /// item (`(id, name)`), `detail` = the format, all in one transaction. A read-only
    /// vault keeps no event (as for every other action).
    pub fn record_export<'a>(
        &mut self,
        items: impl IntoIterator<Item = (&'a str, &'a str)>,
        detail: &str,
    ) -> Result<()> {
        self.record_many(
            Action::Export,
            items
                .into_iter()
                .map(|(id, name)| (id, name, detail.to_owned())),
        )
    }

    /// Record several uses (`record_use`) at once, in one transaction: `(id, name,
    /// detail)` per value handed out.
    pub fn record_uses<'a>(
        &mut self,
        uses: impl IntoIterator<Item = (&'a str, &'a str, String)>,
    ) -> Result<()> {
        self.record_many(Action::Reveal, uses)
    }

    fn record_many<'a>(
        &mut self,
        action: Action,
        events: impl IntoIterator<Item = (&'a str, &'a str, String)>,
    ) -> Result<()> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        if self.read_only.is_some() {
            tracing::warn!("vault opened read-only: {action:?} events not recorded");
            return Ok(());
        }
        let now = timefmt::now();
        let mut rows = Vec::new();
        for (id, name, detail) in events {
            let ev = AuditEvent::new(now, action, id, name, self.actor, Some(detail));
            rows.push(audit::seal_event(&keys.audit, &self.vault_id, &ev)?);
        }
        if rows.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for row in &rows {
            audit::insert(&tx, row)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// An item by id: from the opened overviews when no other connection wrote since they
    /// were read (else an edit made elsewhere would be reverted), else from its row.
    fn get(&mut self, id: &str) -> Result<Item> {
        if self.cache.is_some() {
            let dv = self.data_version()?;
            if let Some(i) = self
                .cache
                .as_ref()
                .filter(|c| c.data_version == dv)
                .and_then(|c| c.items.iter().find(|i| i.id == id))
            {
                return Ok(i.clone());
            }
        }
        self.find(id)
    }

    fn record(&mut self, action: Action, item: &Item, detail: Option<String>) -> Result<()> {
        let keys = self.keys()?;
        if self.read_only.is_some() {
            // A read-only vault (its folder is not writable) still shows what it holds;
            // the event cannot be kept. (The audit log records use by Keywright; it is no
            // defence against someone who has the password and a copy of the file.)
            tracing::warn!(
                "vault opened read-only: {action:?} of {} not recorded",
                item.id
            );
            return Ok(());
        }
        let ev = AuditEvent::new(
            timefmt::now(),
            action,
            &item.id,
            item.name(),
            self.actor,
            detail,
        );
        let row = audit::seal_event(&keys.audit, &self.vault_id, &ev)?;
        audit::insert(&self.conn, &row)
    }

    /// Change an item; overview, secret and audit event in one transaction.
    pub fn update(&mut self, id: &str, patch: ItemPatch) -> Result<Item> {
        self.apply_update(id, patch, timefmt::now(), UpdateExtra::default())
            .map(|(item, _)| item)
    }

    /// [`Vault::update`] at `now`, with what rotation and snooze add: the replaced value
    /// kept as a previous version, a snooze set or cleared, a word in front of the audit
    /// detail. Returns the item and the previous version kept, if any.
    fn apply_update(
        &mut self,
        id: &str,
        patch: ItemPatch,
        now: i64,
        extra: UpdateExtra,
    ) -> Result<(Item, Option<versions::PreviousVersion>)> {
        let old = self.get(id)?;
        let old_secret = self.open_secret(id)?;
        let o = &old.overview;
        let value_changed = patch
            .value
            .as_ref()
            .is_some_and(|v| v.as_str() != old_secret.value.as_str());
        let mut secret = old_secret.clone();
        if let Some(v) = &patch.value {
            secret.value.clone_from(v);
        }
        if let Some(v) = &patch.notes {
            secret.notes.clone_from(v);
        }
        if let Some(v) = &patch.access_token {
            secret.access_token.clone_from(v);
        }
        if let Some(v) = &patch.refresh_token {
            secret.refresh_token.clone_from(v);
        }
        if let Some(c) = patch.counter {
            secret.counter = c;
        }
        let new = NewItem {
            name: patch.name.clone().unwrap_or_else(|| o.name.clone()),
            kind: o.kind,
            tags: patch.tags.clone().unwrap_or_else(|| o.tags.clone()),
            url: patch.url.clone().unwrap_or_else(|| o.url.clone()),
            username: patch.username.clone().unwrap_or_else(|| o.username.clone()),
            issuer: patch.issuer.clone().unwrap_or_else(|| o.issuer.clone()),
            placement: patch.placement.clone().or_else(|| o.placement.clone()),
            oauth: match (patch.oauth.clone(), &o.oauth) {
                // What the server taught (a refused refresh token, the token type), the
                // grant when the edit does not say, and background renewal (switched by
                // its own command) survive an edit of the settings.
                (Some(mut p), Some(old)) => {
                    p.grant = p.grant.or(old.grant);
                    p.reauth_required = old.reauth_required;
                    p.auto_renew = p.auto_renew || old.auto_renew;
                    p.token_type = p.token_type.or_else(|| old.token_type.clone());
                    Some(p)
                }
                (p, old) => p.or_else(|| old.clone()),
            },
            otp: patch.otp.or(o.otp),
            expires_at: patch.expires_at.unwrap_or(o.expires_at),
            rotate_every_days: Some(
                patch
                    .rotate_every_days
                    .unwrap_or(o.rotate_every_days.unwrap_or(0)),
            ),
            warn_days: patch.warn_days.unwrap_or(o.warn_days),
            secret,
        };
        let (mut ov, secret) = new.into_parts(now)?;
        ov.created_at = o.created_at;
        ov.last_rotated_at = if value_changed {
            now
        } else {
            o.last_rotated_at
        };
        // A snooze concerns the reminder and expiry it was set for: a new value, expiry
        // or rotation period ends it.
        ov.snoozed_until = match extra.snooze {
            Some(s) => s,
            None if value_changed
                || ov.expires_at != o.expires_at
                || ov.rotate_every_days != o.rotate_every_days =>
            {
                None
            }
            None => o.snoozed_until,
        };
        let mut changed = changed_fields(o, &ov, secret != old_secret);
        if changed.is_empty() {
            return Ok((old, None));
        }
        if let Some(word) = extra.detail_prefix {
            changed.insert(0, word.to_owned());
        }
        let keys = self.keys()?;
        let (mac, ov_blob, sec_blob) = seal_item(keys, &self.vault_id, id, &ov, &secret)?;
        let previous = match extra.keep_previous_days {
            Some(days) if days > 0 && value_changed => Some(versions::seal(
                &keys.secret,
                &self.vault_id,
                id,
                &old_secret.value,
                now,
                days,
            )?),
            _ => None,
        };
        let event = AuditEvent::new(
            now,
            Action::Change,
            id,
            &ov.name,
            self.actor,
            Some(changed.join(", ")),
        );
        let ev_row = audit::seal_event(&keys.audit, &self.vault_id, &event)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx
            .execute(
                "UPDATE items SET name_mac = ?2, overview = ?3, secret = ?4 WHERE id = ?1",
                params![id, &mac[..], ov_blob, sec_blob],
            )
            .map_err(|e| unique_violation(e, &ov.name))?;
        if n != 1 {
            return Err(Error::NotFound {
                name: id.to_owned(),
            });
        }
        audit::insert(&tx, &ev_row)?;
        if let Some(p) = &previous {
            versions::insert(&tx, p, now)?;
        }
        tx.commit()?;
        let item = Item {
            id: id.to_owned(),
            overview: ov,
        };
        self.cache_put(item.clone());
        Ok((item, previous.map(|p| p.meta)))
    }

    /// Delete an item (its audit history stays, sealed).
    pub fn delete(&mut self, id: &str) -> Result<()> {
        // A damaged item can be deleted too: it is the user's way out.
        let name = match self.get(id) {
            Ok(item) => item.overview.name,
            Err(Error::Tampered { .. }) => DAMAGED_NAME.to_owned(),
            Err(e) => return Err(e),
        };
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let ev = AuditEvent::new(timefmt::now(), Action::Delete, id, &name, self.actor, None);
        let row = audit::seal_event(&keys.audit, &self.vault_id, &ev)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute("DELETE FROM items WHERE id = ?1", [id])?;
        if n != 1 {
            return Err(Error::NotFound {
                name: id.to_owned(),
            });
        }
        audit::insert(&tx, &row)?;
        head::bump(&tx, &keys.overview, &self.vault_id, -1, 0)?;
        tx.commit()?;
        if let Some(c) = &mut self.cache {
            c.remove(id);
            c.tampered.retain(|t| t.id != id);
        }
        Ok(())
    }

    /// Audit events, oldest first; of one item when `item_id` is given.
    pub fn audit_log(&mut self, item_id: Option<&str>) -> Result<Vec<AuditEvent>> {
        let keys = self.keys()?;
        audit::read(&self.conn, &keys.audit, &self.vault_id, item_id)
    }

    // ----- settings ------------------------------------------------------------------

    /// A per-vault setting (sealed), or `None` when unset.
    pub fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let keys = self.keys()?;
        let blob: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(blob) = blob else { return Ok(None) };
        let plain = keys
            .overview
            .open(&ad(&self.vault_id, "settings", key, "value"), &blob)
            .map_err(|_| Error::Tampered {
                item: format!("setting {key}"),
                field: "value".into(),
            })?;
        serde_json::from_slice(&plain)
            .map(Some)
            .map_err(|e| Error::corrupt(format!("setting {key}: {e}")))
    }

    /// Store a per-vault setting.
    pub fn set_setting(&mut self, key: &str, value: &serde_json::Value) -> Result<()> {
        let keys = self.keys()?;
        let plain = serde_json::to_vec(value).map_err(|e| Error::invalid(key, e.to_string()))?;
        let blob = keys
            .overview
            .seal(&ad(&self.vault_id, "settings", key, "value"), &plain)?;
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, blob],
        )?;
        Ok(())
    }
}

/// Argon2id calibration target; `KEYWRIGHT_KDF_TARGET_MS` may only raise it.
fn kdf_target() -> Duration {
    let floor = crypto::kdf::CALIBRATION_TARGET;
    std::env::var("KEYWRIGHT_KDF_TARGET_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
        .filter(|d| *d > floor && *d <= Duration::from_secs(10))
        .unwrap_or(floor)
}

/// Refuse empty passwords; strength advice is the front ends' job.
fn check_password(pw: &SecretString) -> Result<()> {
    if pw.expose_secret().is_empty() {
        return Err(Error::invalid("password", "is empty"));
    }
    Ok(())
}

fn insert_slot(
    conn: &Connection,
    id: &str,
    params: &SlotParams,
    wrapped: &[u8],
    now: i64,
) -> Result<()> {
    let json = serde_json::to_string(params).map_err(|e| Error::corrupt(e.to_string()))?;
    let kind = match params {
        SlotParams::Argon2id { .. } => "password",
        SlotParams::HkdfSha256 { .. } => "recovery",
        SlotParams::Keyring { .. } => "keyring",
    };
    conn.execute(
        "INSERT INTO slots (id, kind, params, wrapped_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, kind, json, wrapped, now],
    )?;
    Ok(())
}

fn read_slots(conn: &Connection) -> Result<Vec<Slot>> {
    let mut stmt = conn.prepare("SELECT id, params, wrapped_key, created_at FROM slots")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, params, wrapped_key, created_at) = row?;
        let params: SlotParams = serde_json::from_str(&params)
            .map_err(|e| Error::corrupt(format!("slot {id} has unreadable parameters: {e}")))?;
        out.push(Slot {
            id,
            params,
            wrapped_key,
            created_at,
        });
    }
    Ok(out)
}

fn seal_item(
    keys: &Keys,
    vault_id: &str,
    id: &str,
    ov: &Overview,
    secret: &SecretFields,
) -> Result<([u8; 32], Vec<u8>, Vec<u8>)> {
    let mac = crypto::mac(&keys.name, normalize_name(&ov.name).as_bytes());
    let ov_json =
        Zeroizing::new(serde_json::to_vec(ov).map_err(|e| Error::corrupt(e.to_string()))?);
    let sec_json =
        Zeroizing::new(serde_json::to_vec(secret).map_err(|e| Error::corrupt(e.to_string()))?);
    let ov_blob = keys
        .overview
        .seal(&ad(vault_id, "items", id, "overview"), &ov_json)?;
    let sec_blob = keys
        .secret
        .seal(&ad(vault_id, "items", id, "secret"), &sec_json)?;
    Ok((mac, ov_blob, sec_blob))
}

fn open_overview(keys: &Keys, vault_id: &str, id: &str, blob: &[u8]) -> Result<Overview> {
    let plain = keys
        .overview
        .open(&ad(vault_id, "items", id, "overview"), blob)
        .map_err(|_| Error::Tampered {
            item: id.to_owned(),
            field: "overview".into(),
        })?;
    serde_json::from_slice(&plain).map_err(|_| Error::Tampered {
        item: id.to_owned(),
        field: "overview".into(),
    })
}

fn open_secret_blob(keys: &Keys, vault_id: &str, id: &str, blob: &[u8]) -> Result<SecretFields> {
    let plain = keys
        .secret
        .open(&ad(vault_id, "items", id, "secret"), blob)
        .map_err(|_| Error::Tampered {
            item: id.to_owned(),
            field: "secret".into(),
        })?;
    serde_json::from_slice(&plain).map_err(|_| Error::Tampered {
        item: id.to_owned(),
        field: "secret".into(),
    })
}

fn unique_violation(e: rusqlite::Error, name: &str) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => Error::DuplicateName {
            name: name.to_owned(),
        },
        _ => Error::Database(e),
    }
}

fn changed_fields(old: &Overview, new: &Overview, secret_changed: bool) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return vec!["item".into()];
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out: Vec<String> = keys
        .into_iter()
        .filter(|k| !matches!(k.as_str(), "updated_at" | "created_at" | "last_rotated_at"))
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect();
    if secret_changed {
        out.push("secret".into());
    }
    out
}
