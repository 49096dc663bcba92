//! KeePass and KeePassXC: `.kdbx` databases ([`kdbx`], KDBX 3.1 and 4, with the password),
//! the KeePass 2.x XML that KeePassXC exports ([`xml`]) and KeePassXC's CSV export. All
//! three become the same [`Entry`]s, mapped to records here:
//!
//! - Title → the item's name; the groups below the root (`Work/APIs`) and KeePassXC's tags
//!   → tags;
//! - UserName + Password → a `basic` item (URL kept); a Password without a user name → an
//!   `api_key` item, or `bearer` when it is a JWT;
//! - Notes → notes, followed by the unprotected custom fields as `field: value` lines;
//! - `Expires` + `ExpiryTime` → the item's expiry;
//! - a one-time password — KeePassXC's `otp` attribute (an otpauth:// URI), the older
//!   `TOTP Seed` + `TOTP Settings` (`30;6`, `30;S` for Steam), KeePass 2's own
//!   `TimeOtp-Secret-Base32`/`-Hex`/`-Base64`/`TimeOtp-Secret` with `TimeOtp-Length`,
//!   `-Period`, `-Algorithm`, or KeeOtp's `key=…&size=…&step=…` — → a separate `totp`
//!   item named "<title> 2FA", labelled "entry N (2FA)";
//! - protected custom fields that look like keys (one word of 8 or more characters) → their
//!   own `api_key`/`bearer` items named "<title> <field>"; other protected fields go to the
//!   notes (notes are secret, sealed like the key);
//! - an entry with no password, no one-time password and no protected field is invalid
//!   ("has no password, key or one-time password").
//!
//! History entries (old versions) and the entries in the recycle bin (deleted ones) are
//! left out without a row.

pub mod kdbx;
pub mod xml;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;

use secrecy::SecretString;
use zeroize::Zeroizing;

use super::{Candidate, Format, Record, add_tags, fail, kind_of_value, reason_of};
use crate::credential::{Kind, NewItem, OtpAlgorithm, OtpParams, OtpType, validate_url};
use crate::error::{Error, Result};
use crate::otp::OtpAccount;

/// One string field of an entry.
pub struct Field {
    pub key: String,
    pub value: Zeroizing<String>,
    /// Protected in the database (`Protected`/`ProtectInMemory`): a secret.
    pub protected: bool,
}

/// One KeePass entry, whatever file it came from. `Debug` shows no value.
#[derive(Default)]
pub struct Entry {
    /// 1-based position among the entries read (history and recycle bin not counted).
    pub position: usize,
    /// Every string field in file order: Title, UserName, Password, URL, Notes, otp, custom.
    pub fields: Vec<Field>,
    pub tags: Vec<String>,
    /// Group names below the root, outermost first.
    pub groups: Vec<String>,
    pub expires: bool,
    pub expiry_time: Option<std::result::Result<i64, String>>,
    /// Why the entry cannot be imported as read (a field too long, not text).
    pub problem: Option<String>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("position", &self.position)
            .field("fields", &self.fields.len())
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

impl Entry {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.as_str())
    }

    fn text(&self, key: &str) -> &str {
        self.get(key).map(str::trim).unwrap_or_default()
    }

    /// A field set from a file without protection marks (CSV).
    pub fn set(&mut self, key: &str, value: &str) {
        self.fields.push(Field {
            key: key.to_owned(),
            value: Zeroizing::new(value.to_owned()),
            protected: false,
        });
    }
}

/// The standard fields and those read for the one-time password: never custom fields.
fn is_known_field(key: &str) -> bool {
    matches!(
        key,
        "Title"
            | "UserName"
            | "Password"
            | "URL"
            | "Notes"
            | "otp"
            | "TOTP Seed"
            | "TOTP Settings"
            | "KeePassXC-Browser Settings"
            | "KeePassHttp Settings"
    ) || key.starts_with("TimeOtp-")
        || key.starts_with("HmacOtp-")
}

/// An item name as KeePass allows and Keywright does not: at most 200 characters, no
/// control characters.
fn clip_name(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(crate::credential::MAX_NAME_LEN)
        .collect();
    clean.trim().to_owned()
}

