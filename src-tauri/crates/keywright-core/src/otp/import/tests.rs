use std::io::Cursor;

use secrecy::SecretString;
use serde_json::json;

use super::fixtures::{
    PASSWORD, aegis_encrypted, ente_encrypted, google_account, google_uri, twofas_encrypted,
};
use super::*;
use crate::credential::{OtpAlgorithm, OtpParams, OtpType};

const S1: &str = "JBSWY3DPEHPK3PXP";
const S2: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const S3: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";
/// A "secret" with '1' and '0', which base32 does not have.
const BAD: &str = "JBSWY3DPEHPK3PX1";

fn pw(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn ok(entry: &Entry) -> &OtpAccount {
    entry
        .account
        .as_ref()
        .unwrap_or_else(|e| panic!("{} failed: {e}", entry.label))
}

fn err(entry: &Entry) -> &str {
    match &entry.account {
        Ok(_) => panic!("{} should have failed", entry.label),
        Err(reason) => reason,
    }
}

fn params(otp_type: OtpType, algorithm: OtpAlgorithm, digits: u8, period: u32) -> OtpParams {
    OtpParams {
        otp_type,
        algorithm,
        digits,
        period,
    }
}

fn failed_reason(e: Error) -> String {
    match e {
        Error::ImportFailed { reason, .. } => reason,
        other => panic!("expected ImportFailed, got {other:?}"),
    }
}

fn png_of(text: &str) -> Vec<u8> {
    qr::png(text).expect("png")
}

// --- Format ---------------------------------------------------------------------------

#[test]
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(Format::parse_name(f.name()).expect("known"), f);
        assert_eq!(
            Format::parse_name(&f.name().to_ascii_uppercase()).expect("any case"),
            f
        );
    }
    assert_eq!(Format::TwoFas.name(), "2fas");
    assert_eq!(Format::GoogleMigration.display(), "Google Authenticator");
    assert_eq!(Format::Ente.to_string(), "Ente Auth");
    let e = Format::parse_name("authy")
        .expect_err("unknown")
        .to_string();
    for name in ["otpauth", "qr", "google-migration", "aegis", "2fas", "ente"] {
        assert!(e.contains(name), "{e}");
    }
}

#[test]
fn detect_sniffs_every_format() {
    let aegis = super::super::export::aegis_json(&[]).expect("export");
    assert_eq!(detect(aegis.as_bytes()), Some(Format::Aegis));
    let enc = aegis_encrypted(&json!({"version": 3, "entries": []}), PASSWORD, 4);
    assert_eq!(detect(enc.as_bytes()), Some(Format::Aegis));
    let twofas = json!({"services": [], "groups": [], "schemaVersion": 4}).to_string();
    assert_eq!(detect(twofas.as_bytes()), Some(Format::TwoFas));
    let twofas_enc = twofas_encrypted(&json!([]), &json!([]), PASSWORD);
    assert_eq!(detect(twofas_enc.as_bytes()), Some(Format::TwoFas));
    let ente = ente_encrypted("", PASSWORD, 8 * 1024 * 1024, 1);
    assert_eq!(detect(ente.as_bytes()), Some(Format::Ente));
    let google = google_uri(vec![], 1, 0, 1);
    assert_eq!(detect(google.as_bytes()), Some(Format::GoogleMigration));
    let list = format!("\u{feff}# mine\notpauth://totp/x?secret={S1}\n");
    assert_eq!(detect(list.as_bytes()), Some(Format::Otpauth));
    assert_eq!(detect(&png_of("hello")), Some(Format::Qr));
    assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(Format::Qr));
    assert_eq!(detect(b"{\"some\": \"json\"}"), None);
    assert_eq!(detect(b"hello"), None);
    assert_eq!(detect(&[0, 159, 146, 150]), None);
}

#[test]
fn is_encrypted_tells_the_ui_to_ask() {
    let db = json!({"version": 3, "entries": []});
    let enc = aegis_encrypted(&db, PASSWORD, 4);
    assert!(is_encrypted(Format::Aegis, enc.as_bytes()));
    let plain = super::super::export::aegis_json(&[]).expect("export");
    assert!(!is_encrypted(Format::Aegis, plain.as_bytes()));
    let twofas = twofas_encrypted(&json!([]), &json!([]), PASSWORD);
    assert!(is_encrypted(Format::TwoFas, twofas.as_bytes()));
    let twofas_plain = json!({"services": [], "schemaVersion": 4}).to_string();
    assert!(!is_encrypted(Format::TwoFas, twofas_plain.as_bytes()));
    let ente = ente_encrypted("", PASSWORD, 8 * 1024 * 1024, 1);
    assert!(is_encrypted(Format::Ente, ente.as_bytes()));
    let ente_plain = format!("otpauth://totp/x?secret={S1}");
    assert!(!is_encrypted(Format::Ente, ente_plain.as_bytes()));
    assert!(!is_encrypted(Format::Otpauth, ente_plain.as_bytes()));
    assert!(!is_encrypted(Format::Aegis, b"not json"));
}

