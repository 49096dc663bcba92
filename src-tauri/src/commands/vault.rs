//! The vault session: status, first-run creation, unlock (password or OS keyring), lock,
//! change password. Passwords are deserialised straight into `SecretString` (zeroized on
//! drop, redacted in `Debug`); they are never logged or returned.

use keywright_ipc::IpcError;
use keywright_ipc::commands as c;
use keywright_ipc::dto::{About, Copied, CreatedVault, VaultStatus};
use keywright_ipc::recovery::{self as r, RecoverySaved};
use secrecy::SecretString;
use tauri::AppHandle;

use super::on_worker;

#[tauri::command(rename_all = "snake_case")]
pub async fn vault_status(app: AppHandle) -> Result<VaultStatus, IpcError> {
    on_worker(app, c::vault_status).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn vault_create(
    app: AppHandle,
    password: SecretString,
    keyring: bool,
) -> Result<CreatedVault, IpcError> {
    on_worker(app, move |s| c::vault_create(s, &password, keyring)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn vault_unlock(app: AppHandle, password: SecretString) -> Result<VaultStatus, IpcError> {
    on_worker(app, move |s| c::vault_unlock(s, &password)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn vault_unlock_keyring(app: AppHandle) -> Result<VaultStatus, IpcError> {
    on_worker(app, c::vault_unlock_keyring).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn vault_lock(app: AppHandle) -> Result<VaultStatus, IpcError> {
    on_worker(app, c::vault_lock).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn vault_change_password(
    app: AppHandle,
    current_password: SecretString,
    new_password: SecretString,
) -> Result<(), IpcError> {
    on_worker(app, move |s| {
        c::vault_change_password(s, &current_password, &new_password)
    })
    .await
}

/// Forgot the password: unlock with the recovery code and set a new one.
#[tauri::command(rename_all = "snake_case")]
pub async fn vault_recover(
    app: AppHandle,
    recovery_code: SecretString,
    new_password: SecretString,
) -> Result<VaultStatus, IpcError> {
    on_worker(app, move |s| {
        r::vault_recover(s, &recovery_code, &new_password)
    })
    .await
}

/// First run: copy the new vault's recovery code (held in Rust until dismissed).
#[tauri::command(rename_all = "snake_case")]
pub async fn recovery_copy(app: AppHandle) -> Result<Copied, IpcError> {
    on_worker(app, r::recovery_copy).await
}

/// First run: save the recovery code to a 0600 file in the documents folder.
#[tauri::command(rename_all = "snake_case")]
pub async fn recovery_save(app: AppHandle) -> Result<RecoverySaved, IpcError> {
    on_worker(app, r::recovery_save).await
}

/// First run: the recovery code screen was dismissed; Rust drops the code.
#[tauri::command(rename_all = "snake_case")]
pub async fn recovery_forget(app: AppHandle) -> Result<(), IpcError> {
    on_worker(app, |s| {
        r::recovery_forget(s);
        Ok(())
    })
    .await
}

/// The UI reports user activity (throttled) so auto-lock measures real idleness.
#[tauri::command(rename_all = "snake_case")]
pub fn app_activity(state: tauri::State<'_, keywright_ipc::AppState>) {
    c::app_activity(&state);
}

/// Settings → About: the version and the git commit of this build.
#[tauri::command(rename_all = "snake_case")]
pub fn app_about() -> About {
    About {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        commit: env!("KEYWRIGHT_GIT_COMMIT").to_owned(),
    }
}