/// A URL Keywright keeps (http or https; a bare host gets `https://`), or `None` (the text
/// then goes to the notes).
pub(crate) fn web_url(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(u) = validate_url("url", s) {
        return Some(u);
    }
    if !s.contains("://") && !s.contains(char::is_whitespace) && s.contains('.') {
        return validate_url("url", &format!("https://{s}")).ok();
    }
    None
}

/// A one-time password account from an otpauth:// URI or a base32 seed.
pub(crate) fn otp_of_text(s: &str) -> std::result::Result<OtpAccount, String> {
    let s = s.trim();
    if s.len() >= 10 && s[..10].eq_ignore_ascii_case("otpauth://") {
        crate::otp::uri::parse(s).map_err(|e| {
            let r = reason_of(e);
            r.strip_prefix("This otpauth:// link ")
                .map(|x| format!("its one-time password link {}", x.trim_end_matches('.')))
                .unwrap_or(r)
        })
    } else if s.contains("key=") {
        keeotp(s)
    } else {
        OtpAccount::from_base32(s, OtpParams::default())
            .map_err(|e| format!("one-time password: {}", reason_of(e)))
    }
}

/// KeeOtp's `key=BASE32&size=6&step=30&otpHashMode=Sha256&type=Totp`.
fn keeotp(s: &str) -> std::result::Result<OtpAccount, String> {
    let mut params = OtpParams::default();
    let mut key = None;
    for (k, v) in url::form_urlencoded::parse(s.as_bytes()) {
        match k.to_ascii_lowercase().as_str() {
            "key" => key = Some(Zeroizing::new(v.into_owned())),
            "size" => {
                params.digits = v
                    .parse()
                    .map_err(|_| format!("one-time password size {v:?} is not a number"))?;
            }
            "step" => {
                params.period = v
                    .parse()
                    .map_err(|_| format!("one-time password step {v:?} is not a number"))?;
            }
            "otphashmode" => {
                params.algorithm = OtpAlgorithm::parse(&v)
                    .map_err(|e| format!("one-time password {}", reason_of(e)))?;
            }
            "type" if !v.eq_ignore_ascii_case("totp") => {
                return Err(format!(
                    "its one-time password is of type {v:?}; only time-based (TOTP) ones are read"
                ));
            }
            _ => {}
        }
    }
    let key = key.ok_or("its one-time password (KeeOtp) has no key")?;
    OtpAccount::from_base32(&key, params)
        .map_err(|e| format!("one-time password: {}", reason_of(e)))
}

/// The one-time password of an entry, if it has one.
fn otp_of(e: &Entry) -> Option<std::result::Result<OtpAccount, String>> {
    if let Some(v) = e.get("otp").filter(|v| !v.trim().is_empty()) {
        return Some(otp_of_text(v));
    }
    if let Some(seed) = e.get("TOTP Seed").filter(|v| !v.trim().is_empty()) {
        return Some(totp_seed(seed, e.get("TOTP Settings").unwrap_or_default()));
    }
    let time_otp = [
        "TimeOtp-Secret-Base32",
        "TimeOtp-Secret-Hex",
        "TimeOtp-Secret-Base64",
        "TimeOtp-Secret",
    ]
    .into_iter()
    .find_map(|k| e.get(k).filter(|v| !v.trim().is_empty()).map(|v| (k, v)));
    time_otp.map(|(k, v)| keepass_time_otp(e, k, v))
}

/// KeePassXC's older fields: `TOTP Seed` (base32) and `TOTP Settings` (`30;6`, `30;S`).
fn totp_seed(seed: &str, settings: &str) -> std::result::Result<OtpAccount, String> {
    let mut params = OtpParams::default();
    let mut parts = settings.split(';').map(str::trim);
    if let Some(p) = parts.next().filter(|p| !p.is_empty()) {
        params.period = p
            .parse()
            .map_err(|_| format!("TOTP Settings {settings:?}: the period is not a number"))?;
    }
    match parts.next() {
        Some("S") | Some("s") => {
            params.otp_type = OtpType::Steam;
            params.digits = crate::otp::STEAM_DIGITS;
        }
        Some(d) if !d.is_empty() => {
            params.digits = d
                .parse()
                .map_err(|_| format!("TOTP Settings {settings:?}: the digits are not a number"))?;
        }
        _ => {}
    }
    OtpAccount::from_base32(seed, params).map_err(|e| format!("TOTP Seed: {}", reason_of(e)))
}

