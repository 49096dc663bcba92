//! The credential kinds: what is public enough to list (overview) and what is secret.
//!
//! Overviews are opened at unlock and searched in memory; secrets are opened only when
//! used and are wiped on drop. See docs/vault-format.md for the JSON inside the blobs.

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Result};
use crate::limits::{MAX_SECRET_BYTES, MAX_SEED_CHARS};

/// Longest item name accepted.
pub const MAX_NAME_LEN: usize = 200;
/// Longest tag accepted.
pub const MAX_TAG_LEN: usize = 64;

/// The five kinds of credential.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    ApiKey,
    Bearer,
    Oauth2,
    Basic,
    Totp,
}

impl Kind {
    /// All kinds, in display order.
    pub const ALL: [Kind; 5] = [
        Kind::ApiKey,
        Kind::Bearer,
        Kind::Oauth2,
        Kind::Basic,
        Kind::Totp,
    ];

    /// The JSON name (`api_key`, `bearer`, `oauth2`, `basic`, `totp`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ApiKey => "api_key",
            Kind::Bearer => "bearer",
            Kind::Oauth2 => "oauth2",
            Kind::Basic => "basic",
            Kind::Totp => "totp",
        }
    }

    /// Accepts the JSON names and the CLI spellings (`api-key`).
    pub fn parse(s: &str) -> Result<Kind> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == norm)
            .ok_or_else(|| {
                Error::invalid(
                    "kind",
                    format!("unknown kind {s:?}; use one of api-key, bearer, oauth2, basic, totp"),
                )
            })
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an API key goes in a request.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "snake_case")]
pub enum Placement {
    /// A request header, e.g. `X-API-Key`.
    Header { name: String },
    /// A query parameter, e.g. `api_key`.
    Query { name: String },
    /// `Authorization: Bearer <key>`.
    Bearer,
}

impl Default for Placement {
    fn default() -> Self {
        Placement::Header {
            name: "X-API-Key".into(),
        }
    }
}

/// How an OAuth2 client authenticates at the token endpoint.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// `client_secret_basic` (RFC 6749 2.3.1, HTTP Basic).
    #[default]
    Basic,
    /// `client_secret_post` (credentials in the form body).
    Post,
}

/// How an OAuth2 item gets a token when it holds no usable refresh token.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// The client's own credentials (RFC 6749 §4.4): renewable without a person.
    #[default]
    ClientCredentials,
    /// A person logs in in the browser: authorization code + PKCE on a loopback redirect
    /// (RFC 6749 §4.1, RFC 7636, RFC 8252); renewed with the refresh token after that.
    AuthorizationCode,
    /// A person logs in on another device with a user code (RFC 8628).
    DeviceCode,
}

impl Grant {
    pub fn as_str(self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client_credentials",
            Grant::AuthorizationCode => "authorization_code",
            Grant::DeviceCode => "device_code",
        }
    }

    /// Accepts the JSON names and `client-credentials`, `auth-code`, `code`, `device`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "client_credentials" | "cc" => Ok(Grant::ClientCredentials),
            "authorization_code" | "auth_code" | "code" | "pkce" => Ok(Grant::AuthorizationCode),
            "device_code" | "device" => Ok(Grant::DeviceCode),
            _ => Err(Error::invalid(
                "grant",
                format!("{s:?}; use client_credentials, authorization_code or device_code"),
            )),
        }
    }

    /// A person has to log in to get the first token (and again when the refresh token
    /// is refused).
    pub fn is_interactive(self) -> bool {
        !matches!(self, Grant::ClientCredentials)
    }
}

