//! `keywright request` end to end against real httpbin and the real OpenID provider.

use serde_json::Value;

use crate::common::*;
use crate::peers::Provider;
use crate::probe::Httpbin;

#[test]
fn request_attaches_the_key_and_exits_by_the_diagnosis() {
    let hb = Httpbin::start();
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "api-key", "echo", "--header", "X-API-Key"],
        "sk_live_cli_req\n",
    );
    cli.ok(
        &["add", "basic", "jenkins", "--username", "u"],
        "wrong-password\n",
    );
    let v = cli.ok(
        &[
            "request",
            "echo",
            &hb.url("/headers"),
            "-H",
            "Accept: application/json",
            "--body",
        ],
        "",
    );
    assert_eq!(
        keys(&v),
        [
            "body",
            "diagnosis",
            "headers",
            "ok",
            "redacted",
            "remote_addr",
            "renewed",
            "status",
            "timing_ms"
        ]
    );
    assert_eq!(
        (v["status"].clone(), v["ok"].clone()),
        (Value::from(200), Value::Bool(true))
    );
    assert_eq!(v["diagnosis"]["kind"], "ok");
    // The server's echo of the key is redacted unless asked for (and that is audited).
    let body: Value = serde_json::from_str(v["body"].as_str().expect("body")).expect("json");
    assert_eq!(body["headers"]["X-Api-Key"], "[redacted]");
    assert_eq!(v["redacted"], 1);
    assert!(!v.to_string().contains("sk_live_cli_req"), "{v}");
    let shown_before = cli
        .ok(&["log", "echo"], "")
        .as_array()
        .expect("log")
        .iter()
        .filter(|e| {
            e["detail"]
                .as_str()
                .is_some_and(|d| d.contains("--show-secrets"))
        })
        .count();
    assert_eq!(shown_before, 0);
    let v = cli.ok(
        &[
            "request",
            "echo",
            &hb.url("/headers"),
            "--body",
            "--show-secrets",
        ],
        "",
    );
    let body: Value = serde_json::from_str(v["body"].as_str().expect("body")).expect("json");
    assert_eq!(body["headers"]["X-Api-Key"], "sk_live_cli_req");
    assert_eq!(v["redacted"], 0);
    let log = cli.ok(&["log", "echo"], "");
    let shown = log
        .as_array()
        .expect("log")
        .iter()
        .filter(|e| {
            e["detail"]
                .as_str()
                .is_some_and(|d| d.contains("--show-secrets"))
        })
        .count();
    assert_eq!(shown, 1, "{log}");
    // The human output says so too.
    let out = cli
        .cmd()
        .args([
            "--password-stdin",
            "request",
            "echo",
            &hb.url("/headers"),
            "--body",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("sk_live_cli_req"), "{text}");
    assert!(
        text.contains("1 echo of the credential or a 2FA code replaced by [redacted]"),
        "{text}"
    );
    assert!(
        v["timing_ms"]["total"].as_u64().is_some() && v["timing_ms"]["ttfb"].as_u64().is_some()
    );

    let (ok, v) = cli.json(&["request", "jenkins", &hb.url("/basic-auth/u/p")], "");
    assert!(!ok, "exit 1 when the diagnosis is not ok");
    assert_eq!(v["diagnosis"]["kind"], "invalid_credentials");
    assert_eq!(v["diagnosis"]["action"], "edit_key");
    assert!(v.get("body").is_none(), "no body without --body");

    // POST with a body, and the human output.
    let out = cli
        .cmd()
        .args([
            "--password-stdin",
            "request",
            "echo",
            &hb.url("/post"),
            "-d",
            r#"{"a":1}"#,
            "-H",
            "Content-Type: application/json",
            "--body",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.starts_with("HTTP 200 · "), "{text}");
    assert!(text.contains("ok: HTTP 200: the request worked"), "{text}");
    assert!(text.contains("\"a\": 1"), "pretty-printed JSON: {text}");

    // {{totp:NAME}}: the current code, computed when the request is sent.
    cli.ok(&["add", "totp", "gh"], "JBSWY3DPEHPK3PXP\n");
    let v = cli.ok(
        &[
            "request",
            "echo",
            &hb.url("/headers"),
            "-H",
            "X-OTP: {{totp:gh}}",
            "--body",
            "--show-secrets",
        ],
        "",
    );
    let code = cli.ok(&["totp", "gh"], "")["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let body: Value = serde_json::from_str(v["body"].as_str().expect("body")).expect("json");
    let sent = body["headers"]["X-Otp"]
        .as_str()
        .expect("header")
        .to_owned();
    assert!(
        sent.len() == 6 && sent.chars().all(|c| c.is_ascii_digit()),
        "{sent}"
    );
    // The same code unless the period turned between the two commands.
    let later = cli.ok(&["totp", "gh"], "")["code"]
        .as_str()
        .expect("code")
        .to_owned();
    assert!(
        sent == code || sent == later || code != later,
        "{sent} vs {code}"
    );
    let e = cli.err(
        &["request", "echo", &hb.url("/get"), "-H", "X: {{totp:nope}}"],
        "",
        "not_found",
    );
    assert!(e.contains("nope"), "{e}");

    // A pasted curl command (from stdin): its Authorization header is dropped for the item's key.
    let curl = format!(
        "curl '{}' \\\n  -H 'Authorization: Bearer sk_pasted_secret' -H 'X-Trace: 42' -d 'a=1'\n",
        hb.url("/post")
    );
    let out = cli
        .cmd()
        .args([
            "--password-stdin",
            "--json",
            "request",
            "echo",
            "--curl",
            "--body",
        ])
        .write_stdin(format!("{PASSWORD}\n{curl}"))
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["status"], 200, "{v}");
    let body: Value = serde_json::from_str(v["body"].as_str().expect("body")).expect("json");
    assert_eq!(body["form"]["a"], "1");
    assert_eq!(body["headers"]["X-Trace"], "42");
    assert_eq!(body["headers"]["X-Api-Key"], "[redacted]");
    assert!(body["headers"].get("Authorization").is_none(), "{body}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Authorization header: the item's credential is attached instead")
    );

    let e = cli.err(
        &[
            "request",
            "echo",
            &hb.url("/get"),
            "-H",
            "Authorization Bearer sk_typed_nocolon",
        ],
        "",
        "invalid_input",
    );
    assert!(
        !e.contains("sk_typed_nocolon") && e.contains("Name: value"),
        "{e}"
    );
    let e = cli.err(&["request", "echo", "not a url"], "", "invalid_input");
    assert!(
        e.contains("The URL does not look like a web address. Enter it like https://"),
        "{e}"
    );
    let (ok, v) = cli.json(&["request", "echo", "http://keywright-test.invalid/"], "");
    assert!(!ok);
    assert_eq!(
        (v["status"].clone(), v["diagnosis"]["kind"].clone()),
        (Value::Null, Value::from("dns_error"))
    );
    // Said once, in words, with what to do: not the resolver's chain.
    let m = v["diagnosis"]["message"].as_str().unwrap_or_default();
    assert!(
        m.starts_with("The name keywright-test.invalid could not be found.")
            && !m.contains("dns error")
            && !m.contains("failed to lookup"),
        "{m}"
    );
}

