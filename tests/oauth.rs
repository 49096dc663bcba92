//! OAuth renewal and JWT verification against a REAL OpenID provider (npm `oidc-provider`
//! on 127.0.0.1, tests/oidc): discovery, both client authentication methods, a wrong
//! secret, automatic renewal after expiry, refresh-token rotation, `invalid_grant` →
//! re-login needed, the browser login (PKCE, loopback redirect), the device login, and
//! concurrent renewals collapsing into one request.

use std::sync::Mutex;
use std::time::Duration;

use keywright_core::credential::{ClientAuth, Grant, OAuthConfig};
use keywright_core::jwt::{self, Expect, VerifyKey};
use keywright_core::oauth::renew::{self, LoginVia, Mode};
use keywright_core::oauth::{self, GrantRequest};
use keywright_core::{Kind, NewItem, Status, Vault, timefmt};

use crate::common::{PASSWORD, new_vault, pw};
use crate::peers::{Provider, approve_device, browse};

const API: &str = "urn:keywright:test-api";

fn client(
    name: &str,
    issuer: &str,
    id: &str,
    secret: &str,
    auth: ClientAuth,
    grant: Grant,
) -> NewItem {
    let mut n = NewItem::new(Kind::Oauth2, name, secret);
    n.oauth = Some(OAuthConfig {
        client_id: id.into(),
        issuer: Some(issuer.into()),
        auth,
        scopes: vec!["read".into()],
        audience: Some(API.into()),
        grant: Some(grant),
        ..OAuthConfig::default()
    });
    n
}

fn basic(issuer: &str) -> NewItem {
    client(
        "basic",
        issuer,
        "kw-basic",
        "kw-basic-secret",
        ClientAuth::Basic,
        Grant::ClientCredentials,
    )
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn call_api(url: &str, token: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("the test API answers");
    let status = r.status().as_u16();
    let www = r
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, www)
}

#[test]
fn discovery_finds_every_endpoint() {
    let p = Provider::start(60);
    rt().block_on(async {
        let http = keywright_core::net::auth_client().expect("client");
        let e = oauth::discover(&http, &p.issuer).await.expect("discovery");
        assert_eq!(e.issuer.as_deref(), Some(p.issuer.as_str()));
        assert!(e.token.starts_with(&p.issuer), "{e:?}");
        assert!(
            e.authorization.is_some() && e.device_authorization.is_some() && e.jwks_uri.is_some()
        );
        assert!(e.scopes_supported.iter().any(|s| s == "offline_access"));
        // A server that answers for another issuer is refused.
        let other = format!("{}/elsewhere", p.issuer);
        let err = oauth::discover(&http, &other)
            .await
            .expect_err("wrong issuer");
        assert_eq!(err.kind(), "network");
    });
}

#[test]
fn client_credentials_with_basic_and_post_then_reuse_until_due() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let mut v = new_vault(dir.path()).vault;
    v.add(basic(&p.issuer)).expect("add");
    v.add(client(
        "post",
        &p.issuer,
        "kw-post",
        "kw-post-secret",
        ClientAuth::Post,
        Grant::ClientCredentials,
    ))
    .expect("add");
    rt().block_on(async {
        let http = keywright_core::net::auth_client().expect("client");
        let lazy = keywright_core::net::LazyClient::from(http.clone());
        for name in ["basic", "post"] {
            let t = renew::access_token(&mut v, &lazy, name, Mode::IfNeeded)
                .await
                .expect(name);
            assert!(
                t.renewed && t.grant == Some("client_credentials"),
                "{name}: {t:?}"
            );
            let exp = t.expires_at.expect("expires_in given");
            assert!((exp - timefmt::now() - 60).abs() <= 2, "{name}: {exp}");
            // A JWT for the API, which accepts it.
            let ins = jwt::inspect(&t.access_token).expect("JWT access token");
            assert_eq!(ins.claims["aud"], API);
            assert_eq!(call_api(&p.api("resource"), &t.access_token).await.0, 200);
            // Still valid: the stored token is handed out, nothing is asked.
            let again = renew::access_token(&mut v, &lazy, name, Mode::IfNeeded)
                .await
                .expect(name);
            assert!(!again.renewed);
            assert_eq!(again.access_token.as_str(), t.access_token.as_str());
            assert_eq!(again.item.expiry(timefmt::now()).status, Status::Ok);
        }
        // The signature verifies against the provider's JWKS (found by discovery).
        let t = renew::access_token(&mut v, &lazy, "basic", Mode::IfNeeded)
            .await
            .expect("token");
        let ins = jwt::inspect(&t.access_token).expect("jwt");
        let eps = oauth::discover(&http, &p.issuer).await.expect("discovery");
        let jwks_url = eps.jwks_uri.expect("jwks_uri");
        let set: jsonwebtoken::jwk::JwkSet = http
            .get(&jwks_url)
            .send()
            .await
            .expect("jwks")
            .json()
            .await
            .expect("jwks json");
        let expect = Expect {
            issuer: Some(p.issuer.clone()),
            audience: Some(API.into()),
        };
        let ver = jwt::verify(
            &t.access_token,
            &ins,
            &VerifyKey::Jwks(set),
            &expect,
            timefmt::now(),
        );
        assert!(ver.ok, "{ver:?}");
    });
}

