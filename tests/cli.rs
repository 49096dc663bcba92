//! The `keywright` binary end to end: every command, every error of the contract.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::*;
use crate::raw;

#[test]
fn init_prints_the_recovery_code_once_and_refuses_to_overwrite() {
    let cli = Cli::new();
    let v = cli.init();
    let code = v["recovery_code"].as_str().expect("code");
    assert_eq!(code.len(), 39);
    assert_eq!(v["keyring"], "not_requested");
    assert_eq!(v["kdf"]["memory_mib"], 46);
    assert_eq!(v["kdf"]["iterations"], 1);
    assert_eq!(keywright_core::paths::mode(&cli.vault()), Some(0o600));
    // The code is in no later output.
    let status = cli
        .cmd()
        .args(["status"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!contains(&status, code.as_bytes()));
    let before = std::fs::read(cli.vault()).expect("read");
    let msg = cli.err(&["init", "--no-keyring"], "", "vault_exists");
    assert!(msg.contains("refusing to overwrite"), "{msg}");
    assert_eq!(std::fs::read(cli.vault()).expect("read"), before);
}

#[test]
fn init_refuses_kdf_settings_below_owasp() {
    let cli = Cli::new();
    let msg = cli.err(
        &[
            "init",
            "--no-keyring",
            "--kdf-memory",
            "16",
            "--kdf-iterations",
            "1",
        ],
        "",
        "invalid_input",
    );
    assert!(msg.contains("below OWASP"), "{msg}");
    assert!(!cli.vault().exists(), "no vault may be created");
    let msg = cli.err(&["init", "--no-keyring", "--kdf-memory", "64"], "", "usage");
    assert!(msg.contains("--kdf-iterations"), "{msg}");
    // Stronger than the default is fine, and is stored.
    let out = cli
        .cmd()
        .args([
            "init",
            "--password-stdin",
            "--no-keyring",
            "--kdf-memory",
            "80",
            "--kdf-iterations",
            "2",
            "--json",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["kdf"]["memory_mib"], 80);
    let s = cli.ok(&["status"], "");
    assert_eq!(s["kdf"]["memory_mib"], 80);
    assert_eq!(s["kdf"]["iterations"], 2);
}

#[test]
fn add_list_show_edit_rm_round_trip() {
    let cli = Cli::new();
    cli.init();
    let a = cli.ok(
        &[
            "add",
            "api-key",
            "Stripe live",
            "--tag",
            "prod",
            "--tag",
            "billing",
            "--url",
            "https://api.stripe.com",
            "--header",
            "Authorization",
            "--expires",
            "2030-01-31",
        ],
        "sk_live_CANARY123\n",
    );
    assert_eq!(
        keys(&a),
        ["expires_at", "id", "kind", "name", "status", "tags", "url"]
    );
    assert_eq!(a["kind"], "api_key");
    assert_eq!(a["expires_at"], "2030-01-31T00:00:00Z");
    assert_eq!(a["status"], "ok");
    cli.ok(
        &["add", "bearer", "GitHub PAT", "--rotate-every", "never"],
        "ghp_CANARY456\n",
    );
    cli.ok(
        &["add", "basic", "Jenkins", "--username", "ci"],
        "jenkins-CANARY789\n",
    );
    cli.ok(
        &[
            "add",
            "oauth2",
            "Auth0 M2M",
            "--token-url",
            "https://t.example/oauth/token",
            "--client-id",
            "cid",
            "--scope",
            "read:all",
            "--auth",
            "post",
        ],
        "client-CANARY\n",
    );
    cli.ok(
        &[
            "add",
            "totp",
            "AWS root",
            "--otp-issuer",
            "AWS",
            "--digits",
            "6",
        ],
        "jbsw y3dp ehpk 3pxp\n",
    );

    let list = cli.ok(&["list"], "");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 5);
    for item in list {
        assert_eq!(
            keys(item),
            ["expires_at", "id", "kind", "name", "status", "tags", "url"]
        );
    }
    let names: Vec<&str> = list
        .iter()
        .map(|i| i["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "Auth0 M2M",
            "AWS root",
            "GitHub PAT",
            "Jenkins",
            "Stripe live"
        ]
    );
    let kinds: Vec<&str> = list
        .iter()
        .map(|i| i["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["oauth2", "totp", "bearer", "basic", "api_key"]);
    assert_eq!(list[2]["status"], "unknown", "no expiry, rotation off");
    assert!(!contains(
        serde_json::to_string(&list).expect("s").as_bytes(),
        b"CANARY"
    ));

    let q = cli.ok(&["list", "stripe"], "");
    assert_eq!(q.as_array().expect("a").len(), 1);
    let t = cli.ok(&["list", "--tag", "BILLING"], "");
    assert_eq!(t[0]["name"], "Stripe live");
    let k = cli.ok(&["list", "--kind", "totp"], "");
    assert_eq!(k[0]["name"], "AWS root");

    let hidden = cli.ok(&["show", "stripe live"], "");
    assert!(hidden.get("secret").is_none());
    assert_eq!(
        hidden["placement"],
        serde_json::json!({"in": "header", "name": "Authorization"})
    );
    let shown = cli.ok(&["show", "Stripe live", "--reveal"], "");
    assert_eq!(shown["secret"], "sk_live_CANARY123");
    let oauth = cli.ok(&["show", "Auth0 M2M", "--reveal"], "");
    assert_eq!(oauth["secret"]["client_secret"], "client-CANARY");
    assert_eq!(oauth["oauth"]["auth"], "post");
    assert_eq!(
        cli.ok(&["show", "aws root", "--reveal"], "")["secret"],
        "JBSWY3DPEHPK3PXP"
    );

    // Human output masks the secret unless asked.
    cli.cmd()
        .args(["--password-stdin", "show", "Jenkins"])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success()
        .stdout(predicate::str::contains("ci").and(predicate::str::contains("CANARY").not()));

    let e = cli.ok(
        &[
            "edit",
            "Stripe live",
            "--name",
            "Stripe",
            "--untag",
            "billing",
            "--tag",
            "eu",
            "--expires",
            "never",
            "--value-stdin",
        ],
        "sk_live_ROTATED\n",
    );
    assert_eq!(e["name"], "Stripe");
    assert_eq!(e["tags"], serde_json::json!(["prod", "eu"]));
    assert_eq!(e["expires_at"], Value::Null);
    assert_eq!(
        cli.ok(&["show", "stripe", "--reveal"], "")["secret"],
        "sk_live_ROTATED"
    );

    let log = cli.ok(&["log", "Stripe"], "");
    let actions: Vec<&str> = log
        .as_array()
        .expect("a")
        .iter()
        .map(|e| e["action"].as_str().expect("s"))
        .collect();
    assert_eq!(actions, ["add", "reveal", "change", "reveal"]);
    assert!(log[2]["detail"].as_str().expect("d").contains("secret"));

    let r = cli.ok(&["rm", "Stripe"], "");
    assert_eq!(r["name"], "Stripe");
    assert_eq!(r["trash"], true);
    cli.err(&["show", "Stripe"], "", "not_found");
    // In the Trash until deleted for good.
    let r = cli.ok(&["rm", "--purge", "Stripe"], "");
    assert_eq!(r["trash"], false);
    cli.err(&["rm", "Stripe"], "", "not_found");
    // The deleted item's history is still there, under the name it had.
    let log = cli.ok(&["log", "Stripe"], "");
    let actions: Vec<&str> = log
        .as_array()
        .expect("a")
        .iter()
        .rev()
        .take(2)
        .map(|e| e["action"].as_str().expect("s"))
        .collect();
    assert_eq!(actions, ["purge", "trash"]);
    assert_eq!(cli.ok(&["list"], "").as_array().expect("a").len(), 4);
}

#[test]
fn input_errors_name_the_problem_and_change_nothing() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "Dup"], "v\n");
    let before = cli.ok(&["list"], "");
    let m = cli.err(&["add", "api-key", "dup"], "v\n", "duplicate_name");
    assert!(m.contains("already exists"), "{m}");
    let m = cli.err(
        &["add", "api-key", "X", "--expires", "31/12/2030"],
        "v\n",
        "invalid_input",
    );
    assert!(m.contains("expires") && m.contains("YYYY-MM-DD"), "{m}");
    let m = cli.err(
        &["add", "api-key", "X", "--rotate-every", "soon"],
        "v\n",
        "invalid_input",
    );
    assert!(m.contains("rotate-every"), "{m}");
    let m = cli.err(&["add", "password", "X"], "v\n", "usage");
    assert!(m.contains("password"), "{m}");
    let m = cli.err(
        &["add", "api-key", "X", "--url", "ftp://x"],
        "v\n",
        "invalid_input",
    );
    assert_eq!(
        m,
        "\"ftp://x\" is not a web address. Start it with https:// or http://."
    );
    let m = cli.err(&["add", "api-key", "X"], "", "invalid_input");
    assert!(m.contains("stdin"), "{m}");
    let m = cli.err(&["add", "api-key", "X"], "   \n", "invalid_input");
    assert!(m.contains("API key"), "{m}");
    let m = cli.err(&["add", "basic", "X"], "pw\n", "invalid_input");
    assert!(m.contains("username"), "{m}");
    let m = cli.err(&["add", "totp", "X"], "not-base32!\n", "invalid_input");
    assert!(m.contains("base32"), "{m}");
    let m = cli.err(
        &["add", "oauth2", "X", "--client-id", "c"],
        "s\n",
        "invalid_input",
    );
    assert!(m.contains("token URL"), "{m}");
    let m = cli.err(
        &["add", "bearer", "X", "--header", "X-Key"],
        "t\n",
        "invalid_input",
    );
    assert!(m.contains("api-key items only"), "{m}");
    let m = cli.err(
        &["edit", "Dup", "--expires", "tomorrow"],
        "",
        "invalid_input",
    );
    assert!(m.contains("expires"), "{m}");
    cli.err(&["edit", "Nope", "--tag", "x"], "", "not_found");
    assert_eq!(
        cli.ok(&["list"], ""),
        before,
        "a failed command changed the vault"
    );
}

