//! `keywright export`: the 2FA seeds (otpauth, aegis) or the whole vault (json, keepassxc,
//! bitwarden). Every export asks for the vault password again, is recorded in the audit
//! log, and is written unencrypted: to a new 0600 file with --out (an existing one only
//! with --force), else to stdout.

use std::io::IsTerminal;
use std::path::Path;

use keywright_core::export::{self as vault_export, Format};
use keywright_core::otp::{OtpAccount, export as otp_export};
use keywright_core::{Error, Result, paths};
use serde_json::json;

use crate::cli::{ExportArgs, ExportFormatArg};
use crate::commands::{Ctx, Out, emit, emit_json, written};
use crate::input::Input;
use crate::otp::open_with_password;
use crate::unlock::notice;

const UNENCRYPTED: &str = "unencrypted: keep it safe, delete it when done";

pub fn export(ctx: &Ctx, a: ExportArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let format = match a.format {
        ExportFormatArg::Otpauth | ExportFormatArg::Aegis => {
            return otp_seeds(ctx, a, input, out);
        }
        ExportFormatArg::Json => Format::Json,
        ExportFormatArg::Keepassxc => Format::Keepassxc,
        ExportFormatArg::Bitwarden => Format::Bitwarden,
    };
    // An existing --out is refused before the password is asked for (and the vault opened);
    // the write checks again, atomically.
    if let Some(path) = &a.out {
        refuse_existing(path, a.force)?;
    }
    let mut vault = open_with_password(&ctx.path, input, "export the whole vault")?;
    let done = vault_export::export(&mut vault, format)?;
    for l in &done.left_out {
        notice(&format!(
            "not exported: {}: {}",
            l.name.as_deref().unwrap_or(&l.id),
            l.reason
        ));
    }
    let Some(path) = &a.out else {
        if std::io::stdout().is_terminal() {
            notice("the export is not encrypted: it holds every secret in the vault");
        }
        return written(std::io::Write::write_all(out, done.body.as_bytes()));
    };
    paths::write_private_atomic(path, done.body.as_bytes(), a.force)?;
    if ctx.json {
        let kinds: serde_json::Map<String, serde_json::Value> = done
            .summary
            .by_kind()
            .map(|(k, n)| (k.as_str().to_owned(), json!(n)))
            .collect();
        let left_out: Vec<_> = done
            .left_out
            .iter()
            .map(|l| json!({"id": l.id, "name": l.name, "reason": l.reason}))
            .collect();
        emit_json(
            out,
            &json!({
                "exported": done.summary.total(),
                "path": path,
                "format": format.name(),
                "kinds": kinds,
                "left_out": left_out,
            }),
        )
    } else {
        let mut msg = format!(
            "Exported {} to {} ({UNENCRYPTED})",
            done.summary.describe(),
            path.display()
        );
        if !done.left_out.is_empty() {
            msg.push_str(&format!(
                "\n{} damaged item(s) could not be exported (named above)",
                done.left_out.len()
            ));
        }
        emit(out, &msg)
    }
}

/// `--out` names something that exists and --force was not given.
pub(crate) fn refuse_existing(path: &Path, force: bool) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(Error::InvalidInput {
            field: "output file".into(),
            reason: format!("{} is a directory", path.display()),
        }),
        Ok(_) if !force => Err(Error::InvalidInput {
            field: "output file".into(),
            reason: format!("{} exists; use --force to overwrite it", path.display()),
        }),
        _ => Ok(()),
    }
}

/// The 2FA exports: every seed as otpauth:// lines or an Aegis plain vault.
fn otp_seeds(ctx: &Ctx, a: ExportArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_with_password(&ctx.path, input, "export every 2FA seed")?;
    let accounts = vault.otp_accounts_audited("export")?;
    let (body, name) = match a.format {
        ExportFormatArg::Aegis => (otp_export::aegis_json(&accounts)?, "aegis"),
        _ => {
            let list: Vec<OtpAccount> = accounts.iter().map(|(_, acc)| acc.clone()).collect();
            (otp_export::otpauth_list(&list), "otpauth")
        }
    };
    match &a.out {
        Some(path) => {
            paths::write_private_atomic(path, body.as_bytes(), a.force)?;
            if ctx.json {
                emit_json(
                    out,
                    &json!({"exported": accounts.len(), "path": path, "format": name}),
                )
            } else {
                emit(
                    out,
                    &format!(
                        "Exported {} 2FA items to {} ({UNENCRYPTED})",
                        accounts.len(),
                        path.display()
                    ),
                )
            }
        }
        None => {
            if std::io::stdout().is_terminal() {
                notice("the export is not encrypted: it holds every 2FA seed");
            }
            written(std::io::Write::write_all(out, body.as_bytes()))
        }
    }
}
