//! The Codes view and the import wizard: live codes, copy, HOTP, import preview/commit.

use std::io::Read as _;
use std::path::Path;

use base64::Engine as _;
use keywright_core::Error as CoreError;
use keywright_core::credential::OtpType;
use keywright_core::limits::MAX_IMPORT_BYTES;
use keywright_core::otp::{self, TimedCode, import};
use keywright_core::timefmt;
use keywright_core::vault::Item;
use keywright_core::vault::otp::{ImportPlan, PlanStatus};
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::dto::{
    Copied, HotpCode, ImportFormat, ImportPreview, ImportRow, ImportSource, ImportStatus,
    ImportSummary, OtpCode, OtpCodes,
};
use crate::error::{ErrorKind, IpcError};
use crate::state::AppState;

/// An import previewed in the window and waiting for "Import".
pub struct PendingImport {
    id: String,
    plan: ImportPlan,
}

fn to_core(f: ImportFormat) -> import::Format {
    match f {
        ImportFormat::Otpauth => import::Format::Otpauth,
        ImportFormat::Qr => import::Format::Qr,
        ImportFormat::GoogleMigration => import::Format::GoogleMigration,
        ImportFormat::Aegis => import::Format::Aegis,
        ImportFormat::TwoFas => import::Format::TwoFas,
        ImportFormat::Ente => import::Format::Ente,
    }
}

fn from_core(f: import::Format) -> ImportFormat {
    match f {
        import::Format::Otpauth => ImportFormat::Otpauth,
        import::Format::Qr => ImportFormat::Qr,
        import::Format::GoogleMigration => ImportFormat::GoogleMigration,
        import::Format::Aegis => ImportFormat::Aegis,
        import::Format::TwoFas => ImportFormat::TwoFas,
        import::Format::Ente => ImportFormat::Ente,
    }
}

fn code_dto(item: &Item, timed: Option<&TimedCode>, counter: Option<u64>) -> OtpCode {
    let ov = &item.overview;
    let params = ov.otp.unwrap_or_default();
    let (code, next_code, valid_from, valid_until) = match timed {
        Some(t) => (
            Some(t.code.to_string()),
            Some(t.next_code.to_string()),
            t.valid_from,
            t.valid_until,
        ),
        None => (None, None, 0, 0),
    };
    OtpCode {
        id: item.id.clone(),
        name: ov.name.clone(),
        issuer: ov.issuer.clone(),
        account: ov.username.clone(),
        tags: ov.tags.clone(),
        otp_type: params.otp_type,
        digits: params.digits,
        period: otp::period_of(&params),
        code,
        next_code,
        valid_from,
        valid_until,
        counter,
    }
}

pub fn otp_codes(state: &AppState) -> Result<OtpCodes, IpcError> {
    let now = timefmt::now();
    let (views, damaged) = state.with_vault(|v| Ok(v.otp_codes(now)?))?;
    let codes = views
        .iter()
        .map(|view| code_dto(&view.item, view.timed.as_ref(), view.counter))
        .collect();
    Ok(OtpCodes {
        now,
        codes,
        damaged: u32::try_from(damaged.len()).unwrap_or(u32::MAX),
    })
}

/// One 2FA item's code (its detail pane), in the shape of `otp_codes`: only this item's
/// seed is opened. A HOTP item has no code until asked (`hotp_next`).
pub fn otp_code(state: &AppState, id: &str) -> Result<OtpCodes, IpcError> {
    let now = timefmt::now();
    let (item, timed) = state.with_vault(|v| {
        let item = v.find(id)?;
        let hotp = item.overview.otp.unwrap_or_default().otp_type == OtpType::Hotp;
        let timed = if hotp {
            None
        } else {
            Some(v.totp(&item.id, now)?)
        };
        Ok((item, timed))
    })?;
    Ok(OtpCodes {
        now,
        codes: vec![code_dto(&item, timed.as_ref(), None)],
        damaged: 0,
    })
}

/// Put `text` on the clipboard and schedule its clearing.
fn copy_text(state: &AppState, text: &str) -> Result<Copied, IpcError> {
    Ok(Copied {
        clear_after_s: state.copy_text(text)?,
    })
}

