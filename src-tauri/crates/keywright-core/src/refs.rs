//! Secret references: `keywright://ITEM/FIELD` names one value of one item, so that a file
//! a project commits (a `.env` template, a config template, `.keywright.toml`) can say
//! which secret goes where without holding it.
//!
//! Grammar (RFC 5234 ABNF; the scheme is case-insensitive, the rest is not):
//!
//! ```text
//! reference = "keywright://" item "/" field
//! item      = 1*( ichar / pct-encoded )     ; an item name, or an item id
//! ichar     = any Unicode scalar but "%", control characters, and "}}" (in templates)
//! pct-encoded = "%" HEXDIG HEXDIG           ; bytes of UTF-8
//! field     = "secret" / "username" / "client_id" / "access_token"
//!           / "code" / "url" / "header"
//! ```
//!
//! The item is everything between `keywright://` and the last `/`: a name with a `/` in it
//! needs no escaping (`keywright://GitHub/ci/secret` is item `GitHub/ci`). `%` always starts
//! an escape (`%25` is a `%`); spaces may be written as they are.
//!
//! A template holds references as `{{ keywright://ITEM/FIELD }}` (spaces inside the braces
//! are optional); any other `{{ … }}` (a Helm or Jinja expression) is left as it is.

use std::collections::HashMap;

use zeroize::Zeroizing;

use crate::credential::{Kind, OtpType, Placement};
use crate::error::{Error, Result};
use crate::expiry::Status;
use crate::oauth::renew;
use crate::vault::{Item, Vault};

/// How every reference starts.
pub const SCHEME: &str = "keywright://";

/// The value of an item a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The item's secret: the API key, bearer token, basic-auth password, OAuth client
    /// secret or 2FA seed.
    Secret,
    /// The user name (basic auth) or account.
    Username,
    /// An OAuth2 client's id.
    ClientId,
    /// An OAuth2 item's access token, renewed first when it is expired or due (a bearer
    /// item's token).
    AccessToken,
    /// A 2FA item's current code (an HOTP item's next code: its counter advances).
    Code,
    /// The item's URL.
    Url,
    /// The whole `Name: value` header the item's credential goes in.
    Header,
}

/// Every field, in the order help text lists them.
pub const FIELDS: [Field; 7] = [
    Field::Secret,
    Field::Username,
    Field::ClientId,
    Field::AccessToken,
    Field::Code,
    Field::Url,
    Field::Header,
];

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Secret => "secret",
            Field::Username => "username",
            Field::ClientId => "client_id",
            Field::AccessToken => "access_token",
            Field::Code => "code",
            Field::Url => "url",
            Field::Header => "header",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        FIELDS.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether the value is a secret (masked by `run`, never shown by `env --check`).
    pub fn is_secret(self) -> bool {
        !matches!(self, Field::Username | Field::ClientId | Field::Url)
    }
}

/// The field a bare item name stands for (`run --env VAR=NAME`, the app's "Reference"): an
/// OAuth2 item's access token, a 2FA item's current code, else its secret.
pub fn natural_field(kind: Kind) -> Field {
    match kind {
        Kind::Oauth2 => Field::AccessToken,
        Kind::Totp => Field::Code,
        _ => Field::Secret,
    }
}

fn field_list() -> String {
    FIELDS.map(Field::as_str).join(", ")
}

/// A parsed reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The item's name or id, decoded.
    pub item: String,
    pub field: Field,
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{SCHEME}{}/{}",
            encode_item(&self.item),
            self.field.as_str()
        )
    }
}

/// Why a reference does not parse, and where: `column` counts characters from 1 at the
/// reference's first character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefError {
    pub column: usize,
    pub reason: String,
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "column {}: {}", self.column, self.reason)
    }
}

/// Whether `s` is meant as a reference (starts with the scheme, in any case).
pub fn is_reference(s: &str) -> bool {
    s.get(..SCHEME.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(SCHEME))
}

