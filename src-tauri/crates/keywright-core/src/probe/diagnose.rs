//! Why a request failed, in one kind, a sentence and a fix-it action.

use serde::{Deserialize, Serialize};

use super::{AttachKind, Response};

/// The outcome of a test request.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosisKind {
    Ok,
    ExpiredToken,
    InvalidCredentials,
    InsufficientScope,
    IpNotAllowed,
    RateLimited,
    ClientError,
    ServerError,
    TlsError,
    DnsError,
    ConnectionRefused,
    Timeout,
    TooManyRedirects,
    /// A redirect Keywright would not follow: it would resend the body to another origin,
    /// or over unencrypted http.
    RedirectRefused,
}

/// What to do about it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixAction {
    RenewAndRetry,
    WaitAndRetry,
    EditKey,
    CheckScopes,
    CheckAllowList,
    Retry,
}

/// One diagnosis.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub kind: DiagnosisKind,
    pub message: String,
    pub action: Option<FixAction>,
    /// For `rate_limited`: how long to wait, when the server said.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub retry_after_s: Option<u64>,
}

impl Diagnosis {
    fn new(kind: DiagnosisKind, message: impl Into<String>, action: Option<FixAction>) -> Self {
        Diagnosis {
            kind,
            message: crate::error::sentence(&message.into()),
            action,
            retry_after_s: None,
        }
    }

    /// A redirect Keywright refused to follow (a body to another origin, or over http).
    pub fn redirect_not_followed(why: String) -> Self {
        Self::new(DiagnosisKind::RedirectRefused, why, None)
    }

    pub fn too_many_redirects(n: usize) -> Self {
        Self::new(
            DiagnosisKind::TooManyRedirects,
            format!("more than {n} redirects: the server sends the request round in a loop"),
            None,
        )
    }

    pub fn is_ok(&self) -> bool {
        self.kind == DiagnosisKind::Ok
    }
}

fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A parameter of a `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3).
fn auth_param(challenge: &str, key: &str) -> Option<String> {
    let lower = challenge.to_ascii_lowercase();
    let at = lower.find(&format!("{key}="))?;
    // ASCII lower-casing keeps every byte where it was: `at` is a position in `challenge`.
    let rest = challenge.get(at.saturating_add(key.len()).saturating_add(1)..)?;
    let value = if let Some(q) = rest.strip_prefix('"') {
        q.split('"').next().unwrap_or("")
    } else {
        rest.split([',', ' ']).next().unwrap_or("")
    };
    Some(value.to_owned())
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3), else the `RateLimit` /
/// `X-RateLimit` reset header (seconds, or an epoch time when it is large).
pub fn retry_after(r: &Response, now: i64) -> Option<u64> {
    if let Some(v) = header(r, "retry-after") {
        let v = v.trim();
        if let Ok(s) = v.parse::<u64>() {
            return Some(s);
        }
        if let Ok(t) = httpdate_to_unix(v) {
            return Some(u64::try_from(t.saturating_sub(now).max(0)).unwrap_or(0));
        }
    }
    for name in ["ratelimit-reset", "x-ratelimit-reset", "x-rate-limit-reset"] {
        if let Some(n) = header(r, name).and_then(|v| v.trim().parse::<i64>().ok()) {
            // Large values are epoch seconds (GitHub), small ones a delay (the IETF draft).
            let wait = if n > 1_000_000_000 {
                n.saturating_sub(now)
            } else {
                n
            };
            return Some(u64::try_from(wait.max(0)).unwrap_or(0));
        }
    }
    None
}

fn httpdate_to_unix(s: &str) -> Result<i64, ()> {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(s, &fmt)
        .map(|t| t.assume_utc().unix_timestamp())
        .map_err(|_| ())
}

fn remaining_is_zero(r: &Response) -> bool {
    [
        "ratelimit-remaining",
        "x-ratelimit-remaining",
        "x-rate-limit-remaining",
    ]
    .iter()
    .any(|h| header(r, h).is_some_and(|v| v.trim() == "0"))
}

/// Words about IP allow-lists in a 403's body or headers.
fn speaks_of_ip(r: &Response) -> bool {
    let body = String::from_utf8_lossy(&r.body[..r.body.len().min(16 * 1024)]).to_ascii_lowercase();
    let hay = format!(
        "{body} {}",
        r.headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase()
    );
    [
        "ip address",
        "ip not allowed",
        "allowlist",
        "allow-list",
        "allow list",
        "whitelist",
        "ip restriction",
        "not in the allowed",
        "forbidden ip",
        "source ip",
    ]
    .iter()
    .any(|w| hay.contains(w))
        || hay
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "ip")
}

fn what(kind: AttachKind) -> &'static str {
    match kind {
        AttachKind::Key => "API key",
        AttachKind::Token => "token",
        AttachKind::Password => "user name or password",
        AttachKind::None => "credential",
    }
}

/// Diagnose a response that came back.
pub fn diagnose_response(
    r: &Response,
    attached: AttachKind,
    token_expires_at: Option<i64>,
    now: i64,
) -> Diagnosis {
    let s = r.status;
    let challenge = header(r, "www-authenticate").unwrap_or("");
    let bearer_error = auth_param(challenge, "error");
    let description = auth_param(challenge, "error_description").unwrap_or_default();
    if (200..400).contains(&s) && !(remaining_is_zero(r) && s == 429) {
        return Diagnosis::new(
            DiagnosisKind::Ok,
            format!("HTTP {s}: the request worked"),
            None,
        );
    }
    if s == 429 || (remaining_is_zero(r) && s >= 400) {
        let wait = retry_after(r, now);
        let mut d = Diagnosis::new(
            DiagnosisKind::RateLimited,
            match wait {
                Some(w) => format!("HTTP {s}: rate limited; the server asks to wait {w} s"),
                None => format!("HTTP {s}: rate limited; the server did not say for how long"),
            },
            Some(FixAction::WaitAndRetry),
        );
        d.retry_after_s = wait;
        return d;
    }
    if s == 401 || s == 403 {
        let expired_known = token_expires_at.is_some_and(|t| t <= now);
        let says_expired = bearer_error.as_deref() == Some("invalid_token")
            && description.to_ascii_lowercase().contains("expire");
        if bearer_error.as_deref() == Some("insufficient_scope") {
            let scope = auth_param(challenge, "scope");
            return Diagnosis::new(
                DiagnosisKind::InsufficientScope,
                match scope {
                    Some(sc) if !sc.is_empty() => format!(
                        "HTTP {s}: the token lacks the scope {sc:?}; ask for it when the token is issued"
                    ),
                    _ => format!("HTTP {s}: the token lacks a scope this endpoint needs"),
                },
                Some(FixAction::CheckScopes),
            );
        }
        if (s == 401 && expired_known) || says_expired {
            let when = token_expires_at
                .filter(|t| *t <= now)
                .map(|t| format!(" (it expired {})", crate::timefmt::relative(t, now)))
                .unwrap_or_default();
            return Diagnosis::new(
                DiagnosisKind::ExpiredToken,
                format!("HTTP {s}: the token has expired{when}; renew it and send again"),
                Some(FixAction::RenewAndRetry),
            );
        }
        if s == 403 && speaks_of_ip(r) {
            return Diagnosis::new(
                DiagnosisKind::IpNotAllowed,
                "HTTP 403: the server refuses this machine's IP address (an allow-list); add \
                 it, or send from an allowed network",
                Some(FixAction::CheckAllowList),
            );
        }
        let detail = if description.is_empty() {
            String::new()
        } else {
            format!(" ({description})")
        };
        return Diagnosis::new(
            DiagnosisKind::InvalidCredentials,
            if attached == AttachKind::None {
                format!("HTTP {s}: the server wants a credential and none was sent{detail}")
            } else {
                format!(
                    "HTTP {s}: the {} was refused{detail}; check it — was it rotated or revoked?",
                    what(attached)
                )
            },
            Some(FixAction::EditKey),
        );
    }
    if (400..500).contains(&s) {
        return Diagnosis::new(
            DiagnosisKind::ClientError,
            format!("HTTP {s}: the server refused the request itself (not the credential)"),
            None,
        );
    }
    Diagnosis::new(
        DiagnosisKind::ServerError,
        format!("HTTP {s}: the server failed; try again later"),
        Some(FixAction::Retry),
    )
}

/// Diagnose a request that got no response.
pub fn diagnose_error(e: &reqwest::Error, url: &url::Url) -> Diagnosis {
    let host = url.host_str().unwrap_or("the host").to_owned();
    // Only the causes: reqwest's own message carries the URL, query (an API key) included.
    let chain = crate::net::causes(e);
    let all = chain.join(": ");
    let lower = all.to_ascii_lowercase();
    let cause = chain
        .last()
        .cloned()
        .unwrap_or_else(|| "no further detail".to_owned());
    if e.is_timeout() {
        return Diagnosis::new(
            DiagnosisKind::Timeout,
            format!("{host} did not answer in time (timed out)"),
            Some(FixAction::Retry),
        );
    }
    if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
        || lower.contains("no address")
    {
        return Diagnosis::new(
            DiagnosisKind::DnsError,
            format!(
                "The name {host} could not be found. Check the host name in the URL, or your \
                 network connection"
            ),
            None,
        );
    }
    if lower.contains("connection refused") {
        return Diagnosis::new(
            DiagnosisKind::ConnectionRefused,
            format!(
                "{host} refused the connection: nothing listens on port {}",
                url.port_or_known_default().unwrap_or(0)
            ),
            Some(FixAction::Retry),
        );
    }
    if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("unknownissuer")
    {
        return Diagnosis::new(
            DiagnosisKind::TlsError,
            format!("the TLS connection to {host} failed: {cause}"),
            None,
        );
    }
    Diagnosis::new(
        DiagnosisKind::ServerError,
        format!("the request to {host} failed: {all}"),
        Some(FixAction::Retry),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
            final_url: "https://api.example/x".into(),
            remote_addr: None,
            redirects: 0,
        }
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn statuses_and_challenges() {
        let d =
            |r: Response, exp: Option<i64>| diagnose_response(&r, AttachKind::Token, exp, NOW).kind;
        assert_eq!(d(resp(200, &[], ""), None), DiagnosisKind::Ok);
        assert_eq!(
            d(resp(401, &[], ""), Some(NOW - 10)),
            DiagnosisKind::ExpiredToken
        );
        assert_eq!(
            d(resp(401, &[], ""), Some(NOW + 10)),
            DiagnosisKind::InvalidCredentials
        );
        assert_eq!(
            d(
                resp(
                    401,
                    &[(
                        "WWW-Authenticate",
                        r#"Bearer error="invalid_token", error_description="The access token expired""#
                    )],
                    ""
                ),
                None
            ),
            DiagnosisKind::ExpiredToken
        );
        let scope = diagnose_response(
            &resp(
                403,
                &[(
                    "www-authenticate",
                    r#"Bearer error="insufficient_scope", scope="admin""#,
                )],
                "",
            ),
            AttachKind::Token,
            None,
            NOW,
        );
        assert_eq!(scope.kind, DiagnosisKind::InsufficientScope);
        assert!(scope.message.contains("\"admin\""), "{}", scope.message);
        assert_eq!(
            d(
                resp(
                    403,
                    &[],
                    r#"{"message":"Your IP address 1.2.3.4 is not in the allow-list"}"#
                ),
                None
            ),
            DiagnosisKind::IpNotAllowed
        );
        assert_eq!(
            d(resp(403, &[], "forbidden"), None),
            DiagnosisKind::InvalidCredentials
        );
        assert_eq!(d(resp(404, &[], ""), None), DiagnosisKind::ClientError);
        assert_eq!(d(resp(502, &[], ""), None), DiagnosisKind::ServerError);
    }

    #[test]
    fn rate_limits_and_their_waits() {
        let rl =
            |h: &[(&str, &str)]| diagnose_response(&resp(429, h, ""), AttachKind::Key, None, NOW);
        assert_eq!(rl(&[("Retry-After", "7")]).retry_after_s, Some(7));
        let date = "Fri, 15 Jan 2027 08:00:30 GMT";
        let at = httpdate_to_unix(date).expect("date");
        let d = diagnose_response(
            &resp(429, &[("Retry-After", date)], ""),
            AttachKind::Key,
            None,
            at - 30,
        );
        assert_eq!(d.retry_after_s, Some(30));
        assert_eq!(rl(&[("RateLimit-Reset", "12")]).retry_after_s, Some(12));
        assert_eq!(
            rl(&[("X-RateLimit-Reset", &(NOW + 40).to_string())]).retry_after_s,
            Some(40)
        );
        let none = rl(&[]);
        assert_eq!(
            (none.kind, none.action, none.retry_after_s),
            (
                DiagnosisKind::RateLimited,
                Some(FixAction::WaitAndRetry),
                None
            )
        );
        // An exhausted quota on a 403 is a rate limit too.
        let q = diagnose_response(
            &resp(
                403,
                &[("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "5")],
                "",
            ),
            AttachKind::Key,
            None,
            NOW,
        );
        assert_eq!(
            (q.kind, q.retry_after_s),
            (DiagnosisKind::RateLimited, Some(5))
        );
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn response(headers: Vec<(String, String)>, status: u16, body: String) -> Response {
            Response {
                status,
                headers,
                body: body.into_bytes(),
                truncated: false,
                final_url: "http://x/".into(),
                remote_addr: None,
                redirects: 0,
            }
        }

        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<i64>().prop_map(|n| n.to_string()),
                any::<u64>().prop_map(|n| n.to_string()),
                Just("18446744073709551616".to_owned()),
                Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
                Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
                Just("Bearer error=\"insufficient_scope\", scope=\"é".to_owned()),
                Just("Bearer scope=".to_owned()),
                "\\PC{0,40}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

            /// Retry-After, RateLimit and WWW-Authenticate as any server may send them, at
            /// any clock: a number of seconds or none, never a panic or an overflow.
            #[test]
            fn any_rate_limit_headers(
                names in proptest::collection::vec(prop_oneof![
                    Just("Retry-After"), Just("RateLimit-Reset"), Just("X-RateLimit-Reset"),
                    Just("X-Rate-Limit-Reset"), Just("RateLimit-Remaining"),
                    Just("X-RateLimit-Remaining"), Just("WWW-Authenticate"),
                ], 0..4),
                values in proptest::collection::vec(value(), 4),
                status in prop_oneof![Just(401u16), Just(403), Just(429), Just(503), 100u16..600],
                now in any::<i64>(),
                body in "\\PC{0,40}",
            ) {
                let headers: Vec<(String, String)> = names
                    .iter()
                    .zip(values.iter())
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect();
                let r = response(headers, status, body);
                let _ = retry_after(&r, now);
                for kind in [AttachKind::None, AttachKind::Key, AttachKind::Token, AttachKind::Password] {
                    for exp in [None, Some(i64::MIN), Some(i64::MAX), Some(now)] {
                        let d = diagnose_response(&r, kind, exp, now);
                        prop_assert!(!d.message.is_empty());
                    }
                }
            }
        }
    }
}
