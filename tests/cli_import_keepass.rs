//! `keywright import kdbx | keepassxc-xml | keepassxc-csv` against databases and exports
//! made by the real KeePassXC (`keepassxc-cli`, Debian's `keepassxc`): every entry shape,
//! the 2FA codes KeePassXC itself shows, and the same items from each of its formats.
//!
//! Without keepassxc-cli these tests say so and pass, except when KEYWRIGHT_REQUIRE_KEEPASSXC=1
//! (scripts/test.sh and CI set it): then a missing tool fails them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{Cli, PASSWORD};

const DB_PASSWORD: &str = "kdbx pass phrase";

/// keepassxc-cli, or None (the test is skipped) when it is missing and not required.
fn keepassxc_cli() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("keepassxc-cli"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("KEYWRIGHT_REQUIRE_KEEPASSXC").as_deref() != Ok("1"),
            "keepassxc-cli is missing and KEYWRIGHT_REQUIRE_KEEPASSXC=1: install Debian's \
             keepassxc (scripts/install-deps.sh does)"
        );
        eprintln!("keepassxc-cli not found: KeePassXC end-to-end test skipped");
    }
    found
}

/// Run keepassxc-cli with `stdin`; its stdout. Fails the test with its stderr.
fn kpx(bin: &Path, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keepassxc-cli");
    {
        use std::io::Write as _;
        let mut si = child.stdin.take().expect("stdin");
        si.write_all(stdin.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("keepassxc-cli");
    assert!(
        out.status.success(),
        "keepassxc-cli {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

fn string(key: &str, value: &str, protect: bool) -> String {
    let attr = if protect {
        " ProtectInMemory=\"True\""
    } else {
        ""
    };
    format!("<String><Key>{key}</Key><Value{attr}>{value}</Value></String>")
}

fn entry(uuid: u8, extra: &str, strings: &[String]) -> String {
    format!(
        "<Entry><UUID>AAAAAAAAAAAAAAAAAAAB{}==</UUID>{extra}{}</Entry>",
        ["AA", "AQ", "Ag", "Aw", "BA", "BQ", "Bg", "Bw", "CA"][uuid as usize],
        strings.concat()
    )
}

const STRIPE: &str = "sk_live_51HxKeywrightE2EImportKey000";
const GITHUB_TOKEN: &str = "ghp_e2eE2Ee2eE2Ee2eE2Ee2eE2Ee2eE2Ee2e0";
const JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMiLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

/// A KeePass 2 XML database with one entry of each shape. `kdbx4`: an entry CustomData
/// item, which makes keepassxc-cli write KDBX 4 (without it, it writes KDBX 3.1).
fn source_xml(kdbx4: bool) -> String {
    let custom = if kdbx4 {
        "<CustomData><Item><Key>keywright</Key><Value>e2e</Value></Item></CustomData>"
    } else {
        ""
    };
    let github = entry(
        1,
        "<Tags>code</Tags>",
        &[
            string("Title", "GitHub", false),
            string("UserName", "alice", false),
            string("Password", "hunter2 &amp; more", true),
            string("URL", "https://github.com/login", false),
            string("Notes", "Work account.", false),
            string(
                "otp",
                "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&amp;period=30&amp;digits=6&amp;issuer=GitHub",
                true,
            ),
            string("Deploy token", GITHUB_TOKEN, true),
            string("Team", "platform", false),
        ],
    );
    let github = github.replace(
        "</Entry>",
        &format!(
            "<History>{}</History></Entry>",
            entry(
                1,
                "",
                &[
                    string("Title", "GitHub", false),
                    string("UserName", "alice", false),
                    string("Password", "old-password-in-history", true),
                ]
            )
        ),
    );
    let stripe = entry(
        2,
        "<Times><ExpiryTime>2031-05-06T07:08:09Z</ExpiryTime><Expires>True</Expires></Times>",
        &[
            string("Title", "Stripe live", false),
            string("Password", STRIPE, true),
            string("URL", "https://dashboard.stripe.com", false),
        ],
    );
    let jwt = entry(
        3,
        custom,
        &[
            string("Title", "Service JWT", false),
            string("Password", JWT, true),
        ],
    );
    let steam = entry(
        4,
        "",
        &[
            string("Title", "Steam", false),
            string("UserName", "gamer", false),
            string("Password", "steam-password", true),
            string("TOTP Seed", "MFRGGZDFMZTWQ2LKNNWG23TPOA", true),
            string("TOTP Settings", "30;S", false),
        ],
    );
    let note = entry(
        5,
        "",
        &[
            string("Title", "Wi-Fi note", false),
            string("Notes", "The router is in the hall.", false),
        ],
    );
    let deleted = entry(
        6,
        "",
        &[
            string("Title", "Deleted key", false),
            string("Password", "sk_deleted_entry_0000000", true),
        ],
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<KeePassFile><Meta>\
         <Generator>keywright e2e</Generator><DatabaseName>e2e</DatabaseName>\
         <RecycleBinEnabled>True</RecycleBinEnabled>\
         <RecycleBinUUID>AAAAAAAAAAAAAAAAAAAAmQ==</RecycleBinUUID></Meta><Root>\
         <Group><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID><Name>Root</Name>{jwt}\
         <Group><UUID>AAAAAAAAAAAAAAAAAAAAAg==</UUID><Name>Work</Name>{github}\
         <Group><UUID>AAAAAAAAAAAAAAAAAAAAAw==</UUID><Name>APIs</Name>{stripe}</Group></Group>\
         <Group><UUID>AAAAAAAAAAAAAAAAAAAABA==</UUID><Name>Games</Name>{steam}{note}</Group>\
         <Group><UUID>AAAAAAAAAAAAAAAAAAAAmQ==</UUID><Name>Recycle Bin</Name>{deleted}</Group>\
         </Group></Root></KeePassFile>\n"
    )
}

/// `keepassxc-cli import` of the source XML into a new database at `db`.
fn make_db(bin: &Path, dir: &Path, db: &Path, kdbx4: bool) {
    let xml = dir.join(if kdbx4 { "source4.xml" } else { "source3.xml" });
    std::fs::write(&xml, source_xml(kdbx4)).expect("write xml");
    kpx(
        bin,
        &[
            "import",
            "-q",
            "-p",
            xml.to_str().expect("path"),
            db.to_str().expect("path"),
        ],
        &format!("{DB_PASSWORD}\n{DB_PASSWORD}\n"),
    );
}

fn rows(v: &serde_json::Value) -> Vec<(String, String, String, String)> {
    v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let mut tags: Vec<String> = r["tags"]
                .as_array()
                .expect("tags")
                .iter()
                .map(|t| t.as_str().expect("tag").to_owned())
                .collect();
            tags.sort();
            (
                r["label"].as_str().expect("label").to_owned(),
                r["status"].as_str().expect("status").to_owned(),
                r["kind"].as_str().unwrap_or("-").to_owned(),
                tags.join(","),
            )
        })
        .collect()
}

fn names_kinds(cli: &Cli) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = cli
        .ok(&["list"], "")
        .as_array()
        .expect("list")
        .iter()
        .map(|i| {
            (
                i["name"].as_str().expect("name").to_owned(),
                i["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The code keepassxc-cli shows for `entry` now, and keywright's for `item` in the same
/// 30-second step (tried again when the step turns over between the two).
fn same_step_codes(cli: &Cli, bin: &Path, db: &Path, entry: &str, item: &str) -> (String, String) {
    for _ in 0..5 {
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let theirs = kpx(
            bin,
            &["show", "-q", "-t", db.to_str().expect("path"), entry],
            &format!("{DB_PASSWORD}\n"),
        );
        let after = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        if before / 30 != after / 30 {
            continue;
        }
        let ours = cli.ok(&["totp", item, "--at", &before.to_string()], "");
        return (
            theirs.trim().to_owned(),
            ours["code"].as_str().expect("code").to_owned(),
        );
    }
    panic!("the 30 s step kept turning over while reading the codes");
}

/// A KDBX 4 database made by keepassxc-cli: every shape, 2FA codes equal to KeePassXC's,
/// then its XML and CSV exports give the same items (duplicates), as does a second import.
#[test]
fn kdbx4_from_keepassxc_cli_and_its_exports() {
    let Some(bin) = keepassxc_cli() else { return };
    let cli = Cli::new();
    cli.init();
    let dir = cli.dir.path();
    let db = dir.join("team.kdbx");
    make_db(&bin, dir, &db, true);
    let head = std::fs::read(&db).expect("db");
    assert_eq!(&head[8..12], &[0, 0, 4, 0], "keepassxc-cli wrote KDBX 4.0");
    let f = db.to_str().expect("path");

    // A wrong database password: its own error kind, nothing imported.
    let msg = cli.err(
        &["import", "kdbx", f],
        "not the password\n",
        "wrong_import_password",
    );
    assert!(msg.contains("KeePass database"), "{msg}");
    assert!(names_kinds(&cli).is_empty());

    // --password-stdin: the vault's password line, then the database's.
    let done = cli.ok(&["import", "kdbx", f], &format!("{DB_PASSWORD}\n"));
    assert_eq!(done["format"], "kdbx");
    let want = [
        ("entry 1", "new", "bearer", ""),
        ("entry 2", "new", "basic", "Work,code"),
        ("entry 2 (Deploy token)", "new", "api_key", "Work,code"),
        ("entry 2 (2FA)", "new", "totp", "Work,code"),
        ("entry 3", "new", "api_key", "APIs,Work"),
        ("entry 4", "new", "basic", "Games"),
        ("entry 4 (2FA)", "new", "totp", "Games"),
        ("entry 5", "invalid", "-", ""),
    ];
    let want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(rows(&done), want, "{done}");
    assert_eq!(done["added"], 7);
    let invalid = &done["rows"][7];
    assert_eq!(
        invalid["reason"],
        "\"Wi-Fi note\" has no password, key or one-time password"
    );
    // The preview never carries a secret; history and the recycle bin are left out.
    let text = done.to_string();
    for secret in [
        STRIPE,
        GITHUB_TOKEN,
        "hunter2",
        "old-password",
        "sk_deleted",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(
        names_kinds(&cli),
        [
            ("GitHub", "basic"),
            ("GitHub 2FA", "totp"),
            ("GitHub Deploy token", "api_key"),
            ("Service JWT", "bearer"),
            ("Steam", "basic"),
            ("Steam 2FA", "totp"),
            ("Stripe live", "api_key"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );

    // Fields: user, URL, notes with the custom field, the password itself, the expiry.
    let gh = cli.ok(&["show", "GitHub", "--reveal"], "");
    assert_eq!(gh["username"], "alice");
    assert_eq!(gh["url"], "https://github.com/login");
    assert_eq!(gh["secret"], "hunter2 & more");
    assert_eq!(gh["notes"], "Work account.\n\nTeam: platform");
    let stripe = cli.ok(&["show", "Stripe live"], "");
    assert_eq!(stripe["expires_at"], "2031-05-06T07:08:09Z");
    assert_eq!(stripe["service"], "stripe");
    let token = cli.ok(&["show", "GitHub Deploy token", "--reveal"], "");
    assert_eq!(token["secret"], GITHUB_TOKEN);
    let jwt = cli.ok(&["show", "Service JWT"], "");
    assert!(
        jwt["expires_at"]
            .as_str()
            .is_some_and(|e| e.starts_with("2100-01-01")),
        "{jwt}"
    );
    let otp = cli.ok(&["show", "GitHub 2FA"], "");
    assert_eq!(otp["issuer"], "GitHub");
    assert_eq!(otp["username"], "alice");

    // The codes are KeePassXC's own, TOTP and Steam alike.
    let (theirs, ours) = same_step_codes(&cli, &bin, &db, "Work/GitHub", "GitHub 2FA");
    assert_eq!(theirs, ours);
    assert_eq!(ours.len(), 6);
    let (theirs, ours) = same_step_codes(&cli, &bin, &db, "Games/Steam", "Steam 2FA");
    assert_eq!(theirs, ours);
    assert_eq!(ours.len(), 5);

    // Again: every entry is a duplicate of what the first import saved.
    let again = cli.ok(&["import", "kdbx", f], &format!("{DB_PASSWORD}\n"));
    assert_eq!(
        (again["new"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(7))
    );

    // KeePassXC's own exports of the same database: the same items.
    let xml = kpx(
        &bin,
        &["export", "-q", "-f", "xml", f],
        &format!("{DB_PASSWORD}\n"),
    );
    let xml_path = dir.join("export.xml");
    std::fs::write(&xml_path, &xml).expect("xml");
    let v = cli.ok(
        &[
            "import",
            "keepassxc-xml",
            xml_path.to_str().expect("p"),
            "--dry-run",
        ],
        "",
    );
    assert_eq!(
        (v["new"].as_u64(), v["duplicates"].as_u64()),
        (Some(0), Some(7)),
        "{v}"
    );
    assert_eq!(v["invalid"], 1);
    let csv = kpx(
        &bin,
        &["export", "-q", "-f", "csv", f],
        &format!("{DB_PASSWORD}\n"),
    );
    assert!(
        csv.starts_with(
            "\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\",\"Icon\",\
             \"Last Modified\",\"Created\""
        ),
        "{csv}"
    );
    let csv_path = dir.join("export.csv");
    std::fs::write(&csv_path, &csv).expect("csv");
    let v = cli.ok(
        &[
            "import",
            "keepassxc-csv",
            csv_path.to_str().expect("p"),
            "--dry-run",
        ],
        "",
    );
    // CSV has no custom fields: the deploy token is not in it; the rest are duplicates.
    assert_eq!(
        (v["new"].as_u64(), v["duplicates"].as_u64()),
        (Some(0), Some(6)),
        "{v}"
    );
    // Its items would be the same, name for name.
    let labels: Vec<String> = rows(&v).into_iter().map(|r| r.0).collect();
    assert!(!labels.iter().any(|l| l.contains("Deploy")), "{labels:?}");
}

/// keepassxc-cli writes KDBX 3.1 when nothing needs KDBX 4: the same items.
#[test]
fn kdbx3_from_keepassxc_cli() {
    let Some(bin) = keepassxc_cli() else { return };
    let cli = Cli::new();
    cli.init();
    let dir = cli.dir.path();
    let db = dir.join("old.kdbx");
    make_db(&bin, dir, &db, false);
    let head = std::fs::read(&db).expect("db");
    assert_eq!(&head[8..12], &[1, 0, 3, 0], "keepassxc-cli wrote KDBX 3.1");
    // Text output: the preview and the summary line.
    let out = cli
        .cmd()
        .args(["--password-stdin", "import", "kdbx"])
        .arg(&db)
        .args(["--tag", "keepass"])
        .write_stdin(format!("{PASSWORD}\n{DB_PASSWORD}\n"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(
            "Imported 7 items from the KeePass database; skipped 0 duplicate \
                       and 1 invalid."
        ),
        "{text}"
    );
    assert!(text.contains("GitHub 2FA (totp)"), "{text}");
    let steam = cli.ok(&["show", "Steam 2FA"], "");
    assert_eq!(steam["otp"]["type"], "steam");
    let tags = steam["tags"].as_array().expect("tags");
    assert!(tags.iter().any(|t| t == "keepass") && tags.iter().any(|t| t == "Games"));
    // A truncated copy: a clear error, nothing imported.
    let bytes = std::fs::read(&db).expect("db");
    let cut = dir.join("cut.kdbx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("cut");
    let (ok, v) = cli.json(
        &["import", "kdbx", cut.to_str().expect("p")],
        &format!("{DB_PASSWORD}\n"),
    );
    assert!(!ok);
    let kind = v["error"]["kind"].as_str().expect("kind");
    assert!(
        matches!(kind, "import_failed" | "wrong_import_password"),
        "{v}"
    );
}

/// A CSV of the user's own columns, through --map.
#[test]
fn csv_with_a_column_map() {
    let cli = Cli::new();
    cli.init();
    let f = cli.dir.path().join("keys.csv");
    std::fs::write(
        &f,
        "Service,Key,Login,Link,Folder,Until,Header\n\
         Mailgun,key-0123456789abcdef,,https://api.mailgun.net,Mail/Prod,2027-03-04,X-Mailgun-Key\n\
         Jenkins,jenkins-pass,admin,https://ci.example.com,Ops,,\n",
    )
    .expect("csv");
    let p = f.to_str().expect("p");
    let msg = cli.err(&["import", "csv", p], "", "import_failed");
    assert!(
        msg.contains("\"Service\", \"Key\"") && msg.contains("--map"),
        "{msg}"
    );
    let msg = cli.err(
        &["import", "csv", p, "--map", "name=Service,secret=Pass"],
        "",
        "import_failed",
    );
    assert!(msg.contains("no column \"Pass\""), "{msg}");
    let v = cli.ok(
        &[
            "import",
            "csv",
            p,
            "--map",
            "name=Service,secret=Key,username=Login,url=Link,tags=Folder,expires=Until,header=Header",
        ],
        "",
    );
    assert_eq!(v["added"], 2, "{v}");
    let mg = cli.ok(&["show", "Mailgun"], "");
    assert_eq!(mg["kind"], "api_key");
    assert_eq!(mg["placement"]["name"], "X-Mailgun-Key");
    assert_eq!(mg["expires_at"], "2027-03-04T00:00:00Z");
    assert_eq!(mg["tags"], serde_json::json!(["Mail", "Prod"]));
    let j = cli.ok(&["show", "Jenkins"], "");
    assert_eq!(
        (j["kind"].as_str(), j["username"].as_str()),
        (Some("basic"), Some("admin"))
    );
}

/// Leave and come back: `keywright export keepassxc` then `import keepassxc-xml` gives the
/// same credentials (duplicates in the same vault; the same names and kinds in a new one).
#[test]
fn export_keepassxc_then_import_round_trip() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &[
            "add",
            "api-key",
            "Stripe live",
            "--header",
            "Authorization",
            "--tag",
            "prod",
        ],
        &format!("{STRIPE}\n"),
    );
    cli.ok(
        &[
            "add",
            "basic",
            "Jenkins",
            "--username",
            "ci",
            "--url",
            "https://ci.example.com",
        ],
        "jenkins-password\n",
    );
    cli.ok(&["add", "bearer", "Service JWT"], &format!("{JWT}\n"));
    cli.ok(
        &["add", "totp", "GitHub", "--issuer", "GitHub"],
        "JBSWY3DPEHPK3PXP\n",
    );
    let xml = cli.dir.path().join("vault.xml");
    let x = xml.to_str().expect("path");
    let v = cli.ok(&["export", "keepassxc", "--out", x], "");
    assert_eq!(v["exported"], 4, "{v}");

    let again = cli.ok(&["import", "keepassxc-xml", x, "--dry-run"], "");
    assert_eq!(
        (again["new"].as_u64(), again["invalid"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(again["duplicates"], 4, "{again}");

    let other = Cli::new();
    other.init();
    let done = other.ok(&["import", "keepassxc-xml", x], "");
    assert_eq!(done["added"], 4, "{done}");
    let mut got = names_kinds(&other);
    got.iter_mut().for_each(|(n, _)| {
        // The 2FA item comes back as "<entry title> 2FA" when its entry has no password.
        if let Some(base) = n.strip_suffix(" 2FA") {
            *n = base.to_owned();
        }
    });
    assert_eq!(
        got,
        [
            ("GitHub", "totp"),
            ("Jenkins", "basic"),
            ("Service JWT", "bearer"),
            ("Stripe live", "api_key"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let stripe = other.ok(&["show", "Stripe live", "--reveal"], "");
    assert_eq!(stripe["secret"], STRIPE);
    assert!(
        stripe["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t == "prod"),
        "{stripe}"
    );
}