#[test]
fn a_wrong_secret_points_at_the_client_secret() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let mut v = new_vault(dir.path()).vault;
    v.add(client(
        "bad",
        &p.issuer,
        "kw-basic",
        "not-the-secret",
        ClientAuth::Basic,
        Grant::ClientCredentials,
    ))
    .expect("add");
    // The right secret with the other authentication method is refused too.
    v.add(client(
        "method",
        &p.issuer,
        "kw-basic",
        "kw-basic-secret",
        ClientAuth::Post,
        Grant::ClientCredentials,
    ))
    .expect("add");
    rt().block_on(async {
        let http = keywright_core::net::auth_client().expect("client");
        let lazy = keywright_core::net::LazyClient::from(http.clone());
        for name in ["bad", "method"] {
            let e = renew::access_token(&mut v, &lazy, name, Mode::IfNeeded)
                .await
                .expect_err(name);
            assert_eq!(e.kind(), "oauth", "{e}");
            let msg = e.to_string();
            assert!(
                msg.contains("invalid_client") && msg.contains("client secret"),
                "{msg}"
            );
            assert!(
                !msg.contains("not-the-secret") && !msg.contains("kw-basic-secret"),
                "{msg}"
            );
        }
    });
}

#[test]
fn an_expired_token_is_renewed_when_asked_for() {
    let p = Provider::start(4);
    let dir = tempfile::tempdir().expect("tmp");
    let mut v = new_vault(dir.path()).vault;
    v.add(basic(&p.issuer)).expect("add");
    rt().block_on(async {
        let http = keywright_core::net::auth_client().expect("client");
        let lazy = keywright_core::net::LazyClient::from(http.clone());
        let first = renew::access_token(&mut v, &lazy, "basic", Mode::IfNeeded)
            .await
            .expect("token");
        tokio::time::sleep(Duration::from_secs(5)).await;
        let (status, www) = call_api(&p.api("resource"), &first.access_token).await;
        assert_eq!(status, 401);
        assert!(
            www.contains("invalid_token") && www.contains("expired"),
            "{www}"
        );
        let second = renew::access_token(&mut v, &lazy, "basic", Mode::IfNeeded)
            .await
            .expect("renewed");
        assert!(second.renewed);
        assert_ne!(second.access_token.as_str(), first.access_token.as_str());
        assert_eq!(
            call_api(&p.api("resource"), &second.access_token).await.0,
            200
        );
        let log = v.audit_log(None).expect("log");
        let renewals = log
            .iter()
            .filter(|e| e.detail.as_deref().is_some_and(|d| d.contains("renewed")))
            .count();
        assert_eq!(renewals, 2);
    });
}

