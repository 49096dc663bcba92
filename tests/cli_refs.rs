//! Secret references end to end through the CLI binary: `read`, `inject`, `run
//! --env-file`, the project file (`.keywright.toml`) and `env --check`, completions, man
//! pages, the no-vault paragraph; and the real API clients (Postman's newman, Bruno's bru)
//! run under `keywright run` against a real httpbin, their collections reading the secrets
//! from the environment.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::*;
use crate::probe::Httpbin;

const KEY: &str = "sk_live_REF_canary_7f3a9c";
const TOKEN: &str = "tok_ref_bearer_c4n4ry_55";
const PASS: &str = "ref-basic-pass-31";

/// A vault with an API key (header placement), a bearer token, a basic login, a TOTP and
/// an expired key; unlocked through a session. Returns the session token.
fn stocked() -> (Cli, String) {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &[
            "add",
            "api-key",
            "Stripe live",
            "--username",
            "acct_42",
            "--url",
            "https://api.stripe.example",
            "--header",
            "X-Stripe-Key",
        ],
        &format!("{KEY}\n"),
    );
    cli.ok(&["add", "bearer", "Deploy token"], &format!("{TOKEN}\n"));
    cli.ok(
        &["add", "basic", "Admin/ci 100%", "--username", "ci-bot"],
        &format!("{PASS}\n"),
    );
    cli.ok(&["add", "totp", "GitHub 2FA"], "JBSWY3DPEHPK3PXP\n");
    cli.ok(
        &["add", "api-key", "Old key", "--expires", "2020-01-01"],
        "old-key-value-123456\n",
    );
    let session = cli.ok(&["unlock"], "")["session"]
        .as_str()
        .expect("session")
        .to_owned();
    (cli, session)
}

