//! The JWT debugger: any pasted token (or an item's token, which never comes to the
//! window) decoded, and verified against a shared secret, a PEM / JWK, a JWKS URL, an
//! issuer's published keys, or an item's value, with every check named.
//!
//! Decoding and verifying are the core's (`keywright_core::jwt`, over jsonwebtoken); this
//! module picks the key, fetches the keys over the network, and lists the checks the way
//! the window shows them. Errors never quote the token or a key.

use base64::Engine as _;
use keywright_core::credential::Kind;
use keywright_core::jwt::{self, Check, Expect, Inspected, VerifyKey};
use keywright_core::{Error as CoreError, net, timefmt};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::dto::{Copied, SecretField};
use crate::error::{ErrorKind, IpcError};
use crate::state::AppState;

/// An `iat` this far in the future is a clock out of step, not a forged token.
const IAT_LEEWAY_S: i64 = 60;

/// What to verify the signature with.
#[derive(Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum JwtKey {
    /// The shared secret of an HS256/384/512 token, as typed, or base64 / base64url
    /// encoded (`base64`).
    HsSecret {
        #[ts(type = "string")]
        secret: SecretString,
        #[serde(default)]
        base64: bool,
    },
    /// A public key in PEM form, or a JWK / JWK Set in JSON (for an HS token: an `oct` JWK).
    Key {
        #[ts(type = "string")]
        key: SecretString,
    },
    /// The keys at a JWKS URL (https; http only on this machine).
    JwksUrl { url: String },
    /// The keys an OpenID / OAuth issuer publishes (found by discovery); the token's `iss`
    /// must then be this issuer.
    Issuer { issuer: String },
    /// The value stored in an item: a shared secret, a PEM or a JWK.
    Item { id: String },
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwtKey::HsSecret { .. } => f.write_str("HsSecret([redacted])"),
            JwtKey::Key { .. } => f.write_str("Key([redacted])"),
            JwtKey::JwksUrl { url } => write!(f, "JwksUrl({})", net::redact_url(url)),
            JwtKey::Issuer { issuer } => write!(f, "Issuer({issuer})"),
            JwtKey::Item { id } => write!(f, "Item({id})"),
        }
    }
}

/// A verification request: the key, and what the claims must say.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct JwtVerify {
    pub key: JwtKey,
    /// The expected `iss` (with the `issuer` key: that issuer when left empty).
    #[serde(default)]
    pub issuer: Option<String>,
    /// The expected `aud` (one of the token's audiences).
    #[serde(default)]
    pub audience: Option<String>,
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CheckResult {
    Pass,
    Fail,
    /// Not made: nothing to check it against (no key, no claim, nothing expected).
    Skipped,
}

/// One named check and its outcome, in a sentence.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct JwtCheck {
    /// `alg`, `signature`, `exp`, `nbf`, `iat`, `iss` or `aud`.
    pub name: String,
    /// What the check is, for people ("Signature", "Expiry (exp)").
    pub label: String,
    pub result: CheckResult,
    pub message: String,
}

/// What the debugger shows about a token. The token itself is not in it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct JwtReport {
    #[ts(type = "Record<string, unknown>")]
    pub header: Value,
    #[ts(type = "Record<string, unknown>")]
    pub claims: Value,
    /// The header and the claims as indented JSON, as sent (to copy).
    pub header_json: String,
    pub claims_json: String,
    /// The header's `alg` as sent (`none` for an unsigned token).
    pub alg: String,
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    #[ts(type = "number | null")]
    pub not_before: Option<i64>,
    #[ts(type = "number | null")]
    pub issued_at: Option<i64>,
    /// Rust's clock when the checks were made.
    #[ts(type = "number")]
    pub now: i64,
    /// `null` when no key was given (the signature is not checked); else whether every
    /// check that was made passed.
    pub verified: Option<bool>,
    /// What the signature was checked with, in words.
    pub key_source: Option<String>,
    pub checks: Vec<JwtCheck>,
}