#[test]
fn wrong_password_locked_and_no_vault() {
    let cli = Cli::new();
    let m = cli.err(&["list"], "", "no_vault");
    assert!(m.contains("keywright init"), "{m}");
    cli.cmd().args(["list"]).assert().failure().stderr(
        predicate::str::contains("No vault at").and(predicate::str::contains("keywright init")),
    );
    let s: Value = serde_json::from_slice(
        &cli.cmd()
            .args(["status", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .expect("json");
    assert_eq!(s["state"], "none");

    cli.init();
    cli.ok(&["add", "api-key", "K"], "v\n");
    let before = std::fs::read(cli.vault()).expect("read");
    let out = cli
        .cmd()
        .args(["--password-stdin", "--json", "list"])
        .write_stdin("wrong password\n")
        .assert()
        .failure()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["error"]["kind"], "wrong_password");
    assert!(
        !contains(&out, b"wrong password\n"),
        "the typed password is echoed"
    );
    assert_eq!(std::fs::read(cli.vault()).expect("read"), before);

    // No session, no keyring, no stdin, no terminal: locked, with a hint.
    cli.cmd().args(["list"]).assert().failure().stderr(
        predicate::str::contains("locked").and(predicate::str::contains("keywright unlock")),
    );
    let out = cli
        .cmd()
        .args(["list", "--json"])
        .assert()
        .failure()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["error"]["kind"], "locked");
}

#[test]
fn sessions_unlock_for_the_shell_until_lock() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "K"], "v\n");
    let out = cli
        .cmd()
        .args(["unlock", "--password-stdin", "--ttl", "10m"])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success()
        .stderr(predicate::str::contains("unlocked until"))
        .get_output()
        .stdout
        .clone();
    let line = String::from_utf8(out).expect("utf8");
    let token = line
        .trim()
        .strip_prefix("export KEYWRIGHT_SESSION=")
        .expect("export line")
        .to_owned();
    assert!(token.starts_with("kws2."));
    // The session file is 0600 under the runtime dir and does not contain the token.
    let files: Vec<_> = std::fs::read_dir(cli.run_dir())
        .expect("dir")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(keywright_core::paths::mode(&files[0].path()), Some(0o600));

    let list = cli
        .cmd()
        .env("KEYWRIGHT_SESSION", &token)
        .args(["list", "--json"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&list.get_output().stdout).expect("json");
    assert_eq!(v[0]["name"], "K");
    let s: Value = serde_json::from_slice(
        &cli.cmd()
            .env("KEYWRIGHT_SESSION", &token)
            .args(["status", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .expect("json");
    assert_eq!(s["state"], "unlocked");

    cli.cmd()
        .args(["lock"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 session"));
    cli.cmd()
        .env("KEYWRIGHT_SESSION", &token)
        .args(["list", "--json"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("The session is not usable"));

    let m = cli.err(&["unlock", "--ttl", "forever"], "", "invalid_input");
    assert!(m.contains("ttl"), "{m}");
    cli.err(&["unlock", "--ttl", "90d"], "", "invalid_input");
}

#[test]
fn passwd_and_recovery() {
    let cli = Cli::new();
    let code = cli.init()["recovery_code"]
        .as_str()
        .expect("code")
        .to_owned();
    cli.ok(&["add", "api-key", "K"], "v\n");
    // Current password, then the new one.
    cli.ok(&["passwd"], "second password\n");
    cli.err(&["list"], "", "wrong_password");
    let out = cli
        .cmd()
        .args(["--password-stdin", "--json", "list"])
        .write_stdin("second password\n")
        .assert()
        .success();
    assert!(contains(&out.get_output().stdout, b"\"K\""));
    // Forgot it: the recovery code resets it.
    let out = cli
        .cmd()
        .args(["passwd", "--recovery", "--json"])
        .write_stdin(format!("{}\nthird password\n", code.to_lowercase()))
        .assert()
        .success();
    assert!(contains(&out.get_output().stdout, b"changed"));
    cli.cmd()
        .args(["--password-stdin", "list"])
        .write_stdin("third password\n")
        .assert()
        .success();
    let out = cli
        .cmd()
        .args(["passwd", "--recovery", "--json"])
        .write_stdin("AAAA-BBBB\nx\n")
        .assert()
        .failure();
    assert!(contains(&out.get_output().stdout, b"wrong_recovery_code"));
    // Recovery also unlocks a session.
    cli.cmd()
        .args(["unlock", "--recovery", "--password-stdin"])
        .write_stdin(format!("{code}\n"))
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "export KEYWRIGHT_SESSION=kws2.",
        ));
}

#[test]
fn newer_corrupt_and_tampered_vaults() {
    let cli = Cli::new();
    cli.init();
    for name in ["Alpha", "Beta", "Gamma"] {
        cli.ok(&["add", "api-key", name], "v\n");
    }
    let beta = cli.ok(&["show", "Beta"], "")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    raw::flip_byte(&cli.vault(), "items", "overview", &beta, 40);
    let out = cli
        .cmd()
        .args(["--password-stdin", "--json", "list"])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "item {beta} failed its integrity check"
        )));
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let names: Vec<&str> = v
        .as_array()
        .expect("a")
        .iter()
        .map(|i| i["name"].as_str().expect("n"))
        .collect();
    assert_eq!(names, ["Alpha", "Gamma"]);
    cli.err(&["show", &beta], "", "tampered");
    // The way out: a damaged item can be removed, by id or by its name.
    let gone = cli.ok(&["rm", "Beta"], "");
    assert_eq!(gone["deleted"], beta.as_str());
    assert!(gone["name"].is_null());
    cli.err(&["show", &beta], "", "not_found");
    cli.ok(&["show", "Alpha"], "");

    raw::exec(
        &cli.vault(),
        &format!(
            "PRAGMA user_version = {}",
            keywright_core::vault::schema::SCHEMA_VERSION + 1
        ),
    );
    let m = cli.err(&["list"], "", "newer_version");
    assert!(m.contains("upgrade Keywright"), "{m}");

    std::fs::write(cli.vault(), vec![0x42u8; 8192]).expect("clobber");
    let _ = std::fs::remove_file(cli.vault().with_extension("db-wal"));
    let _ = std::fs::remove_file(cli.vault().with_extension("db-shm"));
    let m = cli.err(&["list"], "", "corrupt");
    assert!(
        m.contains("not a SQLite database") || m.contains("damaged"),
        "{m}"
    );
}

#[test]
fn keyring_unavailable_is_a_notice_not_a_failure() {
    let cli = Cli::new();
    // A bus address that cannot be reached: the Secret Service is unavailable.
    let out = cli
        .cmd()
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/keywright-test-bus",
        )
        .args([
            "init",
            "--password-stdin",
            "--kdf-memory",
            "46",
            "--kdf-iterations",
            "1",
            "--json",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success()
        .stderr(predicate::str::contains("unlocks with its password only"));
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["keyring"], "unavailable");
    assert!(
        v["keyring_notice"]
            .as_str()
            .expect("notice")
            .contains("keyring is unavailable")
    );
    let s = cli.ok(&["status"], "");
    assert_eq!(s["slots"], serde_json::json!(["password", "recovery"]));
    let out = cli
        .cmd()
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/keywright-test-bus",
        )
        .args(["--password-stdin", "--json", "keyring", "enable"])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .failure();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["error"]["kind"], "keyring_unavailable");
}