/// `keywright ARGS` with the session, in `dir`; (exit code, stdout, stderr).
fn kw(cli: &Cli, session: &str, dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = cli
        .cmd()
        .env("KEYWRIGHT_SESSION", session)
        .current_dir(dir)
        .args(args)
        .write_stdin(stdin.to_owned())
        .output()
        .expect("run keywright");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_err(stdout: &str) -> (String, String) {
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (
        v["error"]["kind"].as_str().unwrap_or_default().to_owned(),
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

fn oathtool_now(seed: &str) -> Option<String> {
    let out = std::process::Command::new("oathtool")
        .args(["--totp", "-b", seed])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn read_prints_each_field_and_names_what_is_wrong() {
    let (cli, s) = stocked();
    let d = cli.dir.path();
    let read = |r: &str| {
        let (code, out, err) = kw(&cli, &s, d, &["read", r], "");
        assert_eq!(code, 0, "read {r}: {err}");
        out.strip_suffix('\n').expect("a newline").to_owned()
    };
    assert_eq!(read("keywright://Stripe live/secret"), KEY);
    assert_eq!(read("keywright://stripe LIVE/username"), "acct_42");
    assert_eq!(
        read("keywright://Stripe%20live/url"),
        "https://api.stripe.example"
    );
    assert_eq!(
        read("keywright://Stripe live/header"),
        format!("X-Stripe-Key: {KEY}")
    );
    assert_eq!(
        read("keywright://Deploy token/header"),
        format!("Authorization: Bearer {TOKEN}")
    );
    assert_eq!(read("keywright://Deploy token/access_token"), TOKEN);
    // A name with / and % in it: the item is everything before the last /.
    assert_eq!(read("keywright://Admin/ci 100%25/secret"), PASS);
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("ci-bot:{PASS}"));
    assert_eq!(
        read("keywright://Admin/ci 100%25/header"),
        format!("Authorization: Basic {basic}")
    );
    // The 2FA code is the one oathtool computes (retry once across a period boundary).
    let code = read("keywright://GitHub 2FA/code");
    if let Some(want) = oathtool_now("JBSWY3DPEHPK3PXP") {
        assert!(
            code == want || read("keywright://GitHub 2FA/code") == want,
            "{code} vs {want}"
        );
    }
    // By id, with -n and --json.
    let id = cli.ok(&["show", "Stripe live"], "")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, out, _) = kw(
        &cli,
        &s,
        d,
        &["read", "-n", &format!("keywright://{id}/secret")],
        "",
    );
    assert_eq!(out, KEY);
    let (_, out, _) = kw(
        &cli,
        &s,
        d,
        &["--json", "read", "keywright://Stripe live/username"],
        "",
    );
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v,
        json!({"reference": "keywright://Stripe live/username", "item": "Stripe live", "id": id,
               "field": "username", "value": "acct_42"})
    );

    // Malformed: the column and the problem, never a value.
    let bad = |r: &str, kind: &str, words: &[&str]| {
        let (code, out, _) = kw(&cli, &s, d, &["--json", "read", r], "");
        assert_ne!(code, 0, "{r}");
        let (k, msg) = json_err(&out);
        assert_eq!(k, kind, "{r}: {msg}");
        for w in words {
            assert!(msg.contains(w), "{r}: {msg:?} lacks {w:?}");
        }
        assert!(!msg.contains(KEY) && !msg.contains(TOKEN), "{msg}");
    };
    bad(
        "keywright://Stripe live/secrte",
        "invalid_input",
        &["column 25", "unknown field \"secrte\"", "secret, username"],
    );
    bad("keywright://Stripe live", "invalid_input", &["no field"]);
    bad(
        "keywright:///secret",
        "invalid_input",
        &["column 13", "no item name"],
    );
    bad(
        "keywright://a%2/secret",
        "invalid_input",
        &["column 14", "two hex digits"],
    );
    bad(
        "op://Private/Stripe/credential",
        "invalid_input",
        &["\"op\"", "keywright://ITEM/FIELD"],
    );
    bad("keywright://Nobody/secret", "not_found", &["Nobody"]);
    bad(
        "keywright://Stripe live/client_id",
        "invalid_input",
        &["Stripe live", "OAuth2"],
    );
    bad("keywright://Stripe live/code", "invalid_input", &["2FA"]);
    bad(
        "keywright://Deploy token/username",
        "invalid_input",
        &["has no username"],
    );

    // Every value read is in the item's audit log, as a use by `keywright read`.
    let log = cli.ok(&["log", "Stripe live"], "").to_string();
    assert!(log.contains("keywright read"), "{log}");
}

#[test]
fn inject_fills_a_template_owner_only_and_writes_nothing_when_a_reference_fails() {
    let (cli, s) = stocked();
    let d = cli.dir.path();
    let tpl = d.join("config.yaml.tpl");
    std::fs::write(
        &tpl,
        "stripe:\n  key: {{ keywright://Stripe live/secret }}\n  account: \"{{keywright://Stripe live/username}}\"\nhelm: {{ .Values.image }}\nauth: {{  keywright://Deploy token/header  }}\n",
    )
    .expect("write");
    let out = d.join("config.yaml");
    let (code, _, err) = kw(
        &cli,
        &s,
        d,
        &["inject", "-i", "config.yaml.tpl", "-o", "config.yaml"],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).expect("written");
    assert_eq!(
        text,
        format!(
            "stripe:\n  key: {KEY}\n  account: \"acct_42\"\nhelm: {{{{ .Values.image }}}}\nauth: Authorization: Bearer {TOKEN}\n"
        )
    );
    let mode = std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "owner-only");
    assert!(!err.contains(KEY), "{err}");

    // An existing output is refused without --force, replaced with it.
    std::fs::write(&out, "keep me").expect("write");
    let (code, _, err) = kw(
        &cli,
        &s,
        d,
        &["inject", "-i", "config.yaml.tpl", "-o", "config.yaml"],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "keep me");
    let (code, _, err) = kw(
        &cli,
        &s,
        d,
        &[
            "inject",
            "-i",
            "config.yaml.tpl",
            "-o",
            "config.yaml",
            "--force",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&out).expect("read").contains(KEY));

    // One reference that does not resolve: nothing written, every problem named with its
    // line and column; the existing file is untouched.
    std::fs::write(&out, "keep me").expect("write");
    std::fs::write(
        &tpl,
        "a: {{ keywright://Stripe live/secret }}\nb: {{ keywright://Ghost/secret }}\nc: {{ keywright://Deploy token/client_id }}\n",
    )
    .expect("write");
    let (code, stdout, _) = kw(
        &cli,
        &s,
        d,
        &[
            "--json",
            "inject",
            "-i",
            "config.yaml.tpl",
            "-o",
            "config.yaml",
            "--force",
        ],
        "",
    );
    assert_ne!(code, 0);
    let (_, msg) = json_err(&stdout);
    assert!(
        msg.contains("config.yaml.tpl:2:7") && msg.contains("Ghost"),
        "{msg}"
    );
    assert!(
        msg.contains("config.yaml.tpl:3:7") && msg.contains("nothing was written"),
        "{msg}"
    );
    assert!(!msg.contains(KEY), "{msg}");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "keep me");
    // Nothing partial either: no temp file left beside it.
    let left: Vec<_> = std::fs::read_dir(d)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("config.yaml") && n != "config.yaml" && n != "config.yaml.tpl")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let fresh = d.join("fresh.yaml");
    let (code, _, _) = kw(
        &cli,
        &s,
        d,
        &["inject", "-i", "config.yaml.tpl", "-o", "fresh.yaml"],
        "",
    );
    assert_ne!(code, 0);
    assert!(!fresh.exists(), "no output file at all");

    // Malformed reference: its line and column.
    std::fs::write(&tpl, "x\n  y: {{ keywright://Stripe live/secert }}\n").expect("write");
    let (code, _, err) = kw(&cli, &s, d, &["inject", "-i", "config.yaml.tpl"], "");
    assert_ne!(code, 0);
    assert!(
        err.contains("config.yaml.tpl:2:33") && err.contains("unknown field \"secert\""),
        "{err}"
    );

    // Template on stdin, result on stdout.
    let (code, out, _) = kw(
        &cli,
        &s,
        d,
        &["inject"],
        "//registry.npmjs.org/:_authToken={{ keywright://Deploy token/secret }}\n",
    );
    assert_eq!(code, 0);
    assert_eq!(out, format!("//registry.npmjs.org/:_authToken={TOKEN}\n"));
}

