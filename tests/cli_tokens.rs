//! The token commands of the `keywright` binary end to end, against the real OpenID
//! provider: add oauth2, token, renew, login (browser and device), inspect, expiring, run.

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::*;
use crate::peers::{Provider, oidc_dir};

const API: &str = "urn:keywright:test-api";
/// RFC 7515 A.1 and its HMAC key.
const RFC_JWT: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

pub(crate) fn add_client(cli: &Cli, p: &Provider, name: &str, grant: &str) {
    cli.ok(
        &[
            "add",
            "oauth2",
            name,
            "--issuer",
            &p.issuer,
            "--client-id",
            "kw-basic",
            "--scope",
            "read",
            "--audience",
            API,
            "--grant",
            grant,
        ],
        "kw-basic-secret\n",
    );
}

pub(crate) fn renewals(cli: &Cli, name: &str) -> usize {
    cli.ok(&["log", name], "")
        .as_array()
        .expect("log")
        .iter()
        .filter(|e| e["detail"].as_str().is_some_and(|d| d.contains("renewed")))
        .count()
}

#[test]
fn token_renews_once_then_reuses_and_inspect_verifies_it() {
    let p = Provider::start(60);
    let cli = Cli::new();
    cli.init();
    add_client(&cli, &p, "svc", "client_credentials");
    let t = cli.ok(&["token", "svc"], "");
    assert_eq!(
        keys(&t),
        ["access_token", "expires_at", "renewed", "token_type"]
    );
    assert_eq!(t["renewed"], true);
    let token = t["access_token"].as_str().expect("token").to_owned();
    let again = cli.ok(&["token", "svc"], "");
    assert_eq!(
        (again["renewed"].clone(), again["access_token"].as_str()),
        (Value::Bool(false), Some(token.as_str()))
    );
    // Without --json: the bare token, for $(keywright token svc).
    let out = cli
        .cmd()
        .args(["--password-stdin", "token", "svc"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), token);

    let ins = cli.ok(
        &["inspect", "svc", "--issuer", &p.issuer, "--audience", API],
        "",
    );
    assert_eq!(
        keys(&ins),
        [
            "claims",
            "expires_at",
            "header",
            "issued_at",
            "not_before",
            "status",
            "verified"
        ]
    );
    assert_eq!(ins["claims"]["aud"], API);
    assert_eq!(ins["header"]["alg"], "RS256");
    assert_eq!(ins["verified"]["ok"], true, "{ins}");
    let checks: Vec<&str> = ins["verified"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["check"].as_str().unwrap_or(""))
        .collect();
    assert!(
        checks.contains(&"signature") && checks.contains(&"aud") && checks.contains(&"iss"),
        "{checks:?}"
    );
    // A wrong audience fails, names the check, and exits 1.
    let (ok, bad) = cli.json(
        &[
            "inspect",
            "svc",
            "--issuer",
            &p.issuer,
            "--audience",
            "urn:other",
        ],
        "",
    );
    assert!(!ok);
    assert_eq!(bad["verified"]["failed"], "aud", "{bad}");
    assert!(
        bad["verified"]["checks"]
            .to_string()
            .contains("expected \\\"urn:other\\\""),
        "{bad}"
    );

    let r = cli.ok(&["renew", "svc"], "");
    assert_eq!(
        (r["renewed"].clone(), r["grant"].clone()),
        (Value::Bool(true), Value::from("client_credentials"))
    );
    assert!(
        r.get("access_token").is_none(),
        "renew does not print the token"
    );
    assert_eq!(renewals(&cli, "svc"), 2);
}

#[test]
fn inspect_reads_stdin_and_verifies_with_a_key_file() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().expect("tmp");
    let key = dir.path().join("k.jwk");
    std::fs::write(&key, r#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#)
        .expect("key");
    let out = cli
        .cmd()
        .args(["inspect", "-", "--json", "--key-file"])
        .arg(&key)
        .write_stdin(RFC_JWT)
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    // The signature holds; the token expired in 2011: verification fails on exp, exit 1.
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(v["verified"]["checks"][0]["ok"], true, "{v}");
    assert_eq!(v["verified"]["failed"], "exp", "{v}");
    assert_eq!(v["status"], "expired");
    assert_eq!(v["expires_at"], "2011-03-22T18:43:00Z");
    let out = cli
        .cmd()
        .args(["inspect", "-"])
        .write_stdin(RFC_JWT)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("iss") && text.contains("joe") && text.contains("2011-03-22T18:43:00Z"),
        "{text}"
    );
    assert!(text.contains("Status  expired"), "{text}");
    let out = cli
        .cmd()
        .args(["inspect", "-", "--json"])
        .write_stdin("eyJhbGciOiJub25lIn0.e30.")
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "malformed_token");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("alg \"none\"")),
        "{v}"
    );
}

