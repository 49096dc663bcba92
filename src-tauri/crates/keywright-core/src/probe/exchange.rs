//! One test request with an item's credential, as the CLI and the app send it: `{{totp:}}`
//! expanded, the credential attached (an OAuth token renewed first when it is due), sent,
//! renewed and sent once more when the server says the token expired, and recorded in the
//! item's history with every secret redacted.
//!
//! The vault is reached through [`VaultAccess`], so the app's session lock is held for each
//! vault step only, never while the request is on the wire.

use zeroize::Zeroizing;

use super::history::{self, HistoryEntry};
use super::{Attach, DiagnosisKind, Outcome, RequestSpec};
use crate::credential::{Kind, Placement};
use crate::error::{Error, Result};
use crate::oauth::renew::{self, Mode, VaultAccess};
use crate::timefmt;
use crate::vault::Item;

/// What a test request did. `Debug` leaves out the secrets it redacts with.
pub struct Exchange {
    pub outcome: Outcome,
    /// The OAuth token was renewed for this request (before it, or after a 401).
    pub renewed: bool,
    /// How, when it was: `refresh_token`, `client_credentials`, …
    pub grant: Option<&'static str>,
    /// What the history keeps of it.
    pub entry: HistoryEntry,
    /// The item's name, for the words around the result.
    pub item_name: String,
    /// The credential and 2FA codes that went out (to take them out of echoes).
    secrets: Vec<Zeroizing<String>>,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("outcome", &self.outcome)
            .field("renewed", &self.renewed)
            .field("grant", &self.grant)
            .field("entry", &self.entry)
            .field("item_name", &self.item_name)
            .finish_non_exhaustive()
    }
}

/// Where the item's secret goes on a request, and what the vault knows of its expiry.
pub struct Attached {
    pub attach: Attach,
    pub expires_at: Option<i64>,
    pub renewed: bool,
    pub grant: Option<&'static str>,
}

/// The credential of `item` as it goes on a request. A 2FA item has none.
pub async fn attach_via(
    v: &impl VaultAccess,
    http: &crate::net::LazyClient,
    item: &Item,
    mode: Mode,
) -> Result<Attached> {
    let ov = &item.overview;
    if ov.kind == Kind::Oauth2 {
        let t = renew::access_token_via(v, http, &item.id, mode).await?;
        return Ok(Attached {
            attach: Attach::Bearer(t.access_token),
            expires_at: t.expires_at,
            renewed: t.renewed,
            grant: t.grant,
        });
    }
    let value = v.with(|v| Ok(Zeroizing::new(v.open_secret(&item.id)?.value.clone())))?;
    let attach = match ov.kind {
        Kind::ApiKey => match ov.placement.clone().unwrap_or_default() {
            Placement::Header { name } => Attach::Header { name, value },
            Placement::Query { name } => Attach::Query { name, value },
            Placement::Bearer => Attach::Bearer(value),
        },
        Kind::Bearer => Attach::Bearer(value),
        Kind::Basic => Attach::Basic {
            user: ov.username.clone().unwrap_or_default(),
            password: value,
        },
        _ => {
            return Err(Error::invalid(
                "item",
                format!(
                    "{:?} is a 2FA item; its code is not a request credential \
                     (put {{{{totp:{}}}}} in a header or the body instead)",
                    ov.name, ov.name
                ),
            ));
        }
    };
    Ok(Attached {
        attach,
        expires_at: ov.token_expires_at,
        renewed: false,
        grant: None,
    })
}

/// The values a server may echo back that must not be shown: the attached secret (and a
/// basic password's `Authorization` form) and the 2FA codes.
fn secrets_of(attach: &Attach, codes: Vec<Zeroizing<String>>) -> Vec<Zeroizing<String>> {
    use base64::Engine as _;
    let mut out = codes;
    match attach {
        Attach::None => {}
        Attach::Header { value, .. } | Attach::Query { value, .. } | Attach::Bearer(value) => {
            out.push(value.clone());
            // As a query parameter the server sees it percent-encoded.
            let enc: String =
                url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
            if enc != **value {
                out.push(Zeroizing::new(enc));
            }
        }
        Attach::Basic { user, password } => {
            out.push(password.clone());
            out.push(Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", password.as_str())),
            ));
        }
    }
    out.retain(|s| s.len() >= 4);
    // Longest first, so a value that contains another is replaced whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

/// Send `spec` with item `name_or_id`'s credential; with `retry`, an OAuth token the server
/// calls expired is renewed and the request sent once more. Recorded in the history.
pub async fn exchange_via(
    v: &impl VaultAccess,
    http: &crate::net::LazyClient,
    name_or_id: &str,
    spec: RequestSpec,
    retry: bool,
) -> Result<Exchange> {
    exchange_until(v, http, name_or_id, spec, retry, None).await
}

/// The request, or a `network` error "the request was cancelled" when `cancel` is notified
/// first.
async fn or_cancelled<T>(
    url: &str,
    fut: impl std::future::Future<Output = Result<T>>,
    cancel: Option<&tokio::sync::Notify>,
) -> Result<T> {
    let Some(n) = cancel else {
        return fut.await;
    };
    tokio::select! {
        r = fut => r,
        () = n.notified() => Err(Error::Network {
            url: crate::net::redact_url(url),
            reason: "the request was cancelled".into(),
        }),
    }
}

