//! The app's managed state: where the vault is, the vault session, the idle clock, the
//! clipboard and the keyring.
//!
//! The vault is opened lazily on first use, so a vault created by `keywright init` while
//! the app runs is picked up on the next status check. `Vault` is `Send` but not `Sync`;
//! every access goes through the mutex, and the shell runs commands on a blocking worker
//! thread (unlocking runs Argon2id, keyring calls may wait on D-Bus).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use keywright_core::paths::{VAULT_ENV, default_vault_path};
use keywright_core::vault::Actor;
use keywright_core::vault::keyring::{self, Keyring};
use keywright_core::{Error as CoreError, Vault};

use crate::clipboard::{self, Clipboard, Fingerprint, SystemClipboard};
use crate::dto::Settings;
use crate::error::IpcError;

/// Keyring service of this build: development builds keep their own entries.
pub const KEYRING_SERVICE: &str = if cfg!(debug_assertions) {
    "keywright-dev"
} else {
    keyring::SERVICE
};

/// Time allowed for one OS keyring call (D-Bus activation can otherwise hang).
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

type KeyringFactory = Box<dyn Fn() -> keywright_core::Result<Keyring> + Send + Sync>;

/// Opens a login URL in the user's browser.
pub type Opener = Box<dyn Fn(&str) -> keywright_core::Result<()> + Send + Sync>;

/// A wait on the network (a login, a request) that another command can end.
#[derive(Default)]
pub(crate) struct CancelSlot(Mutex<Option<Arc<tokio::sync::Notify>>>);

impl CancelSlot {
    fn slot(&self) -> MutexGuard<'_, Option<Arc<tokio::sync::Notify>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new wait: what it selects on to end early.
    pub(crate) fn arm(&self) -> Arc<tokio::sync::Notify> {
        let n = Arc::new(tokio::sync::Notify::new());
        *self.slot() = Some(n.clone());
        n
    }

    /// The wait is over.
    pub(crate) fn disarm(&self) {
        *self.slot() = None;
    }

    /// End the wait, if one is armed.
    pub(crate) fn cancel(&self) {
        if let Some(n) = self.slot().take() {
            n.notify_one();
        }
    }
}

pub struct AppState {
    /// Resolved once at start; an error (no home directory) is reported by every command.
    vault_path: Result<PathBuf, IpcError>,
    /// `None` until the vault file exists and has been opened; then locked or unlocked.
    session: Mutex<Option<Vault>>,
    /// The unlocked vault's preferences (read at unlock, kept in step by `settings_set`).
    settings: Mutex<Settings>,
    last_activity: Mutex<Instant>,
    pub(crate) clipboard: Arc<dyn Clipboard>,
    /// What the app copied last, fingerprinted: cleared on lock and quit if the clipboard
    /// still holds it.
    last_copy: Mutex<Option<Fingerprint>>,
    /// What the last unlock changed, shown with the list until the vault locks.
    notices: Mutex<Vec<String>>,
    keyring: KeyringFactory,
    /// An import previewed and not yet committed (it holds seeds: dropped on lock).
    pub(crate) pending_import: Mutex<Option<crate::import::PendingImport>>,
    /// Ends the login that is waiting for the browser or a device (cancel, lock).
    pub(crate) login_cancel: CancelSlot,
    /// Ends the test request on the wire (cancel, lock).
    pub(crate) request_cancel: CancelSlot,
    /// How a browser login opens its URL (the system browser; tests replace it).
    pub(crate) browser: Mutex<Arc<Opener>>,
    /// Every item's status at the last background look (`watch::tick`); `None` until the
    /// first look after an unlock.
    pub(crate) last_status:
        Mutex<Option<std::collections::HashMap<String, keywright_core::expiry::Status>>>,
    /// Background renewals that failed, by item: when (the watcher waits before trying
    /// again, and tells of a failure once).
    pub(crate) renew_failures: Mutex<std::collections::HashMap<String, i64>>,
    /// The vault's `data_version` at the last look for outside changes (`None` while
    /// locked, and until the first look after an unlock).
    seen_version: Mutex<Option<i64>>,
    /// A new vault's recovery code, for Copy and Save until the first-run screen is
    /// dismissed (`recovery_forget`). Wiped on drop.
    pub(crate) pending_recovery: Mutex<Option<zeroize::Zeroizing<String>>>,
    /// Where Save writes when set (tests); else the user's documents folder.
    pub(crate) save_dir: Mutex<Option<PathBuf>>,
    /// Why the last automatic backup failed, until one works (Settings shows it).
    backup_error: Mutex<Option<String>>,
    /// When the watch last ran the automatic backup (Unix seconds).
    pub(crate) backup_checked_at: Mutex<Option<i64>>,
    /// Why the last sync pass failed or what it refused, until one works (the status bar
    /// shows it).
    pub(crate) sync_error: Mutex<Option<(String, Vec<String>)>>,
}

