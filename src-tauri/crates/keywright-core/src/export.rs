//! Whole-vault exports, so that nothing is locked in: Keywright's own JSON (its shape is
//! documented in docs/export-format.md), KeePass 2.x XML (what KeePassXC's
//! Database → Import → KeePass XML and `keepassxc-cli import FILE.xml NEW.kdbx` read) and
//! Bitwarden's unencrypted JSON export (what Bitwarden's Import data → Bitwarden (json)
//! reads).
//!
//! [`export`] opens every item's secret and saved requests, writes one format ([`render`])
//! and records an `export` audit event for each item. The outputs hold every secret in
//! clear text: they come back in [`Zeroizing`] strings, each built in a buffer sized
//! exactly beforehand (a first pass only counts the bytes), so that no reallocation leaves
//! a copy of a secret behind in freed memory.
//!
//! Every output is deterministic for a given vault and `exported_at`: the ids KeePass and
//! Bitwarden want are derived from the item ids (and from the tag, for folders).

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::credential::{
    ClientAuth, Grant, Kind, OtpAlgorithm, OtpType, Overview, Placement, SecretFields,
};
use crate::error::{Error, Result};
use crate::otp::{OtpAccount, uri};
use crate::probe::input::{BodyInput, RequestInput};
use crate::timefmt;
use crate::vault::Vault;
use crate::vault::requests::SavedRequest;

/// The `format` value of a Keywright JSON export.
pub const JSON_FORMAT_ID: &str = "keywright-export";
/// The `version` of the Keywright JSON export shape this code writes (docs/export-format.md).
pub const JSON_FORMAT_VERSION: u32 = 1;
/// The name of the KeePass root group, which holds every entry.
pub const KEEPASS_GROUP: &str = "Keywright";

/// The whole-vault export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Keywright's own documented JSON: everything, saved requests included.
    Json,
    /// KeePass 2.x XML, as KeePassXC imports it.
    Keepassxc,
    /// Bitwarden's unencrypted JSON export.
    Bitwarden,
}

impl Format {
    /// The CLI name and the audit event's detail: `json`, `keepassxc`, `bitwarden`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Keepassxc => "keepassxc",
            Format::Bitwarden => "bitwarden",
        }
    }
}

/// One item with its opened secret and saved requests. Wiped on drop; `Debug` shows no
/// secret.
pub struct ExportItem {
    pub id: String,
    pub overview: Overview,
    pub secret: SecretFields,
    pub saved_requests: Vec<SavedRequest>,
}

impl std::fmt::Debug for ExportItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportItem")
            .field("id", &self.id)
            .field("kind", &self.overview.kind)
            .field("secret", &self.secret)
            .field("saved_requests", &self.saved_requests.len())
            .finish_non_exhaustive()
    }
}

impl Drop for ExportItem {
    fn drop(&mut self) {
        // Saved requests may carry other secrets in their headers, URL or body.
        for s in &mut self.saved_requests {
            wipe_request(&mut s.request);
        }
    }
}

fn wipe_request(r: &mut RequestInput) {
    r.url.zeroize();
    for (k, v) in &mut r.headers {
        k.zeroize();
        v.zeroize();
    }
    match &mut r.body {
        BodyInput::None => {}
        BodyInput::Raw { text } | BodyInput::Json { text } => text.zeroize(),
        BodyInput::Form { fields } => {
            for (k, v) in fields {
                k.zeroize();
                v.zeroize();
            }
        }
    }
}

/// Something the export could not take out of the vault: an item whose overview or secret
/// fails its integrity check (left out), or an item's saved requests (the item is in the
/// export without them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub id: String,
    /// The item's name, when its overview opened.
    pub name: Option<String>,
    pub reason: String,
}

/// Everything an export writes, opened.
#[derive(Debug)]
pub struct Snapshot {
    pub vault_id: String,
    /// Unix seconds.
    pub exported_at: i64,
    /// Sorted by name, as the vault lists them.
    pub items: Vec<ExportItem>,
    pub left_out: Vec<LeftOut>,
}

impl Snapshot {
    pub fn summary(&self) -> Summary {
        Summary::of(self.items.iter().map(|i| i.overview.kind))
    }
}

/// How many items of each kind an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    counts: [usize; 5],
}

impl Summary {
    pub fn of(kinds: impl IntoIterator<Item = Kind>) -> Self {
        let mut s = Summary::default();
        for k in kinds {
            s.counts[kind_index(k)] += 1;
        }
        s
    }

    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.counts[kind_index(kind)]
    }

    /// `(kind, count)` for every kind, in [`Kind::ALL`] order (zeros included).
    pub fn by_kind(&self) -> impl Iterator<Item = (Kind, usize)> + '_ {
        Kind::ALL.into_iter().map(|k| (k, self.count(k)))
    }

    /// `12 items (5 API keys, 3 tokens, 2 OAuth clients, 1 basic, 1 2FA)`; kinds with no
    /// item are not named.
    pub fn describe(&self) -> String {
        let total = self.total();
        let head = format!("{total} {}", if total == 1 { "item" } else { "items" });
        let parts: Vec<String> = self
            .by_kind()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{n} {}", kind_label(k, n)))
            .collect();
        if parts.is_empty() {
            head
        } else {
            format!("{head} ({})", parts.join(", "))
        }
    }
}

fn kind_index(k: Kind) -> usize {
    match k {
        Kind::ApiKey => 0,
        Kind::Bearer => 1,
        Kind::Oauth2 => 2,
        Kind::Basic => 3,
        Kind::Totp => 4,
    }
}

fn kind_label(k: Kind, n: usize) -> &'static str {
    let one = n == 1;
    match k {
        Kind::ApiKey if one => "API key",
        Kind::ApiKey => "API keys",
        Kind::Bearer if one => "token",
        Kind::Bearer => "tokens",
        Kind::Oauth2 if one => "OAuth client",
        Kind::Oauth2 => "OAuth clients",
        Kind::Basic => "basic",
        Kind::Totp => "2FA",
    }
}

/// A whole-vault export, ready to write.
pub struct Exported {
    /// The file's content (every secret in clear text).
    pub body: Zeroizing<String>,
    pub summary: Summary,
    /// Items (or their saved requests) that could not be opened and are not in `body`.
    pub left_out: Vec<LeftOut>,
}

impl std::fmt::Debug for Exported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exported")
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .field("summary", &self.summary)
            .field("left_out", &self.left_out)
            .finish()
    }
}

/// Export every item of the unlocked vault (not those in the Trash) with its secret and
/// saved requests in `format`. Once the export is made, and before the caller writes it,
/// an `export` audit event (detail: the format's name) is recorded for each item in it, in
/// one transaction. Nothing is recorded when the export cannot be made.
///
/// An item whose overview or secret fails its integrity check is left out and named in
/// [`Exported::left_out`]; so are the saved requests of an item when one of them does not
/// open (the item itself is exported). Other errors (a locked vault, the database) end the
/// export.
pub fn export(vault: &mut Vault, format: Format) -> Result<Exported> {
    let snap = collect(vault)?;
    let body = render(format, &snap)?;
    vault.record_export(
        snap.items
            .iter()
            .map(|i| (i.id.as_str(), i.overview.name.as_str())),
        format.name(),
    )?;
    Ok(Exported {
        body,
        summary: snap.summary(),
        left_out: snap.left_out.clone(),
    })
}

/// Items with their secrets opened, and the items left out.
pub type Opened = (Vec<(crate::vault::Item, SecretFields)>, Vec<LeftOut>);

/// Every item of the unlocked vault (not the Trash) with its secret opened, not audited;
/// items whose overview or secret fails its integrity check are left out and named. Other
/// errors (a locked vault, the database) end it. Shared by the export and the leak scan.
pub fn open_all(vault: &mut Vault) -> Result<Opened> {
    let listed: Vec<crate::vault::Item> = vault.items()?.to_vec();
    let mut left_out: Vec<LeftOut> = vault
        .tampered()?
        .iter()
        .map(|t| LeftOut {
            id: t.id.clone(),
            name: None,
            reason: format!("its overview does not open ({})", t.reason),
        })
        .collect();
    let mut opened = Vec::with_capacity(listed.len());
    for item in listed {
        match vault.open_secret(&item.id) {
            Ok(s) => opened.push((item, s)),
            Err(e) if damaged(&e) => left_out.push(LeftOut {
                id: item.id.clone(),
                name: Some(item.overview.name.clone()),
                reason: e.to_string(),
            }),
            Err(e) => return Err(e),
        }
    }
    Ok((opened, left_out))
}

