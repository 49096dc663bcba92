//! The app's request console (keywright-ipc, no webview) against real httpbin: send with
//! each kind of credential, what the window gets back (echoes of the secret redacted),
//! bodies, the history, saved requests, a pasted curl command, cancel, and bad input.

use std::time::{Duration, Instant};

use keywright_core::probe::DiagnosisKind;
use keywright_core::probe::input::{BodyInput, RequestInput};
use keywright_ipc::AppState;
use keywright_ipc::ErrorKind;
use keywright_ipc::commands::{item_add, items_list};
use keywright_ipc::dto::ItemInput;
use keywright_ipc::requests::{
    BodyView, request_cancel, request_from_curl, request_history, request_recent, request_save,
    request_saved, request_saved_delete, request_send,
};
use serde_json::{Value, json};

use crate::ipc_tokens::{oauth, state};
use crate::peers::Provider;
use crate::probe::Httpbin;

fn add(s: &AppState, v: Value) -> String {
    let input: ItemInput = serde_json::from_value(v).expect("input");
    item_add(s, input).expect("add").summary.id
}

fn get(url: String) -> RequestInput {
    RequestInput::get(url)
}

#[test]
fn the_console_sends_with_the_credential_and_never_shows_it() {
    let hb = Httpbin::start();
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let key = add(
        &s,
        json!({"kind": "api_key", "name": "svc", "value": "sk_live_console_key_1",
               "placement": {"in": "header", "name": "X-API-Key"}}),
    );
    let basic = add(
        &s,
        json!({"kind": "basic", "name": "jenkins", "username": "u", "value": "p"}),
    );
    let otp = add(
        &s,
        json!({"kind": "totp", "name": "GitHub", "value": "JBSWY3DPEHPK3PXP"}),
    );

    // httpbin's /headers sends the request back: the key went out, the window never sees it.
    let mut req = get(hb.url("/headers"));
    req.headers = vec![
        ("X-Trace".into(), "42".into()),
        ("X-Otp".into(), "{{totp:GitHub}}".into()),
        (String::new(), String::new()),
    ];
    let r = request_send(&s, &key, &req, true).expect("send");
    assert_eq!(r.status, Some(200));
    assert_eq!(r.reason.as_deref(), Some("OK"));
    assert_eq!(r.diagnosis.kind, DiagnosisKind::Ok);
    assert_eq!(r.body_view, BodyView::Json);
    assert!(r.body.contains("\n  "), "pretty-printed: {}", r.body);
    let body: Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(body["headers"]["X-Trace"], "42");
    assert_eq!(body["headers"]["X-Api-Key"], "[redacted]");
    assert_eq!(body["headers"]["X-Otp"], "[redacted]", "the 2FA code too");
    assert!(r.redacted >= 2, "{}", r.redacted);
    assert!(!r.body.contains("sk_live_console_key_1"));
    assert!(r.total_ms >= r.ttfb_ms);
    assert!(
        r.remote_addr
            .as_deref()
            .is_some_and(|a| a.starts_with("127.0.0.1:"))
    );
    assert!(
        r.content_type
            .as_deref()
            .is_some_and(|c| c.contains("json"))
    );

    // Basic: the right password is accepted, and its Authorization echo is redacted.
    let r = request_send(&s, &basic, &get(hb.url("/basic-auth/u/p")), true).expect("basic");
    assert_eq!(r.diagnosis.kind, DiagnosisKind::Ok, "{:?}", r.diagnosis);
    let r = request_send(&s, &basic, &get(hb.url("/headers")), true).expect("basic echo");
    let body: Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(body["headers"]["Authorization"], "Basic [redacted]");
    let r = request_send(&s, &basic, &get(hb.url("/basic-auth/u/other")), true).expect("wrong");
    assert_eq!(r.status, Some(401));
    assert_eq!(r.diagnosis.kind, DiagnosisKind::InvalidCredentials);

    // Bodies: JSON and form, with their content types.
    let mut post = get(hb.url("/anything"));
    post.method = "post".into();
    post.body = BodyInput::Json {
        text: r#"{"name": "ci", "n": [1, 2]}"#.into(),
    };
    let r = request_send(&s, &key, &post, true).expect("json body");
    let body: Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(body["method"], "POST");
    assert_eq!(body["json"], json!({"name": "ci", "n": [1, 2]}));
    assert_eq!(body["headers"]["Content-Type"], "application/json");
    post.method = "PUT".into();
    post.body = BodyInput::Form {
        fields: vec![("q".into(), "a b&c".into()), ("n".into(), "1".into())],
    };
    let r = request_send(&s, &key, &post, true).expect("form body");
    let body: Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(body["form"], json!({"q": "a b&c", "n": "1"}));

    // A rate limit and a server error, diagnosed.
    let r = request_send(&s, &key, &get(hb.url("/status/429")), true).expect("429");
    assert_eq!(r.diagnosis.kind, DiagnosisKind::RateLimited);
    let r = request_send(&s, &key, &get(hb.url("/status/503")), true).expect("503");
    assert_eq!(r.diagnosis.kind, DiagnosisKind::ServerError);
    assert_eq!(r.body_view, BodyView::Empty);
    // A binary body is not shown as text.
    let r = request_send(&s, &key, &get(hb.url("/bytes/64?seed=1")), true).expect("bytes");
    assert_eq!((r.body_view, r.body_bytes), (BodyView::Binary, 64));

    // Bad input names the field; a 2FA item has no request credential.
    let e = request_send(&s, &key, &get("not a url".into()), true).expect_err("url");
    assert_eq!(
        (e.kind, e.field.as_deref()),
        (ErrorKind::InvalidInput, Some("URL"))
    );
    let mut bad = get(hb.url("/anything"));
    bad.body = BodyInput::Json { text: "{".into() };
    let e = request_send(&s, &key, &bad, true).expect_err("json");
    assert_eq!(e.field.as_deref(), Some("body"));
    assert!(
        e.message
            .starts_with("The JSON body does not parse: it ends too early"),
        "{}",
        e.message
    );
    let e = request_send(&s, &otp, &get(hb.url("/get")), true).expect_err("otp");
    assert!(e.message.contains("{{totp:GitHub}}"), "{}", e.message);

    // The history: newest first, what was sent, every secret redacted.
    let h = request_history(&s, &key).expect("history");
    assert_eq!(h.len(), 6);
    assert_eq!(h[0].url, hb.url("/bytes/64?seed=1"));
    assert_eq!(h[0].credential_header.as_deref(), Some("X-API-Key"));
    let last = h.last().expect("first sent");
    assert!(
        last.headers
            .iter()
            .any(|(k, v)| k == "X-Otp" && v == "[redacted]"),
        "{:?}",
        last.headers
    );
    let all = serde_json::to_string(&h).expect("json");
    assert!(!all.contains("sk_live_console_key_1"), "{all}");

    // Across items, newest first: 6 with the key and 3 with the password (bad input and
    // the 2FA item sent nothing).
    let recent = request_recent(&s, 100).expect("recent");
    assert_eq!(recent.len(), 9);
    assert_eq!(recent[0].item_id, key);
    assert_eq!(recent.iter().filter(|r| r.item_id == basic).count(), 3);
    assert!(recent.windows(2).all(|w| w[0].entry.at >= w[1].entry.at));
    assert_eq!(request_recent(&s, 2).expect("two").len(), 2);
}

