//! The vault session: status, first-run creation, unlock (password or OS keyring), lock,
//! change password. Passwords are deserialised straight into `SecretString` (zeroized on
//! drop, redacted in `Debug`); they are never logged or returned.

use keywright_ipc::IpcError;
use keywright_ipc::commands as c;
use keywright_ipc::dto::{CreatedVault, VaultStatus};
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

/// The UI reports user activity (throttled) so auto-lock measures real idleness.
#[tauri::command(rename_all = "snake_case")]
pub fn app_activity(state: tauri::State<'_, keywright_ipc::AppState>) {
    c::app_activity(&state);
}
