//! Test requests that explain themselves: send a request with a credential attached, read
//! the response (size-capped, timed), and say in one kind *why* it failed — expired token,
//! wrong key, missing scope, IP allow-list, rate limit, TLS, DNS, refused, timeout.
//!
//! The HTTP stack is reqwest's (rustls, certificates checked). Redirects are followed here,
//! one hop at a time, so that a credential is attached again only while the host stays the
//! same: reqwest's own policy strips `Authorization` but not an API key's custom header.

pub mod curl;
pub mod diagnose;
pub mod exchange;
pub mod history;
pub mod input;
pub mod template;

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use zeroize::Zeroizing;

pub use reqwest::Method;

pub use diagnose::{Diagnosis, DiagnosisKind, FixAction, diagnose_error, diagnose_response};

use crate::error::{Error, Result};

/// Most redirects followed before `too_many_redirects`.
pub const MAX_REDIRECTS: usize = 10;
/// Largest body kept from a response (the rest is read and dropped).
pub const MAX_BODY: usize = 2 << 20;

/// What is sent. `Debug` shows header names and the body's size only: a typed header or
/// body may hold a secret (a pasted cookie, a 2FA code once expanded).
#[derive(Clone)]
pub struct RequestSpec {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Headers whose value a `{{totp:NAME}}` placeholder filled: secrets, whatever their
    /// name (see [`secret_header`]).
    pub filled_headers: Vec<String>,
}

impl std::fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSpec")
            .field("method", &self.method)
            .field("url", &crate::net::redact_url(&self.url))
            .field("headers", &header_names(&self.headers))
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish_non_exhaustive()
    }
}

/// Header names only, for `Debug` (a value may be a secret).
pub(crate) fn header_names(headers: &[(String, String)]) -> Vec<&str> {
    headers.iter().map(|(k, _)| k.as_str()).collect()
}

/// An HTTP method as typed (any case, spaces around); empty is GET.
pub fn parse_method(given: &str) -> Result<reqwest::Method> {
    let given = given.trim();
    if given.is_empty() {
        return Ok(reqwest::Method::GET);
    }
    reqwest::Method::from_bytes(given.to_ascii_uppercase().as_bytes())
        .map_err(|_| Error::invalid("method", format!("{given:?} is not an HTTP method")))
}

impl RequestSpec {
    pub fn get(url: impl Into<String>) -> Self {
        RequestSpec {
            method: reqwest::Method::GET,
            url: url.into(),
            headers: Vec::new(),
            body: None,
            connect_timeout: crate::net::CONNECT_TIMEOUT,
            timeout: crate::net::TOTAL_TIMEOUT,
            filled_headers: Vec::new(),
        }
    }
}

/// A header that may carry a secret by its name: `Authorization`, `Proxy-Authorization`,
/// `Cookie`, and any name with key, token, secret, auth, session, password, signature,
/// credential or otp in it (`X-API-Key`, `X-Auth-Token`, `X-Session-Id`, ...). Such headers
/// go to the request's own origin only.
pub fn secret_header(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n == "cookie"
        || [
            "auth",
            "key",
            "token",
            "secret",
            "session",
            "password",
            "passwd",
            "signature",
            "credential",
            "otp",
        ]
        .iter()
        .any(|w| n.contains(w))
}

/// How the item's secret goes on the request. `Debug` shows where, never the value.
pub enum Attach {
    None,
    Header {
        name: String,
        value: Zeroizing<String>,
    },
    Query {
        name: String,
        value: Zeroizing<String>,
    },
    Bearer(Zeroizing<String>),
    Basic {
        user: String,
        password: Zeroizing<String>,
    },
}

impl std::fmt::Debug for Attach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Attach::None => f.write_str("Attach::None"),
            Attach::Header { name, .. } => write!(f, "Attach::Header({name})"),
            Attach::Query { name, .. } => write!(f, "Attach::Query({name})"),
            Attach::Bearer(_) => f.write_str("Attach::Bearer"),
            Attach::Basic { user, .. } => write!(f, "Attach::Basic({user})"),
        }
    }
}