/// Decode (and with `verify`, verify) a pasted token. `Bearer ` before it is accepted.
pub fn jwt_inspect(
    state: &AppState,
    token: &SecretString,
    verify: Option<JwtVerify>,
) -> Result<JwtReport, IpcError> {
    let token = token.expose_secret();
    if jwt::strip_bearer(token).is_empty() {
        return Err(IpcError::invalid(
            "token",
            "Paste a token first: a JWT is three parts separated by dots (eyJ…).",
        ));
    }
    report(state, token, verify)
}

/// Decode (and verify) the token stored in an item's field; the token stays in Rust. The
/// look is recorded in the item's history, as the inspector's is.
pub fn jwt_inspect_item(
    state: &AppState,
    id: &str,
    field: SecretField,
    verify: Option<JwtVerify>,
) -> Result<JwtReport, IpcError> {
    let token = state.with_vault(|vault| {
        let item = vault.find(id)?;
        let secret = vault.open_secret(&item.id)?;
        let token = match (item.overview.kind, field) {
            (Kind::Oauth2, SecretField::AccessToken) => &secret.access_token,
            (Kind::Oauth2, SecretField::RefreshToken) => &secret.refresh_token,
            (Kind::Bearer | Kind::ApiKey, SecretField::Value) => &secret.value,
            _ => {
                return Err(IpcError::invalid(
                    "field",
                    format!(
                        "\"{}\" holds no token of that kind to inspect.",
                        item.overview.name
                    ),
                ));
            }
        };
        if token.is_empty() {
            return Err(IpcError::new(
                ErrorKind::NotFound,
                format!("\"{}\" has no token stored yet.", item.overview.name),
            ));
        }
        let token = Zeroizing::new(token.clone());
        vault.record_use(
            &item.id,
            &format!("{} claims (JWT debugger)", field.as_str()),
        )?;
        Ok(token)
    })?;
    report(state, &token, verify)
}

/// Copy a decoded part (the header's or the claims' JSON) to the clipboard. Claims can
/// tell as much as the token, so the copy is cleared like any other.
pub fn jwt_copy(state: &AppState, text: &SecretString) -> Result<Copied, IpcError> {
    if text.expose_secret().is_empty() {
        return Err(IpcError::invalid("text", "There is nothing to copy."));
    }
    let clear_after_s = state.copy_text(text.expose_secret())?;
    Ok(Copied { clear_after_s })
}

fn report(state: &AppState, token: &str, verify: Option<JwtVerify>) -> Result<JwtReport, IpcError> {
    let now = timefmt::now();
    let ins = match jwt::inspect(token) {
        Ok(ins) => ins,
        Err(e) => {
            // An unsigned token is shown, with the checks that refuse it.
            return match jwt::unsigned_parts(token) {
                Some((header, claims)) => Ok(unsigned_report(header, claims, now)),
                None => Err(sentence(e.into())),
            };
        }
    };
    let (key, expect, key_source) = match verify {
        None => (None, Expect::default(), None),
        Some(v) => {
            let mut expect = Expect {
                issuer: blank_none(v.issuer),
                audience: blank_none(v.audience),
            };
            if let JwtKey::Issuer { issuer } = &v.key
                && expect.issuer.is_none()
            {
                expect.issuer = Some(issuer.trim().to_owned());
            }
            let (key, source) = key_for(state, v.key, &ins)?;
            (Some(key), expect, Some(source))
        }
    };
    let signature = key.as_ref().map(|k| jwt::check_signature(token, &ins, k));
    let claims = jwt::claim_checks(&ins, &expect, now);
    let checks = named_checks(&ins, signature, &claims, now);
    let verified = key
        .is_some()
        .then(|| checks.iter().all(|c| c.result != CheckResult::Fail));
    Ok(JwtReport {
        header_json: pretty(&ins.header),
        claims_json: pretty(&Value::Object(ins.claims.clone())),
        alg: ins
            .header
            .get("alg")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        header: ins.header,
        claims: Value::Object(ins.claims),
        expires_at: ins.expires_at,
        not_before: ins.not_before,
        issued_at: ins.issued_at,
        now,
        verified,
        key_source,
        checks,
    })
}