#[test]
fn saved_requests_and_a_pasted_curl_command() {
    let hb = Httpbin::start();
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let key = add(
        &s,
        json!({"kind": "bearer", "name": "api", "value": "tok_console_bearer_123"}),
    );
    assert!(request_saved(&s, &key).expect("none").is_empty());

    let mut health = get(hb.url("/anything/health"));
    health.headers = vec![("Accept".into(), "application/json".into())];
    let a = request_save(&s, &key, "Health", &health).expect("save");
    let mut login = get(hb.url("/anything/login"));
    login.method = "POST".into();
    login.body = BodyInput::Json {
        text: r#"{"otp":"{{totp:none}}"}"#.into(),
    };
    request_save(&s, &key, "  login ", &login).expect("save 2");
    let list = request_saved(&s, &key).expect("list");
    assert_eq!(
        list.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
        ["Health", "login"]
    );
    assert_eq!(list[0].request, health, "kept as written");
    assert_eq!(list[1].request.body, login.body);

    // The same name replaces (same id); an empty name and an invalid request are refused.
    health.url = hb.url("/get");
    let b = request_save(&s, &key, "HEALTH", &health).expect("replace");
    assert_eq!(a.id, b.id);
    assert_eq!(request_saved(&s, &key).expect("list").len(), 2);
    let e = request_save(&s, &key, " ", &health).expect_err("name");
    assert_eq!(e.field.as_deref(), Some("name"));
    let e = request_save(&s, &key, "x", &get("ftp://x".into())).expect_err("ftp");
    assert_eq!(e.field.as_deref(), Some("URL"));

    // Re-send a saved request.
    let saved = request_saved(&s, &key).expect("list");
    let r = request_send(&s, &key, &saved[0].request, true).expect("send");
    assert_eq!(r.status, Some(200));
    request_saved_delete(&s, &key, &saved[0].id).expect("delete");
    assert_eq!(request_saved(&s, &key).expect("list").len(), 1);
    assert!(request_saved_delete(&s, &key, &saved[0].id).is_err());

    // A pasted curl command: its credential is dropped and said so; the rest is the editor's.
    let c = request_from_curl(&format!(
        "curl -X POST '{}' \\\n  -H 'Authorization: Bearer pasted_secret_value' \\\n  -H 'Content-Type: application/json' \\\n  --data '{{\"a\":1}}'",
        hb.url("/anything")
    ))
    .expect("curl");
    assert_eq!(c.request.method, "POST");
    assert_eq!(
        c.request.body,
        BodyInput::Json {
            text: r#"{"a":1}"#.into()
        }
    );
    assert!(
        !c.request
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    );
    assert!(
        c.dropped.iter().any(|d| d.contains("Authorization")),
        "{:?}",
        c.dropped
    );
    let r = request_send(&s, &key, &c.request, true).expect("send curl");
    let body: Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(body["headers"]["Authorization"], "Bearer [redacted]");
    assert!(request_from_curl("wget http://x").is_err());
}

