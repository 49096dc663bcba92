//! JWT inspection: the header and claims of any signed token, its registered times, and
//! signature verification with a shared secret, a PEM public key or a JWK Set.
//!
//! jsonwebtoken 11 (with its `rust_crypto` backend) parses the segments and checks the
//! signatures. This module adds what a user needs around it: which segment is wrong and
//! why, the times in words, and a list of checks that says which one failed.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, Validation};
use serde::Serialize;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A decoded (not yet verified) JWT.
#[derive(Debug, Clone, Serialize)]
pub struct Inspected {
    /// The JOSE header as sent (alg, typ, kid, ...).
    pub header: Value,
    /// Every claim as sent.
    pub claims: Map<String, Value>,
    #[serde(skip)]
    pub alg: Algorithm,
    /// `exp`, `nbf` and `iat` as whole Unix seconds.
    pub expires_at: Option<i64>,
    pub not_before: Option<i64>,
    pub issued_at: Option<i64>,
}

impl Inspected {
    /// Signed with a shared secret (HS256/384/512)?
    pub fn is_hmac(&self) -> bool {
        self.alg.family() == AlgorithmFamily::Hmac
    }

    /// The `iss` claim, when it is a string.
    pub fn issuer(&self) -> Option<&str> {
        self.claims.get("iss").and_then(Value::as_str)
    }

    /// The `aud` claim as a list (it may be a string or an array).
    pub fn audiences(&self) -> Vec<&str> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// `Bearer eyJ…` and surrounding whitespace are accepted as the token itself.
pub fn strip_bearer(token: &str) -> &str {
    let t = token.trim();
    match t.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => t,
    }
}

/// Does this look like a signed JWT (three base64url segments, a JSON header)? Cheap, for
/// deciding whether an item's token has claims worth reading.
pub fn looks_like_jwt(token: &str) -> bool {
    let t = strip_bearer(token);
    t.starts_with("eyJ") && t.split('.').count() == 3 && inspect(t).is_ok()
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::MalformedToken {
        reason: reason.into(),
    }
}

/// Decode a token's header and claims without verifying anything. Errors name the segment
/// (header, payload, signature) and what is wrong with it; they never quote the token.
pub fn inspect(token: &str) -> Result<Inspected> {
    let token = strip_bearer(token);
    if token.is_empty() {
        return Err(malformed("the token is empty"));
    }
    let segments: Vec<&str> = token.split('.').collect();
    match segments.len() {
        3 => {}
        5 => {
            return Err(malformed(
                "this is an encrypted JWT (JWE, 5 segments); only signed JWTs (JWS, 3 \
                 segments) can be read without the decryption key",
            ));
        }
        n => {
            return Err(malformed(format!(
                "a JWT has 3 segments separated by '.', this has {n}{}",
                if n == 1 {
                    " (it may be an opaque token, which has no claims to read)"
                } else {
                    ""
                }
            )));
        }
    }
    let header = match jsonwebtoken::decode_header(token) {
        Ok(h) => h,
        Err(_) => return Err(header_problem(segments[0])),
    };
    let claims: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|e| {
            malformed(match e.kind() {
                JwtErrorKind::Base64(_) => "segment 2 (payload) is not base64url".to_owned(),
                JwtErrorKind::Utf8(_) => "segment 2 (payload) is not UTF-8 text".to_owned(),
                JwtErrorKind::Json(j) if j.is_data() => {
                    "segment 2 (payload) is JSON but not an object of claims".to_owned()
                }
                _ => "segment 2 (payload) is not JSON".to_owned(),
            })
        })?;
    if segments[2].is_empty() {
        return Err(malformed(
            "segment 3 (signature) is empty: the token is unsigned",
        ));
    }
    if URL_SAFE_NO_PAD.decode(segments[2]).is_err() {
        return Err(malformed("segment 3 (signature) is not base64url"));
    }
    let time = |name: &str| -> Result<Option<i64>> {
        match claims.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) => Ok(Some(v)),
                // NumericDate may carry fractions (RFC 7519 §2).
                None => n
                    .as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 1e15)
                    .map(|f| Some(f.floor() as i64))
                    .ok_or_else(|| malformed(format!("claim {name:?} is out of range"))),
            },
            Some(_) => Err(malformed(format!(
                "claim {name:?} is not a number of seconds since 1970 (RFC 7519 NumericDate)"
            ))),
        }
    };
    let expires_at = time("exp")?;
    let not_before = time("nbf")?;
    let issued_at = time("iat")?;
    let alg = header.alg;
    let header = serde_json::to_value(&header)
        .map_err(|e| malformed(format!("segment 1 (header) could not be read back: {e}")))?;
    Ok(Inspected {
        header,
        claims,
        alg,
        expires_at,
        not_before,
        issued_at,
    })
}