#[test]
fn broken_pipe_is_not_an_error() {
    // Enough items that `list` writes more than a pipe holds, after `head` has gone.
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    for i in 0..3000 {
        c.vault
            .add(api_key(
                &format!("key-{i:05}-with-a-longer-name-to-fill-the-pipe"),
                "v",
            ))
            .expect("add");
    }
    drop(c);
    let script = format!(
        "set -o pipefail; printf '%s\\n' '{PASSWORD}' | \"$K\" --password-stdin list | head -n 1"
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("K", keywright_bin())
        .env("KEYWRIGHT_VAULT", dir.path().join("vault.db"))
        .env("KEYWRIGHT_RUNTIME_DIR", dir.path().join("run"))
        .env_remove("KEYWRIGHT_SESSION")
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "pipeline failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        head.starts_with("NAME ") && head.trim_end().ends_with("STATUS"),
        "{head}"
    );
    assert_eq!(head.lines().count(), 1);
}

/// Run `keywright ARGS` on a pseudo-terminal (util-linux `script`), typing `lines` one per
/// second; returns what the terminal showed.
fn on_terminal(cli: &Cli, args: &str, lines: &[&str]) -> (bool, String) {
    let typing: String = lines
        .iter()
        .map(|l| format!("sleep 1; printf '%s\\n' '{l}'; "))
        .collect();
    let script = format!("({typing}) | script -qec \"\\\"$K\\\" {args}\" /dev/null");
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("K", keywright_bin())
        .env("KEYWRIGHT_VAULT", cli.vault())
        .env("KEYWRIGHT_RUNTIME_DIR", cli.run_dir())
        .env("KEYWRIGHT_KEYRING_SERVICE", "keywright-test")
        .env_remove("KEYWRIGHT_SESSION")
        .output()
        .expect("script");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).replace('\r', ""),
    )
}