/// `name` as it is written in a reference: `%`, control characters, `{` and `}` escaped,
/// the rest as it is (spaces and `/` too).
pub fn encode_item(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c == '%' || c == '{' || c == '}' || c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Reference {
    pub fn new(item: impl Into<String>, field: Field) -> Self {
        Reference {
            item: item.into(),
            field,
        }
    }

    /// Parse `s` (the whole of it is the reference; surrounding spaces are not trimmed).
    pub fn parse(s: &str) -> std::result::Result<Reference, RefError> {
        let col = |byte: usize| s[..byte].chars().count() + 1;
        if !is_reference(s) {
            let reason = if s.trim().is_empty() {
                "empty; a reference is keywright://ITEM/FIELD".to_owned()
            } else if let Some(i) = s.find("://") {
                format!(
                    "{:?} is not Keywright's scheme; a reference is keywright://ITEM/FIELD",
                    &s[..i]
                )
            } else {
                "a reference starts with keywright:// (keywright://ITEM/FIELD)".to_owned()
            };
            return Err(RefError { column: 1, reason });
        }
        let rest = &s[SCHEME.len()..];
        let Some(slash) = rest.rfind('/') else {
            return Err(RefError {
                column: col(s.len()),
                reason: format!("no field: add /FIELD after the item ({})", field_list()),
            });
        };
        let (raw_item, raw_field) = (&rest[..slash], &rest[slash + 1..]);
        let field_start = SCHEME.len() + slash + 1;
        let field = match Field::parse(raw_field) {
            Some(f) => f,
            None if raw_field.is_empty() => {
                return Err(RefError {
                    column: col(field_start),
                    reason: format!("no field after the last / ({})", field_list()),
                });
            }
            None => {
                let hint = Field::parse(&raw_field.to_ascii_lowercase().replace('-', "_"))
                    .map(|f| format!(" (did you mean {:?}?)", f.as_str()))
                    .unwrap_or_default();
                return Err(RefError {
                    column: col(field_start),
                    reason: format!(
                        "unknown field {raw_field:?}{hint}; fields: {}",
                        field_list()
                    ),
                });
            }
        };
        if raw_item.is_empty() {
            return Err(RefError {
                column: col(SCHEME.len()),
                reason: "no item name between keywright:// and /".into(),
            });
        }
        let item = decode_item(raw_item).map_err(|(at, reason)| RefError {
            column: col(SCHEME.len() + at),
            reason,
        })?;
        if item.trim().is_empty() {
            return Err(RefError {
                column: col(SCHEME.len()),
                reason: "the item name is blank".into(),
            });
        }
        Ok(Reference { item, field })
    }
}

/// Percent-decode an item; the error's offset is a byte offset into `raw`.
fn decode_item(raw: &str) -> std::result::Result<String, (usize, String)> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .filter(|h| h.len() == 2 && h.bytes().all(|b| b.is_ascii_hexdigit()));
                let Some(hex) = hex else {
                    return Err((
                        i,
                        "% must be followed by two hex digits (write a % in a name as %25)".into(),
                    ));
                };
                out.push(u8::from_str_radix(hex, 16).map_err(|_| (i, "bad escape".to_owned()))?);
                i += 3;
            }
            _ => {
                // Copy one whole character, refusing controls.
                let c = raw[i..].chars().next().unwrap_or('\u{FFFD}');
                if c.is_control() {
                    return Err((
                        i,
                        format!("control character U+{:04X} in the item name", c as u32),
                    ));
                }
                out.extend_from_slice(c.to_string().as_bytes());
                i += c.len_utf8();
            }
        }
    }
    String::from_utf8(out).map_err(|e| {
        // The offset in `out` of the bad byte does not map back simply: point at the first
        // escape, which is where invalid UTF-8 can come from.
        let _ = e;
        (
            raw.find('%').unwrap_or(0),
            "the escapes do not decode to UTF-8 text".into(),
        )
    })
}

/// A `{{ keywright://… }}` in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRef {
    /// Byte range of the whole `{{ … }}`.
    pub span: std::ops::Range<usize>,
    /// Line and column (characters, from 1) of the reference's first character.
    pub line: usize,
    pub column: usize,
    pub parsed: std::result::Result<Reference, RefError>,
}

