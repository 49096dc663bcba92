//! What the app does on its own while it runs: tell the user when an item becomes
//! expiring, expired or in need of a login (a desktop notification, sent by the shell), and
//! renew the OAuth items the user asked to keep fresh.

use std::collections::HashMap;

use keywright_core::expiry::Status;
use keywright_core::oauth::renew::RENEW_MARGIN_S;
use keywright_core::timefmt;
use serde::Serialize;

use crate::error::ErrorKind;
use crate::state::AppState;

/// Background renewal starts this long before an access token expires.
pub const AUTO_RENEW_LEAD_S: i64 = 2 * RENEW_MARGIN_S;
/// After a failed background renewal, the next try waits this long.
pub const RENEW_BACKOFF_S: i64 = 300;
/// The automatic backup is looked at this often (a digest of the sealed rows; a snapshot
/// only when one is due).
pub const BACKUP_CHECK_S: i64 = 60;

/// Rust's clock (Unix seconds).
pub fn now() -> i64 {
    timefmt::now()
}

/// One desktop notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub item_id: String,
    pub title: String,
    pub body: String,
}

/// What one tick did.
#[derive(Debug, Default)]
pub struct Tick {
    pub notices: Vec<Notice>,
    /// Items renewed in the background (the window should list again).
    pub renewed: Vec<String>,
    /// Items purged from the Trash after 30 days (the Trash should list again).
    pub purged: Vec<String>,
    /// The automatic backup taken (its file), if one was.
    pub backed_up: Option<std::path::PathBuf>,
}

fn worth_telling(s: Status) -> bool {
    matches!(
        s,
        Status::Expiring | Status::Expired | Status::ReauthRequired
    )
}

fn notice_for(name: &str, s: Status, expires_at: Option<i64>, now: i64) -> (String, String) {
    match s {
        Status::Expired => (
            format!("{name} has expired"),
            expires_at.map_or_else(
                || "It can no longer be used; replace or renew it.".to_owned(),
                |t| {
                    format!(
                        "It expired {}; replace or renew it.",
                        timefmt::relative(t, now)
                    )
                },
            ),
        ),
        Status::ReauthRequired => (
            format!("{name} needs a new login"),
            "The server no longer accepts its refresh token. Open Keywright and log in.".to_owned(),
        ),
        _ => (
            format!("{name} expires soon"),
            expires_at.map_or_else(
                || "It is about to expire.".to_owned(),
                |t| format!("It expires {}.", timefmt::relative(t, now)),
            ),
        ),
    }
}