#[test]
fn hidden_prompts_on_a_terminal() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("util-linux `script` is needed for the terminal tests");
    }
    let cli = Cli::new();
    let (ok, screen) = on_terminal(
        &cli,
        "init --no-keyring --kdf-memory 46 --kdf-iterations 1",
        &["tty-pass", "other"],
    );
    assert!(!ok, "mismatched passwords must fail: {screen}");
    assert!(
        screen.contains("Repeat the new password") && screen.contains("differ"),
        "{screen}"
    );
    assert!(!cli.vault().exists());
    let (ok, screen) = on_terminal(
        &cli,
        "init --no-keyring --kdf-memory 46 --kdf-iterations 1",
        &["tty-pass", "tty-pass"],
    );
    assert!(ok, "{screen}");
    assert!(screen.contains("Recovery code"), "{screen}");
    let (ok, screen) = on_terminal(&cli, "add api-key Typed", &["tty-pass", "TYPED-SECRET"]);
    assert!(ok, "{screen}");
    assert!(
        screen.contains("Vault password:") && screen.contains("API key:"),
        "{screen}"
    );
    assert!(
        !screen.contains("tty-pass") && !screen.contains("TYPED-SECRET"),
        "echoed: {screen}"
    );
    let (ok, screen) = on_terminal(&cli, "show Typed --reveal", &["tty-pass"]);
    assert!(ok && screen.contains("TYPED-SECRET"), "{screen}");
    let (ok, screen) = on_terminal(&cli, "list", &["wrong"]);
    assert!(!ok && screen.contains("Wrong password"), "{screen}");
}

