//! The import wizard: preview (new / duplicate / invalid, each with its reason; which rows
//! are offered ticked), then commit the rows the user chose, in one transaction.

use std::io::Read as _;
use std::path::Path;

use base64::Engine as _;
use keywright_core::Error as CoreError;
use keywright_core::credential::OtpType;
use keywright_core::import::{self, Format, Options, Source};
use keywright_core::limits::MAX_IMPORT_BYTES;
use keywright_core::otp::{self, import::Format as OtpFormat};
use keywright_core::vault::import::{Choice, ImportPlan, PlanStatus};
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::dto::{
    ImportFormat, ImportOptions, ImportPreview, ImportRow, ImportSource, ImportStatus,
    ImportSummary,
};
use crate::error::{ErrorKind, IpcError};
use crate::state::AppState;

/// An import previewed in the window and waiting for "Import".
pub struct PendingImport {
    id: String,
    plan: ImportPlan,
}

fn to_core(f: ImportFormat) -> Format {
    match f {
        ImportFormat::Otpauth => Format::Otp(OtpFormat::Otpauth),
        ImportFormat::Qr => Format::Otp(OtpFormat::Qr),
        ImportFormat::GoogleMigration => Format::Otp(OtpFormat::GoogleMigration),
        ImportFormat::Aegis => Format::Otp(OtpFormat::Aegis),
        ImportFormat::TwoFas => Format::Otp(OtpFormat::TwoFas),
        ImportFormat::Ente => Format::Otp(OtpFormat::Ente),
        ImportFormat::Dotenv => Format::Dotenv,
        ImportFormat::Kdbx => Format::Kdbx,
        ImportFormat::KeepassxcXml => Format::KeepassXml,
        ImportFormat::KeepassxcCsv => Format::KeepassCsv,
        ImportFormat::Bitwarden => Format::Bitwarden,
        ImportFormat::Onepassword => Format::OnePassword,
        ImportFormat::Postman => Format::Postman,
        ImportFormat::Bruno => Format::Bruno,
        ImportFormat::Insomnia => Format::Insomnia,
        ImportFormat::Csv => Format::Csv,
    }
}

fn from_core(f: Format) -> ImportFormat {
    match f {
        Format::Otp(OtpFormat::Otpauth) => ImportFormat::Otpauth,
        Format::Otp(OtpFormat::Qr) => ImportFormat::Qr,
        Format::Otp(OtpFormat::GoogleMigration) => ImportFormat::GoogleMigration,
        Format::Otp(OtpFormat::Aegis) => ImportFormat::Aegis,
        Format::Otp(OtpFormat::TwoFas) => ImportFormat::TwoFas,
        Format::Otp(OtpFormat::Ente) => ImportFormat::Ente,
        Format::Dotenv => ImportFormat::Dotenv,
        Format::Kdbx => ImportFormat::Kdbx,
        Format::KeepassXml => ImportFormat::KeepassxcXml,
        Format::KeepassCsv => ImportFormat::KeepassxcCsv,
        Format::Bitwarden => ImportFormat::Bitwarden,
        Format::OnePassword => ImportFormat::Onepassword,
        Format::Postman => ImportFormat::Postman,
        Format::Bruno => ImportFormat::Bruno,
        Format::Insomnia => ImportFormat::Insomnia,
        Format::Csv => ImportFormat::Csv,
    }
}

fn too_large() -> IpcError {
    IpcError::invalid(
        "source",
        format!(
            "it is larger than {MAX_IMPORT_BYTES} bytes ({} MiB), the most Keywright imports",
            MAX_IMPORT_BYTES >> 20
        ),
    )
}

/// What the source is: bytes, or a folder (a Bruno collection).
enum Read {
    Bytes(Zeroizing<Vec<u8>>),
    Dir(std::path::PathBuf),
}

fn read_source(source: ImportSource, folders: bool) -> Result<Read, IpcError> {
    match source {
        ImportSource::Text { text } => {
            let text = Zeroizing::new(text);
            if text.len() > MAX_IMPORT_BYTES {
                return Err(too_large());
            }
            Ok(Read::Bytes(Zeroizing::new(text.as_bytes().to_vec())))
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
            Ok(Read::Bytes(bytes))
        }
        ImportSource::File { path } => read_import_file(Path::new(&path), folders),
    }
}

/// The file the window names, if it is an ordinary file (or, for a format that reads
/// folders, a folder): not a device, FIFO or socket, nothing under /proc, /sys or /dev
/// (their files claim a size of 0 and can be endless or hold other programs' secrets), not
/// empty and at most `MAX_IMPORT_BYTES`. Reading stops at the limit whatever the file
/// claims.
fn read_import_file(path: &Path, folders: bool) -> Result<Read, IpcError> {
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
            format!("{shown} is a system file, not an export"),
        ));
    }
    let not_regular = || IpcError::invalid("source", format!("{shown} is not a regular file"));
    // Checked before opening (opening a FIFO would wait for a writer) and again on the
    // opened file.
    let kind = std::fs::metadata(&real).map_err(io)?.file_type();
    if kind.is_dir() && folders {
        return Ok(Read::Dir(real));
    }
    if !kind.is_file() {
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
    Ok(Read::Bytes(data))
}