// --- otpauth lists and Ente's plain export ------------------------------------------------

#[test]
fn otpauth_list_entries_by_line() {
    let text = format!(
        "# exported\n\
         otpauth://totp/GitHub:alice?secret={S1}&issuer=GitHub\n\
         \n\
         otpauth://hotp/Bank:bob?secret={S2}&counter=7&algorithm=SHA256&digits=8\n\
         otpauth://totp/Shop:carol?secret={BAD}\n\
         https://example.com/not-a-uri\n"
    );
    let entries = parse(Format::Otpauth, text.as_bytes(), None).expect("list");
    let positions: Vec<usize> = entries.iter().map(|e| e.position).collect();
    assert_eq!(positions, vec![2, 4, 5, 6]);
    assert_eq!(entries[0].label, "line 2");
    let github = ok(&entries[0]);
    assert_eq!(github.issuer.as_deref(), Some("GitHub"));
    assert_eq!(github.account.as_deref(), Some("alice"));
    assert_eq!(github.secret.as_str(), S1);
    let bank = ok(&entries[1]);
    assert_eq!(
        bank.params,
        params(OtpType::Hotp, OtpAlgorithm::Sha256, 8, 30)
    );
    assert_eq!(bank.counter, 7);
    let reason = err(&entries[2]);
    assert!(reason.contains("secret contains '1'"), "{reason}");
    assert!(!reason.contains(BAD), "{reason}");
    assert!(err(&entries[3]).contains("otpauth://"));
}

#[test]
fn otpauth_list_without_uris_is_refused() {
    let e = parse(Format::Otpauth, b"just some notes\n", None).expect_err("no URIs");
    assert!(failed_reason(e).contains("no otpauth:// lines"));
    let e = parse(Format::Otpauth, &[0xC3, 0x28, 0x0A], None).expect_err("not UTF-8");
    assert!(failed_reason(e).contains("not a text file"));
    // A Google export given as an otpauth list says what it is.
    let google = google_uri(vec![], 1, 0, 1);
    let e = parse(Format::Otpauth, google.as_bytes(), None).expect_err("google");
    let reason = failed_reason(e);
    assert!(reason.contains("import it as google-migration"), "{reason}");
}

