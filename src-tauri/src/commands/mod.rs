//! IPC commands, one module per domain. Each command is a few lines over the core; the
//! work runs on a blocking worker thread so the UI thread never waits for Argon2id, SQLite
//! or the OS keyring.
//!
//! A new command must also be listed in build.rs (`COMMANDS`) and granted in a capability.

pub mod vault;

use tauri::{AppHandle, Manager};

use crate::error::IpcError;
use crate::state::AppState;

/// Runs `f` with the app state on tauri's blocking thread pool.
pub(crate) async fn on_worker<T, F>(app: AppHandle, f: F) -> Result<T, IpcError>
where
    T: Send + 'static,
    F: FnOnce(&AppState) -> Result<T, IpcError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>()))
        .await
        .map_err(|e| IpcError::internal(format!("a background task failed: {e}")))?
}