impl TemplateRef {
    /// `LINE:COLUMN` of the problem: the reference's start, moved to the error's column.
    pub fn location(&self) -> String {
        match &self.parsed {
            Ok(_) => format!("{}:{}", self.line, self.column),
            Err(e) => format!("{}:{}", self.line, self.column + e.column - 1),
        }
    }
}

/// Every `{{ keywright://… }}` of `text`, in order. An opening `{{` whose first word is
/// not a reference is not ours and is skipped; one that is a reference but has no `}}` on
/// its line is an error entry.
pub fn template_refs(text: &str) -> Vec<TemplateRef> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find("{{") {
        let open = from + rel;
        let inner_start = open + 2;
        let after = &text[inner_start..];
        let lead = after.len() - after.trim_start_matches([' ', '\t']).len();
        let ref_start = inner_start + lead;
        if !is_reference(&text[ref_start..]) {
            from = inner_start;
            continue;
        }
        let line_end = text[ref_start..]
            .find('\n')
            .map_or(text.len(), |i| ref_start + i);
        let (line, column) = line_col(text, ref_start);
        match text[ref_start..line_end].find("}}") {
            Some(close_rel) => {
                let close = ref_start + close_rel;
                let inner = text[ref_start..close].trim_end_matches([' ', '\t']);
                out.push(TemplateRef {
                    span: open..close + 2,
                    line,
                    column,
                    parsed: Reference::parse(inner),
                });
                from = close + 2;
            }
            None => {
                out.push(TemplateRef {
                    span: open..line_end,
                    line,
                    column,
                    parsed: Err(RefError {
                        column: text[ref_start..line_end].chars().count() + 1,
                        reason: "no closing }} on this line".into(),
                    }),
                });
                from = line_end;
            }
        }
    }
    out
}

/// 1-based line and character column of byte `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// `text` with each reference of `refs` (from [`template_refs`] of the same text) replaced
/// by its value from `values` (same order).
pub fn render(text: &str, refs: &[TemplateRef], values: &[Zeroizing<String>]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(text.len()));
    let mut at = 0;
    for (r, v) in refs.iter().zip(values) {
        out.push_str(&text[at..r.span.start]);
        out.push_str(v);
        at = r.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// What a resolution did besides giving the value (for notices; never secret).
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The item's name as stored.
    pub item_name: String,
    pub item_id: String,
    /// An OAuth2 access token was renewed for this value, and how.
    pub renewed: Option<&'static str>,
}

