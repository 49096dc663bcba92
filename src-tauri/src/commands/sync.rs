//! Sync: the status bar, Settings → Sync and the Conflicts view.

use keywright_ipc::IpcError;
use keywright_ipc::dto::VaultStatus;
use keywright_ipc::sync::{self as s, ConflictView, SyncState};
use secrecy::SecretString;
use tauri::AppHandle;

use super::on_worker;

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_state(app: AppHandle) -> Result<SyncState, IpcError> {
    on_worker(app, s::sync_state).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_now(app: AppHandle) -> Result<SyncState, IpcError> {
    on_worker(app, s::sync_now).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_setup(
    app: AppHandle,
    dir: String,
    name: Option<String>,
) -> Result<SyncState, IpcError> {
    on_worker(app, move |st| s::sync_setup(st, dir, name)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_remove_device(app: AppHandle, id: String) -> Result<SyncState, IpcError> {
    on_worker(app, move |st| s::sync_remove_device(st, id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn conflicts_list(app: AppHandle) -> Result<Vec<ConflictView>, IpcError> {
    on_worker(app, s::conflicts_list).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn conflict_keep(
    app: AppHandle,
    item_id: String,
    version_id: String,
) -> Result<Vec<ConflictView>, IpcError> {
    on_worker(app, move |st| s::conflict_keep(st, item_id, version_id)).await
}

/// First run on a new device: the vault from a sync folder, unlocked with its password.
#[tauri::command(rename_all = "snake_case")]
pub async fn sync_join(
    app: AppHandle,
    dir: String,
    password: SecretString,
    name: Option<String>,
) -> Result<VaultStatus, IpcError> {
    on_worker(app, move |st| s::sync_join(st, dir, &password, name)).await
}
