//! The app's token commands (keywright-ipc, no webview) against the real OpenID provider:
//! Renew, the browser login, the device login with its prompt, cancel, and the inspector.
//! The session lock is not held during a request: other commands answer meanwhile.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use keywright_core::expiry::Status;
use keywright_core::vault::keyring::Keyring;
use keywright_core::{CreateOptions, Vault};
use keywright_ipc::AppState;
use keywright_ipc::clipboard::MemoryClipboard;
use keywright_ipc::commands::{item_add, item_get, items_list, vault_lock, vault_unlock};
use keywright_ipc::dto::{ItemInput, SecretField};
use keywright_ipc::tokens::{
    LoginMethod, oauth_login, oauth_login_cancel, oauth_renew, token_inspect,
};
use secrecy::SecretString;

use crate::common::{PASSWORD, cheap_kdf};
use crate::peers::{Provider, approve_device};

pub fn state(dir: &std::path::Path) -> AppState {
    let path = dir.join("vault.db");
    Vault::create(
        &path,
        &SecretString::from(PASSWORD),
        CreateOptions {
            kdf: Some(cheap_kdf()),
            keyring: None,
        },
    )
    .expect("create");
    let store = keyring_core::mock::Store::new().expect("store");
    let s = AppState::new(
        Ok(path),
        Arc::new(MemoryClipboard::default()),
        Box::new(move || Ok(Keyring::with_store(store.clone(), "keywright-test"))),
    );
    vault_unlock(&s, &SecretString::from(PASSWORD)).expect("unlock");
    s
}

pub fn oauth(s: &AppState, name: &str, issuer: &str, grant: &str) -> String {
    let input: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "oauth2", "name": name, "value": "kw-basic-secret",
        "oauth": {"client_id": "kw-basic", "issuer": issuer, "auth": "basic",
                  "scopes": ["openid", "read"], "audience": "urn:keywright:test-api", "grant": grant}
    }))
    .expect("input");
    item_add(s, input).expect("add").summary.id
}

#[test]
fn renew_and_inspect_from_the_app() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let id = oauth(&s, "svc", &p.issuer, "client_credentials");
    let o = oauth_renew(&s, &id).expect("renew");
    assert!(o.renewed);
    assert_eq!(o.grant.as_deref(), Some("client_credentials"));
    assert_eq!(o.status, Status::Ok);
    let d = item_get(&s, &id).expect("detail");
    assert!(d.secrets.access_token && d.oauth.as_ref().and_then(|o| o.access_expires_at).is_some());
    let i = token_inspect(&s, &id, SecretField::AccessToken).expect("inspect");
    assert_eq!(i.claims["aud"], "urn:keywright:test-api");
    assert_eq!(i.header["alg"], "RS256");
    assert!(i.expires_at.is_some_and(|e| e > i.now));
    // The inspection is in the item's history; the token itself is not in it.
    let d = item_get(&s, &id).expect("detail");
    assert!(
        d.history
            .iter()
            .any(|e| e.detail.as_deref() == Some("access_token claims (inspector)"))
    );
    // A wrong secret: a clear error, and the item is still usable afterwards.
    let input: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "oauth2", "name": "bad", "value": "not-the-secret",
        "oauth": {"client_id": "kw-basic", "issuer": p.issuer, "auth": "basic"}
    }))
    .expect("input");
    let bad = item_add(&s, input).expect("add").summary.id;
    let e = oauth_renew(&s, &bad).expect_err("wrong secret");
    assert_eq!(serde_json::to_value(e.kind).expect("kind"), "oauth");
    assert!(e.message.contains("client secret"), "{}", e.message);
    assert!(!e.message.contains("not-the-secret"));
}

