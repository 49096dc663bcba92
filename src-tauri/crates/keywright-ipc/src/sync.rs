//! Sync from the app: the status bar's sync state, Settings → Sync (start syncing through
//! a folder, the devices, remove one, sync now), the Conflicts view (each version of an
//! item changed on two devices at once, and Keep this one), and the background pass the
//! shell runs every few seconds while the vault is unlocked ([`tick`]).

use std::path::PathBuf;

use keywright_core::sync::clock::short_device;
use keywright_core::vault::revisions::ItemBody;
use keywright_core::vault::sync::SyncReport;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{ErrorKind, IpcError};
use crate::state::AppState;

/// One device of the sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncDevice {
    pub id: String,
    pub name: String,
    /// Unix seconds of its newest file (this device: its last pass).
    #[ts(type = "number | null")]
    pub last_seen: Option<i64>,
    pub this_device: bool,
    pub removed: bool,
}

/// Where sync stands: the status bar and Settings → Sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncState {
    /// Sync is set up (a folder is chosen).
    pub enabled: bool,
    pub dir: Option<String>,
    pub device_id: String,
    pub device_name: String,
    pub devices: Vec<SyncDevice>,
    /// Unix seconds of the last completed pass.
    #[ts(type = "number | null")]
    pub last_sync: Option<i64>,
    /// Local changes not yet written, plus other devices' files not yet read.
    pub pending: u32,
    /// Items with a conflict to resolve.
    pub conflicts: u32,
    /// Why the last pass failed (the folder is gone, ...), until one works.
    pub error: Option<String>,
    /// Files of other devices refused at the last pass (named, with why).
    pub refused: Vec<String>,
}

/// One version of an item with a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConflictVersionView {
    pub id: String,
    pub device_id: String,
    /// The device's name, when known.
    pub device_name: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub at: i64,
    /// The version in force (the item shows it).
    pub kept: bool,
    /// This version deletes the item.
    pub deleted: bool,
    /// The item's name in this version.
    pub name: Option<String>,
    /// What differs from the version in force, by field (never a value): "secret",
    /// "notes", "URL", "tags", ...
    pub differs: Vec<String>,
}

/// An item changed on two devices at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConflictView {
    pub item_id: String,
    pub name: String,
    pub versions: Vec<ConflictVersionView>,
}

/// The fields where `b` differs from `a`, named for people; no values.
fn differs(a: Option<&ItemBody>, b: Option<&ItemBody>) -> Vec<String> {
    let (Some(a), Some(b)) = (a, b) else {
        return if a.is_some() != b.is_some() {
            vec!["deleted".to_owned()]
        } else {
            Vec::new()
        };
    };
    let (oa, ob) = (&a.overview, &b.overview);
    let (sa, sb) = (&a.secret, &b.secret);
    let mut out = Vec::new();
    let mut diff = |same: bool, what: &str| {
        if !same {
            out.push(what.to_owned());
        }
    };
    diff(oa.name == ob.name, "name");
    diff(sa.value == sb.value, "secret");
    diff(
        sa.access_token == sb.access_token && sa.refresh_token == sb.refresh_token,
        "tokens",
    );
    diff(sa.counter == sb.counter, "counter");
    diff(sa.notes == sb.notes, "notes");
    diff(oa.url == ob.url, "URL");
    diff(oa.username == ob.username, "username");
    diff(oa.tags == ob.tags, "tags");
    diff(oa.expires_at == ob.expires_at, "expiry");
    diff(
        oa.placement == ob.placement && oa.oauth == ob.oauth && oa.otp == ob.otp,
        "settings",
    );
    diff(a.requests == b.requests, "saved requests");
    out
}

fn state_of(state: &AppState, v: &mut keywright_core::Vault) -> Result<SyncState, IpcError> {
    let st = v.sync_status()?;
    let err = state
        .sync_error
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Ok(SyncState {
        enabled: st.dir.is_some(),
        dir: st.dir.map(|d| d.display().to_string()),
        device_id: st.device_id,
        device_name: st.device_name,
        devices: st
            .devices
            .into_iter()
            .map(|d| SyncDevice {
                id: d.id,
                name: d.name,
                last_seen: d.last_seen,
                this_device: d.this_device,
                removed: d.removed,
            })
            .collect(),
        last_sync: st.last_sync,
        pending: u32::try_from(st.pending).unwrap_or(u32::MAX),
        conflicts: u32::try_from(st.conflicts).unwrap_or(u32::MAX),
        error: err.as_ref().map(|(e, _)| e.clone()),
        refused: err.map(|(_, r)| r).unwrap_or_default(),
    })
}

