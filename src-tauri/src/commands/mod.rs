//! IPC commands, one module per domain. Each is one line: run the body from
//! `keywright_ipc::commands` on a blocking worker thread, so the UI thread never waits for
//! Argon2id, SQLite or the OS keyring. Arguments are snake_case, like every DTO.
//!
//! A new command must also be listed in build.rs (`COMMANDS`) and granted in a capability.

pub mod backup;
pub mod items;
pub mod otp;
pub mod requests;
pub mod rotation;
pub mod settings;
pub mod sync;
pub mod tokens;
pub mod vault;

use keywright_ipc::{AppState, IpcError};
use tauri::{AppHandle, Manager};

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
