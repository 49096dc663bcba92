//! OAuth 2.0 on the wire: issuer discovery (OpenID Connect Discovery 1.0, RFC 8414), the
//! token endpoint with `client_secret_basic` / `client_secret_post`, the grants
//! (client_credentials, refresh_token, authorization_code + PKCE, device_code), and the
//! device authorization request (RFC 8628).
//!
//! Written as direct reqwest calls rather than over the `oauth2` crate: `oauth2` 5 is built
//! on reqwest 0.12 and would need an adapter to this workspace's reqwest 0.13, and its
//! typed token responses drop what Keywright needs to read (`refresh_expires_in`, a string
//! `expires_in`, the raw error body for the diagnosis). The requests themselves are a few
//! form posts; the HTTP and TLS stack is reqwest's.

pub mod loopback;
pub mod renew;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::credential::{ClientAuth, OAuthConfig};
use crate::error::{Error, Result};
use crate::net::{self, MAX_AUTH_BODY, network_error, redact_url};

/// Where an authorization server takes requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Endpoints {
    pub issuer: Option<String>,
    pub token: String,
    pub authorization: Option<String>,
    pub device_authorization: Option<String>,
    pub jwks_uri: Option<String>,
    pub scopes_supported: Vec<String>,
}

#[derive(Deserialize)]
struct Metadata {
    issuer: Option<String>,
    token_endpoint: Option<String>,
    authorization_endpoint: Option<String>,
    device_authorization_endpoint: Option<String>,
    jwks_uri: Option<String>,
    #[serde(default)]
    scopes_supported: Vec<String>,
}

/// The well-known metadata URLs of an issuer: OpenID Connect's first, then RFC 8414's
/// (which puts the well-known part before the issuer's path).
fn discovery_urls(issuer: &str) -> Result<Vec<String>> {
    let base = issuer.trim_end_matches('/');
    let u = url::Url::parse(base).map_err(|e| crate::net::url_error("issuer", issuer, e))?;
    let mut out = vec![format!("{base}/.well-known/openid-configuration")];
    let path = u.path().trim_end_matches('/');
    let origin = u.origin().ascii_serialization();
    out.push(format!(
        "{origin}/.well-known/oauth-authorization-server{path}"
    ));
    Ok(out)
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<Value> {
    let resp = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| network_error(url, &e))?;
    let status = resp.status();
    let body = net::read_limited(url, resp, MAX_AUTH_BODY).await?;
    if !status.is_success() {
        return Err(Error::Network {
            url: redact_url(url),
            reason: format!("HTTP {status}"),
        });
    }
    serde_json::from_slice(&body).map_err(|e| Error::Network {
        url: redact_url(url),
        reason: format!("the answer is not JSON ({e})"),
    })
}

/// Discover an issuer's endpoints. The issuer must be https (http only on a loopback
/// host); the metadata must name an `issuer` and it must be the issuer asked for (OpenID
/// Connect Discovery §4.3, RFC 8414 §3.3); every endpoint in it must pass the same https
/// rule. Anything else is refused.
pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<Endpoints> {
    let issuer_url = net::require_https("issuer", issuer)?;
    let mut last = None;
    for url in discovery_urls(issuer)? {
        match get_json(http, &url).await {
            Ok(v) => {
                let m: Metadata = serde_json::from_value(v).map_err(|e| Error::Network {
                    url: redact_url(&url),
                    reason: format!("the discovery document is not valid ({e})"),
                })?;
                return endpoints_of(&url, &issuer_url, issuer, m);
            }
            // A network failure will not get better with the second URL.
            Err(e @ Error::Network { .. }) if is_http_status(&e) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::Network {
        url: issuer.to_owned(),
        reason: "no discovery document".into(),
    }))
}