#[test]
fn ente_plain_export_keeps_tags_and_notes_and_skips_trash() {
    let display = |json: &str| utf8_percent_encode_all(json);
    let text = format!(
        "otpauth://totp/Deno:Mason?secret={S1}&issuer=Deno&codeDisplay={}\n\
         otpauth://hotp/Issuu:James?secret={S2}&issuer=Issuu&counter=3&codeDisplay={}\n\
         otpauth://totp/Old:gone?secret={S3}&codeDisplay={}\n",
        display(r#"{"pinned":false,"trashed":false,"tags":["Work","Dev"],"note":"yubikey too"}"#),
        display(r#"{"pinned":true,"tags":[]}"#),
        display(r#"{"trashed":true,"tags":["x"]}"#),
    );
    let entries = parse(Format::Ente, text.as_bytes(), None).expect("plain Ente");
    assert_eq!(entries.len(), 3);
    let deno = ok(&entries[0]);
    assert_eq!(deno.tags, vec!["Work".to_owned(), "Dev".to_owned()]);
    assert_eq!(deno.notes.as_str(), "yubikey too");
    let issuu = ok(&entries[1]);
    assert_eq!(issuu.counter, 3);
    assert!(issuu.tags.is_empty());
    assert!(err(&entries[2]).contains("trash"));
}

fn utf8_percent_encode_all(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

// --- Aegis ------------------------------------------------------------------------------

fn aegis_db() -> serde_json::Value {
    json!({
        "version": 3,
        "entries": [
            {
                "type": "totp", "uuid": "3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d",
                "name": "Mason", "issuer": "Deno", "note": "backup codes in drawer",
                "favorite": false, "icon": null,
                "info": {"secret": S1, "algo": "SHA1", "digits": 6, "period": 30},
                "groups": ["f2d0a3c4-0000-4000-8000-000000000001", "ffffffff-0000-4000-8000-00000000dead"]
            },
            {
                "type": "hotp", "uuid": "0a8c0571-ff6f-4b02-aa4b-50553b4fb4fe",
                "name": "Benjamin", "issuer": "Air Canada", "icon": null,
                "info": {"secret": S2, "algo": "SHA256", "digits": 7, "counter": 50},
                "groups": []
            },
            {
                "type": "steam", "uuid": "5b11ae3b-6fc3-4d46-8ca7-cf0aea7de920",
                "name": "Sophia", "issuer": "Boeing", "icon": null,
                "info": {"secret": S3, "algo": "SHA1", "digits": 5, "period": 30},
                "group": "Games"
            },
            {
                "type": "totp", "uuid": "84b55971-a3d2-4173-a5bb-0aea113dbc17",
                "name": "James", "issuer": "SPDX", "icon": null,
                "info": {"secret": S3, "algo": "SHA512", "digits": 8, "period": 20}
            },
            {
                "type": "yandex", "uuid": "7d0a5e3c-1111-4a44-9b2c-3d4e5f607182",
                "name": "ya", "issuer": "Yandex", "icon": null,
                "info": {"secret": S1, "algo": "SHA256", "digits": 8, "period": 30, "pin": "1234"}
            },
            {
                "type": "totp", "uuid": "7d0a5e3c-2222-4a44-9b2c-3d4e5f607182",
                "name": "weird", "issuer": "MD5 Corp", "icon": null,
                "info": {"secret": S1, "algo": "MD5", "digits": 6, "period": 30}
            },
            {
                "type": "totp", "uuid": "7d0a5e3c-3333-4a44-9b2c-3d4e5f607182",
                "name": "long", "issuer": "Nine", "icon": null,
                "info": {"secret": S1, "algo": "SHA1", "digits": 9, "period": 30}
            }
        ],
        "groups": [
            {"uuid": "f2d0a3c4-0000-4000-8000-000000000001", "name": "Work"}
        ],
        "icons_optimized": true
    })
}

fn aegis_plain(db: serde_json::Value) -> String {
    json!({"version": 1, "header": {"slots": null, "params": null}, "db": db}).to_string()
}

fn check_aegis_entries(entries: &[Entry]) {
    assert_eq!(entries.len(), 7);
    assert_eq!(entries[1].position, 2);
    assert_eq!(entries[1].label, "entry 2");
    let deno = ok(&entries[0]);
    assert_eq!(deno.issuer.as_deref(), Some("Deno"));
    assert_eq!(deno.account.as_deref(), Some("Mason"));
    assert_eq!(deno.secret.as_str(), S1);
    assert_eq!(deno.params, OtpParams::default());
    assert_eq!(deno.notes.as_str(), "backup codes in drawer");
    // The unknown group id is dropped, as Aegis does.
    assert_eq!(deno.tags, vec!["Work".to_owned()]);
    let air = ok(&entries[1]);
    assert_eq!(
        air.params,
        params(OtpType::Hotp, OtpAlgorithm::Sha256, 7, 30)
    );
    assert_eq!(air.counter, 50);
    let boeing = ok(&entries[2]);
    assert_eq!(
        boeing.params,
        params(OtpType::Steam, OtpAlgorithm::Sha1, 5, 30)
    );
    assert_eq!(boeing.tags, vec!["Games".to_owned()], "old single group");
    let spdx = ok(&entries[3]);
    assert_eq!(
        spdx.params,
        params(OtpType::Totp, OtpAlgorithm::Sha512, 8, 20)
    );
    assert_eq!(spdx.counter, 0);
    assert!(err(&entries[4]).contains("unsupported type yandex"));
    assert!(err(&entries[5]).contains("unsupported algorithm MD5"));
    assert!(
        err(&entries[6]).starts_with("digits 9"),
        "{}",
        err(&entries[6])
    );
}

#[test]
fn aegis_plain_maps_every_field() {
    let file = aegis_plain(aegis_db());
    let entries = parse(Format::Aegis, file.as_bytes(), None).expect("plain vault");
    check_aegis_entries(&entries);
}

#[test]
fn aegis_encrypted_opens_with_the_password() {
    let file = aegis_encrypted(&aegis_db(), PASSWORD, 10);
    let entries = parse(Format::Aegis, file.as_bytes(), Some(&pw(PASSWORD))).expect("opens");
    check_aegis_entries(&entries);

    let wrong = parse(Format::Aegis, file.as_bytes(), Some(&pw("incorrect"))).expect_err("wrong");
    assert!(
        matches!(wrong, Error::WrongImportPassword { format: "Aegis" }),
        "{wrong:?}"
    );
    let none = parse(Format::Aegis, file.as_bytes(), None).expect_err("no password");
    assert!(
        matches!(none, Error::ImportPasswordNeeded { format: "Aegis" }),
        "{none:?}"
    );
    assert!(none.to_string().contains("encrypted"));
}

#[test]
fn aegis_uses_the_scrypt_parameters_of_the_file() {
    let file = aegis_encrypted(&aegis_db(), PASSWORD, 10);
    let mut v: serde_json::Value = serde_json::from_str(&file).expect("json");
    assert_eq!(v["header"]["slots"][1]["n"], 1024);
    // The same file claiming other parameters derives another key: the slot no longer opens.
    for (field, value) in [("n", json!(2048)), ("r", json!(4)), ("p", json!(2))] {
        let mut changed = v.clone();
        changed["header"]["slots"][1][field] = value;
        let e = parse(
            Format::Aegis,
            changed.to_string().as_bytes(),
            Some(&pw(PASSWORD)),
        )
        .expect_err(field);
        assert!(
            matches!(e, Error::WrongImportPassword { .. }),
            "{field}: {e:?}"
        );
    }
    // Absurd costs are refused before any work.
    v["header"]["slots"][1]["n"] = json!(1u64 << 40);
    let e = parse(Format::Aegis, v.to_string().as_bytes(), Some(&pw(PASSWORD))).expect_err("n");
    let reason = failed_reason(e);
    assert!(
        reason.contains("scrypt parameters (N=1099511627776, r=8)")
            && reason.contains("at most 256 MiB"),
        "{reason}"
    );
}

#[test]
fn aegis_damage_and_versions_are_reported() {
    let file = aegis_encrypted(&aegis_db(), PASSWORD, 10);
    let mut v: serde_json::Value = serde_json::from_str(&file).expect("json");
    // Right password, changed content: damaged, not "wrong password".
    let mut tampered = v.clone();
    let db = tampered["db"].as_str().expect("db").to_owned();
    let flipped = if db.starts_with('A') { "B" } else { "A" };
    tampered["db"] = json!(format!("{flipped}{}", &db[1..]));
    let e = parse(
        Format::Aegis,
        tampered.to_string().as_bytes(),
        Some(&pw(PASSWORD)),
    )
    .expect_err("tampered");
    assert!(failed_reason(e).contains("damaged"));
    // Only a biometric slot: cannot be opened off the phone.
    v["header"]["slots"] = json!([v["header"]["slots"][0].clone()]);
    let e = parse(Format::Aegis, v.to_string().as_bytes(), Some(&pw(PASSWORD))).expect_err("bio");
    assert!(failed_reason(e).contains("no password slot"));

    let newer_file = json!({"version": 2, "header": {"slots": null, "params": null}, "db": {}});
    let e = parse(Format::Aegis, newer_file.to_string().as_bytes(), None).expect_err("v2");
    assert!(failed_reason(e).contains("version 2"));
    let newer_db = aegis_plain(json!({"version": 4, "entries": []}));
    let e = parse(Format::Aegis, newer_db.as_bytes(), None).expect_err("db v4");
    assert!(failed_reason(e).contains("version 4"));
}

#[test]
fn one_bad_secret_does_not_stop_the_others() {
    let entry = |name: &str, secret: &str| {
        json!({"type": "totp", "name": name, "issuer": "Site", "icon": null,
               "info": {"secret": secret, "algo": "SHA1", "digits": 6, "period": 30}})
    };
    let db = json!({"version": 3, "entries": [entry("a", S1), entry("b", BAD), entry("c", S2)]});
    for data in [aegis_plain(db.clone()), aegis_encrypted(&db, PASSWORD, 10)] {
        let entries = parse(Format::Aegis, data.as_bytes(), Some(&pw(PASSWORD))).expect("file");
        assert_eq!(entries.len(), 3);
        assert_eq!(ok(&entries[0]).account.as_deref(), Some("a"));
        assert_eq!(ok(&entries[2]).account.as_deref(), Some("c"));
        let reason = err(&entries[1]);
        assert_eq!(
            reason, "secret contains '1'; base32 uses only A-Z and 2-7",
            "names the problem"
        );
        assert!(!reason.contains(BAD) && !format!("{entries:?}").contains(S1));
    }
    // A secret of the wrong JSON type is reported without its value.
    let db = json!({"version": 3, "entries": [
        {"type": "totp", "name": "n", "issuer": "i", "info": {"secret": 123456789, "algo": "SHA1", "digits": 6, "period": 30}}
    ]});
    let entries = parse(Format::Aegis, aegis_plain(db).as_bytes(), None).expect("file");
    assert_eq!(err(&entries[0]), "secret is not text");
}

#[test]
fn truncated_or_garbage_json_is_refused() {
    let full = aegis_plain(aegis_db());
    let truncated = &full.as_bytes()[..full.len() / 2];
    for format in [Format::Aegis, Format::TwoFas, Format::Ente] {
        let e = parse(format, truncated, None).expect_err("truncated");
        assert!(failed_reason(e).contains("truncated"), "{format}");
        let e = parse(format, b"{\"version\": 1,, }", None).expect_err("garbage");
        assert!(failed_reason(e).contains("not valid JSON"), "{format}");
    }
    let e = parse(Format::Aegis, b"[1, 2, 3]", None).expect_err("array");
    assert!(failed_reason(e).contains("not an Aegis export"));
    let e = parse(Format::Aegis, b"{}", None).expect_err("empty object");
    assert!(failed_reason(e).contains("not an Aegis export"));
}

#[test]
fn wrong_format_says_which_it_is() {
    let aegis = aegis_plain(aegis_db());
    let e = parse(Format::TwoFas, aegis.as_bytes(), None).expect_err("aegis as 2fas");
    let reason = failed_reason(e);
    assert!(reason.contains("not a 2FAS backup"), "{reason}");
    assert!(reason.contains("import it as aegis"), "{reason}");
    let twofas = json!({"services": [], "schemaVersion": 4}).to_string();
    let e = parse(Format::Aegis, twofas.as_bytes(), None).expect_err("2fas as aegis");
    assert!(failed_reason(e).contains("import it as 2fas"));
    let e = parse(Format::Ente, aegis.as_bytes(), None).expect_err("aegis as ente");
    assert!(failed_reason(e).contains("import it as aegis"));
    let e = parse(Format::GoogleMigration, aegis.as_bytes(), None).expect_err("as google");
    assert!(failed_reason(e).contains("import it as aegis"));
}

// --- 2FAS ---------------------------------------------------------------------------------

fn twofas_services() -> serde_json::Value {
    json!([
        {
            "name": "Deno", "secret": S1, "updatedAt": 1_702_934_567_518u64,
            "otp": {"link": format!("otpauth://totp/Deno:Mason?secret={S1}"), "label": "Mason",
                    "account": "Mason", "issuer": "Deno", "digits": 6, "period": 30,
                    "algorithm": "SHA1", "tokenType": "TOTP", "source": "Link"},
            "order": {"position": 0}, "groupId": "g-work"
        },
        {
            "name": "My Bank", "secret": S2.to_lowercase(), "updatedAt": 1,
            "otp": {"label": "Issuu:James", "issuer": "Issuu", "digits": 7,
                    "algorithm": "SHA256", "counter": 50, "tokenType": "HOTP"},
            "order": {"position": 1}
        },
        {
            "name": "", "secret": S3, "updatedAt": 1,
            "otp": {"account": "Sophia", "issuer": "Boeing", "digits": 5, "period": 30,
                    "algorithm": "SHA1", "tokenType": "STEAM"},
            "order": {"position": 2}, "groupId": "g-unknown"
        },
        {
            "name": "Legacy", "secret": S1, "updatedAt": 1,
            "otp": {"account": "x", "digits": 8, "period": 60, "algorithm": "SHA512"},
            "order": {"position": 3}
        },
        {
            "name": "Other", "secret": S1, "updatedAt": 1,
            "otp": {"account": "y", "tokenType": "YANDEX"},
            "order": {"position": 4}
        }
    ])
}

fn twofas_groups() -> serde_json::Value {
    json!([{"id": "g-work", "name": "Work", "isExpanded": true, "updatedAt": 0}])
}

fn check_twofas_entries(entries: &[Entry]) {
    assert_eq!(entries.len(), 5);
    let deno = ok(&entries[0]);
    assert_eq!(deno.issuer.as_deref(), Some("Deno"));
    assert_eq!(deno.account.as_deref(), Some("Mason"));
    assert_eq!(deno.params, OtpParams::default());
    assert_eq!(deno.tags, vec!["Work".to_owned()]);
    let bank = ok(&entries[1]);
    assert_eq!(
        bank.issuer.as_deref(),
        Some("My Bank"),
        "the shown name wins"
    );
    assert_eq!(
        bank.account.as_deref(),
        Some("James"),
        "label without issuer prefix"
    );
    assert_eq!(bank.secret.as_str(), S2, "canonical base32");
    assert_eq!(
        bank.params,
        params(OtpType::Hotp, OtpAlgorithm::Sha256, 7, 30)
    );
    assert_eq!(bank.counter, 50);
    let steam = ok(&entries[2]);
    assert_eq!(
        steam.issuer.as_deref(),
        Some("Boeing"),
        "otp.issuer when name is empty"
    );
    assert_eq!(
        steam.params,
        params(OtpType::Steam, OtpAlgorithm::Sha1, 5, 30)
    );
    assert!(steam.tags.is_empty());
    let legacy = ok(&entries[3]);
    assert_eq!(
        legacy.params,
        params(OtpType::Totp, OtpAlgorithm::Sha512, 8, 60)
    );
    assert!(err(&entries[4]).contains("unsupported type YANDEX"));
}

#[test]
fn twofas_plain_maps_every_field() {
    let file = json!({
        "services": twofas_services(), "groups": twofas_groups(), "updatedAt": 1,
        "schemaVersion": 4, "appVersionCode": 5_000_009, "appOrigin": "android"
    })
    .to_string();
    let entries = parse(Format::TwoFas, file.as_bytes(), None).expect("plain backup");
    check_twofas_entries(&entries);
}

#[test]
fn twofas_encrypted_opens_with_the_password() {
    let file = twofas_encrypted(&twofas_services(), &twofas_groups(), PASSWORD);
    let entries = parse(Format::TwoFas, file.as_bytes(), Some(&pw(PASSWORD))).expect("opens");
    check_twofas_entries(&entries);
    let wrong = parse(Format::TwoFas, file.as_bytes(), Some(&pw("nope"))).expect_err("wrong");
    assert!(
        matches!(wrong, Error::WrongImportPassword { format: "2FAS" }),
        "{wrong:?}"
    );
    let none = parse(Format::TwoFas, file.as_bytes(), None).expect_err("none");
    assert!(
        matches!(none, Error::ImportPasswordNeeded { format: "2FAS" }),
        "{none:?}"
    );

    let mut v: serde_json::Value = serde_json::from_str(&file).expect("json");
    v["servicesEncrypted"] = json!("abc:def");
    let e = parse(
        Format::TwoFas,
        v.to_string().as_bytes(),
        Some(&pw(PASSWORD)),
    )
    .expect_err("parts");
    assert!(failed_reason(e).contains("2 parts"));
    v["schemaVersion"] = json!(5);
    let e = parse(
        Format::TwoFas,
        v.to_string().as_bytes(),
        Some(&pw(PASSWORD)),
    )
    .expect_err("v5");
    assert!(failed_reason(e).contains("schema version 5"));
}

// --- Ente ---------------------------------------------------------------------------------

/// Argon2 in the fixtures: 8 MiB and 2 passes (Ente itself uses up to 1 GiB).
const ENTE_MEM: u32 = 8 * 1024 * 1024;

fn ente_text() -> String {
    format!(
        "otpauth://totp/Deno:Mason?secret={S1}&issuer=Deno&codeDisplay={}\n\
         otpauth://hotp/Air%20Canada:Benjamin?secret={S2}&issuer=Air+Canada&algorithm=SHA256&digits=7&counter=50\n\
         otpauth://totp/Bad:x?secret={BAD}\n",
        utf8_percent_encode_all(r#"{"tags":["Personal"],"trashed":false}"#)
    )
}

#[test]
fn ente_encrypted_opens_with_the_password() {
    let file = ente_encrypted(&ente_text(), PASSWORD, ENTE_MEM, 2);
    let entries = parse(Format::Ente, file.as_bytes(), Some(&pw(PASSWORD))).expect("opens");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1].label, "line 2");
    let deno = ok(&entries[0]);
    assert_eq!(deno.issuer.as_deref(), Some("Deno"));
    assert_eq!(deno.tags, vec!["Personal".to_owned()]);
    let air = ok(&entries[1]);
    assert_eq!(air.issuer.as_deref(), Some("Air Canada"));
    assert_eq!(
        air.params,
        params(OtpType::Hotp, OtpAlgorithm::Sha256, 7, 30)
    );
    assert_eq!(air.counter, 50);
    assert!(err(&entries[2]).contains("secret contains '1'"));

    let wrong = parse(Format::Ente, file.as_bytes(), Some(&pw("nope"))).expect_err("wrong");
    assert!(
        matches!(
            wrong,
            Error::WrongImportPassword {
                format: "Ente Auth"
            }
        ),
        "{wrong:?}"
    );
    let empty = ente_encrypted("", PASSWORD, ENTE_MEM, 1);
    let entries = parse(Format::Ente, empty.as_bytes(), Some(&pw(PASSWORD))).expect("empty");
    assert!(entries.is_empty());
    let none = parse(Format::Ente, file.as_bytes(), None).expect_err("none");
    assert!(
        matches!(
            none,
            Error::ImportPasswordNeeded {
                format: "Ente Auth"
            }
        ),
        "{none:?}"
    );
}

#[test]
fn ente_uses_the_argon2_parameters_of_the_file() {
    let file = ente_encrypted(&ente_text(), PASSWORD, ENTE_MEM, 2);
    let v: serde_json::Value = serde_json::from_str(&file).expect("json");
    for (field, value) in [("opsLimit", json!(3)), ("memLimit", json!(ENTE_MEM * 2))] {
        let mut changed = v.clone();
        changed["kdfParams"][field] = value;
        let e = parse(
            Format::Ente,
            changed.to_string().as_bytes(),
            Some(&pw(PASSWORD)),
        )
        .expect_err(field);
        assert!(
            matches!(e, Error::WrongImportPassword { .. }),
            "{field}: {e:?}"
        );
    }
    let mut huge = v.clone();
    huge["kdfParams"]["memLimit"] = json!(1u64 << 34);
    let e = parse(
        Format::Ente,
        huge.to_string().as_bytes(),
        Some(&pw(PASSWORD)),
    )
    .expect_err("mem");
    assert!(failed_reason(e).contains("memLimit"));
    let mut newer = v;
    newer["version"] = json!(2);
    let e = parse(
        Format::Ente,
        newer.to_string().as_bytes(),
        Some(&pw(PASSWORD)),
    )
    .expect_err("v2");
    assert!(failed_reason(e).contains("version 2"));
}

// --- Google Authenticator -----------------------------------------------------------------

fn seed(b32: &str) -> Vec<u8> {
    data_encoding::BASE32_NOPAD
        .decode(b32.as_bytes())
        .expect("base32")
}

#[test]
fn google_migration_maps_every_field() {
    let uri = google_uri(
        vec![
            google_account(&seed(S1), "GitHub:alice@example.com", "GitHub", 1, 1, 2, 0),
            google_account(&seed(S2), "bob", "Bank", 2, 2, 1, 41),
            google_account(&seed(S3), "Forum:carol", "", 0, 0, 0, 0),
            google_account(&seed(S1), "dave", "Old", 4, 1, 2, 0),
            google_account(&seed(S3), "erin", "Big", 3, 2, 2, 0),
        ],
        1,
        0,
        7,
    );
    let text = format!("# from the phone\n\n{uri}\n");
    let entries = parse(Format::GoogleMigration, text.as_bytes(), None).expect("export");
    assert_eq!(entries.len(), 5);
    assert!(entries.iter().all(|e| e.position == 3));
    assert_eq!(entries[1].label, "line 3, entry 2");
    let github = ok(&entries[0]);
    assert_eq!(github.issuer.as_deref(), Some("GitHub"));
    assert_eq!(
        github.account.as_deref(),
        Some("alice@example.com"),
        "issuer prefix stripped"
    );
    assert_eq!(github.secret.as_str(), S1);
    assert_eq!(github.params, OtpParams::default());
    let bank = ok(&entries[1]);
    assert_eq!(
        bank.params,
        params(OtpType::Hotp, OtpAlgorithm::Sha256, 8, 30)
    );
    assert_eq!(bank.counter, 41);
    assert_eq!(bank.secret.as_str(), S2);
    let forum = ok(&entries[2]);
    assert_eq!(
        forum.issuer.as_deref(),
        Some("Forum"),
        "issuer from the name"
    );
    assert_eq!(forum.account.as_deref(), Some("carol"));
    assert_eq!(
        forum.params,
        OtpParams::default(),
        "unspecified enums are the defaults"
    );
    let md5 = err(&entries[3]);
    assert!(md5.contains("unsupported algorithm MD5"), "{md5}");
    let big = ok(&entries[4]);
    assert_eq!(
        big.params,
        params(OtpType::Totp, OtpAlgorithm::Sha512, 8, 30)
    );
}

#[test]
fn google_batches_report_the_missing_one() {
    let batch = |i: i32, secret: &[u8], name: &str| {
        google_uri(vec![google_account(secret, name, "", 1, 1, 2, 0)], 3, i, 99)
    };
    // 0xFB bytes give '+' in base64 (%2B in the URI). A '+' that a form decoder turned
    // into ' ' on the way is tolerated.
    let first = batch(0, &[0xFB; 10], "a").replace("%2B", " ");
    assert!(first.contains(' '));
    let text = format!(
        "{first}\n{}\notpauth-migration://offline?data=%%%%\n",
        batch(2, &seed(S2), "c")
    );
    let entries = parse(Format::GoogleMigration, text.as_bytes(), None).expect("export");
    let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        vec![
            "batch 1 of 3, entry 1",
            "batch 2 of 3",
            "batch 3 of 3, entry 1",
            "line 3"
        ]
    );
    let a = ok(&entries[0]);
    assert_eq!(a.account.as_deref(), Some("a"));
    assert_eq!(
        a.secret.as_str(),
        data_encoding::BASE32_NOPAD.encode(&[0xFB; 10])
    );
    assert_eq!(ok(&entries[2]).account.as_deref(), Some("c"));
    let missing = err(&entries[1]);
    assert!(
        missing.contains("missing") && missing.contains("3 QR codes"),
        "{missing}"
    );
    assert!(err(&entries[3]).contains("base64") || err(&entries[3]).contains("damaged"));

    let e = parse(Format::GoogleMigration, b"nothing here", None).expect_err("no lines");
    assert!(failed_reason(e).contains("no otpauth-migration://"));
}

// --- QR images ------------------------------------------------------------------------------

#[test]
fn qr_image_with_an_otpauth_code() {
    let uri = format!("otpauth://totp/Example:alice?secret={S1}&issuer=Example&period=60");
    let entries = parse(Format::Qr, &png_of(&uri), None).expect("qr");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].label, "QR code 1");
    let acc = ok(&entries[0]);
    assert_eq!(acc.issuer.as_deref(), Some("Example"));
    assert_eq!(acc.params.period, 60);
    assert_eq!(acc.secret.as_str(), S1);
}

