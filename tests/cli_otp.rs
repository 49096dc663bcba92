//! The 2FA commands of the `keywright` binary end to end: add totp, totp, hotp, import,
//! export, qr, with their `--json` contracts.

use std::path::PathBuf;
use std::process::Command;

use crate::common::*;

fn oathtool_totp(secret_b32: &str, at: i64) -> String {
    let out = Command::new("oathtool")
        .args(["--totp", "--base32", &format!("--now=@{at}"), secret_b32])
        .output()
        .expect("oathtool");
    String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_owned()
}

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../src-tauri/crates/keywright-core/src/otp/testdata")
        .join(name)
}

fn item_count(cli: &Cli) -> usize {
    cli.ok(&["list"], "").as_array().expect("list").len()
}

#[test]
fn add_totp_and_print_codes() {
    let cli = Cli::new();
    cli.init();
    // An otpauth URI on stdin …
    cli.ok(
        &["add", "totp", "GitHub"],
        "otpauth://totp/GitHub:alice?secret=jbswy3dpehpk3pxp&issuer=GitHub\n",
    );
    // … or a bare 80-bit secret with flags.
    cli.ok(
        &[
            "add", "totp", "Slack", "--digits", "8", "--period", "60", "--issuer", "Slack",
        ],
        "JBSW Y3DP EHPK 3PXP\n",
    );
    let at = 1_700_000_015;
    let v = cli.ok(&["totp", "GitHub", "--at", &at.to_string()], "");
    assert_eq!(keys(&v), ["code", "period", "remaining_s", "valid_until"]);
    assert_eq!(v["code"], oathtool_totp("JBSWY3DPEHPK3PXP", at));
    assert_eq!(v["period"], 30);
    assert_eq!(v["remaining_s"], 25);
    assert_eq!(v["valid_until"], "2023-11-14T22:14:00Z");

    let s = cli.ok(&["totp", "Slack", "--at", &at.to_string()], "");
    let code = s["code"].as_str().expect("code");
    assert_eq!(code.len(), 8);
    assert_eq!(s["period"], 60);
    let want = Command::new("oathtool")
        .args([
            "--totp",
            "--base32",
            "--digits=8",
            "--time-step-size=60s",
            &format!("--now=@{at}"),
            "JBSWY3DPEHPK3PXP",
        ])
        .output()
        .expect("oathtool");
    assert_eq!(code, String::from_utf8_lossy(&want.stdout).trim());

    // Without --json: just the code, for scripts.
    let out = cli
        .cmd()
        .args([
            "--password-stdin",
            "totp",
            "GitHub",
            "--at",
            &at.to_string(),
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        oathtool_totp("JBSWY3DPEHPK3PXP", at)
    );

    // Bad input names the problem and never echoes the secret.
    let msg = cli.err(
        &["add", "totp", "Bad"],
        "JBSWY3DPEHPK3PX1\n",
        "invalid_input",
    );
    assert!(msg.contains("'1'") && !msg.contains("JBSWY3DP"), "{msg}");
    let msg = cli.err(
        &["add", "totp", "Bad", "--digits", "9"],
        "JBSWY3DPEHPK3PXP\n",
        "invalid_input",
    );
    assert!(msg.contains("digits"), "{msg}");
    let msg = cli.err(
        &["add", "api-key", "K", "--digits", "8"],
        "k\n",
        "invalid_input",
    );
    assert!(msg.contains("totp items only"), "{msg}");
    let msg = cli.err(&["totp", "Nope"], "", "not_found");
    assert!(msg.contains("Nope"), "{msg}");
}

#[test]
fn hotp_counts_up_across_processes() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "totp", "Bank", "--type", "hotp", "--counter", "2"],
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n",
    );
    let a = cli.ok(&["hotp", "Bank"], "");
    assert_eq!(keys(&a), ["code", "counter"]);
    assert_eq!(
        (a["code"].as_str(), a["counter"].as_u64()),
        (Some("359152"), Some(2))
    );
    let b = cli.ok(&["hotp", "Bank"], "");
    assert_eq!(
        (b["code"].as_str(), b["counter"].as_u64()),
        (Some("969429"), Some(3))
    );
    let msg = cli.err(&["totp", "Bank"], "", "invalid_input");
    assert!(msg.contains("hotp"), "{msg}");
}

