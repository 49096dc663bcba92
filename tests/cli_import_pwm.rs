//! `keywright import bitwarden|1password` through the CLI binary: Bitwarden's plain and
//! password-protected JSON exports and 1Password's `.1pux`, made by
//! `tests/fixtures/pm_exports.py` with implementations independent of Keywright's
//! (hashlib, hmac, argon2-cffi, openssl, zipfile); the linked 2FA item's code checked
//! against `oathtool`; a second import finds only duplicates; `--dry-run` saves nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::common::{Cli, PASSWORD};

/// RFC 6238's SHA-1 seed in base32.
const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const STRIPE: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
const GITHUB_PAT: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
/// A JWT that expires on 2100-01-01.
const JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMiLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
const EXPORT_PASSWORD: &str = "export pässword";

fn python() -> String {
    std::env::var("KEYWRIGHT_TEST_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// Run `tests/fixtures/pm_exports.py` with these arguments.
fn fixture(args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pm_exports.py");
    let out = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "pm_exports.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn oathtool_totp(secret_b32: &str, at: i64) -> String {
    let out = Command::new("oathtool")
        .args(["--totp", "-b", &format!("--now=@{at}"), secret_b32])
        .output()
        .expect("oathtool");
    String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_owned()
}

fn names(cli: &Cli) -> Vec<String> {
    let mut v: Vec<String> = cli
        .ok(&["list"], "")
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect();
    v.sort();
    v
}

fn row<'a>(report: &'a Value, label: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["label"] == label)
        .unwrap_or_else(|| panic!("no row {label}: {report}"))
}

/// The export password as the second stdin line, after the vault password.
fn import_with(cli: &Cli, args: &[&str], stdin: String) -> (bool, Value) {
    let out = cli
        .cmd()
        .args(["--password-stdin", "--json", "import"])
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), v)
}

fn bitwarden_export() -> Value {
    let item = |kind: u8, name: &str, folder: Option<&str>, extra: Value| {
        let mut v = json!({
            "passwordHistory": null, "revisionDate": "2024-05-02T10:11:12.000Z",
            "creationDate": "2024-05-01T10:11:12.000Z", "deletedDate": null,
            "id": format!("7f0c{}", name.len()), "organizationId": null, "folderId": folder,
            "type": kind, "reprompt": 0, "name": name, "notes": null, "favorite": false,
            "collectionIds": null,
        });
        for (k, val) in extra.as_object().expect("object") {
            v[k] = val.clone();
        }
        v
    };
    let login = |user: Option<&str>, pass: Option<&str>, totp: Option<&str>, uri: &str| {
        json!({"fido2Credentials": [], "uris": [{"match": null, "uri": uri}],
               "username": user, "password": pass, "totp": totp})
    };
    json!({
        "encrypted": false,
        "folders": [{"id": "f-dev", "name": "Dev"}],
        "items": [
            item(1, "GitHub", Some("f-dev"), json!({
                "fields": [{"name": "PAT", "value": GITHUB_PAT, "type": 1, "linkedId": null},
                           {"name": "region", "value": "eu-west-1", "type": 0, "linkedId": null}],
                "login": login(Some("octocat"), Some("hunter2-pass"),
                    Some(&format!("otpauth://totp/GitHub:octocat?secret={SEED}&issuer=GitHub")),
                    "https://github.com/login"),
            })),
            item(1, "Stripe", Some("f-dev"), json!({"login": login(None, Some(STRIPE), None, "api.stripe.com")})),
            item(1, "Service token", None, json!({"login": login(None, Some(JWT), None, "")})),
            item(2, "Wi-Fi", None, json!({"notes": "on the fridge", "secureNote": {"type": 0}})),
            item(3, "Visa", None, json!({"card": {"number": "4111111111111111", "code": "123"}})),
        ],
    })
}