#[test]
fn run_removes_every_keywright_variable_from_the_child() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "svc"], "run-secret\n");
    let session = cli.ok(&["unlock"], "");
    let token = session["session"].as_str().expect("token").to_owned();
    let env_of_child = |extra: &[&str]| {
        let out = cli
            .cmd()
            .env("KEYWRIGHT_SESSION", &token)
            .env("KEYWRIGHT_OTHER", "x")
            .args(["run", "--env", "SVC_KEY=svc"])
            .args(extra)
            .args(["--", "sh", "-c", "env"])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let env = env_of_child(&[]);
    assert!(env.lines().any(|l| l.starts_with("SVC_KEY=")), "{env}");
    let kw: Vec<&str> = env
        .lines()
        .filter(|l| l.starts_with("KEYWRIGHT_"))
        .collect();
    assert!(kw.is_empty(), "the child saw {kw:?}");
    // --pass-session keeps the session (only it).
    let env = env_of_child(&["--pass-session"]);
    let kw: Vec<&str> = env
        .lines()
        .filter(|l| l.starts_with("KEYWRIGHT_"))
        .map(|l| l.split('=').next().unwrap_or(""))
        .collect();
    assert_eq!(kw, ["KEYWRIGHT_SESSION"], "{env}");
}

/// A session cannot mint a session, `lock` and `passwd` end sessions, and a refused session
/// reports its own kind when nothing else can unlock.
#[test]
fn sessions_cannot_extend_themselves_and_report_their_own_errors() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "K"], "v\n");
    let token = cli.ok(&["unlock", "--ttl", "15m"], "")["session"]
        .as_str()
        .expect("token")
        .to_owned();
    let with_session = |args: &[&str]| -> Value {
        let out = cli
            .cmd()
            .env("KEYWRIGHT_SESSION", &token)
            .arg("--json")
            .args(args)
            .output()
            .expect("run");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    assert_eq!(with_session(&["list"])[0]["name"], "K");
    // `unlock` inside the session asks for the password (none here): no 30-day session.
    let v = with_session(&["unlock", "--ttl", "30d"]);
    assert_eq!(v["error"]["kind"], "locked", "{v}");
    assert_eq!(std::fs::read_dir(cli.run_dir()).expect("dir").count(), 1);

    // After `passwd` the session is gone, and says so with its own kind.
    cli.ok(&["passwd"], "second password\n");
    let v = with_session(&["list"]);
    assert_eq!(v["error"]["kind"], "session_invalid", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ended")),
        "{v}"
    );
    let s = with_session(&["status"]);
    assert_eq!(s["state"], "locked");
    assert_eq!(s["session_error"]["kind"], "session_invalid", "{s}");

    // An expired session: session_expired, with the time.
    let short = cli
        .cmd()
        .args(["--password-stdin", "--json", "unlock", "--ttl", "1s"])
        .write_stdin("second password\n")
        .output()
        .expect("unlock");
    let short: Value = serde_json::from_slice(&short.stdout).expect("json");
    let short = short["session"].as_str().expect("token").to_owned();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let out = cli
        .cmd()
        .env("KEYWRIGHT_SESSION", &short)
        .args(["--json", "list"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "session_expired", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired at")),
        "{v}"
    );
    // The sweep removed its file.
    assert_eq!(std::fs::read_dir(cli.run_dir()).expect("dir").count(), 0);
}

#[test]
fn rekey_prints_a_new_recovery_code_and_ends_sessions() {
    let cli = Cli::new();
    let old_code = cli.init()["recovery_code"]
        .as_str()
        .expect("code")
        .to_owned();
    cli.ok(&["add", "api-key", "K"], "kept-value\n");
    let token = cli.ok(&["unlock"], "")["session"]
        .as_str()
        .expect("token")
        .to_owned();
    // A session does not rekey: the password is needed.
    let out = cli
        .cmd()
        .env("KEYWRIGHT_SESSION", &token)
        .args(["--json", "rekey"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "locked", "{v}");
    let out = cli
        .cmd()
        .args(["--password-stdin", "--json", "rekey"])
        .write_stdin("not the password\n")
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "wrong_password", "{v}");
    let r = cli.ok(&["rekey"], "");
    assert_eq!(
        keys(&r),
        [
            "audit_events",
            "items",
            "keyring",
            "keyring_notice",
            "recovery_code",
            "requests",
            "saved_requests",
            "sessions_ended",
            "settings",
            "tampered",
            "trash",
            "versions"
        ]
    );
    assert_eq!(r["items"], 1);
    assert_eq!(r["sessions_ended"], 1);
    let new_code = r["recovery_code"].as_str().expect("code").to_owned();
    assert_ne!(new_code, old_code);
    assert_eq!(
        cli.ok(&["show", "K", "--reveal"], "")["secret"],
        "kept-value"
    );
    let out = cli
        .cmd()
        .env("KEYWRIGHT_SESSION", &token)
        .args(["--json", "list"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "session_invalid", "{v}");
    // The old code opens nothing; the new one does.
    let out = cli
        .cmd()
        .args(["--password-stdin", "--json", "unlock", "--recovery"])
        .write_stdin(format!("{old_code}\n"))
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "wrong_recovery_code", "{v}");
    cli.cmd()
        .args(["--password-stdin", "unlock", "--recovery"])
        .write_stdin(format!("{new_code}\n"))
        .assert()
        .success();
}

/// A vault on a read-only file system (a tmpfs mounted read-only: permission bits do not
/// stop root, a read-only mount does). Needs the right to mount; skipped without it.
#[test]
fn a_vault_in_a_read_only_folder_is_readable() {
    struct Mount(std::path::PathBuf);
    impl Drop for Mount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "K"], "ro-value\n");
    let ro = cli.dir.path().join("ro");
    std::fs::create_dir(&ro).expect("mkdir");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(&ro)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
        return;
    }
    let guard = Mount(ro.clone());
    std::fs::copy(cli.vault(), ro.join("vault.db")).expect("copy");
    let remounted = std::process::Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&ro)
        .status()
        .is_ok_and(|s| s.success());
    assert!(remounted, "remount read-only");
    let vault = ro.join("vault.db");
    let run = |args: &[&str]| -> Value {
        let out = cli
            .cmd()
            .env("KEYWRIGHT_VAULT", &vault)
            .args(["--password-stdin", "--json"])
            .args(args)
            .write_stdin(format!("{PASSWORD}\nx\n"))
            .output()
            .expect("run");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    assert_eq!(run(&["list"])[0]["name"], "K");
    assert_eq!(run(&["show", "K", "--reveal"])["secret"], "ro-value");
    let v = run(&["add", "api-key", "New"]);
    assert_eq!(v["error"]["kind"], "io", "{v}");
    let msg = v["error"]["message"].as_str().expect("message");
    assert!(
        msg.contains(&ro.display().to_string()) && msg.contains("not writable"),
        "{msg}"
    );
    drop(guard);
}

