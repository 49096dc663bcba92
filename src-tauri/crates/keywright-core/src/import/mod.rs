//! Imports of every kind of credential: from `.env` files, password managers (KeePassXC,
//! Bitwarden, 1Password), API clients (Postman, Bruno, Insomnia), CSV, and the 2FA formats
//! of [`crate::otp::import`]. Every format is parsed into [`Record`]s, one per item it
//! would add (a login with a one-time password gives two: the login and its 2FA item,
//! linked by name), each either a [`Candidate`] or the reason it cannot be imported. A
//! source that cannot be read at all (wrong password, not this format, too large) is an
//! `Err` for the whole import: nothing is imported.
//!
//! The vault checks the records (new / duplicate / invalid) in
//! [`crate::vault::import`] and saves the chosen ones in one transaction.
//!
//! Messages name the entry and the problem and never contain a secret.

pub mod apiauth;
pub mod bitwarden;
pub mod bruno;
pub mod csv;
pub mod dotenv;
pub mod insomnia;
pub mod keepass;
pub mod onepassword;
mod pm;
pub mod postman;

#[cfg(test)]
mod apiclient_fuzz;
#[cfg(test)]
mod bitwarden_tests;
#[cfg(test)]
mod fuzzkit;
#[cfg(test)]
mod onepassword_tests;
#[cfg(test)]
mod pm_fixtures;
#[cfg(test)]
mod pm_fuzz;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::credential::{Kind, NewItem};
use crate::error::{Error, Result};
use crate::limits::{MAX_IMPORT_BYTES, MAX_IMPORT_ENTRIES};
use crate::otp::import as otp_import;
use crate::probe::input::RequestInput;

/// Every format `keywright import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A 2FA format (otpauth lists, QR images, Google, Aegis, 2FAS, Ente).
    Otp(otp_import::Format),
    /// A `.env` file.
    Dotenv,
    /// A KeePass / KeePassXC database (`.kdbx`, KDBX 3.1 and 4).
    Kdbx,
    /// KeePassXC's XML export (KeePass 2.x XML).
    KeepassXml,
    /// KeePassXC's CSV export.
    KeepassCsv,
    /// Bitwarden's JSON export, plain or password-protected.
    Bitwarden,
    /// 1Password's `.1pux` export.
    OnePassword,
    /// A Postman collection (v2.1) or environment export.
    Postman,
    /// A Bruno collection folder (or one `.bru` file).
    Bruno,
    /// An Insomnia v4 export (JSON).
    Insomnia,
    /// Any CSV file with a header row, through a column mapping (`--map`).
    Csv,
}

/// The credential formats, in the order help texts list them (after the 2FA ones).
const CREDENTIAL_FORMATS: [Format; 10] = [
    Format::Dotenv,
    Format::Kdbx,
    Format::KeepassXml,
    Format::KeepassCsv,
    Format::Bitwarden,
    Format::OnePassword,
    Format::Postman,
    Format::Bruno,
    Format::Insomnia,
    Format::Csv,
];

impl Format {
    /// Every format: the 2FA ones, then the credential ones.
    pub fn all() -> Vec<Format> {
        otp_import::Format::ALL
            .into_iter()
            .map(Format::Otp)
            .chain(CREDENTIAL_FORMATS)
            .collect()
    }

    /// The format named `s` (as on the command line), in any case.
    pub fn parse_name(s: &str) -> Result<Format> {
        let wanted = s.trim();
        Format::all()
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let names: Vec<&str> = Format::all().iter().map(|f| f.name()).collect();
                Error::invalid(
                    "import format",
                    format!("{wanted:?} is not one; use {}", names.join(", ")),
                )
            })
    }

    /// The machine name: `dotenv`, `kdbx`, `keepassxc-xml`, … (`aegis` for a 2FA format).
    pub fn name(self) -> &'static str {
        match self {
            Format::Otp(f) => f.name(),
            Format::Dotenv => "dotenv",
            Format::Kdbx => "kdbx",
            Format::KeepassXml => "keepassxc-xml",
            Format::KeepassCsv => "keepassxc-csv",
            Format::Bitwarden => "bitwarden",
            Format::OnePassword => "1password",
            Format::Postman => "postman",
            Format::Bruno => "bruno",
            Format::Insomnia => "insomnia",
            Format::Csv => "csv",
        }
    }

    /// The name people know.
    pub fn display(self) -> &'static str {
        match self {
            Format::Otp(f) => f.display(),
            Format::Dotenv => ".env file",
            Format::Kdbx => "KeePass database",
            Format::KeepassXml => "KeePassXC XML",
            Format::KeepassCsv => "KeePassXC CSV",
            Format::Bitwarden => "Bitwarden",
            Format::OnePassword => "1Password",
            Format::Postman => "Postman",
            Format::Bruno => "Bruno",
            Format::Insomnia => "Insomnia",
            Format::Csv => "CSV",
        }
    }

    /// Whether files of this format can be password-protected (the import asks for it).
    pub fn can_be_encrypted(self) -> bool {
        match self {
            Format::Otp(f) => matches!(
                f,
                otp_import::Format::Aegis | otp_import::Format::TwoFas | otp_import::Format::Ente
            ),
            Format::Kdbx | Format::Bitwarden => true,
            _ => false,
        }
    }

    /// Whether the source is a folder (a Bruno collection) rather than one file.
    pub fn reads_folders(self) -> bool {
        self == Format::Bruno
    }

    /// Whether every item this format gives is a 2FA item (the messages say "codes").
    pub fn is_otp(self) -> bool {
        matches!(self, Format::Otp(_))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display())
    }
}