/// The endpoints of a discovery document fetched from `url` for `issuer`, checked.
fn endpoints_of(url: &str, issuer_url: &url::Url, issuer: &str, m: Metadata) -> Result<Endpoints> {
    let refuse = |reason: String| Error::Network {
        url: redact_url(url),
        reason,
    };
    let Some(got) = &m.issuer else {
        return Err(refuse(
            "the discovery document has no issuer, so it cannot be checked to be this \
             issuer's; refusing it"
                .into(),
        ));
    };
    if got.trim_end_matches('/') != issuer.trim().trim_end_matches('/') {
        return Err(refuse(format!(
            "the discovery document is for issuer {got:?}, not {issuer:?}; refusing it"
        )));
    }
    let token = m
        .token_endpoint
        .ok_or_else(|| refuse("the discovery document has no token_endpoint".into()))?;
    let check = |field: &str, ep: &str| -> Result<()> {
        let u = net::require_https(field, ep)
            .map_err(|e| refuse(format!("{e} (from the discovery document)")))?;
        // An https issuer does not hand its secrets to a local http endpoint either.
        if u.scheme() == "http" && issuer_url.scheme() == "https" {
            return Err(refuse(format!(
                "invalid {field}: the https issuer names an http endpoint; refusing it"
            )));
        }
        Ok(())
    };
    check("token_endpoint", &token)?;
    for (field, ep) in [
        ("authorization_endpoint", &m.authorization_endpoint),
        (
            "device_authorization_endpoint",
            &m.device_authorization_endpoint,
        ),
        ("jwks_uri", &m.jwks_uri),
    ] {
        if let Some(ep) = ep {
            check(field, ep)?;
        }
    }
    Ok(Endpoints {
        issuer: m.issuer,
        token,
        authorization: m.authorization_endpoint,
        device_authorization: m.device_authorization_endpoint,
        jwks_uri: m.jwks_uri,
        scopes_supported: m.scopes_supported,
    })
}

fn is_http_status(e: &Error) -> bool {
    matches!(e, Error::Network { reason, .. } if reason.starts_with("HTTP "))
}

/// An item's endpoints: discovered from its issuer, with an explicit token URL winning.
pub async fn endpoints(http: &reqwest::Client, cfg: &OAuthConfig) -> Result<Endpoints> {
    match (&cfg.issuer, &cfg.token_url) {
        (Some(issuer), token_url) => {
            let mut e = discover(http, issuer).await?;
            if let Some(t) = token_url {
                net::require_https("token_url", t)?;
                e.token.clone_from(t);
            }
            Ok(e)
        }
        (None, Some(t)) => {
            net::require_https("token_url", t)?;
            Ok(Endpoints {
                token: t.clone(),
                ..Endpoints::default()
            })
        }
        (None, None) => Err(Error::invalid(
            "OAuth2 client",
            "give an issuer (for discovery) or a token URL",
        )),
    }
}