/// What came back. `Debug` shows header names and the body's size: a server may echo the
/// credential back.
#[derive(Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body, at most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
    pub truncated: bool,
    /// The URL that answered (after redirects), without its query.
    pub final_url: String,
    pub remote_addr: Option<String>,
    pub redirects: usize,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &header_names(&self.headers))
            .field("body_bytes", &self.body.len())
            .field("truncated", &self.truncated)
            .field("final_url", &self.final_url)
            .field("remote_addr", &self.remote_addr)
            .field("redirects", &self.redirects)
            .finish()
    }
}

/// Timing of the whole exchange, redirects included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// From sending to the response head of the last hop.
    pub ttfb_ms: u64,
    pub total_ms: u64,
}

/// A request's result: a response (of any status) or a transport failure, diagnosed.
#[derive(Debug)]
pub struct Outcome {
    pub response: Option<Response>,
    pub diagnosis: Diagnosis,
    pub timing: Timing,
}

/// A client for test requests: the given timeouts, no automatic redirects. With `tls`
/// false it trusts no certificate at all and serves `http://` hops only: building it skips
/// loading the system's roots (about 150 files, 2 ms of a 10 ms request).
pub fn client(spec: &RequestSpec, tls: bool) -> Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(spec.connect_timeout)
        .timeout(spec.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("keywright/", env!("CARGO_PKG_VERSION")));
    if !tls {
        b = b.tls_certs_only([]);
    }
    b.build().map_err(|e| Error::Network {
        url: String::new(),
        reason: format!(
            "the HTTP client could not start: {}",
            crate::net::describe(&e)
        ),
    })
}