/// Copy the current code of a TOTP or Steam item (computed now, in Rust).
pub fn otp_copy(state: &AppState, id: &str) -> Result<Copied, IpcError> {
    let code = state.with_vault(|v| Ok(v.totp(id, timefmt::now())?))?;
    let copied = copy_text(state, &code.code)?;
    state.with_vault(|v| Ok(v.record_copy(id, "code")?))?;
    Ok(copied)
}

/// The next HOTP code (the counter is advanced before the code leaves the vault).
pub fn hotp_next(state: &AppState, id: &str, copy: bool) -> Result<HotpCode, IpcError> {
    let (code, counter) = state.with_vault(|v| Ok(v.next_hotp(id)?))?;
    let copied = if copy {
        let c = copy_text(state, &code)?;
        state.with_vault(|v| Ok(v.record_copy(id, "code")?))?;
        Some(c)
    } else {
        None
    };
    Ok(HotpCode {
        code: code.to_string(),
        counter,
        copied,
    })
}

fn too_large() -> IpcError {
    IpcError::invalid(
        "source",
        format!(
            "it is larger than {MAX_IMPORT_BYTES} bytes ({} MiB), the most Keywright imports; \
             this is not an authenticator export",
            MAX_IMPORT_BYTES >> 20
        ),
    )
}

