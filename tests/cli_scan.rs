//! `keywright scan` end to end: canaries planted in nested files, base64 blobs,
//! URL-encoded and JSON-escaped; what is not searched (.gitignore'd, binary, `.git/`);
//! `--staged`; a real `git commit` refused by `--install-hook`'s hook; no false positive
//! on 50 MB of random text; errors; the `--json` shape. No output ever holds a value.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::common::*;

/// The canary: characters that every encoding changes (`/`, `+`, `=`, `"`, `\`, a space).
const CANARY: &str = "kwc_live/9f8E+7d6C=\"5b4A\"\\3210 zz";
/// A plain canary (letters, digits, `_`): its URL and JSON forms are itself.
const PLAIN: &str = "kwc_test_51Hx9qLmZ0aB7cD3eF";

/// A vault at the CLI's path (cheap KDF) holding these API keys.
fn vault_with(cli: &Cli, items: &[(&str, &str)]) {
    let mut c = new_vault(cli.dir.path());
    for (name, value) in items {
        c.vault.add(api_key(name, value)).expect("add item");
    }
}

fn work(cli: &Cli) -> PathBuf {
    let w = cli.dir.path().join("work");
    std::fs::create_dir_all(&w).expect("work dir");
    w
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, content).expect("write");
}

/// `keywright --password-stdin scan ARGS` in `dir`.
fn scan(cli: &Cli, dir: &Path, args: &[&str]) -> Output {
    cli.cmd()
        .current_dir(dir)
        .args(["--password-stdin", "scan"])
        .args(args)
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run keywright scan")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Neither stream holds a secret value, in any form the scanner looks for.
fn assert_no_value(out: &Output, values: &[&str]) {
    for v in values {
        for stream in [&out.stdout, &out.stderr] {
            let s = text(stream);
            assert!(!s.contains(v), "a value was printed: {s}");
            let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(v);
            assert!(
                !s.contains(&b64[2..b64.len() - 2]),
                "a value was printed: {s}"
            );
        }
    }
}

/// `scan --json` findings as (file, line, column, item, form).
fn findings(out: &Output) -> Vec<(String, u64, u64, String, String)> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    v.as_array()
        .expect("array")
        .iter()
        .map(|f| {
            assert_eq!(keys(f), ["column", "file", "form", "item", "line"], "{f}");
            (
                f["file"].as_str().expect("file").to_owned(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
                f["item"].as_str().expect("item").to_owned(),
                f["form"].as_str().expect("form").to_owned(),
            )
        })
        .collect()
}

fn f(
    file: &str,
    line: u64,
    column: u64,
    item: &str,
    form: &str,
) -> (String, u64, u64, String, String) {
    (file.into(), line, column, item.into(), form.into())
}

#[test]
fn a_canary_in_a_nested_file_is_reported_by_place_and_name_never_by_value() {
    let cli = Cli::new();
    vault_with(
        &cli,
        &[("Stripe live", PLAIN), ("Other", "an-unused-value-0001")],
    );
    let w = work(&cli);
    write(&w, "README.md", "nothing to see\n");
    write(
        &w,
        "src/deep/nested/config.yaml",
        format!("service:\n  name: api\n  key: {PLAIN}\n"),
    );
    let out = scan(&cli, &w, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "src/deep/nested/config.yaml:3:8: the secret of \"Stripe live\" (plain)\n"
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("2 files scanned") && err.contains("1 secret found"),
        "{err}"
    );
    assert_no_value(&out, &[PLAIN]);

    // The JSON shape, exactly.
    let out = scan(&cli, &w, &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v,
        json!([{"file": "src/deep/nested/config.yaml", "line": 3, "column": 8,
                "item": "Stripe live", "form": "plain"}])
    );
    assert_no_value(&out, &[PLAIN]);

    // A PATH given: paths as given; a single file works too.
    let out = scan(&cli, &w, &["--json", "src"]);
    assert_eq!(
        findings(&out),
        vec![f(
            "src/deep/nested/config.yaml",
            3,
            8,
            "Stripe live",
            "plain"
        )]
    );
    let out = scan(
        &cli,
        &w,
        &["--json", "src/deep/nested/config.yaml", "README.md"],
    );
    assert_eq!(
        findings(&out),
        vec![f(
            "src/deep/nested/config.yaml",
            3,
            8,
            "Stripe live",
            "plain"
        )]
    );

    // Clean: exit 0, an empty array.
    let out = scan(&cli, &w, &["--json", "README.md"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "[]");
    let out = scan(&cli, &w, &["README.md"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("no secret found"));
}

#[test]
fn base64_url_and_json_forms_are_found() {
    let cli = Cli::new();
    vault_with(&cli, &[("Canary", CANARY)]);
    let w = work(&cli);
    let b64 = base64::engine::general_purpose::STANDARD;
    let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    // Inside a larger base64 blob, at each alignment and in both alphabets.
    let mut blobs = String::new();
    for prefix in ["", "x", "xy"] {
        let blob = format!("{prefix}{{\"auth\":\"{CANARY}\"}}");
        blobs.push_str(&format!("a: {}\n", b64.encode(&blob)));
        blobs.push_str(&format!("b: {}\n", url_safe.encode(&blob)));
    }
    write(&w, "k8s/secret.yaml", &blobs);
    // URL-encoded (RFC 3986), as in a query string.
    let url: String = CANARY
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    write(
        &w,
        "notes/url.txt",
        format!("curl 'https://api.example/v1?k={url}&x=1'\n"),
    );
    // JSON-escaped, as serde / JSON.stringify write it.
    let escaped = serde_json::to_string(CANARY).expect("json");
    write(
        &w,
        "config/app.json",
        format!("{{\n  \"token\": {escaped}\n}}\n"),
    );

    let out = scan(&cli, &w, &["--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let found = findings(&out);
    let pinned: Vec<_> = found.iter().filter(|x| x.4 != "base64").cloned().collect();
    assert_eq!(
        pinned,
        vec![
            f("config/app.json", 2, 13, "Canary", "json"),
            f("notes/url.txt", 1, 32, "Canary", "url"),
        ]
    );
    // One per blob line; the column depends on where the value's characters start.
    let blobs: Vec<(&str, u64, &str)> = found
        .iter()
        .filter(|x| x.4 == "base64")
        .map(|x| (x.0.as_str(), x.1, x.3.as_str()))
        .collect();
    assert_eq!(
        blobs,
        (1..=6)
            .map(|l| ("k8s/secret.yaml", l, "Canary"))
            .collect::<Vec<_>>()
    );
    assert_eq!(found.len(), 8);
    assert_no_value(&out, &[CANARY]);
    let human = scan(&cli, &w, &[]);
    assert!(
        text(&human.stdout).contains("config/app.json:2:13: the secret of \"Canary\" (json)"),
        "{}",
        text(&human.stdout)
    );
    assert_no_value(&human, &[CANARY]);
}

#[test]
fn ignored_binary_and_git_files_are_not_searched_hidden_ones_are() {
    let cli = Cli::new();
    vault_with(&cli, &[("Canary", PLAIN)]);
    let w = work(&cli);
    write(&w, ".gitignore", "build/\n*.log\n");
    write(&w, "build/out.txt", PLAIN);
    write(&w, "debug.log", PLAIN);
    write(&w, "sub/.gitignore", "local.txt\n");
    write(&w, "sub/local.txt", PLAIN);
    write(
        &w,
        ".git/config",
        format!("[remote \"origin\"]\n\turl = https://x:{PLAIN}@example\n"),
    );
    write(&w, "nested/.git/HEAD", PLAIN);
    let mut bin = b"\x7fELF\x02\x01\x01\x00\x00".to_vec();
    bin.extend_from_slice(PLAIN.as_bytes());
    write(&w, "bin/tool", &bin);
    write(&w, ".keywrightignore", "fixtures/\n");
    write(&w, "fixtures/fake.txt", PLAIN);
    // Hidden files are where keys leak: searched.
    write(&w, ".env", format!("STRIPE_KEY={PLAIN}\n"));
    write(
        &w,
        ".config/tool/.npmrc",
        format!("//registry/:_authToken={PLAIN}\n"),
    );

    let out = scan(&cli, &w, &["--json"]);
    assert_eq!(
        findings(&out),
        vec![
            f(".config/tool/.npmrc", 1, 24, "Canary", "plain"),
            f(".env", 1, 12, "Canary", "plain"),
        ]
    );
    // The same inside a real git repository (and its exclude file).
    git(&w, &["init", "-q"]);
    write(&w, ".git/info/exclude", "excluded.txt\n");
    write(&w, "excluded.txt", PLAIN);
    let out = scan(&cli, &w, &["--json"]);
    assert_eq!(findings(&out).len(), 2, "{}", text(&out.stdout));
    // A file named on the command line is searched even when ignored.
    let out = scan(&cli, &w, &["--json", "debug.log"]);
    assert_eq!(
        findings(&out),
        vec![f("debug.log", 1, 1, "Canary", "plain")]
    );
    // A binary file named on the command line is still skipped.
    let out = scan(&cli, &w, &["bin/tool"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("1 binary file skipped"),
        "{}",
        text(&out.stderr)
    );
}

/// git in `dir`, isolated from the machine's and the user's configuration.
fn git_cmd(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "-c",
            "user.name=Keywright Test",
            "-c",
            "user.email=test@keywright.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ]);
    c
}

fn git(dir: &Path, args: &[&str]) {
    let out = git_cmd(dir).args(args).output().expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn staged_scans_the_index_not_the_working_tree() {
    let cli = Cli::new();
    vault_with(
        &cli,
        &[("Canary", PLAIN), ("Second", "second-secret-value-77")],
    );
    let w = work(&cli);
    git(&w, &["init", "-q"]);
    write(&w, "clean.txt", "clean\n");
    git(&w, &["add", "clean.txt"]);
    git(&w, &["commit", "-qm", "first"]);

    // Staged with the secret on line 2, then cleaned in the working tree (not staged).
    write(
        &w,
        "app/settings.py",
        format!("DEBUG = True\nKEY = '{PLAIN}'\n"),
    );
    git(&w, &["add", "app/settings.py"]);
    write(
        &w,
        "app/settings.py",
        "DEBUG = True\nKEY = os.environ['KEY']\n",
    );
    // A secret in the working tree only (unstaged change of a tracked file, untracked file).
    write(&w, "clean.txt", "clean\nsecond-secret-value-77\n");
    write(&w, "untracked.txt", PLAIN);

    let out = scan(&cli, &w, &["--staged", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        findings(&out),
        vec![f("app/settings.py", 2, 8, "Canary", "plain")]
    );
    // From a subfolder: paths stay relative to the repository's top.
    let out = scan(&cli, &w.join("app"), &["--staged", "--json"]);
    assert_eq!(
        findings(&out),
        vec![f("app/settings.py", 2, 8, "Canary", "plain")]
    );
    // A pathspec limits the staged files scanned.
    let out = scan(&cli, &w, &["--staged", "--json", "clean.txt"]);
    assert!(out.status.success());
    assert_eq!(findings(&out), vec![]);
    assert_no_value(&out, &[PLAIN]);

    // The working tree holds the other two.
    let out = scan(&cli, &w, &["--json"]);
    assert_eq!(
        findings(&out),
        vec![
            f("clean.txt", 2, 1, "Second", "plain"),
            f("untracked.txt", 1, 1, "Canary", "plain"),
        ]
    );

    // A staged deletion or a clean index: nothing to find.
    git(&w, &["reset", "-q"]);
    let out = scan(&cli, &w, &["--staged"]);
    assert!(out.status.success(), "{}", text(&out.stdout));

    // Outside a git repository: a clear error, before any password is read.
    let elsewhere = cli.dir.path().join("plain");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    let out = scan(&cli, &elsewhere, &["--staged", "--json"]);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "invalid_input", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .expect("message")
            .contains("not in a git working tree"),
        "{v}"
    );
}

/// A folder whose `keywright` is this build (the hook prefers `keywright` on PATH).
fn path_with_keywright(cli: &Cli) -> std::ffi::OsString {
    let bin = cli.dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let link = bin.join("keywright");
    if !link.exists() {
        std::os::unix::fs::symlink(keywright_bin(), &link).expect("symlink");
    }
    let mut path = bin.into_os_string();
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    path
}

/// `git commit` in `w` with the test's vault and `session` (none: locked).
fn commit(cli: &Cli, w: &Path, session: Option<&str>, msg: &str) -> Output {
    let mut c = git_cmd(w);
    c.args(["commit", "-qm", msg])
        .env("PATH", path_with_keywright(cli))
        .env("KEYWRIGHT_VAULT", cli.vault())
        .env("KEYWRIGHT_RUNTIME_DIR", cli.run_dir())
        .env("KEYWRIGHT_KEYRING_SERVICE", "keywright-test")
        .env_remove("KEYWRIGHT_SESSION");
    if let Some(s) = session {
        c.env("KEYWRIGHT_SESSION", s);
    }
    c.output().expect("git commit")
}

fn commits(w: &Path) -> usize {
    let out = git_cmd(w)
        .args(["rev-list", "--count", "HEAD"])
        .output()
        .expect("git rev-list");
    text(&out.stdout).trim().parse().unwrap_or(0)
}

#[test]
fn the_pre_commit_hook_blocks_a_real_commit_with_a_secret() {
    let cli = Cli::new();
    vault_with(&cli, &[("Deploy key", PLAIN)]);
    let w = work(&cli);
    git(&w, &["init", "-q"]);
    let out = cli
        .cmd()
        .current_dir(&w)
        .args(["--json", "scan", "--install-hook"])
        .output()
        .expect("install");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(keys(&v), ["hook", "replaced", "vault"]);
    assert_eq!(v["replaced"], Value::Null);
    let hook = PathBuf::from(v["hook"].as_str().expect("hook"));
    assert!(hook.ends_with(".git/hooks/pre-commit"), "{v}");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&hook).expect("hook").permissions().mode();
    assert_eq!(mode & 0o111, 0o111, "executable: {mode:o}");
    // Installing again is fine.
    let again = cli
        .cmd()
        .current_dir(&w)
        .args(["scan", "--install-hook"])
        .output()
        .expect("again");
    assert!(again.status.success(), "{}", text(&again.stderr));

    let session = cli.ok(&["unlock"], "")["session"]
        .as_str()
        .expect("session")
        .to_owned();

    // A clean commit goes through.
    write(&w, "README.md", "# project\n");
    git(&w, &["add", "README.md"]);
    let out = commit(&cli, &w, Some(&session), "clean");
    assert!(
        out.status.success(),
        "clean commit refused: {}",
        text(&out.stderr)
    );
    assert_eq!(commits(&w), 1);

    // A staged secret: refused, nothing committed, the place named, never the value.
    write(&w, "deploy/.env", format!("A=1\nDEPLOY_KEY={PLAIN}\n"));
    git(&w, &["add", "deploy/.env"]);
    let out = commit(&cli, &w, Some(&session), "leak");
    assert!(!out.status.success(), "the commit went through");
    assert_eq!(commits(&w), 1);
    let err = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        err.contains("deploy/.env:2:12: the secret of \"Deploy key\" (plain)"),
        "{err}"
    );
    assert!(err.contains("--no-verify"), "{err}");
    assert_no_value(&out, &[PLAIN]);

    // Locked (no session, no terminal, no keyring): fails closed, says what to do.
    let out = commit(&cli, &w, None, "leak");
    assert!(!out.status.success());
    assert_eq!(commits(&w), 1);
    let err = text(&out.stderr);
    assert!(
        err.contains("locked") && err.contains("keywright unlock"),
        "{err}"
    );
    assert!(err.contains("git commit --no-verify"), "{err}");

    // Taken out again: the commit goes through.
    write(&w, "deploy/.env", "A=1\nDEPLOY_KEY=${DEPLOY_KEY}\n");
    git(&w, &["add", "deploy/.env"]);
    let out = commit(&cli, &w, Some(&session), "fixed");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(commits(&w), 2);
}

#[test]
fn a_foreign_pre_commit_hook_is_refused_unless_forced() {
    let cli = Cli::new();
    let w = work(&cli);
    git(&w, &["init", "-q"]);
    let hook = w.join(".git/hooks/pre-commit");
    write(&w, ".git/hooks/pre-commit", "#!/bin/sh\nmake lint\n");
    let out = cli
        .cmd()
        .current_dir(&w)
        .args(["--json", "scan", "--install-hook"])
        .output()
        .expect("install");
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let msg = v["error"]["message"].as_str().expect("message");
    assert!(
        msg.contains("keywright scan --staged") && msg.contains("--force"),
        "{msg}"
    );
    assert_eq!(
        std::fs::read_to_string(&hook).expect("hook"),
        "#!/bin/sh\nmake lint\n"
    );

    let out = cli
        .cmd()
        .current_dir(&w)
        .args(["--json", "scan", "--install-hook", "--force"])
        .output()
        .expect("install");
    assert!(out.status.success(), "{}", text(&out.stdout));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let kept = PathBuf::from(v["replaced"].as_str().expect("replaced"));
    assert_eq!(
        std::fs::read_to_string(kept).expect("kept"),
        "#!/bin/sh\nmake lint\n"
    );
    assert!(
        std::fs::read_to_string(&hook)
            .expect("hook")
            .contains("scan --staged")
    );

    // Not in a repository.
    let plain = cli.dir.path().join("plain");
    std::fs::create_dir_all(&plain).expect("dir");
    let out = cli
        .cmd()
        .current_dir(&plain)
        .args(["--json", "scan", "--install-hook"])
        .output()
        .expect("install");
    assert!(!out.status.success());
}

/// xorshift64*: fast, seeded, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn no_false_positive_on_50_mb_of_random_text() {
    let cli = Cli::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let secrets: Vec<String> = (0..300)
        .map(|i| {
            let len = 16 + (i % 32);
            (0..len)
                .map(|_| ALNUM[(rng.next() % ALNUM.len() as u64) as usize] as char)
                .collect()
        })
        .collect();
    {
        let mut c = new_vault(cli.dir.path());
        for (i, s) in secrets.iter().enumerate() {
            c.vault
                .add(api_key(&format!("key {i:03}"), s))
                .expect("add");
        }
    }
    // Printable ASCII and newlines, 50 files of 1 MiB in 5 folders.
    const TEXT: &[u8] =
        b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\n";
    let w = work(&cli);
    let mut buf = vec![0u8; 1 << 20];
    for n in 0..50 {
        for chunk in buf.chunks_mut(8) {
            let r = rng.next().to_le_bytes();
            for (b, x) in chunk.iter_mut().zip(r) {
                *b = TEXT[usize::from(x) % TEXT.len()];
            }
        }
        write(&w, &format!("d{}/f{n:02}.txt", n % 5), &buf);
    }
    let out = scan(&cli, &w, &["--json"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert_eq!(text(&out.stdout).trim(), "[]");
    let out = scan(&cli, &w, &[]);
    let err = text(&out.stderr);
    assert!(err.contains("50 files scanned (52.4 MB)"), "{err}");
    assert!(err.contains("300 values of 300 items"), "{err}");

    // The same tree with one secret planted in the middle of a file: found, exactly there.
    let mut planted = std::fs::read(w.join("d3/f13.txt")).expect("read");
    let at = 500_000;
    planted[at..at + secrets[123].len()].copy_from_slice(secrets[123].as_bytes());
    let line = planted[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let column = (at
        - planted[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)) as u64
        + 1;
    std::fs::write(w.join("d3/f13.txt"), &planted).expect("write");
    let out = scan(&cli, &w, &["--json"]);
    assert_eq!(
        findings(&out),
        vec![f("d3/f13.txt", line, column, "key 123", "plain")]
    );
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let cli = Cli::new();
    vault_with(&cli, &[("Canary", PLAIN)]);
    let w = work(&cli);
    let out = scan(&cli, &w, &["--json", "no/such/dir"]);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "io", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("no/such/dir"),
        "{v}"
    );
    let out = scan(&cli, &w, &["no/such/dir"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no/such/dir"),
        "{}",
        text(&out.stderr)
    );
    // A wrong password is an error, not a clean scan.
    let out = cli
        .cmd()
        .current_dir(&w)
        .args(["--password-stdin", "--json", "scan"])
        .write_stdin("wrong password\n")
        .output()
        .expect("scan");
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "wrong_password", "{v}");
}
