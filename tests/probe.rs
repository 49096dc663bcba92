//! Test requests against REAL peers on 127.0.0.1: httpbin (PyPI, under gunicorn), the
//! OpenID provider's test API (tests/oidc), a self-signed TLS server, a closed port, a
//! server that never answers, and a `.invalid` name. Every diagnosis kind is reached
//! through a real exchange.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use keywright_core::probe::{Attach, DiagnosisKind, RequestSpec, send};
use keywright_core::timefmt;
use zeroize::Zeroizing;

use crate::peers::Provider;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn venv_bin(name: &str) -> std::path::PathBuf {
    let py = std::env::var("KEYWRIGHT_TEST_PYTHON")
        .unwrap_or_else(|_| format!("{}/../.venv/bin/python", env!("CARGO_MANIFEST_DIR")));
    std::path::Path::new(&py).with_file_name(name)
}

/// httpbin under gunicorn on a free port; stopped when dropped.
pub struct Httpbin {
    child: Child,
    port: u16,
}

impl Httpbin {
    pub fn start() -> Httpbin {
        let port = free_port();
        let gunicorn = venv_bin("gunicorn");
        assert!(
            gunicorn.exists(),
            "{} is missing: scripts/install-deps.sh installs httpbin and gunicorn",
            gunicorn.display()
        );
        let child = Command::new(gunicorn)
            .args(["-b", &format!("127.0.0.1:{port}"), "-w", "2", "httpbin:app"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gunicorn");
        // From here the guard reaps it, on every path.
        let hb = Httpbin { child, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return hb;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("httpbin did not start");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Httpbin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn secret(s: &str) -> Zeroizing<String> {
    Zeroizing::new(s.to_owned())
}

fn body_json(o: &keywright_core::probe::Outcome) -> serde_json::Value {
    serde_json::from_slice(&o.response.as_ref().expect("response").body).expect("json body")
}

#[test]
fn credentials_are_attached_per_kind_and_failures_are_named() {
    let hb = Httpbin::start();
    let now = timefmt::now();
    rt().block_on(async {
        let get = |p: &str| RequestSpec::get(hb.url(p));
        let o = send(
            &get("/bearer"),
            &Attach::Bearer(secret("tok_123")),
            None,
            now,
        )
        .await
        .expect("send");
        assert_eq!(o.diagnosis.kind, DiagnosisKind::Ok, "{:?}", o.diagnosis);
        assert_eq!(body_json(&o)["token"], "tok_123");
        assert!(o.timing.total_ms >= o.timing.ttfb_ms);
        assert!(
            o.response
                .as_ref()
                .and_then(|r| r.remote_addr.clone())
                .is_some_and(|a| a.starts_with("127.0.0.1:"))
        );

        let o = send(&get("/bearer"), &Attach::None, None, now)
            .await
            .expect("send");
        assert_eq!(o.diagnosis.kind, DiagnosisKind::InvalidCredentials);
        assert!(
            o.diagnosis.message.contains("none was sent"),
            "{}",
            o.diagnosis.message
        );

        let basic = |pw: &str| Attach::Basic {
            user: "u".into(),
            password: secret(pw),
        };
        let ok = send(&get("/basic-auth/u/p"), &basic("p"), None, now)
            .await
            .expect("send");
        assert_eq!(ok.diagnosis.kind, DiagnosisKind::Ok);
        let bad = send(&get("/basic-auth/u/p"), &basic("nope"), None, now)
            .await
            .expect("send");
        assert_eq!(bad.diagnosis.kind, DiagnosisKind::InvalidCredentials);
        assert!(
            bad.diagnosis.message.contains("user name or password"),
            "{}",
            bad.diagnosis.message
        );

        let key = Attach::Header {
            name: "X-API-Key".into(),
            value: secret("sk_live_hdr"),
        };
        let o = send(&get("/headers"), &key, None, now).await.expect("send");
        assert_eq!(body_json(&o)["headers"]["X-Api-Key"], "sk_live_hdr");
        let q = Attach::Query {
            name: "api_key".into(),
            value: secret("sk_live_q"),
        };
        let o = send(&get("/get?x=1"), &q, None, now).await.expect("send");
        assert_eq!(body_json(&o)["args"]["api_key"], "sk_live_q");
        assert!(
            !o.response
                .as_ref()
                .expect("r")
                .final_url
                .contains("sk_live_q"),
            "the key is not in the URL shown"
        );

        // A known expiry in the past turns a 401 into expired_token, with the fix.
        let o = send(
            &get("/status/401"),
            &Attach::Bearer(secret("t")),
            Some(now - 60),
            now,
        )
        .await
        .expect("send");
        assert_eq!(o.diagnosis.kind, DiagnosisKind::ExpiredToken);
        let o = send(
            &get("/status/403"),
            &Attach::Bearer(secret("t")),
            Some(now + 600),
            now,
        )
        .await
        .expect("send");
        assert_eq!(o.diagnosis.kind, DiagnosisKind::InvalidCredentials);
        let o = send(&get("/status/429"), &key, None, now)
            .await
            .expect("send");
        assert_eq!(
            (o.diagnosis.kind, o.diagnosis.retry_after_s),
            (DiagnosisKind::RateLimited, None)
        );
        assert_eq!(
            send(&get("/status/404"), &key, None, now)
                .await
                .expect("send")
                .diagnosis
                .kind,
            DiagnosisKind::ClientError
        );
        assert_eq!(
            send(&get("/status/503"), &key, None, now)
                .await
                .expect("send")
                .diagnosis
                .kind,
            DiagnosisKind::ServerError
        );
    });
}

#[test]
fn redirects_keep_credentials_on_the_host_only() {
    let hb = Httpbin::start();
    let now = timefmt::now();
    rt().block_on(async {
        let key = Attach::Header {
            name: "X-API-Key".into(),
            value: secret("sk_live_redirect"),
        };
        let bearer = Attach::Bearer(secret("tok_redirect"));
        // Same host: kept.
        let o = send(
            &RequestSpec::get(hb.url("/redirect-to?url=/headers")),
            &key,
            None,
            now,
        )
        .await
        .expect("send");
        assert_eq!(o.response.as_ref().expect("r").redirects, 1);
        assert_eq!(body_json(&o)["headers"]["X-Api-Key"], "sk_live_redirect");
        // Another host (localhost is not 127.0.0.1): dropped, header and bearer alike.
        let other = format!("http://localhost:{}/headers", hb.port);
        for a in [&key, &bearer] {
            let url = hb.url(&format!(
                "/redirect-to?url={}",
                url::form_urlencoded::byte_serialize(other.as_bytes()).collect::<String>()
            ));
            let o = send(&RequestSpec::get(url), a, None, now)
                .await
                .expect("send");
            let h = &body_json(&o)["headers"];
            assert!(
                h.get("X-Api-Key").is_none() && h.get("Authorization").is_none(),
                "{h}"
            );
        }
        let o = send(&RequestSpec::get(hb.url("/redirect/3")), &key, None, now)
            .await
            .expect("send");
        assert_eq!(
            (o.diagnosis.kind, o.response.as_ref().map(|r| r.redirects)),
            (DiagnosisKind::Ok, Some(3))
        );
        let o = send(&RequestSpec::get(hb.url("/redirect/12")), &key, None, now)
            .await
            .expect("send");
        assert_eq!(o.diagnosis.kind, DiagnosisKind::TooManyRedirects);
    });
}

#[test]
fn the_oauth_test_api_says_expired_scope_ip_and_rate_limit() {
    let p = Provider::start(4);
    let now = timefmt::now();
    rt().block_on(async {
        let http = keywright_core::net::auth_client().expect("client");
        let eps = keywright_core::oauth::discover(&http, &p.issuer)
            .await
            .expect("discovery");
        let cfg = keywright_core::credential::OAuthConfig {
            client_id: "kw-basic".into(),
            scopes: vec!["read".into()],
            audience: Some("urn:keywright:test-api".into()),
            ..Default::default()
        };
        let t = keywright_core::oauth::token(
            &http,
            &eps.token,
            &cfg,
            "kw-basic-secret",
            keywright_core::oauth::GrantRequest::ClientCredentials,
        )
        .await
        .expect("token");
        let bearer = Attach::Bearer(secret(&t.access_token));
        let o = send(&RequestSpec::get(p.api("resource")), &bearer, None, now)
            .await
            .expect("send");
        assert_eq!(o.diagnosis.kind, DiagnosisKind::Ok);
        let o = send(
            &RequestSpec::get(p.api("resource?scope=admin")),
            &bearer,
            None,
            now,
        )
        .await
        .expect("send");
        assert_eq!(o.diagnosis.kind, DiagnosisKind::InsufficientScope);
        assert!(
            o.diagnosis.message.contains("\"admin\""),
            "{}",
            o.diagnosis.message
        );
        let o = send(&RequestSpec::get(p.api("ip-blocked")), &bearer, None, now)
            .await
            .expect("send");
        assert_eq!(o.diagnosis.kind, DiagnosisKind::IpNotAllowed);
        let o = send(&RequestSpec::get(p.api("limited")), &bearer, None, now)
            .await
            .expect("send");
        assert_eq!(
            (o.diagnosis.kind, o.diagnosis.retry_after_s),
            (DiagnosisKind::RateLimited, Some(3))
        );
        // After its TTL the server says the token expired (no expiry known to the vault).
        tokio::time::sleep(Duration::from_secs(5)).await;
        let o = send(
            &RequestSpec::get(p.api("resource")),
            &bearer,
            None,
            timefmt::now(),
        )
        .await
        .expect("send");
        assert_eq!(
            o.diagnosis.kind,
            DiagnosisKind::ExpiredToken,
            "{:?}",
            o.diagnosis
        );
        assert_eq!(
            o.diagnosis.action,
            Some(keywright_core::probe::FixAction::RenewAndRetry)
        );
    });
}

/// A TLS server with a self-signed certificate (made by openssl for this test).
fn self_signed_server() -> (Child, u16, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tmp");
    let (key, cert) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let st = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(st.success());
    let port = free_port();
    let script = format!(
        "import http.server, ssl\n\
         s = http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler)\n\
         c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain({:?}, {:?})\n\
         s.socket = c.wrap_socket(s.socket, server_side=True)\n\
         s.serve_forever()\n",
        cert.display().to_string(),
        key.display().to_string()
    );
    let child = Command::new(venv_bin("python"))
        .args(["-c", &script])
        .stderr(Stdio::null())
        .spawn()
        .expect("python");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port, dir)
}

#[test]
fn transport_failures_say_what_happened() {
    let now = timefmt::now();
    let (mut tls, tls_port, _dir) = self_signed_server();
    // Accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent_port = silent.local_addr().expect("addr").port();
    let closed = free_port();
    rt().block_on(async {
        let o = send(
            &RequestSpec::get(format!("https://127.0.0.1:{tls_port}/")),
            &Attach::None,
            None,
            now,
        )
        .await
        .expect("send");
        assert_eq!(
            o.diagnosis.kind,
            DiagnosisKind::TlsError,
            "{:?}",
            o.diagnosis
        );
        assert!(
            o.diagnosis.message.to_lowercase().contains("certificate")
                || o.diagnosis.message.contains("TLS"),
            "{}",
            o.diagnosis.message
        );
        let o = send(
            &RequestSpec::get("http://keywright-test.invalid/"),
            &Attach::None,
            None,
            now,
        )
        .await
        .expect("send");
        assert_eq!(
            o.diagnosis.kind,
            DiagnosisKind::DnsError,
            "{:?}",
            o.diagnosis
        );
        // A key in the query never reaches a message (reqwest's own text has the URL).
        let q = Attach::Query {
            name: "api_key".into(),
            value: secret("sk_live_DNSLEAK_1"),
        };
        let o = send(
            &RequestSpec::get("http://keywright-test.invalid/x?a=1"),
            &q,
            None,
            now,
        )
        .await
        .expect("send");
        assert!(
            !format!("{:?}", o.diagnosis).contains("DNSLEAK"),
            "{:?}",
            o.diagnosis
        );
        let o = send(
            &RequestSpec::get(format!("http://127.0.0.1:{closed}/")),
            &Attach::None,
            None,
            now,
        )
        .await
        .expect("send");
        assert_eq!(
            o.diagnosis.kind,
            DiagnosisKind::ConnectionRefused,
            "{:?}",
            o.diagnosis
        );
        assert!(o.diagnosis.message.contains(&closed.to_string()));
        let mut spec = RequestSpec::get(format!("http://127.0.0.1:{silent_port}/"));
        spec.timeout = Duration::from_secs(1);
        let o = send(&spec, &Attach::None, None, now).await.expect("send");
        assert_eq!(
            o.diagnosis.kind,
            DiagnosisKind::Timeout,
            "{:?}",
            o.diagnosis
        );
        assert!(o.timing.total_ms >= 900);
        let e = send(
            &RequestSpec::get("ftp://example.invalid/"),
            &Attach::None,
            None,
            now,
        )
        .await
        .expect_err("scheme");
        assert!(e.to_string().contains("http and https"));
    });
    drop(silent);
    let _ = tls.kill();
    let _ = tls.wait();
}

fn redirect_to(from: &Httpbin, to: &str, status: u16) -> String {
    from.url(&format!(
        "/redirect-to?status_code={status}&url={}",
        url::form_urlencoded::byte_serialize(to.as_bytes()).collect::<String>()
    ))
}

#[test]
fn redirects_to_another_origin_carry_no_typed_secret_and_no_body() {
    let a = Httpbin::start();
    // Another port is another origin.
    let b = Httpbin::start();
    let now = timefmt::now();
    let key = Attach::Header {
        name: "X-Item-Key".into(),
        value: secret("sk_live_item_key"),
    };
    let mut spec = RequestSpec::get(redirect_to(&a, &b.url("/anything"), 302));
    spec.headers = vec![
        ("Authorization".into(), "Bearer typed_tok_1".into()),
        ("Proxy-Authorization".into(), "Basic typed_proxy".into()),
        ("Cookie".into(), "sid=typed_cookie".into()),
        ("X-Auth-Token".into(), "typed_auth_token".into()),
        ("X-Code".into(), "123456".into()),
        ("X-Trace".into(), "42".into()),
    ];
    // As a {{totp:}} placeholder fills it: a secret whatever its name.
    spec.filled_headers = vec!["X-Code".into()];
    rt().block_on(async {
        let o = send(&spec, &key, None, now).await.expect("send");
        let r = o.response.as_ref().expect("response");
        assert_eq!((r.status, r.redirects), (200, 1));
        let echoed = String::from_utf8_lossy(&r.body).into_owned();
        for s in [
            "typed_tok_1",
            "typed_proxy",
            "typed_cookie",
            "typed_auth_token",
            "123456",
            "sk_live_item_key",
        ] {
            assert!(
                !echoed.contains(s),
                "{s} reached the other origin: {echoed}"
            );
        }
        assert_eq!(body_json(&o)["headers"]["X-Trace"], "42");
        assert!(
            o.diagnosis.message.contains("not sent there")
                && o.diagnosis.message.contains("Authorization")
                && o.diagnosis.message.contains("X-Item-Key"),
            "{}",
            o.diagnosis.message
        );

        // The same request redirected within its origin keeps everything.
        let mut same = spec.clone();
        same.url = redirect_to(&a, "/anything", 302);
        let o = send(&same, &key, None, now).await.expect("send");
        let h = &body_json(&o)["headers"];
        assert_eq!(h["Authorization"], "Bearer typed_tok_1");
        assert_eq!(h["X-Code"], "123456");
        assert_eq!(h["X-Item-Key"], "sk_live_item_key");

        // 307/308 resend the body: within the origin, yes; to another origin, no.
        for status in [307, 308] {
            let mut post = RequestSpec::get(redirect_to(&a, "/anything", status));
            post.method = keywright_core::probe::Method::POST;
            post.body = Some(b"password=typed_body_secret".to_vec());
            let o = send(&post, &key, None, now).await.expect("send");
            assert_eq!(body_json(&o)["data"], "password=typed_body_secret");
            assert_eq!(o.response.as_ref().map(|r| r.redirects), Some(1));

            post.url = redirect_to(&a, &b.url("/anything"), status);
            let o = send(&post, &key, None, now).await.expect("send");
            let r = o.response.as_ref().expect("the redirect itself");
            assert_eq!((r.status, r.redirects), (status, 0));
            assert!(
                r.final_url.starts_with(&a.url("/redirect-to")),
                "{}",
                r.final_url
            );
            assert_eq!(o.diagnosis.kind, DiagnosisKind::RedirectRefused);
            assert!(
                o.diagnosis.message.contains("was not followed")
                    && o.diagnosis.message.contains("to another origin"),
                "{}",
                o.diagnosis.message
            );
        }
        // 303 turns the POST into a GET without a body: followed, the body stays home.
        let mut post = RequestSpec::get(redirect_to(&a, &b.url("/anything"), 303));
        post.method = keywright_core::probe::Method::POST;
        post.body = Some(b"password=typed_body_secret".to_vec());
        let o = send(&post, &key, None, now).await.expect("send");
        let v = body_json(&o);
        assert_eq!(
            (v["method"].as_str(), v["data"].as_str()),
            (Some("GET"), Some(""))
        );
    });
}