#[test]
fn browser_login_waits_without_blocking_the_app_and_can_be_cancelled() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let s = Arc::new(state(dir.path()));
    let id = oauth(&s, "web", &p.issuer, "authorization_code");
    // A "browser" that never comes back: the login waits; the app answers other commands;
    // cancel ends the login.
    s.set_browser(Box::new(|_url: &str| Ok(())));
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let (s, id) = (s.clone(), id.clone());
        std::thread::spawn(move || {
            let r = oauth_login(&s, &id, LoginMethod::Browser, |_| {});
            let _ = tx.send(r.map(|o| o.status));
        });
    }
    std::thread::sleep(Duration::from_millis(800));
    let started = std::time::Instant::now();
    assert!(
        items_list(&s).is_ok(),
        "the session is free during the login"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    oauth_login_cancel(&s);
    let r = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the login ended");
    let e = r.expect_err("cancelled");
    assert!(e.message.contains("cancelled"), "{}", e.message);

    // A real login: the helper completes the provider's forms.
    let children = Arc::new(Mutex::new(Vec::new()));
    let kids = children.clone();
    s.set_browser(Box::new(move |url: &str| {
        kids.lock()
            .expect("lock")
            .push(crate::peers::browse(url, "alice"));
        Ok(())
    }));
    let o = oauth_login(&s, &id, LoginMethod::Browser, |_| {}).expect("login");
    for mut c in std::mem::take(&mut *children.lock().expect("lock")) {
        assert!(c.wait().expect("browser").success());
    }
    assert_eq!(o.grant.as_deref(), Some("authorization_code"));
    let d = item_get(&s, &id).expect("detail");
    assert!(d.secrets.refresh_token);
    // Renew then uses the refresh token.
    assert_eq!(
        oauth_renew(&s, &id).expect("renew").grant.as_deref(),
        Some("refresh_token")
    );
}

#[test]
fn device_login_sends_its_prompt() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let id = oauth(&s, "tv", &p.issuer, "device_code");
    let prompts = Mutex::new(Vec::new());
    let children = Mutex::new(Vec::new());
    let o = oauth_login(&s, &id, LoginMethod::Device, |pr| {
        assert_eq!(pr.item_id, id);
        children.lock().expect("lock").push(approve_device(
            &pr.verification_uri,
            &pr.user_code,
            false,
        ));
        prompts.lock().expect("lock").push(pr.user_code.clone());
    })
    .expect("device login");
    assert_eq!(o.grant.as_deref(), Some("device_code"));
    assert_eq!(prompts.lock().expect("lock").len(), 1);
    for mut c in children.into_inner().expect("lock") {
        let _ = c.wait();
    }
}

#[test]
fn the_watcher_renews_in_the_background_and_tells_of_new_expiries() {
    let p = Provider::start(600);
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let now = keywright_core::timefmt::now();
    let svc = oauth(&s, "svc", &p.issuer, "client_credentials");
    keywright_ipc::watch::oauth_set_auto_renew(&s, &svc, true).expect("auto renew on");
    // The first look renews what is due (no token yet) and only takes note of statuses.
    let t = keywright_ipc::watch::tick(&s, now);
    assert_eq!(t.renewed, std::slice::from_ref(&svc));
    assert!(t.notices.is_empty(), "{:?}", t.notices);
    assert!(item_get(&s, &svc).expect("detail").secrets.access_token);
    // Valid for ten minutes: the next look leaves it alone.
    assert!(keywright_ipc::watch::tick(&s, now).renewed.is_empty());
    // A key that expires in three days appears: one notice, once.
    let input: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "api_key", "name": "Stripe live", "value": "sk_live_x",
        "expires_at": now + 3 * 86_400
    }))
    .expect("input");
    let key = item_add(&s, input).expect("add").summary.id;
    let t = keywright_ipc::watch::tick(&s, now);
    assert_eq!(t.notices.len(), 1, "{:?}", t.notices);
    assert_eq!(t.notices[0].item_id, key);
    assert_eq!(t.notices[0].title, "Stripe live expires soon");
    assert!(
        t.notices[0].body.contains("in 3 days"),
        "{:?}",
        t.notices[0]
    );
    assert!(keywright_ipc::watch::tick(&s, now).notices.is_empty());
    // Four days on it has expired: told again, differently.
    let t = keywright_ipc::watch::tick(&s, now + 4 * 86_400);
    let n = t
        .notices
        .iter()
        .find(|n| n.item_id == key)
        .expect("expired notice");
    assert_eq!(n.title, "Stripe live has expired");
    // A client whose renewal fails: told once, then left alone for a while.
    let input: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "oauth2", "name": "broken", "value": "not-the-secret",
        "oauth": {"client_id": "kw-basic", "issuer": p.issuer, "auth": "basic"}
    }))
    .expect("input");
    let broken = item_add(&s, input).expect("add").summary.id;
    keywright_ipc::watch::oauth_set_auto_renew(&s, &broken, true).expect("on");
    let t = keywright_ipc::watch::tick(&s, now);
    let fails: Vec<_> = t.notices.iter().filter(|n| n.item_id == broken).collect();
    assert_eq!(fails.len(), 1, "{:?}", t.notices);
    assert!(fails[0].body.contains("invalid_client"), "{:?}", fails[0]);
    let t = keywright_ipc::watch::tick(&s, now + 10);
    assert!(
        !t.notices.iter().any(|n| n.item_id == broken),
        "not told again: {:?}",
        t.notices
    );
    let t = keywright_ipc::watch::tick(&s, now + 400);
    assert!(
        !t.notices.iter().any(|n| n.item_id == broken),
        "tried again, still not told again"
    );

    // Locked: the watcher does nothing and starts over after the next unlock.
    keywright_ipc::commands::vault_lock(&s).expect("lock");
    let t = keywright_ipc::watch::tick(&s, now);
    assert!(t.notices.is_empty() && t.renewed.is_empty());
    // Not an OAuth2 client: a clear error.
    vault_unlock(&s, &SecretString::from(PASSWORD)).expect("unlock");
    let e = keywright_ipc::watch::oauth_set_auto_renew(&s, &key, true).expect_err("api key");
    assert!(e.message.contains("not an OAuth2 client"), "{}", e.message);
}

