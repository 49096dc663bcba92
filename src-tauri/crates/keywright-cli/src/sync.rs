//! `sync` (one pass, or `--watch`), `sync init DIR`, `sync join DIR`, `sync status`,
//! `sync devices [remove ID]`, `conflicts`, `resolve NAME --keep ID`, `merge OTHER.db`.

use std::path::{Path, PathBuf};

use keywright_core::vault::revisions::{Conflict, MergeCounts};
use keywright_core::vault::sync::{JoinSecret, SyncReport, SyncStatus};
use keywright_core::{Error, Result, Vault, timefmt};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::cli::{MergeArgs, ResolveArgs, SyncAction, SyncArgs, SyncDevicesAction};
use crate::commands::{Ctx, Out, emit, emit_json};
use crate::input::Input;
use crate::unlock::{notice, open_unlocked};

fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::Io {
        action: "cannot use",
        path: p.to_path_buf(),
        source: e,
    })
}

fn when(ts: Option<i64>) -> Value {
    ts.map_or(Value::Null, |t| Value::from(timefmt::rfc3339(t)))
}

fn counts_text(c: &MergeCounts) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (c.added, "added"),
        (c.updated, "updated"),
        (c.deleted, "moved to the Trash"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    if c.conflicts > 0 {
        parts.push(format!(
            "{} new conflict(s): see `keywright conflicts`",
            c.conflicts
        ));
    }
    if parts.is_empty() {
        "no change".to_owned()
    } else {
        parts.join(", ")
    }
}

fn counts_json(c: &MergeCounts) -> Value {
    json!({
        "added": c.added,
        "updated": c.updated,
        "deleted": c.deleted,
        "conflicts": c.conflicts,
        "unchanged": c.unchanged,
    })
}

fn report_json(r: &SyncReport) -> Value {
    json!({
        "files_read": r.files_read,
        "merged": counts_json(&r.merged),
        "wrote": r.wrote,
        "sent": r.sent,
        "compacted": r.compacted,
        "refused": r.refused,
        "pending": r.pending,
        "notices": r.notices,
    })
}

fn report_text(r: &SyncReport) -> String {
    let read = if r.files_read == 0 {
        "nothing new from other devices".to_owned()
    } else {
        format!(
            "read {} file(s) from other devices ({})",
            r.files_read,
            counts_text(&r.merged)
        )
    };
    let wrote = match &r.wrote {
        Some(name) => format!("wrote {} change(s) to {name}", r.sent),
        None => "nothing new to write".to_owned(),
    };
    let mut s = format!("Synced: {read}; {wrote}.");
    if r.compacted {
        s.push_str(" Compacted this device's files into a snapshot.");
    }
    if r.pending > 0 {
        s.push_str(&format!(
            " {} file(s) of other devices wait for an earlier one the sync tool has not \
             brought yet.",
            r.pending
        ));
    }
    s
}

/// Refused files and notices go to stderr, one line each (never secret).
fn warn(r: &SyncReport) {
    for x in &r.refused {
        notice(&format!("refused {x}"));
    }
    for x in &r.notices {
        notice(x);
    }
}