fn read_source(source: ImportSource) -> Result<Zeroizing<Vec<u8>>, IpcError> {
    match source {
        ImportSource::Text { text } => {
            let text = Zeroizing::new(text);
            if text.len() > MAX_IMPORT_BYTES {
                return Err(too_large());
            }
            Ok(Zeroizing::new(text.as_bytes().to_vec()))
        }
        ImportSource::Bytes { name, base64 } => {
            let base64 = Zeroizing::new(base64);
            // 4 base64 characters per 3 bytes (and a little room for line breaks).
            if base64.len() / 4 * 3 > MAX_IMPORT_BYTES + 3 {
                return Err(too_large());
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(base64.trim())
                .map(Zeroizing::new)
                .map_err(|_| {
                    IpcError::invalid("source", format!("{name}: could not read the file"))
                })?;
            if bytes.len() > MAX_IMPORT_BYTES {
                return Err(too_large());
            }
            Ok(bytes)
        }
        ImportSource::File { path } => read_import_file(Path::new(&path)),
    }
}

/// The file the window names, if it is an ordinary file: not a directory, device, FIFO or
/// socket, nothing under /proc, /sys or /dev (their files claim a size of 0 and can be
/// endless or hold other programs' secrets), not empty and at most `MAX_IMPORT_BYTES`.
/// Reading stops at the limit whatever the file claims.
fn read_import_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, IpcError> {
    let io = |e: std::io::Error| {
        IpcError::from(CoreError::Io {
            action: "cannot read",
            path: path.into(),
            source: e,
        })
    };
    let shown = path.display();
    let real = std::fs::canonicalize(path).map_err(io)?;
    if ["/proc", "/sys", "/dev"]
        .iter()
        .any(|system| real.starts_with(system))
    {
        return Err(IpcError::invalid(
            "source",
            format!("{shown} is a system file, not an authenticator export"),
        ));
    }
    let not_regular = || IpcError::invalid("source", format!("{shown} is not a regular file"));
    // Checked before opening (opening a FIFO would wait for a writer) and again on the
    // opened file.
    if !std::fs::metadata(&real).map_err(io)?.file_type().is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(&real).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.file_type().is_file() {
        return Err(not_regular());
    }
    if meta.len() == 0 {
        return Err(IpcError::invalid("source", format!("{shown} is empty")));
    }
    if meta.len() > MAX_IMPORT_BYTES as u64 {
        return Err(too_large());
    }
    let mut data = Zeroizing::new(Vec::new());
    file.take(MAX_IMPORT_BYTES as u64 + 1)
        .read_to_end(&mut data)
        .map_err(io)?;
    if data.len() > MAX_IMPORT_BYTES {
        return Err(too_large());
    }
    Ok(data)
}

fn new_id() -> Result<String, IpcError> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| IpcError::internal(e.to_string()))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Parse the source (detecting its format when `format` is `None`), check it against the
/// vault and keep the result for `import_commit`.
pub fn import_preview(
    state: &AppState,
    source: ImportSource,
    format: Option<ImportFormat>,
    password: Option<SecretString>,
) -> Result<ImportPreview, IpcError> {
    // Locked (or no vault): refused before the source is read or parsed.
    state.with_vault(|_| Ok(()))?;
    state.drop_pending_import();
    let data = read_source(source)?;
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(IpcError::invalid(
            "source",
            "nothing to import: choose a file, drop one, or paste otpauth:// links",
        ));
    }
    let format = match format {
        Some(f) => to_core(f),
        None => import::detect(&data).ok_or_else(|| {
            IpcError::new(
                ErrorKind::ImportFailed,
                "this is not an export Keywright recognises (otpauth:// links, a QR image, a \
                 Google Authenticator export, or an Aegis, 2FAS or Ente Auth export)",
            )
        })?,
    };
    if password.is_none() && import::is_encrypted(format, &data) {
        return Err(CoreError::ImportPasswordNeeded {
            format: format.display(),
        }
        .into());
    }
    let entries = import::parse(format, &data, password.as_ref())?;
    drop(data);
    let plan = state.with_vault(|v| Ok(v.plan_import(entries)?))?;
    let rows: Vec<ImportRow> = plan
        .rows
        .iter()
        .map(|r| {
            let acc = r.account.as_ref();
            ImportRow {
                position: u32::try_from(r.position).unwrap_or(u32::MAX),
                label: r.label.clone(),
                status: match r.status {
                    PlanStatus::New => ImportStatus::New,
                    PlanStatus::Duplicate => ImportStatus::Duplicate,
                    PlanStatus::Invalid => ImportStatus::Invalid,
                },
                name: r.name.clone(),
                issuer: acc.and_then(|a| a.issuer.clone()),
                account: acc.and_then(|a| a.account.clone()),
                otp_type: acc.map(|a| a.params.otp_type),
                digits: acc.map(|a| a.params.digits),
                period: acc
                    .filter(|a| a.params.otp_type != OtpType::Hotp)
                    .map(|a| otp::period_of(&a.params)),
                reason: r.reason.clone(),
                duplicate_of: r.duplicate_of.clone(),
            }
        })
        .collect();
    let count = |s| u32::try_from(plan.count(s)).unwrap_or(u32::MAX);
    let preview = ImportPreview {
        id: new_id()?,
        format: from_core(format),
        new_count: count(PlanStatus::New),
        duplicate_count: count(PlanStatus::Duplicate),
        invalid_count: count(PlanStatus::Invalid),
        rows,
    };
    *state
        .pending_import
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(PendingImport {
        id: preview.id.clone(),
        plan,
    });
    Ok(preview)
}

/// Save the previewed import's new entries in one transaction.
pub fn import_commit(state: &AppState, id: &str) -> Result<ImportSummary, IpcError> {
    let pending = state
        .pending_import
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let pending = match pending {
        Some(p) if p.id == id => p,
        _ => {
            return Err(IpcError::invalid(
                "import",
                "this preview is no longer available (the vault was locked or another import \
                 started); preview the file again",
            ));
        }
    };
    let added = state.with_vault(|v| Ok(v.apply_import(&pending.plan)?))?;
    Ok(ImportSummary {
        added: added.into_iter().map(|i| i.overview.name).collect(),
        skipped_duplicates: u32::try_from(pending.plan.count(PlanStatus::Duplicate))
            .unwrap_or(u32::MAX),
        skipped_invalid: u32::try_from(pending.plan.count(PlanStatus::Invalid)).unwrap_or(u32::MAX),
    })
}

/// Forget a previewed import.
pub fn import_cancel(state: &AppState, id: &str) {
    let mut guard = state
        .pending_import
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if guard.as_ref().is_some_and(|p| p.id == id) {
        *guard = None;
    }
}