/// Resolves references against an unlocked vault, each (item, field) once: the same
/// reference twice gives the same value (one HOTP code, one renewal). The values given out
/// are recorded in their items' audit logs as used by `purpose` by [`Resolver::record`],
/// in one transaction, once the caller hands them out.
pub struct Resolver {
    http: crate::net::LazyClient,
    purpose: String,
    cache: HashMap<(String, Field), (Zeroizing<String>, Resolved)>,
    /// (id, name, field) of each value resolved, in order.
    used: Vec<(String, String, Field)>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("purpose", &self.purpose)
            .field("resolved", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl Resolver {
    /// `purpose` goes in the audit log: "keywright read", "keywright run", …
    pub fn new(purpose: impl Into<String>) -> Self {
        Resolver {
            http: crate::net::LazyClient::default(),
            purpose: purpose.into(),
            cache: HashMap::new(),
            used: Vec::new(),
        }
    }

    /// Record every value resolved so far as used (one `reveal` event per item and field,
    /// detail `FIELD (PURPOSE)`), in one transaction.
    pub fn record(&mut self, vault: &mut Vault) -> Result<()> {
        let purpose = &self.purpose;
        let events: Vec<(&str, &str, String)> = self
            .used
            .iter()
            .map(|(id, name, f)| {
                (
                    id.as_str(),
                    name.as_str(),
                    format!("{} ({purpose})", f.as_str()),
                )
            })
            .collect();
        vault.record_uses(events)?;
        self.used.clear();
        Ok(())
    }

    /// The value `r` names.
    pub async fn resolve(
        &mut self,
        vault: &mut Vault,
        r: &Reference,
    ) -> Result<(Zeroizing<String>, Resolved)> {
        let item = vault.find(&r.item)?;
        let key = (item.id.clone(), r.field);
        if let Some((v, how)) = self.cache.get(&key) {
            return Ok((v.clone(), how.clone()));
        }
        let mut how = Resolved {
            item_name: item.overview.name.clone(),
            item_id: item.id.clone(),
            renewed: None,
        };
        let value = self.value(vault, &item, r.field, &mut how).await?;
        self.used
            .push((item.id.clone(), item.overview.name.clone(), r.field));
        self.cache.insert(key, (value.clone(), how.clone()));
        Ok((value, how))
    }

    async fn value(
        &self,
        vault: &mut Vault,
        item: &Item,
        field: Field,
        how: &mut Resolved,
    ) -> Result<Zeroizing<String>> {
        let ov = &item.overview;
        let name = &ov.name;
        let kind = ov.kind;
        let plain = |s: &Option<String>, what: &str| -> Result<Zeroizing<String>> {
            s.clone()
                .filter(|s| !s.is_empty())
                .map(Zeroizing::new)
                .ok_or_else(|| unavailable(name, &format!("has no {what}")))
        };
        match field {
            Field::Secret => {
                let v = Zeroizing::new(vault.open_secret(&item.id)?.value.clone());
                if v.is_empty() {
                    return Err(unavailable(name, "has no secret value"));
                }
                Ok(v)
            }
            Field::Username => plain(&ov.username, "username"),
            Field::Url => plain(&ov.url, "URL"),
            Field::ClientId => match &ov.oauth {
                Some(o) => plain(&Some(o.client_id.clone()), "client id"),
                None => Err(wrong_kind(name, kind, "client_id is an OAuth2 client's")),
            },
            Field::AccessToken => match kind {
                Kind::Oauth2 => {
                    let t = renew::access_token(vault, &self.http, &item.id, renew::Mode::IfNeeded)
                        .await?;
                    if t.renewed {
                        how.renewed = Some(t.grant.unwrap_or("renewal"));
                    }
                    Ok(t.access_token)
                }
                Kind::Bearer => {
                    let v = Zeroizing::new(vault.open_secret(&item.id)?.value.clone());
                    Ok(v)
                }
                _ => Err(wrong_kind(
                    name,
                    kind,
                    "access_token is an OAuth2 item's (or a bearer token's); use /secret",
                )),
            },
            Field::Code => match (kind, ov.otp.map(|o| o.otp_type)) {
                (Kind::Totp, Some(OtpType::Hotp)) => Ok(vault.next_hotp(&item.id)?.0),
                (Kind::Totp, _) => Ok(vault.totp(&item.id, crate::timefmt::now())?.code),
                _ => Err(wrong_kind(name, kind, "code is a 2FA item's")),
            },
            Field::Header => self.header(vault, item).await,
        }
    }

    async fn header(&self, vault: &mut Vault, item: &Item) -> Result<Zeroizing<String>> {
        use base64::Engine as _;
        let ov = &item.overview;
        let bearer = |token: &str, kind: &str| -> Zeroizing<String> {
            Zeroizing::new(format!("Authorization: {kind} {token}"))
        };
        match ov.kind {
            Kind::Oauth2 => {
                let t =
                    renew::access_token(vault, &self.http, &item.id, renew::Mode::IfNeeded).await?;
                Ok(bearer(&t.access_token, &t.token_type))
            }
            Kind::Bearer => Ok(bearer(&vault.open_secret(&item.id)?.value, "Bearer")),
            Kind::Basic => {
                let secret = vault.open_secret(&item.id)?;
                let user = ov.username.clone().unwrap_or_default();
                let pair = Zeroizing::new(format!("{user}:{}", secret.value));
                let enc = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&*pair));
                Ok(Zeroizing::new(format!(
                    "Authorization: Basic {}",
                    enc.as_str()
                )))
            }
            Kind::ApiKey => {
                let value = Zeroizing::new(vault.open_secret(&item.id)?.value.clone());
                match ov.placement.clone().unwrap_or_default() {
                    Placement::Header { name } => {
                        Ok(Zeroizing::new(format!("{name}: {}", value.as_str())))
                    }
                    Placement::Bearer => Ok(bearer(&value, "Bearer")),
                    Placement::Query { name } => Err(unavailable(
                        &ov.name,
                        &format!("goes in the query parameter {name:?}, not a header; use /secret"),
                    )),
                }
            }
            Kind::Totp => Err(wrong_kind(
                &ov.name,
                ov.kind,
                "a 2FA item has no header; use /code",
            )),
        }
    }
}