pub fn sync(ctx: &Ctx, a: SyncArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    match a.action {
        None if a.watch => watch(ctx, a.interval, input, out),
        None => {
            let mut v = open_unlocked(&ctx.path, input)?;
            let r = v.sync_now()?;
            warn(&r);
            if ctx.json {
                emit_json(out, &report_json(&r))
            } else {
                emit(out, &report_text(&r))
            }
        }
        Some(SyncAction::Init(i)) => {
            let dir = absolute(&i.dir)?;
            let mut v = open_unlocked(&ctx.path, input)?;
            let r = v.sync_init(&dir, i.name.as_deref())?;
            warn(&r);
            let own = dir.join(v.vault_id()).join(v.device_id()?);
            if ctx.json {
                let mut j = report_json(&r);
                j["device_id"] = Value::from(v.device_id()?);
                j["dir"] = Value::from(dir.to_string_lossy().into_owned());
                return emit_json(out, &j);
            }
            emit(
                out,
                &format!(
                    "This vault now syncs through {}. This device writes only {}. On another \
                     device, share the same folder with your sync tool, then run \
                     `keywright sync join {}` there. {}",
                    dir.display(),
                    own.display(),
                    crate::trash::shell_word(&dir.to_string_lossy()),
                    report_text(&r)
                ),
            )
        }
        Some(SyncAction::Join(j)) => {
            let dir = absolute(&j.dir)?;
            if ctx.path.exists() {
                return Err(Error::VaultExists {
                    path: ctx.path.clone(),
                });
            }
            let secret = if j.recovery_stdin {
                if input.password_stdin() {
                    return Err(Error::InvalidInput {
                        field: "--recovery-stdin".into(),
                        reason: "cannot be used with --password-stdin: give one of them".into(),
                    });
                }
                let code = input.line()?.ok_or_else(|| Error::InvalidInput {
                    field: "recovery code".into(),
                    reason: "--recovery-stdin was given but stdin is empty".into(),
                })?;
                JoinSecret::Recovery(SecretString::from(code.to_string()))
            } else {
                let pw = input.password("Vault password: ")?;
                JoinSecret::Password(SecretString::from(pw.to_string()))
            };
            let (v, r) = Vault::sync_join(
                &dir,
                &ctx.path,
                &secret,
                j.vault_id.as_deref(),
                j.name.as_deref(),
            )?;
            warn(&r);
            let n = v.item_count()?;
            if ctx.json {
                let mut js = report_json(&r);
                js["device_id"] = Value::from(v.device_id()?);
                js["vault"] = Value::from(ctx.path.to_string_lossy().into_owned());
                js["items"] = Value::from(n);
                return emit_json(out, &js);
            }
            emit(
                out,
                &format!(
                    "Joined: {} holds the vault from {} ({n} item(s)); it opens with the same \
                     password. Run `keywright sync` (or `keywright sync --watch`) to keep it \
                     in step.",
                    ctx.path.display(),
                    dir.display()
                ),
            )
        }
        Some(SyncAction::Status) => {
            let mut v = open_unlocked(&ctx.path, input)?;
            let st = v.sync_status()?;
            if ctx.json {
                return emit_json(out, &status_json(&st));
            }
            emit(out, &status_text(&st))
        }
        Some(SyncAction::Devices(d)) => {
            let mut v = open_unlocked(&ctx.path, input)?;
            match d.action {
                Some(SyncDevicesAction::Remove(r)) => {
                    let id = v.sync_remove_device(&r.id)?;
                    // Tell the others now (best effort: the next pass does it otherwise).
                    if let Err(e) = v.sync_now() {
                        notice(&format!(
                            "the removal is kept and goes out at the next sync: {e}"
                        ));
                    }
                    if ctx.json {
                        return emit_json(out, &json!({ "removed": id }));
                    }
                    emit(
                        out,
                        &format!(
                            "Device {id} is removed: no device reads its folder any more. What it \
                             synced before stays, and it still knows the vault key: run \
                             `keywright rekey` if the device is lost or sold."
                        ),
                    )
                }
                None => {
                    let st = v.sync_status()?;
                    if ctx.json {
                        return emit_json(out, &status_json(&st)["devices"]);
                    }
                    let mut s = String::new();
                    for d in &st.devices {
                        s.push_str(&device_line(d));
                        s.push('\n');
                    }
                    emit(out, s.trim_end())
                }
            }
        }
    }
}

fn device_line(d: &keywright_core::vault::sync::DeviceInfo) -> String {
    format!(
        "{}  {}{}{}  last seen {}",
        d.id,
        if d.name.is_empty() {
            "(unnamed)"
        } else {
            &d.name
        },
        if d.this_device { " (this device)" } else { "" },
        if d.removed { " (removed)" } else { "" },
        d.last_seen
            .map_or_else(|| "never".to_owned(), timefmt::rfc3339)
    )
}

fn status_json(st: &SyncStatus) -> Value {
    json!({
        "device_id": st.device_id,
        "device_name": st.device_name,
        "dir": st.dir,
        "devices": st.devices.iter().map(|d| json!({
            "id": d.id,
            "name": d.name,
            "last_seen": when(d.last_seen),
            "this_device": d.this_device,
            "removed": d.removed,
        })).collect::<Vec<_>>(),
        "last_sync": when(st.last_sync),
        "pending": st.pending,
        "conflicts": st.conflicts,
    })
}

fn status_text(st: &SyncStatus) -> String {
    let Some(dir) = &st.dir else {
        return format!(
            "Sync is not set up for this vault (device {}). Run `keywright sync init DIR` with \
             a folder your sync tool shares, or `keywright sync join DIR` on a new device.",
            st.device_id
        );
    };
    let mut s = format!(
        "Syncing through {}\nLast sync: {}\nWaiting: {}\nConflicts: {}\nDevices:\n",
        dir.display(),
        st.last_sync
            .map_or_else(|| "never".to_owned(), timefmt::rfc3339),
        st.pending,
        st.conflicts
    );
    for d in &st.devices {
        s.push_str("  ");
        s.push_str(&device_line(d));
        s.push('\n');
    }
    s.trim_end().to_owned()
}