/// What every Bitwarden import of [`bitwarden_export`] must give.
fn check_bitwarden_vault(cli: &Cli) {
    assert_eq!(
        names(cli),
        [
            "GitHub",
            "GitHub 2FA",
            "GitHub PAT",
            "Service token",
            "Stripe"
        ]
    );
    let gh = cli.ok(&["show", "GitHub"], "");
    assert_eq!(gh["kind"], "basic");
    assert_eq!(gh["username"], "octocat");
    assert_eq!(gh["url"], "https://github.com/login");
    assert_eq!(gh["tags"], json!(["Dev"]));
    assert_eq!(cli.ok(&["show", "GitHub PAT"], "")["service"], "github");
    let stripe = cli.ok(&["show", "Stripe"], "");
    assert_eq!(
        (&stripe["kind"], &stripe["service"]),
        (&json!("api_key"), &json!("stripe"))
    );
    let token = cli.ok(&["show", "Service token"], "");
    assert_eq!(token["kind"], "bearer");
    assert!(
        token["expires_at"]
            .as_str()
            .is_some_and(|e| e.starts_with("2100-01-01")),
        "{token}"
    );
    // The linked 2FA item gives the codes oathtool gives for the seed.
    let otp = cli.ok(&["show", "GitHub 2FA"], "");
    assert_eq!(
        (&otp["kind"], &otp["issuer"]),
        (&json!("totp"), &json!("GitHub"))
    );
    for at in [1_700_000_015i64, 2_000_000_000] {
        let code = cli.ok(&["totp", "GitHub 2FA", "--at", &at.to_string()], "");
        assert_eq!(code["code"], oathtool_totp(SEED, at), "at {at}");
    }
    let out = cli
        .cmd()
        .args(["--password-stdin", "show", "GitHub", "--reveal"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("hunter2-pass") && text.contains("region: eu-west-1"),
        "{text}"
    );
}

#[test]
fn bitwarden_plain_export_imports_once() {
    let cli = Cli::new();
    cli.init();
    let file = cli.dir.path().join("bitwarden_export.json");
    std::fs::write(&file, bitwarden_export().to_string()).expect("write");
    let f = file.to_str().expect("path");

    let dry = cli.ok(&["import", "bitwarden", f, "--dry-run"], "");
    assert_eq!(dry["format"], "bitwarden");
    assert_eq!((&dry["new"], &dry["invalid"]), (&json!(5), &json!(2)));
    assert_eq!(row(&dry, "item 1")["kind"], "basic");
    assert_eq!(row(&dry, "item 1 (2FA)")["kind"], "totp");
    assert_eq!(row(&dry, "item 1 (2FA)")["name"], "GitHub 2FA");
    assert_eq!(row(&dry, "item 1 (PAT)")["kind"], "api_key");
    assert_eq!(row(&dry, "item 3")["kind"], "bearer");
    assert!(
        row(&dry, "item 5")["reason"]
            .as_str()
            .is_some_and(|r| r.contains("is a payment card")),
        "{dry}"
    );
    for secret in ["hunter2", STRIPE, GITHUB_PAT, SEED, "4111111111111111"] {
        assert!(
            !dry.to_string().contains(secret),
            "the preview shows no secret"
        );
    }
    assert!(names(&cli).is_empty(), "a dry run saves nothing");

    let done = cli.ok(&["import", "bitwarden", f], "");
    assert_eq!(done["added"], 5);
    check_bitwarden_vault(&cli);

    let again = cli.ok(&["import", "bitwarden", f], "");
    assert_eq!(
        (&again["new"], &again["duplicates"], &again["added"]),
        (&json!(0), &json!(5), &json!(0)),
        "{again}"
    );
    assert_eq!(row(&again, "item 2")["duplicate_of"], "Stripe");
}

#[test]
fn bitwarden_password_protected_export_opens_with_the_second_stdin_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain.json");
    std::fs::write(&plain, bitwarden_export().to_string()).expect("write");
    let protected = dir.path().join("protected.json");
    let (p, o) = (plain.to_str().expect("p"), protected.to_str().expect("o"));
    fixture(&[
        "bitwarden-protect",
        p,
        o,
        EXPORT_PASSWORD,
        "pbkdf2",
        "600000",
    ]);

    let cli = Cli::new();
    cli.init();
    // No export password: asked for, nothing imported.
    let (ok, v) = import_with(&cli, &["bitwarden", o], format!("{PASSWORD}\n"));
    assert!(!ok);
    assert_eq!(v["error"]["kind"], "import_password_needed", "{v}");
    // A wrong one: said so, nothing imported.
    let (ok, v) = import_with(&cli, &["bitwarden", o], format!("{PASSWORD}\nnot it\n"));
    assert!(!ok);
    assert_eq!(v["error"]["kind"], "wrong_import_password", "{v}");
    assert!(names(&cli).is_empty());

    let (ok, v) = import_with(
        &cli,
        &["bitwarden", o, "--dry-run"],
        format!("{PASSWORD}\n{EXPORT_PASSWORD}\n"),
    );
    assert!(ok, "{v}");
    assert_eq!(v["new"], 5);
    assert!(names(&cli).is_empty(), "a dry run saves nothing");

    let (ok, v) = import_with(
        &cli,
        &["bitwarden", o],
        format!("{PASSWORD}\n{EXPORT_PASSWORD}\n"),
    );
    assert!(ok, "{v}");
    assert_eq!(v["added"], 5);
    check_bitwarden_vault(&cli);

    // The same file on stdin after both passwords: only duplicates.
    let bytes = std::fs::read_to_string(&protected).expect("read");
    let (ok, v) = import_with(
        &cli,
        &["bitwarden", "-"],
        format!("{PASSWORD}\n{EXPORT_PASSWORD}\n{bytes}"),
    );
    assert!(ok, "{v}");
    assert_eq!((&v["duplicates"], &v["added"]), (&json!(5), &json!(0)));
}