#[test]
fn a_request_on_the_wire_holds_no_lock_and_can_be_cancelled() {
    let hb = Httpbin::start();
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let key = add(
        &s,
        json!({"kind": "bearer", "name": "slow", "value": "tok_slow_123456"}),
    );
    let slow = get(hb.url("/delay/8"));
    std::thread::scope(|scope| {
        let sent = scope.spawn(|| request_send(&s, &key, &slow, true));
        std::thread::sleep(Duration::from_millis(500));
        // Other commands answer while the request waits for the server.
        let t = Instant::now();
        assert_eq!(items_list(&s).expect("list").items.len(), 1);
        assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
        request_cancel(&s);
        let e = sent.join().expect("thread").expect_err("cancelled");
        assert_eq!(e.kind, ErrorKind::Network);
        assert!(e.message.contains("cancelled"), "{}", e.message);
    });
    // A cancelled request is not in the history; the next one goes through.
    assert!(request_history(&s, &key).expect("history").is_empty());
    let mut quick = get(hb.url("/get"));
    quick.timeout_s = Some(5);
    assert_eq!(
        request_send(&s, &key, &quick, true).expect("send").status,
        Some(200)
    );
}

#[test]
fn an_oauth_token_the_server_refuses_is_renewed_and_sent_again() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let id = oauth(&s, "svc", &p.issuer, "client_credentials");
    // No token yet: one is fetched before the request.
    let r = request_send(&s, &id, &get(p.api("resource")), true).expect("first");
    assert_eq!((r.status, r.renewed), (Some(200), true));
    assert_eq!(r.grant.as_deref(), Some("client_credentials"));
    // The server stops accepting the stored token while the vault still believes in it.
    s.with_vault(|v| {
        v.apply_oauth(&id, "test: a token the server refuses", |c, sec| {
            c.access_expires_at = Some(keywright_core::timefmt::now() + 3600);
            sec.access_token = "eyJhbGciOiJub25lIn0.e30.sig".into();
            Ok(())
        })?;
        Ok(())
    })
    .expect("apply");
    let r = request_send(&s, &id, &get(p.api("resource")), false).expect("no retry");
    assert_eq!((r.status, r.renewed), (Some(401), false));
    let r = request_send(&s, &id, &get(p.api("resource")), true).expect("retry");
    assert_eq!((r.status, r.renewed), (Some(200), true));
    assert_eq!(r.diagnosis.kind, DiagnosisKind::Ok);
    let r = request_send(&s, &id, &get(p.api("limited")), true).expect("limited");
    assert_eq!(r.diagnosis.kind, DiagnosisKind::RateLimited);
    assert_eq!(r.diagnosis.retry_after_s, Some(3));
    let h = request_history(&s, &id).expect("history");
    assert_eq!(h.len(), 4);
    assert!(h[1].renewed && !h[2].renewed);
    assert_eq!(h[0].credential_header.as_deref(), Some("Authorization"));
}

#[test]
fn a_2fa_code_in_a_header_stays_with_its_origin_and_is_audited() {
    let a = Httpbin::start();
    let b = Httpbin::start();
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let key = add(
        &s,
        json!({"kind": "api_key", "name": "svc", "value": "sk_live_console_key_2",
               "placement": {"in": "header", "name": "X-API-Key"}}),
    );
    let otp = add(
        &s,
        json!({"kind": "totp", "name": "GitHub", "value": "JBSWY3DPEHPK3PXP"}),
    );
    let audited = |s: &AppState| {
        s.with_vault(|v| Ok(v.audit_log(Some(&otp))?))
            .expect("log")
            .into_iter()
            .filter(|e| e.detail.as_deref() == Some("code (test request with svc)"))
            .count()
    };
    assert_eq!(audited(&s), 0);
    // A header name that does not look secret: the placeholder makes it one.
    let other = b.url("/headers");
    let mut req = get(a.url(&format!(
        "/redirect-to?status_code=302&url={}",
        url::form_urlencoded::byte_serialize(other.as_bytes()).collect::<String>()
    )));
    req.headers = vec![
        ("X-Code".into(), "{{totp:GitHub}}".into()),
        ("X-Trace".into(), "7".into()),
    ];
    let r = request_send(&s, &key, &req, true).expect("send");
    assert_eq!((r.status, r.redirects), (Some(200), 1));
    let body: Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(body["headers"]["X-Trace"], "7");
    assert!(body["headers"].get("X-Code").is_none(), "{body}");
    assert!(body["headers"].get("X-Api-Key").is_none(), "{body}");
    assert!(
        r.diagnosis.message.contains("X-Code") && r.diagnosis.message.contains("not sent there"),
        "{}",
        r.diagnosis.message
    );
    // Each request that expands the code records it on the 2FA item.
    assert_eq!(audited(&s), 1);
    request_send(&s, &key, &req, true).expect("again");
    assert_eq!(audited(&s), 2);
}