/// What an import reads: the bytes of one file (or of stdin), or a folder.
pub enum Source<'a> {
    Bytes(&'a [u8]),
    /// A folder (a Bruno collection); the format reads what it needs from it, bounded.
    Dir(&'a Path),
}

impl fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Source::Dir(p) => write!(f, "Dir({})", p.display()),
        }
    }
}

/// What the user gave besides the source.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Opens password-protected exports (Aegis, 2FAS, Ente, Bitwarden, KeePass).
    pub password: Option<SecretString>,
    /// Tags added to every imported item (`--tag`).
    pub tags: Vec<String>,
    /// The project a `.env` file belongs to: the tag its items get (`--prefix`; default:
    /// the name of the file's folder).
    pub project: Option<String>,
    /// The file the source came from, when it is one (names the project of a `.env`).
    pub path: Option<PathBuf>,
    /// The column mapping of a CSV import: `name=Title,secret=Password,url=URL,…`.
    pub map: Option<String>,
    /// Environment files given with a collection (`--env`): Postman environment exports
    /// its `{{variables}}` resolve from (before those found beside it).
    pub environments: Vec<PathBuf>,
}

/// A request of an API-client collection that uses the item, saved with it.
#[derive(Debug, Clone)]
pub struct SavedDraft {
    pub name: String,
    pub request: RequestInput,
}

/// One item an import would add.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The item, as `keywright add` would take it (its name is a suggestion: the plan makes
    /// it unique in the vault).
    pub item: NewItem,
    /// Whether the preview offers it ticked. Obvious non-secrets of a `.env` file
    /// (`PORT=3000`, `DEBUG=true`) are offered unticked.
    pub selected: bool,
    /// What the preview says about it beyond its fields ("looks like a setting, not a
    /// secret"; "a JWT: expires …"). Never contains the secret.
    pub hint: Option<String>,
    /// Requests of an API-client collection that use this credential, saved with it.
    pub requests: Vec<SavedDraft>,
}

impl Candidate {
    /// An item offered ticked, with no hint and no requests.
    pub fn new(item: NewItem) -> Self {
        Candidate {
            item,
            selected: true,
            hint: None,
            requests: Vec::new(),
        }
    }
}

/// One entry of the source, by its position.
#[derive(Debug)]
pub struct Record {
    /// 1-based position in the source: the line for line-based formats, else the index.
    pub position: usize,
    /// How messages name it: `line 3`, `entry 2`, `STRIPE_KEY (line 4)`.
    pub label: String,
    /// The item, or why this entry cannot be imported (never contains the secret).
    pub candidate: std::result::Result<Candidate, String>,
}

impl Record {
    pub fn ok(position: usize, label: impl Into<String>, candidate: Candidate) -> Self {
        Record {
            position,
            label: label.into(),
            candidate: Ok(candidate),
        }
    }

    pub fn invalid(position: usize, label: impl Into<String>, reason: impl Into<String>) -> Self {
        Record {
            position,
            label: label.into(),
            candidate: Err(reason.into()),
        }
    }
}

impl From<otp_import::Entry> for Record {
    fn from(e: otp_import::Entry) -> Self {
        Record {
            position: e.position,
            label: e.label,
            candidate: e.account.and_then(|acc| {
                // Issuer and account first, by the names the 2FA formats use: the name is
                // made of them.
                for (field, v) in [("issuer", &acc.issuer), ("account", &acc.account)] {
                    if let Some(v) = v {
                        crate::credential::check_line(field, v).map_err(reason_of)?;
                    }
                }
                Ok(Candidate::new(crate::vault::otp::new_otp_item(
                    acc.suggested_name(),
                    &acc,
                )))
            }),
        }
    }
}