#[test]
fn qr_jpeg_with_a_google_migration_code() {
    let uri = google_uri(
        vec![
            google_account(&seed(S1), "Site:one", "Site", 1, 1, 2, 0),
            google_account(&seed(S2), "two", "Other", 1, 2, 1, 5),
        ],
        1,
        0,
        3,
    );
    let rgb = image::load_from_memory(&png_of(&uri))
        .expect("png")
        .into_rgb8();
    let mut jpeg = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&rgb)
        .expect("jpeg");
    let entries = parse(Format::Qr, jpeg.get_ref(), None).expect("qr");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].label, "QR code 1, entry 2");
    assert_eq!(ok(&entries[0]).account.as_deref(), Some("one"));
    let two = ok(&entries[1]);
    assert_eq!(two.params, params(OtpType::Hotp, OtpAlgorithm::Sha1, 8, 30));
    assert_eq!(two.counter, 5);
}

#[test]
fn qr_image_with_several_codes() {
    let a = image::load_from_memory(&png_of(&format!("otpauth://totp/A:a?secret={S1}")))
        .expect("a")
        .into_luma8();
    let b = image::load_from_memory(&png_of("https://example.com/not-2fa"))
        .expect("b")
        .into_luma8();
    let mut both = image::GrayImage::from_pixel(
        a.width() + b.width(),
        a.height().max(b.height()),
        image::Luma([255]),
    );
    image::imageops::replace(&mut both, &a, 0, 0);
    image::imageops::replace(&mut both, &b, i64::from(a.width()), 0);
    let mut png = Cursor::new(Vec::new());
    both.write_to(&mut png, image::ImageFormat::Png)
        .expect("png");
    let entries = parse(Format::Qr, png.get_ref(), None).expect("qr");
    assert_eq!(entries.len(), 2);
    let good = entries.iter().filter(|e| e.account.is_ok()).count();
    assert_eq!(good, 1);
    let bad = entries
        .iter()
        .find(|e| e.account.is_err())
        .expect("the URL");
    assert!(err(bad).contains("not a 2FA code"));
}

