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
    let chain = causes(e).join(": ");
    let lower = chain.to_ascii_lowercase();
    // A known cause is said in words alone: the library's chain would only repeat it.
    if e.is_timeout() {
        return "timed out; check the address, or try again later".to_owned();
    }
    if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        return "the host name could not be found (DNS); check the address and your network"
            .to_owned();
    }
    if lower.contains("connection refused") {
        return "the connection was refused (nothing listens on that port)".to_owned();
    }
    let what =
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
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

/// The causes under a reqwest error, outermost first, each said once: a layer that
/// repeats the one beneath it (`dns error: failed to lookup address information: …` over
/// `failed to lookup address information: …`) keeps only its own words. The error itself
/// is left out: its message carries the URL, query (an API key) included.
pub fn causes(e: &reqwest::Error) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let mut src = e.source();
    while let Some(s) = src {
        all.push(s.to_string());
        src = s.source();
    }
    dedupe_chain(all)
}

/// See [`causes`]: each message loses a tail that is the next one's message, and empty or
/// repeated messages go.
pub fn dedupe_chain(all: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, t) in all.iter().enumerate() {
        let mut own = t.trim().to_owned();
        if let Some(next) = all.get(i + 1) {
            let next = next.trim();
            if !next.is_empty()
                && own != next
                && let Some(head) = own.strip_suffix(next)
            {
                own = head.trim_end_matches([':', ' ', '(']).to_owned();
            }
        }
        if own.is_empty() || out.iter().any(|o| o.contains(own.as_str())) {
            continue;
        }
        out.push(own);
    }
    out
}

/// A URL the user typed, as an error may quote it: without a query, a fragment or user
/// info (any of them can carry a key or a password), and cut at 80 characters.
pub fn shown_url(s: &str) -> String {
    let s = s.trim();
    let s = s.split(['?', '#']).next().unwrap_or_default();
    let s = match s.split_once("://") {
        Some((scheme, rest)) => {
            let (auth, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = auth.rsplit('@').next().unwrap_or(auth);
            format!("{scheme}://{host}{path}")
        }
        None => match s.split_once('@') {
            Some((_, rest)) if !s.starts_with('/') => rest.to_owned(),
            _ => s.to_owned(),
        },
    };
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(79).collect::<String>())
    } else {
        s
    }
}

/// Whether text reads as a web address (`api.example.com/v1`, `https://localhost:8080`):
/// then an error may quote it. Anything else may be a secret pasted in the wrong field.
fn looks_like_address(shown: &str) -> bool {
    if shown.is_empty() || shown.chars().any(char::is_whitespace) {
        return false;
    }
    let rest = shown.split_once("://").map_or(shown, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    if host.is_empty() {
        // `https://` alone, `https://:80`: the scheme is all there is to quote.
        return shown.contains("://");
    }
    host.eq_ignore_ascii_case("localhost")
        || host.starts_with('[')
        || (host.contains('.')
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
}

/// The error for a URL the parser refused, in words: what is wrong and what to do.
pub fn url_error(field: &str, input: &str, e: url::ParseError) -> Error {
    let shown = shown_url(input);
    // The field named in words unless it is the URL itself: `Issuer "login" is not …`.
    let label = if field.eq_ignore_ascii_case("url") {
        String::new()
    } else {
        let words = field.replace('_', " ");
        let words = words
            .split(' ')
            .map(|w| if w == "url" { "URL" } else { w })
            .collect::<Vec<_>>()
            .join(" ");
        format!("{} ", crate::error::sentence(&words))
    };
    if !looks_like_address(&shown) {
        // Not an address at all (a key pasted in the wrong field?): not repeated.
        let what = match label.trim() {
            "" => "The URL".to_owned(),
            l => l.to_owned(),
        };
        return Error::invalid(
            field,
            format!(
                "{what} does not look like a web address. Enter it like https://api.example.com/v1."
            ),
        );
    }
    let quoted = format!("{label}{shown:?}");
    let reason = match e {
        url::ParseError::RelativeUrlWithoutBase => {
            format!("{quoted} is not a full URL. Start it with https://.")
        }
        url::ParseError::EmptyHost => format!("{quoted} has no host name after https://."),
        url::ParseError::InvalidPort => {
            format!("{quoted} has a port that is not a number from 1 to 65535.")
        }
        url::ParseError::InvalidIpv4Address | url::ParseError::InvalidIpv6Address => {
            format!("{quoted} has an IP address that cannot be read.")
        }
        url::ParseError::InvalidDomainCharacter | url::ParseError::IdnaError => {
            format!("{quoted} has a character a host name cannot hold (a space?).")
        }
        _ => format!("{quoted} is not a URL. Enter it like https://api.example.com/v1."),
    };
    Error::invalid(field, reason)
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
        // `authorization: Bearer …` parses as a URL of scheme `authorization`: a URL with
        // no host shows its scheme only (its path may be a pasted secret).
        Ok(u) if u.cannot_be_a_base() || u.host_str().is_none() => {
            format!("({}: URL without a host)", u.scheme())
        }
        Ok(mut u) => {
            let had_query = u.query().is_some();
            u.set_query(None);
            u.set_fragment(None);
            if u.set_username("").is_err()
                || u.set_password(None).is_err()
                || !u.username().is_empty()
            {
                return format!("({}: URL)", u.scheme());
            }
            let mut s = u.to_string();
            if had_query {
                s.push_str("?…");
            }
            s
        }
        Err(_) => "(an invalid URL)".to_owned(),
    }
}

/// Is the URL's host this machine: `localhost`, an address in 127.0.0.0/8, or `::1`?
pub fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    }
}