/// KeePass 2.47+'s own TOTP fields.
fn keepass_time_otp(e: &Entry, key: &str, value: &str) -> std::result::Result<OtpAccount, String> {
    use base64::Engine as _;
    let bytes: Zeroizing<Vec<u8>> = Zeroizing::new(match key {
        "TimeOtp-Secret-Base32" => {
            return time_otp_params(e).and_then(|p| {
                OtpAccount::from_base32(value, p).map_err(|x| format!("{key}: {}", reason_of(x)))
            });
        }
        "TimeOtp-Secret-Hex" => data_encoding::HEXLOWER_PERMISSIVE
            .decode(value.trim().replace(' ', "").as_bytes())
            .map_err(|_| format!("{key} is not hexadecimal"))?,
        "TimeOtp-Secret-Base64" => base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map_err(|_| format!("{key} is not base64"))?,
        _ => value.as_bytes().to_vec(),
    });
    let params = time_otp_params(e)?;
    OtpAccount::from_bytes(&bytes, params).map_err(|x| format!("{key}: {}", reason_of(x)))
}

fn time_otp_params(e: &Entry) -> std::result::Result<OtpParams, String> {
    let mut p = OtpParams::default();
    if let Some(d) = e
        .get("TimeOtp-Length")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        p.digits = d
            .parse()
            .map_err(|_| format!("TimeOtp-Length {d:?} is not a number"))?;
    }
    if let Some(d) = e
        .get("TimeOtp-Period")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        p.period = d
            .parse()
            .map_err(|_| format!("TimeOtp-Period {d:?} is not a number"))?;
    }
    if let Some(a) = e
        .get("TimeOtp-Algorithm")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        p.algorithm = OtpAlgorithm::parse(a.trim_start_matches("HMAC-"))
            .map_err(|x| format!("TimeOtp-Algorithm: {}", reason_of(x)))?;
    }
    Ok(p)
}

/// Whether a protected custom field's value looks like a key or token (one word of 8 or
/// more characters) rather than text (a PIN, a security answer).
fn looks_like_key(v: &str) -> bool {
    let v = v.trim();
    v.len() >= 8 && !v.contains(char::is_whitespace)
}

/// A candidate with what the preview says about its key: a JWT, or a recognised service.
pub(crate) fn hinted(item: NewItem) -> Candidate {
    let mut c = Candidate::new(item);
    match c.item.kind {
        Kind::Bearer => c.hint = Some("a JWT: kept as a bearer token with its expiry".into()),
        Kind::ApiKey => {
            c.hint = crate::recognize::recognize(c.item.secret.value.trim())
                .map(|r| format!("recognised: {}", r.label));
        }
        _ => {}
    }
    c
}

/// One record made of an item. Its fields are checked once, by the plan
/// (`Vault::plan_import`), which makes a bad one that row's reason.
fn record(position: usize, label: String, item: NewItem) -> Record {
    Record::ok(position, label, hinted(item))
}

/// The records of the entries (see the module's documentation for the mapping).
pub fn records(entries: Vec<Entry>) -> Vec<Record> {
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        map_entry(&e, &mut out);
    }
    out
}