/// Issue 13 items 8 and 12 at the CLI: out-of-range times and control characters are
/// errors naming the field and the limit; text printed for people shows control
/// characters escaped; JSON output escapes them as JSON does.
#[test]
fn bad_times_and_control_characters_are_named_and_never_printed_raw() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "totp", "GitHub"],
        "otpauth://totp/GitHub:alice?secret=jbswy3dpehpk3pxp&issuer=GitHub\n",
    );
    let msg = cli.err(
        &["totp", "GitHub", "--at", "9223372036854775807"],
        "",
        "invalid_input",
    );
    assert_eq!(
        msg,
        "Invalid --at: 9223372036854775807 is after 9999-12-31 (use Unix seconds from 0 to \
         253402300799)"
    );
    let msg = cli.err(&["totp", "GitHub", "--at", "-1"], "", "invalid_input");
    assert!(msg.contains("before 1970-01-01"), "{msg}");
    // A date works too, and the last accepted second has a code.
    cli.ok(&["totp", "GitHub", "--at", "9999-12-31T23:59:59Z"], "");
    let msg = cli.err(
        &["expiring", "--within", "99999999999999999999d"],
        "",
        "invalid_input",
    );
    assert!(msg.contains("longer than 36500 days"), "{msg}");
    let msg = cli.err(
        &["add", "api-key", "Evil\u{1b}]0;pwned\u{7}"],
        "sk\n",
        "invalid_input",
    );
    assert_eq!(msg, "Invalid name: contains a control character (U+001B)");
    let msg = cli.err(
        &[
            "add",
            "api-key",
            "k",
            "--url",
            "https://x.example/\u{1b}[2J",
        ],
        "sk\n",
        "invalid_input",
    );
    assert_eq!(msg, "Invalid url: contains a control character (U+001B)");
    let msg = cli.err(
        &["add", "api-key", "invoice\u{202e}fdp.exe"],
        "sk\n",
        "invalid_input",
    );
    assert!(msg.contains("bidirectional override (U+202E)"), "{msg}");

    // An import: the entry with an ESC is reported (escaped), the other one is imported.
    let out = cli
        .cmd()
        .args(["--password-stdin", "import", "otpauth", "-"])
        .write_stdin(format!(
            "{PASSWORD}\notpauth://totp/Evil:%1B%5D0%3Bx%07?secret=MFRGGZDFMZTWQ2LK&issuer=Evil%1B\n\
             otpauth://totp/Fine:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n"
        ))
        .output()
        .expect("run");
    let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
    assert!(!all.contains(&0x1b), "{}", String::from_utf8_lossy(&all));
    let text = String::from_utf8_lossy(&all);
    // The label's account (the item's user name) and its issuer both hold ESC: the first
    // field checked is named.
    assert!(
        text.contains("contains a control character (U+001B)") && text.contains("invalid"),
        "{text}"
    );
    let names: Vec<Value> = cli.ok(&["list"], "").as_array().expect("list").clone();
    assert_eq!(names.len(), 2, "{names:?}");

    // Notes keep lines and tabs; JSON escapes them, and no raw control byte is printed.
    cli.ok(
        &["add", "api-key", "noted", "--notes-stdin"],
        "sk\nline 1\tcol\nline 2\n",
    );
    let out = cli
        .cmd()
        .args(["--password-stdin", "--json", "show", "noted", "--reveal"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run");
    let body = out.stdout.strip_suffix(b"\n").unwrap_or(&out.stdout);
    assert!(
        !body.iter().any(|b| *b < 0x20),
        "{}",
        String::from_utf8_lossy(body)
    );
    let v: Value = serde_json::from_slice(body).expect("json");
    assert_eq!(v["notes"], "line 1\tcol\nline 2");
}

/// Issue 13 item 16 at the CLI: one folding for names, also for the log of a deleted item.
#[test]
fn names_fold_with_unicode_case_folding() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "Straße"], "sk\n");
    let msg = cli.err(&["add", "api-key", "STRASSE"], "sk\n", "duplicate_name");
    assert!(msg.contains("STRASSE"), "{msg}");
    assert_eq!(cli.ok(&["show", "strasse"], "")["name"], "Straße");
    cli.ok(&["rm", "STRASSE"], "");
    let log = cli.ok(&["log", "strasse"], "");
    let actions: Vec<&str> = log
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["add", "trash"]);
}