#[test]
fn an_expired_oauth_token_is_renewed_and_the_request_sent_again() {
    let p = Provider::start(60);
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &[
            "add",
            "oauth2",
            "svc",
            "--issuer",
            &p.issuer,
            "--client-id",
            "kw-basic",
            "--scope",
            "read",
            "--audience",
            "urn:keywright:test-api",
        ],
        "kw-basic-secret\n",
    );
    let first = cli.ok(&["request", "svc", &p.api("resource")], "");
    assert_eq!(
        (first["ok"].clone(), first["renewed"].clone()),
        (Value::Bool(true), Value::Bool(true)),
        "{first}"
    );
    // The server stops accepting the stored token while the vault still thinks it valid (a
    // revoked or skewed token): replace it with an expired one the vault believes in.
    {
        let mut v = keywright_core::Vault::open(&cli.vault()).expect("open");
        v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
        let id = v.find("svc").expect("item").id;
        v.apply_oauth(&id, "test: a token the server refuses", |c, s| {
            c.access_expires_at = Some(keywright_core::timefmt::now() + 3600);
            s.access_token = "eyJhbGciOiJub25lIn0.e30.sig".into();
            Ok(())
        })
        .expect("apply");
    }
    let (ok, v) = cli.json(&["request", "svc", &p.api("resource"), "--no-retry"], "");
    assert!(!ok);
    assert_eq!(v["status"], 401, "{v}");
    assert_eq!(v["renewed"], false);
    let v = cli.ok(&["request", "svc", &p.api("resource")], "");
    assert_eq!(
        (v["status"].clone(), v["renewed"].clone()),
        (Value::from(200), Value::Bool(true)),
        "{v}"
    );
    let (ok, v) = cli.json(&["request", "svc", &p.api("resource?scope=admin")], "");
    assert!(!ok);
    assert_eq!(v["diagnosis"]["kind"], "insufficient_scope");
    let (_, v) = cli.json(&["request", "svc", &p.api("limited")], "");
    assert_eq!(
        (
            v["diagnosis"]["kind"].clone(),
            v["diagnosis"]["retry_after_s"].clone()
        ),
        (Value::from("rate_limited"), Value::from(3))
    );
}