fn unavailable(name: &str, what: &str) -> Error {
    Error::InvalidInput {
        field: "reference".into(),
        reason: format!("{name:?} {what}"),
    }
}

fn wrong_kind(name: &str, kind: Kind, why: &str) -> Error {
    Error::InvalidInput {
        field: "reference".into(),
        reason: format!(
            "{name:?} is {} {} item: {why}",
            if kind.as_str().starts_with(['a', 'o']) {
                "an"
            } else {
                "a"
            },
            kind.as_str()
        ),
    }
}

/// The state of one reference for `keywright env --check`, found without reading or
/// renewing anything. Ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CheckStatus {
    /// Resolves now (an OAuth2 token that is renewable without a person counts).
    Ok,
    /// Resolves, and expires (or is due) within the item's warning time.
    Expiring,
    /// The item is expired, or an OAuth2 item needs a new login.
    Expired,
    /// No such item, or the item has no such field.
    Missing,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Expiring => "expiring",
            CheckStatus::Expired => "expired",
            CheckStatus::Missing => "missing",
        }
    }

    /// Whether `env --check` fails for it.
    pub fn fails(self) -> bool {
        matches!(self, CheckStatus::Expired | CheckStatus::Missing)
    }
}

/// The outcome of checking one reference: its status, the item's name when found, and a
/// sentence saying why (never a value).
#[derive(Debug, Clone)]
pub struct Checked {
    pub status: CheckStatus,
    pub item: Option<String>,
    pub detail: String,
}

