//! 1Password `.1pux` imports: each category against an export made in the documented
//! layout, and the zip read within its bounds (bombs, lying headers, huge directories,
//! encrypted and nested zips, a million items).

use serde_json::{Value, json};

use super::onepassword::declared_entries;
use super::pm_fixtures::{self as fx, JWT, SEED, onepux, op_export, op_field, op_item, zip_of};
use super::{Format, Options, Record, Source, parse};
use crate::credential::Kind;
use crate::error::Error;
use crate::limits::{MAX_IMPORT_BYTES, MAX_IMPORT_ENTRIES, MAX_ZIP_ENTRIES};

const OPENAI_KEY: &str = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD";

fn run(data: &[u8]) -> crate::Result<Vec<Record>> {
    parse(
        Format::OnePassword,
        Source::Bytes(data),
        &Options::default(),
    )
}

fn failed_reason(e: Error) -> String {
    match e {
        Error::ImportFailed { reason, .. } => reason,
        other => panic!("expected ImportFailed, got {other:?}"),
    }
}

fn labels(recs: &[Record]) -> Vec<&str> {
    recs.iter().map(|r| r.label.as_str()).collect()
}

fn row<'a>(recs: &'a [Record], label: &str) -> &'a Record {
    recs.iter()
        .find(|r| r.label == label)
        .unwrap_or_else(|| panic!("no row {label:?} in {:?}", labels(recs)))
}

fn ok<'a>(recs: &'a [Record], label: &str) -> &'a crate::credential::NewItem {
    match &row(recs, label).candidate {
        Ok(c) => &c.item,
        Err(reason) => panic!("{label} is invalid: {reason}"),
    }
}

fn reason<'a>(recs: &'a [Record], label: &str) -> &'a str {
    match &row(recs, label).candidate {
        Ok(c) => panic!("{label} should be invalid, got {:?}", c.item.name),
        Err(reason) => reason,
    }
}

fn login_field(name: &str, value: &str, kind: &str, designation: Option<&str>) -> Value {
    json!({"value": value, "id": "", "name": name, "fieldType": kind, "designation": designation})
}

fn section(fields: Vec<Value>) -> Value {
    json!({"title": "", "name": "Section_x", "fields": fields})
}

fn export_data() -> Vec<u8> {
    let private = vec![
        // 1: a login with a one-time password and a concealed field.
        op_item(
            "001",
            "GitHub",
            json!({
                "loginFields": [
                    login_field("username", "octocat", "T", Some("username")),
                    login_field("password", "gh-pass-123", "P", Some("password")),
                    login_field("remember", "✓", "C", None),
                ],
                "notesPlain": "main account",
                "sections": [section(vec![
                    op_field("one-time password", "TOTP_mkcyctzcddewmvgsoy5ydvkaaq",
                        json!({"totp": format!("otpauth://totp/GitHub:octocat?secret={SEED}&issuer=GitHub")})),
                    op_field("recovery codes", "rc1", json!({"concealed": "abcd-efgh-ijkl"})),
                    op_field("team", "t1", json!({"string": "platform"})),
                ])],
                "passwordHistory": [],
            }),
            json!({"url": "https://github.com", "urls": [{"label": "website", "url": "https://github.com"}],
                   "tags": ["dev"]}),
        ),
        // 2: a password.
        op_item(
            "005",
            "Router admin",
            json!({"password": "pw-only-123", "notesPlain": ""}),
            json!({}),
        ),
        // 3: an API Credential.
        op_item(
            "112",
            "Stripe API",
            json!({"sections": [section(vec![
                op_field("username", "username", json!({"string": "svc-billing"})),
                op_field("credential", "credential", json!({"concealed": fx::stripe_key()})),
                op_field("type", "type", json!({"menu": "other"})),
                op_field("filename", "filename", json!({"string": ""})),
                op_field("valid from", "validFrom", json!({"date": 1_700_000_000})),
                op_field("expires", "expires", json!({"date": 4_102_444_800u64})),
                op_field("hostname", "hostname", json!({"string": "api.stripe.com"})),
            ])]}),
            json!({}),
        ),
        // 4: an API Credential holding a bearer JWT.
        op_item(
            "112",
            "Auth0 M2M",
            json!({"sections": [section(vec![
                op_field("credential", "credential", json!({"concealed": JWT})),
                op_field("type", "type", json!({"menu": "bearer"})),
            ])]}),
            json!({}),
        ),
        // 5: a secure note with a concealed field.
        op_item(
            "003",
            "OpenAI",
            json!({"notesPlain": "chatbot key", "sections": [section(vec![
                op_field("API key", "k1", json!({"concealed": OPENAI_KEY})),
            ])]}),
            json!({}),
        ),
        // 6: a secure note with nothing to keep.
        op_item(
            "003",
            "Wi-Fi",
            json!({"notesPlain": "on the fridge"}),
            json!({}),
        ),
        // 7: a credit card.
        op_item(
            "002",
            "Visa",
            json!({"sections": [section(vec![
                op_field("number", "ccnum", json!({"creditCardNumber": "4111111111111111"})),
                op_field("verification number", "cvv", json!({"concealed": "123"})),
            ])]}),
            json!({}),
        ),
        // 8: archived.
        {
            let mut item = op_item(
                "005",
                "Old password",
                json!({"password": "old-pw"}),
                json!({}),
            );
            item["state"] = json!("archived");
            item
        },
        // 9: an SSH key.
        op_item("114", "deploy key", json!({}), json!({})),
    ];
    let work = vec![
        // 10: a login in a second vault.
        op_item(
            "001",
            "Jira",
            json!({"loginFields": [
                login_field("email", "dev@example.com", "E", Some("username")),
                login_field("password", "jira-pass", "P", Some("password")),
            ]}),
            json!({"url": "https://example.atlassian.net"}),
        ),
        // 11: an item wrapped as {"item": …}.
        json!({"item": op_item("005", "Wrapped", json!({"password": "wrapped-pw"}), json!({}))}),
    ];
    op_export(&[("Private", private), ("Work", work)])
}