impl AppState {
    /// `KEYWRIGHT_VAULT` if set, else the default path (a separate `vault-dev.db` in
    /// debug builds, so development never touches the real vault); the system clipboard
    /// and keyring.
    pub fn from_env() -> Self {
        let path = match std::env::var_os(VAULT_ENV) {
            Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
            _ => default_vault_path(cfg!(debug_assertions).then_some("dev")),
        };
        let service = std::env::var("KEYWRIGHT_KEYRING_SERVICE")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| KEYRING_SERVICE.to_owned());
        Self::new(
            path.map_err(IpcError::from),
            Arc::new(SystemClipboard::new()),
            Box::new(move || Keyring::system(&service, KEYRING_TIMEOUT)),
        )
    }

    pub fn new(
        vault_path: Result<PathBuf, IpcError>,
        clipboard: Arc<dyn Clipboard>,
        keyring: KeyringFactory,
    ) -> Self {
        AppState {
            vault_path,
            session: Mutex::new(None),
            settings: Mutex::new(Settings::default()),
            last_activity: Mutex::new(Instant::now()),
            clipboard,
            last_copy: Mutex::new(None),
            notices: Mutex::new(Vec::new()),
            keyring,
            pending_import: Mutex::new(None),
            login_cancel: CancelSlot::default(),
            request_cancel: CancelSlot::default(),
            last_status: Mutex::new(None),
            renew_failures: Mutex::new(std::collections::HashMap::new()),
            seen_version: Mutex::new(None),
            pending_recovery: Mutex::new(None),
            save_dir: Mutex::new(None),
            backup_error: Mutex::new(None),
            sync_error: Mutex::new(None),
            backup_checked_at: Mutex::new(None),
            browser: Mutex::new(Arc::new(Box::new(|url: &str| {
                keywright_core::oauth::loopback::open_browser(url)
            }))),
        }
    }

    /// Replace how login URLs are opened (tests drive a headless browser with it).
    pub fn set_browser(&self, open: Opener) {
        *self.browser.lock().unwrap_or_else(|p| p.into_inner()) = Arc::new(open);
    }

    pub fn vault_path(&self) -> Result<&Path, IpcError> {
        self.vault_path.as_deref().map_err(Clone::clone)
    }

    pub(crate) fn keyring(&self) -> keywright_core::Result<Keyring> {
        (self.keyring)()
    }

    /// Runs `f` on the session, opening the vault file first if it is not open yet.
    /// `f` receives `None` when there is no vault file at the path.
    pub fn with_session<T>(
        &self,
        f: impl FnOnce(&Path, Option<&mut Vault>) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        let path = self.vault_path()?;
        let mut session = self.lock_session();
        if session.is_none() {
            match Vault::open(path) {
                Ok(mut vault) => {
                    vault.set_actor(Actor::App);
                    *session = Some(vault);
                }
                Err(CoreError::NoVault { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        f(path, session.as_mut())
    }

    /// Runs `f` on the unlocked vault; `locked` / `no_vault` errors otherwise.
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        self.with_session(|path, vault| match vault {
            None => Err(CoreError::NoVault {
                path: path.to_path_buf(),
            }
            .into()),
            Some(v) if !v.is_unlocked() => Err(CoreError::Locked.into()),
            Some(v) => f(v),
        })
    }

    /// Replace the session with a newly created vault.
    pub(crate) fn install(&self, mut vault: Vault) {
        vault.set_actor(Actor::App);
        *self.lock_session() = Some(vault);
    }

    /// Whether another process committed to the vault file since the last call (the shell
    /// asks every second and tells the window to list again). The app's own writes never
    /// count; the first look after an unlock only takes note; locked: `false`.
    pub fn changed_outside(&self) -> bool {
        let version = self.with_vault(|v| Ok(v.data_version()?)).ok();
        let mut seen = self.seen_version.lock().unwrap_or_else(|p| p.into_inner());
        let before = std::mem::replace(&mut *seen, version);
        matches!((before, version), (Some(a), Some(b)) if a != b)
    }

    pub(crate) fn backup_error(&self) -> Option<String> {
        self.backup_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Record why the automatic backup failed (`None`: it worked). Returns the previous.
    pub(crate) fn set_backup_error(&self, e: Option<String>) -> Option<String> {
        std::mem::replace(
            &mut *self.backup_error.lock().unwrap_or_else(|p| p.into_inner()),
            e,
        )
    }

    pub fn settings(&self) -> Settings {
        *self.settings.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn set_settings(&self, s: Settings) {
        *self.settings.lock().unwrap_or_else(|p| p.into_inner()) = s;
    }

    /// Record user activity (any command, or the UI's activity ping).
    pub fn touch(&self) {
        self.touch_at(Instant::now());
    }

    pub fn touch_at(&self, at: Instant) {
        *self.last_activity.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    /// Lock the vault if it is unlocked and has been idle for the auto-lock time at `now`.
    /// Returns whether it locked. The shell calls this every few seconds.
    pub fn auto_lock_tick(&self, now: Instant) -> bool {
        let minutes = self.settings().auto_lock_minutes;
        if minutes == 0 {
            return false;
        }
        let idle = {
            let last = *self.last_activity.lock().unwrap_or_else(|p| p.into_inner());
            now.saturating_duration_since(last)
        };
        if idle < Duration::from_secs(u64::from(minutes) * 60) {
            return false;
        }
        let mut session = self.lock_session();
        match session.as_mut() {
            Some(v) if v.is_unlocked() => {
                v.lock();
                self.end_waits();
                true
            }
            _ => false,
        }
    }

    /// Copy `text` (a secret or a code) to the clipboard: cleared after the configured time,
    /// and on lock or quit, if the clipboard still holds it.
    pub(crate) fn copy_text(&self, text: &str) -> Result<Option<u32>, IpcError> {
        let secs = self.settings().clipboard_clear_seconds;
        clipboard::copy(&self.clipboard, &self.last_copy, text, secs).map_err(|e| {
            IpcError::new(
                crate::error::ErrorKind::Clipboard,
                format!("could not copy: {e}"),
            )
        })?;
        Ok((secs > 0).then_some(secs))
    }

    pub(crate) fn add_notices(&self, n: Vec<String>) {
        self.notices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(n);
    }

    pub(crate) fn notices(&self) -> Vec<String> {
        self.notices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The app is quitting: lock, and clear the clipboard if it still holds a copy.
    pub fn on_exit(&self) {
        let mut session = self.lock_session();
        if let Some(v) = session.as_mut() {
            v.lock();
        }
        drop(session);
        self.end_waits();
    }

    /// On lock: clear the clipboard if it still holds what the app copied, forget a
    /// previewed import, end a login or a request that is waiting.
    pub(crate) fn end_waits(&self) {
        clipboard::clear_last(self.clipboard.as_ref(), &self.last_copy);
        self.notices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.drop_pending_import();
        self.login_cancel.cancel();
        self.request_cancel.cancel();
    }

    /// Forget a previewed import (on lock, cancel, or a new preview).
    pub(crate) fn drop_pending_import(&self) {
        *self
            .pending_import
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The session guard. A panic while the lock was held poisons it; the vault is then
    /// locked (its state is unknown) and the app carries on.
    fn lock_session(&self) -> MutexGuard<'_, Option<Vault>> {
        self.session.lock().unwrap_or_else(|poisoned| {
            self.session.clear_poison();
            let mut session = poisoned.into_inner();
            if let Some(vault) = session.as_mut() {
                vault.lock();
            }
            session
        })
    }
}