fn blank_none(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// The core's messages start in lower case and have no full stop: as a sentence.
fn sentence_case(s: &str) -> String {
    let mut c = s.chars();
    let mut out: String = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    };
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

fn sentence(e: IpcError) -> IpcError {
    let message = match e.kind {
        ErrorKind::MalformedToken => {
            let reason = e
                .message
                .split_once(": ")
                .map_or(e.message.as_str(), |(_, r)| r);
            format!("This is not a readable JWT: {reason}.")
        }
        _ => sentence_case(&e.message),
    };
    IpcError { message, ..e }
}

/// The key a verification asks for, and what it is in words.
fn key_for(
    state: &AppState,
    key: JwtKey,
    ins: &Inspected,
) -> Result<(VerifyKey, String), IpcError> {
    match key {
        JwtKey::HsSecret { secret, base64 } => {
            let text = secret.expose_secret();
            if text.is_empty() {
                return Err(IpcError::invalid(
                    "secret",
                    "Enter the shared secret the token was signed with.",
                ));
            }
            let bytes = if base64 {
                decode_base64(text.trim()).ok_or_else(|| {
                    IpcError::invalid(
                        "secret",
                        "The secret is not base64 or base64url. Untick \"base64\" if it is the \
                         secret itself.",
                    )
                })?
            } else {
                Zeroizing::new(text.as_bytes().to_vec())
            };
            // A token that needs a public key: the signature check says so.
            Ok((VerifyKey::Secret(bytes), "the shared secret".into()))
        }
        JwtKey::Key { key } => {
            let text = key.expose_secret();
            if text.trim().is_empty() {
                return Err(IpcError::invalid(
                    "key",
                    "Paste the public key (PEM, -----BEGIN PUBLIC KEY-----) or a JWK / JWK Set.",
                ));
            }
            let material = Zeroizing::new(text.trim().as_bytes().to_vec());
            let what = if text.trim_start().starts_with('{') {
                "the pasted JWK"
            } else if ins.is_hmac() {
                "the pasted secret"
            } else {
                "the pasted PEM key"
            };
            let k = jwt::key_from_material(material, ins)
                .map_err(|r| IpcError::invalid("key", sentence_case(&r)))?;
            Ok((k, what.into()))
        }
        JwtKey::JwksUrl { url } => {
            let url = url.trim().to_owned();
            net::require_https("JWKS URL", &url)
                .map_err(|e| url_error("jwks_url", "JWKS URL", &url, e))?;
            let http = net::auth_client()?;
            let set = on_network(jwt::fetch_jwks(&http, &url))?;
            Ok((
                VerifyKey::Jwks(set.clone()),
                format!(
                    "the JWKS at {} ({})",
                    net::redact_url(&url),
                    keys(set.keys.len())
                ),
            ))
        }
        JwtKey::Issuer { issuer } => {
            let issuer = issuer.trim().to_owned();
            net::require_https("issuer", &issuer)
                .map_err(|e| url_error("issuer", "issuer", &issuer, e))?;
            let http = net::auth_client()?;
            let (set, url) = on_network(async {
                let url = jwt::issuer_jwks_uri(&http, &issuer).await?;
                jwt::fetch_jwks(&http, &url).await.map(|s| (s, url))
            })?;
            Ok((
                VerifyKey::Jwks(set.clone()),
                format!(
                    "the issuer's JWKS at {} ({})",
                    net::redact_url(&url),
                    keys(set.keys.len())
                ),
            ))
        }
        JwtKey::Item { id } => state.with_vault(|vault| {
            let item = vault.find(&id)?;
            let secret = vault.open_secret(&item.id)?;
            if secret.value.is_empty() {
                return Err(IpcError::invalid(
                    "key_item",
                    format!("\"{}\" has no value to verify with.", item.overview.name),
                ));
            }
            let material = Zeroizing::new(secret.value.as_bytes().to_vec());
            let k = jwt::key_from_material(material, ins).map_err(|r| {
                IpcError::invalid(
                    "key_item",
                    format!("The value of \"{}\" is not a key: {r}.", item.overview.name),
                )
            })?;
            vault.record_use(&item.id, "value (JWT verification key)")?;
            Ok((k, format!("the value of \"{}\"", item.overview.name)))
        }),
    }
}

fn keys(n: usize) -> String {
    if n == 1 {
        "1 key".into()
    } else {
        format!("{n} keys")
    }
}

/// A URL the keys would come from, refused by the https rule: said in words, quoting what
/// was typed (without its query or user info).
fn url_error(field: &str, what: &str, typed: &str, e: CoreError) -> IpcError {
    let shown = if typed.contains(['?', '@', '#']) {
        net::redact_url(typed)
    } else {
        typed.chars().take(120).collect::<String>()
    };
    let scheme = typed.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    let message = match (&e, scheme.as_deref()) {
        (CoreError::InvalidInput { reason, .. }, _) if reason.contains("is not a URL") => format!(
            "\"{shown}\" is not a URL. Enter the full address of the {what}, starting with https://."
        ),
        (_, Some("http")) => format!(
            "The {what} must use https: \"{shown}\" is http, which is allowed only on this \
             computer (localhost, 127.0.0.1)."
        ),
        _ => format!("The {what} must be an https URL, not \"{shown}\"."),
    };
    IpcError::invalid(field, message)
}

/// Run a network step on a runtime of this worker thread.
fn on_network<T>(
    f: impl std::future::Future<Output = keywright_core::Result<T>>,
) -> Result<T, IpcError> {
    crate::tokens::runtime()?
        .block_on(f)
        .map_err(|e| sentence(e.into()))
}

fn decode_base64(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(text).ok())
        .filter(|b| !b.is_empty())
        .map(Zeroizing::new)
}