fn damaged(e: &Error) -> bool {
    matches!(e, Error::Tampered { .. } | Error::Corrupt { .. })
}

/// Every item with its secret and saved requests, opened (not audited: see [`export`]).
fn collect(vault: &mut Vault) -> Result<Snapshot> {
    let (opened, mut left_out) = open_all(vault)?;
    let mut items = Vec::with_capacity(opened.len());
    for (item, secret) in opened {
        let saved_requests = match vault.saved_requests(&item.id) {
            Ok(s) => s,
            Err(e) if damaged(&e) => {
                left_out.push(LeftOut {
                    id: item.id.clone(),
                    name: Some(item.overview.name.clone()),
                    reason: format!("its saved requests were left out: {e}"),
                });
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        items.push(ExportItem {
            id: item.id,
            overview: item.overview,
            secret,
            saved_requests,
        });
    }
    Ok(Snapshot {
        vault_id: vault.vault_id().to_owned(),
        exported_at: timefmt::now(),
        items,
        left_out,
    })
}

/// The export of `snap` in `format`.
pub fn render(format: Format, snap: &Snapshot) -> Result<Zeroizing<String>> {
    match format {
        Format::Json => json(snap),
        Format::Keepassxc => keepass_xml(snap),
        Format::Bitwarden => bitwarden_json(snap),
    }
}

// ---------------------------------------------------------------------------------------
// Shared pieces

/// Counts bytes written, to size the real buffer before the secrets go in.
#[derive(Default)]
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// `value` as JSON indented by two spaces, with a final newline, in a buffer of exactly
/// its size.
fn json_exact<T: Serialize>(value: &T, what: &str) -> Result<Zeroizing<String>> {
    let fail = |e: serde_json::Error| Error::invalid(what, e.to_string());
    let mut count = Counter::default();
    serde_json::to_writer_pretty(&mut count, value).map_err(fail)?;
    let mut buf = Zeroizing::new(Vec::with_capacity(count.0 + 1));
    serde_json::to_writer_pretty(&mut *buf, value).map_err(fail)?;
    buf.push(b'\n');
    let text = String::from_utf8(std::mem::take(&mut *buf))
        .map_err(|_| Error::invalid(what, "is not UTF-8"))?;
    Ok(Zeroizing::new(text))
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

fn nonempty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// A 2FA item as an otpauth account (the label needs an account: the item name stands in
/// when there is neither an issuer nor an account).
fn otp_account(item: &ExportItem) -> Result<Option<OtpAccount>> {
    let Some(params) = item
        .overview
        .otp
        .filter(|_| item.overview.kind == Kind::Totp)
    else {
        return Ok(None);
    };
    let mut acc = OtpAccount::from_base32(&item.secret.value, params).map_err(|e| {
        Error::invalid(
            format!("item {:?}", item.overview.name),
            format!("its 2FA seed cannot be exported: {e}"),
        )
    })?;
    acc.issuer = item.overview.issuer.clone();
    acc.account = item.overview.username.clone();
    if acc.account.is_none() && acc.issuer.is_none() {
        acc.account = Some(item.overview.name.clone());
    }
    acc.counter = item.secret.counter;
    Ok(Some(acc))
}

/// The earliest expiry the item has (its own date, or its token's `exp`).
fn expiry_of(ov: &Overview) -> Option<i64> {
    [ov.expires_at, ov.token_expires_at]
        .into_iter()
        .flatten()
        .min()
}

/// A UUID (version 4 layout, so that tools checking the version accept it) derived from
/// `parts`: the same item gets the same id in every export.
fn derived_uuid(parts: &[&str]) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(b"keywright export id v1");
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    b
}

fn uuid_text(b: &[u8; 16]) -> String {
    let h = crate::crypto::hex(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// A field of an entry that KeePass and Bitwarden have no slot of their own for.
struct Field<'a> {
    name: &'static str,
    value: Cow<'a, str>,
    /// A secret: KeePass `ProtectInMemory`, a Bitwarden hidden field.
    secret: bool,
}

fn text<'a>(name: &'static str, value: impl Into<Cow<'a, str>>) -> Field<'a> {
    Field {
        name,
        value: value.into(),
        secret: false,
    }
}

fn hidden<'a>(name: &'static str, value: &'a str) -> Field<'a> {
    Field {
        name,
        value: Cow::Borrowed(value),
        secret: true,
    }
}

/// The user name slot and the password slot of an entry: the account and the primary
/// secret; an OAuth2 client's id and secret; a 2FA item's account and no password (its
/// seed goes in the format's own 2FA field).
fn login_slots(item: &ExportItem) -> (Option<&str>, Option<&str>) {
    let ov = &item.overview;
    match ov.kind {
        Kind::Oauth2 => (
            ov.oauth.as_ref().map(|o| o.client_id.as_str()),
            nonempty(&item.secret.value),
        ),
        Kind::Totp => (opt(&ov.username), None),
        Kind::ApiKey | Kind::Bearer | Kind::Basic => {
            (opt(&ov.username), nonempty(&item.secret.value))
        }
    }
}

/// Fields shared by the KeePass and Bitwarden exports (docs/export-format.md lists them).
/// `hotp_names`: the names the HOTP seed and counter get.
fn extra_fields<'a>(
    item: &'a ExportItem,
    hotp_names: (&'static str, &'static str),
) -> Vec<Field<'a>> {
    let ov = &item.overview;
    let sec = &item.secret;
    let mut f = vec![text("Keywright kind", ov.kind.as_str())];
    match &ov.placement {
        Some(Placement::Header { name }) => {
            f.push(text("Placement", "header"));
            f.push(text("Header name", name.as_str()));
        }
        Some(Placement::Query { name }) => {
            f.push(text("Placement", "query"));
            f.push(text("Query parameter", name.as_str()));
        }
        Some(Placement::Bearer) => f.push(text("Placement", "bearer")),
        None => {}
    }
    if let Some(o) = &ov.oauth {
        if let Some(acc) = opt(&ov.username) {
            f.push(text("Account", acc));
        }
        if let Some(u) = opt(&o.issuer) {
            f.push(text("Issuer URL", u));
        }
        if let Some(u) = opt(&o.token_url) {
            f.push(text("Token URL", u));
        }
        if !o.scopes.is_empty() {
            f.push(text("Scopes", o.scopes.join(" ")));
        }
        if let Some(a) = opt(&o.audience) {
            f.push(text("Audience", a));
        }
        f.push(text("Grant", o.grant().as_str()));
        f.push(text(
            "Client authentication",
            match o.auth {
                ClientAuth::Basic => "client_secret_basic",
                ClientAuth::Post => "client_secret_post",
            },
        ));
        if !sec.access_token.is_empty() {
            f.push(hidden("Access token", &sec.access_token));
            if let Some(t) = opt(&o.token_type) {
                f.push(text("Token type", t));
            }
            if let Some(t) = o.access_expires_at {
                f.push(text("Access token expires", timefmt::rfc3339(t)));
            }
        }
        if !sec.refresh_token.is_empty() {
            f.push(hidden("Refresh token", &sec.refresh_token));
            if let Some(t) = o.refresh_expires_at {
                f.push(text("Refresh token expires", timefmt::rfc3339(t)));
            }
        }
    }
    if ov.kind == Kind::Totp {
        if let Some(i) = opt(&ov.issuer) {
            f.push(text("Issuer", i));
        }
        if ov.otp.is_some_and(|p| p.otp_type == OtpType::Hotp) {
            f.push(hidden(hotp_names.0, &sec.value));
            f.push(text(hotp_names.1, sec.counter.to_string()));
        }
    }
    if let Some(d) = ov.rotate_every_days {
        f.push(text("Rotate every (days)", d.to_string()));
    }
    f
}

// ---------------------------------------------------------------------------------------
// Keywright JSON

#[derive(Serialize)]
struct JsonFile<'a> {
    format: &'static str,
    version: u32,
    exported_at: String,
    vault_id: &'a str,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    name: &'a str,
    kind: Kind,
    tags: &'a [String],
    url: Option<&'a str>,
    username: Option<&'a str>,
    issuer: Option<&'a str>,
    placement: Option<&'a Placement>,
    secret: &'a str,
    notes: &'a str,
    oauth: Option<JsonOAuth<'a>>,
    otp: Option<JsonOtp<'a>>,
    expires_at: Option<String>,
    token_expires_at: Option<String>,
    rotate_every_days: Option<u32>,
    warn_days: Option<u32>,
    snoozed_until: Option<String>,
    created_at: String,
    updated_at: String,
    last_rotated_at: String,
    saved_requests: Vec<JsonSaved<'a>>,
}