/// A successful token response (RFC 6749 §5.1). Wiped on drop; `Debug` shows no token.
#[derive(Default, Zeroize, ZeroizeOnDrop)]
pub struct TokenSet {
    pub access_token: String,
    pub token_type: String,
    /// Seconds, as the server said (`expires_in`).
    pub expires_in: Option<i64>,
    pub refresh_token: Option<String>,
    /// Keycloak and others say when the refresh token ends.
    pub refresh_expires_in: Option<i64>,
    pub scope: Option<String>,
    pub id_token: Option<String>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// A lifetime in seconds: a JSON number, or a string of digits (seen in the wild).
fn seconds(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn str_field(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

/// What to do about an RFC 6749 error code, in words.
pub fn hint(error: &str) -> Option<&'static str> {
    Some(match error {
        "invalid_client" => {
            "check the client ID and the client secret, and the client authentication method \
             (basic or post) the server expects"
        }
        "invalid_grant" => "the refresh token or code is no longer accepted; log in again",
        "invalid_scope" => "the client may not ask for these scopes; check the item's scopes",
        "unauthorized_client" => "this client is not allowed to use this grant at the server",
        "unsupported_grant_type" => "the server does not offer this grant",
        "invalid_target" => "the server does not know this audience/resource",
        "invalid_request" => "the server refused the request as malformed",
        "access_denied" => "the login was refused or cancelled",
        "expired_token" => "the code expired before the login was completed; start again",
        _ => return None,
    })
}

/// The outcome of one token-endpoint call that did not succeed.
fn oauth_error(v: &Value) -> Option<Error> {
    let error = str_field(v, "error")?;
    Some(Error::OAuth {
        hint: hint(&error),
        description: str_field(v, "error_description"),
        error,
    })
}

/// POST a form with the client's authentication to an endpoint; the parsed JSON answer of
/// a 2xx, or the server's OAuth error.
async fn post_form(
    http: &reqwest::Client,
    url: &str,
    cfg: &OAuthConfig,
    client_secret: &str,
    mut form: Vec<(&'static str, String)>,
) -> Result<Value> {
    let mut req = http
        .post(url)
        .header(reqwest::header::ACCEPT, "application/json");
    match (cfg.auth, client_secret.is_empty()) {
        // A public client identifies itself in the form.
        (_, true) | (ClientAuth::Post, false) => {
            form.push(("client_id", cfg.client_id.clone()));
            if !client_secret.is_empty() {
                form.push(("client_secret", client_secret.to_owned()));
            }
        }
        (ClientAuth::Basic, false) => {
            // RFC 6749 §2.3.1: both parts form-urlencoded before the Basic encoding.
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair = Zeroizing::new(format!("{}:{}", enc(&cfg.client_id), enc(client_secret)));
            let header = Zeroizing::new(format!("Basic {}", STANDARD.encode(pair.as_bytes())));
            req = req.header(reqwest::header::AUTHORIZATION, header.as_str());
        }
    }
    let body = Zeroizing::new(
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish(),
    );
    for (_, v) in &mut form {
        v.zeroize();
    }
    let resp = req
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body.as_bytes().to_vec())
        .send()
        .await
        .map_err(|e| network_error(url, &e))?;
    let status = resp.status();
    let bytes = Zeroizing::new(net::read_limited(url, resp, MAX_AUTH_BODY).await?);
    let json: Option<Value> = serde_json::from_slice(&bytes).ok();
    if status.is_success() {
        return json.ok_or_else(|| Error::Network {
            url: redact_url(url),
            reason: format!("HTTP {status} but the answer is not JSON"),
        });
    }
    if let Some(e) = json.as_ref().and_then(oauth_error) {
        return Err(e);
    }
    Err(Error::Network {
        url: redact_url(url),
        reason: format!("HTTP {status} without an OAuth error in the answer"),
    })
}

fn token_set(url: &str, v: &Value) -> Result<TokenSet> {
    let access_token = str_field(v, "access_token").ok_or_else(|| Error::Network {
        url: redact_url(url),
        reason: "the token response has no access_token".into(),
    })?;
    Ok(TokenSet {
        access_token,
        token_type: str_field(v, "token_type").unwrap_or_else(|| "Bearer".into()),
        expires_in: seconds(v.get("expires_in")),
        refresh_token: str_field(v, "refresh_token").filter(|s| !s.is_empty()),
        refresh_expires_in: seconds(v.get("refresh_expires_in")).filter(|s| *s > 0),
        scope: str_field(v, "scope"),
        id_token: str_field(v, "id_token"),
    })
}

/// The audience/resource parameters: RFC 8707 `resource` for an absolute URI, and
/// `audience` (Auth0, Okta and others) always.
fn audience_params(cfg: &OAuthConfig, form: &mut Vec<(&'static str, String)>) {
    if let Some(a) = cfg.audience.as_deref().filter(|a| !a.is_empty()) {
        if url::Url::parse(a).is_ok() {
            form.push(("resource", a.to_owned()));
        }
        form.push(("audience", a.to_owned()));
    }
}

fn scope_param(cfg: &OAuthConfig, form: &mut Vec<(&'static str, String)>) {
    if !cfg.scopes.is_empty() {
        form.push(("scope", cfg.scopes.join(" ")));
    }
}

/// The grants a token endpoint is asked for.
pub enum GrantRequest<'a> {
    ClientCredentials,
    RefreshToken(&'a str),
    AuthorizationCode {
        code: &'a str,
        redirect_uri: &'a str,
        verifier: &'a str,
    },
    DeviceCode(&'a str),
}

/// One token request.
pub async fn token(
    http: &reqwest::Client,
    token_url: &str,
    cfg: &OAuthConfig,
    client_secret: &str,
    grant: GrantRequest<'_>,
) -> Result<TokenSet> {
    let mut form: Vec<(&'static str, String)> = Vec::new();
    match grant {
        GrantRequest::ClientCredentials => {
            form.push(("grant_type", "client_credentials".into()));
            scope_param(cfg, &mut form);
            audience_params(cfg, &mut form);
        }
        GrantRequest::RefreshToken(rt) => {
            form.push(("grant_type", "refresh_token".into()));
            form.push(("refresh_token", rt.to_owned()));
        }
        GrantRequest::AuthorizationCode {
            code,
            redirect_uri,
            verifier,
        } => {
            form.push(("grant_type", "authorization_code".into()));
            form.push(("code", code.to_owned()));
            form.push(("redirect_uri", redirect_uri.to_owned()));
            form.push(("code_verifier", verifier.to_owned()));
        }
        GrantRequest::DeviceCode(dc) => {
            form.push((
                "grant_type",
                "urn:ietf:params:oauth:grant-type:device_code".into(),
            ));
            form.push(("device_code", dc.to_owned()));
        }
    }
    let v = post_form(http, token_url, cfg, client_secret, form).await?;
    token_set(token_url, &v)
}

/// A device authorization (RFC 8628 §3.2). `device_code` is a bearer secret of the flow.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct DeviceAuth {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: i64,
    pub interval: u64,
}

impl std::fmt::Debug for DeviceAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuth")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// Longest device login waited for, whatever the server says (`expires_in`): 1 hour.
pub const MAX_DEVICE_EXPIRES_S: i64 = 3600;

/// Ask for a device code and the user code to show.
pub async fn device_authorize(
    http: &reqwest::Client,
    url: &str,
    cfg: &OAuthConfig,
    client_secret: &str,
    scopes: &[String],
) -> Result<DeviceAuth> {
    let mut form: Vec<(&'static str, String)> = Vec::new();
    if !scopes.is_empty() {
        form.push(("scope", scopes.join(" ")));
    }
    audience_params(cfg, &mut form);
    let v = post_form(http, url, cfg, client_secret, form).await?;
    device_auth(url, &v)
}

/// A server's value that breaks a rule: the server is at fault, so a network error that
/// names the field.
fn refused(url: &str, e: &Error) -> Error {
    Error::Network {
        url: redact_url(url),
        reason: format!("{e} (in the server's answer); refusing it"),
    }
}

/// A device authorization response, its numbers bounded and its URLs checked.
fn device_auth(url: &str, v: &Value) -> Result<DeviceAuth> {
    let missing = |k: &str| Error::Network {
        url: redact_url(url),
        reason: format!("the device authorization response has no {k}"),
    };
    Ok(DeviceAuth {
        device_code: str_field(v, "device_code").ok_or_else(|| missing("device_code"))?,
        user_code: str_field(v, "user_code").ok_or_else(|| missing("user_code"))?,
        verification_uri: str_field(v, "verification_uri")
            .or_else(|| str_field(v, "verification_url"))
            .ok_or_else(|| missing("verification_uri"))
            .and_then(|u| {
                net::require_https("verification_uri", &u).map_err(|e| refused(url, &e))?;
                Ok(u)
            })?,
        verification_uri_complete: str_field(v, "verification_uri_complete")
            .map(|u| net::require_https("verification_uri_complete", &u).map(|_| u))
            .transpose()
            .map_err(|e| refused(url, &e))?,
        // A server's number is bounded before it meets a clock (i64::MAX would overflow it).
        expires_in: seconds(v.get("expires_in")).map_or(600, |s| s.clamp(1, MAX_DEVICE_EXPIRES_S)),
        // RFC 8628 §3.2: 5 s when the server does not say.
        interval: seconds(v.get("interval")).map_or(5, |i| i.clamp(1, 60).unsigned_abs()),
    })
}

/// A PKCE pair (RFC 7636): a 43-character verifier from 32 random bytes, and its S256
/// challenge.
pub struct Pkce {
    pub verifier: Zeroizing<String>,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Result<Pkce> {
        Ok(Pkce::from_verifier(random_token()?))
    }

    pub fn from_verifier(verifier: String) -> Pkce {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Pkce {
            verifier: Zeroizing::new(verifier),
            challenge,
        }
    }
}

/// 32 random bytes as base64url (43 characters): PKCE verifiers, `state`.
pub fn random_token() -> Result<String> {
    let mut b = Zeroizing::new([0u8; 32]);
    crate::crypto::fill_random(&mut b[..])?;
    Ok(URL_SAFE_NO_PAD.encode(&b[..]))
}

/// The authorization request URL (RFC 6749 §4.1.1 with PKCE and RFC 8707's resource).
pub fn authorize_url(
    endpoint: &str,
    cfg: &OAuthConfig,
    scopes: &[String],
    redirect_uri: &str,
    state: &str,
    pkce: &Pkce,
) -> Result<String> {
    // It is handed to the system's opener: a web page, and not a cleartext one.
    net::require_web_url("authorization_endpoint", endpoint)?;
    let mut u = net::require_https("authorization_endpoint", endpoint)?;
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &cfg.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        if !scopes.is_empty() {
            q.append_pair("scope", &scopes.join(" "));
        }
        if scopes.iter().any(|s| s == "offline_access") {
            // OpenID Connect §11: offline_access is granted only with prompt=consent.
            q.append_pair("prompt", "consent");
        }
        if let Some(a) = cfg.audience.as_deref().filter(|a| !a.is_empty()) {
            if url::Url::parse(a).is_ok() {
                q.append_pair("resource", a);
            }
            q.append_pair("audience", a);
        }
    }
    Ok(u.into())
}

/// The scopes of an interactive login: the item's, plus `offline_access` when the server
/// offers it (that is what gets a refresh token from an OpenID provider).
pub fn login_scopes(cfg: &OAuthConfig, endpoints: &Endpoints) -> Vec<String> {
    let mut s = cfg.scopes.clone();
    if endpoints
        .scopes_supported
        .iter()
        .any(|x| x == "offline_access")
        && !s.iter().any(|x| x == "offline_access")
    {
        s.push("offline_access".into());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_rfc7636_appendix_b() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let a = Pkce::new().expect("rng");
        let b = Pkce::new().expect("rng");
        assert_eq!(a.verifier.len(), 43);
        assert_ne!(a.verifier.as_str(), b.verifier.as_str());
    }

    #[test]
    fn discovery_urls_per_spec() {
        assert_eq!(
            discovery_urls("https://auth.example/realms/dev/").expect("url"),
            [
                "https://auth.example/realms/dev/.well-known/openid-configuration",
                "https://auth.example/.well-known/oauth-authorization-server/realms/dev",
            ]
        );
        assert!(discovery_urls("not a url").is_err());
    }

    #[test]
    fn device_numbers_from_a_server_are_bounded() {
        for (expires, interval, want) in [
            (
                serde_json::json!(i64::MAX),
                serde_json::json!(i64::MAX),
                (3600, 60),
            ),
            (serde_json::json!(1e300), serde_json::json!(-5), (3600, 1)),
            (
                serde_json::json!("-9223372036854775808"),
                serde_json::json!(0),
                (1, 1),
            ),
            (serde_json::json!(900), serde_json::json!(5), (900, 5)),
        ] {
            let v = serde_json::json!({"device_code": "dc", "user_code": "ABCD",
                "verification_uri": "https://as.example/device",
                "expires_in": expires, "interval": interval});
            let d = device_auth("https://as.example/device_authorization", &v).expect("device");
            assert_eq!((d.expires_in, d.interval), want);
        }
    }

    #[test]
    fn device_polling_with_a_huge_lifetime_does_not_overflow_the_clock() {
        let d = DeviceAuth {
            device_code: "dc".into(),
            user_code: "ABCD".into(),
            verification_uri: "https://as.example/device".into(),
            verification_uri_complete: None,
            expires_in: i64::MAX,
            interval: 1,
        };
        let eps = Endpoints {
            // Nothing listens on port 9: the first poll fails at once with a network error.
            token: "http://127.0.0.1:9/token".into(),
            ..Endpoints::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let http = reqwest::Client::new();
        let cfg = OAuthConfig::default();
        let got = rt.block_on(renew::device_poll(&http, &eps, &cfg, "", &d));
        assert_eq!(got.expect_err("refused").kind(), "network");
    }

    #[test]
    fn token_responses_as_servers_send_them() {
        let v: Value = serde_json::json!({"access_token": "at", "expires_in": "3600",
            "refresh_token": "", "refresh_expires_in": 0});
        let t = token_set("u", &v).expect("ok");
        assert_eq!(t.token_type, "Bearer");
        assert_eq!(t.expires_in, Some(3600));
        assert!(t.refresh_token.is_none() && t.refresh_expires_in.is_none());
        assert!(!format!("{t:?}").contains("at\""));
        let e = oauth_error(&serde_json::json!({"error": "invalid_client"})).expect("error");
        assert_eq!(e.kind(), "oauth");
        assert!(e.to_string().contains("client secret"), "{e}");
    }

    #[test]
    fn authorize_url_carries_pkce_and_consent_for_offline_access() {
        let cfg = OAuthConfig {
            client_id: "kw".into(),
            audience: Some("urn:api".into()),
            ..OAuthConfig::default()
        };
        let p = Pkce::from_verifier("v".repeat(43));
        let scopes = vec!["openid".to_owned(), "offline_access".to_owned()];
        let u = authorize_url(
            "https://as.example/auth",
            &cfg,
            &scopes,
            "http://127.0.0.1:5/callback",
            "st",
            &p,
        )
        .expect("url");
        let q: std::collections::HashMap<String, String> = url::Url::parse(&u)
            .expect("url")
            .query_pairs()
            .into_owned()
            .collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], p.challenge);
        assert_eq!(q["prompt"], "consent");
        assert_eq!(q["scope"], "openid offline_access");
        assert_eq!(q["resource"], "urn:api");
        assert!(
            !u.contains(p.verifier.as_str()),
            "the verifier never leaves"
        );
    }
}
