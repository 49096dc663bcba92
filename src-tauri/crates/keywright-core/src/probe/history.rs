//! What a test request leaves behind: method, URL and headers with every secret redacted,
//! and the outcome. This is what the vault stores (sealed) and the history shows.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{Attach, DiagnosisKind, Outcome, RequestSpec};

/// One sent request, redacted.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: i64,
    pub method: String,
    pub url: String,
    /// Request headers as sent, secrets redacted (the attached credential included).
    pub headers: Vec<(String, String)>,
    pub body_bytes: usize,
    pub status: Option<u16>,
    pub diagnosis: DiagnosisKind,
    pub message: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total_ms: u64,
    pub renewed: bool,
    /// The header that carried the item's credential (`Authorization`, an API key's own),
    /// so that opening the entry again leaves it out: the item attaches it anew.
    #[serde(default)]
    pub credential_header: Option<String>,
    /// The query parameter that carried an API key, likewise.
    #[serde(default)]
    pub credential_query: Option<String>,
}

const REDACTED: &str = "[redacted]";

/// Headers whose values are secret whoever typed them.
fn secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization"
            | "proxy-authorization"
            | "cookie"
            | "x-api-key"
            | "api-key"
            | "apikey"
            | "x-auth-token"
    ) || n.contains("token")
        || n.contains("secret")
        || n.contains("password")
}

/// `eyJh…[redacted]` for long values (the prefix says what kind it was); all of a short one.
pub fn mask(value: &str) -> String {
    if value.chars().count() >= 16 {
        let head: String = value.chars().take(4).collect();
        format!("{head}…{REDACTED}")
    } else {
        REDACTED.to_owned()
    }
}

fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s, REDACTED);
    }
    out
}

/// The history entry of a request: `codes` are the 2FA codes put into it, redacted too.
pub fn entry(
    spec: &RequestSpec,
    attach: &Attach,
    codes: &[Zeroizing<String>],
    outcome: &Outcome,
    renewed: bool,
    at: i64,
) -> HistoryEntry {
    let attached: Option<&str> = match attach {
        Attach::None => None,
        Attach::Header { value, .. } | Attach::Query { value, .. } | Attach::Bearer(value) => {
            Some(value.as_str())
        }
        Attach::Basic { password, .. } => Some(password.as_str()),
    };
    let mut secrets: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    secrets.extend(attached);
    let mut url = match url::Url::parse(&spec.url) {
        Ok(mut u) => {
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .map(|(k, v)| {
                    let v = if secret_header(&k) || secrets.iter().any(|s| v.contains(s)) {
                        REDACTED.to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            if let Attach::Query { name, .. } = attach {
                let mut p = pairs;
                p.push((name.clone(), REDACTED.to_owned()));
                u.query_pairs_mut().clear().extend_pairs(p);
            } else if !pairs.is_empty() {
                u.query_pairs_mut().clear().extend_pairs(pairs);
            }
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => crate::net::redact_url(&spec.url),
    };
    url = scrub(&url, &secrets).replace("%5Bredacted%5D", REDACTED);
    let mut headers: Vec<(String, String)> = spec
        .headers
        .iter()
        .map(|(k, v)| {
            let v = if secret_header(k) {
                mask(v)
            } else {
                scrub(v, &secrets)
            };
            (k.clone(), v)
        })
        .collect();
    match attach {
        Attach::Header { name, value } => headers.push((name.clone(), mask(value))),
        Attach::Bearer(t) => headers.push(("Authorization".into(), format!("Bearer {}", mask(t)))),
        Attach::Basic { user, .. } => {
            headers.push(("Authorization".into(), format!("Basic [{user}:redacted]")))
        }
        Attach::Query { .. } | Attach::None => {}
    }
    HistoryEntry {
        at,
        method: spec.method.to_string(),
        url,
        headers,
        body_bytes: spec.body.as_ref().map_or(0, Vec::len),
        status: outcome.response.as_ref().map(|r| r.status),
        diagnosis: outcome.diagnosis.kind,
        message: scrub(&outcome.diagnosis.message, &secrets),
        total_ms: outcome.timing.total_ms,
        renewed,
        credential_header: match attach {
            Attach::Header { name, .. } => Some(name.clone()),
            Attach::Bearer(_) | Attach::Basic { .. } => Some("Authorization".into()),
            Attach::Query { .. } | Attach::None => None,
        },
        credential_query: match attach {
            Attach::Query { name, .. } => Some(name.clone()),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Diagnosis, Timing};
    use super::*;

    fn outcome() -> Outcome {
        Outcome {
            response: None,
            diagnosis: Diagnosis {
                kind: DiagnosisKind::Timeout,
                message: "x".into(),
                action: None,
                retry_after_s: None,
            },
            timing: Timing {
                ttfb_ms: 1,
                total_ms: 2,
            },
        }
    }

    #[test]
    fn every_secret_is_redacted() {
        let token = "eyJhbGciOiJSUzI1NiJ9.payload.signature";
        let mut spec = RequestSpec::get("https://api.example/v1?code=493817&x=1");
        spec.headers.push(("X-OTP".into(), "493817".into()));
        spec.headers
            .push(("Cookie".into(), "session=abcdef".into()));
        let codes = [Zeroizing::new("493817".to_owned())];
        let e = entry(
            &spec,
            &Attach::Bearer(Zeroizing::new(token.into())),
            &codes,
            &outcome(),
            false,
            0,
        );
        let json = serde_json::to_string(&e).expect("json");
        assert!(
            !json.contains(token) && !json.contains("493817") && !json.contains("abcdef"),
            "{json}"
        );
        assert!(json.contains("Bearer eyJh…[redacted]"), "{json}");
        assert!(
            e.url.contains("code=[redacted]") && e.url.contains("x=1"),
            "{}",
            e.url
        );

        let q = Attach::Query {
            name: "api_key".into(),
            value: Zeroizing::new("sk_live_querykey_123".into()),
        };
        let e = entry(
            &RequestSpec::get("https://api.example/v1"),
            &q,
            &[],
            &outcome(),
            false,
            0,
        );
        assert_eq!(e.url, "https://api.example/v1?api_key=[redacted]");
        let b = Attach::Basic {
            user: "ci".into(),
            password: Zeroizing::new("hunter2".into()),
        };
        let e = entry(
            &RequestSpec::get("https://u:pw@api.example/"),
            &b,
            &[],
            &outcome(),
            false,
            0,
        );
        let json = serde_json::to_string(&e).expect("json");
        assert!(
            !json.contains("hunter2") && !json.contains(":pw@"),
            "{json}"
        );
        assert!(json.contains("Basic [ci:redacted]"), "{json}");
    }
}