#[test]
fn browser_login_then_rotation_then_invalid_grant_needs_a_new_login() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let mut v = new_vault(dir.path()).vault;
    let mut item = client(
        "login",
        &p.issuer,
        "kw-basic",
        "kw-basic-secret",
        ClientAuth::Basic,
        Grant::AuthorizationCode,
    );
    if let Some(o) = item.oauth.as_mut() {
        o.scopes = vec!["openid".into(), "read".into()];
    }
    v.add(item).expect("add");
    let browsers = Mutex::new(Vec::new());
    rt().block_on(async {
        let http = keywright_core::net::auth_client().expect("client");
        let lazy = keywright_core::net::LazyClient::from(http.clone());
        // Not logged in yet: no token can be had without a person.
        let e = renew::access_token(&mut v, &lazy, "login", Mode::IfNeeded)
            .await
            .expect_err("no login");
        assert_eq!(e.kind(), "reauth_required", "{e}");
        assert!(e.to_string().contains("keywright login"), "{e}");

        let open = |url: &str| -> keywright_core::Result<()> {
            let q: std::collections::HashMap<String, String> = url::Url::parse(url)
                .expect("url")
                .query_pairs()
                .into_owned()
                .collect();
            assert_eq!(q["code_challenge_method"], "S256");
            assert!(q["scope"].contains("offline_access"), "{url}");
            assert!(q["redirect_uri"].starts_with("http://127.0.0.1:"), "{url}");
            browsers.lock().expect("lock").push(browse(url, "alice"));
            Ok(())
        };
        let t = renew::login(&mut v, &http, "login", LoginVia::Browser(&open))
            .await
            .expect("login");
        assert_eq!(t.grant, Some("authorization_code"));
        assert_eq!(call_api(&p.api("resource"), &t.access_token).await.0, 200);
        let st = v.oauth_state("login").expect("state");
        assert!(st.config.has_refresh_token && st.config.refresh_expires_at.is_some());
        let rt1 = st.secret.refresh_token.clone();

        // Rotation: a forced renewal stores a new refresh token.
        let t2 = renew::access_token(&mut v, &lazy, "login", Mode::Force)
            .await
            .expect("refresh");
        assert_eq!(t2.grant, Some("refresh_token"));
        let rt2 = v
            .oauth_state("login")
            .expect("state")
            .secret
            .refresh_token
            .clone();
        assert!(!rt2.is_empty() && rt2 != rt1, "the refresh token rotated");
        assert_eq!(call_api(&p.api("resource"), &t2.access_token).await.0, 200);

        // The old refresh token is refused now (and the provider revokes the grant).
        let eps = oauth::discover(&http, &p.issuer).await.expect("discovery");
        let cfg = st.config.clone();
        let old = oauth::token(
            &http,
            &eps.token,
            &cfg,
            "kw-basic-secret",
            GrantRequest::RefreshToken(&rt1),
        )
        .await;
        match old {
            Err(keywright_core::Error::OAuth { error, .. }) => assert_eq!(error, "invalid_grant"),
            other => panic!("the old refresh token still works: {other:?}"),
        }

        // The next renewal meets invalid_grant: the item needs a new login, and says so.
        let e = renew::access_token(&mut v, &lazy, "login", Mode::Force)
            .await
            .expect_err("revoked");
        assert_eq!(e.kind(), "reauth_required", "{e}");
        let item = v.find("login").expect("item");
        assert_eq!(item.expiry(timefmt::now()).status, Status::ReauthRequired);
        let st = v.oauth_state("login").expect("state");
        assert!(st.config.reauth_required && st.secret.refresh_token.is_empty());

        // Logging in again clears it.
        let t3 = renew::login(&mut v, &http, "login", LoginVia::Browser(&open))
            .await
            .expect("login again");
        assert_eq!(call_api(&p.api("resource"), &t3.access_token).await.0, 200);
        // The provider's refresh tokens live a day: inside the 7-day warning.
        let e = v.find("login").expect("item").expiry(timefmt::now());
        assert_eq!(e.status, Status::Expiring);
        assert!((e.expires_at.expect("refresh expiry") - timefmt::now() - 86_400).abs() < 60);
    });
    for mut b in browsers.into_inner().expect("lock") {
        assert!(b.wait().expect("browser").success());
    }
}

#[test]
fn device_login_shows_a_user_code_and_polls_until_approved() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let mut v = new_vault(dir.path()).vault;
    let mut item = client(
        "tv",
        &p.issuer,
        "kw-post",
        "kw-post-secret",
        ClientAuth::Post,
        Grant::DeviceCode,
    );
    if let Some(o) = item.oauth.as_mut() {
        o.scopes = vec!["openid".into(), "read".into()];
    }
    v.add(item).expect("add");
    let approvals = Mutex::new(Vec::new());
    rt().block_on(async {
        let http = keywright_core::net::auth_client().expect("client");
        let show = |d: &renew::DevicePrompt| {
            assert!(!d.user_code.is_empty() && d.verification_uri.starts_with("http://127.0.0.1:"));
            approvals.lock().expect("lock").push(approve_device(
                &d.verification_uri,
                &d.user_code,
                false,
            ));
        };
        let t = renew::login(&mut v, &http, "tv", LoginVia::Device(&show))
            .await
            .expect("device login");
        assert_eq!(t.grant, Some("device_code"));
        assert_eq!(call_api(&p.api("resource"), &t.access_token).await.0, 200);
        assert!(v.oauth_state("tv").expect("state").config.has_refresh_token);

        // Refused at the device page: the login fails and says why.
        let deny = |d: &renew::DevicePrompt| {
            approvals.lock().expect("lock").push(approve_device(
                &d.verification_uri,
                &d.user_code,
                true,
            ));
        };
        let e = renew::login(&mut v, &http, "tv", LoginVia::Device(&deny))
            .await
            .expect_err("denied");
        assert!(e.to_string().contains("access_denied"), "{e}");
    });
    for mut a in approvals.into_inner().expect("lock") {
        let _ = a.wait();
    }
}