fn same_host(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Why a redirect from `cur` to `next` (of a request first sent to `first`) is not
/// followed, if it is not: a body goes to the request's own origin only (as curl does for
/// 307/308), and never over a downgrade from https to http.
fn refuse_redirect(
    cur: &url::Url,
    next: &url::Url,
    first: &url::Url,
    carries_body: bool,
) -> Option<&'static str> {
    if !carries_body {
        None
    } else if cur.scheme() == "https" && next.scheme() == "http" {
        Some("over unencrypted http")
    } else if !same_host(next, first) {
        Some("to another origin")
    } else {
        None
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Send `spec` with `attach`, follow redirects (credentials only to the first host), read
/// the body (capped), and diagnose. `token_expires_at` is what the vault knows of the
/// token's expiry, for telling an expired token from a wrong one.
pub async fn send(
    spec: &RequestSpec,
    attach: &Attach,
    token_expires_at: Option<i64>,
    now: i64,
) -> Result<Outcome> {
    // One client per kind of hop, made when first needed (redirects may change scheme).
    let mut plain: Option<reqwest::Client> = None;
    let mut tls: Option<reqwest::Client> = None;
    let first =
        url::Url::parse(&spec.url).map_err(|e| crate::net::url_error("URL", &spec.url, e))?;
    if !matches!(first.scheme(), "http" | "https") {
        return Err(Error::invalid(
            "URL",
            "Only http and https URLs can be requested. Start the URL with https://.",
        ));
    }
    let mut headers = HeaderMap::new();
    // What goes to another origin: the typed headers without those that may be secrets.
    let mut public = HeaderMap::new();
    let mut withheld: Vec<String> = Vec::new();
    for (k, v) in &spec.headers {
        let name = HeaderName::from_bytes(k.trim().as_bytes())
            .map_err(|_| Error::invalid("header", format!("{k:?} is not a header name")))?;
        let value = HeaderValue::from_str(v.trim()).map_err(|_| {
            Error::invalid(
                "header",
                format!("the value of {k} is not a valid header value"),
            )
        })?;
        let secret = secret_header(k)
            || spec
                .filled_headers
                .iter()
                .any(|f| f.trim().eq_ignore_ascii_case(k.trim()));
        if secret {
            withheld.push(k.trim().to_owned());
        } else {
            public.append(name.clone(), value.clone());
        }
        headers.append(name, value);
    }
    if !matches!(attach, Attach::None | Attach::Query { .. }) {
        withheld.push(match attach {
            Attach::Header { name, .. } => name.clone(),
            _ => "Authorization".to_owned(),
        });
    }
    if matches!(attach, Attach::Query { .. }) {
        withheld.push("the item's query parameter".to_owned());
    }
    // Said in the diagnosis: what was not sent where, and why.
    let mut notes: Vec<String> = Vec::new();
    let started = Instant::now();
    let mut url = first.clone();
    let mut method = spec.method.clone();
    let mut body = spec.body.clone();
    let mut redirects = 0;
    loop {
        let credentialed = same_host(&url, &first);
        let mut target = url.clone();
        if credentialed && let Attach::Query { name, value } = attach {
            target.query_pairs_mut().append_pair(name, value);
        }
        let slot = if url.scheme() == "https" {
            &mut tls
        } else {
            &mut plain
        };
        let http = match slot {
            Some(c) => c,
            None => slot.insert(client(spec, url.scheme() == "https")?),
        };
        let mut req = http
            .request(method.clone(), target.as_str())
            .headers(if credentialed {
                headers.clone()
            } else {
                public.clone()
            });
        if credentialed {
            req = match attach {
                Attach::Header { name, value } => req.header(name.as_str(), value.as_str()),
                Attach::Bearer(t) => req.bearer_auth(t.as_str()),
                Attach::Basic { user, password } => req.basic_auth(user, Some(password.as_str())),
                Attach::Query { .. } | Attach::None => req,
            };
        }
        if let Some(b) = &body {
            req = req.body(b.clone());
        }
        let sent = Instant::now();
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                let total = ms(started.elapsed());
                return Ok(Outcome {
                    response: None,
                    diagnosis: diagnose_error(&e, &url),
                    timing: Timing {
                        ttfb_ms: ms(sent.elapsed()),
                        total_ms: total,
                    },
                });
            }
        };
        let ttfb = ms(sent.elapsed());
        let status = resp.status();
        let mut stopped = None;
        if status.is_redirection()
            && let Some(loc) = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
            && let Ok(next) = url.join(loc)
            && matches!(next.scheme(), "http" | "https")
        {
            if redirects == MAX_REDIRECTS {
                return Ok(Outcome {
                    response: None,
                    diagnosis: Diagnosis::too_many_redirects(MAX_REDIRECTS),
                    timing: Timing {
                        ttfb_ms: ttfb,
                        total_ms: ms(started.elapsed()),
                    },
                });
            }
            // 303, and 301/302 after a POST, continue as GET without a body (RFC 9110 §15.4).
            let drops_body = status == reqwest::StatusCode::SEE_OTHER
                || (matches!(status.as_u16(), 301 | 302) && method == reqwest::Method::POST);
            let downgrade = url.scheme() == "https" && next.scheme() == "http";
            let leaves = !same_host(&next, &first);
            let carries_body = body.is_some() && !drops_body;
            if let Some(why) = refuse_redirect(&url, &next, &first, carries_body) {
                stopped = Some(format!(
                    "the {} redirect to {} was not followed: it would resend the request body \
                     {why}; send the request there yourself if you trust it",
                    status.as_u16(),
                    crate::net::redact_url(next.as_str()),
                ));
            } else {
                redirects += 1;
                if leaves && credentialed && !withheld.is_empty() {
                    notes.push(format!(
                        "a redirect went to another origin ({}): {} not sent there",
                        crate::net::redact_url(next.origin().ascii_serialization().as_str()),
                        withheld.join(", ")
                    ));
                }
                if downgrade && leaves {
                    notes.push(format!(
                        "a redirect went from https to http ({}): nothing secret was sent over it",
                        crate::net::redact_url(next.as_str())
                    ));
                }
                if drops_body {
                    method = reqwest::Method::GET;
                    body = None;
                }
                url = next;
                continue;
            }
        }
        let remote_addr = resp.remote_addr().map(|a| a.to_string());
        let resp_headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let (bytes, truncated) = read_capped(resp, MAX_BODY).await;
        let response = Response {
            status: status.as_u16(),
            headers: resp_headers,
            body: bytes,
            truncated,
            final_url: crate::net::redact_url(url.as_str()),
            remote_addr,
            redirects,
        };
        let mut diagnosis = match stopped {
            Some(why) => Diagnosis::redirect_not_followed(why),
            None => diagnose_response(&response, attach_kind(attach), token_expires_at, now),
        };
        for n in &notes {
            diagnosis.message.push_str(&format!(" (note: {n})"));
        }
        return Ok(Outcome {
            response: Some(response),
            diagnosis,
            timing: Timing {
                ttfb_ms: ttfb,
                total_ms: ms(started.elapsed()),
            },
        });
    }
}

