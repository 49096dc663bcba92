//! The 2FA subcommands: `totp`, `hotp`, `import`, `export`, `qr`, and `add totp`'s input.

use std::io::{IsTerminal, Read};
use std::path::Path;

use keywright_core::credential::{NewItem, OtpAlgorithm, OtpParams, OtpType};
use keywright_core::limits::MAX_IMPORT_BYTES;
use keywright_core::otp::import::{self, Format};
use keywright_core::otp::{self as core_otp, OtpAccount, STEAM_DIGITS, uri};
use keywright_core::vault::otp::{ImportPlan, PlanStatus, new_otp_item};
use keywright_core::{Error, Result, Vault, timefmt};
use secrecy::SecretString;
use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::{AddArgs, HotpArgs, ImportArgs, ImportFormatArg, QrArgs, TotpArgs};
use crate::commands::{Ctx, Out, emit, emit_json};
use crate::input::Input;
use crate::unlock::open_unlocked;

/// Seconds a copied code stays on the clipboard.
const CLIPBOARD_CLEAR_S: u64 = 30;

/// `add totp`'s flags, checked before the secret is read.
pub struct OtpFlags {
    otp_type: Option<OtpType>,
    algorithm: Option<OtpAlgorithm>,
    digits: Option<u8>,
    period: Option<u32>,
    counter: Option<u64>,
    issuer: Option<String>,
}

impl OtpFlags {
    pub fn from_args(a: &AddArgs) -> Result<Self> {
        let otp_type = a
            .otp_type
            .as_deref()
            .map(|t| match t.trim().to_ascii_lowercase().as_str() {
                "totp" => Ok(OtpType::Totp),
                "hotp" => Ok(OtpType::Hotp),
                "steam" => Ok(OtpType::Steam),
                other => Err(Error::InvalidInput {
                    field: "type".into(),
                    reason: format!("{other:?}; use totp, hotp or steam"),
                }),
            })
            .transpose()?;
        Ok(OtpFlags {
            otp_type,
            algorithm: a
                .algorithm
                .as_deref()
                .map(OtpAlgorithm::parse)
                .transpose()?,
            digits: a.digits,
            period: a.period,
            counter: a.counter,
            issuer: a.otp_issuer.clone().or_else(|| a.issuer.clone()),
        })
    }

    /// The item for `value`: an otpauth:// URI (flags override its parameters) or a bare
    /// base32 seed (flags or the defaults).
    pub fn new_item(&self, name: &str, value: &str, account: Option<&str>) -> Result<NewItem> {
        let mut acc = if value
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("otpauth")
        {
            uri::parse(value)?
        } else {
            OtpAccount::from_base32(value, OtpParams::default())?
        };
        if let Some(t) = self.otp_type {
            acc.params.otp_type = t;
        }
        if let Some(a) = self.algorithm {
            acc.params.algorithm = a;
        }
        if let Some(d) = self.digits {
            acc.params.digits = d;
        }
        if let Some(p) = self.period {
            acc.params.period = p;
        }
        if acc.params.otp_type == OtpType::Steam {
            acc.params.digits = STEAM_DIGITS;
            acc.params.period = 30;
        }
        if let Some(c) = self.counter {
            acc.counter = c;
        }
        if let Some(i) = &self.issuer {
            acc.issuer = Some(i.clone());
        }
        if let Some(u) = account {
            acc.account = Some(u.to_owned());
        }
        Ok(new_otp_item(name.to_owned(), &acc))
    }
}

pub fn totp(ctx: &Ctx, a: TotpArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    // Checked before the vault is opened (and before any password is asked for).
    let at =
        a.at.as_deref()
            .map(|t| timefmt::parse_timestamp("--at", t))
            .transpose()?;
    let mut vault = open_unlocked(&ctx.path, input)?;
    let item = vault.find(&a.name)?;
    let at = at.unwrap_or_else(timefmt::now);
    let code = vault.totp(&item.id, at)?;
    let remaining = code.remaining_s(at);
    let copied = if a.copy {
        crate::clipboard::copy(&code.code, CLIPBOARD_CLEAR_S)?;
        vault.record_copy(&item.id, "code")?;
        true
    } else {
        false
    };
    if ctx.json {
        let mut v = json!({
            "code": code.code.as_str(),
            "period": code.period,
            "remaining_s": remaining,
            "valid_until": timefmt::rfc3339(code.valid_until),
        });
        if copied {
            v["copied"] = json!({"clear_after_s": CLIPBOARD_CLEAR_S});
        }
        emit_json(out, &v)
    } else if copied {
        emit(
            out,
            &format!(
                "Copied the code of {} ({remaining} s left); the clipboard clears in {CLIPBOARD_CLEAR_S} s",
                item.overview.name
            ),
        )
    } else {
        emit(out, &code.code)
    }
}

