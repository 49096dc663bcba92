//! Imports from phone authenticators and otpauth lists. Every format is parsed into
//! [`Entry`]s: one per account in the source, each either an [`OtpAccount`] or the reason it
//! cannot be imported. A file that cannot be read at all (wrong password, not this format)
//! is an `Err` for the whole import.
//!
//! The formats and where their layouts come from:
//! - otpauth lists and QR codes: the Key Uri Format (see [`super::uri`]).
//! - Google Authenticator: the `otpauth-migration://offline?data=` protobuf (`google.rs`).
//! - Aegis: `docs/vault.md` of beemdevelopment/Aegis, scrypt + AES-256-GCM (`aegis.rs`).
//! - 2FAS: the `.2fas` backup of twofas/2fas-android, PBKDF2-SHA256 + AES-256-GCM (`twofas.rs`).
//! - Ente Auth: `docs/auth/migration/export.md` of ente-io/ente, Argon2id + libsodium
//!   secretstream (`ente.rs`).
//!
//! Messages name the entry and the problem and never contain a secret.

mod aegis;
mod ente;
mod google;
mod twofas;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod tests;

use std::fmt;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Nonce};
use secrecy::SecretString;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use zeroize::Zeroizing;

use super::{OtpAccount, STEAM_DIGITS, qr, uri};
use crate::credential::{OtpAlgorithm, OtpParams, OtpType};
use crate::error::{Error, Result};
use crate::limits::{MAX_IMPORT_BYTES, MAX_IMPORT_ENTRIES};

/// The formats `keywright import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One `otpauth://` URI per line (blank lines and `#` comments skipped).
    Otpauth,
    /// A PNG or JPEG image holding one or more QR codes.
    Qr,
    /// Google Authenticator's `otpauth-migration://offline?data=…` lines (several batches).
    GoogleMigration,
    /// Aegis JSON export, plain or password-encrypted.
    Aegis,
    /// 2FAS `.2fas` backup, plain or encrypted.
    TwoFas,
    /// Ente Auth export: plain text (otpauth URIs) or the encrypted JSON.
    Ente,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 6] = [
        Format::Otpauth,
        Format::Qr,
        Format::GoogleMigration,
        Format::Aegis,
        Format::TwoFas,
        Format::Ente,
    ];

    /// The format named `s` (as in `--format`): `otpauth`, `qr`, `google-migration`,
    /// `aegis`, `2fas` or `ente`, in any case.
    pub fn parse_name(s: &str) -> Result<Format> {
        let wanted = s.trim();
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                Error::invalid(
                    "import format",
                    format!("{wanted:?} is not one; use {}", names.join(", ")),
                )
            })
    }

    /// The machine name: `otpauth`, `qr`, `google-migration`, `aegis`, `2fas`, `ente`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Otpauth => "otpauth",
            Format::Qr => "qr",
            Format::GoogleMigration => "google-migration",
            Format::Aegis => "aegis",
            Format::TwoFas => "2fas",
            Format::Ente => "ente",
        }
    }

    /// The name people know: `Aegis`, `Google Authenticator`, …
    pub fn display(self) -> &'static str {
        match self {
            Format::Otpauth => "otpauth list",
            Format::Qr => "QR image",
            Format::GoogleMigration => "Google Authenticator",
            Format::Aegis => "Aegis",
            Format::TwoFas => "2FAS",
            Format::Ente => "Ente Auth",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display())
    }
}

/// One account of the source, by its position.
#[derive(Debug)]
pub struct Entry {
    /// 1-based position in the source: the line for line-based formats, else the index.
    pub position: usize,
    /// How messages name it: `line 3`, `entry 2`, `QR code 1`, `batch 2 of 3, entry 1`.
    pub label: String,
    /// The account, or why this entry cannot be imported (never contains the secret).
    pub account: std::result::Result<OtpAccount, String>,
}

