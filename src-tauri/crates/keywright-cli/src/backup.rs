//! `backup` (a snapshot now), `backup list`, `backup auto [on|off]`, `restore SNAPSHOT --to
//! NEW.db`, and the automatic backup every command runs when it closes the vault.

use std::path::{Path, PathBuf};

use keywright_core::vault::backup::{self, AutoBackup, BackupConfig, BackupInfo, RestoreOptions};
use keywright_core::{Error, Result, Vault, timefmt};
use serde_json::{Value, json};

use crate::cli::{BackupAction, BackupArgs, OnOff, RestoreArgs};
use crate::commands::{Ctx, Out, emit, emit_json};
use crate::input::Input;
use crate::unlock::{notice, open_unlocked};

/// What the automatic backup at the end of a command did: quiet when it worked or had
/// nothing to do; a warning on stderr when it failed (the command itself still succeeds).
pub fn report_auto(r: Result<AutoBackup>) {
    match r {
        Err(e) => notice(&format!(
            "warning: the automatic backup failed: {e} (the command itself succeeded; \
             `keywright backup auto` shows the setting)"
        )),
        Ok(AutoBackup::Done {
            prune_error: Some(e),
            ..
        }) => notice(&format!(
            "warning: the automatic backup was taken, but old backups were not thinned: {e}"
        )),
        Ok(_) => {}
    }
}

fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::Io {
        action: "cannot use",
        path: p.to_path_buf(),
        source: e,
    })
}

/// `12 KiB`, `3.4 MiB`.
pub(crate) fn size_text(bytes: u64) -> String {
    const K: f64 = 1024.0;
    let b = bytes as f64;
    if b < K {
        format!("{bytes} B")
    } else if b < K * K {
        format!("{:.0} KiB", b / K)
    } else if b < K * K * K {
        format!("{:.1} MiB", b / K / K)
    } else {
        format!("{:.2} GiB", b / K / K / K)
    }
}

fn backup_json(b: &BackupInfo) -> Value {
    json!({
        "path": b.path,
        "taken_at": timefmt::rfc3339(b.taken_at),
        "size": b.size,
        "items": b.items,
    })
}

fn list_json(b: &BackupInfo) -> Value {
    json!({
        "path": b.path,
        "taken_at": timefmt::rfc3339(b.taken_at),
        "size": b.size,
        "items": b.items,
        "complete": b.complete,
    })
}

/// `keywright backup [--to DIR]`, `backup list`, `backup auto [on|off]`.
pub fn backup(ctx: &Ctx, a: BackupArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let to = a.to.as_deref().map(absolute).transpose()?;
    match a.action {
        None => now(ctx, to.as_deref(), input, out),
        Some(BackupAction::List) => list(ctx, to.as_deref(), input, out),
        Some(BackupAction::Auto(args)) => auto(ctx, args.state, to, input, out),
    }
}

fn now(ctx: &Ctx, to: Option<&Path>, input: &mut Input, out: Out<'_>) -> Result<()> {
    // With a folder, the snapshot needs no key: no unlock (a cron job can run it).
    let mut vault = match to {
        Some(_) => Vault::open(&ctx.path)?,
        None => open_unlocked(&ctx.path, input)?,
    };
    let b = vault.backup_now(to, timefmt::now())?;
    if ctx.json {
        return emit_json(out, &backup_json(&b));
    }
    emit(
        out,
        &format!(
            "Backed up to {} ({}, {} item(s)). It opens with the vault's password or recovery \
             code: `keywright --vault {} list`.",
            b.path.display(),
            size_text(b.size),
            b.items.unwrap_or(0),
            crate::trash::shell_word(&b.path.to_string_lossy())
        ),
    )
}

/// The folder to list and the vault id to list for: `--to` without unlocking (the vault
/// file, when there is one, only gives its id), else the vault's setting.
fn folder_and_id(
    ctx: &Ctx,
    to: Option<&Path>,
    input: &mut Input,
) -> Result<(PathBuf, Option<String>)> {
    match to {
        Some(dir) => match Vault::open(&ctx.path) {
            Ok(v) => Ok((dir.to_path_buf(), Some(v.vault_id().to_owned()))),
            Err(Error::NoVault { .. }) => Ok((dir.to_path_buf(), None)),
            Err(e) => Err(e),
        },
        None => {
            let v = open_unlocked(&ctx.path, input)?;
            Ok((v.backup_folder()?, Some(v.vault_id().to_owned())))
        }
    }
}

fn mine(list: Vec<BackupInfo>, vault_id: Option<&str>) -> Vec<BackupInfo> {
    let Some(id) = vault_id else {
        return list;
    };
    let short = id.get(..8).unwrap_or(id);
    list.into_iter()
        .filter(|b| match &b.vault_id {
            Some(v) => v == id,
            // An incomplete file of this vault is listed (as incomplete), by its name.
            None => b
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(backup::parse_name)
                .is_some_and(|(s, _)| s == short),
        })
        .collect()
}