pub fn hotp(ctx: &Ctx, a: HotpArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let item = vault.find(&a.name)?;
    let (code, counter) = vault.next_hotp(&item.id)?;
    if a.copy {
        crate::clipboard::copy(&code, CLIPBOARD_CLEAR_S)?;
        vault.record_copy(&item.id, "code")?;
    }
    if ctx.json {
        let mut v = json!({"code": code.as_str(), "counter": counter});
        if a.copy {
            v["copied"] = json!({"clear_after_s": CLIPBOARD_CLEAR_S});
        }
        emit_json(out, &v)
    } else if a.copy {
        emit(
            out,
            &format!(
                "Copied the code of {} (counter {counter}); the clipboard clears in {CLIPBOARD_CLEAR_S} s",
                item.overview.name
            ),
        )
    } else {
        emit(out, &code)
    }
}

fn format_of(f: ImportFormatArg) -> Format {
    match f {
        ImportFormatArg::Otpauth => Format::Otpauth,
        ImportFormatArg::Qr => Format::Qr,
        ImportFormatArg::GoogleMigration => Format::GoogleMigration,
        ImportFormatArg::Aegis => Format::Aegis,
        ImportFormatArg::TwoFas => Format::TwoFas,
        ImportFormatArg::Ente => Format::Ente,
    }
}

/// The import file, or stdin for `-`: at most `MAX_IMPORT_BYTES` are read, and a larger
/// source is refused without reading it all (`/dev/zero` and endless pipes included).
fn read_source(format: Format, file: &str, input: &mut Input) -> Result<Zeroizing<Vec<u8>>> {
    if file == "-" {
        // With --password-stdin, the password line(s) came first; the rest is the file.
        return input.rest_bytes();
    }
    let io = |e: std::io::Error| Error::Io {
        action: "cannot read",
        path: file.into(),
        source: e,
    };
    let f = std::fs::File::open(file).map_err(io)?;
    let mut buf = Zeroizing::new(Vec::new());
    f.take(MAX_IMPORT_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(io)?;
    import::check_size(format, buf.len())?;
    Ok(buf)
}

pub fn import(ctx: &Ctx, a: ImportArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let format = format_of(a.format);
    let mut vault = open_unlocked(&ctx.path, input)?;
    // With --password-stdin the line after the vault password is the export's password
    // (for the formats that can be encrypted); then, with FILE = -, the file itself.
    let can_encrypt = matches!(format, Format::Aegis | Format::TwoFas | Format::Ente);
    let mut password: Option<SecretString> = if input.password_stdin() && can_encrypt {
        input.line()?.map(|l| SecretString::from(l.to_string()))
    } else {
        None
    };
    let data = read_source(format, &a.file, input)?;
    if password.is_none() && import::is_encrypted(format, &data) {
        if std::io::stdin().is_terminal() && a.file != "-" {
            let p =
                Input::prompt_hidden(&format!("Password of the {} export: ", format.display()))?;
            password = Some(SecretString::from(p.to_string()));
        } else {
            return Err(Error::ImportPasswordNeeded {
                format: format.display(),
            });
        }
    }
    let entries = import::parse(format, &data, password.as_ref())?;
    drop(data);
    let plan = vault.plan_import(entries)?;
    if a.strict
        && let Some(e) = plan.first_invalid()
    {
        return Err(Error::InvalidInput {
            field: format!("{} (--strict: nothing was imported)", e_field(&e)),
            reason: e_reason(&e),
        });
    }
    let added = if a.dry_run {
        Vec::new()
    } else {
        vault.apply_import(&plan)?
    };
    report_import(ctx, format, &plan, a.dry_run, added.len(), out)
}

fn e_field(e: &Error) -> String {
    match e {
        Error::InvalidInput { field, .. } => field.clone(),
        _ => "entry".into(),
    }
}

fn e_reason(e: &Error) -> String {
    match e {
        Error::InvalidInput { reason, .. } => reason.clone(),
        e => e.to_string(),
    }
}

fn status_name(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::New => "new",
        PlanStatus::Duplicate => "duplicate",
        PlanStatus::Invalid => "invalid",
    }
}

fn type_name(t: OtpType) -> &'static str {
    match t {
        OtpType::Totp => "totp",
        OtpType::Hotp => "hotp",
        OtpType::Steam => "steam",
    }
}