/// Parse `data` as `format`. `password` opens encrypted exports (Aegis, 2FAS, Ente) and is
/// ignored by the others.
pub fn parse(format: Format, data: &[u8], password: Option<&SecretString>) -> Result<Vec<Entry>> {
    check_size(format, data.len())?;
    match format {
        Format::Otpauth => parse_lines(format, text_of(format, data)?),
        Format::Qr => parse_qr(data),
        Format::GoogleMigration => google::parse_text(text_of(format, data)?),
        Format::Aegis => aegis::parse(data, password),
        Format::TwoFas => twofas::parse(data, password),
        Format::Ente => ente::parse(data, password),
    }
}

/// Guess the format of `data`: PNG/JPEG → QR image; JSON → Aegis, 2FAS or Ente by its
/// keys; text with `otpauth-migration://` → Google; text with `otpauth://` → otpauth list
/// (Ente's plain export is such a list too).
pub fn detect(data: &[u8]) -> Option<Format> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") || data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Qr);
    }
    let text = std::str::from_utf8(data).ok()?;
    let text = strip_bom(text).trim_start();
    if text.starts_with('{') {
        let keys: JsonKeys = serde_json::from_str(text).ok()?;
        return if keys.db && keys.header {
            Some(Format::Aegis)
        } else if keys.schema_version && (keys.services || keys.services_encrypted) {
            Some(Format::TwoFas)
        } else if keys.kdf_params && keys.encrypted_data {
            Some(Format::Ente)
        } else {
            None
        };
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("otpauth-migration://") {
        Some(Format::GoogleMigration)
    } else if lower.contains("otpauth://") {
        Some(Format::Otpauth)
    } else {
        None
    }
}

/// Whether `data` in `format` is password-protected, so a UI asks for the password before
/// calling [`parse`]. False for formats without encryption and for unreadable files (parse
/// reports those).
pub fn is_encrypted(format: Format, data: &[u8]) -> bool {
    match format {
        Format::Aegis => aegis::is_encrypted(data),
        Format::TwoFas => twofas::is_encrypted(data),
        Format::Ente => ente::is_encrypted(data),
        Format::Otpauth | Format::Qr | Format::GoogleMigration => false,
    }
}