pub fn sync_state(state: &AppState) -> Result<SyncState, IpcError> {
    state.with_vault(|v| state_of(state, v))
}

fn remember(state: &AppState, r: &Result<SyncReport, keywright_core::Error>) {
    let mut e = state.sync_error.lock().unwrap_or_else(|p| p.into_inner());
    *e = match r {
        Ok(rep) if rep.refused.is_empty() => None,
        Ok(rep) => Some((
            format!(
                "{} file(s) of other devices were refused",
                rep.refused.len()
            ),
            rep.refused.clone(),
        )),
        Err(err) => Some((err.to_string(), Vec::new())),
    };
}

/// One pass now (Settings' "Sync now"); the state after it.
pub fn sync_now(state: &AppState) -> Result<SyncState, IpcError> {
    state.with_vault(|v| {
        let r = v.sync_now();
        remember(state, &r);
        r?;
        state_of(state, v)
    })
}

/// Start syncing through `dir` (a full path), as this device `name` (blank: the host name).
pub fn sync_setup(
    state: &AppState,
    dir: String,
    name: Option<String>,
) -> Result<SyncState, IpcError> {
    let dir = dir.trim();
    let path = PathBuf::from(dir);
    if dir.is_empty() || !path.is_absolute() {
        return Err(IpcError::invalid(
            "folder",
            format!(
                "\u{201c}{dir}\u{201d} is not a full path. Give the whole path of the folder your sync tool shares, starting with /."
            ),
        ));
    }
    let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    state.with_vault(|v| {
        let r = v.sync_init(&path, name.as_deref());
        remember(state, &r);
        r.map_err(|e| IpcError {
            field: Some("folder".into()),
            ..IpcError::from(e)
        })?;
        state_of(state, v)
    })
}

/// First run on a new device: make this app's vault from the vault in the sync folder `dir`
/// (a full path), opened with the vault's password; the app is then unlocked on it.
pub fn sync_join(
    state: &AppState,
    dir: String,
    password: &secrecy::SecretString,
    name: Option<String>,
) -> Result<crate::dto::VaultStatus, IpcError> {
    let dir = dir.trim();
    let folder = PathBuf::from(dir);
    if dir.is_empty() || !folder.is_absolute() {
        return Err(IpcError::invalid(
            "folder",
            format!(
                "\u{201c}{dir}\u{201d} is not a full path. Give the whole path of the folder your sync tool shares, starting with /."
            ),
        ));
    }
    let path = state.vault_path()?.to_path_buf();
    if path.exists() {
        return Err(keywright_core::Error::VaultExists { path }.into());
    }
    let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let (vault, report) = keywright_core::Vault::sync_join(
        &folder,
        &path,
        &keywright_core::vault::sync::JoinSecret::Password(password.clone()),
        None,
        name.as_deref(),
    )
    .map_err(|e| {
        let e = IpcError::from(e);
        match e.kind {
            ErrorKind::Sync | ErrorKind::Io | ErrorKind::InvalidInput => IpcError {
                field: Some("folder".into()),
                ..e
            },
            ErrorKind::WrongPassword => IpcError {
                field: Some("password".into()),
                ..e
            },
            _ => e,
        }
    })?;
    remember(state, &Ok(report));
    crate::commands::install_joined(state, vault);
    crate::commands::vault_status(state)
}

/// Stop reading a device (lost or sold); tells the others at once when it can.
pub fn sync_remove_device(state: &AppState, id: String) -> Result<SyncState, IpcError> {
    state.with_vault(|v| {
        v.sync_remove_device(&id)?;
        let r = v.sync_now();
        remember(state, &r);
        state_of(state, v)
    })
}