#[test]
fn show_says_what_a_key_is_from_its_shape() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "api-key", "Payments"],
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc\n",
    );
    cli.ok(
        &["add", "bearer", "Deploys"],
        &format!("ghp_{}\n", "a1B2".repeat(9)),
    );
    cli.ok(&["add", "api-key", "Internal"], "not-a-known-shape-123\n");

    let p = cli.ok(&["show", "Payments"], "");
    assert_eq!(p["service"], "stripe");
    assert_eq!(p["key_variant"], "test");
    assert_eq!(p["test_url"], "https://api.stripe.com/v1/balance");
    assert!(p.get("secret").is_none(), "recognising does not reveal");
    let d = cli.ok(&["show", "Deploys"], "");
    assert_eq!(
        (d["service"].as_str(), d["key_variant"].as_str()),
        (Some("github"), Some("personal"))
    );
    let i = cli.ok(&["show", "Internal"], "");
    assert!(i["service"].is_null() && i["key_variant"].is_null() && i["test_url"].is_null());

    // Added without a placement or URL: a recognised key gets its service's.
    assert_eq!(p["placement"], serde_json::json!({"in": "bearer"}));
    assert_eq!(p["url"], "https://api.stripe.com");
    assert_eq!(d["url"], "https://api.github.com");
    assert_eq!(
        i["placement"],
        serde_json::json!({"in": "header", "name": "X-API-Key"})
    );
    assert!(i["url"].is_null());
    // What the user says wins.
    let mine = cli.ok(
        &[
            "add",
            "api-key",
            "Proxy",
            "--header",
            "X-Proxy-Key",
            "--url",
            "https://proxy.example",
        ],
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
    );
    assert_eq!(mine["url"], "https://proxy.example");
    let mine = cli.ok(&["show", "Proxy"], "");
    assert_eq!(
        mine["placement"],
        serde_json::json!({"in": "header", "name": "X-Proxy-Key"})
    );
    assert_eq!(mine["service"], "stripe");

    // The text says it too, without the key.
    let out = cli
        .cmd()
        .args(["--password-stdin", "show", "Payments"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("recognised:  Stripe test secret key"),
        "{text}"
    );
    assert!(!text.contains("sk_test_4eC39"), "{text}");
    // Nothing is recorded as a reveal.
    let log = cli.ok(&["log", "Payments"], "");
    assert!(
        log.as_array()
            .is_some_and(|a| a.iter().all(|e| e["action"] != "reveal")),
        "{log}"
    );
}

/// `keywright --version`: the package version and the git commit the binary was built from.
#[test]
fn version_names_the_git_commit() {
    let out = Cli::new().cmd().arg("--version").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("keywright {} (", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let head = std::process::Command::new("git")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    // Built from this checkout (the tests and the binary come from the same tree).
    if let Some(head) = head {
        assert!(
            text.contains(&format!("({head})")),
            "{text} is not commit {head}"
        );
    }
}