#[derive(Serialize)]
struct JsonOAuth<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    issuer: Option<&'a str>,
    token_url: Option<&'a str>,
    client_auth: ClientAuth,
    scopes: &'a [String],
    audience: Option<&'a str>,
    grant: Grant,
    token_type: Option<&'a str>,
    access_token: Option<&'a str>,
    access_token_expires_at: Option<String>,
    refresh_token: Option<&'a str>,
    refresh_token_expires_at: Option<String>,
    auto_renew: bool,
    reauth_required: bool,
}

#[derive(Serialize)]
struct JsonOtp<'a> {
    #[serde(rename = "type")]
    otp_type: OtpType,
    algorithm: OtpAlgorithm,
    digits: u8,
    period: u32,
    counter: Option<u64>,
    uri: &'a str,
}

#[derive(Serialize)]
struct JsonSaved<'a> {
    id: &'a str,
    name: &'a str,
    request: &'a RequestInput,
    updated_at: String,
}

/// Keywright's own export: every field of every item (docs/export-format.md).
pub fn json(snap: &Snapshot) -> Result<Zeroizing<String>> {
    let uris: Vec<Option<Zeroizing<String>>> = snap
        .items
        .iter()
        .map(|i| otp_account(i).map(|a| a.map(|a| uri::to_uri(&a))))
        .collect::<Result<_>>()?;
    let ts = |t: Option<i64>| t.map(timefmt::rfc3339);
    let items = snap
        .items
        .iter()
        .zip(&uris)
        .map(|(item, uri)| {
            let ov = &item.overview;
            let sec = &item.secret;
            JsonItem {
                id: &item.id,
                name: &ov.name,
                kind: ov.kind,
                tags: &ov.tags,
                url: opt(&ov.url),
                username: opt(&ov.username),
                issuer: opt(&ov.issuer),
                placement: ov.placement.as_ref(),
                secret: &sec.value,
                notes: &sec.notes,
                oauth: ov.oauth.as_ref().map(|o| JsonOAuth {
                    client_id: &o.client_id,
                    client_secret: &sec.value,
                    issuer: opt(&o.issuer),
                    token_url: opt(&o.token_url),
                    client_auth: o.auth,
                    scopes: &o.scopes,
                    audience: opt(&o.audience),
                    grant: o.grant(),
                    token_type: opt(&o.token_type),
                    access_token: nonempty(&sec.access_token),
                    access_token_expires_at: ts(o.access_expires_at),
                    refresh_token: nonempty(&sec.refresh_token),
                    refresh_token_expires_at: ts(o.refresh_expires_at),
                    auto_renew: o.auto_renew,
                    reauth_required: o.reauth_required,
                }),
                otp: match (ov.otp, uri) {
                    (Some(p), Some(uri)) if ov.kind == Kind::Totp => Some(JsonOtp {
                        otp_type: p.otp_type,
                        algorithm: p.algorithm,
                        digits: p.digits,
                        period: p.period,
                        counter: (p.otp_type == OtpType::Hotp).then_some(sec.counter),
                        uri,
                    }),
                    _ => None,
                },
                expires_at: ts(ov.expires_at),
                token_expires_at: ts(ov.token_expires_at),
                rotate_every_days: ov.rotate_every_days,
                warn_days: ov.warn_days,
                snoozed_until: ts(ov.snoozed_until),
                created_at: timefmt::rfc3339(ov.created_at),
                updated_at: timefmt::rfc3339(ov.updated_at),
                last_rotated_at: timefmt::rfc3339(ov.last_rotated_at),
                saved_requests: item
                    .saved_requests
                    .iter()
                    .map(|s| JsonSaved {
                        id: &s.id,
                        name: &s.name,
                        request: &s.request,
                        updated_at: timefmt::rfc3339(s.updated_at),
                    })
                    .collect(),
            }
        })
        .collect();
    json_exact(
        &JsonFile {
            format: JSON_FORMAT_ID,
            version: JSON_FORMAT_VERSION,
            exported_at: timefmt::rfc3339(snap.exported_at),
            vault_id: &snap.vault_id,
            items,
        },
        "JSON export",
    )
}

// ---------------------------------------------------------------------------------------
// KeePass 2.x XML

/// A character XML 1.0 cannot hold (even escaped): C0 controls other than tab, line feed
/// and carriage return, and U+FFFE/U+FFFF. Other controls (DEL, C1) are refused too: no
/// Keywright field can hold them, and KeePass would show them as garbage.
fn xml_refused(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// A small XML writer: elements on their own lines, indented by tabs (as KeePassXC writes),
/// text escaped. `W` is the output or a byte [`Counter`].
struct XmlOut<'w, W: std::fmt::Write> {
    out: &'w mut W,
    depth: usize,
    /// The item being written, for error messages.
    item: String,
}

type XmlResult = std::result::Result<(), XmlError>;

enum XmlError {
    Fmt,
    /// `item`'s `field` holds `c`.
    Refused {
        item: String,
        field: String,
        c: char,
    },
}

impl From<std::fmt::Error> for XmlError {
    fn from(_: std::fmt::Error) -> Self {
        XmlError::Fmt
    }
}

impl<W: std::fmt::Write> XmlOut<'_, W> {
    fn indent(&mut self) -> XmlResult {
        for _ in 0..self.depth {
            self.out.write_char('\t')?;
        }
        Ok(())
    }

    fn open(&mut self, tag: &str) -> XmlResult {
        self.indent()?;
        writeln!(self.out, "<{tag}>")?;
        self.depth += 1;
        Ok(())
    }

    fn close(&mut self, tag: &str) -> XmlResult {
        self.depth = self.depth.saturating_sub(1);
        self.indent()?;
        writeln!(self.out, "</{tag}>")?;
        Ok(())
    }

    /// `<tag>text</tag>` (or `<tag/>` when empty). `field` names the value in an error.
    fn leaf(&mut self, tag: &str, value: &str, field: &str) -> XmlResult {
        self.indent()?;
        if value.is_empty() {
            writeln!(self.out, "<{tag}/>")?;
            return Ok(());
        }
        write!(self.out, "<{tag}>")?;
        self.escaped(value, field)?;
        writeln!(self.out, "</{tag}>")?;
        Ok(())
    }

    /// Text with `& < > " '` as entities and a carriage return as `&#13;` (a parser would
    /// turn a literal one into a line feed); a character XML cannot hold is an error.
    fn escaped(&mut self, value: &str, field: &str) -> XmlResult {
        let mut rest = value;
        while let Some(pos) =
            rest.find(|c: char| matches!(c, '&' | '<' | '>' | '"' | '\'' | '\r') || xml_refused(c))
        {
            self.out.write_str(&rest[..pos])?;
            let c = rest[pos..].chars().next().unwrap_or_default();
            match c {
                '&' => self.out.write_str("&amp;")?,
                '<' => self.out.write_str("&lt;")?,
                '>' => self.out.write_str("&gt;")?,
                '"' => self.out.write_str("&quot;")?,
                '\'' => self.out.write_str("&apos;")?,
                '\r' => self.out.write_str("&#13;")?,
                c => {
                    return Err(XmlError::Refused {
                        item: self.item.clone(),
                        field: field.to_owned(),
                        c,
                    });
                }
            }
            rest = &rest[pos + c.len_utf8()..];
        }
        self.out.write_str(rest)?;
        Ok(())
    }

    /// A KeePass string field: `<String><Key>…</Key><Value>…</Value></String>`, its value
    /// marked `ProtectInMemory` when it is a secret. An empty value is not written.
    fn string(&mut self, key: &str, value: &str, protect: bool) -> XmlResult {
        if value.is_empty() && !matches!(key, "Title" | "Password") {
            return Ok(());
        }
        self.open("String")?;
        self.leaf("Key", key, key)?;
        self.indent()?;
        let attr = if protect {
            " ProtectInMemory=\"True\""
        } else {
            ""
        };
        if value.is_empty() {
            writeln!(self.out, "<Value{attr}/>")?;
        } else {
            write!(self.out, "<Value{attr}>")?;
            self.escaped(value, key)?;
            writeln!(self.out, "</Value>")?;
        }
        self.close("String")
    }
}