#[test]
fn import_previews_then_saves_and_is_idempotent() {
    let cli = Cli::new();
    cli.init();
    let file = cli.run_dir().with_file_name("codes.txt");
    std::fs::write(
        &file,
        "# exported codes\n\
         otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub\n\
         \n\
         otpauth://totp/Broken?secret=JBSWY3DPEHPK3PX1\n\
         otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=5\n",
    )
    .expect("write");
    let f = file.to_str().expect("path");

    let dry = cli.ok(&["import", "otpauth", f, "--dry-run"], "");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        (dry["new"].as_u64(), dry["invalid"].as_u64()),
        (Some(2), Some(1))
    );
    let rows = dry["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["label"], "line 2");
    assert_eq!(rows[0]["name"], "GitHub (alice)");
    assert_eq!(rows[1]["label"], "line 4");
    assert_eq!(rows[1]["status"], "invalid");
    assert!(rows[1]["reason"].as_str().expect("reason").contains("'1'"));
    assert_eq!(rows[2]["type"], "hotp");
    assert_eq!(item_count(&cli), 0, "a dry run saves nothing");

    let msg = cli.err(&["import", "otpauth", f, "--strict"], "", "invalid_input");
    assert!(msg.contains("line 4") && msg.contains("--strict"), "{msg}");
    assert_eq!(
        item_count(&cli),
        0,
        "--strict saves nothing when an entry is bad"
    );

    let done = cli.ok(&["import", "otpauth", f], "");
    assert_eq!(done["added"], 2);
    assert_eq!(item_count(&cli), 2);
    let h = cli.ok(&["hotp", "Bank (bob)"], "");
    assert_eq!(h["counter"], 5);

    let again = cli.ok(&["import", "otpauth", f], "");
    assert_eq!(
        (again["added"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(again["rows"][0]["duplicate_of"], "GitHub (alice)");

    // From stdin, after the password line.
    let piped = cli.ok(
        &["import", "otpauth", "-"],
        "otpauth://totp/Cloud:carol?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U\n",
    );
    assert_eq!(piped["added"], 1);
}

#[test]
fn import_encrypted_aegis_and_ente_made_by_other_implementations() {
    let cli = Cli::new();
    cli.init();
    let aegis = testdata("aegis_encrypted.json");
    let a = aegis.to_str().expect("path");
    // Encrypted without a password, and with a wrong one: clear errors, nothing saved.
    let msg = cli.err(&["import", "aegis", a], "", "import_password_needed");
    assert!(msg.contains("Aegis") && msg.contains("encrypted"), "{msg}");
    let msg = cli.err(&["import", "aegis", a], "wrong\n", "wrong_import_password");
    assert!(msg.contains("Wrong password"), "{msg}");
    assert_eq!(item_count(&cli), 0);
    // Vault password first, then the export's.
    let done = cli.ok(&["import", "aegis", a], "test\n");
    let added = done["added"].as_u64().expect("added");
    assert!(added >= 2, "{done}");
    let names: Vec<String> = done["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["name"].as_str().map(str::to_owned))
        .collect();
    assert!(names.iter().any(|n| n.starts_with("GitHub")), "{names:?}");

    let ente = testdata("ente_encrypted.json");
    let e = cli.ok(&["import", "ente", ente.to_str().expect("path")], "test\n");
    // Ente's file holds GitHub again, and Cloud with the seed Aegis's Steam entry has:
    // both are recognised as already in the vault, whatever their other parameters.
    assert_eq!(
        (e["duplicates"].as_u64(), e["added"].as_u64()),
        (Some(2), Some(0)),
        "{e}"
    );
    assert_eq!(e["rows"][0]["duplicate_of"], "GitHub (alice@example.com)");
    assert_eq!(e["rows"][1]["issuer"], "Cloud");

    // A file of another format says so.
    let msg = cli.err(&["import", "2fas", a], "test\n", "import_failed");
    assert!(msg.contains("2FAS"), "{msg}");
}

#[test]
fn export_asks_for_the_password_and_round_trips() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "totp", "GitHub"],
        "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub\n",
    );
    cli.ok(
        &[
            "add",
            "totp",
            "Bank",
            "--type",
            "hotp",
            "--counter",
            "4",
            "--issuer",
            "Bank",
        ],
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n",
    );
    // A session unlocks ordinary commands, but exports still want the password.
    let out = cli
        .cmd()
        .args(["export", "otpauth", "--password-stdin"])
        .write_stdin("not the password\n")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Wrong password"));

    let path = cli.run_dir().with_file_name("export.txt");
    let p = path.to_str().expect("path");
    let v = cli.ok(&["export", "otpauth", "--out", p], "");
    assert_eq!(v["exported"], 2);
    assert_eq!(keywright_core::paths::mode(&path), Some(0o600));
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.contains("otpauth://hotp/Bank:Bank?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
        "{text}"
    );
    assert!(text.contains("counter=4"), "{text}");
    let msg = cli.err(&["export", "otpauth", "--out", p], "", "invalid_input");
    assert!(msg.contains("--force"), "{msg}");

    let aegis = cli.run_dir().with_file_name("aegis.json");
    let a = aegis.to_str().expect("path");
    cli.ok(&["export", "aegis", "--out", a], "");
    // A second vault imports the Aegis export: same codes.
    let other = Cli::new();
    other.init();
    let imp = other.ok(&["import", "aegis", a], "");
    assert_eq!(imp["added"], 2);
    let at = "1700000015";
    assert_eq!(
        other.ok(&["totp", "GitHub (alice)", "--at", at], "")["code"],
        cli.ok(&["totp", "GitHub", "--at", at], "")["code"]
    );
    assert_eq!(other.ok(&["hotp", "Bank"], "")["counter"], 4);

    // The log records that the seeds left the vault.
    let log = cli.ok(&["log", "GitHub"], "");
    assert!(log.to_string().contains("export"), "{log}");
}

#[test]
fn qr_png_scans_back_to_the_item() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "totp", "GitHub"],
        "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub\n",
    );
    let png = cli.run_dir().with_file_name("gh.png");
    let p = png.to_str().expect("path");
    cli.ok(&["qr", "GitHub", "--out", p], "");
    let bytes = std::fs::read(&png).expect("png");
    let texts = keywright_core::otp::qr::decode_image(&bytes).expect("decode");
    assert_eq!(
        texts,
        [
            "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=SHA1&digits=6&period=30"
        ]
    );
    let msg = cli.err(&["qr", "GitHub", "--out", "x.gif"], "", "invalid_input");
    assert!(msg.contains(".png or .svg"), "{msg}");
    // A phone screenshot of it imports into another vault.
    let other = Cli::new();
    other.init();
    let v = other.ok(&["import", "qr", p], "");
    assert_eq!(v["added"], 1);
    assert_eq!(v["rows"][0]["name"], "GitHub (alice)");
}