#[test]
fn concurrent_renewals_of_one_item_make_one_request() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let created = new_vault(dir.path());
    let path = created.vault.path().to_owned();
    let mut v = created.vault;
    v.add(basic(&p.issuer)).expect("add");
    let open = || {
        let mut o = Vault::open(&path).expect("open");
        o.unlock_with_password(&pw(PASSWORD)).expect("unlock");
        o
    };
    let (mut a, mut b, mut c) = (open(), open(), open());
    rt().block_on(async {
        let http = keywright_core::net::auth_client().expect("client");
        let lazy = keywright_core::net::LazyClient::from(http.clone());
        let (ta, tb, tc) = tokio::join!(
            renew::access_token(&mut a, &lazy, "basic", Mode::IfNeeded),
            renew::access_token(&mut b, &lazy, "basic", Mode::IfNeeded),
            renew::access_token(&mut c, &lazy, "basic", Mode::IfNeeded),
        );
        let (ta, tb, tc) = (ta.expect("a"), tb.expect("b"), tc.expect("c"));
        assert_eq!(ta.access_token.as_str(), tb.access_token.as_str());
        assert_eq!(tb.access_token.as_str(), tc.access_token.as_str());
    });
    let log = v.audit_log(None).expect("log");
    let renewals = log
        .iter()
        .filter(|e| e.detail.as_deref().is_some_and(|d| d.contains("renewed")))
        .count();
    assert_eq!(renewals, 1, "three callers, one token request");
}

/// A one-document HTTP server on `l`: answers every request with `body` as JSON. Stops
/// with the test process.
fn serve(l: std::net::TcpListener, body: String) {
    use std::io::{Read as _, Write as _};
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
}

#[test]
fn discovery_requires_the_issuer_and_safe_endpoints() {
    let http = keywright_core::net::auth_client().expect("client");
    // A document without `issuer`: refused (it cannot be checked to be this issuer's),
    // and every document that names its issuer but one bad endpoint.
    let cases = [
        ("issuer", "", "has no issuer"),
        (
            "token_endpoint",
            "http://auth.example/token",
            "must use https",
        ),
        ("authorization_endpoint", "file:///etc/passwd", "not file:"),
        (
            "authorization_endpoint",
            "javascript:alert(1)",
            "not javascript:",
        ),
        (
            "device_authorization_endpoint",
            "http://auth.example/device",
            "must use https",
        ),
        ("jwks_uri", "ftp://auth.example/jwks", "not ftp:"),
    ];
    for (field, value, why) in cases {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let issuer = format!("http://{}", l.local_addr().expect("addr"));
        let mut doc = serde_json::json!({
            "issuer": issuer,
            "token_endpoint": format!("{issuer}/token"),
        });
        if value.is_empty() {
            doc.as_object_mut().expect("object").remove(field);
        } else {
            doc[field] = serde_json::Value::from(value);
        }
        serve(l, doc.to_string());
        let e = rt()
            .block_on(oauth::discover(&http, &issuer))
            .expect_err(field);
        let m = e.to_string();
        assert_eq!(e.kind(), "network", "{m}");
        assert!(m.contains(field) && m.contains(why), "{field}: {m}");
    }
    // A cleartext issuer that is not this machine is refused before any request.
    let e = rt()
        .block_on(oauth::discover(&http, "http://issuer.example"))
        .expect_err("cleartext");
    assert_eq!(
        e.to_string(),
        "Invalid issuer: must use https (http is allowed only for loopback hosts such as 127.0.0.1)"
    );
}

#[test]
fn the_opener_gets_web_urls_only() {
    for bad in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "x-custom://run",
    ] {
        let e = keywright_core::oauth::loopback::open_browser(bad).expect_err(bad);
        assert_eq!(e.kind(), "invalid_input", "{e}");
    }
}