fn watch(ctx: &Ctx, interval: u64, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut v = open_unlocked(&ctx.path, input)?;
    if v.sync_dir()?.is_none() {
        // The same clear error as a single pass.
        v.sync_now()?;
    }
    if !ctx.json {
        emit(
            out,
            &format!("Syncing every {interval} s; stop with Ctrl+C."),
        )?;
    }
    loop {
        match v.sync_now() {
            Ok(r) => {
                warn(&r);
                let busy = r.files_read > 0 || r.wrote.is_some();
                if ctx.json {
                    emit_json(out, &report_json(&r))?;
                } else if busy {
                    emit(
                        out,
                        &format!("{} {}", timefmt::rfc3339(timefmt::now()), report_text(&r)),
                    )?;
                }
            }
            // A folder that is gone for a moment (unmounted) is not the end of the watch.
            Err(e @ Error::Sync { .. }) if e.to_string().contains("removed") => return Err(e),
            Err(e) => notice(&format!("sync failed, trying again in {interval} s: {e}")),
        }
        std::thread::sleep(std::time::Duration::from_secs(interval));
    }
}

fn conflict_json(c: &Conflict) -> Value {
    json!({
        "item_id": c.item_id,
        "name": c.name,
        "versions": c.versions.iter().map(|v| json!({
            "id": v.id,
            "device_id": v.device_id,
            "revision": v.revision.to_string(),
            "at": timefmt::rfc3339(v.at),
            "kept": v.kept,
            "deleted": v.deleted,
            "name": v.name,
        })).collect::<Vec<_>>(),
    })
}

pub fn conflicts(ctx: &Ctx, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut v = open_unlocked(&ctx.path, input)?;
    let list = v.conflicts()?;
    if ctx.json {
        return emit_json(out, &Value::Array(list.iter().map(conflict_json).collect()));
    }
    if list.is_empty() {
        return emit(out, "No conflicts.");
    }
    let mut s = String::new();
    for c in &list {
        s.push_str(&format!("{} ({})\n", c.name, c.item_id));
        for x in &c.versions {
            s.push_str(&format!(
                "  {}  {}  device {}  {}{}\n",
                x.id,
                timefmt::rfc3339(x.at),
                keywright_core::sync::clock::short_device(&x.device_id),
                if x.deleted {
                    "deletes the item".to_owned()
                } else {
                    format!("name {:?}", x.name.as_deref().unwrap_or(""))
                },
                if x.kept { "  (in force)" } else { "" }
            ));
        }
    }
    s.push_str("Keep one with `keywright resolve NAME --keep VERSION_ID`.");
    emit(out, &s)
}

pub fn resolve(ctx: &Ctx, a: ResolveArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut v = open_unlocked(&ctx.path, input)?;
    let list = v.conflicts()?;
    let id = match v.find(&a.name) {
        Ok(item) => item.id,
        Err(e) => match list.iter().find(|c| c.item_id == a.name.trim()) {
            Some(c) => c.item_id.clone(),
            None => return Err(e),
        },
    };
    if !list.iter().any(|c| c.item_id == id) {
        return Err(Error::InvalidInput {
            field: "name".into(),
            reason: format!(
                "{:?} has no conflict to resolve (`keywright conflicts` lists those that do)",
                a.name.trim()
            ),
        });
    }
    v.resolve_conflict(&id, &a.keep)?;
    if let Err(e) = v.sync_dir().and_then(|d| match d {
        Some(_) => v.sync_now().map(|_| ()),
        None => Ok(()),
    }) {
        notice(&format!("resolved here; it goes out at the next sync: {e}"));
    }
    if ctx.json {
        return emit_json(out, &json!({ "item_id": id, "kept": a.keep.trim() }));
    }
    emit(
        out,
        &format!(
            "Kept version {} of {:?}; the other versions are gone, on every device at its next sync.",
            a.keep.trim(),
            a.name.trim()
        ),
    )
}

pub fn merge(ctx: &Ctx, a: MergeArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let other = absolute(&a.other)?;
    if other == absolute(&ctx.path)? {
        return Err(Error::InvalidInput {
            field: "other".into(),
            reason: "is the vault itself; give another copy of it".into(),
        });
    }
    let mut v = open_unlocked(&ctx.path, input)?;
    let c = v.merge_file(&other, a.dry_run)?;
    if ctx.json {
        let mut j = counts_json(&c);
        j["dry_run"] = Value::from(a.dry_run);
        return emit_json(out, &j);
    }
    let verb = if a.dry_run {
        "Would merge (nothing was changed)"
    } else {
        "Merged"
    };
    emit(
        out,
        &format!(
            "{verb} {}: {}; {} version(s) already known.",
            other.display(),
            counts_text(&c),
            c.unchanged
        ),
    )
}
