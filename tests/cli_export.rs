//! Whole-vault exports through the `keywright` binary: `export json|keepassxc|bitwarden`
//! (password asked again, 0600 file, no overwrite without --force, the summary and its
//! `--json`, the audit log), and the KeePass XML read by the real `keepassxc-cli`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use keywright_core::credential::{OAuthConfig, OtpAlgorithm, OtpParams, OtpType, Placement};
use keywright_core::probe::input::RequestInput;
use keywright_core::{Kind, NewItem};
use serde_json::Value;

use crate::common::*;

const HOSTILE: &str = "Stripe <live> & \"prod\" 'eu' 東京";
const API_KEY: &str = "sk_test_51Export<&>\"'Key";
const NOTES: &str = "rotate via dashboard <admin>\n\tsecond line & 'more'";

/// A vault at the CLI's path with one item of each kind (two API keys, a TOTP, a SHA256
/// TOTP, a Steam and an HOTP 2FA item), tags, notes, an expiry and a saved request, made
/// through the core (the CLI cannot store OAuth tokens without a server).
fn rich_vault(cli: &Cli) {
    let mut vault = new_vault(cli.dir.path()).vault;
    let mut api = NewItem::new(Kind::ApiKey, HOSTILE, API_KEY);
    api.tags = vec!["payments".into(), "prod".into()];
    api.url = Some("https://api.stripe.com".into());
    api.username = Some("ops@example.com".into());
    api.expires_at = Some(1_900_000_000);
    api.placement = Some(Placement::Header {
        name: "Authorization".into(),
    });
    api.secret.notes = NOTES.into();
    let api = vault.add(api).expect("add api key");
    vault
        .save_request(
            &api.id,
            "balance",
            &RequestInput::get("https://api.stripe.com/v1/balance"),
        )
        .expect("save request");
    let mut q = NewItem::new(Kind::ApiKey, "Maps", "AIzaSyExportQueryKey");
    q.placement = Some(Placement::Query { name: "key".into() });
    vault.add(q).expect("add query key");
    let mut bearer = NewItem::new(Kind::Bearer, "CI token", "ghp_exportBearerToken123");
    bearer.tags = vec!["ci".into()];
    vault.add(bearer).expect("add bearer");
    let mut oauth = NewItem::new(Kind::Oauth2, "Okta", "oauth-client-secret");
    oauth.oauth = Some(OAuthConfig {
        client_id: "okta-client-id".into(),
        token_url: Some("https://auth.example.com/oauth2/token".into()),
        scopes: vec!["read".into(), "write".into()],
        ..OAuthConfig::default()
    });
    oauth.secret.access_token = "oauth-access-token".into();
    oauth.secret.refresh_token = "oauth-refresh-token".into();
    vault.add(oauth).expect("add oauth");
    let mut basic = NewItem::new(Kind::Basic, "Registry", "registry-password");
    basic.username = Some("deploy".into());
    basic.url = Some("https://registry.example.com".into());
    vault.add(basic).expect("add basic");
    let mut totp = NewItem::new(Kind::Totp, "GitHub 2FA", "JBSWY3DPEHPK3PXP");
    totp.issuer = Some("GitHub".into());
    totp.username = Some("alice".into());
    vault.add(totp).expect("add totp");
    let mut sha = NewItem::new(Kind::Totp, "Cloud 2FA", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    sha.issuer = Some("Cloud".into());
    sha.otp = Some(OtpParams {
        otp_type: OtpType::Totp,
        algorithm: OtpAlgorithm::Sha256,
        digits: 8,
        period: 60,
    });
    vault.add(sha).expect("add sha256 totp");
    let mut steam = NewItem::new(Kind::Totp, "Steam", "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ");
    steam.otp = Some(OtpParams {
        otp_type: OtpType::Steam,
        algorithm: OtpAlgorithm::Sha1,
        digits: 5,
        period: 30,
    });
    vault.add(steam).expect("add steam");
    let mut hotp = NewItem::new(Kind::Totp, "Bank", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U");
    hotp.otp = Some(OtpParams {
        otp_type: OtpType::Hotp,
        ..OtpParams::default()
    });
    hotp.secret.counter = 4;
    vault.add(hotp).expect("add hotp");
}

const SECRETS: [&str; 9] = [
    API_KEY,
    "AIzaSyExportQueryKey",
    "ghp_exportBearerToken123",
    "oauth-client-secret",
    "oauth-access-token",
    "oauth-refresh-token",
    "registry-password",
    "JBSWY3DPEHPK3PXP",
    "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
];

/// Whether JSON `text` holds `s` (as written in a JSON string: `"` as `\"`).
fn json_has(text: &str, s: &str) -> bool {
    let quoted = serde_json::to_string(s).expect("json string");
    text.contains(quoted.trim_matches('"'))
}

/// `--password-stdin` without --json: (success, stdout, stderr).
fn human(cli: &Cli, args: &[&str], stdin: &str) -> (bool, String, String) {
    let out = cli
        .cmd()
        .arg("--password-stdin")
        .args(args)
        .write_stdin(stdin.to_owned())
        .output()
        .expect("run keywright");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn out_path(cli: &Cli, name: &str) -> PathBuf {
    cli.dir.path().join(name)
}

#[test]
fn export_json_asks_for_the_password_writes_0600_and_never_overwrites() {
    let cli = Cli::new();
    rich_vault(&cli);
    let path = out_path(&cli, "vault-export.json");
    let p = path.to_str().expect("path");

    // The wrong password: refused, nothing written.
    let (ok, _, err) = human(&cli, &["export", "json", "--out", p], "not the password\n");
    assert!(!ok);
    assert!(err.contains("Wrong password"), "{err}");
    assert!(!path.exists());

    // A session unlocks other commands, but not an export: the password is asked again.
    let out = cli
        .cmd()
        .args(["unlock", "--password-stdin"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("unlock");
    assert!(out.status.success());
    let session = String::from_utf8_lossy(&out.stdout)
        .trim()
        .split_once('=')
        .map(|(_, s)| s.to_owned())
        .expect("session");
    let out = cli
        .cmd()
        .env("KEYWRIGHT_SESSION", &session)
        .args(["export", "json", "--out", p])
        .write_stdin("")
        .output()
        .expect("run");
    assert!(!out.status.success(), "an export without the password");
    assert!(!path.exists());

    let (ok, stdout, _) = human(
        &cli,
        &["export", "json", "--out", p],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok);
    assert_eq!(
        stdout.trim(),
        format!(
            "Exported 9 items (2 API keys, 1 token, 1 OAuth client, 1 basic, 4 2FA) to {p} \
             (unencrypted: keep it safe, delete it when done)"
        )
    );
    assert_eq!(keywright_core::paths::mode(&path), Some(0o600));
    let text = std::fs::read_to_string(&path).expect("read export");
    let v: Value = serde_json::from_str(&text).expect("the export is JSON");
    assert_eq!(v["format"], "keywright-export");
    assert_eq!(v["version"], 1);
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 9);
    for s in SECRETS {
        assert!(json_has(&text, s), "a secret is missing from the export");
    }
    let api = items
        .iter()
        .find(|i| i["name"] == HOSTILE)
        .expect("the API key");
    assert_eq!(api["secret"], API_KEY);
    assert_eq!(api["notes"], NOTES);
    assert_eq!(
        api["placement"],
        serde_json::json!({"in": "header", "name": "Authorization"})
    );
    assert_eq!(api["expires_at"], "2030-03-17T17:46:40Z");
    assert_eq!(
        api["saved_requests"][0]["request"]["url"],
        "https://api.stripe.com/v1/balance"
    );
    let okta = items.iter().find(|i| i["name"] == "Okta").expect("okta");
    assert_eq!(okta["oauth"]["refresh_token"], "oauth-refresh-token");
    let bank = items.iter().find(|i| i["name"] == "Bank").expect("bank");
    assert_eq!(bank["otp"]["counter"], 4);

    // Not again without --force (before the password is even asked for) …
    let before = std::fs::read(&path).expect("read");
    let msg = cli.err(&["export", "json", "--out", p], "", "invalid_input");
    assert!(msg.contains("--force") && msg.contains(p), "{msg}");
    assert_eq!(std::fs::read(&path).expect("read"), before);
    // … with it, replaced (and still owner-only, even if the old file was not).
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .expect("chmod");
    let v = cli.ok(&["export", "json", "--out", p, "--force"], "");
    assert_eq!(
        keys(&v),
        ["exported", "format", "kinds", "left_out", "path"]
    );
    assert_eq!(v["exported"], 9);
    assert_eq!(v["format"], "json");
    assert_eq!(v["path"], p);
    assert_eq!(
        v["kinds"],
        serde_json::json!({"api_key": 2, "bearer": 1, "oauth2": 1, "basic": 1, "totp": 4})
    );
    assert_eq!(v["left_out"], serde_json::json!([]));
    assert_eq!(keywright_core::paths::mode(&path), Some(0o600));

    // Every item's log says it left the vault, and in which format.
    let log = cli.ok(&["log", "Okta"], "");
    let last = log.as_array().and_then(|l| l.last()).expect("event");
    assert_eq!(last["action"], "export");
    assert_eq!(last["detail"], "json");
    let all = cli.ok(&["log"], "");
    let exports = all
        .as_array()
        .expect("log")
        .iter()
        .filter(|e| e["action"] == "export")
        .count();
    assert_eq!(exports, 18, "9 items, exported twice");
}

#[test]
fn export_to_stdout_and_bitwarden() {
    let cli = Cli::new();
    rich_vault(&cli);
    // Without --out the export itself is stdout (the --json flag does not wrap it).
    let (ok, stdout, _) = human(&cli, &["export", "bitwarden"], &format!("{PASSWORD}\n"));
    assert!(ok);
    let v: Value = serde_json::from_str(&stdout).expect("Bitwarden JSON on stdout");
    assert_eq!(v["encrypted"], false);
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 9);
    assert!(items.iter().all(|i| i["type"] == 1));
    let folders: Vec<&str> = v["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(folders, ["ci", "payments"]);
    let gh = items
        .iter()
        .find(|i| i["name"] == "GitHub 2FA")
        .expect("github");
    assert_eq!(
        gh["login"]["totp"],
        "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=SHA1&digits=6&period=30"
    );
    let reg = items
        .iter()
        .find(|i| i["name"] == "Registry")
        .expect("registry");
    assert_eq!(reg["login"]["username"], "deploy");
    assert_eq!(reg["login"]["password"], "registry-password");
    for s in SECRETS {
        assert!(json_has(&stdout, s), "a secret is missing from the export");
    }

    let path = out_path(&cli, "bw.json");
    let p = path.to_str().expect("path");
    let v = cli.ok(&["export", "bitwarden", "--out", p], "");
    assert_eq!(v["format"], "bitwarden");
    assert_eq!(v["exported"], 9);
    assert_eq!(keywright_core::paths::mode(&path), Some(0o600));
}

// ---------------------------------------------------------------------------------------
// The real KeePassXC

/// `keepassxc-cli`, or None when it is not installed and the test may be skipped.
fn keepassxc_cli() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("keepassxc-cli"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("KEYWRIGHT_REQUIRE_KEEPASSXC").is_none(),
            "keepassxc-cli is not installed but KEYWRIGHT_REQUIRE_KEEPASSXC is set \
             (scripts/install-deps.sh installs Debian's keepassxc)"
        );
        eprintln!(
            "SKIPPED: keepassxc-cli is not installed (apt-get install keepassxc); set \
             KEYWRIGHT_REQUIRE_KEEPASSXC=1 to make this a failure"
        );
    }
    found
}

const KDBX_PASSWORD: &str = "kdbx test password";

/// Run keepassxc-cli with the database password on stdin; its stdout.
fn kpcli(bin: &Path, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run keepassxc-cli");
    {
        use std::io::Write as _;
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("keepassxc-cli output");
    assert!(
        out.status.success(),
        "keepassxc-cli {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

/// RFC 4180 CSV (quoted fields, doubled quotes, line breaks inside quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The current TOTP from keepassxc-cli and from keywright in the same time step.
fn same_step_codes(cli: &Cli, bin: &Path, db: &str, name: &str, period: i64) -> (String, String) {
    for _ in 0..5 {
        let before = keywright_core::timefmt::now();
        let theirs = kpcli(
            bin,
            &["show", "-q", "-t", db, name],
            &format!("{KDBX_PASSWORD}\n"),
        );
        let after = keywright_core::timefmt::now();
        if before / period != after / period {
            continue;
        }
        let ours = cli.ok(&["totp", name, "--at", &before.to_string()], "")["code"]
            .as_str()
            .expect("code")
            .to_owned();
        return (theirs.trim().to_owned(), ours);
    }
    panic!("could not read both codes within one time step");
}

#[test]
fn keepassxc_cli_imports_the_keepass_export() {
    let Some(bin) = keepassxc_cli() else {
        return;
    };
    let cli = Cli::new();
    rich_vault(&cli);
    let xml = out_path(&cli, "export.xml");
    let x = xml.to_str().expect("path");
    let v = cli.ok(&["export", "keepassxc", "--out", x], "");
    assert_eq!(v["exported"], 9);
    assert_eq!(v["format"], "keepassxc");
    assert_eq!(keywright_core::paths::mode(&xml), Some(0o600));

    // keepassxc-cli makes a new database from the XML (new password asked twice).
    let kdbx = out_path(&cli, "imported.kdbx");
    let db = kdbx.to_str().expect("path");
    kpcli(
        &bin,
        &["import", "-q", "-p", "-t", "100", x, db],
        &format!("{KDBX_PASSWORD}\n{KDBX_PASSWORD}\n"),
    );
    assert!(kdbx.exists());

    // Its CSV export: titles, user names, passwords and keys, URLs, notes, TOTP.
    let csv = kpcli(
        &bin,
        &["export", "-q", "-f", "csv", db],
        &format!("{KDBX_PASSWORD}\n"),
    );
    let rows = parse_csv(&csv);
    assert_eq!(
        rows[0],
        [
            "Group",
            "Title",
            "Username",
            "Password",
            "URL",
            "Notes",
            "TOTP",
            "Icon",
            "Last Modified",
            "Created"
        ]
    );
    let row = |title: &str| {
        rows.iter()
            .find(|r| r[1] == title)
            .unwrap_or_else(|| panic!("no entry {title:?} in {rows:?}"))
            .clone()
    };
    assert_eq!(rows.len(), 10, "a header and one row per item");
    let api = row(HOSTILE);
    assert_eq!(api[0], "Keywright");
    assert_eq!(api[2], "ops@example.com");
    assert_eq!(api[3], API_KEY);
    assert_eq!(api[4], "https://api.stripe.com");
    assert_eq!(api[5], NOTES);
    assert_eq!(row("Maps")[3], "AIzaSyExportQueryKey");
    assert_eq!(row("CI token")[3], "ghp_exportBearerToken123");
    let okta = row("Okta");
    assert_eq!(
        (okta[2].as_str(), okta[3].as_str()),
        ("okta-client-id", "oauth-client-secret")
    );
    let reg = row("Registry");
    assert_eq!(
        (reg[2].as_str(), reg[3].as_str(), reg[4].as_str()),
        (
            "deploy",
            "registry-password",
            "https://registry.example.com"
        )
    );
    let gh = row("GitHub 2FA");
    assert_eq!(gh[2], "alice");
    assert!(gh[6].contains("secret=JBSWY3DPEHPK3PXP"), "{gh:?}");
    assert!(row("Steam")[6].contains("encoder=steam"));
    assert_eq!(row("Bank")[6], "", "KeePassXC has no HOTP");

    // Custom attributes, tags and protected fields as keepassxc-cli shows them.
    let show = |entry: &str, attrs: &[&str]| {
        let mut args = vec!["show", "-q", "-s"];
        for a in attrs {
            args.push("-a");
            args.push(a);
        }
        args.push(db);
        // The export's one group is the database's root group: entries sit at the top.
        args.push(entry);
        kpcli(&bin, &args, &format!("{KDBX_PASSWORD}\n"))
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        show(
            "Okta",
            &[
                "Access token",
                "Refresh token",
                "Token URL",
                "Scopes",
                "Keywright kind"
            ]
        ),
        [
            "oauth-access-token",
            "oauth-refresh-token",
            "https://auth.example.com/oauth2/token",
            "read write",
            "oauth2"
        ]
    );
    assert_eq!(
        show(HOSTILE, &["Tags", "Placement", "Header name"]),
        ["payments,prod", "header", "Authorization"]
    );
    assert_eq!(show("Maps", &["Query parameter"]), ["key"]);
    assert_eq!(
        show("Bank", &["HmacOtp-Secret-Base32", "HmacOtp-Counter"]),
        ["MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U", "4"]
    );

    // The expiry came through as KeePass's own (KeePassXC's XML export of the database).
    let back = kpcli(&bin, &["export", "-q", db], &format!("{KDBX_PASSWORD}\n"));
    assert!(
        back.contains("<ExpiryTime>2030-03-17T17:46:40Z</ExpiryTime>"),
        "no expiry in KeePassXC's export"
    );
    assert_eq!(back.matches("<Expires>True</Expires>").count(), 1);

    // KeePassXC computes the same codes as Keywright (and oathtool) for each TOTP flavour.
    let (theirs, ours) = same_step_codes(&cli, &bin, db, "GitHub 2FA", 30);
    assert_eq!(theirs, ours);
    assert_eq!(theirs.len(), 6);
    let (theirs, ours) = same_step_codes(&cli, &bin, db, "Cloud 2FA", 60);
    assert_eq!(theirs, ours);
    assert_eq!(theirs.len(), 8);
    let (theirs, ours) = same_step_codes(&cli, &bin, db, "Steam", 30);
    assert_eq!(theirs, ours);
    assert_eq!(theirs.len(), 5);
    let at = 1_700_000_015;
    let oathtool = Command::new("oathtool")
        .args([
            "--totp",
            "--base32",
            &format!("--now=@{at}"),
            "JBSWY3DPEHPK3PXP",
        ])
        .output()
        .expect("oathtool");
    assert_eq!(
        cli.ok(&["totp", "GitHub 2FA", "--at", &at.to_string()], "")["code"],
        String::from_utf8_lossy(&oathtool.stdout).trim()
    );
}

#[test]
fn a_damaged_item_is_left_out_and_named() {
    let cli = Cli::new();
    rich_vault(&cli);
    let id = cli.ok(&["show", "Registry"], "")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // One bit of its sealed secret flipped on disk: it fails its integrity check.
    crate::raw::flip_byte(&cli.vault(), "items", "secret", &id, 30);
    let path = out_path(&cli, "partial.json");
    let p = path.to_str().expect("path");
    let (ok, stdout, stderr) = human(
        &cli,
        &["export", "json", "--out", p],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok, "{stderr}");
    assert!(stderr.contains("not exported: Registry"), "{stderr}");
    assert!(stdout.starts_with("Exported 8 items (2 API keys, 1 token, 1 OAuth client, 4 2FA)"));
    assert!(
        stdout.contains("1 damaged item(s) could not be exported"),
        "{stdout}"
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 8);
    assert!(items.iter().all(|i| i["name"] != "Registry"));

    let v = cli.ok(&["export", "keepassxc", "--out", p, "--force"], "");
    assert_eq!(v["exported"], 8);
    assert_eq!(v["kinds"]["basic"], 0);
    let left = v["left_out"].as_array().expect("left_out");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], id.as_str());
    assert_eq!(left[0]["name"], "Registry");
    assert!(
        left[0]["reason"]
            .as_str()
            .expect("reason")
            .contains("integrity check"),
        "{v}"
    );
}