#[test]
fn every_1password_category_maps_to_its_kind_or_a_reason() {
    let recs = run(&onepux(&export_data())).expect("parsed");
    assert_eq!(
        labels(&recs),
        [
            "item 1",
            "item 1 (2FA)",
            "item 1 (recovery codes)",
            "item 2",
            "item 3",
            "item 4",
            "item 5 (API key)",
            "item 6",
            "item 7",
            "item 8",
            "item 9",
            "item 10",
            "item 11",
        ]
    );
    let gh = ok(&recs, "item 1");
    assert_eq!((gh.kind, gh.name.as_str()), (Kind::Basic, "GitHub"));
    assert_eq!(gh.username.as_deref(), Some("octocat"));
    assert_eq!(gh.secret.value, "gh-pass-123");
    assert_eq!(gh.url.as_deref(), Some("https://github.com"));
    assert_eq!(
        gh.tags,
        ["dev", "Private"],
        "its tags and, with two vaults, its vault"
    );
    assert!(gh.secret.notes.contains("main account") && gh.secret.notes.contains("team: platform"));
    assert!(
        !gh.secret.notes.contains("remember"),
        "check boxes are not data"
    );
    let otp = ok(&recs, "item 1 (2FA)");
    assert_eq!((otp.kind, otp.name.as_str()), (Kind::Totp, "GitHub 2FA"));
    assert_eq!(otp.secret.value, SEED);
    assert_eq!(otp.username.as_deref(), Some("octocat"));
    let codes = ok(&recs, "item 1 (recovery codes)");
    assert_eq!(
        (codes.kind, codes.name.as_str()),
        (Kind::ApiKey, "GitHub recovery codes")
    );

    let router = ok(&recs, "item 2");
    assert_eq!(
        (router.kind, router.secret.value.as_str()),
        (Kind::ApiKey, "pw-only-123")
    );

    let stripe = ok(&recs, "item 3");
    assert_eq!(stripe.kind, Kind::ApiKey);
    assert_eq!(stripe.secret.value, fx::stripe_key());
    assert_eq!(stripe.username.as_deref(), Some("svc-billing"));
    assert_eq!(stripe.url.as_deref(), Some("https://api.stripe.com"));
    assert_eq!(stripe.expires_at, Some(4_102_444_800));
    assert!(
        stripe.secret.notes.contains("Type: other"),
        "{}",
        stripe.secret.notes
    );
    assert!(
        stripe.secret.notes.contains("valid from: 2023-11-14"),
        "{}",
        stripe.secret.notes
    );

    let m2m = ok(&recs, "item 4");
    assert_eq!(m2m.kind, Kind::Bearer);
    let (ov, _) = m2m.clone().into_parts(0).expect("valid");
    assert_eq!(ov.token_expires_at, Some(4_102_444_800));

    let openai = ok(&recs, "item 5 (API key)");
    assert_eq!(
        (openai.kind, openai.name.as_str()),
        (Kind::ApiKey, "OpenAI API key")
    );
    assert_eq!(openai.secret.value, OPENAI_KEY);
    assert!(openai.secret.notes.contains("chatbot key"));

    assert!(reason(&recs, "item 6").contains("\"Wi-Fi\" is a secure note with no key in it"));
    assert!(reason(&recs, "item 7").starts_with("\"Visa\" is a credit card: Keywright keeps"));
    assert_eq!(
        reason(&recs, "item 8"),
        "\"Old password\" is archived in 1Password; not imported"
    );
    assert!(reason(&recs, "item 9").contains("is an SSH key"));

    let jira = ok(&recs, "item 10");
    assert_eq!(
        (jira.kind, jira.username.as_deref()),
        (Kind::Basic, Some("dev@example.com"))
    );
    assert_eq!(jira.tags, ["Work"]);
    assert_eq!(ok(&recs, "item 11").secret.value, "wrapped-pw");

    for r in &recs {
        if let Err(reason) = &r.candidate {
            for secret in ["4111111111111111", "old-pw", "123"] {
                assert!(!reason.contains(secret), "{}: {reason}", r.label);
            }
        }
    }
}