/// Every item with a conflict, and its versions.
pub fn conflicts_list(state: &AppState) -> Result<Vec<ConflictView>, IpcError> {
    state.with_vault(|v| {
        let names: std::collections::HashMap<String, String> = v
            .sync_status()?
            .devices
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let list = v.conflicts()?;
        let mut out = Vec::with_capacity(list.len());
        for c in list {
            let kept = c.versions.iter().find(|x| x.kept).map(|x| x.id.clone());
            let kept_body = match &kept {
                Some(k) => v.conflict_version(&c.item_id, k)?,
                None => None,
            };
            let mut versions = Vec::new();
            for x in c.versions {
                let body = v.conflict_version(&c.item_id, &x.id)?;
                versions.push(ConflictVersionView {
                    differs: if x.kept {
                        Vec::new()
                    } else {
                        differs(kept_body.as_ref(), body.as_ref())
                    },
                    device_name: names
                        .get(&x.device_id)
                        .filter(|n| !n.is_empty())
                        .cloned()
                        .unwrap_or_else(|| {
                            if x.device_id.starts_with('m') {
                                "a merged copy".to_owned()
                            } else {
                                format!("device {}", short_device(&x.device_id))
                            }
                        }),
                    id: x.id,
                    device_id: x.device_id,
                    at: x.at,
                    kept: x.kept,
                    deleted: x.deleted,
                    name: x.name,
                });
            }
            out.push(ConflictView {
                item_id: c.item_id,
                name: c.name,
                versions,
            });
        }
        Ok(out)
    })
}

/// Keep one version of an item with a conflict ("Keep this one"); the rest of the list.
pub fn conflict_keep(
    state: &AppState,
    item_id: String,
    version_id: String,
) -> Result<Vec<ConflictView>, IpcError> {
    state.with_vault(|v| {
        v.resolve_conflict(&item_id, &version_id)?;
        if v.sync_dir()?.is_some() {
            let r = v.sync_now();
            remember(state, &r);
        }
        Ok(())
    })?;
    conflicts_list(state)
}