fn list(ctx: &Ctx, to: Option<&Path>, input: &mut Input, out: Out<'_>) -> Result<()> {
    let (dir, id) = folder_and_id(ctx, to, input)?;
    if !dir.exists() {
        notice(&format!(
            "{} does not exist (no backups there yet)",
            dir.display()
        ));
    }
    let found = mine(backup::list(&dir)?, id.as_deref());
    if ctx.json {
        return emit_json(out, &Value::Array(found.iter().map(list_json).collect()));
    }
    if found.is_empty() {
        return emit(out, &format!("No backups in {}.", dir.display()));
    }
    let mut lines = vec![format!("Backups in {} (newest first):", dir.display())];
    for b in &found {
        let name = b
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let state = match (&b.problem, b.items) {
            (Some(p), _) => format!("INCOMPLETE: {p}"),
            (None, Some(n)) => format!("{n} item(s)"),
            (None, None) => String::new(),
        };
        lines.push(format!(
            "  {}  {:>9}  {}  {state}",
            timefmt::rfc3339(b.taken_at),
            size_text(b.size),
            name
        ));
    }
    emit(out, &lines.join("\n"))
}

fn status_json(v: &Vault, cfg: &BackupConfig, found: &[BackupInfo]) -> Value {
    let folder = cfg
        .folder
        .clone()
        .unwrap_or_else(|| v.default_backup_folder());
    let last = found.iter().find(|b| b.complete);
    json!({
        "auto": cfg.auto,
        "folder": folder,
        "default_folder": cfg.folder.is_none(),
        "last_backup": last.map(backup_json),
        "backups": found.iter().filter(|b| b.complete).count(),
    })
}

fn auto(
    ctx: &Ctx,
    state: Option<OnOff>,
    to: Option<PathBuf>,
    input: &mut Input,
    out: Out<'_>,
) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let mut cfg = vault.backup_config()?;
    let mut first = None;
    match state {
        None if to.is_some() => {
            return Err(Error::InvalidInput {
                field: "to".into(),
                reason: "Give --to with `keywright backup auto on --to DIR`: it sets the folder \
                         automatic backups go to."
                    .into(),
            });
        }
        None => {}
        Some(OnOff::On) => {
            if let Some(dir) = to {
                cfg.folder = (dir != vault.default_backup_folder()).then_some(dir);
            }
            cfg.auto = true;
            vault.set_backup_config(&cfg)?;
            // The first one now: a folder that cannot be written says so at once.
            first = Some(vault.backup_now(None, timefmt::now())?);
        }
        Some(OnOff::Off) => {
            if to.is_some() {
                return Err(Error::InvalidInput {
                    field: "to".into(),
                    reason: "Give --to with `keywright backup auto on --to DIR`, not with `off`."
                        .into(),
                });
            }
            cfg.auto = false;
            vault.set_backup_config(&cfg)?;
        }
    }
    let folder = vault.backup_folder()?;
    let found = mine(backup::list(&folder)?, Some(vault.vault_id()));
    if ctx.json {
        return emit_json(out, &status_json(&vault, &cfg, &found));
    }
    let mut text = format!(
        "Automatic backups: {}\nFolder: {}{}",
        if cfg.auto { "on" } else { "off" },
        folder.display(),
        if cfg.folder.is_none() {
            " (the default: next to the vault file)"
        } else {
            ""
        }
    );
    match found.iter().find(|b| b.complete) {
        Some(b) => text.push_str(&format!(
            "\nLast backup: {} ({}, {} item(s)), {} in the folder",
            timefmt::rfc3339(b.taken_at),
            size_text(b.size),
            b.items.unwrap_or(0),
            found.iter().filter(|b| b.complete).count()
        )),
        None => text.push_str("\nLast backup: none yet"),
    }
    if let Some(b) = first {
        text.push_str(&format!("\nBacked up now to {}", b.path.display()));
    }
    if cfg.auto {
        text.push_str(
            "\nAfter changes (once the vault is quiet a minute, at least every 10 minutes while \
             it changes) and daily; kept: the last 10, one a day for 30 days, one a month.",
        );
    }
    emit(out, &text)
}

/// `restore NAME`: a backup file when `--to` is given (or NAME is one, to say `--to` is
/// missing), else the Trash's `restore`.
pub fn restore(ctx: &Ctx, a: RestoreArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let Some(to) = a.to else {
        if backup::is_keywright_file(Path::new(&a.name)) {
            return Err(Error::InvalidInput {
                field: "to".into(),
                reason: format!(
                    "{:?} is a Keywright backup or vault file. Give --to NEW.db to restore it \
                     as a new vault file: `keywright restore {} --to NEW.db`.",
                    a.name,
                    crate::trash::shell_word(&a.name)
                ),
            });
        }
        return crate::trash::restore(ctx, a, input, out);
    };
    let r = backup::restore(
        Path::new(&a.name),
        &to,
        &RestoreOptions {
            force: a.force,
            backup_dir: None,
        },
    )?;
    if ctx.json {
        return emit_json(
            out,
            &json!({
                "path": r.path,
                "from": r.from,
                "vault_id": r.vault_id,
                "items": r.items,
                "replaced_backup": r.replaced_backup.as_ref().map(backup_json),
            }),
        );
    }
    let mut text = format!(
        "Restored {} item(s) from {} to {}. It unlocks with the password (or recovery code) \
         the vault had when the backup was taken: `keywright --vault {} list`.",
        r.items,
        r.from.display(),
        r.path.display(),
        crate::trash::shell_word(&r.path.to_string_lossy())
    );
    if let Some(b) = &r.replaced_backup {
        text.push_str(&format!(
            "\nThe vault that was there is kept as {}.",
            b.path.display()
        ));
    }
    emit(out, &text)
}