#[test]
fn an_unzipped_export_data_reads_the_same_and_one_vault_gives_no_vault_tag() {
    let data = export_data();
    let zipped = run(&onepux(&data)).expect("zip");
    let raw = run(&data).expect("raw");
    assert_eq!(labels(&zipped), labels(&raw));
    let one = op_export(&[(
        "Private",
        vec![op_item(
            "005",
            "Solo",
            json!({"password": "solo-pw"}),
            json!({}),
        )],
    )]);
    let recs = run(&one).expect("one vault");
    assert!(ok(&recs, "item 1").tags.is_empty());
}

#[test]
fn not_a_1pux_says_what_it_is() {
    for (data, expected) in [
        (
            b"hello".to_vec(),
            "it is not a .1pux file (a zip archive) nor the export.data",
        ),
        (
            b"PK\x03\x04garbage".to_vec(),
            "it is not a readable zip archive",
        ),
        (
            br#"{"items": []}"#.to_vec(),
            "has no \"accounts\": it is not a 1Password export",
        ),
        (br#"{"accounts": ["#.to_vec(), "the JSON ends early"),
        (
            zip_of(&[("export.attributes", b"{}")]),
            "the zip has no export.data",
        ),
        (
            zip_of(&[("backup.1pux", &onepux(&export_data()))]),
            "this zip holds \"backup.1pux\" rather than export.data: unzip it",
        ),
        (
            zip_of(&[("export.data", &zip_of(&[("a", b"b")]))]),
            "its export.data is itself a zip archive",
        ),
        (
            zip_of(&[("export.data", &[0xff, 0xfe, 0x00])]),
            "its export.data is not text (UTF-8)",
        ),
    ] {
        let r = failed_reason(run(&data).expect_err(expected));
        assert!(r.contains(expected), "{expected}: {r}");
    }
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("signature")
}

/// A zip whose only entry, export.data, is `data` deflated.
fn single(data: &[u8]) -> Vec<u8> {
    zip_of(&[("export.data", data)])
}

#[test]
fn a_zip_bomb_is_refused_by_its_declared_and_its_actual_size() {
    // 33 MiB of spaces deflate to a few dozen KiB.
    let mut big = br#"{"accounts": []}"#.to_vec();
    big.resize(MAX_IMPORT_BYTES + (1 << 20), b' ');
    let zip = single(&big);
    assert!(zip.len() < 1 << 20, "a small file: {} bytes", zip.len());
    let r = failed_reason(run(&zip).expect_err("declared"));
    assert!(
        r.contains(
            "its export.data declares 34603008 bytes uncompressed; Keywright reads at most 33554432"
        ),
        "{r}"
    );

    // The same with headers that lie (100 bytes declared): stopped there (the zip reader
    // holds an entry to its declared size; `take(32 MiB + 1)` would stop it otherwise).
    let mut lying = zip.clone();
    let local = find(&lying, b"PK\x03\x04");
    lying[local + 22..local + 26].copy_from_slice(&100u32.to_le_bytes());
    let central = find(&lying, b"PK\x01\x02");
    lying[central + 24..central + 28].copy_from_slice(&100u32.to_le_bytes());
    let r = failed_reason(run(&lying).expect_err("actual"));
    assert!(
        r.contains("its export.data holds more than its zip header declares"),
        "{r}"
    );

    // A lie the other way: the CRC no longer matches what the data holds.
    let small = single(&op_export(&[("V", vec![])]));
    let mut bad_crc = small.clone();
    let central = find(&bad_crc, b"PK\x01\x02");
    bad_crc[central + 16] ^= 0xff;
    let local = find(&bad_crc, b"PK\x03\x04");
    bad_crc[local + 14] ^= 0xff;
    let r = failed_reason(run(&bad_crc).expect_err("crc"));
    assert!(r.contains("its export.data cannot be decompressed"), "{r}");
}

#[test]
fn a_zip_directory_over_the_limit_is_refused_from_its_end_record() {
    let zip = onepux(&op_export(&[("V", vec![])]));
    assert_eq!(declared_entries(&zip), Some(3));
    // An end record that claims 50,000 entries: refused before the directory is read.
    let mut claims = zip.clone();
    let eocd = claims.len() - 22;
    assert_eq!(&claims[eocd..eocd + 4], b"PK\x05\x06");
    claims[eocd + 8..eocd + 10].copy_from_slice(&50_000u16.to_le_bytes());
    claims[eocd + 10..eocd + 12].copy_from_slice(&50_000u16.to_le_bytes());
    let r = failed_reason(run(&claims).expect_err("claims"));
    assert_eq!(
        r,
        "its zip directory declares 50000 entries; Keywright reads .1pux files of at most 10000"
    );

    // A real zip of 10,001 entries.
    let names: Vec<String> = (0..=MAX_ZIP_ENTRIES)
        .map(|i| format!("files/{i}"))
        .collect();
    let data = op_export(&[("V", vec![])]);
    let mut entries: Vec<(&str, &[u8])> = vec![("export.data", &data)];
    entries.extend(names.iter().map(|n| (n.as_str(), b"x".as_slice())));
    let many = zip_of(&entries);
    assert_eq!(declared_entries(&many), Some(MAX_ZIP_ENTRIES as u64 + 2));
    let r = failed_reason(run(&many).expect_err("many"));
    assert!(r.contains("declares 10002 entries"), "{r}");
}

#[test]
fn an_encrypted_zip_entry_is_refused_by_name() {
    let mut zip = single(&op_export(&[("V", vec![])]));
    // General purpose bit 0: "encrypted", in the local and the central header.
    let local = find(&zip, b"PK\x03\x04");
    zip[local + 6] |= 1;
    let central = find(&zip, b"PK\x01\x02");
    zip[central + 8] |= 1;
    let r = failed_reason(run(&zip).expect_err("encrypted"));
    assert!(
        r.contains("its export.data is encrypted (a password-protected zip)"),
        "{r}"
    );
}

#[test]
fn a_million_items_are_refused_at_the_limit() {
    let items = vec![json!({}); 1_000_000];
    let data =
        serde_json::to_vec(&json!({"accounts": [{"vaults": [{"items": items}]}]})).expect("json");
    let r = failed_reason(run(&onepux(&data)).expect_err("items"));
    assert!(
        r.contains(&format!(
            "more than {MAX_IMPORT_ENTRIES} entries in one list"
        )),
        "{r}"
    );
}

#[test]
fn a_database_keeps_its_host_in_the_notes_and_labels_stay_distinct() {
    let data = op_export(&[(
        "Private",
        vec![op_item(
            "102",
            "Orders DB",
            json!({"sections": [section(vec![
                op_field("type", "database_type", json!({"menu": "postgresql"})),
                op_field("server", "hostname", json!({"string": "db.internal.example.com"})),
                op_field("port", "port", json!({"string": "5432"})),
                op_field("username", "username", json!({"string": "orders"})),
                op_field("password", "password", json!({"concealed": "db-pass-123"})),
                op_field("one-time password", "TOTP_a", json!({"totp": SEED})),
                op_field("2FA", "extra", json!({"concealed": "JBSWY3DPEHPK3PXP"})),
            ])]}),
            json!({}),
        )],
    )]);
    let recs = run(&data).expect("parsed");
    assert_eq!(labels(&recs), ["item 1", "item 1 (2FA)", "item 1 (2FA 2)"]);
    let db = ok(&recs, "item 1");
    assert_eq!(
        (db.kind, db.username.as_deref()),
        (Kind::Basic, Some("orders"))
    );
    assert_eq!(db.url, None, "a database host is not a web address");
    assert!(db.secret.notes.contains("server: db.internal.example.com"));
    assert!(db.secret.notes.contains("port: 5432"));
    assert_eq!(ok(&recs, "item 1 (2FA 2)").name, "Orders DB 2FA 2");
}