/// OAuth2 client configuration (not secret).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OAuthConfig {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    #[serde(default)]
    pub auth: ClientAuth,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Expiry of the stored access token, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub access_expires_at: Option<i64>,
    /// Expiry of the stored refresh token, when the server said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub refresh_expires_at: Option<i64>,
    /// How the first token is obtained; `None` = client_credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<Grant>,
    /// The server refused the refresh token or the login (`invalid_grant`): a person must
    /// log in again. Cleared by the next successful login or renewal.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reauth_required: bool,
    /// Whether a refresh token is stored (set from the secret part when the item is
    /// saved; the token itself stays secret).
    #[serde(default, skip_serializing_if = "is_false")]
    pub has_refresh_token: bool,
    /// `token_type` of the stored access token (`Bearer` unless the server says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// The app renews the access token in the background before it expires.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_renew: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl OAuthConfig {
    pub fn grant(&self) -> Grant {
        self.grant.unwrap_or_default()
    }
}

/// One-time password flavours.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtpType {
    #[default]
    Totp,
    Hotp,
    Steam,
}

/// HMAC hash of an OTP.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum OtpAlgorithm {
    #[default]
    Sha1,
    Sha256,
    Sha512,
}

impl OtpAlgorithm {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Ok(OtpAlgorithm::Sha1),
            "SHA256" => Ok(OtpAlgorithm::Sha256),
            "SHA512" => Ok(OtpAlgorithm::Sha512),
            _ => Err(Error::invalid(
                "algorithm",
                format!("{s:?}; use SHA1, SHA256 or SHA512"),
            )),
        }
    }
}

/// OTP parameters (not secret; the seed and the HOTP counter are in the secret part).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpParams {
    #[serde(rename = "type", default)]
    pub otp_type: OtpType,
    #[serde(default)]
    pub algorithm: OtpAlgorithm,
    pub digits: u8,
    pub period: u32,
}

impl Default for OtpParams {
    fn default() -> Self {
        OtpParams {
            otp_type: OtpType::Totp,
            algorithm: OtpAlgorithm::Sha1,
            digits: 6,
            period: 30,
        }
    }
}

/// What lists, search and the expiry timeline need. Sealed with the overview key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub name: String,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Basic-auth user name, or the account an API key or token belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// TOTP issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<OtpParams>,
    /// Manual expiry (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// `exp` of the stored token when it is a JWT (bearer tokens, API keys), read when the
    /// item is saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<i64>,
    /// Rotation policy in days; `None` means no rotation reminder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate_every_days: Option<u32>,
    /// Per-item "expiring" lead time in days (default 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_days: Option<u32>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_rotated_at: i64,
    /// "Snooze": the rotation reminder or expiry notice is not shown before this time
    /// (Unix seconds). It never hides a real expiry; see `expiry::evaluate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<i64>,
}

/// Secret material, sealed with the secret key; wiped from memory on drop and never
/// printed by `Debug`.
///
/// `value` is the kind's primary secret: the API key, the bearer token, the basic-auth
/// password, the TOTP/HOTP seed (base32), or the OAuth2 client secret.
#[derive(Default, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct SecretFields {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub access_token: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub refresh_token: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// HOTP counter: the counter of the next code.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub counter: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl std::fmt::Debug for SecretFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretFields([redacted])")
    }
}

/// Everything needed to add an item; `validate` normalises it.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub name: String,
    pub kind: Kind,
    pub tags: Vec<String>,
    pub url: Option<String>,
    pub username: Option<String>,
    pub issuer: Option<String>,
    pub placement: Option<Placement>,
    pub oauth: Option<OAuthConfig>,
    pub otp: Option<OtpParams>,
    pub expires_at: Option<i64>,
    /// `None` or `Some(0)` = no rotation reminder (never one for a 2FA item).
    pub rotate_every_days: Option<u32>,
    pub warn_days: Option<u32>,
    pub secret: SecretFields,
}

impl NewItem {
    /// A new item of `kind` named `name` with its primary secret.
    pub fn new(kind: Kind, name: impl Into<String>, value: impl Into<String>) -> Self {
        let mut secret = SecretFields::default();
        secret.value = value.into();
        NewItem {
            name: name.into(),
            kind,
            tags: Vec::new(),
            url: None,
            username: None,
            issuer: None,
            placement: None,
            oauth: None,
            otp: None,
            expires_at: None,
            rotate_every_days: None,
            warn_days: None,
            secret,
        }
    }

