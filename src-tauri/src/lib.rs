//! Keywright's desktop app: a thin Tauri shell over `keywright-core`.
//!
//! All domain logic lives in the core. This crate holds the session state ([`state`]),
//! the error type the UI receives ([`error`]) and the IPC commands ([`commands`]), each a
//! few lines that call the core and map its errors.

pub mod commands;
pub mod error;
pub mod state;

use state::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() -> Result<(), tauri::Error> {
    tauri::Builder::default()
        .manage(AppState::from_env())
        .invoke_handler(tauri::generate_handler![
            commands::vault::vault_status,
            commands::vault::vault_unlock,
            commands::vault::vault_unlock_keyring,
            commands::vault::vault_lock,
        ])
        .run(tauri::generate_context!())
}