// --- Input limits (issue 13 items 1 and 14) ---------------------------------------------

/// Run `keywright --password-stdin --json ARGS` with stdin = the password line, then `fill`
/// repeated without end. The command has to stop by itself (it reads only up to its limit);
/// a generous guard kills it if it does not. Returns (success, JSON output).
fn with_endless_stdin(cli: &Cli, args: &[&str], fill: &'static [u8]) -> (bool, serde_json::Value) {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = cli
        .std_cmd()
        .args(["--password-stdin", "--json"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn keywright");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let chunk = fill.repeat(64 * 1024 / fill.len());
        if stdin.write_all(format!("{PASSWORD}\n").as_bytes()).is_err() {
            return;
        }
        // Ends when keywright exits and the pipe breaks.
        while stdin.write_all(&chunk).is_ok() {}
    });
    let guard = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > guard {
            let _ = child.kill();
            panic!("{args:?} kept reading an endless stdin");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    writer.join().expect("writer");
    let v = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (out.status.success(), v)
}

#[test]
fn endless_stdin_is_refused_at_its_limit() {
    let cli = Cli::new();
    cli.init();
    // One endless line: refused at 64 KiB, the limit of a secret.
    let (ok, v) = with_endless_stdin(&cli, &["add", "api-key", "Stripe"], b"k");
    assert!(!ok);
    assert_eq!(v["error"]["kind"], "invalid_input", "{v}");
    let msg = v["error"]["message"].as_str().expect("message");
    assert!(msg.contains("a line is longer than 65536 bytes"), "{msg}");
    // Endless newlines: the first (empty) line is the answer; nothing more is read.
    let (ok, v) = with_endless_stdin(&cli, &["add", "api-key", "Stripe"], b"\n");
    assert!(!ok);
    let msg = v["error"]["message"].as_str().expect("message");
    assert!(msg.contains("is empty"), "{msg}");
    // An endless import from stdin: refused past 32 MiB.
    let (ok, v) = with_endless_stdin(&cli, &["import", "otpauth", "-"], b"#\n");
    assert!(!ok);
    let msg = v["error"]["message"].as_str().expect("message");
    assert!(msg.contains("more than 33554432 bytes (32 MiB)"), "{msg}");
    assert_eq!(item_count(&cli), 0);
}

#[test]
fn an_endless_import_file_is_read_only_to_the_limit() {
    let cli = Cli::new();
    cli.init();
    if std::path::Path::new("/dev/zero").exists() {
        let msg = cli.err(&["import", "otpauth", "/dev/zero"], "", "import_failed");
        assert!(msg.contains("larger than 33554432 bytes (32 MiB)"), "{msg}");
    }
}

#[test]
fn add_totp_refuses_a_seed_over_the_limit() {
    let cli = Cli::new();
    cli.init();
    let seed = "A".repeat(2000);
    let msg = cli.err(
        &["add", "totp", "Long"],
        &format!("{seed}\n"),
        "invalid_input",
    );
    assert!(
        msg.contains("is 2000 characters long; the limit is 1024"),
        "{msg}"
    );
    assert!(!msg.contains("AAAAAAAAAAAAAAAA"), "no seed in the message");
    let uri = format!("otpauth://totp/Long?secret={seed}\n");
    let msg = cli.err(&["add", "totp", "Long"], &uri, "invalid_input");
    assert!(msg.contains("the limit is 1024"), "{msg}");
    assert_eq!(item_count(&cli), 0);
}

#[test]
fn the_13_byte_google_payload_is_one_invalid_row() {
    let cli = Cli::new();
    cli.init();
    let v = cli.ok(
        &["import", "google-migration", "-", "--dry-run"],
        "otpauth-migration://offline?data=GP////8H\n",
    );
    assert_eq!(
        (v["new"].as_u64(), v["invalid"].as_u64()),
        (Some(0), Some(1))
    );
    let reason = v["rows"][0]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("batch_size") && reason.contains("1 to 1000"),
        "{reason}"
    );
}

#[test]
fn a_qr_image_imports_from_stdin_after_the_password() {
    let cli = Cli::new();
    cli.init();
    let png = keywright_core::otp::qr::png(
        "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
    )
    .expect("png");
    let mut stdin = format!("{PASSWORD}\n").into_bytes();
    stdin.extend_from_slice(&png);
    let out = cli
        .cmd()
        .args(["--password-stdin", "--json", "import", "qr", "-"])
        .write_stdin(stdin)
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(out.status.success(), "{v}");
    assert_eq!(v["added"], 1);
}
