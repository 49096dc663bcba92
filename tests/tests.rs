//! Keywright's cross-crate tests, compiled into one binary.
//!
//! The CLI tests run the real `keywright` binary: build it first (`scripts/test.sh` does:
//! `cargo build -p keywright-cli`). The real Secret Service tests need a session bus with an
//! unlocked gnome-keyring (`scripts/test.sh` starts one under `dbus-run-session`).

mod app_config;
mod campaign;
mod cli;
mod cli_backup;
mod cli_clipboard;
mod cli_export;
mod cli_import;
mod cli_import_clients;
mod cli_import_keepass;
mod cli_import_pwm;
mod cli_otp;
mod cli_refs;
mod cli_request;
mod cli_rotate;
mod cli_scan;
mod cli_sync;
mod cli_tokens;
mod cli_trash;
mod common;
mod format;
mod ipc_jwt;
mod ipc_request;
mod ipc_tokens;
mod keyring;
mod oauth;
mod otp;
mod peers;
mod probe;
mod raw;
mod session;
mod sync_syncthing;
mod vault;