#[test]
fn run_env_files_resolve_references_and_mask_their_values() {
    let (cli, s) = stocked();
    let d = cli.dir.path();
    std::fs::write(
        d.join(".env.tpl"),
        "# committed: names, not values\nSTRIPE_KEY=keywright://Stripe live/secret\nexport DATABASE_URL=\"postgres://app:{{ keywright://Admin/ci 100%25/secret }}@db/app\"\nACCOUNT=keywright://Stripe live/username\nPORT=3000\n",
    )
    .expect("write");
    std::fs::write(
        d.join(".env.local.tpl"),
        "PORT=4000\nDEPLOY=keywright://Deploy token/secret\n",
    )
    .expect("write");
    let script = "echo \"key=$STRIPE_KEY\"; echo \"db=$DATABASE_URL\" >&2; echo \"acct=$ACCOUNT port=$PORT deploy=$DEPLOY extra=$EXTRA\"; \
                  printf %s \"$STRIPE_KEY\" | wc -c";
    let (code, out, err) = kw(
        &cli,
        &s,
        d,
        &[
            "run",
            "--env-file",
            ".env.tpl",
            "--env-file",
            ".env.local.tpl",
            "--env",
            "EXTRA=keywright://GitHub 2FA/code",
            "--",
            "sh",
            "-c",
            script,
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("key=<concealed by keywright>"), "{out}");
    assert!(err.contains("db=<concealed by keywright>"), "{err}");
    // Non-secret fields and plain values pass through; the later file wins.
    assert!(
        out.contains(
            "acct=acct_42 port=4000 deploy=<concealed by keywright> extra=<concealed by keywright>"
        ),
        "{out}"
    );
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.trim() == KEY.len().to_string()),
        "{out}"
    );
    for secret in [KEY, TOKEN, PASS] {
        assert!(
            !out.contains(secret) && !err.contains(secret),
            "{secret} shown:\n{out}\n{err}"
        );
    }

    // A bad reference in an env file: the file, line and column; the command never runs.
    std::fs::write(d.join("bad.env"), "A=1\nB=keywright://Stripe live/sekret\n").expect("write");
    let marker = d.join("ran");
    let (code, _, err) = kw(
        &cli,
        &s,
        d,
        &[
            "run",
            "--env-file",
            "bad.env",
            "--",
            "touch",
            marker.to_str().expect("p"),
        ],
        "",
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("bad.env:2, column 27") && err.contains("sekret"),
        "{err}"
    );
    assert!(!marker.exists(), "the command ran");
    // One that does not resolve: named, the command not run.
    std::fs::write(
        d.join("gone.env"),
        "A=keywright://Ghost/secret\nB=keywright://Stripe live/secret\n",
    )
    .expect("write");
    let (code, _, err) = kw(
        &cli,
        &s,
        d,
        &[
            "run",
            "--env-file",
            "gone.env",
            "--",
            "touch",
            marker.to_str().expect("p"),
        ],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("Ghost") && err.contains("gone.env:1"), "{err}");
    assert!(!marker.exists(), "the command ran");
    // A missing file is named.
    let (code, _, err) = kw(
        &cli,
        &s,
        d,
        &["run", "--env-file", "nope.env", "--", "true"],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("nope.env"), "{err}");
}