/// One look at the vault (the shell calls this every half minute): purge what has been in
/// the Trash 30 days, renew the items marked
/// for background renewal whose token is due, then compare every item's status with the
/// last look and return a notice for each item that has just become expiring, expired or
/// in need of a login. The first look after an unlock only takes note.
pub fn tick(state: &AppState, now: i64) -> Tick {
    let mut out = Tick::default();
    auto_backup(state, now, &mut out);
    // What has been in the Trash 30 days goes (also done at unlock; the app may stay
    // unlocked for days). A failure (a busy writer) waits for the next tick.
    if let Ok(purged) = state.with_vault(|v| Ok(v.purge_expired_trash(now)?)) {
        out.purged = purged.into_iter().map(|t| t.id).collect();
    }
    let Ok(items) = state.with_vault(|v| {
        // Previous versions whose grace period has ended go (the detail stops showing them
        // at that second anyway).
        v.purge_versions_at(now);
        Ok(v.items()?.to_vec())
    }) else {
        // Locked (or no vault): start again at the next unlock.
        *state.last_status.lock().unwrap_or_else(|p| p.into_inner()) = None;
        return out;
    };
    for item in &items {
        let Some(o) = item.overview.oauth.as_ref().filter(|o| o.auto_renew) else {
            continue;
        };
        if o.reauth_required {
            continue;
        }
        let due = o
            .access_expires_at
            .is_none_or(|t| t - now <= AUTO_RENEW_LEAD_S);
        if !due {
            continue;
        }
        let failed_at = state
            .renew_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&item.id)
            .copied();
        if failed_at.is_some_and(|t| now - t < RENEW_BACKOFF_S) {
            continue;
        }
        match crate::tokens::oauth_renew(state, &item.id) {
            Ok(_) => {
                state
                    .renew_failures
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&item.id);
                out.renewed.push(item.id.clone());
            }
            Err(e) => {
                state
                    .renew_failures
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(item.id.clone(), now);
                // Told once, not at every try.
                if failed_at.is_none() {
                    out.notices.push(Notice {
                        item_id: item.id.clone(),
                        title: format!("{}: background renewal failed", item.overview.name),
                        body: e.message,
                    });
                }
            }
        }
    }
    // Statuses after the renewals.
    let items = match out.renewed.is_empty() {
        true => items,
        false => match state.with_vault(|v| Ok(v.items()?.to_vec())) {
            Ok(i) => i,
            Err(_) => return out,
        },
    };
    let now_status: HashMap<String, (Status, Option<i64>, String)> = items
        .iter()
        .map(|i| {
            let e = i.expiry(now);
            (
                i.id.clone(),
                (e.status, e.expires_at, i.overview.name.clone()),
            )
        })
        .collect();
    let mut last = state.last_status.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(before) = last.as_ref() {
        for (id, (s, exp, name)) in &now_status {
            let was = before.get(id).copied();
            if worth_telling(*s) && was != Some(*s) && !out.notices.iter().any(|n| &n.item_id == id)
            {
                let (title, body) = notice_for(name, *s, *exp, now);
                out.notices.push(Notice {
                    item_id: id.clone(),
                    title,
                    body,
                });
            }
        }
    }
    *last = Some(
        now_status
            .into_iter()
            .map(|(id, (s, _, _))| (id, s))
            .collect(),
    );
    out.notices.sort_by(|a, b| a.title.cmp(&b.title));
    out
}

/// The automatic backup, about once a minute while unlocked ([`BACKUP_CHECK_S`]): taken
/// when the vault changed and has been quiet a minute (or daily), see
/// `Vault::maybe_auto_backup`. A failure is told once (a notice), and shown in Settings
/// until a backup works.
fn auto_backup(state: &AppState, now: i64, out: &mut Tick) {
    {
        let mut last = state
            .backup_checked_at
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| (0..BACKUP_CHECK_S).contains(&now.saturating_sub(t))) {
            return;
        }
        *last = Some(now);
    }
    match state.with_vault(|v| Ok(v.maybe_auto_backup(now)?)) {
        Ok(keywright_core::vault::backup::AutoBackup::Done { backup, .. }) => {
            state.set_backup_error(None);
            out.backed_up = Some(backup.path);
        }
        Ok(_) => {}
        // Locked, or no vault: nothing to back up now.
        Err(e) if matches!(e.kind, ErrorKind::Locked | ErrorKind::NoVault) => {}
        Err(e) => {
            if state.set_backup_error(Some(e.message.clone())).is_none() {
                out.notices.push(Notice {
                    item_id: String::new(),
                    title: "Automatic backup failed".to_owned(),
                    body: format!("{} Settings shows the backup folder.", e.message),
                });
            }
        }
    }
}

/// Turn background renewal of an OAuth item on or off.
pub fn oauth_set_auto_renew(state: &AppState, id: &str, on: bool) -> Result<(), crate::IpcError> {
    state.with_vault(|v| {
        // A clear error for an item that is not an OAuth2 client.
        let id = v.oauth_state(id)?.id;
        let detail = if on {
            "background renewal on"
        } else {
            "background renewal off"
        };
        v.apply_oauth(&id, detail, |c, _| {
            c.auto_renew = on;
            Ok(())
        })?;
        Ok(())
    })
}