fn report_import(
    ctx: &Ctx,
    format: Format,
    plan: &ImportPlan,
    dry_run: bool,
    added: usize,
    out: Out<'_>,
) -> Result<()> {
    let (new, dup, bad) = (
        plan.count(PlanStatus::New),
        plan.count(PlanStatus::Duplicate),
        plan.count(PlanStatus::Invalid),
    );
    if ctx.json {
        let rows: Vec<_> = plan
            .rows
            .iter()
            .map(|r| {
                let acc = r.account.as_ref();
                json!({
                    "position": r.position,
                    "label": r.label,
                    "status": status_name(r.status),
                    "name": r.name,
                    "issuer": acc.and_then(|a| a.issuer.clone()),
                    "account": acc.and_then(|a| a.account.clone()),
                    "type": acc.map(|a| type_name(a.params.otp_type)),
                    "digits": acc.map(|a| a.params.digits),
                    "period": acc.map(|a| core_otp::period_of(&a.params)),
                    "reason": r.reason,
                    "duplicate_of": r.duplicate_of,
                })
            })
            .collect();
        return emit_json(
            out,
            &json!({
                "format": format.name(),
                "dry_run": dry_run,
                "rows": rows,
                "new": new,
                "duplicates": dup,
                "invalid": bad,
                "added": added,
            }),
        );
    }
    let mut text = String::new();
    for r in &plan.rows {
        let what = match r.status {
            PlanStatus::New => r.name.clone().unwrap_or_default(),
            PlanStatus::Duplicate => format!(
                "already in the vault as {:?}",
                r.duplicate_of.clone().unwrap_or_default()
            ),
            PlanStatus::Invalid => r.reason.clone().unwrap_or_default(),
        };
        text.push_str(&format!(
            "{:<22} {:<9}  {what}\n",
            r.label,
            status_name(r.status)
        ));
    }
    if dry_run {
        text.push_str(&format!(
            "Dry run: {new} new, {dup} duplicate, {bad} invalid; nothing was saved."
        ));
    } else {
        text.push_str(&format!(
            "Imported {added} {} from the {} export; skipped {dup} duplicate and {bad} invalid.",
            if added == 1 { "code" } else { "codes" },
            format.display()
        ));
    }
    emit(out, &text)
}

/// Exports show every seed: the vault password is asked for again, whatever session or
/// keyring could unlock the vault.
pub(crate) fn open_with_password(path: &Path, input: &mut Input, why: &str) -> Result<Vault> {
    let mut vault = Vault::open(path)?;
    let pw = input.password(&format!("Vault password (to {why}): "))?;
    vault.unlock_with_password(&SecretString::from(pw.to_string()))?;
    Ok(vault)
}

/// Write `bytes` to a new owner-only file (or replace it with --force; never through a
/// symlink, never keeping an old file's mode).
fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    keywright_core::paths::write_private_atomic(path, bytes, force)
}

pub fn qr(ctx: &Ctx, a: QrArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_with_password(&ctx.path, input, "show a 2FA seed as a QR code")?;
    let item = vault.find(&a.name)?;
    let acc = vault.otp_account(&item.id)?;
    vault.record_reveal(&item.id)?;
    let link = uri::to_uri(&acc);
    match &a.out {
        Some(path) => {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default()
                .to_ascii_lowercase();
            let bytes = match ext.as_str() {
                "png" => core_otp::qr::png(&link)?,
                "svg" => core_otp::qr::svg(&link)?.into_bytes(),
                _ => {
                    return Err(Error::InvalidInput {
                        field: "--out".into(),
                        reason: format!("{} must end in .png or .svg", path.display()),
                    });
                }
            };
            write_private(path, &bytes, a.force)?;
            if ctx.json {
                emit_json(out, &json!({"name": item.overview.name, "path": path}))
            } else {
                emit(
                    out,
                    &format!(
                        "Wrote the QR code of {} to {}",
                        item.overview.name,
                        path.display()
                    ),
                )
            }
        }
        None => {
            if ctx.json {
                return Err(Error::InvalidInput {
                    field: "--json".into(),
                    reason: "a QR code is drawn, not printed as JSON; use --out FILE.png".into(),
                });
            }
            let code = qrcode::QrCode::new(link.as_bytes()).map_err(|e| Error::InvalidInput {
                field: "QR code".into(),
                reason: e.to_string(),
            })?;
            let drawn = code
                .render::<qrcode::render::unicode::Dense1x2>()
                .dark_color(qrcode::render::unicode::Dense1x2::Light)
                .light_color(qrcode::render::unicode::Dense1x2::Dark)
                .quiet_zone(true)
                .build();
            emit(
                out,
                &format!(
                    "{drawn}\nScan with your phone's authenticator: {}",
                    item.overview.name
                ),
            )
        }
    }
}