/// A token endpoint in front of the real one that can hold a request: it tells when one
/// arrived (`arrived`), and forwards it once `go` says so (at once unless `hold` is set).
struct SlowTokenEndpoint {
    url: String,
    hold: Arc<std::sync::atomic::AtomicBool>,
    arrived: std::sync::mpsc::Receiver<()>,
    go: std::sync::mpsc::Sender<()>,
}

fn slow_token_endpoint(real: String) -> SlowTokenEndpoint {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    use std::sync::atomic::Ordering;
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/token", l.local_addr().expect("addr"));
    let hold = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (arrived_tx, arrived) = std::sync::mpsc::channel();
    let (go, go_rx) = std::sync::mpsc::channel::<()>();
    let held = hold.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let http = reqwest::Client::new();
        for stream in l.incoming().flatten() {
            let mut r = BufReader::new(stream.try_clone().expect("clone"));
            let mut headers = Vec::new();
            let mut len = 0usize;
            let mut line = String::new();
            let _ = r.read_line(&mut line); // the request line
            loop {
                line.clear();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    headers.push((k.trim().to_owned(), v.trim().to_owned()));
                }
            }
            let mut body = vec![0u8; len];
            let _ = r.read_exact(&mut body);
            if held.load(Ordering::SeqCst) {
                let _ = arrived_tx.send(());
                let _ = go_rx.recv_timeout(Duration::from_secs(20));
            }
            let (status, answer) = rt.block_on(async {
                let mut req = http.post(&real).body(body);
                for (k, v) in &headers {
                    if ["authorization", "content-type", "accept"]
                        .contains(&k.to_ascii_lowercase().as_str())
                    {
                        req = req.header(k, v);
                    }
                }
                let resp = req.send().await.expect("the real token endpoint answers");
                (
                    resp.status().as_u16(),
                    resp.bytes().await.expect("body").to_vec(),
                )
            });
            let mut s = stream;
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                answer.len()
            );
            let _ = s.write_all(&answer);
        }
    });
    SlowTokenEndpoint {
        url,
        hold,
        arrived,
        go,
    }
}