fn map_entry(e: &Entry, out: &mut Vec<Record>) {
    let pos = e.position;
    let label = format!("entry {pos}");
    let title = e.text("Title");
    let shown = if title.is_empty() {
        format!("entry {pos}")
    } else {
        format!("{title:?}")
    };
    if let Some(p) = &e.problem {
        out.push(Record::invalid(pos, label, format!("{shown}: {p}")));
        return;
    }
    let username = e.text("UserName");
    let password = e.get("Password").unwrap_or_default();
    let url_text = e.text("URL");
    let url = web_url(url_text);
    let name = if !title.is_empty() {
        clip_name(title)
    } else if let Some(host) = url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
    {
        clip_name(&host)
    } else if !username.is_empty() {
        clip_name(username)
    } else {
        format!("KeePass entry {pos}")
    };
    let mut tags: Vec<String> = Vec::new();
    let group_tags: Vec<String> = e.groups.iter().map(|g| clip_tag(g)).collect();
    let own_tags: Vec<String> = e.tags.iter().map(|t| clip_tag(t)).collect();
    for t in group_tags.iter().chain(&own_tags) {
        if !t.is_empty() && !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            tags.push(t.clone());
        }
    }
    let expires_at = match (&e.expiry_time, e.expires) {
        (Some(Ok(t)), true) => Some(*t),
        (Some(Err(reason)), true) => {
            out.push(Record::invalid(pos, label, format!("{shown}: {reason}")));
            return;
        }
        _ => None,
    };
    // Notes: the entry's, the URL when it is not a web address, and the custom fields that
    // are not keys.
    let mut notes = Zeroizing::new(e.get("Notes").unwrap_or_default().trim_end().to_owned());
    let mut extra = Zeroizing::new(String::new());
    if url.is_none() && !url_text.is_empty() {
        extra.push_str(&format!("URL: {url_text}\n"));
    }
    let mut keys: Vec<&Field> = Vec::new();
    for f in &e.fields {
        if is_known_field(&f.key) || f.value.trim().is_empty() {
            continue;
        }
        if f.protected && looks_like_key(&f.value) {
            keys.push(f);
        } else {
            extra.push_str(&format!("{}: {}\n", f.key, f.value.trim_end()));
        }
    }
    if !extra.is_empty() {
        if !notes.is_empty() {
            notes.push_str("\n\n");
        }
        notes.push_str(extra.trim_end());
    }
    let otp = otp_of(e);
    if password.trim().is_empty() && otp.is_none() && keys.is_empty() {
        out.push(Record::invalid(
            pos,
            label,
            format!("{shown} has no password, key or one-time password"),
        ));
        return;
    }
    let mut notes_given = false;
    let base = |kind: Kind, name: String, value: &str| {
        let mut item = NewItem::new(kind, name, value);
        item.url = url.clone();
        item.expires_at = expires_at;
        add_tags(&mut item, &tags);
        item
    };
    if !password.trim().is_empty() {
        let mut item = if username.is_empty() {
            base(
                kind_of_value(password.trim()),
                name.clone(),
                password.trim(),
            )
        } else {
            let mut i = base(Kind::Basic, name.clone(), password);
            i.username = Some(username.to_owned());
            i
        };
        item.secret.notes = notes.to_string();
        notes_given = true;
        out.push(record(pos, label.clone(), item));
    }
    for f in keys {
        let v = f.value.trim();
        let mut item = base(kind_of_value(v), clip_name(&format!("{name} {}", f.key)), v);
        if !notes_given {
            item.secret.notes = notes.to_string();
            notes_given = true;
        }
        out.push(record(
            pos,
            format!("{label} ({})", clip_name(&f.key)),
            item,
        ));
    }
    match otp {
        None => {}
        Some(Err(reason)) => {
            out.push(Record::invalid(
                pos,
                format!("{label} (2FA)"),
                format!("{shown}: {reason}"),
            ));
        }
        Some(Ok(mut acc)) => {
            if acc.issuer.as_deref().is_none_or(|s| s.trim().is_empty()) {
                acc.issuer = (!title.is_empty()).then(|| clip_name(title));
            }
            if acc.account.as_deref().is_none_or(|s| s.trim().is_empty()) && !username.is_empty() {
                acc.account = Some(username.to_owned());
            }
            if !notes_given {
                acc.notes = notes.clone();
            }
            let mut item = crate::vault::otp::new_otp_item(clip_name(&format!("{name} 2FA")), &acc);
            add_tags(&mut item, &tags);
            out.push(record(pos, format!("{label} (2FA)"), item));
        }
    }
}