#[test]
fn history_keeps_requests_with_every_secret_redacted() {
    let hb = Httpbin::start();
    let cli = Cli::new();
    cli.init();
    let canary = "sk_live_HISTORY_CANARY_9f8e7d";
    cli.ok(
        &["add", "api-key", "hdr", "--header", "X-API-Key"],
        &format!("{canary}\n"),
    );
    cli.ok(
        &["add", "api-key", "qry", "--query", "api_key"],
        &format!("{canary}\n"),
    );
    cli.ok(
        &["add", "bearer", "tok"],
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.HISTORYSIG\n",
    );
    cli.ok(
        &["add", "basic", "ci", "--username", "ci-bot"],
        "HistoryPassw0rd!\n",
    );
    cli.ok(&["add", "totp", "gh"], "JBSWY3DPEHPK3PXP\n");
    cli.ok(
        &[
            "request",
            "hdr",
            &hb.url("/headers"),
            "-H",
            "X-OTP: {{totp:gh}}",
            "-H",
            "Cookie: sid=COOKIECANARY",
        ],
        "",
    );
    cli.ok(&["request", "qry", &hb.url("/get?page=2")], "");
    cli.ok(&["request", "tok", &hb.url("/bearer")], "");
    let _ = cli.json(&["request", "ci", &hb.url("/basic-auth/ci-bot/other")], "");
    let code = cli.ok(&["totp", "gh"], "")["code"]
        .as_str()
        .expect("code")
        .to_owned();

    let h = cli.ok(&["history", "hdr"], "");
    assert_eq!(h.as_array().map(Vec::len), Some(1));
    let e = &h[0];
    assert_eq!(
        (
            e["method"].clone(),
            e["status"].clone(),
            e["diagnosis"].clone()
        ),
        ("GET".into(), 200.into(), "ok".into())
    );
    let q = cli.ok(&["history", "qry"], "");
    assert_eq!(
        q[0]["url"]
            .as_str()
            .map(|u| u.ends_with("/get?page=2&api_key=[redacted]")),
        Some(true),
        "{q}"
    );
    let b = cli.ok(&["history", "tok"], "");
    assert!(b.to_string().contains("Bearer eyJh…[redacted]"), "{b}");
    let c = cli.ok(&["history", "ci"], "");
    assert_eq!(c[0]["diagnosis"], "invalid_credentials");
    // The opened history of every item holds no secret.
    let all: String = ["hdr", "qry", "tok", "ci"]
        .iter()
        .map(|n| cli.ok(&["history", n], "").to_string())
        .collect();
    for secret in [
        canary,
        "HISTORYSIG",
        "HistoryPassw0rd!",
        "COOKIECANARY",
        code.as_str(),
    ] {
        assert!(!all.contains(secret), "{secret} in the history: {all}");
    }
    // Nor does the file, its WAL or shared memory, in clear.
    for (path, bytes) in vault_bytes(&cli.vault()) {
        for secret in [canary, "HISTORYSIG", "HistoryPassw0rd!", "COOKIECANARY"] {
            assert!(!contains(&bytes, secret.as_bytes()), "{secret} in {path}");
        }
    }
    let human = cli
        .cmd()
        .args(["--password-stdin", "history", "hdr"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("GET") && text.contains(" ok "), "{text}");
}

#[test]
fn saved_requests_are_kept_sent_again_and_deleted() {
    let hb = Httpbin::start();
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "api-key", "svc", "--header", "X-API-Key"],
        "sk_live_saved_req_1\n",
    );
    let v = cli.ok(&["saved", "svc"], "");
    assert_eq!(v, Value::Array(vec![]));

    // Send and save: a POST with a JSON body and a typed header.
    cli.ok(
        &[
            "request",
            "svc",
            "-X",
            "POST",
            &hb.url("/anything/health"),
            "-H",
            "Content-Type: application/json",
            "-H",
            "X-Trace: 42",
            "-d",
            r#"{"ping":true}"#,
            "--save",
            "Health check",
        ],
        "",
    );
    let v = cli.ok(&["saved", "svc"], "");
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v[0]["name"], "Health check");
    assert_eq!(v[0]["method"], "POST");
    assert_eq!(
        v[0]["headers"],
        serde_json::json!(["Content-Type", "X-Trace"]),
        "the credential is not saved with the request: {v}"
    );

    // Sent again by name (any case): same method, headers and body, the key attached.
    let v = cli.ok(&["request", "svc", "--saved", "health CHECK", "--body"], "");
    let body: Value = serde_json::from_str(v["body"].as_str().expect("body")).expect("json");
    assert_eq!(body["method"], "POST");
    assert_eq!(body["json"], serde_json::json!({"ping": true}));
    assert_eq!(body["headers"]["X-Trace"], "42");
    assert_eq!(
        body["headers"]["X-Api-Key"], "[redacted]",
        "attached, and redacted in the echo"
    );

    // Saving under the same name replaces it.
    cli.ok(
        &["request", "svc", &hb.url("/get"), "--save", "HEALTH check"],
        "",
    );
    let v = cli.ok(&["saved", "svc"], "");
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v[0]["method"], "GET");

    let (ok, v) = cli.json(&["request", "svc", "--saved", "nope"], "");
    assert!(!ok);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no saved request called \"nope\"")),
        "{v}"
    );
    let v = cli.ok(&["saved", "svc", "--rm", "health check"], "");
    assert_eq!(v["deleted"], "HEALTH check");
    assert_eq!(cli.ok(&["saved", "svc"], ""), Value::Array(vec![]));

    // Deleting the item for good deletes its saved requests with it (the triggers).
    cli.ok(&["request", "svc", &hb.url("/get"), "--save", "again"], "");
    cli.ok(&["rm", "--purge", "svc"], "");
    cli.ok(
        &["add", "api-key", "svc", "--header", "X-API-Key"],
        "sk_live_saved_req_2\n",
    );
    assert_eq!(cli.ok(&["saved", "svc"], ""), Value::Array(vec![]));
}

#[test]
fn files_named_on_the_command_line_are_read_only_to_their_limit() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "api-key", "svc", "--header", "X-API-Key"],
        "sk_file_limit\n",
    );
    // An endless body file is refused at its limit, before anything is sent.
    let msg = cli.err(
        &["request", "svc", "http://127.0.0.1:9/", "-d", "@/dev/zero"],
        "",
        "invalid_input",
    );
    assert!(msg.contains("/dev/zero") && msg.contains("limit"), "{msg}");
    // So is an endless key file for inspect.
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    let out = cli
        .cmd()
        .args(["--json", "inspect", "-", "--key-file", "/dev/zero"])
        .write_stdin(token)
        .output()
        .expect("run keywright");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "invalid_input", "{v}");
    let msg = v["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("/dev/zero") && msg.contains("limit"), "{msg}");
}
