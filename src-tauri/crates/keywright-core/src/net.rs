//! The one HTTP client (reqwest 0.13 over rustls, certificates checked) and plain-words
//! descriptions of what went wrong on the wire.

use std::error::Error as _;
use std::time::Duration;

use crate::error::{Error, Result};

/// Connect timeout for every request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Whole-request timeout for every request.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest body read from an authorization server (discovery, JWKS, token responses).
pub const MAX_AUTH_BODY: usize = 1 << 20;

/// The client Keywright talks to authorization servers with: timeouts on, no redirects
/// (a token endpoint that redirects is misconfigured, and following it would resend the
/// client's credentials), a user agent that says who we are.
pub fn auth_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TOTAL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("keywright/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Network {
            url: String::new(),
            reason: format!("the HTTP client could not start: {}", describe(&e)),
        })
}

/// The authorization-server client, made on first use: a call that finds a valid stored
/// token never pays for the TLS setup.
#[derive(Default)]
pub struct LazyClient(std::sync::OnceLock<reqwest::Client>);

impl LazyClient {
    pub fn get(&self) -> Result<&reqwest::Client> {
        if let Some(c) = self.0.get() {
            return Ok(c);
        }
        let c = auth_client()?;
        Ok(self.0.get_or_init(|| c))
    }
}

impl From<reqwest::Client> for LazyClient {
    fn from(c: reqwest::Client) -> Self {
        let l = LazyClient::default();
        let _ = l.0.set(c);
        l
    }
}

/// A reqwest error in plain words, with its underlying cause (DNS, refused, TLS, timeout).
/// Never includes a request body; the URL is the caller's to add.
pub fn describe(e: &reqwest::Error) -> String {
    let mut causes = Vec::new();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !t.is_empty() && !causes.contains(&t) {
            causes.push(t);
        }
        src = s.source();
    }
    let chain = causes.join(": ");
    let lower = chain.to_ascii_lowercase();
    let what = if e.is_timeout() {
        "timed out".to_owned()
    } else if lower.contains("dns error") || lower.contains("failed to lookup") {
        "the host name could not be resolved (DNS)".to_owned()
    } else if lower.contains("connection refused") {
        "the connection was refused (nothing listens on that port)".to_owned()
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        "the TLS connection failed".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else if e.is_decode() || e.is_body() {
        "the response could not be read".to_owned()
    } else {
        "the request failed".to_owned()
    };
    if chain.is_empty() {
        what
    } else {
        format!("{what} ({chain})")
    }
}

/// The error for a failed request to `url`.
pub fn network_error(url: &str, e: &reqwest::Error) -> Error {
    Error::Network {
        url: redact_url(url),
        reason: describe(e),
    }
}

/// A URL as it may be shown: without its query string and user info (either can carry a
/// code, a key or a password).
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let had_query = u.query().is_some();
            u.set_query(None);
            u.set_fragment(None);
            let _ = u.set_username("");
            let _ = u.set_password(None);
            let mut s = u.to_string();
            if had_query {
                s.push_str("?…");
            }
            s
        }
        Err(_) => "(an invalid URL)".to_owned(),
    }
}

/// Read at most `limit` bytes of a response body.
pub async fn read_limited(url: &str, mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| network_error(url, &e))? {
        if out.len() + chunk.len() > limit {
            return Err(Error::Network {
                url: redact_url(url),
                reason: format!("the response is larger than {} KiB", limit / 1024),
            });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_shown_without_query_or_password() {
        assert_eq!(
            redact_url("https://u:pw@api.example/v1/x?api_key=sk_live_1#frag"),
            "https://api.example/v1/x?…"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:8080/token"),
            "http://127.0.0.1:8080/token"
        );
        assert_eq!(redact_url("not a url"), "(an invalid URL)");
    }
}
