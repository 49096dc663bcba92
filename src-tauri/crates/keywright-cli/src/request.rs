//! `keywright request`: a test request with an item's credential, and why it failed.

use std::time::Duration;

use keywright_core::credential::{Kind, Placement};
use keywright_core::oauth::renew::{self, Mode};
use keywright_core::probe::{self, Attach, DiagnosisKind, Outcome, RequestSpec};
use keywright_core::vault::Item;
use keywright_core::{Error, Result, Vault, net, timefmt};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::cli::RequestArgs;
use crate::commands::{Ctx, Out, emit, emit_json};
use crate::input::Input;
use crate::tokens::block_on;
use crate::unlock::{notice, open_unlocked};

/// The item's credential as it goes on the request, and what the vault knows of its expiry.
fn attach_for(
    vault: &mut Vault,
    item: &Item,
    http: &net::LazyClient,
    mode: Mode,
) -> Result<(Attach, Option<i64>, bool)> {
    let ov = &item.overview;
    Ok(match ov.kind {
        Kind::Oauth2 => {
            let t = block_on(renew::access_token(vault, http, &item.id, mode))??;
            if t.renewed {
                notice(&format!(
                    "renewed {} ({})",
                    ov.name,
                    t.grant.unwrap_or("renewal")
                ));
            }
            (Attach::Bearer(t.access_token), t.expires_at, t.renewed)
        }
        kind => {
            let secret = vault.open_secret(&item.id)?;
            let value = Zeroizing::new(secret.value.clone());
            let a = match kind {
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
                    return Err(Error::InvalidInput {
                        field: "item".into(),
                        reason: format!(
                            "{:?} is a 2FA item; its code is not a request credential",
                            ov.name
                        ),
                    });
                }
            };
            (a, ov.token_expires_at, false)
        }
    })
}

fn spec_of(a: &RequestArgs) -> Result<RequestSpec> {
    let default = if a.data.is_some() { "POST" } else { "GET" };
    let given = a.method.as_deref().unwrap_or(default);
    let method =
        probe::Method::from_bytes(given.trim().to_ascii_uppercase().as_bytes()).map_err(|_| {
            Error::InvalidInput {
                field: "method".into(),
                reason: format!("{given:?} is not an HTTP method"),
            }
        })?;
    let mut spec = RequestSpec::get(a.url.clone().unwrap_or_default());
    spec.method = method;
    spec.timeout = Duration::from_secs(a.timeout.max(1));
    for h in &a.headers {
        let (k, v) = h.split_once(':').ok_or_else(|| Error::InvalidInput {
            field: "header".into(),
            reason: format!("{h:?} is not 'Name: value'"),
        })?;
        spec.headers
            .push((k.trim().to_owned(), v.trim().to_owned()));
    }
    if let Some(d) = &a.data {
        spec.body = Some(match d.strip_prefix('@') {
            Some(path) => std::fs::read(path).map_err(|e| Error::Io {
                action: "cannot read the body file",
                path: path.into(),
                source: e,
            })?,
            None => d.as_bytes().to_vec(),
        });
    }
    Ok(spec)
}

fn outcome_json(o: &Outcome, renewed: bool) -> Value {
    let r = o.response.as_ref();
    json!({
        "status": r.map(|r| r.status),
        "ok": o.diagnosis.is_ok(),
        "diagnosis": o.diagnosis,
        "timing_ms": {"total": o.timing.total_ms, "ttfb": o.timing.ttfb_ms},
        "headers": r.map(|r| r.headers.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect::<serde_json::Map<_, _>>()),
        "renewed": renewed,
        "remote_addr": r.and_then(|r| r.remote_addr.clone()),
        "body": r.map(|r| String::from_utf8_lossy(&r.body).into_owned()),
    })
}