    /// Check and normalise; returns the overview to seal (timestamps set to `now`).
    pub fn into_parts(mut self, now: i64) -> Result<(Overview, SecretFields)> {
        // Issuer and user first: an import derives the name from them.
        let username = clean_line("username", self.username.as_deref())?;
        let issuer = clean_line("issuer", self.issuer.as_deref())?;
        let name = validate_name(&self.name)?;
        let tags = normalize_tags(&self.tags)?;
        let url = self
            .url
            .as_deref()
            .map(|u| validate_url("url", u))
            .transpose()?;
        if let Some(t) = self.expires_at {
            crate::timefmt::check_timestamp("expires", t)?;
        }
        check_days("rotation period", self.rotate_every_days)?;
        check_days("warning period", self.warn_days)?;
        // No rotation reminder unless one is asked for, and never for a 2FA seed (it is not
        // rotated on a schedule); the CLI and the app share this rule.
        let rotate_every_days = match self.rotate_every_days {
            _ if self.kind == Kind::Totp => None,
            None | Some(0) => None,
            Some(d) => Some(d),
        };
        let mut secret = std::mem::take(&mut self.secret);
        clean_notes(&mut secret.notes)?;
        check_secret_sizes(&secret)?;
        let mut token_expires_at = None;
        let mut placement = None;
        let mut oauth = None;
        let mut otp = None;
        // What the key is, from its shape (read once; API keys and tokens only).
        let recognized = matches!(self.kind, Kind::ApiKey | Kind::Bearer)
            .then(|| crate::recognize::recognize(&secret.value))
            .flatten();
        match self.kind {
            Kind::ApiKey => {
                require_value(&secret, "API key")?;
                // Where a recognised key goes (a Stripe key as a Bearer token, a GitLab one
                // in PRIVATE-TOKEN), unless the user said; else the X-API-Key header.
                let p = self
                    .placement
                    .clone()
                    .or_else(|| recognized.as_ref().and_then(|r| r.placement()))
                    .unwrap_or_default();
                match &p {
                    Placement::Header { name } => validate_header_name(name)?,
                    Placement::Query { name } if name.trim().is_empty() => {
                        return Err(Error::invalid("query parameter", "is empty"));
                    }
                    Placement::Query { name } => check_line("query parameter", name)?,
                    _ => {}
                }
                placement = Some(p);
                token_expires_at = jwt_exp(&secret.value);
            }
            Kind::Bearer => {
                require_value(&secret, "token")?;
                let trimmed = secret.value.trim().to_owned();
                if trimmed.chars().any(char::is_whitespace) {
                    return Err(Error::invalid("token", "contains whitespace"));
                }
                secret.value = trimmed;
                token_expires_at = jwt_exp(&secret.value);
            }
            Kind::Basic => {
                let user = self.username.as_deref().map(str::trim).unwrap_or_default();
                if user.is_empty() {
                    return Err(Error::invalid("username", "basic auth needs a user name"));
                }
                if user.contains(':') {
                    return Err(Error::invalid("username", "must not contain ':'"));
                }
            }
            Kind::Oauth2 => {
                let mut cfg = self.oauth.clone().unwrap_or_default();
                cfg.client_id = cfg.client_id.trim().to_owned();
                if cfg.client_id.is_empty() {
                    return Err(Error::invalid("client id", "is empty"));
                }
                check_line("client id", &cfg.client_id)?;
                cfg.audience = clean_line("audience", cfg.audience.as_deref())?;
                cfg.token_type = clean_line("token type", cfg.token_type.as_deref())?;
                cfg.issuer = cfg
                    .issuer
                    .as_deref()
                    .map(|u| validate_auth_url("issuer", u))
                    .transpose()?;
                cfg.token_url = cfg
                    .token_url
                    .as_deref()
                    .map(|u| validate_auth_url("token_url", u))
                    .transpose()?;
                if cfg.issuer.is_none() && cfg.token_url.is_none() {
                    return Err(Error::invalid(
                        "OAuth2 client",
                        "give an issuer (for discovery) or a token URL",
                    ));
                }
                cfg.scopes = cfg
                    .scopes
                    .iter()
                    .flat_map(|s| s.split_whitespace())
                    .map(str::to_owned)
                    .collect();
                for scope in &cfg.scopes {
                    check_line("scope", scope)?;
                }
                cfg.has_refresh_token = !secret.refresh_token.trim().is_empty();
                if cfg.access_expires_at.is_none() {
                    cfg.access_expires_at = jwt_exp(&secret.access_token);
                }
                oauth = Some(cfg);
            }
            Kind::Totp => {
                let params = self.otp.unwrap_or_default();
                validate_otp(&params)?;
                secret.value = normalize_base32_secret(&secret.value)?;
                otp = Some(params);
            }
        }
        // A recognised key's API, when no URL was given (the request console starts there).
        let url = url.or_else(|| {
            recognized
                .as_ref()
                .and_then(|r| r.base_url)
                .map(str::to_owned)
        });
        let ov = Overview {
            name,
            kind: self.kind,
            tags,
            url,
            username,
            issuer,
            placement,
            oauth,
            otp,
            expires_at: self.expires_at,
            token_expires_at,
            rotate_every_days,
            warn_days: self.warn_days,
            created_at: now,
            updated_at: now,
            last_rotated_at: now,
            snoozed_until: None,
        };
        Ok((ov, secret))
    }
}

