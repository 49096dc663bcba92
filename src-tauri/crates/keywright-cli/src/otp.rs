//! The 2FA subcommands: `totp`, `hotp`, `qr`, and `add totp`'s input.

use std::path::Path;

use keywright_core::credential::{NewItem, OtpAlgorithm, OtpParams, OtpType};
use keywright_core::otp::{self as core_otp, OtpAccount, STEAM_DIGITS, uri};
use keywright_core::vault::otp::new_otp_item;
use keywright_core::{Error, Result, Vault, timefmt};
use secrecy::SecretString;
use serde_json::json;

use crate::cli::{AddArgs, HotpArgs, QrArgs, TotpArgs};
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