/// Two devices of one vault, synced through a folder, share an OAuth item whose provider
/// rotates refresh tokens and revokes the grant when an old one comes back (oidc-provider's
/// reuse detection). A renewal reads the other devices' changes first: B renews with the
/// token A rotated, and the grant lives on. When B cannot have seen A's rotation (A never
/// wrote it out), B's renewal with the old token ends cleanly in `reauth_required`; a new
/// login on B reaches A through the sync.
#[test]
fn synced_devices_renew_with_the_rotated_refresh_token() {
    use keywright_core::vault::sync::JoinSecret;

    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let mut a = new_vault(dir.path()).vault;
    let mut item = client(
        "login",
        &p.issuer,
        "kw-basic",
        "kw-basic-secret",
        ClientAuth::Basic,
        Grant::AuthorizationCode,
    );
    if let Some(o) = item.oauth.as_mut() {
        o.scopes = vec!["openid".into(), "read".into()];
    }
    a.add(item).expect("add");
    let browsers = Mutex::new(Vec::new());
    let open = |url: &str| -> keywright_core::Result<()> {
        browsers.lock().expect("lock").push(browse(url, "alice"));
        Ok(())
    };
    let shared = dir.path().join("Sync");
    rt().block_on(async {
        let http = keywright_core::net::auth_client().expect("client");
        let lazy = keywright_core::net::LazyClient::from(http.clone());
        renew::login(&mut a, &http, "login", LoginVia::Browser(&open))
            .await
            .expect("login");
        a.sync_init(&shared, Some("laptop")).expect("sync init");
        let (mut b, _) = Vault::sync_join(
            &shared,
            &dir.path().join("b.db"),
            &JoinSecret::Password(pw(PASSWORD)),
            None,
            Some("desktop"),
        )
        .expect("join");
        let rt_of = |v: &mut Vault| {
            v.oauth_state("login")
                .expect("state")
                .secret
                .refresh_token
                .clone()
        };
        assert_eq!(rt_of(&mut a), rt_of(&mut b));

        // A rotates (and its pass writes it out); B renews: it reads A's change first and
        // sends the new refresh token, so the grant survives.
        let ta = renew::access_token(&mut a, &lazy, "login", Mode::Force)
            .await
            .expect("A renews");
        assert_eq!(ta.grant, Some("refresh_token"));
        a.sync_now().expect("A syncs");
        // B's first ask finds the token A just renewed (read in its pass): no request.
        let tb = renew::access_token(&mut b, &lazy, "login", Mode::Force)
            .await
            .expect("B gets A's token");
        assert_eq!(tb.access_token.as_str(), ta.access_token.as_str());
        let tb = renew::access_token(&mut b, &lazy, "login", Mode::Force)
            .await
            .expect("B renews with A's rotated token");
        assert_eq!(tb.grant, Some("refresh_token"));
        assert_eq!(call_api(&p.api("resource"), &tb.access_token).await.0, 200);
        // And A gets B's rotation before its next renewal: still no reuse.
        let ta2 = renew::access_token(&mut a, &lazy, "login", Mode::Force)
            .await
            .expect("A renews again");
        assert_eq!(call_api(&p.api("resource"), &ta2.access_token).await.0, 200);
        a.sync_now().expect("A syncs");
        b.sync_now().expect("B syncs");
        assert_eq!(rt_of(&mut a), rt_of(&mut b));

        // A rotates without writing it out (its folder is away); B cannot know and sends
        // the old token: the provider revokes the grant, and B says a login is needed.
        let away = dir.path().join("Sync-away");
        std::fs::rename(&shared, &away).expect("move");
        renew::access_token(&mut a, &lazy, "login", Mode::Force)
            .await
            .expect("A renews offline");
        std::fs::rename(&away, &shared).expect("back");
        let e = {
            // B's pass sees nothing new of A (A's rotation is not in the folder).
            renew::access_token(&mut b, &lazy, "login", Mode::Force)
                .await
                .expect_err("old token")
        };
        assert_eq!(e.kind(), "reauth_required", "{e}");
        assert!(e.to_string().contains("keywright login"), "{e}");
        // A new login on B reaches A.
        renew::login(&mut b, &http, "login", LoginVia::Browser(&open))
            .await
            .expect("login on B");
        b.sync_now().expect("B syncs");
        let ta3 = renew::access_token(&mut a, &lazy, "login", Mode::Force)
            .await
            .expect("A renews after B's login");
        assert_eq!(call_api(&p.api("resource"), &ta3.access_token).await.0, 200);
    });
    for mut b in browsers.into_inner().expect("lock") {
        assert!(b.wait().expect("browser").success());
    }
}
