//! The app's managed state: where the vault is and the vault session.
//!
//! The vault is opened lazily on first use, so a vault created by `keywright init` while
//! the app runs is picked up on the next status check. `Vault` is `Send` but not `Sync`;
//! every access goes through the mutex, and commands run it on a blocking worker thread
//! (unlocking runs Argon2id, keyring calls may wait on D-Bus).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use keywright_core::paths::{VAULT_ENV, default_vault_path};
use keywright_core::vault::Actor;
use keywright_core::vault::keyring;
use keywright_core::{Error as CoreError, Vault};

use crate::error::IpcError;

/// Keyring service of this build: development builds keep their own entries.
pub const KEYRING_SERVICE: &str = if cfg!(debug_assertions) {
    "keywright-dev"
} else {
    keyring::SERVICE
};

pub struct AppState {
    /// Resolved once at start; an error (no home directory) is reported by every command.
    vault_path: Result<PathBuf, IpcError>,
    /// `None` until the vault file exists and has been opened; then locked or unlocked.
    session: Mutex<Option<Vault>>,
}

impl AppState {
    /// `KEYWRIGHT_VAULT` if set, else the default path (a separate `vault-dev.db` in
    /// debug builds, so development never touches the real vault).
    pub fn from_env() -> Self {
        let path = match std::env::var_os(VAULT_ENV) {
            Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
            _ => default_vault_path(cfg!(debug_assertions).then_some("dev")),
        };
        Self::with_path(path.map_err(IpcError::from))
    }

    pub fn with_path(vault_path: Result<PathBuf, IpcError>) -> Self {
        AppState {
            vault_path,
            session: Mutex::new(None),
        }
    }

    pub fn vault_path(&self) -> Result<&Path, IpcError> {
        self.vault_path.as_deref().map_err(Clone::clone)
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