#[test]
fn bitwarden_argon2id_export_made_by_argon2_cffi_opens() {
    let probe = Command::new(python())
        .args(["-c", "import argon2"])
        .output()
        .expect("python");
    if !probe.status.success() {
        assert!(
            std::env::var("KEYWRIGHT_TEST_PYTHON").is_err(),
            "KEYWRIGHT_TEST_PYTHON must have argon2-cffi"
        );
        eprintln!("SKIPPED: set KEYWRIGHT_TEST_PYTHON to a python with argon2-cffi");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain.json");
    std::fs::write(&plain, bitwarden_export().to_string()).expect("write");
    let protected = dir.path().join("protected.json");
    let (p, o) = (plain.to_str().expect("p"), protected.to_str().expect("o"));
    // Bitwarden's default Argon2id parameters: 3 iterations, 64 MiB, 4 lanes.
    fixture(&[
        "bitwarden-protect",
        p,
        o,
        EXPORT_PASSWORD,
        "argon2id",
        "3",
        "64",
        "4",
    ]);
    let cli = Cli::new();
    cli.init();
    let (ok, v) = import_with(
        &cli,
        &["bitwarden", o],
        format!("{PASSWORD}\n{EXPORT_PASSWORD}\n"),
    );
    assert!(ok, "{v}");
    check_bitwarden_vault(&cli);
}

fn onepassword_export_data() -> Value {
    let field = |title: &str, id: &str, value: Value| {
        json!({"title": title, "id": id, "value": value, "guarded": false, "multiline": false,
               "dontGenerate": false,
               "inputTraits": {"keyboard": "default", "correction": "default", "capitalization": "default"}})
    };
    let item = |category: &str, title: &str, details: Value, overview: Value| {
        let mut ov = json!({"subtitle": "", "title": title, "url": "", "tags": []});
        for (k, v) in overview.as_object().expect("object") {
            ov[k] = v.clone();
        }
        json!({"uuid": format!("u{}", title.len()), "favIndex": 0, "createdAt": 1_700_000_000,
               "updatedAt": 1_700_000_000, "state": "active", "categoryUuid": category,
               "details": details, "overview": ov})
    };
    json!({"accounts": [{
        "attrs": {"accountName": "Dev", "name": "Dev", "email": "dev@example.com", "uuid": "A1",
                  "domain": "https://my.1password.com/"},
        "vaults": [{
            "attrs": {"uuid": "v1", "desc": "", "avatar": "", "name": "Private", "type": "P"},
            "items": [
                item("001", "GitLab", json!({
                    "loginFields": [
                        {"value": "tanuki", "id": "", "name": "username", "fieldType": "T", "designation": "username"},
                        {"value": "gl-pass-123", "id": "", "name": "password", "fieldType": "P", "designation": "password"},
                    ],
                    "notesPlain": "",
                    "sections": [{"title": "", "name": "s", "fields": [
                        field("one-time password", "TOTP_abc", json!({"totp": SEED})),
                    ]}],
                }), json!({"url": "https://gitlab.com", "tags": ["dev"]})),
                item("112", "Stripe API", json!({"sections": [{"title": "", "name": "s", "fields": [
                    field("username", "username", json!({"string": "svc-billing"})),
                    field("credential", "credential", json!({"concealed": STRIPE})),
                    field("type", "type", json!({"menu": "other"})),
                    field("expires", "expires", json!({"date": 4_102_444_800u64})),
                    field("hostname", "hostname", json!({"string": "api.stripe.com"})),
                ]}]}), json!({"tags": ["billing"]})),
                item("005", "Router", json!({"password": "router-pw-123"}), json!({})),
                item("003", "Wi-Fi", json!({"notesPlain": "on the fridge"}), json!({})),
            ],
        }],
    }]})
}

#[test]
fn onepassword_1pux_imports_once() {
    let cli = Cli::new();
    cli.init();
    let data = cli.dir.path().join("export.data");
    std::fs::write(&data, onepassword_export_data().to_string()).expect("write");
    let pux = cli.dir.path().join("Dev.1pux");
    fixture(&[
        "onepux",
        data.to_str().expect("data"),
        pux.to_str().expect("pux"),
    ]);
    let f = pux.to_str().expect("pux");

    let dry = cli.ok(&["import", "1password", f, "--dry-run"], "");
    assert_eq!(dry["format"], "1password");
    assert_eq!((&dry["new"], &dry["invalid"]), (&json!(4), &json!(1)));
    assert!(
        row(&dry, "item 4")["reason"]
            .as_str()
            .is_some_and(|r| r.contains("secure note with no key")),
        "{dry}"
    );
    assert!(names(&cli).is_empty(), "a dry run saves nothing");

    let done = cli.ok(&["import", "1password", f], "");
    assert_eq!(done["added"], 4);
    assert_eq!(
        names(&cli),
        ["GitLab", "GitLab 2FA", "Router", "Stripe API"]
    );
    let gl = cli.ok(&["show", "GitLab"], "");
    assert_eq!(
        (&gl["kind"], &gl["username"]),
        (&json!("basic"), &json!("tanuki"))
    );
    assert_eq!(gl["tags"], json!(["dev"]));
    let at = 1_700_000_015i64;
    let code = cli.ok(&["totp", "GitLab 2FA", "--at", &at.to_string()], "");
    assert_eq!(code["code"], oathtool_totp(SEED, at));
    let api = cli.ok(&["show", "Stripe API"], "");
    assert_eq!(api["kind"], "api_key");
    assert_eq!(api["service"], "stripe");
    assert_eq!(api["username"], "svc-billing");
    assert_eq!(api["url"], "https://api.stripe.com");
    assert!(
        api["expires_at"]
            .as_str()
            .is_some_and(|e| e.starts_with("2100-01-01")),
        "{api}"
    );
    assert_eq!(cli.ok(&["show", "Router"], "")["kind"], "api_key");

    let again = cli.ok(&["import", "1password", f], "");
    assert_eq!(
        (&again["duplicates"], &again["added"]),
        (&json!(4), &json!(0)),
        "{again}"
    );
}

#[test]
fn a_1pux_zip_bomb_is_refused_and_nothing_is_imported() {
    let cli = Cli::new();
    cli.init();
    let data = cli.dir.path().join("export.data");
    std::fs::write(&data, onepassword_export_data().to_string()).expect("write");
    let bomb: PathBuf = cli.dir.path().join("bomb.1pux");
    // export.data padded with 40 MiB of spaces: a zip of a few dozen KiB.
    fixture(&[
        "onepux",
        data.to_str().expect("data"),
        bomb.to_str().expect("bomb"),
        "40",
    ]);
    assert!(std::fs::metadata(&bomb).expect("meta").len() < 1 << 20);
    let msg = cli.err(
        &["import", "1password", bomb.to_str().expect("bomb")],
        "",
        "import_failed",
    );
    assert!(
        msg.contains("declares") && msg.contains("Keywright reads at most 33554432"),
        "{msg}"
    );
    assert!(names(&cli).is_empty());
}
