//! Generates the Tauri context and the app's own ACL permissions: every command listed in
//! `COMMANDS` gets an `allow-<command>` / `deny-<command>` permission, and a command is
//! only callable from a window whose capability grants it (see capabilities/README.md).

/// Every command in `tauri::generate_handler!` (src/lib.rs) must be listed here.
const COMMANDS: &[&str] = &[
    "vault_status",
    "vault_create",
    "vault_unlock",
    "vault_unlock_keyring",
    "vault_lock",
    "vault_change_password",
    "vault_recover",
    "recovery_copy",
    "recovery_save",
    "recovery_forget",
    "app_activity",
    "items_list",
    "item_get",
    "item_reveal",
    "item_copy",
    "item_copy_main",
    "item_copy_plain",
    "item_add",
    "item_update",
    "item_delete",
    "trash_list",
    "item_restore",
    "item_purge",
    "trash_empty",
    "item_rotate",
    "item_snooze",
    "item_previous_reveal",
    "item_previous_copy",
    "settings_get",
    "settings_set",
    "keyring_set",
    "otp_codes",
    "otp_code",
    "otp_copy",
    "hotp_next",
    "otp_link_read",
    "import_preview",
    "import_commit",
    "import_cancel",
    "token_inspect",
    "jwt_inspect",
    "jwt_inspect_item",
    "jwt_copy",
    "oauth_renew",
    "oauth_login",
    "oauth_login_cancel",
    "oauth_set_auto_renew",
    "request_send",
    "request_cancel",
    "request_history",
    "request_saved",
    "request_save",
    "request_saved_delete",
    "request_from_curl",
    "request_recent",
    "backup_status",
    "backup_now",
    "backup_set",
    "backup_list",
    "backup_restore",
    "sync_state",
    "sync_now",
    "sync_setup",
    "sync_remove_device",
    "conflicts_list",
    "conflict_keep",
    "sync_join",
    "app_about",
];

/// The git commit the app is built from (`KEYWRIGHT_GIT_COMMIT`), for Settings → About.
#[path = "crates/keywright-cli/build_git.rs"]
mod build_git;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    println!("cargo:rerun-if-changed=crates/keywright-cli/build_git.rs");
    build_git::emit();
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))?;
    Ok(())
}