/// [`exchange_via`] that ends early when `cancel` is notified (a cancel button, a lock).
/// Only the test request itself is cut short: a token renewal on the way runs to its end
/// and stores what the server answered (a rotated refresh token would be lost otherwise).
pub async fn exchange_until(
    v: &impl VaultAccess,
    http: &crate::net::LazyClient,
    name_or_id: &str,
    mut spec: RequestSpec,
    retry: bool,
    cancel: Option<&tokio::sync::Notify>,
) -> Result<Exchange> {
    let item = v.with(|v| v.find(name_or_id))?;
    let codes = v.with(|v| {
        let mut used: Vec<String> = Vec::new();
        let codes = super::template::expand_totp(&mut spec, |name| {
            let totp = v.find(name)?;
            let code = v.totp(&totp.id, timefmt::now())?;
            if !used.contains(&totp.id) {
                used.push(totp.id);
            }
            Ok(code.code)
        })?;
        // A code that leaves the vault is recorded on its 2FA item, as a copy is.
        let detail = format!("code (test request with {})", item.overview.name);
        for id in &used {
            v.record_use(id, &detail)?;
        }
        Ok(codes)
    })?;
    let mut a = attach_via(v, http, &item, Mode::IfNeeded).await?;
    let url = spec.url.clone();
    let mut outcome = or_cancelled(
        &url,
        super::send(&spec, &a.attach, a.expires_at, timefmt::now()),
        cancel,
    )
    .await?;
    let mut renewed = a.renewed;
    let mut grant = a.grant;
    let again = retry
        && item.overview.kind == Kind::Oauth2
        && (outcome.diagnosis.kind == DiagnosisKind::ExpiredToken
            || outcome.response.as_ref().is_some_and(|r| r.status == 401));
    if again {
        a = attach_via(v, http, &item, Mode::Force).await?;
        outcome = or_cancelled(
            &url,
            super::send(&spec, &a.attach, a.expires_at, timefmt::now()),
            cancel,
        )
        .await?;
        renewed = true;
        grant = a.grant.or(grant);
    }
    let entry = history::entry(&spec, &a.attach, &codes, &outcome, renewed, timefmt::now());
    v.with(|v| v.record_request(&item.id, &entry))?;
    Ok(Exchange {
        outcome,
        renewed,
        grant,
        entry,
        item_name: item.overview.name,
        secrets: secrets_of(&a.attach, codes),
    })
}

impl Exchange {
    /// Replace every echo of the credential or a 2FA code in the response (a server such as
    /// httpbin's `/headers` sends the request back) with `[redacted]`; how many were found.
    pub fn redact_echoes(&mut self) -> usize {
        let Some(r) = self.outcome.response.as_mut() else {
            return 0;
        };
        let mut n = 0;
        let mut scrub = |text: &mut String| {
            for s in &self.secrets {
                let c = text.matches(s.as_str()).count();
                if c > 0 {
                    n += c;
                    *text = text.replace(s.as_str(), "[redacted]");
                }
            }
        };
        for (_, value) in &mut r.headers {
            scrub(value);
        }
        let body_has = self
            .secrets
            .iter()
            .any(|s| r.body.windows(s.len()).any(|w| w == s.as_bytes()));
        if body_has {
            let mut text = String::from_utf8_lossy(&r.body).into_owned();
            scrub(&mut text);
            r.body = text.into_bytes();
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_cover_the_encoded_forms() {
        let s = secrets_of(
            &Attach::Basic {
                user: "ci".into(),
                password: Zeroizing::new("hunter22".into()),
            },
            vec![Zeroizing::new("123456".into()), Zeroizing::new("12".into())],
        );
        let got: Vec<&str> = s.iter().map(|z| z.as_str()).collect();
        assert_eq!(got, ["Y2k6aHVudGVyMjI=", "hunter22", "123456"]);
        let s = secrets_of(
            &Attach::Query {
                name: "k".into(),
                value: Zeroizing::new("a+b/c=".into()),
            },
            vec![],
        );
        assert!(
            s.iter().any(|z| z.as_str() == "a%2Bb%2Fc%3D"),
            "{}",
            s.len()
        );
    }

    #[test]
    fn debug_shows_no_secret_and_no_echo() {
        use super::super::{Diagnosis, Response, Timing};
        let x = Exchange {
            outcome: Outcome {
                response: Some(Response {
                    status: 200,
                    headers: vec![("X-Echo".into(), "sk_live_debug_echo".into())],
                    body: br#"{"key":"sk_live_debug_echo"}"#.to_vec(),
                    truncated: false,
                    final_url: "http://x/".into(),
                    remote_addr: None,
                    redirects: 0,
                }),
                diagnosis: Diagnosis {
                    kind: DiagnosisKind::Ok,
                    message: "ok".into(),
                    action: None,
                    retry_after_s: None,
                },
                timing: Timing {
                    ttfb_ms: 1,
                    total_ms: 2,
                },
            },
            renewed: false,
            grant: None,
            entry: HistoryEntry {
                at: 0,
                method: "GET".into(),
                url: "http://x/".into(),
                headers: vec![],
                body_bytes: 0,
                status: Some(200),
                diagnosis: DiagnosisKind::Ok,
                message: "ok".into(),
                total_ms: 2,
                renewed: false,
                credential_header: None,
                credential_query: None,
            },
            item_name: "svc".into(),
            secrets: vec![Zeroizing::new("sk_live_debug_echo".into())],
        };
        let shown = format!("{x:?}");
        assert!(!shown.contains("sk_live_debug_echo"), "{shown}");
        assert!(
            shown.contains("X-Echo") && shown.contains("body_bytes"),
            "{shown}"
        );
    }
}
