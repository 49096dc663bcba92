//! Keywright's desktop app: a thin Tauri shell over `keywright-core`.
//!
//! The command bodies, the session state and the DTOs live in `keywright-ipc` (Tauri-free,
//! tested without a webview); this crate registers them as IPC commands ([`commands`]) and
//! runs the auto-lock clock.

pub mod commands;
pub mod process_env;

use std::time::{Duration, Instant};

use keywright_ipc::AppState;
use keywright_ipc::dto::LockReason;
use tauri::{Emitter, Manager};

/// How often the auto-lock clock looks at the idle time.
const AUTO_LOCK_TICK: Duration = Duration::from_secs(5);
/// Event sent to the window when the vault locked by itself.
pub const VAULT_LOCKED_EVENT: &str = "vault-locked";
/// Event sent to the window when items changed without it: a background renewal, or
/// another process (the CLI, a second instance, a sync tool) writing to the vault file.
pub const ITEMS_CHANGED_EVENT: &str = "items-changed";
/// How often the app looks for changes made to the vault file by another process (one
/// `PRAGMA data_version`: microseconds).
const CHANGE_TICK: Duration = Duration::from_secs(1);
/// How often the app runs a sync pass while unlocked (when sync is set up): reads the other
/// devices' new files and writes this device's changes.
const SYNC_TICK: Duration = Duration::from_secs(10);
/// How often the app looks for expiries and background renewals.
const WATCH_TICK: Duration = Duration::from_secs(30);

/// Builds and runs the app until its last window closes.
pub fn run() -> Result<(), tauri::Error> {
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .manage(AppState::from_env())
        .setup(|app| {
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                // Measured under Xvfb on a 10,000-item vault: without accelerated compositing
                // a search keystroke repaints in 17 ms instead of 46 ms, and the web process
                // uses 100 MB less. A list-and-forms UI gains nothing from GPU layers.
                window.with_webview(|webview| {
                    use webkit2gtk::{SettingsExt as _, WebViewExt as _};
                    if let Some(settings) = webview.inner().settings() {
                        settings.set_hardware_acceleration_policy(
                            webkit2gtk::HardwareAccelerationPolicy::Never,
                        );
                    }
                })?;
            }
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("auto-lock".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(AUTO_LOCK_TICK);
                        if handle.state::<AppState>().auto_lock_tick(Instant::now()) {
                            // The window forgets anything revealed and shows the lock screen.
                            let _ = handle.emit(VAULT_LOCKED_EVENT, LockReason::Idle);
                        }
                    }
                })?;
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("change-watch".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(CHANGE_TICK);
                        if handle.state::<AppState>().changed_outside() {
                            let _ = handle.emit(ITEMS_CHANGED_EVENT, Vec::<String>::new());
                        }
                    }
                })?;
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("sync-watch".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(SYNC_TICK);
                        if keywright_ipc::sync::tick(&handle.state::<AppState>()) {
                            // Others' changes arrived: the window lists again by itself.
                            let _ = handle.emit(ITEMS_CHANGED_EVENT, Vec::<String>::new());
                        }
                    }
                })?;
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("expiry-watch".into())
                .spawn(move || {
                    use tauri_plugin_notification::NotificationExt as _;
                    loop {
                        std::thread::sleep(WATCH_TICK);
                        let now = keywright_ipc::watch::now();
                        let tick = keywright_ipc::watch::tick(&handle.state::<AppState>(), now);
                        if !tick.renewed.is_empty() {
                            let _ = handle.emit(ITEMS_CHANGED_EVENT, &tick.renewed);
                        }
                        if !tick.purged.is_empty() {
                            // Purged from the Trash after 30 days: the Trash lists again.
                            let _ = handle.emit(ITEMS_CHANGED_EVENT, &tick.purged);
                        }
                        for n in tick.notices {
                            // No notification service (a bare X server): nothing to show.
                            let _ = handle
                                .notification()
                                .builder()
                                .title(&n.title)
                                .body(&n.body)
                                .show();
                        }
                    }
                })?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::vault::vault_status,
            commands::vault::vault_create,
            commands::vault::vault_unlock,
            commands::vault::vault_unlock_keyring,
            commands::vault::vault_lock,
            commands::vault::vault_change_password,
            commands::vault::vault_recover,
            commands::vault::recovery_copy,
            commands::vault::recovery_save,
            commands::vault::recovery_forget,
            commands::vault::app_activity,
            commands::vault::app_about,
            commands::items::items_list,
            commands::items::item_get,
            commands::items::item_reveal,
            commands::items::item_copy,
            commands::items::item_copy_main,
            commands::items::item_copy_plain,
            commands::items::item_add,
            commands::items::item_update,
            commands::items::item_delete,
            commands::items::trash_list,
            commands::items::item_restore,
            commands::items::item_purge,
            commands::items::trash_empty,
            commands::rotation::item_rotate,
            commands::rotation::item_snooze,
            commands::rotation::item_previous_reveal,
            commands::rotation::item_previous_copy,
            commands::settings::settings_get,
            commands::settings::settings_set,
            commands::settings::keyring_set,
            commands::otp::otp_codes,
            commands::otp::otp_code,
            commands::otp::otp_copy,
            commands::otp::hotp_next,
            commands::otp::otp_link_read,
            commands::otp::import_preview,
            commands::otp::import_commit,
            commands::otp::import_cancel,
            commands::tokens::token_inspect,
            commands::tokens::jwt_inspect,
            commands::tokens::jwt_inspect_item,
            commands::tokens::jwt_copy,
            commands::requests::request_send,
            commands::requests::request_cancel,
            commands::requests::request_history,
            commands::requests::request_saved,
            commands::requests::request_save,
            commands::requests::request_saved_delete,
            commands::requests::request_from_curl,
            commands::requests::request_recent,
            commands::tokens::oauth_renew,
            commands::tokens::oauth_login,
            commands::tokens::oauth_login_cancel,
            commands::tokens::oauth_set_auto_renew,
            commands::backup::backup_status,
            commands::backup::backup_now,
            commands::backup::backup_set,
            commands::backup::backup_list,
            commands::backup::backup_restore,
            commands::sync::sync_state,
            commands::sync::sync_now,
            commands::sync::sync_setup,
            commands::sync::sync_remove_device,
            commands::sync::conflicts_list,
            commands::sync::conflict_keep,
            commands::sync::sync_join,
        ])
        .build(tauri::generate_context!())?
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Lock, and clear the clipboard if it still holds what the app copied.
                app.state::<AppState>().on_exit();
            }
        });
    Ok(())
}