/// Which top-level keys a JSON object has (for [`detect`]); values are skipped unread.
#[derive(serde::Deserialize)]
struct JsonKeys {
    #[serde(default, deserialize_with = "present")]
    db: bool,
    #[serde(default, deserialize_with = "present")]
    header: bool,
    #[serde(default, deserialize_with = "present", rename = "schemaVersion")]
    schema_version: bool,
    #[serde(default, deserialize_with = "present")]
    services: bool,
    #[serde(default, deserialize_with = "present", rename = "servicesEncrypted")]
    services_encrypted: bool,
    #[serde(default, deserialize_with = "present", rename = "kdfParams")]
    kdf_params: bool,
    #[serde(default, deserialize_with = "present", rename = "encryptedData")]
    encrypted_data: bool,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// Refuse a source larger than [`MAX_IMPORT_BYTES`] (callers that read files stop reading
/// there too).
pub fn check_size(format: Format, len: usize) -> Result<()> {
    if len > MAX_IMPORT_BYTES {
        return Err(fail(
            format,
            format!(
                "it is larger than {MAX_IMPORT_BYTES} bytes ({} MiB), the most Keywright \
                 imports",
                MAX_IMPORT_BYTES >> 20
            ),
        ));
    }
    Ok(())
}

/// The whole-import error for a source with more than [`MAX_IMPORT_ENTRIES`] entries.
fn too_many_entries(format: Format, what: &str) -> Error {
    fail(
        format,
        format!(
            "it has more than {MAX_IMPORT_ENTRIES} {what}; Keywright imports at most \
             {MAX_IMPORT_ENTRIES} at a time (split the file)"
        ),
    )
}

// ---------------------------------------------------------------------------------------
// Line-based formats and QR images

/// `data` as UTF-8 text, without a byte-order mark.
fn text_of(format: Format, data: &[u8]) -> Result<&str> {
    std::str::from_utf8(data)
        .map(strip_bom)
        .map_err(|_| not_this(format, data, "it is not a text file (UTF-8)"))
}

fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

/// One entry per `otpauth://` line; blank lines and `#` comments are skipped.
/// The lines are counted before any is parsed: a list of more than [`MAX_IMPORT_ENTRIES`]
/// entries is refused without work.
fn parse_lines(format: Format, text: &str) -> Result<Vec<Entry>> {
    let lines = || {
        text.lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
    };
    let mut count = 0usize;
    let mut any_uri = false;
    for (_, line) in lines() {
        count += 1;
        if count > MAX_IMPORT_ENTRIES {
            return Err(too_many_entries(format, "lines"));
        }
        any_uri = any_uri || has_prefix_ci(line, "otpauth://");
    }
    if !any_uri {
        return Err(not_this(
            format,
            text.as_bytes(),
            "it has no otpauth:// lines",
        ));
    }
    Ok(lines()
        .map(|(position, line)| Entry {
            position,
            label: format!("line {position}"),
            account: otpauth_account(line),
        })
        .collect())
}

/// One otpauth:// URI as an account. Ente Auth keeps tags, a note and a trash flag in a
/// `codeDisplay` JSON parameter; those are applied too.
fn otpauth_account(line: &str) -> std::result::Result<OtpAccount, String> {
    let mut acc = uri::parse(line).map_err(reason_of)?;
    apply_code_display(line, &mut acc)?;
    saveable(acc)
}

/// The checks the vault makes when the account is saved, made now: a bad entry (a note
/// over 64 KiB, a tag of 65 characters) is that entry's reason instead of failing the
/// whole import when it is saved.
fn saveable(acc: OtpAccount) -> std::result::Result<OtpAccount, String> {
    crate::vault::otp::new_otp_item("import".into(), &acc)
        .into_parts(0)
        .map_err(reason_of)?;
    Ok(acc)
}

/// Ente Auth's `codeDisplay={"tags":[…],"note":"…","trashed":false,…}`.
fn apply_code_display(line: &str, acc: &mut OtpAccount) -> std::result::Result<(), String> {
    #[derive(serde::Deserialize)]
    struct CodeDisplay {
        #[serde(default)]
        tags: Option<Vec<String>>,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        trashed: Option<bool>,
    }
    let Some((_, query)) = line.split_once('?') else {
        return Ok(());
    };
    let Some(raw) = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "codeDisplay")
        .map(|(_, v)| v)
    else {
        return Ok(());
    };
    // An unreadable codeDisplay is only display data: ignore it rather than lose the code.
    let Ok(display) = serde_json::from_str::<CodeDisplay>(&raw) else {
        return Ok(());
    };
    if display.trashed == Some(true) {
        return Err("is in Ente Auth's trash (deleted there); not imported".into());
    }
    for tag in display.tags.unwrap_or_default() {
        push_tag(&mut acc.tags, &tag);
    }
    if let Some(note) = display.note.filter(|n| !n.trim().is_empty()) {
        acc.notes = Zeroizing::new(note);
    }
    Ok(())
}

/// Every QR code of an image: otpauth:// codes become entries, Google's
/// otpauth-migration:// codes are read together as one export.
fn parse_qr(data: &[u8]) -> Result<Vec<Entry>> {
    let format = Format::Qr;
    let texts = qr::decode_image(data).map_err(|e| match e {
        Error::InvalidInput { reason, .. } => fail(format, reason),
        e => e,
    })?;
    let mut entries = Vec::new();
    let mut batches = Vec::new();
    for (i, text) in texts.into_iter().enumerate() {
        let text = Zeroizing::new(text);
        let position = i + 1;
        let label = format!("QR code {position}");
        let t = text.trim();
        if has_prefix_ci(t, "otpauth-migration://") {
            batches.push(google::Batch::read(position, label, t));
        } else if has_prefix_ci(t, "otpauth://") {
            entries.push(Entry {
                position,
                label,
                account: otpauth_account(t),
            });
        } else {
            entries.push(Entry {
                position,
                label,
                account: Err("is not a 2FA code (it holds no otpauth:// URI)".into()),
            });
        }
    }
    entries.extend(google::entries(format, batches)?);
    entries.sort_by_key(|e| e.position);
    Ok(entries)
}