/// What the https rule says when a URL breaks it.
pub const HTTPS_RULE: &str =
    "must use https (http is allowed only for loopback hosts such as 127.0.0.1)";

/// A URL that client secrets, tokens or keys travel to (an issuer, a token or device
/// endpoint, a JWKS URL): https, or http to a loopback host only. Errors name `field` and
/// never quote the URL's query or user info.
pub fn require_https(field: &str, url: &str) -> Result<url::Url> {
    let url = url.trim();
    let u = url::Url::parse(url).map_err(|e| url_error(field, url, e))?;
    match u.scheme() {
        "https" if u.host().is_some() => Ok(u),
        "http" if is_loopback(&u) => Ok(u),
        "http" => Err(Error::invalid(field, HTTPS_RULE)),
        s => Err(Error::invalid(
            field,
            format!("must be an https URL, not {s}:"),
        )),
    }
}

/// A URL handed to the system's opener (a browser login, a device verification page):
/// http or https only. `file:`, `javascript:` or a custom handler would run something
/// other than a browser page.
pub fn require_web_url(field: &str, url: &str) -> Result<url::Url> {
    let u = url::Url::parse(url.trim()).map_err(|e| url_error(field, url, e))?;
    if matches!(u.scheme(), "http" | "https") && u.host().is_some() {
        Ok(u)
    } else {
        Err(Error::invalid(
            field,
            format!(
                "only http and https URLs are opened in the browser, not {}:",
                u.scheme()
            ),
        ))
    }
}