/// Parse `source` as `format`. A 2FA format reads bytes only.
pub fn parse(format: Format, source: Source<'_>, opts: &Options) -> Result<Vec<Record>> {
    let mut records = match (format, source) {
        (Format::Otp(f), Source::Bytes(data)) => {
            otp_import::parse(f, data, opts.password.as_ref())?
                .into_iter()
                .map(Record::from)
                .collect()
        }
        (f, Source::Dir(dir)) if !f.reads_folders() => {
            return Err(fail(
                f,
                format!("{} is a folder; give the export file", dir.display()),
            ));
        }
        (Format::Dotenv, Source::Bytes(data)) => {
            check_size(format, data.len())?;
            dotenv::parse(text_of(format, data)?, opts)?
        }
        (Format::Bitwarden, Source::Bytes(data)) => {
            check_size(format, data.len())?;
            bitwarden::parse(text_of(format, data)?, opts)?
        }
        (Format::OnePassword, Source::Bytes(data)) => {
            check_size(format, data.len())?;
            onepassword::parse(data)?
        }
        (Format::Postman, Source::Bytes(data)) => {
            check_size(format, data.len())?;
            postman::parse(text_of(format, data)?, opts)?
        }
        (Format::Bruno, source) => bruno::parse(source, opts)?,
        (Format::Insomnia, Source::Bytes(data)) => {
            check_size(format, data.len())?;
            insomnia::parse(text_of(format, data)?, opts)?
        }
        (Format::Kdbx, Source::Bytes(data)) => keepass::parse_kdbx(data, opts.password.as_ref())?,
        (Format::KeepassXml, Source::Bytes(data)) => {
            check_size(format, data.len())?;
            keepass::parse_xml(text_of(format, data)?)?
        }
        (Format::KeepassCsv, Source::Bytes(data)) => {
            check_size(format, data.len())?;
            keepass::parse_csv(text_of(format, data)?)?
        }
        (Format::Csv, Source::Bytes(data)) => {
            check_size(format, data.len())?;
            csv::parse(text_of(format, data)?, opts)?
        }
        (f, _) => {
            return Err(fail(
                f,
                "this format is not readable yet in this build of Keywright",
            ));
        }
    };
    if records.len() > MAX_IMPORT_ENTRIES {
        return Err(too_many_entries(format));
    }
    if !opts.tags.is_empty() {
        for r in &mut records {
            if let Ok(c) = &mut r.candidate {
                add_tags(&mut c.item, &opts.tags);
            }
        }
    }
    Ok(records)
}

/// Whether `data` in `format` is password-protected, so a UI asks for the password before
/// calling [`parse`]. False for formats without encryption and for unreadable files.
pub fn is_encrypted(format: Format, data: &[u8]) -> bool {
    match format {
        Format::Otp(f) => otp_import::is_encrypted(f, data),
        Format::Bitwarden => bitwarden::is_encrypted(data),
        // A KeePass database is always encrypted (with its password).
        Format::Kdbx => keepass::kdbx::looks_like_kdbx(data),
        _ => false,
    }
}

/// Guess the format of `data` (the 2FA formats; the others are named by the user).
pub fn detect(data: &[u8]) -> Option<Format> {
    otp_import::detect(data).map(Format::Otp)
}

/// Add `tags` to an item's own (case-insensitively unique, in order).
pub fn add_tags(item: &mut NewItem, tags: &[String]) {
    for t in tags {
        let t = t.trim();
        if !t.is_empty() && !item.tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            item.tags.push(t.to_owned());
        }
    }
}

/// Refuse a source larger than [`MAX_IMPORT_BYTES`] (callers that read files stop reading
/// there too).
pub fn check_size(format: Format, len: usize) -> Result<()> {
    if len > MAX_IMPORT_BYTES {
        // A .1pux is a zip with the documents in it: its export.data alone is small.
        let hint = if format == Format::OnePassword {
            "; if its documents make it this large, unzip it and import its export.data"
        } else {
            ""
        };
        return Err(fail(
            format,
            format!(
                "it is larger than {MAX_IMPORT_BYTES} bytes ({} MiB), the most Keywright \
                 imports{hint}",
                MAX_IMPORT_BYTES >> 20
            ),
        ));
    }
    Ok(())
}

/// The whole-import error for a source with more than [`MAX_IMPORT_ENTRIES`] entries.
pub fn too_many_entries(format: Format) -> Error {
    fail(
        format,
        format!(
            "it has more than {MAX_IMPORT_ENTRIES} entries; Keywright imports at most \
             {MAX_IMPORT_ENTRIES} at a time (split the file)"
        ),
    )
}

/// The whole-import error: `Cannot import this file as FORMAT: REASON (nothing was
/// imported)`.
pub fn fail(format: Format, reason: impl Into<String>) -> Error {
    Error::ImportFailed {
        format: format.display(),
        reason: reason.into(),
    }
}

/// `data` as UTF-8 text, without a byte-order mark.
pub fn text_of(format: Format, data: &[u8]) -> Result<&str> {
    std::str::from_utf8(data)
        .map(|s| s.strip_prefix('\u{feff}').unwrap_or(s))
        .map_err(|_| fail(format, "it is not a text file (UTF-8)"))
}

/// A field error as a row's reason: `username contains a control character (U+001B)`.
pub fn reason_of(e: Error) -> String {
    match e {
        Error::InvalidInput { field, reason } => format!("{field} {reason}"),
        other => other.to_string(),
    }
}

/// The checks the vault makes when the item is saved, made now: a bad entry is that
/// entry's reason instead of failing the whole import when it is saved.
pub fn checked(candidate: Candidate) -> std::result::Result<Candidate, String> {
    candidate.item.clone().into_parts(0).map_err(reason_of)?;
    Ok(candidate)
}

/// The kind a secret value suggests on its own: a JWT is a bearer token, anything else an
/// API key.
pub fn kind_of_value(value: &str) -> Kind {
    if crate::recognize::recognize(value).is_some_and(|r| r.service == "jwt") {
        Kind::Bearer
    } else {
        Kind::ApiKey
    }
}