/// `exp` of a token that is a JWT; `None` for anything else (most API keys).
fn jwt_exp(token: &str) -> Option<i64> {
    let t = token.trim();
    if !t.starts_with("eyJ") {
        return None;
    }
    crate::jwt::inspect(t).ok().and_then(|i| i.expires_at)
}

fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn require_value(secret: &SecretFields, what: &str) -> Result<()> {
    if secret.value.trim().is_empty() {
        return Err(Error::invalid(what, "is empty"));
    }
    Ok(())
}

/// Trimmed, non-empty, at most 200 characters, no control characters and no bidirectional
/// overrides (see [`check_line`]).
pub fn validate_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() {
        return Err(Error::invalid("name", "is empty"));
    }
    if n.chars().count() > MAX_NAME_LEN {
        return Err(Error::invalid(
            "name",
            format!("longer than {MAX_NAME_LEN} characters"),
        ));
    }
    check_line("name", n)?;
    Ok(n.to_owned())
}

/// Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069):
/// they reorder how the text around them is shown.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A one-line text field (name, tag, URL, user, issuer, account, client id, scope…):
/// refuses C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F: ESC starts a
/// terminal escape sequence) and bidirectional overrides. The error names the field and
/// the character: `invalid issuer: contains a control character (U+001B)`.
pub fn check_line(field: &str, s: &str) -> Result<()> {
    check_chars(field, s, &[])
}

/// A multi-line text field (notes): as [`check_line`], but `\n` and `\t` are kept.
pub fn check_multiline(field: &str, s: &str) -> Result<()> {
    check_chars(field, s, &['\n', '\t'])
}

fn check_chars(field: &str, s: &str, allowed: &[char]) -> Result<()> {
    for c in s.chars() {
        if allowed.contains(&c) {
            continue;
        }
        if c.is_control() {
            return Err(Error::invalid(
                field,
                format!("contains a control character (U+{:04X})", u32::from(c)),
            ));
        }
        if is_bidi_control(c) {
            return Err(Error::invalid(
                field,
                format!("contains a bidirectional override (U+{:04X})", u32::from(c)),
            ));
        }
    }
    Ok(())
}

/// Longest rotation or warning period, in days (about 100 years, as durations).
pub const MAX_DAYS: u32 = 36_500;

fn check_days(field: &str, days: Option<u32>) -> Result<()> {
    match days {
        Some(d) if d > MAX_DAYS => Err(Error::invalid(
            field,
            format!("{d} days is longer than {MAX_DAYS} days (about 100 years)"),
        )),
        _ => Ok(()),
    }
}

