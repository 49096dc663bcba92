//! Settings: auto-lock, clipboard clearing, the keyring slot.

use keywright_ipc::IpcError;
use keywright_ipc::commands as c;
use keywright_ipc::dto::{KeyringChange, Settings, SettingsView};
use tauri::AppHandle;

use super::on_worker;

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_get(app: AppHandle) -> Result<SettingsView, IpcError> {
    on_worker(app, c::settings_get).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_set(app: AppHandle, settings: Settings) -> Result<SettingsView, IpcError> {
    on_worker(app, move |s| c::settings_set(s, settings)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn keyring_set(app: AppHandle, enabled: bool) -> Result<KeyringChange, IpcError> {
    on_worker(app, move |s| c::keyring_set(s, enabled)).await
}
