//! Encrypted backups from the app: the Settings section (status, folder, automatic on/off,
//! Back up now, the list) and the first-run "Restore from backup". The automatic backup
//! itself runs in the watch (`watch::tick`), about once a minute while unlocked.

use std::path::{Path, PathBuf};

use keywright_core::timefmt;
use keywright_core::vault::backup::{self, BackupConfig, BackupInfo, RestoreOptions};
use keywright_core::{Error as CoreError, Vault};

use crate::dto::{BackupEntry, BackupStatus, VaultStatus};
use crate::error::IpcError;
use crate::state::AppState;

/// The complete and incomplete backups of this vault in `dir`, newest first.
fn mine(vault: &Vault, dir: &Path) -> Result<Vec<BackupInfo>, IpcError> {
    let id = vault.vault_id();
    let short = id.get(..8).unwrap_or(id);
    Ok(backup::list(dir)?
        .into_iter()
        .filter(|b| match &b.vault_id {
            Some(v) => v == id,
            None => b
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(backup::parse_name)
                .is_some_and(|(s, _)| s == short),
        })
        .collect())
}

fn status(state: &AppState, vault: &Vault) -> Result<BackupStatus, IpcError> {
    let cfg = vault.backup_config()?;
    let folder = vault.backup_folder()?;
    // A folder that cannot be read (a USB disk gone, a file in its place) is said, not an
    // error: Settings must still open to change it.
    let (found, unreadable) = match mine(vault, &folder) {
        Ok(f) => (f, None),
        Err(e) => (Vec::new(), Some(e.message)),
    };
    let complete: Vec<&BackupInfo> = found.iter().filter(|b| b.complete).collect();
    Ok(BackupStatus {
        auto: cfg.auto,
        folder: folder.display().to_string(),
        default_folder: cfg.folder.is_none(),
        last: complete.first().map(|b| BackupEntry::from(*b)),
        count: u32::try_from(complete.len()).unwrap_or(u32::MAX),
        last_error: state.backup_error().or(unreadable),
    })
}

pub fn backup_status(state: &AppState) -> Result<BackupStatus, IpcError> {
    state.with_vault(|vault| status(state, vault))
}

/// A snapshot now, into the configured folder.
pub fn backup_now(state: &AppState) -> Result<BackupEntry, IpcError> {
    state.with_vault(|vault| {
        let b = vault.backup_now(None, timefmt::now())?;
        state.set_backup_error(None);
        Ok(BackupEntry::from(&b))
    })
}

/// A full path typed by the user (a folder or a file); blank is `None`.
fn full_path(field: &str, s: Option<&str>) -> Result<Option<PathBuf>, IpcError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let p = PathBuf::from(s);
    if !p.is_absolute() {
        return Err(IpcError::invalid(
            field,
            format!(
                "\u{201c}{s}\u{201d} is not a full path. Give the whole path, starting with / (or a drive letter)."
            ),
        ));
    }
    Ok(Some(p))
}

/// Set the folder (blank: `backups/` next to the vault file) and automatic backups on or
/// off. Turning them on, or moving them to another folder, takes a backup at once: a
/// folder that cannot be written is refused then, and the setting is left as it was.
pub fn backup_set(
    state: &AppState,
    folder: Option<String>,
    auto: bool,
) -> Result<BackupStatus, IpcError> {
    let folder = full_path("folder", folder.as_deref())?;
    state.with_vault(|vault| {
        let before = vault.backup_config()?;
        let folder = folder.filter(|f| *f != vault.default_backup_folder());
        let cfg = BackupConfig { auto, folder };
        vault.set_backup_config(&cfg)?;
        let moved = !before.auto || before.folder != cfg.folder;
        if auto
            && moved
            && let Err(e) = vault.backup_now(None, timefmt::now())
        {
            let _ = vault.set_backup_config(&before);
            return Err(IpcError {
                field: Some("folder".into()),
                ..IpcError::from(e)
            });
        }
        state.set_backup_error(None);
        status(state, vault)
    })
}