/// Notes as stored: Windows line ends become `\n`; other control characters are refused.
fn clean_notes(notes: &mut String) -> Result<()> {
    if notes.contains('\r') {
        let unix = zeroize::Zeroizing::new(notes.replace("\r\n", "\n"));
        notes.zeroize();
        notes.push_str(&unix);
    }
    check_multiline("notes", notes)
}

/// A one-line optional field, trimmed, `None` when empty, checked by [`check_line`].
fn clean_line(field: &str, s: Option<&str>) -> Result<Option<String>> {
    let s = clean_opt(s);
    if let Some(v) = &s {
        check_line(field, v)?;
    }
    Ok(s)
}

/// Trimmed, de-duplicated (Unicode case folding, as names), each non-empty, at most 64
/// characters, without control characters or bidirectional overrides.
pub fn normalize_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if t.is_empty() {
            return Err(Error::invalid("tag", "is empty"));
        }
        if t.chars().count() > MAX_TAG_LEN {
            return Err(Error::invalid(
                "tag",
                format!("{t:?} is longer than {MAX_TAG_LEN} characters"),
            ));
        }
        check_line("tag", t)?;
        let folded = crate::vault::names::fold(t);
        if !out.iter().any(|o| crate::vault::names::fold(o) == folded) {
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

/// An absolute http(s) URL.
pub fn validate_url(field: &str, s: &str) -> Result<String> {
    let s = s.trim();
    // The URL parser drops tabs and newlines and escapes the rest; what is stored and shown
    // is the text as given, so it is checked as text first.
    check_line(field, s)?;
    let u = url::Url::parse(s).map_err(|e| crate::net::url_error(field, s, e))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(Error::invalid(
            field,
            format!(
                "{:?} is not a web address. Start it with https:// or http://.",
                crate::net::shown_url(s)
            ),
        ));
    }
    Ok(s.to_owned())
}

/// An authorization server's URL (issuer, token URL): https, or http to a loopback host
/// only (the client secret and refresh tokens travel to it).
pub fn validate_auth_url(field: &str, s: &str) -> Result<String> {
    crate::net::require_https(field, s)?;
    Ok(s.trim().to_owned())
}

/// RFC 9110 token characters.
pub fn validate_header_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "header name",
            format!("{name:?} is not a valid HTTP header name"),
        ))
    }
}

pub fn validate_otp(p: &OtpParams) -> Result<()> {
    let digits_ok = match p.otp_type {
        OtpType::Steam => p.digits == 5,
        _ => (6..=8).contains(&p.digits),
    };
    if !digits_ok {
        return Err(Error::invalid(
            "digits",
            format!("{} (use 6, 7 or 8)", p.digits),
        ));
    }
    if p.period == 0 || p.period > 86_400 {
        return Err(Error::invalid(
            "period",
            format!("{} seconds (use 1 to 86400)", p.period),
        ));
    }
    Ok(())
}

/// Base32 seed as users paste it: any case, spaces or dashes, with or without padding.
/// Returns the canonical upper-case unpadded form; refuses what does not decode.
pub fn normalize_base32_secret(s: &str) -> Result<String> {
    decode_base32_secret(s).map(|(canon, _)| canon)
}

/// Base32 (RFC 4648 alphabet) without padding and without the trailing-bits check, built
/// once: building a `data_encoding` encoding costs more than decoding a seed with it.
static BASE32_LENIENT: std::sync::LazyLock<data_encoding::Encoding> =
    std::sync::LazyLock::new(|| {
        let mut spec = data_encoding::Specification::new();
        spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        spec.check_trailing_bits = false;
        match spec.encoding() {
            Ok(e) => e,
            // 32 distinct symbols and no padding: a valid specification by construction.
            Err(_) => data_encoding::BASE32_NOPAD,
        }
    });