/// KeePass's time format (`2024-01-31T12:00:00Z`).
fn kp_time(ts: i64) -> String {
    timefmt::rfc3339(ts)
}

/// The `otp` field KeePassXC reads: an otpauth://totp URI (`&encoder=steam` for Steam).
/// HOTP has no `otp` field: KeePassXC has no HOTP.
fn keepassxc_otp(item: &ExportItem) -> Result<Option<Zeroizing<String>>> {
    let Some(mut acc) = otp_account(item)? else {
        return Ok(None);
    };
    match acc.params.otp_type {
        OtpType::Totp => Ok(Some(uri::to_uri(&acc))),
        OtpType::Hotp => Ok(None),
        OtpType::Steam => {
            acc.params.otp_type = OtpType::Totp;
            acc.params.digits = crate::otp::STEAM_DIGITS;
            acc.params.period = 30;
            let base = uri::to_uri(&acc);
            let mut u = Zeroizing::new(String::with_capacity(base.len() + 16));
            u.push_str(&base);
            u.push_str("&encoder=steam");
            Ok(Some(u))
        }
    }
}

fn write_entry<W: std::fmt::Write>(
    x: &mut XmlOut<'_, W>,
    item: &ExportItem,
    otp: Option<&Zeroizing<String>>,
) -> XmlResult {
    let ov = &item.overview;
    x.item.clone_from(&ov.name);
    x.open("Entry")?;
    x.leaf(
        "UUID",
        &B64.encode(derived_uuid(&["keepass entry", &item.id])),
        "UUID",
    )?;
    x.leaf("IconID", "0", "IconID")?;
    // KeePassXC 2.7 splits tags at `;` and `,`.
    x.leaf("Tags", &ov.tags.join(";"), "Tags")?;
    x.open("Times")?;
    x.leaf("CreationTime", &kp_time(ov.created_at), "CreationTime")?;
    x.leaf(
        "LastModificationTime",
        &kp_time(ov.updated_at),
        "LastModificationTime",
    )?;
    match expiry_of(ov) {
        Some(t) => {
            x.leaf("ExpiryTime", &kp_time(t), "ExpiryTime")?;
            x.leaf("Expires", "True", "Expires")?;
        }
        None => x.leaf("Expires", "False", "Expires")?,
    }
    x.close("Times")?;
    let (user, password) = login_slots(item);
    x.string("Title", &ov.name, false)?;
    x.string("UserName", user.unwrap_or_default(), false)?;
    x.string("Password", password.unwrap_or_default(), true)?;
    x.string("URL", opt(&ov.url).unwrap_or_default(), false)?;
    x.string("Notes", &item.secret.notes, false)?;
    if let Some(otp) = otp {
        x.string("otp", otp, true)?;
    }
    for f in extra_fields(item, ("HmacOtp-Secret-Base32", "HmacOtp-Counter")) {
        x.string(f.name, &f.value, f.secret)?;
    }
    x.close("Entry")
}

fn write_keepass<W: std::fmt::Write>(
    out: &mut W,
    snap: &Snapshot,
    otps: &[Option<Zeroizing<String>>],
) -> XmlResult {
    let mut x = XmlOut {
        out,
        depth: 0,
        item: String::new(),
    };
    writeln!(
        x.out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    )?;
    x.open("KeePassFile")?;
    x.open("Meta")?;
    x.leaf("Generator", "Keywright", "Generator")?;
    x.leaf("DatabaseName", "Keywright export", "DatabaseName")?;
    x.leaf(
        "DatabaseDescription",
        &format!(
            "Exported from Keywright vault {} at {}",
            snap.vault_id,
            kp_time(snap.exported_at)
        ),
        "DatabaseDescription",
    )?;
    x.close("Meta")?;
    x.open("Root")?;
    x.open("Group")?;
    let group_uuid = derived_uuid(&["keepass group", &snap.vault_id]);
    x.leaf("UUID", &B64.encode(group_uuid), "UUID")?;
    x.leaf("Name", KEEPASS_GROUP, "Name")?;
    x.leaf("IconID", "48", "IconID")?;
    x.open("Times")?;
    x.leaf("CreationTime", &kp_time(snap.exported_at), "CreationTime")?;
    x.leaf(
        "LastModificationTime",
        &kp_time(snap.exported_at),
        "LastModificationTime",
    )?;
    x.leaf("Expires", "False", "Expires")?;
    x.close("Times")?;
    x.leaf("IsExpanded", "True", "IsExpanded")?;
    for (item, otp) in snap.items.iter().zip(otps) {
        write_entry(&mut x, item, otp.as_ref())?;
    }
    x.close("Group")?;
    x.close("Root")?;
    x.close("KeePassFile")?;
    Ok(())
}

/// KeePass 2.x XML: one group [`KEEPASS_GROUP`] with one entry per item (Title, UserName,
/// Password, URL, Notes, Tags, expiry; a TOTP in KeePassXC's `otp` field; the rest as
/// custom string fields, secrets protected). Refuses an item whose text holds a character
/// XML cannot carry, naming the item and the field.
pub fn keepass_xml(snap: &Snapshot) -> Result<Zeroizing<String>> {
    let otps: Vec<Option<Zeroizing<String>>> = snap
        .items
        .iter()
        .map(keepassxc_otp)
        .collect::<Result<_>>()?;
    let fail = |e: XmlError| match e {
        XmlError::Fmt => Error::invalid("KeePass export", "could not be written"),
        XmlError::Refused { item, field, c } => Error::invalid(
            format!("item {item:?} ({field})"),
            format!(
                "contains U+{:04X}, a character KeePass XML cannot hold; edit the item and \
                 export again",
                u32::from(c)
            ),
        ),
    };
    let mut count = Counter::default();
    write_keepass(&mut count, snap, &otps).map_err(fail)?;
    let mut out = Zeroizing::new(String::with_capacity(count.0));
    write_keepass(&mut *out, snap, &otps).map_err(fail)?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Bitwarden JSON

/// Bitwarden's item types (`CipherType`) and custom field types (`FieldType`).
const BW_LOGIN: u8 = 1;
const BW_FIELD_TEXT: u8 = 0;
const BW_FIELD_HIDDEN: u8 = 1;

#[derive(Serialize)]
struct BwFile<'a> {
    encrypted: bool,
    folders: Vec<BwFolder<'a>>,
    items: Vec<BwItem<'a>>,
}

#[derive(Serialize)]
struct BwFolder<'a> {
    id: String,
    name: &'a str,
}

/// A cipher as Bitwarden's own export writes it (`CipherWithIdExport`), in its key order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BwItem<'a> {
    password_history: Option<()>,
    revision_date: String,
    creation_date: String,
    deleted_date: Option<()>,
    id: String,
    organization_id: Option<()>,
    folder_id: Option<String>,
    #[serde(rename = "type")]
    cipher_type: u8,
    reprompt: u8,
    name: &'a str,
    notes: Option<&'a str>,
    favorite: bool,
    fields: Vec<BwField<'a>>,
    login: BwLogin<'a>,
    collection_ids: Option<()>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BwField<'a> {
    name: &'a str,
    value: Cow<'a, str>,
    #[serde(rename = "type")]
    field_type: u8,
    linked_id: Option<()>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BwLogin<'a> {
    fido2_credentials: [(); 0],
    uris: Vec<BwUri<'a>>,
    username: Option<&'a str>,
    password: Option<&'a str>,
    totp: Option<&'a str>,
}