fn pretty_body(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

pub fn request(ctx: &Ctx, a: RequestArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut spec = if a.curl {
        RequestSpec::get("")
    } else {
        spec_of(&a)?
    };
    let mut vault = open_unlocked(&ctx.path, input)?;
    if a.curl {
        let text = input.rest()?;
        let c = probe::curl::parse(&text)?;
        for d in &c.dropped {
            notice(&format!("from the curl command: {d}"));
        }
        spec = c.spec;
        spec.timeout = Duration::from_secs(a.timeout.max(1));
    }
    let item = vault.find(&a.name)?;
    let codes = probe::template::expand_totp(&mut spec, |name| {
        let code = vault
            .find(name)
            .and_then(|i| vault.totp(&i.id, timefmt::now()))?;
        Ok(code.code)
    })?;
    let http = net::LazyClient::default();
    let (mut attach, expires, mut renewed) = attach_for(&mut vault, &item, &http, Mode::IfNeeded)?;
    let mut o = block_on(probe::send(&spec, &attach, expires, timefmt::now()))??;
    // An expired OAuth token: renew once and send again.
    let retry = item.overview.kind == Kind::Oauth2
        && !a.no_retry
        && (o.diagnosis.kind == DiagnosisKind::ExpiredToken
            || o.response.as_ref().is_some_and(|r| r.status == 401));
    if retry {
        let (fresh, expires, _) = attach_for(&mut vault, &item, &http, Mode::Force)?;
        o = block_on(probe::send(&spec, &fresh, expires, timefmt::now()))??;
        attach = fresh;
        renewed = true;
    }
    // The history keeps what was sent, every secret redacted.
    let entry = probe::history::entry(&spec, &attach, &codes, &o, renewed, timefmt::now());
    vault.record_request(&item.id, &entry)?;
    let ok = o.diagnosis.is_ok();
    if ctx.json {
        let mut v = outcome_json(&o, renewed);
        if !a.body
            && let Some(m) = v.as_object_mut()
        {
            m.remove("body");
        }
        emit_json(out, &v)?;
    } else {
        let head = match &o.response {
            Some(r) => format!(
                "HTTP {} · {} ms (first byte {} ms){}{}",
                r.status,
                o.timing.total_ms,
                o.timing.ttfb_ms,
                r.remote_addr
                    .as_deref()
                    .map(|a| format!(" · {a}"))
                    .unwrap_or_default(),
                if r.redirects > 0 {
                    format!(" · {} redirects", r.redirects)
                } else {
                    String::new()
                }
            ),
            None => format!("no response · {} ms", o.timing.total_ms),
        };
        let action = o
            .diagnosis
            .action
            .map(|x| {
                format!(
                    " (next: {})",
                    serde_json::to_value(x)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default();
        let mut text = format!(
            "{head}\n{}: {}{action}",
            serde_json::to_value(o.diagnosis.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            o.diagnosis.message
        );
        if renewed {
            text.push_str("\n(the OAuth token was renewed for this request)");
        }
        if a.body
            && let Some(r) = &o.response
        {
            text.push_str("\n\n");
            text.push_str(&pretty_body(&r.body));
            if r.truncated {
                text.push_str("\n[… body cut at 2 MiB]");
            }
        }
        emit(out, &text)?;
    }
    vault.close_for_exit();
    if !ok {
        let _ = out.flush();
        std::process::exit(1);
    }
    Ok(())
}

/// `keywright history NAME`: the item's test requests, newest first, secrets redacted.
pub fn history(ctx: &Ctx, a: crate::cli::NameArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let item = vault.find(&a.name)?;
    let entries = vault.request_history(&item.id)?;
    if ctx.json {
        let list: Vec<Value> = entries
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
                v["at"] = Value::from(timefmt::rfc3339(e.at));
                v
            })
            .collect();
        return emit_json(out, &Value::Array(list));
    }
    if entries.is_empty() {
        return emit(
            out,
            &format!("No requests sent with {} yet.", item.overview.name),
        );
    }
    let now = timefmt::now();
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "{:<16} {:<6} {:<4} {:<20} {} ms  {}",
                timefmt::relative(e.at, now),
                e.method,
                e.status.map_or("—".to_owned(), |s| s.to_string()),
                serde_json::to_value(e.diagnosis)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                e.total_ms,
                e.url
            )
        })
        .collect();
    emit(out, &lines.join("\n"))
}
