//! Rotation: Mark rotated, the previous version's reveal and copy, Snooze.

use keywright_ipc::IpcError;
use keywright_ipc::dto::{Copied, ItemDetail, Revealed};
use keywright_ipc::rotation as r;
use secrecy::SecretString;
use tauri::AppHandle;

use super::on_worker;

#[tauri::command(rename_all = "snake_case")]
pub async fn item_rotate(
    app: AppHandle,
    id: String,
    value: SecretString,
    grace_days: u32,
) -> Result<ItemDetail, IpcError> {
    on_worker(app, move |s| r::item_rotate(s, &id, &value, grace_days)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_snooze(app: AppHandle, id: String, days: u32) -> Result<ItemDetail, IpcError> {
    on_worker(app, move |s| r::item_snooze(s, &id, days)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_previous_reveal(
    app: AppHandle,
    id: String,
    version_id: Option<String>,
) -> Result<Revealed, IpcError> {
    on_worker(app, move |s| {
        r::item_previous_reveal(s, &id, version_id.as_deref())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_previous_copy(
    app: AppHandle,
    id: String,
    version_id: Option<String>,
) -> Result<Copied, IpcError> {
    on_worker(app, move |s| {
        r::item_previous_copy(s, &id, version_id.as_deref())
    })
    .await
}