/// Refuse a secret field (value, tokens, notes) over [`MAX_SECRET_BYTES`].
fn check_secret_sizes(secret: &SecretFields) -> Result<()> {
    for (field, text) in [
        ("secret value", &secret.value),
        ("access token", &secret.access_token),
        ("refresh token", &secret.refresh_token),
        ("notes", &secret.notes),
    ] {
        if text.len() > MAX_SECRET_BYTES {
            return Err(Error::invalid(
                field,
                format!(
                    "is {} bytes long; the limit is {MAX_SECRET_BYTES} bytes",
                    text.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Refuse a seed of more than [`MAX_SEED_CHARS`] base32 characters (separators and
/// padding not counted) before anything is copied or decoded.
fn check_seed_length(s: &str) -> Result<()> {
    let len = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '=')
        .count();
    if len > MAX_SEED_CHARS {
        return Err(Error::invalid(
            "TOTP secret",
            format!("is {len} characters long; the limit is {MAX_SEED_CHARS}"),
        ));
    }
    Ok(())
}

/// A base32 seed as people paste it (lower case, spaces, dashes, padding) → the canonical
/// text and the seed bytes (wiped on drop). At least 80 bits.
pub fn decode_base32_secret(s: &str) -> Result<(String, zeroize::Zeroizing<Vec<u8>>)> {
    check_seed_length(s)?;
    let canon: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if canon.is_empty() {
        return Err(Error::invalid("TOTP secret", "is empty"));
    }
    if let Some(bad) = canon.chars().find(|c| !matches!(c, 'A'..='Z' | '2'..='7')) {
        return Err(Error::invalid(
            "TOTP secret",
            format!("contains {bad:?}; base32 uses only A-Z and 2-7"),
        ));
    }
    let bytes = zeroize::Zeroizing::new(
        BASE32_LENIENT
            .decode(canon.as_bytes())
            .map_err(|_| Error::invalid("TOTP secret", "is not valid base32 (wrong length)"))?,
    );
    if bytes.len() < 10 {
        return Err(Error::invalid(
            "TOTP secret",
            format!(
                "is {} bits; at least 80 bits (16 base32 characters) are needed",
                bytes.len() * 8
            ),
        ));
    }
    Ok((canon, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names() {
        assert_eq!(Kind::parse("api-key").expect("kind"), Kind::ApiKey);
        assert_eq!(Kind::parse("OAuth2").expect("kind"), Kind::Oauth2);
        let e = Kind::parse("password").expect_err("unknown");
        assert!(e.to_string().contains("unknown kind"), "{e}");
        assert_eq!(
            serde_json::to_string(&Kind::ApiKey).expect("json"),
            "\"api_key\""
        );
    }

    #[test]
    fn secret_debug_redacts() {
        let mut s = SecretFields::default();
        s.value = "hunter2".into();
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn api_key_defaults_and_validation() {
        let (ov, _) = NewItem::new(Kind::ApiKey, "  Stripe ", "sk_live")
            .into_parts(10)
            .expect("ok");
        assert_eq!(ov.name, "Stripe");
        assert_eq!(
            ov.placement,
            Some(Placement::Header {
                name: "X-API-Key".into()
            })
        );
        assert_eq!(ov.rotate_every_days, None, "no reminder unless asked for");
        let mut asked = NewItem::new(Kind::ApiKey, "x", "k");
        asked.rotate_every_days = Some(30);
        assert_eq!(
            asked.into_parts(0).expect("ok").0.rotate_every_days,
            Some(30)
        );
        // Never for a 2FA seed, even when a form sends one.
        let mut otp = NewItem::new(Kind::Totp, "GitHub", "JBSWY3DPEHPK3PXP");
        otp.rotate_every_days = Some(90);
        assert_eq!(otp.into_parts(0).expect("ok").0.rotate_every_days, None);
        assert!(NewItem::new(Kind::ApiKey, "x", "  ").into_parts(0).is_err());
        let mut bad = NewItem::new(Kind::ApiKey, "x", "k");
        bad.placement = Some(Placement::Header {
            name: "X Key".into(),
        });
        assert!(bad.into_parts(0).is_err());
    }

    #[test]
    fn names_tags_urls() {
        assert!(validate_name("").is_err());
        assert!(validate_name("a\nb").is_err());
        assert!(validate_name(&"x".repeat(201)).is_err());
        let t = normalize_tags(&["prod".into(), " Prod ".into(), "ci".into()]).expect("tags");
        assert_eq!(t, vec!["prod".to_string(), "ci".to_string()]);
        let t = normalize_tags(&["Straße".into(), "STRASSE".into()]).expect("tags");
        assert_eq!(t, vec!["Straße".to_string()]);
        assert!(validate_url("url", "ftp://x").is_err());
        assert!(validate_url("url", "not a url").is_err());
        assert!(validate_url("url", "https://api.example.com/v1").is_ok());
    }

    #[test]
    fn control_characters_are_refused_in_every_text_field() {
        let msg = |n: NewItem| {
            let e = n.into_parts(0).expect_err("refused");
            assert_eq!(e.kind(), "invalid_input");
            e.to_string()
        };
        let base = || NewItem::new(Kind::ApiKey, "k", "v");
        let mut n = base();
        n.name = "Evil\u{1b}]0;x\u{7}".into();
        assert_eq!(
            msg(n),
            "Invalid name: contains a control character (U+001B)"
        );
        let mut n = base();
        n.name = "invoice\u{202e}fdp.exe".into();
        assert_eq!(
            msg(n),
            "Invalid name: contains a bidirectional override (U+202E)"
        );
        let mut n = base();
        n.issuer = Some("Evil\u{1b}".into());
        assert_eq!(
            msg(n),
            "Invalid issuer: contains a control character (U+001B)"
        );
        let mut n = base();
        n.username = Some("a\u{9b}b".into());
        assert_eq!(
            msg(n),
            "Invalid username: contains a control character (U+009B)"
        );
        let mut n = base();
        n.tags = vec!["t\u{7f}".into()];
        assert_eq!(msg(n), "Invalid tag: contains a control character (U+007F)");
        let mut n = base();
        n.url = Some("https://x.example/\u{1b}[2J".into());
        assert_eq!(msg(n), "Invalid url: contains a control character (U+001B)");
        let mut n = base();
        n.placement = Some(Placement::Query {
            name: "k\u{0}".into(),
        });
        assert!(msg(n).contains("query parameter"));
        let mut n = base();
        n.secret.notes = "line\u{1b}".into();
        assert_eq!(
            msg(n),
            "Invalid notes: contains a control character (U+001B)"
        );
        let mut n = NewItem::new(Kind::Oauth2, "o", "cs");
        n.oauth = Some(OAuthConfig {
            client_id: "c\u{1b}".into(),
            token_url: Some("https://auth.example/token".into()),
            ..OAuthConfig::default()
        });
        assert!(msg(n).starts_with("Invalid client id:"));
        // Notes keep lines and tabs; Windows line ends become \n; a lone CR is refused.
        let mut n = base();
        n.secret.notes = "a\r\nb\tc\n".into();
        let (_, sec) = n.into_parts(0).expect("notes");
        assert_eq!(sec.notes, "a\nb\tc\n");
        let mut n = base();
        n.secret.notes = "progress\rover".into();
        assert!(msg(n).contains("U+000D"));
        // Non-ASCII text is fine.
        let mut n = base();
        n.name = "Straße 東京 مرحبا".into();
        n.issuer = Some("Café".into());
        assert!(n.into_parts(0).is_ok());
    }

    #[test]
    fn times_and_periods_are_bounded() {
        let msg = |n: NewItem| n.into_parts(0).expect_err("refused").to_string();
        let mut n = NewItem::new(Kind::ApiKey, "k", "v");
        n.expires_at = Some(i64::MAX);
        assert_eq!(
            msg(n),
            "Invalid expires: 9223372036854775807 is after 9999-12-31 (use Unix seconds \
             from 0 to 253402300799)"
        );
        let mut n = NewItem::new(Kind::ApiKey, "k", "v");
        n.expires_at = Some(-1);
        assert!(msg(n).contains("before 1970-01-01"));
        let mut n = NewItem::new(Kind::ApiKey, "k", "v");
        n.rotate_every_days = Some(u32::MAX);
        assert_eq!(
            msg(n),
            "Invalid rotation period: 4294967295 days is longer than 36500 days (about 100 years)"
        );
        let mut n = NewItem::new(Kind::ApiKey, "k", "v");
        n.warn_days = Some(36_501);
        assert!(msg(n).starts_with("Invalid warning period:"));
        let mut n = NewItem::new(Kind::ApiKey, "k", "v");
        n.expires_at = Some(crate::timefmt::MAX_TIMESTAMP);
        n.rotate_every_days = Some(MAX_DAYS);
        n.warn_days = Some(MAX_DAYS);
        let (ov, _) = n
            .into_parts(crate::timefmt::MAX_TIMESTAMP)
            .expect("at the limits");
        // The expiry arithmetic at the limits does not overflow.
        let e = crate::expiry::evaluate(&ov, i64::MIN);
        assert_eq!(e.expires_at, Some(crate::timefmt::MAX_TIMESTAMP));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

            /// Any text: accepted exactly when it has no control or bidi character, and
            /// never a panic.
            #[test]
            fn text_validation(s in "(\\PC|[\\x00-\\x1f\\x7f-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}]|[0-9]{20}){0,40}") {
                let bad = s.chars().any(|c| c.is_control() || is_bidi_control(c));
                prop_assert_eq!(check_line("f", &s).is_err(), bad);
                let mut n = NewItem::new(Kind::ApiKey, s.clone(), "v");
                n.issuer = Some(s.clone());
                n.tags = vec![s.clone()];
                match n.into_parts(0) {
                    Ok((ov, _)) => {
                        prop_assert!(!ov.name.chars().any(|c| c.is_control() || is_bidi_control(c)));
                    }
                    Err(e) => prop_assert_eq!(e.kind(), "invalid_input"),
                }
            }
        }
    }

    #[test]
    fn basic_needs_user() {
        let e = NewItem::new(Kind::Basic, "b", "pw")
            .into_parts(0)
            .expect_err("no user");
        assert!(e.to_string().contains("username"), "{e}");
        let mut ok = NewItem::new(Kind::Basic, "b", "");
        ok.username = Some("stripe_key".into());
        assert!(
            ok.into_parts(0).is_ok(),
            "empty password is allowed (Stripe style)"
        );
    }

    #[test]
    fn oauth_needs_endpoint() {
        let mut n = NewItem::new(Kind::Oauth2, "o", "cs");
        n.oauth = Some(OAuthConfig {
            client_id: "cid".into(),
            ..Default::default()
        });
        assert!(n.clone().into_parts(0).is_err());
        n.oauth = Some(OAuthConfig {
            client_id: "cid".into(),
            token_url: Some("https://auth.example.com/token".into()),
            scopes: vec!["read write".into()],
            ..Default::default()
        });
        let (ov, _) = n.into_parts(0).expect("ok");
        assert_eq!(ov.oauth.expect("cfg").scopes, vec!["read", "write"]);
    }

    #[test]
    fn base32_secrets() {
        assert_eq!(
            normalize_base32_secret("jbsw y3dp ehpk 3pxp").expect("ok"),
            "JBSWY3DPEHPK3PXP"
        );
        assert_eq!(
            normalize_base32_secret("JBSWY3DPEHPK3PXP====").expect("ok"),
            "JBSWY3DPEHPK3PXP"
        );
        let e = normalize_base32_secret("JBSWY3DPEHPK3PX1").expect_err("1 not base32");
        assert!(e.to_string().contains("'1'"), "{e}");
        assert!(
            normalize_base32_secret("JBSWY3DP").is_err(),
            "40 bits is too short"
        );
        assert!(normalize_base32_secret("").is_err());
    }
}