/// Why jsonwebtoken refused the header: decoded here only to explain the failure.
fn header_problem(segment: &str) -> Error {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(segment) else {
        return malformed("segment 1 (header) is not base64url");
    };
    let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
        return malformed("segment 1 (header) is not JSON");
    };
    let Some(obj) = v.as_object() else {
        return malformed("segment 1 (header) is JSON but not an object");
    };
    match obj.get("alg") {
        None => malformed("the header has no \"alg\" (signature algorithm)"),
        Some(Value::String(a)) if a.eq_ignore_ascii_case("none") => {
            malformed("the header says alg \"none\": the token is unsigned and cannot be trusted")
        }
        Some(Value::String(a)) => malformed(format!(
            "the header's alg {a:?} is not a JWS algorithm Keywright knows (HS*, RS*, PS*, \
             ES256, ES384, EdDSA)"
        )),
        Some(_) => malformed("the header's \"alg\" is not a string"),
    }
}

/// What verifies a signature.
pub enum VerifyKey {
    /// An HMAC secret (HS256/384/512). Wiped on drop.
    Secret(Zeroizing<Vec<u8>>),
    /// A public key in PEM (RSA, EC or Ed25519), or a JWK / JWK Set in JSON.
    Public(Vec<u8>),
    /// A JWK Set fetched from a JWKS URL or an OpenID issuer.
    Jwks(JwkSet),
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyKey::Secret(_) => f.write_str("VerifyKey::Secret([redacted])"),
            VerifyKey::Public(_) => f.write_str("VerifyKey::Public(..)"),
            VerifyKey::Jwks(s) => write!(f, "VerifyKey::Jwks({} keys)", s.keys.len()),
        }
    }
}

/// What the claims are expected to say.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub issuer: Option<String>,
    pub audience: Option<String>,
}

/// One verification check and its outcome.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `signature`, `exp`, `nbf`, `iss` or `aud`.
    pub check: String,
    pub ok: bool,
    pub message: String,
}

/// The outcome of verifying a token: every check made, in order.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub ok: bool,
    /// The first check that failed, if any.
    pub failed: Option<String>,
    pub checks: Vec<Check>,
}

fn check(name: &str, ok: bool, message: impl Into<String>) -> Check {
    Check {
        check: name.to_owned(),
        ok,
        message: message.into(),
    }
}

/// Verify `token` (already inspected) at `now`: the signature with `key`, then `exp`,
/// `nbf`, and `iss` / `aud` when expected.
pub fn verify(
    token: &str,
    ins: &Inspected,
    key: &VerifyKey,
    expect: &Expect,
    now: i64,
) -> Verification {
    let mut checks = vec![check_signature(token, ins, key)];
    checks.extend(claim_checks(ins, expect, now));
    let failed = checks.iter().find(|c| !c.ok).map(|c| c.check.clone());
    Verification {
        ok: failed.is_none(),
        failed,
        checks,
    }
}

/// The signature check alone: does `key` verify `token` (already inspected)?
pub fn check_signature(token: &str, ins: &Inspected, key: &VerifyKey) -> Check {
    signature_check(strip_bearer(token), ins, key)
}

/// The claim checks at `now`: `exp` and `nbf` when the token has them, `iss` / `aud` when
/// expected. They say nothing about who made the token: only the signature does.
pub fn claim_checks(ins: &Inspected, expect: &Expect, now: i64) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(exp) = ins.expires_at {
        let ok = exp > now;
        let msg = if ok {
            format!(
                "valid until {} ({})",
                crate::timefmt::rfc3339(exp),
                crate::timefmt::relative(exp, now)
            )
        } else {
            format!(
                "expired {} ({})",
                crate::timefmt::relative(exp, now),
                crate::timefmt::rfc3339(exp)
            )
        };
        checks.push(check("exp", ok, msg));
    }
    if let Some(nbf) = ins.not_before {
        let ok = nbf <= now;
        let msg = if ok {
            format!("valid since {}", crate::timefmt::rfc3339(nbf))
        } else {
            format!(
                "not valid yet: from {} ({})",
                crate::timefmt::rfc3339(nbf),
                crate::timefmt::relative(nbf, now)
            )
        };
        checks.push(check("nbf", ok, msg));
    }
    if let Some(want) = expect.issuer.as_deref() {
        let got = ins.issuer();
        let ok = got.is_some_and(|g| same_issuer(g, want));
        let msg = match got {
            Some(g) if ok => format!("issued by {g}"),
            Some(g) => format!("issued by {g:?}, expected {want:?}"),
            None => format!("the token has no \"iss\" claim, expected {want:?}"),
        };
        checks.push(check("iss", ok, msg));
    }
    if let Some(want) = expect.audience.as_deref() {
        let auds = ins.audiences();
        let ok = auds.contains(&want);
        let msg = if ok {
            format!("for audience {want}")
        } else if auds.is_empty() {
            format!("the token has no \"aud\" claim, expected {want:?}")
        } else {
            format!("for audience {}, expected {want:?}", auds.join(", "))
        };
        checks.push(check("aud", ok, msg));
    }
    checks
}