fn write_project(root: &Path) -> PathBuf {
    let deep = root.join("services/api/src");
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(
        root.join(".keywright.toml"),
        "# Secrets this project uses, by reference\n[env]\nSTRIPE_KEY = \"keywright://Stripe live/secret\"\nAPI_URL = \"https://api.example.test\"\nRETRIES = 3\n\n[env.staging]\nSTRIPE_KEY = \"keywright://Old key/secret\"\nGHOST = \"keywright://Ghost/secret\"\n\n[env.ci]\nDEPLOY = \"keywright://Deploy token/secret\"\n",
    )
    .expect("write");
    deep
}

#[test]
fn a_project_file_is_found_from_a_subdirectory_and_checked() {
    let (cli, s) = stocked();
    let root = cli.dir.path().join("repo");
    let deep = write_project(&root);
    let (code, out, err) = kw(
        &cli,
        &s,
        &deep,
        &[
            "run",
            "--",
            "sh",
            "-c",
            "echo \"k=$STRIPE_KEY u=$API_URL r=$RETRIES\"; printf %s \"$STRIPE_KEY\" | md5sum",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("k=<concealed by keywright> u=https://api.example.test r=3"),
        "{out}"
    );
    let md5 = |s: &str| {
        let o = std::process::Command::new("sh")
            .args(["-c", &format!("printf %s '{s}' | md5sum")])
            .output()
            .expect("md5sum");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert!(
        out.contains(md5(KEY).trim()),
        "the real key was in the environment: {out}"
    );
    // A profile: the defaults, overridden and extended.
    let (code, out, _) = kw(
        &cli,
        &s,
        &deep,
        &[
            "run",
            "--profile",
            "ci",
            "--",
            "sh",
            "-c",
            "echo \"$API_URL $DEPLOY\" | wc -c; echo \"$API_URL\"",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert!(out.contains("https://api.example.test"), "{out}");
    let (code, _, err) = kw(
        &cli,
        &s,
        &deep,
        &["run", "--profile", "prod", "--", "true"],
        "",
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("no profile \"prod\"") && err.contains("ci, staging"),
        "{err}"
    );

    // env: what it names, no vault needed, no values.
    let (code, out, _) = kw(&cli, "", &deep, &["env"], "");
    assert_eq!(code, 0);
    assert!(
        out.contains("STRIPE_KEY") && out.contains("keywright://Stripe live/secret"),
        "{out}"
    );
    // --check: all resolve → 0; no value printed.
    let (code, out, err) = kw(&cli, &s, &deep, &["env", "--check"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok") && !out.contains(KEY), "{out}");
    // The staging profile: one expired, one missing → non-zero, each named.
    let (code, out, _) = kw(
        &cli,
        &s,
        &deep,
        &["--json", "env", "--check", "--profile", "staging"],
        "",
    );
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["ok"], false);
    assert_eq!(v["profile"], "staging");
    let status = |name: &str| {
        v["vars"]
            .as_array()
            .expect("vars")
            .iter()
            .find(|x| x["name"] == name)
            .map(|x| x["status"].as_str().expect("status").to_owned())
            .unwrap_or_else(|| panic!("no {name}: {v}"))
    };
    assert_eq!(status("STRIPE_KEY"), "expired");
    assert_eq!(status("GHOST"), "missing");
    assert_eq!(status("API_URL"), "plain");
    assert!(
        !out.contains("old-key-value") && !out.contains(KEY),
        "{out}"
    );
    // The vault named by the project file is the one used.
    let other = Cli::new();
    other.init();
    other.ok(
        &["add", "api-key", "Stripe live"],
        "sk_other_vault_value_1\n",
    );
    let other_session = other.ok(&["unlock"], "")["session"]
        .as_str()
        .expect("s")
        .to_owned();
    std::fs::write(
        root.join(".keywright.toml"),
        format!(
            "vault = {:?}\n[env]\nK = \"keywright://Stripe live/secret\"\n",
            other.vault().display().to_string()
        ),
    )
    .expect("write");
    let out = cli
        .cmd()
        .env_remove("KEYWRIGHT_VAULT")
        .env("KEYWRIGHT_RUNTIME_DIR", other.run_dir())
        .env("KEYWRIGHT_SESSION", &other_session)
        .current_dir(&deep)
        .args(["run", "--no-masking", "--", "sh", "-c", "echo $K"])
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "sk_other_vault_value_1",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A broken project file is named with its line.
    std::fs::write(
        root.join(".keywright.toml"),
        "[env]\nA = \"keywright://x/secret\"\nB = [\n",
    )
    .expect("write");
    let (code, _, err) = kw(&cli, &s, &deep, &["env", "--check"], "");
    assert_ne!(code, 0);
    assert!(
        err.contains(".keywright.toml") && err.contains("line"),
        "{err}"
    );
    // No project file and nothing given: one clear sentence.
    let (code, _, err) = kw(&cli, &s, cli.dir.path(), &["run", "--", "true"], "");
    assert_ne!(code, 0);
    assert!(
        err.contains(".keywright.toml") && err.contains("--env-file"),
        "{err}"
    );
}

#[test]
fn env_export_prints_shell_lines_for_direnv() {
    let (cli, s) = stocked();
    let root = cli.dir.path().join("repo");
    let deep = write_project(&root);
    let (code, out, _) = kw(&cli, &s, &deep, &["env", "--export"], "");
    assert_eq!(code, 0);
    // What a shell gets from eval "$(keywright env --export)".
    let o = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("{out}\nprintf '%s|%s|%s' \"$STRIPE_KEY\" \"$API_URL\" \"$RETRIES\""),
        ])
        .output()
        .expect("sh");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("{KEY}|https://api.example.test|3")
    );
}

#[test]
fn completions_offer_item_names_only_from_an_open_vault() {
    let (cli, s) = stocked();
    let d = cli.dir.path();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, out, _) = kw(&cli, "", d, &["completions", shell], "");
        assert_eq!(code, 0, "{shell}");
        assert!(
            out.contains("COMPLETE") && out.contains("keywright"),
            "{shell}: {out}"
        );
    }
    let complete = |session: &str, words: &[&str]| -> Vec<String> {
        let out = cli
            .cmd()
            .env("KEYWRIGHT_SESSION", session)
            .env("COMPLETE", "fish")
            .arg("--")
            .arg("keywright")
            .args(words)
            .output()
            .expect("complete");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(complete(&s, &["show", "Str"]), ["Stripe live"]);
    assert_eq!(complete(&s, &["show", "git"]), ["GitHub 2FA"]);
    // `totp` completes only 2FA items.
    assert_eq!(complete(&s, &["totp", "G"]), ["GitHub 2FA"]);
    assert!(complete(&s, &["totp", "S"]).is_empty());
    // An empty word gets the options too; the names are all there.
    let mut all: Vec<String> = complete(&s, &["rm", ""])
        .into_iter()
        .filter(|c| !c.starts_with('-'))
        .collect();
    all.sort();
    assert_eq!(
        all,
        [
            "Admin/ci 100%",
            "Deploy token",
            "GitHub 2FA",
            "Old key",
            "Stripe live"
        ]
    );
    assert_eq!(
        complete(&s, &["read", "keywright://Dep"]),
        ["keywright://Deploy token/"]
    );
    assert_eq!(
        complete(&s, &["read", "keywright://Deploy token/he"]),
        ["keywright://Deploy token/header"]
    );
    assert_eq!(complete(&s, &["run", "--env", "K=Stri"]), ["K=Stripe live"]);
    // Bash inserts a candidate as it is: a name with a space comes escaped, and the word
    // typed so far is read without its escapes; the real bash function of `completions bash`.
    let script = cli.dir.path().join("complete.bash");
    let (_, reg, _) = kw(&cli, "", d, &["completions", "bash"], "");
    std::fs::write(
        &script,
        format!(
            "{reg}\nfor w in Str 'Stripe\\ l'; do COMP_WORDS=(keywright show \"$w\"); COMP_CWORD=2; COMP_TYPE=9\n\
             _clap_complete_keywright keywright \"$w\" show; printf '[%s]\\n' \"${{COMPREPLY[@]}}\"; done\n"
        ),
    )
    .expect("write");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .env("KEYWRIGHT_VAULT", cli.vault())
        .env("KEYWRIGHT_RUNTIME_DIR", cli.run_dir())
        .env("KEYWRIGHT_KEYRING_SERVICE", "keywright-test")
        .env("KEYWRIGHT_SESSION", &s)
        .output()
        .expect("bash");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[Stripe\\ live]\n[Stripe\\ live]\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Subcommands still complete.
    assert!(complete(&s, &["inj"]).contains(&"inject".to_owned()));
    // Locked (no session, no keyring slot): no names, and nothing on stderr.
    assert!(complete("", &["show", "Str"]).is_empty());
    assert!(complete("not-a-session", &["show", "S"]).is_empty());
}

#[test]
fn man_pages_are_made_at_build_time_for_every_command() {
    let cli = Cli::new();
    let dir = cli.dir.path().join("man");
    let out = cli
        .cmd()
        .args(["__man", dir.to_str().expect("p")])
        .output()
        .expect("man");
    assert!(out.status.success());
    for page in [
        "keywright.1",
        "keywright-read.1",
        "keywright-inject.1",
        "keywright-run.1",
        "keywright-env.1",
        "keywright-sync-init.1",
    ] {
        let text =
            std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(
            text.starts_with(".ie") || text.contains(".TH"),
            "{page}: {text}"
        );
    }
    let read = std::fs::read_to_string(dir.join("keywright-read.1")).expect("read page");
    assert!(read.contains("keywright://"), "{read}");
}

#[test]
fn keywright_alone_without_a_vault_says_how_to_start() {
    let cli = Cli::new();
    let out = cli.cmd().output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("keywright init") && text.contains(&cli.vault().display().to_string()),
        "{text}"
    );
    assert!(
        !text.contains("Usage:") && text.trim().lines().count() == 1,
        "one paragraph: {text}"
    );
    // With a vault, the help.
    cli.init();
    let out = cli.cmd().output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"));
}

