//! The desktop app's IPC surface, without Tauri.
//!
//! `src-tauri` registers one `#[tauri::command]` per function of [`commands`], each a line
//! that runs the body here on a worker thread. Keeping the bodies here means they are
//! tested in seconds (`cargo test -p keywright-ipc`) without building the webview, and the
//! TypeScript types the UI uses are generated from [`dto`] and [`error`] by the same tests
//! (ts-rs; output in `ui/src/bindings/`, committed, checked by CI).

pub mod backup;
pub mod clipboard;
pub mod commands;
pub mod dto;
pub mod error;
pub mod import;
pub mod jwt;
pub mod otp;
pub mod recovery;
pub mod requests;
pub mod rotation;
pub mod state;
pub mod sync;
pub mod tokens;
pub mod trash;
pub mod watch;

pub use error::{ErrorKind, IpcError};
pub use state::AppState;

#[cfg(test)]
mod tests;