/// Read at most `limit` bytes of a response body.
pub async fn read_limited(url: &str, mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| network_error(url, &e))? {
        if out.len().saturating_add(chunk.len()) > limit {
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
    fn the_https_rule() {
        for ok in [
            "https://auth.example/realms/dev",
            "http://127.0.0.1:8080/token",
            "http://127.8.9.10/token",
            "http://localhost:3000/",
            "http://LOCALHOST./x",
            "http://[::1]:9000/token",
        ] {
            assert!(require_https("token_url", ok).is_ok(), "{ok}");
        }
        let e = require_https("token_url", "http://auth.example/token").expect_err("cleartext");
        assert_eq!(e.kind(), "invalid_input");
        assert_eq!(
            e.to_string(),
            "Invalid token_url: must use https (http is allowed only for loopback hosts such as 127.0.0.1)"
        );
        for bad in [
            "http://127.0.0.1.evil.example/",
            "http://localhost.evil.example/",
            "http://10.0.0.1/",
            "http://[::2]/",
            "http://0.0.0.0/",
        ] {
            assert!(require_https("issuer", bad).is_err(), "{bad}");
        }
        let e = require_https("issuer", "file:///etc/passwd").expect_err("file");
        assert!(e.to_string().contains("not file:"), "{e}");
        let e = require_https("issuer", "ftp://u:sk_live_pw@x/?k=sk_live_q").expect_err("ftp");
        assert!(!e.to_string().contains("sk_live"), "{e}");
        let e = require_https("issuer", "not a url sk_live_x").expect_err("garbage");
        assert!(!e.to_string().contains("sk_live"), "{e}");
    }

    #[test]
    fn only_web_urls_are_opened() {
        assert!(require_web_url("authorization_endpoint", "https://as.example/auth?x=1").is_ok());
        assert!(require_web_url("verification_uri", "http://127.0.0.1:3000/device").is_ok());
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "vscode://open?x",
            "smb://host/share",
            "data:text/html,hi",
        ] {
            let e = require_web_url("authorization_endpoint", bad).expect_err(bad);
            assert!(
                e.to_string()
                    .starts_with("Invalid authorization_endpoint: only http and https"),
                "{e}"
            );
        }
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

            /// Any text: accepted only as https or loopback http; refused with the field
            /// named and without the URL's query or password.
            #[test]
            fn any_text(
                scheme in prop_oneof![Just("https".to_owned()), Just("http".to_owned()), Just("file".to_owned()), Just("ftp".to_owned()), "[a-z]{1,6}"],
                host in prop_oneof![Just("127.0.0.1".to_owned()), Just("localhost".to_owned()), Just("[::1]".to_owned()), "[a-z0-9.é-]{0,12}"],
                rest in "\\PC{0,16}",
            ) {
                let url = format!("{scheme}://u:sk_live_PW@{host}/{rest}?k=sk_live_Q");
                match require_https("issuer", &url) {
                    Ok(u) => {
                        prop_assert!(u.scheme() == "https" || (u.scheme() == "http" && is_loopback(&u)));
                    }
                    Err(e) => {
                        let m = e.to_string();
                        prop_assert!(
                            m.starts_with("Invalid issuer: ") || m.starts_with("Issuer "),
                            "{}",
                            m
                        );
                        prop_assert!(!m.contains("sk_live"), "{}", m);
                    }
                }
                if let Err(e) = require_web_url("verification_uri", &url) {
                    prop_assert!(!e.to_string().contains("sk_live"), "{}", e);
                }
                let shown = redact_url(&url);
                prop_assert!(!shown.contains("sk_live"), "{}", shown);
            }
        }
    }

    #[test]
    fn url_errors_quote_the_input_and_say_what_to_do() {
        let e = validate_url_for_test("url", "api.example.com/v1");
        assert_eq!(
            e,
            "\"api.example.com/v1\" is not a full URL. Start it with https://."
        );
        let e = validate_url_for_test("issuer", "login.example.com");
        assert_eq!(
            e,
            "Issuer \"login.example.com\" is not a full URL. Start it with https://."
        );
        let e = validate_url_for_test("token_url", "https://");
        assert!(e.starts_with("Token URL "), "{e}");
        // Never a key or a password the URL carries.
        let e = validate_url_for_test("url", "me@api.example.com/v1?api_key=sk_live_X");
        assert_eq!(
            e,
            "\"api.example.com/v1\" is not a full URL. Start it with https://."
        );
        // Text that is no address at all (a key pasted in the wrong field) is not repeated.
        let e = validate_url_for_test("url", "sk_live_X");
        assert_eq!(
            e,
            "The URL does not look like a web address. Enter it like https://api.example.com/v1."
        );
        let e = validate_url_for_test("issuer", "not a url sk_live_x");
        assert_eq!(
            e,
            "Issuer does not look like a web address. Enter it like https://api.example.com/v1."
        );
    }

    fn validate_url_for_test(field: &str, s: &str) -> String {
        match url::Url::parse(s) {
            Ok(_) => String::new(),
            Err(e) => url_error(field, s, e).to_string(),
        }
    }

    #[test]
    fn a_cause_repeated_down_the_chain_is_said_once() {
        let chain = dedupe_chain(vec![
            "client error (Connect)".into(),
            "dns error: failed to lookup address information: Name or service not known".into(),
            "failed to lookup address information: Name or service not known".into(),
        ]);
        assert_eq!(
            chain.join(": "),
            "client error (Connect): dns error: failed to lookup address information: Name or \
             service not known"
        );
        assert_eq!(
            dedupe_chain(vec!["a: b".into(), "b".into(), "b".into(), String::new()]),
            vec!["a".to_owned(), "b".to_owned()]
        );
    }

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
        assert_eq!(
            redact_url("authorization: Bearer sk_live_pasted"),
            "(authorization: URL without a host)"
        );
    }
}