/// Postman's newman and Bruno's bru under `keywright run`: the collections read the
/// secrets from the environment, the requests authenticate against a real httpbin, and
/// the secrets are in neither the collection files nor the clients' output.
#[test]
fn newman_and_bru_read_their_secrets_from_keywright_run() {
    let hb = Httpbin::start();
    let (cli, s) = stocked();
    let d = cli.dir.path().join("api-tests");
    std::fs::create_dir_all(&d).expect("mkdir");
    let clients = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients/node_modules");
    assert!(
        clients.join(".bin/newman").exists(),
        "run scripts/install-deps.sh (tests/clients)"
    );
    std::fs::write(
        d.join(".env.tpl"),
        format!("BASE_URL={}\nAPI_TOKEN=keywright://Deploy token/secret\nSTRIPE_KEY=keywright://Stripe live/secret\n", hb.url("")),
    )
    .expect("write");

    // Postman: {{API_TOKEN}} and {{STRIPE_KEY}}, given by the recipe script from the
    // process environment.
    let test = |lines: &[&str]| json!([{"listen": "test", "script": {"type": "text/javascript", "exec": lines}}]);
    let coll = json!({
        "info": {"name": "Refs", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "Bearer", "request": {"method": "GET",
                "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{API_TOKEN}}", "type": "string"}]},
                "url": "{{BASE_URL}}/bearer"},
             "event": test(&["pm.test('bearer', () => { pm.response.to.have.status(200);",
                             "pm.expect(pm.response.json().token).to.eql(pm.environment.get('API_TOKEN')); });"])},
            {"name": "Key", "request": {"method": "GET",
                "header": [{"key": "X-Stripe-Key", "value": "{{STRIPE_KEY}}"}],
                "url": "{{BASE_URL}}/headers"},
             "event": test(&["pm.test('key', () => pm.expect(pm.response.json().headers['X-Stripe-Key']).to.eql(pm.environment.get('STRIPE_KEY')));",
                             "console.log('echo ' + pm.response.json().headers['X-Stripe-Key']);"])}
        ]
    });
    std::fs::write(
        d.join("refs.postman_collection.json"),
        serde_json::to_string_pretty(&coll).expect("json"),
    )
    .expect("write");
    let recipe = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/recipes/newman-env.js");
    let out = cli
        .cmd()
        .env("KEYWRIGHT_SESSION", &s)
        .env("NODE_PATH", &clients)
        .current_dir(&d)
        .args(["run", "--env-file", ".env.tpl", "--", "node"])
        .arg(&recipe)
        .args([
            "refs.postman_collection.json",
            "API_TOKEN",
            "STRIPE_KEY",
            "BASE_URL",
        ])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("newman");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "newman failed:\n{text}");
    assert!(text.contains("Bearer") && text.contains("Key"), "{text}");
    // The console.log of the echoed key is masked by keywright run.
    assert!(text.contains("echo <concealed by keywright>"), "{text}");
    assert!(
        !text.contains(KEY) && !text.contains(TOKEN),
        "a secret in newman's output:\n{text}"
    );

    // Bruno: {{process.env.API_TOKEN}} in the .bru files.
    let bru_dir = d.join("bruno");
    std::fs::create_dir_all(&bru_dir).expect("mkdir");
    std::fs::write(
        bru_dir.join("bruno.json"),
        r#"{"version": "1", "name": "Refs", "type": "collection"}"#,
    )
    .expect("write");
    std::fs::write(
        bru_dir.join("Bearer.bru"),
        "meta {\n  name: Bearer\n  type: http\n  seq: 1\n}\n\nget {\n  url: {{process.env.BASE_URL}}/bearer\n  body: none\n  auth: bearer\n}\n\nauth:bearer {\n  token: {{process.env.API_TOKEN}}\n}\n\ntests {\n  test('status', () => expect(res.getStatus()).to.equal(200));\n  test('token', () => expect(res.body.token).to.equal(bru.getProcessEnv('API_TOKEN')));\n}\n",
    )
    .expect("write");
    std::fs::write(
        bru_dir.join("Key.bru"),
        "meta {\n  name: Key\n  type: http\n  seq: 2\n}\n\nget {\n  url: {{process.env.BASE_URL}}/headers\n  body: none\n  auth: none\n}\n\nheaders {\n  X-Stripe-Key: {{process.env.STRIPE_KEY}}\n}\n\ntests {\n  test('status', () => expect(res.getStatus()).to.equal(200));\n  test('key', () => expect(res.body.headers['X-Stripe-Key']).to.equal(bru.getProcessEnv('STRIPE_KEY')));\n}\n",
    )
    .expect("write");
    let out = cli
        .cmd()
        .env("KEYWRIGHT_SESSION", &s)
        .current_dir(&bru_dir)
        .args(["run", "--env-file", "../.env.tpl", "--"])
        .arg(clients.join(".bin/bru"))
        .args(["run"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("bru");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "bru failed:\n{text}");
    assert!(
        text.contains("Bearer") && text.contains("Key") && !text.contains("✗"),
        "{text}"
    );
    assert!(
        !text.contains(KEY) && !text.contains(TOKEN),
        "a secret in bru's output:\n{text}"
    );

    // The collection files hold references to the environment only.
    for entry in files_below(&d) {
        let body = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !body.contains(KEY) && !body.contains(TOKEN),
            "{} holds a secret",
            entry.display()
        );
    }
}