#[derive(Serialize)]
struct BwUri<'a> {
    #[serde(rename = "match")]
    match_type: Option<()>,
    uri: &'a str,
}

/// Bitwarden's date format (JavaScript's `toISOString`: `2024-01-31T12:00:00.000Z`).
fn bw_time(ts: i64) -> String {
    let t = timefmt::rfc3339(ts);
    match t.strip_suffix('Z') {
        Some(head) => format!("{head}.000Z"),
        None => t,
    }
}

/// What Bitwarden's `totp` field reads: an otpauth://totp URI, or `steam://SEED`. HOTP has
/// none (Bitwarden has no HOTP): its seed and counter are custom fields.
fn bitwarden_totp(item: &ExportItem) -> Result<Option<Zeroizing<String>>> {
    let Some(acc) = otp_account(item)? else {
        return Ok(None);
    };
    Ok(match acc.params.otp_type {
        OtpType::Totp => Some(uri::to_uri(&acc)),
        OtpType::Hotp => None,
        OtpType::Steam => {
            let mut u = Zeroizing::new(String::with_capacity(acc.secret.len() + 8));
            u.push_str("steam://");
            u.push_str(&acc.secret);
            Some(u)
        }
    })
}

/// Bitwarden's unencrypted export: every item a login (type 1) with its user name and
/// primary secret as username and password, its URL as the one URI, a 2FA seed as `totp`,
/// the rest as custom fields (secrets hidden); its first tag as its folder (Bitwarden has
/// one folder per item and no tags; every tag is also in a `Tags` field).
pub fn bitwarden_json(snap: &Snapshot) -> Result<Zeroizing<String>> {
    let totps: Vec<Option<Zeroizing<String>>> = snap
        .items
        .iter()
        .map(bitwarden_totp)
        .collect::<Result<_>>()?;
    // One folder per distinct first tag (case-insensitive), named as first seen.
    let mut folders: Vec<(String, String, &str)> = Vec::new();
    for item in &snap.items {
        if let Some(tag) = item.overview.tags.first() {
            let key = crate::vault::names::fold(tag);
            if !folders.iter().any(|(k, _, _)| *k == key) {
                let id = uuid_text(&derived_uuid(&["bitwarden folder", &snap.vault_id, &key]));
                folders.push((key, id, tag));
            }
        }
    }
    let folder_of = |item: &ExportItem| {
        let key = crate::vault::names::fold(item.overview.tags.first()?);
        folders
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, id, _)| id.clone())
    };
    let items = snap
        .items
        .iter()
        .zip(&totps)
        .map(|(item, totp)| {
            let ov = &item.overview;
            let (username, password) = login_slots(item);
            let mut fields: Vec<BwField<'_>> = extra_fields(item, ("HOTP secret", "HOTP counter"))
                .into_iter()
                .map(|f| BwField {
                    name: f.name,
                    value: f.value,
                    field_type: if f.secret {
                        BW_FIELD_HIDDEN
                    } else {
                        BW_FIELD_TEXT
                    },
                    linked_id: None,
                })
                .collect();
            if !ov.tags.is_empty() {
                fields.push(BwField {
                    name: "Tags",
                    value: Cow::Owned(ov.tags.join(", ")),
                    field_type: BW_FIELD_TEXT,
                    linked_id: None,
                });
            }
            if let Some(t) = expiry_of(ov) {
                fields.push(BwField {
                    name: "Expires",
                    value: Cow::Owned(timefmt::rfc3339(t)),
                    field_type: BW_FIELD_TEXT,
                    linked_id: None,
                });
            }
            BwItem {
                password_history: None,
                revision_date: bw_time(ov.updated_at),
                creation_date: bw_time(ov.created_at),
                deleted_date: None,
                id: uuid_text(&derived_uuid(&["bitwarden item", &item.id])),
                organization_id: None,
                folder_id: folder_of(item),
                cipher_type: BW_LOGIN,
                reprompt: 0,
                name: &ov.name,
                notes: nonempty(&item.secret.notes),
                favorite: false,
                fields,
                login: BwLogin {
                    fido2_credentials: [],
                    uris: opt(&ov.url)
                        .map(|uri| BwUri {
                            match_type: None,
                            uri,
                        })
                        .into_iter()
                        .collect(),
                    username,
                    password,
                    totp: totp.as_ref().map(|t| t.as_str()),
                },
                collection_ids: None,
            }
        })
        .collect();
    json_exact(
        &BwFile {
            encrypted: false,
            folders: folders
                .iter()
                .map(|(_, id, name)| BwFolder {
                    id: id.clone(),
                    name,
                })
                .collect(),
            items,
        },
        "Bitwarden export",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{NewItem, OAuthConfig, OtpParams};

    const HOSTILE: &str = "A <b> & \"q\" 'x' ]]> &amp; 東京 🔑";

    fn jwt(exp: i64) -> String {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
        format!(
            "{}.{}.c2ln",
            B64URL.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            B64URL.encode(format!(r#"{{"sub":"ci","exp":{exp}}}"#))
        )
    }

    fn item(id: &str, new: NewItem) -> ExportItem {
        let (overview, secret) = new.into_parts(1_700_000_000).expect("valid item");
        ExportItem {
            id: id.to_owned(),
            overview,
            secret,
            saved_requests: Vec::new(),
        }
    }

    /// One item of every kind (and each 2FA flavour), with hostile text where text goes.
    fn sample() -> Snapshot {
        let mut api = NewItem::new(Kind::ApiKey, HOSTILE, "sk_test_<&>\"'");
        api.tags = vec!["prod".into(), "Payments".into()];
        api.url = Some("https://api.example.com/v1?a=1&b=2".into());
        api.username = Some("ops@example.com".into());
        api.placement = Some(Placement::Query {
            name: "api_key".into(),
        });
        api.expires_at = Some(1_900_000_000);
        api.rotate_every_days = Some(90);
        api.secret.notes = "line 1 <tag>\n\tline 2 & 'quoted' \"double\"".into();
        let mut api = item("0123456789abcdef0123456789abcdef", api);
        api.saved_requests.push(SavedRequest {
            id: "s1".into(),
            name: "Who am I".into(),
            request: RequestInput {
                method: "POST".into(),
                url: "https://api.example.com/v1/me".into(),
                headers: vec![("X-Other".into(), "other-secret".into())],
                body: BodyInput::Json {
                    text: "{\"a\":1}".into(),
                },
                timeout_s: Some(10),
            },
            updated_at: 1_700_000_100,
        });

        let mut bearer = NewItem::new(Kind::Bearer, "CI token", jwt(1_800_000_000));
        bearer.tags = vec!["prod".into()];
        let bearer = item("11111111111111111111111111111111", bearer);

        let mut oauth = NewItem::new(Kind::Oauth2, "Okta M2M", "client-secret-value");
        oauth.oauth = Some(OAuthConfig {
            client_id: "client-id-1".into(),
            token_url: Some("https://auth.example.com/oauth/token".into()),
            scopes: vec!["read write".into()],
            audience: Some("https://api.example.com".into()),
            access_expires_at: Some(1_700_003_600),
            refresh_expires_at: Some(1_702_000_000),
            token_type: Some("Bearer".into()),
            ..OAuthConfig::default()
        });
        oauth.secret.access_token = "access-token-value".into();
        oauth.secret.refresh_token = "refresh-token-value".into();
        let oauth = item("22222222222222222222222222222222", oauth);

        let mut basic = NewItem::new(Kind::Basic, "Registry", "basic-password");
        basic.username = Some("deploy".into());
        basic.url = Some("https://registry.example.com".into());
        let basic = item("33333333333333333333333333333333", basic);

        let mut totp = NewItem::new(Kind::Totp, "GitHub 2FA", "JBSWY3DPEHPK3PXP");
        totp.issuer = Some("GitHub".into());
        totp.username = Some("alice".into());
        totp.otp = Some(OtpParams {
            otp_type: OtpType::Totp,
            algorithm: OtpAlgorithm::Sha256,
            digits: 8,
            period: 60,
        });
        totp.tags = vec!["PROD".into()];
        let totp = item("44444444444444444444444444444444", totp);

        let mut hotp = NewItem::new(Kind::Totp, "Bank", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        hotp.issuer = Some("Bank".into());
        hotp.otp = Some(OtpParams {
            otp_type: OtpType::Hotp,
            ..OtpParams::default()
        });
        hotp.secret.counter = 7;
        let hotp = item("55555555555555555555555555555555", hotp);

        let mut steam = NewItem::new(Kind::Totp, "Steam", "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ");
        steam.otp = Some(OtpParams {
            otp_type: OtpType::Steam,
            algorithm: OtpAlgorithm::Sha1,
            digits: 5,
            period: 30,
        });
        let steam = item("66666666666666666666666666666666", steam);

        Snapshot {
            vault_id: "vault-1".into(),
            exported_at: 1_700_000_500,
            items: vec![api, bearer, oauth, basic, totp, hotp, steam],
            left_out: Vec::new(),
        }
    }

    /// Every secret value the sample holds.
    fn secrets(snap: &Snapshot) -> Vec<String> {
        let mut out = Vec::new();
        for i in &snap.items {
            for s in [
                &i.secret.value,
                &i.secret.access_token,
                &i.secret.refresh_token,
            ] {
                if !s.is_empty() {
                    out.push(s.clone());
                }
            }
        }
        out
    }

    #[test]
    fn summary_counts_and_describes() {
        let snap = sample();
        let s = snap.summary();
        assert_eq!(s.total(), 7);
        assert_eq!(
            s.by_kind().collect::<Vec<_>>(),
            [
                (Kind::ApiKey, 1),
                (Kind::Bearer, 1),
                (Kind::Oauth2, 1),
                (Kind::Basic, 1),
                (Kind::Totp, 3)
            ]
        );
        assert_eq!(
            s.describe(),
            "7 items (1 API key, 1 token, 1 OAuth client, 1 basic, 3 2FA)"
        );
        let s = Summary::of([Kind::ApiKey, Kind::ApiKey, Kind::Oauth2, Kind::Oauth2]);
        assert_eq!(s.describe(), "4 items (2 API keys, 2 OAuth clients)");
        assert_eq!(Summary::default().describe(), "0 items");
        assert_eq!(Summary::of([Kind::Bearer]).describe(), "1 item (1 token)");
    }

    #[test]
    fn json_holds_every_field_and_secret_in_a_stable_order() {
        let snap = sample();
        let text = json(&snap).expect("json");
        assert!(text.ends_with("}\n"));
        let v: serde_json::Value = serde_json::from_str(&text).expect("parses back");
        assert_eq!(v["format"], "keywright-export");
        assert_eq!(v["version"], 1);
        assert_eq!(v["exported_at"], "2023-11-14T22:21:40Z");
        assert_eq!(v["vault_id"], "vault-1");
        let items = v["items"].as_array().expect("items");
        assert_eq!(items.len(), 7);
        for s in secrets(&snap) {
            assert!(
                items.iter().any(|i| i["secret"] == s.as_str()
                    || i["oauth"]["access_token"] == s.as_str()
                    || i["oauth"]["refresh_token"] == s.as_str()),
                "a secret is missing"
            );
        }
        // Every item has every key, in the documented order.
        let order = [
            "id",
            "name",
            "kind",
            "tags",
            "url",
            "username",
            "issuer",
            "placement",
            "secret",
            "notes",
            "oauth",
            "otp",
            "expires_at",
            "token_expires_at",
            "rotate_every_days",
            "warn_days",
            "snoozed_until",
            "created_at",
            "updated_at",
            "last_rotated_at",
            "saved_requests",
        ];
        let item_keys: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("      \"") && !l.starts_with("       "))
            .map(|l| l.trim_start().split('"').nth(1).unwrap_or_default())
            .take(order.len())
            .collect();
        assert_eq!(item_keys, order);
        for i in items {
            let keys: Vec<&String> = i.as_object().expect("object").keys().collect();
            assert_eq!(keys.len(), order.len(), "{i}");
        }

        let api = &items[0];
        assert_eq!(api["name"], HOSTILE);
        assert_eq!(api["kind"], "api_key");
        assert_eq!(api["secret"], "sk_test_<&>\"'");
        assert_eq!(api["tags"], serde_json::json!(["prod", "Payments"]));
        assert_eq!(
            api["placement"],
            serde_json::json!({"in": "query", "name": "api_key"})
        );
        assert_eq!(api["username"], "ops@example.com");
        assert_eq!(api["expires_at"], "2030-03-17T17:46:40Z");
        assert_eq!(api["rotate_every_days"], 90);
        assert_eq!(api["notes"], "line 1 <tag>\n\tline 2 & 'quoted' \"double\"");
        assert_eq!(api["created_at"], "2023-11-14T22:13:20Z");
        assert!(api["oauth"].is_null() && api["otp"].is_null());
        let saved = &api["saved_requests"][0];
        assert_eq!(saved["name"], "Who am I");
        assert_eq!(saved["request"]["method"], "POST");
        assert_eq!(
            saved["request"]["headers"],
            serde_json::json!([["X-Other", "other-secret"]])
        );
        assert_eq!(saved["request"]["body"]["kind"], "json");
        assert_eq!(saved["updated_at"], "2023-11-14T22:15:00Z");

        let bearer = &items[1];
        assert_eq!(bearer["kind"], "bearer");
        assert_eq!(bearer["token_expires_at"], "2027-01-15T08:00:00Z");

        let oauth = &items[2]["oauth"];
        assert_eq!(oauth["client_id"], "client-id-1");
        assert_eq!(oauth["client_secret"], "client-secret-value");
        assert_eq!(items[2]["secret"], "client-secret-value");
        assert_eq!(oauth["access_token"], "access-token-value");
        assert_eq!(oauth["refresh_token"], "refresh-token-value");
        assert_eq!(oauth["access_token_expires_at"], "2023-11-14T23:13:20Z");
        assert_eq!(oauth["refresh_token_expires_at"], "2023-12-08T01:46:40Z");
        assert_eq!(oauth["scopes"], serde_json::json!(["read", "write"]));
        assert_eq!(oauth["grant"], "client_credentials");
        assert_eq!(oauth["client_auth"], "basic");
        assert_eq!(oauth["token_type"], "Bearer");
        assert_eq!(oauth["issuer"], serde_json::Value::Null);

        assert_eq!(items[3]["username"], "deploy");
        assert_eq!(items[3]["secret"], "basic-password");

        let totp = &items[4];
        assert_eq!(totp["secret"], "JBSWY3DPEHPK3PXP");
        assert_eq!(
            totp["otp"],
            serde_json::json!({"type": "totp", "algorithm": "SHA256", "digits": 8,
                "period": 60, "counter": null,
                "uri": "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=SHA256&digits=8&period=60"})
        );
        assert_eq!(items[5]["otp"]["counter"], 7);
        assert_eq!(items[5]["otp"]["type"], "hotp");
        assert_eq!(items[6]["otp"]["type"], "steam");
        // The otpauth URIs read back as the same accounts.
        for i in &items[4..] {
            let uri = i["otp"]["uri"].as_str().expect("uri");
            let acc = crate::otp::uri::parse(uri).expect("uri parses");
            assert_eq!(acc.secret.as_str(), i["secret"]);
        }
    }

    #[test]
    fn json_of_an_empty_vault() {
        let snap = Snapshot {
            vault_id: "v".into(),
            exported_at: 0,
            items: Vec::new(),
            left_out: Vec::new(),
        };
        let v: serde_json::Value =
            serde_json::from_str(&json(&snap).expect("json")).expect("parses");
        assert_eq!(v["items"], serde_json::json!([]));
    }

    /// A KeePass XML entry as read by a real XML parser: string fields and the rest.
    #[derive(Debug, Default)]
    struct KpEntry {
        uuid: String,
        tags: String,
        expires: String,
        expiry_time: String,
        strings: Vec<(String, String, bool)>,
    }

    impl KpEntry {
        fn get(&self, key: &str) -> Option<&str> {
            self.strings
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, v, _)| v.as_str())
        }
        fn protected(&self, key: &str) -> bool {
            self.strings.iter().any(|(k, _, p)| k == key && *p)
        }
    }

    /// Parse with quick-xml: every element's text with its entities resolved.
    fn parse_keepass(xml: &str) -> (Vec<String>, Vec<KpEntry>) {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut path: Vec<String> = Vec::new();
        let mut text = String::new();
        let mut entries: Vec<KpEntry> = Vec::new();
        let mut groups = Vec::new();
        let (mut key, mut protect) = (String::new(), false);
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    let name = e.name().as_ref().to_owned();
                    if name == "Entry" {
                        entries.push(KpEntry::default());
                    }
                    if name == "Value" {
                        protect = e
                            .try_get_attribute("ProtectInMemory")
                            .expect("attr")
                            .is_some_and(|a| a.value == "True");
                    }
                    path.push(name);
                    text.clear();
                }
                Event::Empty(e) => {
                    let name = e.name().as_ref().to_owned();
                    if name == "Value" {
                        let p = e
                            .try_get_attribute("ProtectInMemory")
                            .expect("attr")
                            .is_some();
                        if let Some(en) = entries.last_mut() {
                            en.strings.push((key.clone(), String::new(), p));
                        }
                    }
                }
                Event::Text(t) => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => {
                    if let Some(c) = r.resolve_char_ref().expect("char ref") {
                        text.push(c);
                    } else {
                        let name = r.xml10_content();
                        text.push_str(
                            quick_xml::escape::resolve_xml_entity(&name).expect("known entity"),
                        );
                    }
                }
                Event::End(_) => {
                    let name = path.pop().unwrap_or_default();
                    let parent = path.last().map(String::as_str).unwrap_or_default();
                    let in_entry = path.iter().any(|p| p == "Entry");
                    match (name.as_str(), parent) {
                        ("Name", "Group") => groups.push(text.clone()),
                        ("Key", "String") => key.clone_from(&text),
                        ("Value", "String") => {
                            if let Some(e) = entries.last_mut() {
                                e.strings.push((key.clone(), text.clone(), protect));
                            }
                        }
                        ("UUID", "Entry") => {
                            if let Some(e) = entries.last_mut() {
                                e.uuid.clone_from(&text);
                            }
                        }
                        ("Tags", "Entry") => {
                            if let Some(e) = entries.last_mut() {
                                e.tags.clone_from(&text);
                            }
                        }
                        ("Expires", "Times") if in_entry => {
                            if let Some(e) = entries.last_mut() {
                                e.expires.clone_from(&text);
                            }
                        }
                        ("ExpiryTime", "Times") if in_entry => {
                            if let Some(e) = entries.last_mut() {
                                e.expiry_time.clone_from(&text);
                            }
                        }
                        _ => {}
                    }
                    text.clear();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        (groups, entries)
    }

    #[test]
    fn keepass_xml_has_one_entry_per_item_with_every_field() {
        let snap = sample();
        let xml = keepass_xml(&snap).expect("xml");
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\""));
        let (groups, entries) = parse_keepass(&xml);
        assert_eq!(groups, ["Keywright"]);
        assert_eq!(entries.len(), 7);
        // UUIDs: 16 bytes, distinct, and the same in every export.
        for e in &entries {
            assert_eq!(B64.decode(&e.uuid).expect("base64").len(), 16);
        }
        let again = parse_keepass(&keepass_xml(&snap).expect("xml")).1;
        assert_eq!(entries[0].uuid, again[0].uuid);
        assert_ne!(entries[0].uuid, entries[1].uuid);

        let api = &entries[0];
        assert_eq!(api.get("Title"), Some(HOSTILE));
        assert_eq!(api.get("Password"), Some("sk_test_<&>\"'"));
        assert!(api.protected("Password"));
        assert_eq!(api.get("UserName"), Some("ops@example.com"));
        assert_eq!(api.get("URL"), Some("https://api.example.com/v1?a=1&b=2"));
        assert_eq!(
            api.get("Notes"),
            Some("line 1 <tag>\n\tline 2 & 'quoted' \"double\"")
        );
        assert_eq!(api.tags, "prod;Payments");
        assert_eq!(api.expires, "True");
        assert_eq!(api.expiry_time, "2030-03-17T17:46:40Z");
        assert_eq!(api.get("Keywright kind"), Some("api_key"));
        assert_eq!(api.get("Placement"), Some("query"));
        assert_eq!(api.get("Query parameter"), Some("api_key"));
        assert_eq!(api.get("Rotate every (days)"), Some("90"));
        assert!(!api.protected("Placement"));

        // A bearer token expires with its JWT.
        assert_eq!(entries[1].expiry_time, "2027-01-15T08:00:00Z");
        assert_eq!(
            entries[1].get("Password"),
            Some(jwt(1_800_000_000).as_str())
        );

        let oauth = &entries[2];
        assert_eq!(oauth.get("UserName"), Some("client-id-1"));
        assert_eq!(oauth.get("Password"), Some("client-secret-value"));
        assert_eq!(oauth.get("Access token"), Some("access-token-value"));
        assert_eq!(oauth.get("Refresh token"), Some("refresh-token-value"));
        assert!(oauth.protected("Access token") && oauth.protected("Refresh token"));
        assert_eq!(
            oauth.get("Token URL"),
            Some("https://auth.example.com/oauth/token")
        );
        assert_eq!(oauth.get("Scopes"), Some("read write"));
        assert_eq!(oauth.get("Audience"), Some("https://api.example.com"));
        assert_eq!(oauth.get("Grant"), Some("client_credentials"));
        assert_eq!(
            oauth.get("Client authentication"),
            Some("client_secret_basic")
        );
        assert_eq!(
            oauth.get("Access token expires"),
            Some("2023-11-14T23:13:20Z")
        );
        assert_eq!(oauth.expires, "False");

        assert_eq!(entries[3].get("UserName"), Some("deploy"));
        assert_eq!(entries[3].get("Password"), Some("basic-password"));

        let totp = &entries[4];
        assert_eq!(totp.get("Password"), Some(""));
        assert!(totp.protected("otp"));
        assert_eq!(
            totp.get("otp"),
            Some(
                "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=SHA256&digits=8&period=60"
            )
        );
        assert_eq!(totp.get("Issuer"), Some("GitHub"));
        assert_eq!(totp.tags, "PROD");

        let hotp = &entries[5];
        assert_eq!(hotp.get("otp"), None, "KeePassXC has no HOTP");
        assert_eq!(
            hotp.get("HmacOtp-Secret-Base32"),
            Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        );
        assert!(hotp.protected("HmacOtp-Secret-Base32"));
        assert_eq!(hotp.get("HmacOtp-Counter"), Some("7"));

        let steam = entries[6].get("otp").expect("steam otp");
        assert!(steam.starts_with("otpauth://totp/"), "{steam}");
        assert!(
            steam.ends_with("&digits=5&period=30&encoder=steam"),
            "{steam}"
        );
    }

    #[test]
    fn keepass_xml_escapes_and_refuses() {
        let mut snap = sample();
        // A carriage return (not storable in notes, but a secret value may hold one)
        // survives as a character reference; everything else is literal or an entity.
        snap.items[3].secret.value = "pw\r\nwith CR".into();
        let xml = keepass_xml(&snap).expect("xml");
        assert!(xml.contains("pw&#13;\nwith CR"));
        assert!(
            xml.contains("A &lt;b&gt; &amp; &quot;q&quot; &apos;x&apos; ]]&gt; &amp;amp; 東京 🔑")
        );
        let (_, entries) = parse_keepass(&xml);
        assert_eq!(entries[3].get("Password"), Some("pw\r\nwith CR"));
        // No raw markup from any value reached the file.
        assert!(!xml.contains("<b>") && !xml.contains("<tag>"));

        // A character XML cannot hold: a clear error naming the item and field, not the
        // value.
        for bad in ["\u{1}", "\u{1b}[2J", "\u{FFFF}", "\u{85}"] {
            let mut snap = sample();
            snap.items[1].secret.value = format!("ZZSECRET{bad}QQ");
            let e = keepass_xml(&snap).expect_err("refused");
            let msg = e.to_string();
            assert_eq!(e.kind(), "invalid_input");
            assert!(msg.contains("\"CI token\" (Password)"), "{msg}");
            assert!(msg.contains("U+"), "{msg}");
            assert!(
                !msg.contains("ZZSECRET"),
                "the value is not in the message: {msg}"
            );
        }
    }

    #[test]
    fn bitwarden_json_has_the_shape_bitwarden_imports() {
        let snap = sample();
        let text = bitwarden_json(&snap).expect("bitwarden");
        let v: serde_json::Value = serde_json::from_str(&text).expect("parses back");
        assert_eq!(v["encrypted"], false);
        let folders = v["folders"].as_array().expect("folders");
        // First tags: prod (api, bearer), PROD (totp: the same folder, any case).
        assert_eq!(folders.len(), 1);
        assert_eq!(folders[0]["name"], "prod");
        let folder_id = folders[0]["id"].as_str().expect("id");
        assert_eq!(folder_id.len(), 36);
        let items = v["items"].as_array().expect("items");
        assert_eq!(items.len(), 7);
        for i in items {
            assert_eq!(i["type"], 1, "every item is a login");
            assert_eq!(i["reprompt"], 0);
            assert_eq!(i["id"].as_str().expect("id").len(), 36);
            assert!(i["revisionDate"].as_str().expect("date").ends_with(".000Z"));
            for key in ["name", "notes", "favorite", "fields", "login", "folderId"] {
                assert!(i.get(key).is_some(), "{key} missing: {i}");
            }
            for f in i["fields"].as_array().expect("fields") {
                assert!(f["type"] == 0 || f["type"] == 1, "{f}");
            }
        }
        let field = |i: &serde_json::Value, name: &str| {
            i["fields"]
                .as_array()
                .expect("fields")
                .iter()
                .find(|f| f["name"] == name)
                .cloned()
        };
        let api = &items[0];
        assert_eq!(api["name"], HOSTILE);
        assert_eq!(api["folderId"], folder_id);
        assert_eq!(api["login"]["password"], "sk_test_<&>\"'");
        assert_eq!(api["login"]["username"], "ops@example.com");
        assert_eq!(
            api["login"]["uris"],
            serde_json::json!([{"match": null, "uri": "https://api.example.com/v1?a=1&b=2"}])
        );
        assert_eq!(api["notes"], "line 1 <tag>\n\tline 2 & 'quoted' \"double\"");
        assert_eq!(
            field(api, "Keywright kind").expect("kind")["value"],
            "api_key"
        );
        assert_eq!(field(api, "Tags").expect("tags")["value"], "prod, Payments");
        assert_eq!(
            field(api, "Expires").expect("expires")["value"],
            "2030-03-17T17:46:40Z"
        );
        assert_eq!(field(api, "Query parameter").expect("q")["type"], 0);

        let oauth = &items[2];
        assert_eq!(oauth["folderId"], serde_json::Value::Null);
        assert_eq!(oauth["login"]["username"], "client-id-1");
        assert_eq!(oauth["login"]["password"], "client-secret-value");
        let access = field(oauth, "Access token").expect("access");
        assert_eq!(access["value"], "access-token-value");
        assert_eq!(access["type"], 1, "hidden");
        assert_eq!(
            field(oauth, "Refresh token").expect("refresh")["value"],
            "refresh-token-value"
        );
        assert_eq!(items[3]["login"]["password"], "basic-password");
        assert_eq!(items[3]["notes"], serde_json::Value::Null);

        let totp = &items[4];
        assert_eq!(totp["folderId"], folder_id);
        assert_eq!(totp["login"]["password"], serde_json::Value::Null);
        assert_eq!(totp["login"]["username"], "alice");
        assert_eq!(
            totp["login"]["totp"],
            "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=SHA256&digits=8&period=60"
        );
        let hotp = &items[5];
        assert_eq!(hotp["login"]["totp"], serde_json::Value::Null);
        assert_eq!(
            field(hotp, "HOTP secret").expect("seed")["value"],
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(field(hotp, "HOTP secret").expect("seed")["type"], 1);
        assert_eq!(field(hotp, "HOTP counter").expect("counter")["value"], "7");
        assert_eq!(
            items[6]["login"]["totp"],
            "steam://KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ"
        );
        // Every secret is in the file (as a JSON string, or in a URI).
        for s in secrets(&snap) {
            let quoted = serde_json::to_string(&s).expect("json string");
            assert!(
                text.contains(quoted.trim_matches('"')),
                "a secret is missing"
            );
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let snap = sample();
        let dbg = format!("{snap:?}");
        for s in secrets(&snap) {
            assert!(!dbg.contains(&s), "Debug leaks a secret");
        }
        assert!(!dbg.contains("other-secret"));
    }

    #[test]
    fn export_from_a_vault_is_audited_and_leaves_out_what_does_not_open() {
        use crate::vault::Action;
        use secrecy::SecretString;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vault.db");
        let mut vault = Vault::create(
            &path,
            &SecretString::from("pw".to_owned()),
            crate::CreateOptions {
                kdf: Some(crate::crypto::kdf::KdfParams::new_unchecked(256, 1, 1)),
                keyring: None,
            },
        )
        .expect("create")
        .vault;
        let a = vault
            .add(NewItem::new(Kind::ApiKey, "Alpha", "alpha-key"))
            .expect("add");
        let b = vault
            .add(NewItem::new(Kind::Bearer, "Beta", "beta-token"))
            .expect("add");
        vault
            .add(NewItem::new(Kind::ApiKey, "Gone", "gone-key"))
            .expect("add");
        vault.trash("Gone").expect("trash");
        vault
            .save_request(
                &a.id,
                "ping",
                &RequestInput::get("https://api.example.com/ping"),
            )
            .expect("save");
        // Beta's secret is swapped for Alpha's sealed one: it no longer opens.
        {
            let conn = rusqlite::Connection::open(&path).expect("raw");
            conn.execute(
                "UPDATE items SET secret = (SELECT secret FROM items WHERE id = ?1) WHERE id = ?2",
                [&a.id, &b.id],
            )
            .expect("swap");
        }
        let out = export(&mut vault, Format::Json).expect("export");
        assert_eq!(out.summary.describe(), "1 item (1 API key)");
        let v: serde_json::Value = serde_json::from_str(&out.body).expect("json");
        let items = v["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "the Trash is not exported");
        assert_eq!(items[0]["secret"], "alpha-key");
        assert_eq!(
            items[0]["saved_requests"][0]["request"]["url"],
            "https://api.example.com/ping"
        );
        assert_eq!(out.left_out.len(), 1);
        assert_eq!(out.left_out[0].name.as_deref(), Some("Beta"));
        assert!(
            out.left_out[0].reason.contains("integrity"),
            "{:?}",
            out.left_out
        );
        // One export event for the item that left, with the format.
        let log = vault.audit_log(Some(&a.id)).expect("log");
        let last = log.last().expect("event");
        assert_eq!(last.action, Action::Export);
        assert_eq!(last.detail.as_deref(), Some("json"));
        let beta = vault.audit_log(Some(&b.id)).expect("log");
        assert!(beta.iter().all(|e| e.action != Action::Export));
        // An export that cannot be made records nothing. (An API key may hold a control
        // character: only text fields are checked for them.)
        vault
            .add(NewItem::new(Kind::ApiKey, "Gamma", "bad\u{1}value"))
            .expect("a key with U+0001");
        let before = vault.audit_log(None).expect("log").len();
        let e = export(&mut vault, Format::Keepassxc).expect_err("not XML");
        assert!(e.to_string().contains("\"Gamma\" (Password)"), "{e}");
        assert_eq!(vault.audit_log(None).expect("log").len(), before);
        // The JSON export holds it (escaped), and is recorded.
        let out = export(&mut vault, Format::Json).expect("json");
        assert!(out.body.contains("bad\\u0001value"));
        assert_eq!(vault.audit_log(None).expect("log").len(), before + 2);
    }

    #[test]
    fn derived_ids_are_stable_v4_uuids() {
        let a = uuid_text(&derived_uuid(&["x", "y"]));
        assert_eq!(a, uuid_text(&derived_uuid(&["x", "y"])));
        assert_ne!(a, uuid_text(&derived_uuid(&["xy", ""])));
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}
