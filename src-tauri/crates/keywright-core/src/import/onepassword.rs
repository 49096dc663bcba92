//! 1Password's `.1pux` export ("1Password Unencrypted Export", documented at
//! <https://support.1password.com/1pux-format/>): a zip archive holding
//! `export.attributes`, `export.data` and `files/` (document attachments). Only
//! `export.data` is read: JSON of `accounts[].vaults[].items[]`, each item
//! `{uuid, state ("active" | "archived"), categoryUuid, overview: {title, url, urls[], tags[]},
//! details: {loginFields[{designation, value, fieldType}], password, notesPlain,
//! sections[{title, fields[{title, id, value: {concealed | string | totp | date | url |
//! menu | …}}]}]}}`. The field layout of each category (001 Login, 005 Password, 003 Secure
//! Note, 112 API Credential with `credential`, `type`, `hostname`, `expires`, …) follows
//! bitwarden/clients `libs/importer/src/importers/onepassword/onepassword-1pux-importer.ts`
//! and `types/onepassword-1pux-importer-types.ts`, which read real exports.
//!
//! The zip is read with hard bounds: the number of entries is checked from the archive's
//! end record before its directory is read ([`MAX_ZIP_ENTRIES`]); `export.data` may
//! neither declare nor expand to more than [`MAX_IMPORT_BYTES`] (it is read through
//! `take(limit + 1)`, whatever its header says: zip bombs); encrypted entries and zips
//! inside zips are refused by name. An `export.data` already unzipped is read as it is.
//!
//! Each item becomes: a login → basic auth with its URL (an API key, or a bearer token when
//! a JWT, without a user name) and a 2FA item from its one-time password field; a password
//! → an API key; an API Credential → an API key (a bearer token when its type says bearer
//! or JWT, or the value is a JWT) with its user name, host (as the URL) and expiry;
//! concealed fields → API keys of their own; other fields → the notes. Tags stay tags; the
//! vault is a tag when the export has several. Archived items, cards, identities and other
//! personal records, and secure notes without a key are listed with the reason they are
//! not imported.

use std::io::{Cursor, Read};

use serde::Deserialize;
use zeroize::Zeroizing;

use super::pm::{self, Entry, List, Text, json_error};
use super::{Format, Record, fail};
use crate::credential::Kind;
use crate::error::Result;
use crate::limits::{MAX_IMPORT_BYTES, MAX_ZIP_ENTRIES};

