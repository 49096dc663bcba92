//! `keywright request`: a test request with an item's credential, and why it failed.

use std::time::Duration;

use keywright_core::probe::input::RequestInput;
use keywright_core::probe::{self, Outcome, RequestSpec, exchange};
use keywright_core::{Error, Result, net, timefmt};
use serde_json::{Value, json};

use crate::cli::RequestArgs;
use crate::commands::{Ctx, Out, emit, emit_json};
use crate::input::Input;
use crate::tokens::block_on;
use crate::unlock::{notice, open_unlocked};

fn spec_of(a: &RequestArgs) -> Result<RequestSpec> {
    let default = if a.data.is_some() { "POST" } else { "GET" };
    let method = probe::parse_method(a.method.as_deref().unwrap_or(default))?;
    let mut spec = RequestSpec::get(a.url.clone().unwrap_or_default());
    spec.method = method;
    spec.timeout = Duration::from_secs(a.timeout.max(1));
    for h in &a.headers {
        // Not quoted back: a header typed without its ':' may be a pasted secret.
        let (k, v) = h.split_once(':').ok_or_else(|| Error::InvalidInput {
            field: "header".into(),
            reason: "a -H value has no ':'; a header is 'Name: value'".into(),
        })?;
        spec.headers
            .push((k.trim().to_owned(), v.trim().to_owned()));
    }
    if let Some(d) = &a.data {
        spec.body = Some(match d.strip_prefix('@') {
            Some(path) => crate::input::read_file_limited(
                std::path::Path::new(path),
                keywright_core::limits::MAX_REQUEST_BODY_BYTES,
                "cannot read the body file",
            )?
            .to_vec(),
            None => d.as_bytes().to_vec(),
        });
    }
    Ok(spec)
}

fn outcome_json(o: &Outcome, renewed: bool, redacted: usize) -> Value {
    let r = o.response.as_ref();
    json!({
        "status": r.map(|r| r.status),
        "ok": o.diagnosis.is_ok(),
        "diagnosis": o.diagnosis,
        "timing_ms": {"total": o.timing.total_ms, "ttfb": o.timing.ttfb_ms},
        "headers": r.map(|r| r.headers.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect::<serde_json::Map<_, _>>()),
        "renewed": renewed,
        "redacted": redacted,
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
    if let Some(label) = &a.saved {
        let item = vault.find(&a.name)?;
        spec = vault.saved_request(&item.id, label)?.request.to_spec()?;
    }
    if let Some(label) = &a.save {
        let item = vault.find(&a.name)?;
        let mut req = RequestInput::from_spec(&spec);
        req.timeout_s = u32::try_from(spec.timeout.as_secs())
            .ok()
            .filter(|&s| u64::from(s) != net::TOTAL_TIMEOUT.as_secs());
        let saved = vault.save_request(&item.id, label, &req)?;
        notice(&format!(
            "saved as {:?} with {}",
            saved.name, item.overview.name
        ));
    }
    let http = net::LazyClient::default();
    let mut x = block_on(exchange::exchange_via(
        &std::cell::RefCell::new(&mut vault),
        &http,
        &a.name,
        spec,
        !a.no_retry,
    ))??;
    // A server may echo the credential or a 2FA code back (httpbin's /headers does): shown
    // only when asked for, and then recorded like `show --reveal`.
    let redacted = if a.show_secrets {
        let item = vault.find(&a.name)?;
        vault.record_use(
            &item.id,
            "response shown unredacted (keywright request --show-secrets)",
        )?;
        0
    } else {
        x.redact_echoes()
    };
    if x.renewed {
        notice(&format!(
            "renewed {} ({})",
            x.item_name,
            x.grant.unwrap_or("renewal")
        ));
    }
    let (o, renewed) = (&x.outcome, x.renewed);
    let ok = o.diagnosis.is_ok();
    if ctx.json {
        let mut v = outcome_json(o, renewed, redacted);
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
        if redacted > 0 {
            text.push_str(&format!(
                "\n({redacted} echo{} of the credential or a 2FA code replaced by [redacted]; \
                 --show-secrets shows them)",
                if redacted == 1 { "" } else { "es" }
            ));
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

/// `keywright saved NAME [--rm LABEL]`: an item's saved requests.
pub fn saved(ctx: &Ctx, a: crate::cli::SavedArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let item = vault.find(&a.name)?;
    if let Some(label) = &a.rm {
        let s = vault.saved_request(&item.id, label)?;
        vault.delete_saved_request(&item.id, &s.id)?;
        return if ctx.json {
            emit_json(out, &json!({"deleted": s.name}))
        } else {
            emit(out, &format!("Deleted the saved request {:?}.", s.name))
        };
    }
    let list = vault.saved_requests(&item.id)?;
    if ctx.json {
        let v: Vec<Value> = list
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "name": s.name,
                    "method": s.request.method,
                    "url": net::redact_url(&s.request.url),
                    "headers": s.request.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
                    "updated_at": timefmt::rfc3339(s.updated_at),
                })
            })
            .collect();
        return emit_json(out, &Value::Array(v));
    }
    if list.is_empty() {
        return emit(
            out,
            &format!(
                "No saved requests for {} (`keywright request {} URL --save LABEL` adds one).",
                item.overview.name, item.overview.name
            ),
        );
    }
    let lines: Vec<String> = list
        .iter()
        .map(|s| {
            format!(
                "{:<24} {:<6} {}",
                s.name,
                s.request.method.to_ascii_uppercase(),
                net::redact_url(&s.request.url)
            )
        })
        .collect();
    emit(out, &lines.join("\n"))
}