/// Issuers compare as strings; a trailing slash is not a different issuer in practice.
fn same_issuer(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

fn alg_name(alg: Algorithm) -> String {
    format!("{alg:?}")
}

fn family_name(f: AlgorithmFamily) -> &'static str {
    match f {
        AlgorithmFamily::Hmac => "an HMAC secret",
        AlgorithmFamily::Rsa => "an RSA public key",
        AlgorithmFamily::Ec => "an EC public key",
        AlgorithmFamily::Ed => "an Ed25519 public key",
    }
}

fn signature_check(token: &str, ins: &Inspected, key: &VerifyKey) -> Check {
    let family = ins.alg.family();
    let alg = alg_name(ins.alg);
    let keys: Vec<DecodingKey> = match key {
        VerifyKey::Secret(s) => {
            if family != AlgorithmFamily::Hmac {
                return check(
                    "signature",
                    false,
                    format!(
                        "the token is signed with {alg}, which needs {}, not a shared secret",
                        family_name(family)
                    ),
                );
            }
            vec![DecodingKey::from_secret(s)]
        }
        VerifyKey::Public(bytes) => {
            if family == AlgorithmFamily::Hmac {
                return check(
                    "signature",
                    false,
                    format!(
                        "the token is signed with {alg}, which needs the shared secret, not a public key"
                    ),
                );
            }
            let text = String::from_utf8_lossy(bytes);
            let trimmed = text.trim_start();
            if trimmed.starts_with('{') {
                match jwks_from_json(trimmed) {
                    Ok(set) => match jwks_candidates(ins, &set) {
                        Ok(k) => k,
                        Err(msg) => return check("signature", false, msg),
                    },
                    Err(msg) => return check("signature", false, msg),
                }
            } else {
                let parsed = match family {
                    AlgorithmFamily::Rsa => DecodingKey::from_rsa_pem(bytes),
                    AlgorithmFamily::Ec => DecodingKey::from_ec_pem(bytes),
                    // HMAC returned above.
                    AlgorithmFamily::Ed | AlgorithmFamily::Hmac => DecodingKey::from_ed_pem(bytes),
                };
                match parsed {
                    Ok(k) => vec![k],
                    Err(_) => {
                        return check(
                            "signature",
                            false,
                            format!(
                                "the key is not {} in PEM form, which {alg} needs",
                                family_name(family)
                            ),
                        );
                    }
                }
            }
        }
        VerifyKey::Jwks(set) => match jwks_candidates(ins, set) {
            Ok(k) => k,
            Err(msg) => return check("signature", false, msg),
        },
    };
    let mut validation = Validation::new(ins.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    let mut last = String::from("the signature does not match the key");
    for k in &keys {
        match jsonwebtoken::decode::<Value>(token, k, &validation) {
            Ok(_) => return check("signature", true, format!("{alg} signature verified")),
            Err(e) => {
                last = match e.kind() {
                    JwtErrorKind::InvalidSignature => {
                        "the signature does not match the key (wrong key, or the token was changed)"
                            .to_owned()
                    }
                    JwtErrorKind::InvalidAlgorithm => format!("the key cannot verify {alg}"),
                    JwtErrorKind::InvalidKeyFormat
                    | JwtErrorKind::InvalidRsaKey(_)
                    | JwtErrorKind::InvalidEcdsaKey
                    | JwtErrorKind::InvalidEddsaKey => {
                        format!("the key is not usable for {alg}")
                    }
                    JwtErrorKind::Base64(_) => "segment 3 (signature) is not base64url".to_owned(),
                    _ => format!("the signature could not be checked: {e}"),
                };
            }
        }
    }
    check("signature", false, last)
}

/// What verifies a token, from key material as the user gave it (a file, a pasted text,
/// an item's value): for an HMAC token a JWK (Set) in JSON, else the secret itself (a final
/// newline is not part of it); for any other a PEM public key or a JWK (Set).
pub fn key_from_material(
    material: Zeroizing<Vec<u8>>,
    ins: &Inspected,
) -> std::result::Result<VerifyKey, String> {
    let is_json = String::from_utf8_lossy(&material)
        .trim_start()
        .starts_with('{');
    if !ins.is_hmac() {
        return Ok(VerifyKey::Public(material.to_vec()));
    }
    if is_json {
        let text = String::from_utf8_lossy(&material).into_owned();
        let text = Zeroizing::new(text);
        return jwks_from_json(&text).map(VerifyKey::Jwks);
    }
    let mut b = material;
    while b.last().is_some_and(|c| *c == b'\n' || *c == b'\r') {
        b.pop();
    }
    if b.is_empty() {
        return Err("the secret is empty".into());
    }
    Ok(VerifyKey::Secret(b))
}

/// The JWK Set at `url`: https, or http to this machine only (keys decide what is
/// trusted). At most [`crate::net::MAX_AUTH_BODY`] bytes are read.
pub async fn fetch_jwks(http: &reqwest::Client, url: &str) -> Result<JwkSet> {
    crate::net::require_https("jwks", url)?;
    let resp = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| crate::net::network_error(url, &e))?;
    let status = resp.status();
    let body = crate::net::read_limited(url, resp, crate::net::MAX_AUTH_BODY).await?;
    if !status.is_success() {
        return Err(Error::Network {
            url: crate::net::redact_url(url),
            reason: format!("HTTP {status}"),
        });
    }
    jwks_from_json(&String::from_utf8_lossy(&body)).map_err(|r| Error::Network {
        url: crate::net::redact_url(url),
        reason: r,
    })
}