const FORMAT: Format = Format::OnePassword;
const EXPORT_DATA: &str = "export.data";

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExportData {
    accounts: Option<List<Account>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Account {
    vaults: Option<List<Vault>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Vault {
    attrs: Option<VaultAttrs>,
    items: Option<List<Item>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VaultAttrs {
    name: Text,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Item {
    state: Text,
    category_uuid: Text,
    details: Option<Details>,
    overview: Option<Overview>,
    /// Some exports wrap each item as `{"item": {…}}`.
    item: Option<Box<Item>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Details {
    login_fields: Option<List<LoginField>>,
    notes_plain: Text,
    sections: Option<List<Section>>,
    password: Text,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct LoginField {
    value: Text,
    name: Text,
    field_type: Text,
    designation: Text,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Section {
    title: Text,
    fields: Option<List<SectionField>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SectionField {
    title: Text,
    id: Text,
    value: Option<FieldValue>,
}

/// A field's value: an object with one key saying its type.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct FieldValue {
    concealed: Text,
    totp: Text,
    string: Text,
    url: Text,
    menu: Text,
    date: Text,
    month_year: Text,
    phone: Text,
    email: Text,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Overview {
    title: Text,
    url: Text,
    urls: Option<List<UrlEntry>>,
    tags: Option<List<Text>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UrlEntry {
    url: Text,
}

/// Read a `.1pux` (or the `export.data` taken out of one).
pub(super) fn parse(data: &[u8]) -> Result<Vec<Record>> {
    let text = std::str::from_utf8(data)
        .ok()
        .map(|t| t.strip_prefix('\u{feff}').unwrap_or(t));
    if let Some(t) = text
        && t.trim_start().starts_with('{')
    {
        return records(t);
    }
    if !data.starts_with(b"PK") {
        return Err(fail(
            FORMAT,
            "it is not a .1pux file (a zip archive) nor the export.data inside one",
        ));
    }
    let json = export_data(data)?;
    let text = std::str::from_utf8(&json)
        .map_err(|_| fail(FORMAT, "its export.data is not text (UTF-8)"))?;
    records(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The number of entries the zip's end-of-central-directory record declares (the ZIP64
/// record's when there is one), read before the directory itself. `None` when there is no
/// such record (the zip reader then says what is wrong).
pub(super) fn declared_entries(data: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const EOCD_LEN: usize = 22;
    let last = data.len().checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(u16::MAX as usize);
    let pos = (first..=last)
        .rev()
        .find(|&i| data.get(i..i + 4) == Some(EOCD))?;
    let u16_at = |at: usize| {
        data.get(at..at + 2)
            .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let total = u16_at(pos + 10)?.max(u16_at(pos + 8)?);
    if total != u64::from(u16::MAX) {
        return Some(total);
    }
    // ZIP64: the locator sits just before the record and points at the ZIP64 record.
    let u64_at = |at: usize| {
        data.get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
    };
    let locator = pos.checked_sub(20)?;
    if data.get(locator..locator + 4) != Some(b"PK\x06\x07".as_slice()) {
        return Some(total);
    }
    let record = usize::try_from(u64_at(locator + 8)?).ok()?;
    if data.get(record..record + 4) != Some(b"PK\x06\x06".as_slice()) {
        return Some(total);
    }
    Some(u64_at(record + 32)?.max(u64_at(record + 24)?))
}

/// `export.data` out of the zip, within the bounds.
fn export_data(data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if let Some(n) = declared_entries(data)
        && n > MAX_ZIP_ENTRIES as u64
    {
        return Err(fail(
            FORMAT,
            format!(
                "its zip directory declares {n} entries; Keywright reads .1pux files of at most \
                 {MAX_ZIP_ENTRIES}"
            ),
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(data))
        .map_err(|e| fail(FORMAT, format!("it is not a readable zip archive ({e})")))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(fail(
            FORMAT,
            format!(
                "its zip holds {} entries; Keywright reads .1pux files of at most \
                 {MAX_ZIP_ENTRIES}",
                zip.len()
            ),
        ));
    }
    let Some(index) = zip.index_for_name(EXPORT_DATA) else {
        let nested = zip.file_names().filter_map(|n| n.ok()).find(|n| {
            let lower = n.to_ascii_lowercase();
            lower.ends_with(".1pux") || lower.ends_with(".zip")
        });
        return Err(fail(
            FORMAT,
            match nested {
                Some(inner) => format!(
                    "this zip holds {:?} rather than export.data: unzip it and import the \
                     .1pux inside",
                    pm::short(&inner, 80)
                ),
                None => "the zip has no export.data: it is not a 1Password .1pux export".into(),
            },
        ));
    };
    {
        let raw = zip.by_index_raw(index).map_err(|e| {
            fail(
                FORMAT,
                format!("its export.data cannot be read from the zip ({e})"),
            )
        })?;
        if raw.encrypted() {
            return Err(fail(
                FORMAT,
                "its export.data is encrypted (a password-protected zip); 1Password writes \
                 .1pux files unencrypted: export again from 1Password",
            ));
        }
        if raw.size() > MAX_IMPORT_BYTES as u64 {
            return Err(fail(
                FORMAT,
                format!(
                    "its export.data declares {} bytes uncompressed; Keywright reads at most \
                     {MAX_IMPORT_BYTES} ({} MiB)",
                    raw.size(),
                    MAX_IMPORT_BYTES >> 20
                ),
            ));
        }
    }
    let file = zip.by_index(index).map_err(|e| {
        fail(
            FORMAT,
            format!("its export.data cannot be read from the zip ({e})"),
        )
    })?;
    let mut buf = Zeroizing::new(Vec::new());
    file.take(MAX_IMPORT_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| {
            // The zip reader holds an entry to the size its header declares.
            if e.to_string().contains("larger than its declared") {
                fail(
                    FORMAT,
                    "its export.data holds more than its zip header declares: the file is \
                     damaged, or made to exhaust memory",
                )
            } else {
                fail(
                    FORMAT,
                    format!("its export.data cannot be decompressed ({e})"),
                )
            }
        })?;
    if buf.len() > MAX_IMPORT_BYTES {
        return Err(fail(
            FORMAT,
            format!(
                "its export.data expands to more than {MAX_IMPORT_BYTES} bytes ({} MiB), the \
                 most Keywright reads",
                MAX_IMPORT_BYTES >> 20
            ),
        ));
    }
    if buf.starts_with(b"PK\x03\x04") {
        return Err(fail(
            FORMAT,
            "its export.data is itself a zip archive, not 1Password's JSON",
        ));
    }
    Ok(buf)
}

/// What a category is, for those Keywright does not import.
fn not_a_credential(category: &str) -> Option<&'static str> {
    Some(match category {
        "002" => "a credit card",
        "004" => "an identity",
        "006" => "a document",
        "101" => "a bank account",
        "103" => "a driver's licence",
        "104" => "an outdoor licence",
        "105" => "a membership",
        "106" => "a passport",
        "107" => "a rewards programme",
        "108" => "a social security number",
        "113" => "a medical record",
        _ => return None,
    })
}

fn records(text: &str) -> Result<Vec<Record>> {
    let export: ExportData =
        pm::budgeted(|| serde_json::from_str(text)).map_err(|e| fail(FORMAT, json_error(&e)))?;
    let Some(accounts) = export.accounts else {
        return Err(fail(
            FORMAT,
            "its export.data has no \"accounts\": it is not a 1Password export",
        ));
    };
    let vaults: Vec<Vault> = accounts
        .0
        .into_iter()
        .flat_map(|a| a.vaults.unwrap_or_default().0)
        .collect();
    let tag_vaults = vaults.len() > 1;
    let mut out = Vec::new();
    let mut position = 0;
    for vault in vaults {
        let vault_tag = vault
            .attrs
            .as_ref()
            .and_then(|a| a.name.get())
            .and_then(pm::tag_of)
            .filter(|_| tag_vaults);
        for item in vault.items.unwrap_or_default().0 {
            position += 1;
            let item = match item.item {
                Some(inner) => *inner,
                None => item,
            };
            out.extend(item_records(position, vault_tag.as_deref(), item));
        }
    }
    Ok(out)
}

/// A section field's value by its type: `(type, text)`.
fn field_value(v: &FieldValue) -> Option<(&'static str, &str)> {
    [
        ("concealed", &v.concealed),
        ("totp", &v.totp),
        ("string", &v.string),
        ("url", &v.url),
        ("menu", &v.menu),
        ("date", &v.date),
        ("monthYear", &v.month_year),
        ("phone", &v.phone),
        ("email", &v.email),
    ]
    .into_iter()
    .find_map(|(k, t)| t.raw().map(|s| (k, s)))
}

/// A date field (Unix seconds; milliseconds are recognised by their size).
fn date_of(s: &str) -> Option<i64> {
    let n: i64 = s.trim().parse().ok()?;
    Some(if n > 100_000_000_000 { n / 1000 } else { n })
}

fn item_records(position: usize, vault_tag: Option<&str>, item: Item) -> Vec<Record> {
    let label = format!("item {position}");
    let overview = item.overview.unwrap_or_default();
    let details = item.details.unwrap_or_default();
    let name = overview
        .title
        .get()
        .map(|t| pm::short(t, crate::credential::MAX_NAME_LEN))
        .unwrap_or_else(|| format!("1Password item {position}"));
    let quoted = format!("{:?}", pm::short(&name, 60));
    match item.state.get() {
        None | Some("active") => {}
        Some("archived") => {
            return vec![Record::invalid(
                position,
                label,
                format!("{quoted} is archived in 1Password; not imported"),
            )];
        }
        Some(other) => {
            return vec![Record::invalid(
                position,
                label,
                format!(
                    "{quoted} is not active in 1Password (state {:?}); not imported",
                    pm::short(other, 20)
                ),
            )];
        }
    }
    let category = item.category_uuid.get().unwrap_or_default();
    if let Some(what) = not_a_credential(category) {
        return vec![Record::invalid(
            position,
            label,
            format!(
                "{quoted} is {what}: Keywright keeps developer credentials (API keys, tokens, \
                 logins, 2FA codes)"
            ),
        )];
    }
    if category == "114" {
        return vec![Record::invalid(
            position,
            label,
            format!("{quoted} is an SSH key: Keywright does not keep SSH keys"),
        )];
    }
    let api = category == "112";
    let mut entry = Entry::new(position, name);
    for t in pm::slice(&overview.tags) {
        if let Some(tag) = t.get().and_then(pm::tag_of) {
            entry.tags.push(tag);
        }
    }
    if let Some(tag) = vault_tag
        && !entry.tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
    {
        entry.tags.push(tag.to_owned());
    }
    let mut urls: Vec<&str> = overview.url.get().into_iter().collect();
    urls.extend(pm::slice(&overview.urls).iter().filter_map(|u| u.url.get()));
    entry.url = urls.iter().find_map(|u| pm::web_url(u));
    // A secure note that is a key and nothing else (its text is "sk_live_…").
    let body = details.notes_plain.get().unwrap_or_default();
    let note_is_key =
        category == "003" && !body.contains(char::is_whitespace) && pm::recognised(body);
    if !note_is_key && let Some(notes) = details.notes_plain.raw() {
        entry.notes.text(notes);
    }
    let mut password: Option<Zeroizing<String>> = None;
    for f in pm::slice(&details.login_fields) {
        let Some(value) = f.value.raw() else {
            continue;
        };
        match f.designation.get() {
            Some("username") if entry.username.is_none() => {
                entry.username = Some(value.trim().to_owned());
            }
            Some("password") if password.is_none() => {
                password = Some(Zeroizing::new(value.to_owned()));
            }
            _ => match f.field_type.get() {
                Some("P") => entry.secret_fields.push((
                    f.name.get().unwrap_or_default().to_owned(),
                    Zeroizing::new(value.to_owned()),
                )),
                // Check boxes are web-form settings ("remember me"), not data.
                Some("C") => {}
                _ => entry.notes.field(f.name.get().unwrap_or_default(), value),
            },
        }
    }
    if password.is_none() {
        password = details.password.raw().map(|p| Zeroizing::new(p.to_owned()));
    }
    let mut api_type: Option<String> = None;
    for section in pm::slice(&details.sections) {
        for f in pm::slice(&section.fields) {
            let Some((kind, value)) = f.value.as_ref().and_then(field_value) else {
                continue;
            };
            let id = f.id.get().unwrap_or_default();
            let title = f.title.get().or_else(|| section.title.get()).unwrap_or(id);
            let key = if id.is_empty() {
                title.to_ascii_lowercase()
            } else {
                id.to_ascii_lowercase()
            };
            if kind == "totp" || (id.starts_with("TOTP_") && kind == "string") {
                entry.otp.push(Zeroizing::new(value.trim().to_owned()));
                continue;
            }
            match key.as_str() {
                "username" if entry.username.is_none() => {
                    entry.username = Some(value.trim().to_owned());
                    continue;
                }
                "password" if password.is_none() => {
                    password = Some(Zeroizing::new(value.to_owned()));
                    continue;
                }
                "credential" if password.is_none() => {
                    password = Some(Zeroizing::new(value.to_owned()));
                    continue;
                }
                // An API's host is its URL; a database's or a server's host is not a web
                // address (it goes to the notes).
                "hostname" if api => {
                    if let Some(url) = pm::web_url(value) {
                        entry.url = Some(url);
                        continue;
                    }
                }
                "url" | "website" if entry.url.is_none() => {
                    if let Some(url) = pm::web_url(value) {
                        entry.url = Some(url);
                        continue;
                    }
                }
                "expires" if kind == "date" => {
                    if let Some(t) = date_of(value) {
                        entry.expires_at = Some(t);
                        continue;
                    }
                }
                "type" if api => {
                    api_type = Some(value.trim().to_owned());
                    entry.notes.field("Type", value);
                    continue;
                }
                _ => {}
            }
            let secret = kind == "concealed"
                || (!value.trim().contains(char::is_whitespace)
                    && matches!(kind, "string")
                    && (pm::secret_name(title) || pm::recognised(value)));
            if secret {
                entry
                    .secret_fields
                    .push((title.to_owned(), Zeroizing::new(value.to_owned())));
            } else if kind == "date" {
                let shown = date_of(value).map_or_else(
                    || value.to_owned(),
                    |t| crate::timefmt::rfc3339(t).chars().take(10).collect(),
                );
                entry.notes.field(title, &shown);
            } else {
                entry.notes.field(title, value);
            }
        }
    }
    if category == "003" {
        if note_is_key {
            if password.is_none() && entry.secret_fields.is_empty() {
                password = Some(Zeroizing::new(body.to_owned()));
            } else {
                entry.notes.text(body);
            }
        }
        entry.no_secret = Some(format!(
            "{quoted} is a secure note with no key in it (no concealed field, and its text is \
             not a key)"
        ));
    } else {
        entry.no_secret = Some(format!("{quoted} has no password or key: nothing to keep"));
    }
    if let Some(secret) = &password {
        let value = secret.trim();
        entry.kind = if api {
            let said = api_type.as_deref().unwrap_or_default().to_ascii_lowercase();
            let bearer = ["bearer", "jwt", "oauth"].iter().any(|w| said.contains(w));
            Some(if bearer && !value.contains(char::is_whitespace) {
                Kind::Bearer
            } else {
                super::kind_of_value(value)
            })
        } else {
            None
        };
    }
    entry.secret = password;
    entry.records()
}