// ---------------------------------------------------------------------------------------
// Shared by the formats

/// A whole-file failure.
fn fail(format: Format, reason: impl Into<String>) -> Error {
    Error::ImportFailed {
        format: format.display(),
        reason: reason.into(),
    }
}

/// "Not this format": says which format the data looks like, when it looks like another.
fn not_this(format: Format, data: &[u8], reason: &str) -> Error {
    match detect(data).filter(|f| *f != format) {
        // Ente's plain export is an otpauth list.
        Some(Format::Otpauth) if format == Format::Ente => fail(format, reason),
        Some(other) => fail(
            format,
            format!(
                "{reason}; this looks like {} data: import it as {}",
                other.display(),
                other.name()
            ),
        ),
        None => fail(format, reason),
    }
}

/// The entry-level reason of an account error: the field and the problem, no secret.
fn reason_of(e: Error) -> String {
    match e {
        Error::InvalidInput { field, reason } => match field.as_str() {
            // The row says what is wrong with its link: the rest of the sentence.
            "otpauth URI" => match reason.strip_prefix(uri::BAD_LINK) {
                Some(rest) => rest.trim_end_matches('.').to_owned(),
                None => reason,
            },
            "TOTP secret" => format!("secret {reason}"),
            _ => format!("{field} {reason}"),
        },
        other => other.to_string(),
    }
}

/// A JSON error without the offending value (serde_json quotes values, which may be
/// secrets): the kind of problem and where.
fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    if is_too_many(e) {
        return format!(
            "it has more than {MAX_IMPORT_ENTRIES} entries in one list ({at}); Keywright \
             imports at most {MAX_IMPORT_ENTRIES} at a time (split the export)"
        );
    }
    match e.classify() {
        Category::Eof => "the JSON ends early (the file is truncated)".into(),
        Category::Syntax => format!("it is not valid JSON ({at})"),
        Category::Data => format!("its JSON does not have the expected structure ({at})"),
        Category::Io => "it could not be read".into(),
    }
}

/// AES-256-GCM open of `ciphertext || tag`; `None` when the key is wrong or the data was
/// changed.
fn aes_gcm_open(key: &[u8], nonce: &[u8], ciphertext_and_tag: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = Nonce::<Aes256Gcm>::try_from(nonce).ok()?;
    cipher
        .decrypt(&nonce, ciphertext_and_tag)
        .ok()
        .map(Zeroizing::new)
}

/// Base64 (standard alphabet, padding optional).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT};
    let s: Zeroizing<String> =
        Zeroizing::new(s.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    STANDARD_PAD_INDIFFERENT
        .decode(s.as_bytes())
        .or_else(|_| URL_SAFE_PAD_INDIFFERENT.decode(s.as_bytes()))
        .ok()
}

/// Hex, either case.
fn hex_decode(s: &str) -> Option<Vec<u8>> {
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(s.trim().as_bytes())
        .ok()
}

fn has_prefix_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn push_tag(tags: &mut Vec<String>, tag: &str) {
    let tag = tag.trim();
    if !tag.is_empty() && !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
        tags.push(tag.to_owned());
    }
}

/// The message [`Bounded`] fails with (found again by [`json_error`]).
const TOO_MANY_MARK: &str = "keywright: too many elements";

/// Whether `e` is [`Bounded`]'s refusal (the one message of ours that serde_json carries;
/// it has no value in it).
fn is_too_many(e: &serde_json::Error) -> bool {
    e.is_data() && e.to_string().starts_with(TOO_MANY_MARK)
}

/// A JSON array of at most [`MAX_IMPORT_ENTRIES`] elements: reading stops at the first
/// element over, so a file of millions of tiny entries costs nothing.
struct Bounded<T>(Vec<T>);

impl<T> Default for Bounded<T> {
    fn default() -> Self {
        Bounded(Vec::new())
    }
}