fn label(name: &str) -> &'static str {
    match name {
        "alg" => "Algorithm (alg)",
        "signature" => "Signature",
        "exp" => "Expiry (exp)",
        "nbf" => "Not before (nbf)",
        "iat" => "Issued at (iat)",
        "iss" => "Issuer (iss)",
        "aud" => "Audience (aud)",
        _ => "Check",
    }
}

fn named(name: &str, result: CheckResult, message: impl Into<String>) -> JwtCheck {
    JwtCheck {
        name: name.to_owned(),
        label: label(name).to_owned(),
        result,
        message: message.into(),
    }
}

fn from_core(c: &Check) -> JwtCheck {
    named(
        &c.check,
        if c.ok {
            CheckResult::Pass
        } else {
            CheckResult::Fail
        },
        sentence_case(&c.message),
    )
}

/// Every check, in the order the window lists them: alg, signature, exp, nbf, iat, iss,
/// aud. Those not made say why.
fn named_checks(
    ins: &Inspected,
    signature: Option<Check>,
    claims: &[Check],
    now: i64,
) -> Vec<JwtCheck> {
    let alg = ins
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut out = vec![named(
        "alg",
        CheckResult::Pass,
        format!("{alg} is a signature algorithm Keywright accepts; \"none\" is always refused."),
    )];
    out.push(match &signature {
        Some(c) => from_core(c),
        None => named(
            "signature",
            CheckResult::Skipped,
            "Not checked: choose a key below to verify who signed the token.",
        ),
    });
    let core = |name: &str| claims.iter().find(|c| c.check == name).map(from_core);
    out.push(core("exp").unwrap_or_else(|| no_claim("exp")));
    out.push(core("nbf").unwrap_or_else(|| no_claim("nbf")));
    out.push(iat_check(ins.issued_at, now));
    out.push(core("iss").unwrap_or_else(|| {
        named(
            "iss",
            CheckResult::Skipped,
            match ins.issuer() {
                Some(i) => {
                    format!("Not checked: issued by {i}; enter the expected issuer to check it.")
                }
                None => no_claim_message("iss"),
            },
        )
    }));
    out.push(core("aud").unwrap_or_else(|| {
        let auds = ins.audiences();
        named(
            "aud",
            CheckResult::Skipped,
            if auds.is_empty() {
                no_claim_message("aud")
            } else {
                format!(
                    "Not checked: for {}; enter the expected audience to check it.",
                    auds.join(", ")
                )
            },
        )
    }));
    out
}

/// What a skipped check says of a claim the token does not have.
fn no_claim_message(name: &str) -> String {
    let more = if name == "exp" {
        ": it never expires"
    } else {
        ""
    };
    format!("The token has no \"{name}\" claim{more}.")
}

