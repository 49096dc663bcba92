//! Encrypted backups: Settings' Backups section and the first-run "Restore from backup".

use keywright_ipc::IpcError;
use keywright_ipc::backup as b;
use keywright_ipc::dto::{BackupEntry, BackupStatus, VaultStatus};
use tauri::AppHandle;

use super::on_worker;

#[tauri::command(rename_all = "snake_case")]
pub async fn backup_status(app: AppHandle) -> Result<BackupStatus, IpcError> {
    on_worker(app, b::backup_status).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn backup_now(app: AppHandle) -> Result<BackupEntry, IpcError> {
    on_worker(app, b::backup_now).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn backup_set(
    app: AppHandle,
    folder: Option<String>,
    auto: bool,
) -> Result<BackupStatus, IpcError> {
    on_worker(app, move |s| b::backup_set(s, folder, auto)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn backup_list(
    app: AppHandle,
    folder: Option<String>,
) -> Result<Vec<BackupEntry>, IpcError> {
    on_worker(app, move |s| b::backup_list(s, folder)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn backup_restore(app: AppHandle, snapshot: String) -> Result<VaultStatus, IpcError> {
    on_worker(app, move |s| b::backup_restore(s, snapshot)).await
}