impl<T> std::ops::Deref for Bounded<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Bounded<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Bounded<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a list of at most {MAX_IMPORT_ENTRIES} elements")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element()? {
                    if out.len() >= MAX_IMPORT_ENTRIES {
                        return Err(de::Error::custom(TOO_MANY_MARK));
                    }
                    out.push(x);
                }
                Ok(Bounded(out))
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

/// A JSON string field holding a secret: kept in zeroizing memory; a value of another
/// JSON type is remembered as such, without the value.
#[derive(Default)]
enum SecretJson {
    #[default]
    Missing,
    Text(Zeroizing<String>),
    NotText,
}

impl<'de> Deserialize<'de> for SecretJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SecretJson;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a secret")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<SecretJson, E> {
                Ok(SecretJson::Text(Zeroizing::new(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<SecretJson, E> {
                Ok(SecretJson::Text(Zeroizing::new(v)))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<SecretJson, E> {
                Ok(SecretJson::Missing)
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<SecretJson, E> {
                Ok(SecretJson::Missing)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<SecretJson, E> {
                Ok(SecretJson::NotText)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<SecretJson, E> {
                Ok(SecretJson::NotText)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<SecretJson, E> {
                Ok(SecretJson::NotText)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<SecretJson, E> {
                Ok(SecretJson::NotText)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<SecretJson, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(SecretJson::NotText)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<SecretJson, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(SecretJson::NotText)
            }
        }
        d.deserialize_any(V)
    }
}

impl SecretJson {
    /// The secret text, or why there is none.
    fn text(&self) -> std::result::Result<&str, String> {
        match self {
            SecretJson::Text(s) => Ok(s),
            SecretJson::Missing => Err("has no secret".into()),
            SecretJson::NotText => Err("secret is not text".into()),
        }
    }
}

/// A field of an export, kept small whatever the file holds: text, a whole number, another
/// number (as its text), the texts of a list (at most [`MAX_IMPORT_ENTRIES`]), or
/// something else, not kept. (A `serde_json::Value` would turn 2 bytes of `0,` into 32
/// bytes of memory, for every element of a 32 MiB array.)
#[derive(Default)]
enum Loose {
    #[default]
    Null,
    Str(String),
    U64(u64),
    Num(String),
    List(Vec<String>),
    Other,
}

/// An element of a [`Loose::List`]: its text, or nothing for any other value.
struct TextOnly(Option<String>);

impl<'de> Deserialize<'de> for TextOnly {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match Loose::deserialize(d)? {
            Loose::Str(s) => Ok(TextOnly(Some(s))),
            _ => Ok(TextOnly(None)),
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Loose, E> {
                Ok(Loose::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Loose, E> {
                Ok(Loose::Str(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Loose, E> {
                Ok(Loose::U64(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Loose, E> {
                Ok(u64::try_from(v).map_or_else(|_| Loose::Num(v.to_string()), Loose::U64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Loose, E> {
                Ok(Loose::Num(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Loose, E> {
                Ok(Loose::Other)
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Loose, A::Error> {
                let mut texts = Vec::new();
                let mut count = 0usize;
                while let Some(TextOnly(text)) = seq.next_element()? {
                    count += 1;
                    if count > MAX_IMPORT_ENTRIES {
                        return Err(de::Error::custom(TOO_MANY_MARK));
                    }
                    texts.extend(text);
                }
                Ok(Loose::List(texts))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Loose, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl Loose {
    fn as_u64(&self) -> Option<u64> {
        match self {
            Loose::U64(n) => Some(*n),
            _ => None,
        }
    }
}

/// An optional JSON string (null and "" count as absent).
fn opt_str<'a>(v: Option<&'a Loose>, what: &str) -> std::result::Result<Option<&'a str>, String> {
    match v {
        None | Some(Loose::Null) => Ok(None),
        Some(Loose::Str(s)) => Ok(Some(s.as_str()).filter(|s| !s.trim().is_empty())),
        Some(_) => Err(format!("{what} is not text")),
    }
}

/// An optional whole number (also accepted as a numeric string, as some exporters write).
fn opt_u64(v: Option<&Loose>, what: &str) -> std::result::Result<Option<u64>, String> {
    match v {
        None | Some(Loose::Null) => Ok(None),
        Some(Loose::U64(n)) => Ok(Some(*n)),
        Some(Loose::Num(n)) => Err(format!("{what} {n} is not a whole number")),
        Some(Loose::Str(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{what} {s:?} is not a whole number")),
        Some(_) => Err(format!("{what} is not a number")),
    }
}

/// The algorithm named by an export (`SHA1`, `sha-256`, `HmacSHA512`…).
fn algorithm(name: Option<&str>) -> std::result::Result<OtpAlgorithm, String> {
    let Some(name) = name else {
        return Ok(OtpAlgorithm::Sha1);
    };
    let bare = name.trim();
    let bare = bare
        .get(..4)
        .filter(|h| h.eq_ignore_ascii_case("hmac"))
        .map_or(bare, |_| &bare[4..]);
    OtpAlgorithm::parse(bare).map_err(|_| {
        format!(
            "unsupported algorithm {}; Keywright supports SHA1, SHA256 and SHA512",
            bare.to_ascii_uppercase()
        )
    })
}

/// Digits as a `u8` (a huge number is reported as itself, not truncated).
fn digits(n: Option<u64>, default: u8) -> std::result::Result<u8, String> {
    match n {
        None => Ok(default),
        Some(n) => u8::try_from(n).map_err(|_| format!("digits {n} (use 6, 7 or 8)")),
    }
}

/// The period in seconds.
fn period(n: Option<u64>) -> std::result::Result<u32, String> {
    match n {
        None => Ok(30),
        Some(n) => u32::try_from(n).map_err(|_| format!("period {n} seconds (use 1 to 86400)")),
    }
}

/// What a format knows about one account, before the checks of [`OtpAccount`].
struct RawAccount<'a> {
    secret: &'a str,
    otp_type: OtpType,
    algorithm: OtpAlgorithm,
    digits: u8,
    period: u32,
    counter: u64,
    issuer: Option<&'a str>,
    account: Option<&'a str>,
    tags: Vec<String>,
    notes: Option<&'a str>,
}

impl RawAccount<'_> {
    /// Check it and build the account. Steam codes are always 5 characters, 30 s, SHA1.
    fn build(self) -> std::result::Result<OtpAccount, String> {
        let params = match self.otp_type {
            OtpType::Steam => OtpParams {
                otp_type: OtpType::Steam,
                algorithm: OtpAlgorithm::Sha1,
                digits: STEAM_DIGITS,
                period: 30,
            },
            otp_type => OtpParams {
                otp_type,
                algorithm: self.algorithm,
                digits: self.digits,
                period: self.period,
            },
        };
        let mut acc = OtpAccount::from_base32(self.secret, params).map_err(reason_of)?;
        let clean = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        acc.issuer = clean(self.issuer);
        acc.account = clean(self.account);
        if acc.params.otp_type == OtpType::Hotp {
            acc.counter = self.counter;
        }
        for tag in &self.tags {
            push_tag(&mut acc.tags, tag);
        }
        if let Some(notes) = self.notes.filter(|n| !n.trim().is_empty()) {
            acc.notes = Zeroizing::new(notes.to_owned());
        }
        saveable(acc)
    }
}

/// `account` without an `issuer:` prefix (Google and 2FAS labels are `Issuer:account`).
/// Returns the issuer found in the label too.
fn split_label<'a>(label: &'a str, issuer: Option<&str>) -> (Option<&'a str>, &'a str) {
    let label = label.trim();
    if let Some(issuer) = issuer.map(str::trim).filter(|i| !i.is_empty())
        && let Some(rest) = label
            .get(..issuer.len())
            .filter(|head| head.eq_ignore_ascii_case(issuer))
            .and_then(|_| label[issuer.len()..].trim_start().strip_prefix(':'))
    {
        return (Some(&label[..issuer.len()]), rest.trim());
    }
    match label.split_once(':') {
        Some((i, a)) if issuer.is_none() => (Some(i.trim()), a.trim()),
        _ => (None, label),
    }
}