/// A group name or tag as a tag: at most 64 characters.
fn clip_tag(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(crate::credential::MAX_TAG_LEN)
        .collect();
    clean.trim().to_owned()
}

/// A `.kdbx` database, opened with its password.
pub fn parse_kdbx(data: &[u8], password: Option<&SecretString>) -> Result<Vec<Record>> {
    super::check_size(Format::Kdbx, data.len())?;
    if !kdbx::looks_like_kdbx(data) {
        return Err(fail(Format::Kdbx, "it is not a KeePass database (.kdbx)"));
    }
    let password = password.ok_or(Error::ImportPasswordNeeded {
        format: Format::Kdbx.display(),
    })?;
    let mut opened = kdbx::open(data, password)?;
    let text = std::str::from_utf8(&opened.xml).map_err(|_| {
        fail(
            Format::Kdbx,
            "its XML is not UTF-8 (the database is damaged)",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = xml::read(Format::Kdbx, text, Some(&mut opened.stream))?;
    if let (Some(want), Some(got)) = (opened.header_sha256, doc.header_hash.as_deref())
        && want.as_slice() != got
    {
        return Err(fail(
            Format::Kdbx,
            format!(
                "its header does not match the hash inside (KDBX {}); the file was altered",
                opened.version
            ),
        ));
    }
    Ok(records(doc.entries))
}

/// KeePassXC's (KeePass 2.x) XML export.
pub fn parse_xml(text: &str) -> Result<Vec<Record>> {
    let doc = xml::read(Format::KeepassXml, text, None)?;
    Ok(records(doc.entries))
}

/// The columns of KeePassXC's CSV export (`keepassxc-cli export -f csv`, 2.7):
/// `"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"`
/// (newer versions may add `Tags`; read when present). The group path starts with the
/// root group's name.
pub fn parse_csv(text: &str) -> Result<Vec<Record>> {
    const FORMAT: Format = Format::KeepassCsv;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| fail(FORMAT, format!("its header row cannot be read ({e})")))?
        .clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(title), Some(user), Some(pass)) = (col("Title"), col("Username"), col("Password"))
    else {
        let got: Vec<&str> = header.iter().collect();
        return Err(fail(
            FORMAT,
            format!(
                "it is not KeePassXC's CSV export: the header has no Title, Username and \
                 Password columns (it has {got:?}); for another CSV use the csv format with --map"
            ),
        ));
    };
    let (group, url, notes, totp, tags) = (
        col("Group"),
        col("URL"),
        col("Notes"),
        col("TOTP"),
        col("Tags"),
    );
    let mut entries = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut row = 0usize;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(fail(
                    FORMAT,
                    format!(
                        "row {} cannot be read ({})",
                        row + 2,
                        super::csv::csv_error(&e)
                    ),
                ));
            }
        }
        row += 1;
        if row > crate::limits::MAX_IMPORT_ENTRIES {
            return Err(super::too_many_entries(FORMAT));
        }
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default();
        let mut e = Entry {
            position: row,
            ..Entry::default()
        };
        let too_long = record
            .iter()
            .any(|f| f.len() > crate::limits::MAX_SECRET_BYTES);
        if too_long {
            e.problem = Some(format!(
                "a field is longer than {} bytes",
                crate::limits::MAX_SECRET_BYTES
            ));
        }
        e.set("Title", get(Some(title)));
        e.set("UserName", get(Some(user)));
        e.set("Password", get(Some(pass)));
        e.set("URL", get(url));
        e.set("Notes", get(notes));
        e.set("otp", get(totp));
        // "Root/Work/APIs": the groups below the root. The recycle bin (deleted entries) is
        // left out by its name (the CSV does not say which group it is).
        let path: Vec<&str> = get(group).split('/').map(str::trim).collect();
        if path.get(1).is_some_and(|g| *g == "Recycle Bin") {
            continue;
        }
        e.groups = get(group)
            .split('/')
            .skip(1)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        e.tags = get(tags)
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        entries.push(e);
    }
    record.clear();
    if entries.is_empty() {
        return Err(fail(FORMAT, "it has a header row and no entries"));
    }
    Ok(records(entries))
}