/// The background pass (every few seconds while unlocked, when sync is set up). Returns
/// whether items changed (the window lists again).
pub fn tick(state: &AppState) -> bool {
    let r = state.with_vault(|v| {
        if v.sync_dir()?.is_none() {
            return Ok(None);
        }
        Ok(Some(v.sync_now()))
    });
    match r {
        Ok(Some(r)) => {
            remember(state, &r);
            r.is_ok_and(|rep| rep.merged.changed() > 0 || rep.merged.conflicts > 0)
        }
        // Locked, no vault, or no sync: nothing to do.
        Ok(None) => false,
        Err(e) if matches!(e.kind, ErrorKind::Locked | ErrorKind::NoVault) => false,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{PW, api_key, fixture};
    use keywright_core::vault::sync::JoinSecret;
    use keywright_core::{ItemPatch, Vault};
    use secrecy::SecretString;
    use zeroize::Zeroizing;

    fn pw() -> SecretString {
        SecretString::from(PW)
    }

    fn set_value(v: &mut Vault, name: &str, value: &str) {
        let id = v.find(name).expect("find").id;
        v.update(
            &id,
            ItemPatch {
                value: Some(Zeroizing::new(value.to_owned())),
                ..ItemPatch::default()
            },
        )
        .expect("edit");
    }

    #[test]
    fn settings_start_syncing_the_background_pass_merges_and_keep_this_one_resolves() {
        let f = fixture(true).expect("fixture");
        crate::commands::vault_unlock(&f.state, &pw()).expect("unlock");
        let st = sync_state(&f.state).expect("state");
        assert!(!st.enabled);
        assert!(!tick(&f.state), "no sync set up: nothing to do");
        let e = sync_setup(&f.state, "Sync/kw".into(), None).expect_err("relative");
        assert_eq!(e.field.as_deref(), Some("folder"));
        let dir = f._dir.path().join("Sync");
        let st =
            sync_setup(&f.state, dir.display().to_string(), Some("laptop".into())).expect("setup");
        assert!(st.enabled);
        assert_eq!(st.device_name, "laptop");
        crate::commands::item_add(&f.state, api_key("Stripe", "v1").expect("input")).expect("add");
        sync_now(&f.state).expect("pass");

        // Another device joins, and changes the item while this one changes it too.
        let (mut b, _) = Vault::sync_join(
            &dir,
            &f._dir.path().join("b.db"),
            &JoinSecret::Password(pw()),
            None,
            Some("desktop"),
        )
        .expect("join");
        set_value(&mut b, "Stripe", "from-b");
        b.sync_now().expect("b pass");
        f.state
            .with_vault(|v| {
                set_value(v, "Stripe", "from-a");
                Ok(())
            })
            .expect("edit a");
        assert!(tick(&f.state), "the background pass merged B's change");
        let st = sync_state(&f.state).expect("state");
        assert_eq!(st.conflicts, 1);
        assert_eq!(st.devices.len(), 2);
        assert!(
            st.devices
                .iter()
                .any(|d| d.name == "desktop" && !d.this_device)
        );
        assert_eq!(st.error, None);

        let list = conflicts_list(&f.state).expect("conflicts");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "Stripe");
        assert_eq!(list[0].versions.len(), 2);
        let other = list[0]
            .versions
            .iter()
            .find(|v| !v.kept)
            .expect("a conflict version");
        assert_eq!(
            other.differs,
            vec!["secret".to_owned()],
            "names the field, never the value"
        );
        let from = other.device_name.clone();
        assert!(from == "desktop" || from == "laptop", "{from}");
        let keep = other.id.clone();
        let rest = conflict_keep(&f.state, list[0].item_id.clone(), keep).expect("keep");
        assert!(rest.is_empty());
        assert_eq!(sync_state(&f.state).expect("state").conflicts, 0);
        b.sync_now().expect("b pass");
        let id = b.find("Stripe").expect("find").id;
        let kept = b.open_secret(&id).expect("secret").value.clone();
        let here = f
            .state
            .with_vault(|v| Ok(v.open_secret(&id)?.value.clone()))
            .expect("value");
        assert_eq!(kept, here, "both devices keep the chosen version");

        // The folder goes away: the state says why, and the next pass that works clears it.
        std::fs::rename(&dir, f._dir.path().join("away")).expect("move");
        assert!(!tick(&f.state));
        let st = sync_state(&f.state).expect("state");
        assert!(
            st.error
                .as_deref()
                .is_some_and(|e| e.contains("is not there")),
            "{st:?}"
        );
        std::fs::rename(f._dir.path().join("away"), &dir).expect("back");
        tick(&f.state);
        assert_eq!(sync_state(&f.state).expect("state").error, None);
    }

    #[test]
    fn first_run_join_makes_the_vault_from_the_folder() {
        let a = fixture(true).expect("fixture");
        crate::commands::vault_unlock(&a.state, &pw()).expect("unlock");
        let dir = a._dir.path().join("Sync");
        sync_setup(&a.state, dir.display().to_string(), None).expect("setup");
        crate::commands::item_add(&a.state, api_key("GitHub", "ghp_x").expect("input"))
            .expect("add");
        sync_now(&a.state).expect("pass");

        let c = fixture(false).expect("fixture");
        let e = sync_join(&c.state, "Sync".into(), &pw(), None).expect_err("relative");
        assert_eq!(e.field.as_deref(), Some("folder"));
        let e = sync_join(
            &c.state,
            dir.display().to_string(),
            &SecretString::from("nope nope"),
            None,
        )
        .expect_err("wrong password");
        assert_eq!(e.kind, ErrorKind::WrongPassword);
        assert_eq!(e.field.as_deref(), Some("password"));
        let empty = c._dir.path().join("empty");
        std::fs::create_dir(&empty).expect("mkdir");
        let e = sync_join(&c.state, empty.display().to_string(), &pw(), None).expect_err("empty");
        assert_eq!(e.field.as_deref(), Some("folder"));
        let st = sync_join(
            &c.state,
            dir.display().to_string(),
            &pw(),
            Some("tablet".into()),
        )
        .expect("join");
        assert_eq!(st.state, crate::dto::VaultState::Unlocked);
        let names: Vec<String> = crate::commands::items_list(&c.state)
            .expect("list")
            .items
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(names, vec!["GitHub".to_owned()]);
        assert_eq!(sync_state(&c.state).expect("state").device_name, "tablet");
    }
}