/// This vault's backups in `folder` (blank: the configured folder), newest first.
pub fn backup_list(state: &AppState, folder: Option<String>) -> Result<Vec<BackupEntry>, IpcError> {
    let folder = full_path("folder", folder.as_deref())?;
    state.with_vault(|vault| {
        let dir = match folder {
            Some(f) => f,
            None => vault.backup_folder()?,
        };
        Ok(mine(vault, &dir)?.iter().map(BackupEntry::from).collect())
    })
}

/// First run: write the vault file (the app's vault path, where no vault may be yet) from
/// a backup file; it then unlocks with the password or recovery code it had.
pub fn backup_restore(state: &AppState, snapshot: String) -> Result<VaultStatus, IpcError> {
    let snapshot = full_path("snapshot", Some(&snapshot))?.ok_or_else(|| {
        IpcError::invalid("snapshot", "Give the path of the backup file to restore.")
    })?;
    let to = state.vault_path()?.to_path_buf();
    if to.exists() {
        return Err(CoreError::VaultExists { path: to }.into());
    }
    backup::restore(&snapshot, &to, &RestoreOptions::default()).map_err(|e| {
        let e = IpcError::from(e);
        match e.kind {
            crate::error::ErrorKind::InvalidInput | crate::error::ErrorKind::Corrupt => IpcError {
                field: Some("snapshot".into()),
                ..e
            },
            _ => e,
        }
    })?;
    crate::commands::vault_status(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::tests::{PW, fixture};
    use secrecy::SecretString;

    fn unlock(state: &AppState) {
        crate::commands::vault_unlock(state, &SecretString::from(PW)).expect("unlock");
    }

    #[test]
    fn settings_turn_backups_on_take_one_and_list_them() {
        let f = fixture(true).expect("fixture");
        assert_eq!(
            backup_status(&f.state).expect_err("locked").kind,
            ErrorKind::Locked
        );
        unlock(&f.state);
        let s = backup_status(&f.state).expect("status");
        assert!(!s.auto);
        assert!(s.default_folder);
        assert!(s.folder.ends_with("/backups"), "{}", s.folder);
        assert_eq!(s.last, None);
        assert_eq!(s.count, 0);

        // A relative folder is refused, on its field.
        let e = backup_set(&f.state, Some("usb/kw".into()), true).expect_err("relative");
        assert_eq!(e.field.as_deref(), Some("folder"));
        assert!(e.message.contains("full path"), "{}", e.message);
        // A folder that cannot be made: refused, setting unchanged.
        let blocker = f._dir.path().join("a-file");
        std::fs::write(&blocker, "x").expect("write");
        let bad = blocker.join("kw").display().to_string();
        let e = backup_set(&f.state, Some(bad), true).expect_err("unwritable");
        assert_eq!(e.field.as_deref(), Some("folder"));
        assert!(!backup_status(&f.state).expect("status").auto);

        let usb = f._dir.path().join("usb");
        let s = backup_set(&f.state, Some(usb.display().to_string()), true).expect("on");
        assert!(s.auto);
        assert!(!s.default_folder);
        assert_eq!(s.folder, usb.display().to_string());
        assert_eq!(s.count, 1, "turning on takes the first backup");
        let last = s.last.expect("last");
        assert!(last.complete);
        assert_eq!(last.items, Some(0));

        let b = backup_now(&f.state).expect("now");
        assert!(b.path.starts_with(&usb.display().to_string()));
        let listed = backup_list(&f.state, None).expect("list");
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].path, b.path);
        assert_eq!(
            backup_list(&f.state, Some(usb.display().to_string())).expect("list"),
            listed
        );
        // Back to the default folder, off.
        let s = backup_set(&f.state, Some(String::new()), false).expect("off");
        assert!(!s.auto && s.default_folder);
        assert_eq!(s.count, 0);
    }

    #[test]
    fn first_run_restores_a_backup_to_the_vault_path() {
        let f = fixture(true).expect("fixture");
        unlock(&f.state);
        crate::commands::item_add(
            &f.state,
            crate::tests::api_key("GitHub", "ghp_x").expect("item"),
        )
        .expect("add");
        let b = backup_now(&f.state).expect("backup");
        // A second app state whose vault path is empty: the first-run screen.
        let g = fixture(false).expect("fixture");
        assert_eq!(
            crate::commands::vault_status(&g.state)
                .expect("status")
                .state,
            crate::dto::VaultState::None
        );
        let e = backup_restore(&g.state, "backups/x.kwbak.db".into()).expect_err("relative");
        assert_eq!(e.field.as_deref(), Some("snapshot"));
        let e = backup_restore(&g.state, "/nowhere/x.kwbak.db".into()).expect_err("missing");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("does not exist"), "{}", e.message);
        let st = backup_restore(&g.state, b.path.clone()).expect("restore");
        assert_eq!(st.state, crate::dto::VaultState::Locked);
        unlock(&g.state);
        let items = crate::commands::items_list(&g.state).expect("list");
        assert_eq!(items.items.len(), 1);
        assert_eq!(items.items[0].name, "GitHub");
        // Never over a vault.
        let e = backup_restore(&g.state, b.path).expect_err("exists");
        assert_eq!(e.kind, ErrorKind::VaultExists);
    }

    #[test]
    fn the_watch_backs_up_once_the_vault_is_quiet_and_tells_of_a_failure_once() {
        let f = fixture(true).expect("fixture");
        unlock(&f.state);
        let usb = f._dir.path().join("usb");
        backup_set(&f.state, Some(usb.display().to_string()), true).expect("on");
        let now = timefmt::now();
        crate::commands::item_add(&f.state, crate::tests::api_key("A", "a").expect("item"))
            .expect("add");
        // Seen now; not quiet yet.
        let t = crate::watch::tick(&f.state, now + 10);
        assert_eq!(t.backed_up, None);
        // Looked at about once a minute: this tick does not look.
        let t = crate::watch::tick(&f.state, now + 40);
        assert_eq!(t.backed_up, None);
        let t = crate::watch::tick(&f.state, now + 75);
        let path = t.backed_up.expect("backed up once quiet");
        assert!(path.starts_with(&usb));
        assert_eq!(backup_status(&f.state).expect("status").count, 2);

        // The folder becomes a file: told once, shown in Settings until a backup works.
        std::fs::remove_dir_all(&usb).expect("rm");
        std::fs::write(&usb, "x").expect("write");
        crate::commands::item_add(&f.state, crate::tests::api_key("B", "b").expect("item"))
            .expect("add");
        let t = crate::watch::tick(&f.state, now + 10_000);
        assert_eq!(t.backed_up, None);
        let told: Vec<_> = t
            .notices
            .iter()
            .filter(|n| n.title == "Automatic backup failed")
            .collect();
        assert_eq!(told.len(), 1, "{:?}", t.notices);
        assert!(told[0].body.contains("not a folder"), "{}", told[0].body);
        let t = crate::watch::tick(&f.state, now + 10_100);
        assert!(
            t.notices
                .iter()
                .all(|n| n.title != "Automatic backup failed")
        );
        let s = backup_status(&f.state).expect("status");
        assert!(s.last_error.expect("error").contains("not a folder"));
        std::fs::remove_file(&usb).expect("rm");
        backup_now(&f.state).expect("now");
        assert_eq!(backup_status(&f.state).expect("status").last_error, None);
        // Locked: the watch does not back up (nor fail).
        crate::commands::vault_lock(&f.state).expect("lock");
        let t = crate::watch::tick(&f.state, now + 20_000);
        assert_eq!(t.backed_up, None);
        assert!(t.notices.is_empty());
    }
}