#[test]
fn a_rotated_refresh_token_is_stored_when_the_vault_locks_during_the_renewal() {
    use keywright_core::oauth::{self, GrantRequest};
    use std::sync::atomic::Ordering;
    let p = Provider::start(60);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let http = keywright_core::net::auth_client().expect("client");
    let eps = rt
        .block_on(oauth::discover(&http, &p.issuer))
        .expect("discovery");
    let slow = slow_token_endpoint(eps.token.clone());
    let dir = tempfile::tempdir().expect("tmp");
    let s = Arc::new(state(dir.path()));
    let input: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "oauth2", "name": "web", "value": "kw-basic-secret",
        "oauth": {"client_id": "kw-basic", "issuer": p.issuer, "token_url": slow.url,
                  "auth": "basic", "scopes": ["openid", "read"], "grant": "authorization_code"}
    }))
    .expect("input");
    let id = item_add(&s, input).expect("add").summary.id;
    let children = Arc::new(Mutex::new(Vec::new()));
    let kids = children.clone();
    s.set_browser(Box::new(move |url: &str| {
        kids.lock()
            .expect("lock")
            .push(crate::peers::browse(url, "alice"));
        Ok(())
    }));
    oauth_login(&s, &id, LoginMethod::Browser, |_| {}).expect("login");
    for mut c in std::mem::take(&mut *children.lock().expect("lock")) {
        assert!(c.wait().expect("browser").success());
    }
    let refresh_token = |s: &AppState| {
        s.with_vault(|v| Ok(v.oauth_state(&id)?.secret.refresh_token.clone()))
            .expect("state")
    };
    let rt1 = refresh_token(&s);
    assert!(!rt1.is_empty());

    // Renew; lock the app while the token endpoint holds the request; then let it answer.
    slow.hold.store(true, Ordering::SeqCst);
    let renewing = {
        let (s, id) = (s.clone(), id.clone());
        std::thread::spawn(move || oauth_renew(&s, &id))
    };
    slow.arrived
        .recv_timeout(Duration::from_secs(20))
        .expect("the renewal reached the token endpoint");
    vault_lock(&s).expect("lock");
    slow.hold.store(false, Ordering::SeqCst);
    slow.go.send(()).expect("go");
    let o = renewing
        .join()
        .expect("thread")
        .expect("renewed although the vault locked");
    assert_eq!(o.grant.as_deref(), Some("refresh_token"));

    vault_unlock(&s, &SecretString::from(PASSWORD)).expect("unlock");
    let rt2 = refresh_token(&s);
    assert!(
        !rt2.is_empty() && rt2 != rt1,
        "the rotated refresh token was stored"
    );
    // It works (the renewal after it uses it)...
    assert_eq!(
        oauth_renew(&s, &id)
            .expect("renew with the stored token")
            .grant
            .as_deref(),
        Some("refresh_token")
    );
    // ...and the old one is refused by the server's rotation.
    let cfg = s
        .with_vault(|v| Ok(v.oauth_state(&id)?.config))
        .expect("config");
    let old = rt.block_on(oauth::token(
        &http,
        &eps.token,
        &cfg,
        "kw-basic-secret",
        GrantRequest::RefreshToken(&rt1),
    ));
    match old {
        Err(keywright_core::Error::OAuth { error, .. }) => assert_eq!(error, "invalid_grant"),
        other => panic!("the old refresh token still works: {other:?}"),
    }
}

#[test]
fn the_app_form_refuses_cleartext_token_urls_on_add_and_edit() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let rule = "must use https (http is allowed only for loopback hosts such as 127.0.0.1)";
    let input = |token_url: &str| -> ItemInput {
        serde_json::from_value(serde_json::json!({
            "kind": "oauth2", "name": "svc", "value": "kw-secret",
            "oauth": {"client_id": "c", "token_url": token_url}
        }))
        .expect("input")
    };
    let e = item_add(&s, input("http://auth.example/token")).expect_err("cleartext");
    assert_eq!(e.field.as_deref(), Some("token_url"));
    assert_eq!(e.message, format!("Invalid token_url: {rule}"));
    let id = item_add(&s, input("https://auth.example/token"))
        .expect("https")
        .summary
        .id;
    let edit: keywright_ipc::dto::ItemEdit = serde_json::from_value(serde_json::json!({
        "name": "svc",
        "oauth": {"client_id": "c", "token_url": "http://auth.example/token"}
    }))
    .expect("edit");
    let e = keywright_ipc::commands::item_update(&s, &id, edit).expect_err("cleartext edit");
    assert_eq!(e.field.as_deref(), Some("token_url"));
    assert_eq!(e.message, format!("Invalid token_url: {rule}"));
    let edit: keywright_ipc::dto::ItemEdit = serde_json::from_value(serde_json::json!({
        "name": "svc",
        "oauth": {"client_id": "c", "issuer": "http://issuer.example"}
    }))
    .expect("edit");
    let e = keywright_ipc::commands::item_update(&s, &id, edit).expect_err("cleartext issuer");
    assert_eq!(e.field.as_deref(), Some("oauth_issuer"));
    assert_eq!(e.message, format!("Invalid issuer: {rule}"));
}