/// The skipped check of a claim the token does not have.
fn no_claim(name: &str) -> JwtCheck {
    named(name, CheckResult::Skipped, no_claim_message(name))
}

/// `t` as a date, then how far from `now` ("2026-01-02T03:04:05Z (in 3 hours)").
fn date_then_relative(t: i64, now: i64) -> String {
    format!("{} ({})", timefmt::rfc3339(t), timefmt::relative(t, now))
}

/// How far `t` is from `now`, then the date ("3 hours ago (2026-01-02T03:04:05Z)").
fn relative_then_date(t: i64, now: i64) -> String {
    format!("{} ({})", timefmt::relative(t, now), timefmt::rfc3339(t))
}

fn iat_check(iat: Option<i64>, now: i64) -> JwtCheck {
    match iat {
        None => no_claim("iat"),
        Some(t) if t > now.saturating_add(IAT_LEEWAY_S) => named(
            "iat",
            CheckResult::Fail,
            format!(
                "Issued in the future: {}. The issuer's clock or this computer's is wrong.",
                date_then_relative(t, now)
            ),
        ),
        Some(t) => named(
            "iat",
            CheckResult::Pass,
            format!("Issued {}.", relative_then_date(t, now)),
        ),
    }
}

/// An `alg: none` token: its content, and the checks that refuse it.
fn unsigned_report(header: Value, claims: Map<String, Value>, now: i64) -> JwtReport {
    let time = |name: &str| claims.get(name).and_then(Value::as_i64);
    let refused = "The header says alg \"none\": the token is unsigned, anyone can write one, \
                   and Keywright never accepts it.";
    let mut checks = vec![
        named("alg", CheckResult::Fail, refused),
        named(
            "signature",
            CheckResult::Fail,
            "There is no signature to verify.",
        ),
    ];
    checks.push(match time("exp") {
        None => no_claim("exp"),
        Some(t) if t > now => named(
            "exp",
            CheckResult::Pass,
            format!("Valid until {}.", date_then_relative(t, now)),
        ),
        Some(t) => named(
            "exp",
            CheckResult::Fail,
            format!("Expired {}.", relative_then_date(t, now)),
        ),
    });
    checks.push(match time("nbf") {
        None => no_claim("nbf"),
        Some(t) if t <= now => named(
            "nbf",
            CheckResult::Pass,
            format!("Valid since {}.", timefmt::rfc3339(t)),
        ),
        Some(t) => named(
            "nbf",
            CheckResult::Fail,
            format!("Not valid yet: from {}.", date_then_relative(t, now)),
        ),
    });
    checks.push(iat_check(time("iat"), now));
    for name in ["iss", "aud"] {
        checks.push(named(
            name,
            CheckResult::Skipped,
            "Not checked: an unsigned token's claims mean nothing.",
        ));
    }
    JwtReport {
        header_json: pretty(&header),
        claims_json: pretty(&Value::Object(claims.clone())),
        alg: header
            .get("alg")
            .and_then(Value::as_str)
            .unwrap_or("none")
            .to_owned(),
        header,
        expires_at: time("exp"),
        not_before: time("nbf"),
        issued_at: time("iat"),
        claims: Value::Object(claims),
        now,
        verified: Some(false),
        key_source: None,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    use serde_json::json;

    use super::*;
    use crate::commands::{item_add, item_get, vault_unlock};
    use crate::tests::{PW, TestResult, api_key, fixture};

    const SECRET: &str = "a shared secret of 32 bytes.....";
    const RSA: &str = include_str!("../../keywright-core/src/jwt/testdata/rsa.pem");
    const RSA_PUB: &str = include_str!("../../keywright-core/src/jwt/testdata/rsa.pub.pem");
    const RSA2_PUB: &str = include_str!("../../keywright-core/src/jwt/testdata/rsa2.pub.pem");

    fn now() -> i64 {
        timefmt::now()
    }

    fn hs(claims: &Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .expect("sign")
    }

    fn rs(claims: &Value) -> String {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some("k1".into());
        encode(
            &h,
            claims,
            &EncodingKey::from_rsa_pem(RSA.as_bytes()).expect("rsa"),
        )
        .expect("sign")
    }

    fn s(t: &str) -> SecretString {
        SecretString::from(t.to_owned())
    }

    fn verify(key: JwtKey) -> Option<JwtVerify> {
        Some(JwtVerify {
            key,
            issuer: None,
            audience: None,
        })
    }

    fn result(r: &JwtReport, name: &str) -> (CheckResult, String) {
        let c = r.checks.iter().find(|c| c.name == name).expect(name);
        (c.result, c.message.clone())
    }

    #[test]
    fn decodes_and_names_every_check_without_a_key() -> TestResult {
        let f = fixture(true)?;
        let t = hs(
            &json!({"sub": "svc", "iss": "https://id.example", "aud": "api",
                           "exp": now() + 3600, "iat": now() - 10}),
        );
        let r = jwt_inspect(&f.state, &s(&format!("Bearer {t}\n")), None)?;
        let names: Vec<&str> = r.checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["alg", "signature", "exp", "nbf", "iat", "iss", "aud"]
        );
        assert_eq!(r.verified, None);
        assert_eq!(r.alg, "HS256");
        assert_eq!(r.claims["sub"], "svc");
        assert!(
            r.claims_json.contains("\"sub\": \"svc\""),
            "{}",
            r.claims_json
        );
        assert!(r.header_json.contains("\"alg\": \"HS256\""));
        assert_eq!(result(&r, "alg").0, CheckResult::Pass);
        assert_eq!(result(&r, "signature").0, CheckResult::Skipped);
        assert_eq!(result(&r, "exp").0, CheckResult::Pass);
        assert!(result(&r, "exp").1.starts_with("Valid until"), "{r:?}");
        assert_eq!(result(&r, "nbf").0, CheckResult::Skipped);
        assert_eq!(result(&r, "iat").0, CheckResult::Pass);
        assert!(result(&r, "iss").1.contains("https://id.example"));
        assert!(result(&r, "aud").1.contains("api"));
        // Sentences: a capital first letter and a full stop.
        for c in &r.checks {
            assert!(
                c.message.starts_with(|ch: char| ch.is_uppercase()) && c.message.ends_with('.'),
                "{c:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn hs_secret_verifies_and_a_wrong_one_fails() -> TestResult {
        let f = fixture(true)?;
        let t = hs(&json!({"exp": now() + 60}));
        let ok = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::HsSecret {
                secret: s(SECRET),
                base64: false,
            }),
        )?;
        assert_eq!(ok.verified, Some(true));
        assert_eq!(
            result(&ok, "signature"),
            (CheckResult::Pass, "HS256 signature verified.".into())
        );
        assert_eq!(ok.key_source.as_deref(), Some("the shared secret"));
        // The same secret, base64 encoded.
        let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET);
        let ok64 = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::HsSecret {
                secret: s(&b64),
                base64: true,
            }),
        )?;
        assert_eq!(ok64.verified, Some(true));
        let bad = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::HsSecret {
                secret: s("not the secret"),
                base64: false,
            }),
        )?;
        assert_eq!(bad.verified, Some(false));
        let (r, m) = result(&bad, "signature");
        assert_eq!(r, CheckResult::Fail);
        assert!(m.starts_with("The signature does not match the key"), "{m}");
        // An empty secret, bad base64: field errors.
        let e = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::HsSecret {
                secret: s(""),
                base64: false,
            }),
        )
        .err();
        assert_eq!(e.and_then(|e| e.field).as_deref(), Some("secret"));
        let e = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::HsSecret {
                secret: s("*** not base64 ***"),
                base64: true,
            }),
        )
        .err();
        assert_eq!(e.and_then(|e| e.field).as_deref(), Some("secret"));
        Ok(())
    }

    #[test]
    fn pem_and_jwk_keys_and_wrong_family() -> TestResult {
        let f = fixture(true)?;
        let t =
            rs(&json!({"iss": "https://id.example/", "aud": ["api", "web"], "exp": now() + 60}));
        let v = |key: JwtKey, iss: Option<&str>, aud: Option<&str>| JwtVerify {
            key,
            issuer: iss.map(str::to_owned),
            audience: aud.map(str::to_owned),
        };
        let ok = jwt_inspect(
            &f.state,
            &s(&t),
            Some(v(
                JwtKey::Key { key: s(RSA_PUB) },
                Some("https://id.example"),
                Some("web"),
            )),
        )?;
        assert_eq!(ok.verified, Some(true), "{ok:?}");
        assert_eq!(ok.key_source.as_deref(), Some("the pasted PEM key"));
        assert_eq!(result(&ok, "iss").0, CheckResult::Pass);
        assert_eq!(result(&ok, "aud").0, CheckResult::Pass);
        let other = jwt_inspect(
            &f.state,
            &s(&t),
            Some(v(
                JwtKey::Key { key: s(RSA2_PUB) },
                Some("https://other.example"),
                Some("x"),
            )),
        )?;
        assert_eq!(other.verified, Some(false));
        assert_eq!(result(&other, "signature").0, CheckResult::Fail);
        assert_eq!(result(&other, "iss").0, CheckResult::Fail);
        assert!(
            result(&other, "aud").1.contains("expected \"x\""),
            "{other:?}"
        );
        // A shared secret for an RS256 token: the signature check names the key it needs.
        let wrong = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::HsSecret {
                secret: s(SECRET),
                base64: false,
            }),
        )?;
        assert!(
            result(&wrong, "signature")
                .1
                .contains("needs an RSA public key"),
            "{wrong:?}"
        );
        // Not a key at all: for an RS token the PEM check fails; garbage JSON is a field error.
        let junk = jwt_inspect(&f.state, &s(&t), verify(JwtKey::Key { key: s("hello") }))?;
        assert!(
            result(&junk, "signature")
                .1
                .contains("not an RSA public key in PEM form")
        );
        let hs_t = hs(&json!({}));
        let e = jwt_inspect(&f.state, &s(&hs_t), verify(JwtKey::Key { key: s("{oops") })).err();
        assert_eq!(e.and_then(|e| e.field).as_deref(), Some("key"));
        Ok(())
    }

    #[test]
    fn alg_none_is_shown_and_refused() -> TestResult {
        let f = fixture(true)?;
        let b = |j: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(j);
        let t = format!(
            "{}.{}.",
            b(r#"{"alg":"none","typ":"JWT"}"#),
            b(&format!(r#"{{"sub":"admin","exp":{}}}"#, now() + 60))
        );
        let r = jwt_inspect(&f.state, &s(&t), None)?;
        assert_eq!(r.alg, "none");
        assert_eq!(r.claims["sub"], "admin");
        assert_eq!(r.verified, Some(false));
        let (res, m) = result(&r, "alg");
        assert_eq!(res, CheckResult::Fail);
        assert!(m.contains("never accepts it"), "{m}");
        assert_eq!(result(&r, "signature").0, CheckResult::Fail);
        // Even with a key, nothing verifies it.
        let r = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::HsSecret {
                secret: s(SECRET),
                base64: false,
            }),
        )?;
        assert_eq!(r.verified, Some(false));
        Ok(())
    }

    #[test]
    fn expired_future_iat_and_not_yet_valid() -> TestResult {
        let f = fixture(true)?;
        let t = hs(&json!({"exp": now() - 7200, "nbf": now() + 3600, "iat": now() + 3600}));
        let r = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::HsSecret {
                secret: s(SECRET),
                base64: false,
            }),
        )?;
        assert_eq!(r.verified, Some(false));
        assert_eq!(result(&r, "signature").0, CheckResult::Pass);
        let (res, m) = result(&r, "exp");
        assert_eq!(res, CheckResult::Fail);
        assert!(m.starts_with("Expired 2 h ago"), "{m}");
        assert!(result(&r, "nbf").1.starts_with("Not valid yet"));
        let (res, m) = result(&r, "iat");
        assert_eq!(res, CheckResult::Fail);
        assert!(m.starts_with("Issued in the future"), "{m}");
        Ok(())
    }

    #[test]
    fn errors_never_quote_the_token() -> TestResult {
        let f = fixture(true)?;
        for bad in [
            "eyJhbGciOiJIUzI1NiJ9.secretpayload",
            "opaque-secret-token-value",
            "e30.e30.!!",
        ] {
            let e = jwt_inspect(&f.state, &s(bad), None)
                .err()
                .ok_or("refused")?;
            assert_eq!(e.kind, ErrorKind::MalformedToken, "{e:?}");
            assert!(
                e.message.starts_with("This is not a readable JWT: "),
                "{e:?}"
            );
            assert!(!e.message.contains("secret"), "{e:?}");
        }
        let e = jwt_inspect(&f.state, &s("  "), None).err();
        assert_eq!(e.and_then(|e| e.field).as_deref(), Some("token"));
        // Keys travel over https (http only to this machine); the URL is the field at fault.
        let t = hs(&json!({}));
        let e = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::JwksUrl {
                url: "http://keys.example/jwks".into(),
            }),
        )
        .err()
        .ok_or("refused")?;
        assert_eq!(e.field.as_deref(), Some("jwks_url"));
        assert_eq!(
            e.message,
            "The JWKS URL must use https: \"http://keys.example/jwks\" is http, which is allowed \
             only on this computer (localhost, 127.0.0.1)."
        );
        let e = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::JwksUrl {
                url: "keys.example".into(),
            }),
        )
        .err()
        .ok_or("refused")?;
        assert_eq!(
            e.message,
            "The JWKS URL must be an https URL, not \"keys.example\"."
        );
        let e = jwt_inspect(
            &f.state,
            &s(&t),
            verify(JwtKey::Issuer {
                issuer: "ftp://id.example".into(),
            }),
        )
        .err()
        .ok_or("refused")?;
        assert_eq!(e.field.as_deref(), Some("issuer"));
        assert_eq!(
            e.message,
            "The issuer must be an https URL, not \"ftp://id.example\"."
        );
        // Debug output shows no key.
        let k = JwtKey::HsSecret {
            secret: s(SECRET),
            base64: false,
        };
        assert!(!format!("{k:?}").contains("shared"));
        Ok(())
    }

    #[test]
    fn copy_puts_the_json_on_the_clipboard() -> TestResult {
        let f = fixture(true)?;
        let c = jwt_copy(&f.state, &s("{\"sub\": \"svc\"}"))?;
        assert_eq!(c.clear_after_s, Some(30));
        use crate::clipboard::Clipboard as _;
        assert_eq!(f.clipboard.text()?.as_deref(), Some("{\"sub\": \"svc\"}"));
        assert!(jwt_copy(&f.state, &s("")).is_err());
        Ok(())
    }

    #[test]
    fn an_items_token_and_an_items_key_stay_in_rust() -> TestResult {
        let f = fixture(true)?;
        vault_unlock(&f.state, &SecretString::from(PW))?;
        let t = hs(&json!({"sub": "from-item", "exp": now() + 60}));
        let bearer: crate::dto::ItemInput = serde_json::from_value(json!({
            "kind": "bearer", "name": "Deploy token", "value": t
        }))?;
        let token_id = item_add(&f.state, bearer)?.summary.id;
        let key_id = item_add(&f.state, api_key("Signing secret", SECRET)?)?
            .summary
            .id;
        let r = jwt_inspect_item(
            &f.state,
            &token_id,
            SecretField::Value,
            verify(JwtKey::Item { id: key_id.clone() }),
        )?;
        assert_eq!(r.claims["sub"], "from-item");
        assert_eq!(r.verified, Some(true), "{r:?}");
        assert_eq!(
            r.key_source.as_deref(),
            Some("the value of \"Signing secret\"")
        );
        let serialized = serde_json::to_string(&r)?;
        assert!(!serialized.contains(&t) && !serialized.contains(SECRET));
        // Both looks are in the items' histories.
        let d = item_get(&f.state, &token_id)?;
        assert!(
            d.history
                .iter()
                .any(|e| e.detail.as_deref() == Some("value claims (JWT debugger)"))
        );
        let d = item_get(&f.state, &key_id)?;
        assert!(
            d.history
                .iter()
                .any(|e| e.detail.as_deref() == Some("value (JWT verification key)"))
        );
        // A field the item does not have.
        let e = jwt_inspect_item(&f.state, &token_id, SecretField::AccessToken, None).err();
        assert_eq!(e.and_then(|e| e.field).as_deref(), Some("field"));
        Ok(())
    }
}