/// Check `r` against the vault at `now` (no network, no audit event, nothing changed).
pub fn check(vault: &mut Vault, r: &Reference, now: i64) -> Result<Checked> {
    let item = match vault.find(&r.item) {
        Ok(i) => i,
        Err(Error::NotFound { .. }) => {
            return Ok(Checked {
                status: CheckStatus::Missing,
                item: None,
                detail: format!("no item named {:?}", r.item),
            });
        }
        Err(e) => return Err(e),
    };
    let ov = &item.overview;
    let found = |status, detail: String| Checked {
        status,
        item: Some(ov.name.clone()),
        detail,
    };
    let missing = |what: &str| found(CheckStatus::Missing, format!("the item {what}"));
    let has = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
    let field_ok = match r.field {
        Field::Secret => {
            if vault.open_secret(&item.id)?.value.is_empty() {
                return Ok(missing("has no secret value"));
            }
            true
        }
        Field::Username => has(&ov.username),
        Field::Url => has(&ov.url),
        Field::ClientId => ov.oauth.as_ref().is_some_and(|o| !o.client_id.is_empty()),
        Field::AccessToken => matches!(ov.kind, Kind::Oauth2 | Kind::Bearer),
        Field::Code => ov.kind == Kind::Totp,
        Field::Header => {
            matches!(ov.kind, Kind::Oauth2 | Kind::Bearer | Kind::Basic)
                || (ov.kind == Kind::ApiKey
                    && !matches!(ov.placement, Some(Placement::Query { .. })))
        }
    };
    if !field_ok {
        return Ok(missing(&format!(
            "({}) has no {}",
            ov.kind.as_str(),
            r.field.as_str()
        )));
    }
    let e = item.expiry(now);
    let when = |t: Option<i64>| {
        t.map(|t| crate::timefmt::relative(t, now))
            .unwrap_or_default()
    };
    // An OAuth2 item's access token that has run out is renewed when read: only a refused
    // or expired login (ReauthRequired) stops it.
    let uses_token =
        ov.kind == Kind::Oauth2 && matches!(r.field, Field::AccessToken | Field::Header);
    Ok(match e.status {
        Status::ReauthRequired => found(
            CheckStatus::Expired,
            format!("needs a new login: keywright login {:?}", ov.name),
        ),
        Status::Expired => found(
            CheckStatus::Expired,
            format!("expired {}", when(e.expires_at)),
        ),
        Status::Expiring => found(
            CheckStatus::Expiring,
            format!("expires {}", when(e.expires_at)),
        ),
        Status::RotationDue => found(CheckStatus::Ok, "resolves; its rotation is due".into()),
        _ if uses_token => found(
            CheckStatus::Ok,
            "resolves (the access token is renewed when due)".into(),
        ),
        _ => found(CheckStatus::Ok, "resolves".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Reference {
        Reference::parse(s).expect("parses")
    }

    fn err(s: &str) -> RefError {
        Reference::parse(s).expect_err("refused")
    }

    #[test]
    fn parses_names_ids_and_escapes() {
        assert_eq!(
            ok("keywright://Stripe live/secret"),
            Reference::new("Stripe live", Field::Secret)
        );
        assert_eq!(ok("KEYWRIGHT://a/url"), Reference::new("a", Field::Url));
        assert_eq!(
            ok("keywright://GitHub/ci/header"),
            Reference::new("GitHub/ci", Field::Header)
        );
        assert_eq!(
            ok("keywright://100%25%20sure/code"),
            Reference::new("100% sure", Field::Code)
        );
        assert_eq!(
            ok("keywright://caf%C3%A9/username"),
            Reference::new("café", Field::Username)
        );
        assert_eq!(
            ok("keywright://ünï/client_id"),
            Reference::new("ünï", Field::ClientId)
        );
        for f in FIELDS {
            let r = Reference::new("x {y} 50%/z", f);
            assert_eq!(ok(&r.to_string()), r, "{r}");
        }
    }

    #[test]
    fn malformed_references_say_what_and_where() {
        let e = err("keywright://Stripe/secrte");
        assert_eq!(e.column, 20);
        assert!(e.reason.contains("unknown field \"secrte\""), "{e}");
        let e = err("keywright://Stripe/Access-Token");
        assert!(e.reason.contains("did you mean \"access_token\""), "{e}");
        let e = err("keywright://Stripe");
        assert!(e.reason.contains("no field"), "{e}");
        assert_eq!(err("keywright:///secret").column, 13);
        assert_eq!(err("keywright://a%zz/secret").column, 14);
        assert!(err("keywright://%FF/secret").reason.contains("UTF-8"));
        assert!(err("op://vault/item/field").reason.contains("\"op\""));
        assert!(
            err("Stripe/secret")
                .reason
                .contains("starts with keywright://")
        );
        assert!(err("keywright://a\tb/secret").reason.contains("U+0009"));
        assert_eq!(err("keywright://é%/secret").column, 14);
        assert!(err("keywright://x/").reason.contains("no field after"));
        assert!(err("keywright://%20/secret").reason.contains("blank"));
    }

    #[test]
    fn templates_find_only_keywright_references() {
        let t = "a: {{ keywright://A/secret }}\nb: {{.Values.x}} {{keywright://B b/url}}\nc: {{ keywright://C/secret\n";
        let refs = template_refs(t);
        assert_eq!(refs.len(), 3);
        assert_eq!(refs[0].parsed, Ok(Reference::new("A", Field::Secret)));
        assert_eq!((refs[0].line, refs[0].column), (1, 7));
        assert_eq!(refs[1].parsed, Ok(Reference::new("B b", Field::Url)));
        assert_eq!((refs[1].line, refs[1].column), (2, 20));
        assert!(refs[2].parsed.is_err());
        assert_eq!(refs[2].location(), "3:27");
        let out = render(
            t,
            &refs[..2],
            &[Zeroizing::new("1".into()), Zeroizing::new("2".into())],
        );
        assert!(
            out.starts_with("a: 1\nb: {{.Values.x}} 2\nc: {{ keywright"),
            "{}",
            *out
        );
        // A bad field points at the field, counted in characters from the line start.
        let refs = template_refs("ü {{ keywright://é/nope }}");
        assert_eq!(refs[0].location(), "1:20");
    }

    #[test]
    fn field_names_round_trip() {
        for f in FIELDS {
            assert_eq!(Field::parse(f.as_str()), Some(f));
        }
        assert_eq!(Field::parse("Secret"), None);
    }
}