#[test]
fn parallel_processes_renew_once() {
    let p = Provider::start(60);
    let cli = Cli::new();
    cli.init();
    add_client(&cli, &p, "svc", "client_credentials");
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut c = cli.std_cmd();
            let mut child = c
                .args(["--password-stdin", "--json", "token", "svc"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn");
            let _ = writeln!(child.stdin.take().expect("stdin"), "{PASSWORD}");
            child
        })
        .collect();
    let tokens: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("wait");
            let v: Value = serde_json::from_slice(&out.stdout).expect("json");
            v["access_token"].as_str().expect("token").to_owned()
        })
        .collect();
    assert!(
        tokens.windows(2).all(|w| w[0] == w[1]),
        "every process got the same token"
    );
    assert_eq!(
        renewals(&cli, "svc"),
        1,
        "four processes, one token request"
    );
}

#[test]
fn login_with_the_browser_and_with_a_device_code() {
    let p = Provider::start(60);
    let cli = Cli::new();
    cli.init();
    add_client(&cli, &p, "web", "authorization_code");
    add_client(&cli, &p, "tv", "device_code");
    // Not logged in: token says how to fix it.
    let msg = cli.err(&["token", "web"], "", "reauth_required");
    assert!(msg.contains("keywright login"), "{msg}");
    // Once asked for a token, the item says it needs a login.
    let exp = cli.ok(&["expiring"], "");
    assert_eq!(exp[0]["reason"], "needs a new login", "{exp}");

    let browser = format!("node {}", oidc_dir().join("browser.mjs").display());
    let out = cli
        .cmd()
        .env("KEYWRIGHT_BROWSER", &browser)
        .args(["--password-stdin", "--json", "login", "web"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("login");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["grant"], "authorization_code", "{v}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("http://127.0.0.1:"),
        "the URL is shown"
    );
    let t = cli.ok(&["token", "web"], "");
    assert_eq!(t["renewed"], false);
    let r = cli.ok(&["renew", "web"], "");
    assert_eq!(r["grant"], "refresh_token");

    // Device: the code is shown on stderr; a second "device" approves it.
    let mut c = cli.std_cmd();
    let mut child = c
        .args(["--password-stdin", "--json", "login", "tv", "--device"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let _ = writeln!(child.stdin.take().expect("stdin"), "{PASSWORD}");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let (mut uri, mut code) = (String::new(), String::new());
    let mut line = String::new();
    while err.read_line(&mut line).expect("stderr") > 0 {
        if let Some(rest) = line.trim().strip_prefix("To log in, visit ") {
            uri = rest.to_owned();
        }
        if let Some(rest) = line.trim().strip_prefix("and enter the code") {
            code = rest.trim().to_owned();
            break;
        }
        line.clear();
    }
    assert!(
        !uri.is_empty() && !code.is_empty(),
        "device prompt: {uri:?} {code:?}"
    );
    let approved = crate::peers::approve_device(&uri, &code, false)
        .wait()
        .expect("approve");
    assert!(approved.success());
    let out = child.wait_with_output().expect("login");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["grant"], "device_code", "{v}");
    assert_eq!(cli.ok(&["token", "tv"], "")["renewed"], false);
}

#[test]
fn run_puts_fresh_tokens_in_the_environment_and_masks_them() {
    let p = Provider::start(60);
    let cli = Cli::new();
    cli.init();
    add_client(&cli, &p, "svc", "client_credentials");
    cli.ok(&["add", "api-key", "stripe"], "sk_live_run_CANARY_123\n");
    let out = cli
        .cmd()
        .args([
            "--password-stdin",
            "run",
            "--env",
            "TOKEN=svc",
            "--env",
            "KEY=stripe",
            "--",
            "sh",
            "-c",
        ])
        .arg(r#"echo "key=$KEY"; echo "token=$TOKEN" >&2; printf %s "$TOKEN" | wc -c; exit 3"#)
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3), "the command's exit code");
    let so = String::from_utf8_lossy(&out.stdout);
    let se = String::from_utf8_lossy(&out.stderr);
    assert!(so.contains("key=<concealed by keywright>"), "{so}");
    assert!(se.contains("token=<concealed by keywright>"), "{se}");
    assert!(
        !so.contains("sk_live_run_CANARY") && !se.contains("eyJ"),
        "{so}\n{se}"
    );
    let len: usize = so
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("wc -c");
    assert!(len > 100, "the JWT was in the environment ({len} bytes)");
    assert!(se.contains("renewed svc"), "renewed first: {se}");
    let e = cli.err(
        &["run", "--env", "1BAD=svc", "--", "true"],
        "",
        "invalid_input",
    );
    assert!(e.contains("environment variable"), "{e}");
}

#[test]
fn a_refused_refresh_token_shows_up_as_reauth_required() {
    let p = Provider::start(60);
    let cli = Cli::new();
    cli.init();
    add_client(&cli, &p, "web", "authorization_code");
    let browser = format!("node {}", oidc_dir().join("browser.mjs").display());
    let status = cli
        .cmd()
        .env("KEYWRIGHT_BROWSER", &browser)
        .args(["--password-stdin", "login", "web"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("login")
        .status;
    assert!(status.success());
    // Reuse detection: replay the stored refresh token after a rotation → the provider
    // revokes the grant; the next renewal gets invalid_grant.
    let rt = cli.ok(&["show", "web", "--reveal"], "")["secret"]["refresh_token"]
        .as_str()
        .expect("rt")
        .to_owned();
    cli.ok(&["renew", "web"], "");
    let disc = Command::new("curl")
        .args([
            "-s",
            &format!("{}/.well-known/openid-configuration", p.issuer),
        ])
        .output()
        .expect("curl");
    let eps: Value = serde_json::from_slice(&disc.stdout).expect("discovery");
    let replay = Command::new("curl")
        .args([
            "-s",
            "-u",
            "kw-basic:kw-basic-secret",
            "-d",
            "grant_type=refresh_token",
            "--data-urlencode",
        ])
        .arg(format!("refresh_token={rt}"))
        .arg(eps["token_endpoint"].as_str().expect("token endpoint"))
        .output()
        .expect("curl");
    assert!(String::from_utf8_lossy(&replay.stdout).contains("invalid_grant"));
    let msg = cli.err(&["renew", "web"], "", "reauth_required");
    assert!(msg.contains("keywright login \"web\""), "{msg}");
    let list = cli.ok(&["list"], "");
    assert_eq!(list[0]["status"], "reauth_required");
    let exp = cli.ok(&["expiring"], "");
    assert_eq!(exp[0]["name"], "web");
    assert_eq!(exp[0]["reason"], "needs a new login");
}

#[test]
fn cleartext_authorization_servers_are_refused_except_on_loopback() {
    let cli = Cli::new();
    cli.init();
    let rule = "must use https (http is allowed only for loopback hosts such as 127.0.0.1)";
    for (flag, field) in [("--token-url", "token_url"), ("--issuer", "issuer")] {
        let m = cli.err(
            &[
                "add",
                "oauth2",
                "X",
                "--client-id",
                "c",
                flag,
                "http://auth.example/token",
            ],
            "client-secret\n",
            "invalid_input",
        );
        assert_eq!(m, format!("Invalid {field}: {rule}"));
        let m = cli.err(
            &[
                "add",
                "oauth2",
                "X",
                "--client-id",
                "c",
                flag,
                "file:///etc/passwd",
            ],
            "client-secret\n",
            "invalid_input",
        );
        assert!(
            m.starts_with(&format!("Invalid {field}: ")) && m.contains("file:"),
            "{m}"
        );
    }
    // Loopback http stays usable (local providers, this suite's own).
    for (i, url) in [
        "http://127.0.0.1:9/token",
        "http://localhost:9/token",
        "http://[::1]:9/token",
    ]
    .into_iter()
    .enumerate()
    {
        cli.ok(
            &[
                "add",
                "oauth2",
                &format!("L{i}"),
                "--client-id",
                "c",
                "--token-url",
                url,
            ],
            "client-secret\n",
        );
    }
    cli.ok(
        &[
            "add",
            "oauth2",
            "S",
            "--client-id",
            "c",
            "--token-url",
            "https://auth.example/token",
        ],
        "client-secret\n",
    );
    // inspect fetches keys only over https (or from this machine).
    let out = cli
        .cmd()
        .args([
            "inspect",
            "-",
            "--json",
            "--jwks",
            "http://keys.example/jwks.json",
        ])
        .write_stdin(RFC_JWT)
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "invalid_input", "{v}");
    assert_eq!(
        v["error"]["message"],
        format!("Invalid jwks: {rule}"),
        "{v}"
    );
    let out = cli
        .cmd()
        .args([
            "inspect",
            "-",
            "--json",
            "--issuer",
            "http://issuer.example",
        ])
        .write_stdin(RFC_JWT)
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["error"]["message"],
        format!("Invalid issuer: {rule}"),
        "{v}"
    );
}