/// The JWKS URL an issuer publishes, found by discovery (the issuer and the URL both pass
/// the https rule).
pub async fn issuer_jwks_uri(http: &reqwest::Client, issuer: &str) -> Result<String> {
    let eps = crate::oauth::discover(http, issuer).await?;
    eps.jwks_uri.ok_or_else(|| Error::Network {
        url: issuer.to_owned(),
        reason: "the discovery document has no jwks_uri".into(),
    })
}

/// The header and claims of an unsigned token (`alg: none`), to show what it claims;
/// `None` for any other token. [`inspect`] refuses such a token and nothing verifies it.
pub fn unsigned_parts(token: &str) -> Option<(Value, Map<String, Value>)> {
    let segments: Vec<&str> = strip_bearer(token).split('.').collect();
    if segments.len() != 3 {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segments[0]).ok()?).ok()?;
    if !header.get("alg")?.as_str()?.eq_ignore_ascii_case("none") {
        return None;
    }
    let claims: Map<String, Value> =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segments[1]).ok()?).ok()?;
    Some((header, claims))
}

/// A JWK Set, or a single JWK, from JSON text.
pub fn jwks_from_json(text: &str) -> std::result::Result<JwkSet, String> {
    if let Ok(set) = serde_json::from_str::<JwkSet>(text) {
        return Ok(set);
    }
    match serde_json::from_str::<jsonwebtoken::jwk::Jwk>(text) {
        Ok(k) => Ok(JwkSet { keys: vec![k] }),
        Err(e) => Err(format!("the key is neither a JWK nor a JWK Set: {e}")),
    }
}

/// The keys of a set that may have signed the token: the one with its `kid`, else every
/// key of the right type.
fn jwks_candidates(ins: &Inspected, set: &JwkSet) -> std::result::Result<Vec<DecodingKey>, String> {
    let kid = ins.header.get("kid").and_then(Value::as_str);
    let pool: Vec<&jsonwebtoken::jwk::Jwk> = match kid {
        Some(kid) => {
            let found: Vec<_> = set
                .keys
                .iter()
                .filter(|k| k.common.key_id.as_deref() == Some(kid))
                .collect();
            if found.is_empty() {
                return Err(format!(
                    "no key in the JWK Set has the token's kid {kid:?} ({} keys; the signing key \
                     may have been rotated out)",
                    set.keys.len()
                ));
            }
            found
        }
        None => set.keys.iter().collect(),
    };
    let keys: Vec<DecodingKey> = pool
        .into_iter()
        .filter_map(|k| DecodingKey::from_jwk(k).ok())
        .filter(|k| k.family() == ins.alg.family())
        .collect();
    if keys.is_empty() {
        return Err(format!(
            "the JWK Set has no {} for {}",
            family_name(ins.alg.family()),
            alg_name(ins.alg)
        ));
    }
    Ok(keys)
}

/// Time claims in words, for people (`expires in 3 h 12 min`, `expired 2 days ago`).
pub fn describe_expiry(exp: Option<i64>, now: i64) -> String {
    match exp {
        None => "no expiry (no \"exp\" claim)".to_owned(),
        Some(t) if t > now => format!("expires {}", crate::timefmt::relative(t, now)),
        Some(t) => format!("expired {}", crate::timefmt::relative(t, now)),
    }
}

#[cfg(test)]
mod tests;