fn new_id() -> Result<String, IpcError> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| IpcError::internal(e.to_string()))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parse the source (detecting a 2FA format when `format` is `None`), check it against the
/// vault and keep the result for `import_commit`.
pub fn import_preview(
    state: &AppState,
    source: ImportSource,
    format: Option<ImportFormat>,
    password: Option<SecretString>,
    options: Option<ImportOptions>,
) -> Result<ImportPreview, IpcError> {
    // Locked (or no vault): refused before the source is read or parsed.
    state.with_vault(|_| Ok(()))?;
    state.drop_pending_import();
    let options = options.unwrap_or_default();
    let path = match &source {
        ImportSource::File { path } => Some(std::path::PathBuf::from(path)),
        _ => None,
    };
    let folders = format.is_some_and(|f| to_core(f).reads_folders());
    let read = read_source(source, folders)?;
    if let Read::Bytes(data) = &read
        && data.iter().all(u8::is_ascii_whitespace)
    {
        return Err(IpcError::invalid(
            "source",
            "nothing to import: choose a file, drop one, or paste its text",
        ));
    }
    let format = match (format, &read) {
        (Some(f), _) => to_core(f),
        (None, Read::Bytes(data)) => import::detect(data).ok_or_else(|| {
            IpcError::new(
                ErrorKind::ImportFailed,
                "choose what the file is: Keywright recognises 2FA exports (otpauth:// \
                 links, a QR image, Google Authenticator, Aegis, 2FAS, Ente Auth) by \
                 themselves; for a .env file, KeePassXC, Bitwarden, 1Password, Postman, \
                 Bruno, Insomnia or CSV, pick the format",
            )
        })?,
        (None, Read::Dir(_)) => Format::Bruno,
    };
    let needs_password = match &read {
        Read::Bytes(data) => format == Format::Kdbx || import::is_encrypted(format, data),
        Read::Dir(_) => false,
    };
    if password.is_none() && needs_password {
        return Err(CoreError::ImportPasswordNeeded {
            format: format.display(),
        }
        .into());
    }
    let opts = Options {
        password,
        tags: options.tags,
        project: options.project.filter(|p| !p.trim().is_empty()),
        path,
        map: options.map.filter(|m| !m.trim().is_empty()),
        // The app reads environments found beside a collection.
        environments: Vec::new(),
    };
    let source = match &read {
        Read::Bytes(data) => Source::Bytes(data),
        Read::Dir(dir) => Source::Dir(dir),
    };
    let records = import::parse(format, source, &opts)?;
    drop(read);
    let plan = state.with_vault(|v| Ok(v.plan_import(records)?))?;
    let rows: Vec<ImportRow> = plan
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let params = r.otp();
            ImportRow {
                row: count(i),
                position: count(r.position),
                label: r.label.clone(),
                status: match r.status {
                    PlanStatus::New => ImportStatus::New,
                    PlanStatus::Duplicate => ImportStatus::Duplicate,
                    PlanStatus::Invalid => ImportStatus::Invalid,
                },
                kind: r.kind(),
                selected: r.status == PlanStatus::New && r.selected,
                name: r.name.clone(),
                issuer: r.issuer().map(str::to_owned),
                account: r.username().map(str::to_owned),
                url: r.item.as_ref().and_then(|i| i.url.clone()),
                tags: r.item.as_ref().map(|i| i.tags.clone()).unwrap_or_default(),
                otp_type: params.map(|p| p.otp_type),
                digits: params.map(|p| p.digits),
                period: params
                    .filter(|p| p.otp_type != OtpType::Hotp)
                    .map(|p| otp::period_of(&p)),
                requests: count(r.requests.len()),
                hint: r.hint.clone(),
                reason: r.reason.clone(),
                duplicate_of: r.duplicate_of.clone(),
            }
        })
        .collect();
    let preview = ImportPreview {
        id: new_id()?,
        format: from_core(format),
        new_count: count(plan.count(PlanStatus::New)),
        duplicate_count: count(plan.count(PlanStatus::Duplicate)),
        invalid_count: count(plan.count(PlanStatus::Invalid)),
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

/// Save the previewed import's chosen rows (`rows`: indexes from the preview; `None`: the
/// rows offered ticked) in one transaction.
pub fn import_commit(
    state: &AppState,
    id: &str,
    rows: Option<Vec<u32>>,
) -> Result<ImportSummary, IpcError> {
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
    let chosen: Option<Vec<usize>> = rows.map(|r| r.into_iter().map(|i| i as usize).collect());
    let choice = match &chosen {
        Some(list) => Choice::Rows(list),
        None => Choice::Offered,
    };
    let added = state.with_vault(|v| Ok(v.apply_import(&pending.plan, choice)?))?;
    let new = pending.plan.count(PlanStatus::New);
    Ok(ImportSummary {
        skipped_unselected: count(new.saturating_sub(added.len())),
        added: added.into_iter().map(|i| i.overview.name).collect(),
        skipped_duplicates: count(pending.plan.count(PlanStatus::Duplicate)),
        skipped_invalid: count(pending.plan.count(PlanStatus::Invalid)),
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
