//! The vault session: status, unlock (password or OS keyring), lock.

use std::path::Path;
use std::time::Duration;

use keywright_core::vault::keyring::Keyring;
use keywright_core::{Error as CoreError, Vault};
use secrecy::SecretString;
use serde::Serialize;
use tauri::AppHandle;

use super::on_worker;
use crate::error::IpcError;
use crate::state::{AppState, KEYRING_SERVICE};

/// Time allowed for one OS keyring call (D-Bus activation can otherwise hang).
const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VaultState {
    /// No vault file at the path.
    None,
    Locked,
    Unlocked,
}

/// What the window shows about the vault. Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub state: VaultState,
    pub path: String,
    /// Only when unlocked.
    pub item_count: Option<usize>,
    pub has_keyring: bool,
}

impl VaultStatus {
    fn of(path: &Path, vault: Option<&Vault>) -> Result<Self, IpcError> {
        let path = path.display().to_string();
        Ok(match vault {
            None => VaultStatus {
                state: VaultState::None,
                path,
                item_count: None,
                has_keyring: false,
            },
            Some(v) if v.is_unlocked() => VaultStatus {
                state: VaultState::Unlocked,
                path,
                item_count: Some(v.item_count()?),
                has_keyring: v.has_keyring_slot(),
            },
            Some(v) => VaultStatus {
                state: VaultState::Locked,
                path,
                item_count: None,
                has_keyring: v.has_keyring_slot(),
            },
        })
    }
}

fn no_vault(path: &Path) -> IpcError {
    CoreError::NoVault {
        path: path.to_path_buf(),
    }
    .into()
}

#[tauri::command]
pub async fn vault_status(app: AppHandle) -> Result<VaultStatus, IpcError> {
    on_worker(app, status).await
}

/// `password` is deserialised straight into a `SecretString` (zeroized on drop, redacted
/// in `Debug`); it is never logged or returned.
#[tauri::command]
pub async fn vault_unlock(app: AppHandle, password: SecretString) -> Result<VaultStatus, IpcError> {
    on_worker(app, move |state| unlock(state, &password)).await
}

/// Unlock with the key kept in the OS keyring. Any failure (no keyring slot, keyring
/// locked or unavailable, entry removed) comes back as an error; the UI keeps the
/// password field, so the password is always the fallback.
#[tauri::command]
pub async fn vault_unlock_keyring(app: AppHandle) -> Result<VaultStatus, IpcError> {
    on_worker(app, |state| {
        unlock_keyring(state, || Keyring::system(KEYRING_SERVICE, KEYRING_TIMEOUT))
    })
    .await
}

#[tauri::command]
pub async fn vault_lock(app: AppHandle) -> Result<VaultStatus, IpcError> {
    on_worker(app, lock).await
}

// The command bodies, callable without a Tauri runtime (tests).

pub fn status(state: &AppState) -> Result<VaultStatus, IpcError> {
    state.with_session(|path, vault| VaultStatus::of(path, vault.as_deref()))
}

pub fn unlock(state: &AppState, password: &SecretString) -> Result<VaultStatus, IpcError> {
    state.with_session(|path, vault| {
        let vault = vault.ok_or_else(|| no_vault(path))?;
        if !vault.is_unlocked() {
            vault.unlock_with_password(password)?;
        }
        VaultStatus::of(path, Some(vault))
    })
}

/// `keyring` is only called when the vault has a keyring slot and is locked.
pub fn unlock_keyring(
    state: &AppState,
    keyring: impl FnOnce() -> keywright_core::Result<Keyring>,
) -> Result<VaultStatus, IpcError> {
    state.with_session(|path, vault| {
        let vault = vault.ok_or_else(|| no_vault(path))?;
        if !vault.is_unlocked() {
            if !vault.has_keyring_slot() {
                return Err(CoreError::KeyringSlotMissing {
                    reason: "this vault has no keyring slot; unlock it with the password".into(),
                }
                .into());
            }
            vault.unlock_with_keyring(&keyring()?)?;
        }
        VaultStatus::of(path, Some(vault))
    })
}

pub fn lock(state: &AppState) -> Result<VaultStatus, IpcError> {
    state.with_session(|path, mut vault| {
        if let Some(vault) = vault.as_deref_mut() {
            vault.lock();
        }
        VaultStatus::of(path, vault.as_deref())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keywright_core::CreateOptions;
    use keywright_core::crypto::kdf::KdfParams;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A state over `dir/vault.db`, with a vault (password "pw") when `create` is set.
    fn state_in(dir: &tempfile::TempDir, create: bool) -> Result<AppState, CoreError> {
        let path = dir.path().join("vault.db");
        if create {
            let opts = CreateOptions {
                kdf: Some(KdfParams::new_unchecked(1024, 1, 1)),
                keyring: None,
            };
            Vault::create(&path, &SecretString::from("pw"), opts)?;
        }
        Ok(AppState::with_path(Ok(path)))
    }

    #[test]
    fn no_vault_file_is_state_none() -> TestResult {
        let dir = tempfile::tempdir()?;
        let state = state_in(&dir, false)?;
        let s = status(&state)?;
        assert_eq!(s.state, VaultState::None);
        assert_eq!(s.path, dir.path().join("vault.db").display().to_string());
        assert_eq!((s.item_count, s.has_keyring), (None, false));
        assert_eq!(
            unlock(&state, &SecretString::from("pw")).map_err(|e| e.kind),
            Err("no_vault".into())
        );
        assert_eq!(lock(&state)?.state, VaultState::None);
        Ok(())
    }

    #[test]
    fn unlock_and_lock_with_the_password() -> TestResult {
        let dir = tempfile::tempdir()?;
        let state = state_in(&dir, true)?;
        assert_eq!(status(&state)?.state, VaultState::Locked);

        let wrong = unlock(&state, &SecretString::from("nope")).map_err(|e| e.kind);
        assert_eq!(wrong, Err("wrong_password".into()));
        assert_eq!(status(&state)?.state, VaultState::Locked);

        let s = unlock(&state, &SecretString::from("pw"))?;
        assert_eq!((s.state, s.item_count), (VaultState::Unlocked, Some(0)));
        assert_eq!(status(&state)?, s);

        let s = lock(&state)?;
        assert_eq!((s.state, s.item_count), (VaultState::Locked, None));
        Ok(())
    }

    #[test]
    fn keyring_unlock_without_a_slot_never_touches_the_keyring() -> TestResult {
        let dir = tempfile::tempdir()?;
        let state = state_in(&dir, true)?;
        let r = unlock_keyring(&state, || panic!("the keyring must not be opened"));
        assert_eq!(r.map_err(|e| e.kind), Err("keyring_slot_missing".into()));
        Ok(())
    }

    #[test]
    fn status_serialises_in_camel_case() -> Result<(), serde_json::Error> {
        let s = VaultStatus {
            state: VaultState::Unlocked,
            path: "/v.db".into(),
            item_count: Some(3),
            has_keyring: true,
        };
        assert_eq!(
            serde_json::to_value(s)?,
            serde_json::json!({ "state": "unlocked", "path": "/v.db", "itemCount": 3, "hasKeyring": true })
        );
        Ok(())
    }
}