/// An OAuth2 item's `access_token` and `header` through references: renewed first (real
/// OpenID provider), once for a template that names it twice.
#[test]
fn access_token_references_renew_once_against_a_real_provider() {
    let p = crate::peers::Provider::start(60);
    let cli = Cli::new();
    cli.init();
    crate::cli_tokens::add_client(&cli, &p, "Billing svc", "client_credentials");
    let s = cli.ok(&["unlock"], "")["session"]
        .as_str()
        .expect("session")
        .to_owned();
    let d = cli.dir.path();
    // Nothing renewed yet: env --check says it resolves (renewed when read) without renewing.
    std::fs::write(d.join("o.env"), "T=keywright://Billing svc/access_token\n").expect("write");
    let (code, out, _) = kw(&cli, &s, d, &["env", "--check", "--env-file", "o.env"], "");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("renewed when due"), "{out}");
    assert_eq!(crate::cli_tokens::renewals(&cli, "Billing svc"), 0);
    std::fs::write(
        d.join("t.tpl"),
        "a={{ keywright://Billing svc/access_token }}\nb={{ keywright://Billing svc/header }}\nc={{ keywright://Billing svc/client_id }}\n",
    )
    .expect("write");
    let (code, out, err) = kw(&cli, &s, d, &["inject", "-i", "t.tpl"], "");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("renewed Billing svc"), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let token = lines[0].strip_prefix("a=").expect("a=");
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    assert_eq!(lines[1], format!("b=Authorization: Bearer {token}"));
    assert_eq!(lines[2], "c=kw-basic");
    assert_eq!(
        crate::cli_tokens::renewals(&cli, "Billing svc"),
        1,
        "one renewal for the template"
    );
    // Still valid: read gives the same token, no new renewal.
    let (_, out, _) = kw(
        &cli,
        &s,
        d,
        &["read", "-n", "keywright://Billing svc/access_token"],
        "",
    );
    assert_eq!(out, token);
    assert_eq!(crate::cli_tokens::renewals(&cli, "Billing svc"), 1);
}