#[test]
fn qr_without_a_code_or_not_an_image_is_refused() {
    let blank = image::GrayImage::from_pixel(300, 300, image::Luma([255]));
    let mut png = Cursor::new(Vec::new());
    blank
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("png");
    let e = parse(Format::Qr, png.get_ref(), None).expect_err("blank");
    assert!(
        matches!(
            e,
            Error::ImportFailed {
                format: "QR image",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("no QR code"), "{e}");
    let e = parse(Format::Qr, b"%PDF-1.7 not an image", None).expect_err("pdf");
    assert!(e.to_string().contains("not an image"), "{e}");
}

// --- Independent cross-check: files written by Python (cryptography, PyNaCl/libsodium) ----

#[test]
fn python_fixtures_open() {
    // testdata/gen_fixtures.py; the password of both is "test".
    let aegis = include_bytes!("../testdata/aegis_encrypted.json");
    assert_eq!(detect(aegis), Some(Format::Aegis));
    assert!(is_encrypted(Format::Aegis, aegis));
    let entries = parse(Format::Aegis, aegis, Some(&pw("test"))).expect("Aegis file opens");
    assert_eq!(entries.len(), 3);
    let github = ok(&entries[0]);
    assert_eq!(github.issuer.as_deref(), Some("GitHub"));
    assert_eq!(github.account.as_deref(), Some("alice@example.com"));
    assert_eq!(github.secret.as_str(), S1);
    assert_eq!(github.tags, vec!["Work".to_owned()]);
    assert_eq!(github.notes.as_str(), "cross-check");
    let bank = ok(&entries[1]);
    assert_eq!(
        bank.params,
        params(OtpType::Hotp, OtpAlgorithm::Sha256, 8, 30)
    );
    assert_eq!((bank.secret.as_str(), bank.counter), (S2, 12));
    let steam = ok(&entries[2]);
    assert_eq!(
        steam.params,
        params(OtpType::Steam, OtpAlgorithm::Sha1, 5, 30)
    );
    assert_eq!(steam.secret.as_str(), S3);
    let wrong = parse(Format::Aegis, aegis, Some(&pw("Test"))).expect_err("wrong");
    assert!(
        matches!(wrong, Error::WrongImportPassword { .. }),
        "{wrong:?}"
    );

    let ente = include_bytes!("../testdata/ente_encrypted.json");
    assert_eq!(detect(ente), Some(Format::Ente));
    assert!(is_encrypted(Format::Ente, ente));
    let entries = parse(Format::Ente, ente, Some(&pw("test"))).expect("Ente file opens");
    assert_eq!(entries.len(), 2);
    let github = ok(&entries[0]);
    assert_eq!(github.issuer.as_deref(), Some("GitHub"));
    assert_eq!(github.secret.as_str(), S1);
    assert_eq!(github.tags, vec!["Work".to_owned()]);
    let cloud = ok(&entries[1]);
    assert_eq!(cloud.account.as_deref(), Some("carol"));
    assert_eq!(
        cloud.params,
        params(OtpType::Totp, OtpAlgorithm::Sha512, 8, 60)
    );
    assert_eq!(cloud.secret.as_str(), S3);
    let wrong = parse(Format::Ente, ente, Some(&pw("Test"))).expect_err("wrong");
    assert!(
        matches!(wrong, Error::WrongImportPassword { .. }),
        "{wrong:?}"
    );
}