/// What kind of credential was attached, for the diagnosis' words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachKind {
    None,
    Key,
    Token,
    Password,
}

fn attach_kind(a: &Attach) -> AttachKind {
    match a {
        Attach::None => AttachKind::None,
        Attach::Header { .. } | Attach::Query { .. } => AttachKind::Key,
        Attach::Bearer(_) => AttachKind::Token,
        Attach::Basic { .. } => AttachKind::Password,
    }
}

async fn read_capped(mut resp: reqwest::Response, limit: usize) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut truncated = false;
    while let Ok(Some(chunk)) = resp.chunk().await {
        if out.len() < limit {
            let room = limit - out.len();
            out.extend_from_slice(&chunk[..chunk.len().min(room)]);
            truncated |= chunk.len() > room;
        } else {
            truncated = true;
        }
    }
    (out, truncated)
}

/// The reason phrase of a status code (`Unauthorized` for 401), when it has one.
pub fn reason_phrase(status: u16) -> Option<&'static str> {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).expect("url")
    }

    #[test]
    fn a_body_follows_redirects_within_its_origin_only() {
        let first = u("https://api.example/v1");
        let same = u("https://api.example/v2");
        let other_port = u("https://api.example:8443/v1");
        let other_host = u("https://evil.example/v1");
        let cleartext = u("http://api.example/v1");
        assert_eq!(refuse_redirect(&first, &same, &first, true), None);
        assert_eq!(
            refuse_redirect(&first, &other_port, &first, true),
            Some("to another origin")
        );
        assert_eq!(
            refuse_redirect(&first, &other_host, &first, true),
            Some("to another origin")
        );
        assert_eq!(
            refuse_redirect(&first, &cleartext, &first, true),
            Some("over unencrypted http")
        );
        // Without a body (GET, or 303) the hop is followed; secrets are withheld by origin.
        for next in [&same, &other_port, &other_host, &cleartext] {
            assert_eq!(refuse_redirect(&first, next, &first, false), None);
        }
    }

    #[test]
    fn headers_that_may_carry_secrets() {
        for s in [
            "Authorization",
            "proxy-authorization",
            "Cookie",
            "X-API-Key",
            "X-Auth-Token",
            "X-Session-Id",
            "X-Client-Secret",
            "X-Amz-Security-Token",
            "X-Hub-Signature-256",
            "X-OTP",
            "Api-Key",
        ] {
            assert!(secret_header(s), "{s}");
        }
        for s in [
            "Accept",
            "Content-Type",
            "User-Agent",
            "X-Request-Id",
            "Idempotency-Id",
        ] {
            assert!(!secret_header(s), "{s}");
        }
    }
}
