//! Bitwarden imports: every item type, the password-protected export against fixtures made
//! with the documented crypto (and Bitwarden's own published KDF vectors), and every bound.

use secrecy::SecretString;
use serde_json::{Value, json};

use super::bitwarden::{self, Kdf, Open, kdf_key, open_enc_string, stretch};
use super::pm_fixtures::{self as fx, JWT, PASSWORD, SEED, bw_item, bw_login};
use super::{Format, Options, Record, Source, is_encrypted, parse};
use crate::credential::{Kind, OtpType};
use crate::error::Error;
use crate::limits::{MAX_IMPORT_ENTRIES, MAX_IMPORT_LIST_ELEMENTS};

const GITHUB_PAT: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
const OPENAI_KEY: &str = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD";
const RK_LIVE: &str = "rk_live_51H8zY2eZvKYlo2C0123456789abcdef";

fn opts(password: Option<&str>) -> Options {
    Options {
        password: password.map(|p| SecretString::from(p.to_owned())),
        ..Options::default()
    }
}

fn run(data: &str, password: Option<&str>) -> crate::Result<Vec<Record>> {
    parse(
        Format::Bitwarden,
        Source::Bytes(data.as_bytes()),
        &opts(password),
    )
}

fn failed_reason(e: Error) -> String {
    match e {
        Error::ImportFailed { reason, .. } => reason,
        other => panic!("expected ImportFailed, got {other:?}"),
    }
}

fn row<'a>(recs: &'a [Record], label: &str) -> &'a Record {
    recs.iter()
        .find(|r| r.label == label)
        .unwrap_or_else(|| panic!("no row {label:?} in {:?}", labels(recs)))
}

fn labels(recs: &[Record]) -> Vec<&str> {
    recs.iter().map(|r| r.label.as_str()).collect()
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

/// A personal export with one item of every kind Bitwarden writes.
fn export() -> Value {
    let field = |name: &str, value: Value, kind: u8| json!({"name": name, "value": value, "type": kind, "linkedId": null});
    let items = vec![
        // 1: a login with everything.
        bw_item(
            1,
            "GitHub",
            Some("f-dev"),
            json!({
                "notes": "work account",
                "fields": [
                    field("PAT", json!(GITHUB_PAT), 1),
                    field("region", json!("eu-west-1"), 0),
                    field("2FA enforced", json!("true"), 2),
                    json!({"name": "Username", "value": null, "type": 3, "linkedId": 100}),
                ],
                "login": bw_login(Some("octocat"), Some("hunter2-pass"),
                    Some(&format!("otpauth://totp/GitHub:octocat?secret={SEED}&issuer=GitHub")),
                    &["https://github.com/login", "androidapp://com.github.android"]),
            }),
        ),
        // 2: a key kept as a login without a user name, its URI a bare host.
        bw_item(
            1,
            "Stripe",
            Some("f-ops"),
            json!({
                "login": bw_login(None, Some(&fx::stripe_key()), None, &["api.stripe.com"]),
            }),
        ),
        // 3: a JWT.
        bw_item(
            1,
            "Service token",
            None,
            json!({"login": bw_login(Some(""), Some(JWT), None, &[])}),
        ),
        // 4: an API-key-like secure note.
        bw_item(
            2,
            "OpenAI",
            None,
            json!({
                "notes": "prod key for the chatbot",
                "secureNote": {"type": 0},
                "fields": [field("API key", json!(OPENAI_KEY), 1), field("owner", json!("team-ml"), 0)],
            }),
        ),
        // 5: a secure note with nothing to keep.
        bw_item(
            2,
            "Wi-Fi",
            None,
            json!({"notes": "the password is on the fridge", "secureNote": {"type": 0}}),
        ),
        // 6: a secure note that is a key.
        bw_item(
            2,
            "Stripe restricted",
            None,
            json!({"notes": RK_LIVE, "secureNote": {"type": 0}}),
        ),
        // 7, 8, 9: not developer credentials.
        bw_item(
            3,
            "Visa",
            None,
            json!({"card": {"cardholderName": "A", "brand": "Visa",
            "number": "4111111111111111", "expMonth": "1", "expYear": "2030", "code": "123"}}),
        ),
        bw_item(
            4,
            "Me",
            None,
            json!({"identity": {"firstName": "Ada", "ssn": "000-00-0000"}}),
        ),
        bw_item(
            5,
            "deploy key",
            None,
            json!({"sshKey": {"privateKey": "-----BEGIN OPENSSH PRIVATE KEY-----",
            "publicKey": "ssh-ed25519 AAAA", "keyFingerprint": "SHA256:x"}}),
        ),
        // 10: in the trash.
        bw_item(
            1,
            "Old",
            None,
            json!({"deletedDate": "2024-06-01T00:00:00.000Z",
            "login": bw_login(Some("old"), Some("old-pass"), None, &[])}),
        ),
        // 11: Steam Guard.
        bw_item(
            1,
            "Steam",
            None,
            json!({"login": bw_login(Some("gabe"), Some("valve-pw"),
            Some(&format!("steam://{SEED}")), &["https://store.steampowered.com"])}),
        ),
        // 12: only a one-time password (a bare seed, as Bitwarden also keeps them).
        bw_item(
            1,
            "AWS root",
            None,
            json!({"notes": "MFA device of the root user",
            "login": bw_login(Some("root@example.com"), None, Some("JBSW Y3DP EHPK 3PXP"), &[])}),
        ),
        // 13: a one-time password without its secret.
        bw_item(
            1,
            "Broken 2FA",
            None,
            json!({"login": bw_login(Some("x"), Some("y"),
            Some("otpauth://totp/Broken?issuer=Broken"), &[])}),
        ),
        // 14: a login with nothing.
        bw_item(
            1,
            "No password",
            None,
            json!({"login": bw_login(Some("x"), None, None, &[])}),
        ),
        // 15: a newer personal record type.
        bw_item(6, "Bank", None, json!({})),
    ];
    json!({
        "encrypted": false,
        "folders": [{"id": "f-dev", "name": "Dev"}, {"id": "f-ops", "name": "Ops/Prod"}],
        "items": items,
    })
}

#[test]
fn every_bitwarden_item_type_maps_to_its_kind_or_a_reason() {
    let recs = run(&export().to_string(), None).expect("parsed");
    assert_eq!(
        labels(&recs),
        [
            "item 1",
            "item 1 (2FA)",
            "item 1 (PAT)",
            "item 2",
            "item 3",
            "item 4 (API key)",
            "item 5",
            "item 6",
            "item 7",
            "item 8",
            "item 9",
            "item 10",
            "item 11",
            "item 11 (2FA)",
            "item 12 (2FA)",
            "item 13",
            "item 13 (2FA)",
            "item 14",
            "item 15",
        ]
    );

    // A login with a user name: basic auth at its first web URI, in its folder.
    let gh = ok(&recs, "item 1");
    assert_eq!((gh.kind, gh.name.as_str()), (Kind::Basic, "GitHub"));
    assert_eq!(gh.username.as_deref(), Some("octocat"));
    assert_eq!(gh.secret.value, "hunter2-pass");
    assert_eq!(gh.url.as_deref(), Some("https://github.com/login"));
    assert_eq!(gh.tags, ["Dev"]);
    for part in [
        "work account",
        "region: eu-west-1",
        "2FA enforced: true",
        "URL: androidapp://com.github.android",
    ] {
        assert!(
            gh.secret.notes.contains(part),
            "{part:?} in {:?}",
            gh.secret.notes
        );
    }
    assert!(
        !gh.secret.notes.contains(GITHUB_PAT),
        "hidden fields stay out of notes"
    );
    // Its one-time password: a 2FA item of its own, named after it.
    let otp = ok(&recs, "item 1 (2FA)");
    assert_eq!((otp.kind, otp.name.as_str()), (Kind::Totp, "GitHub 2FA"));
    assert_eq!(otp.issuer.as_deref(), Some("GitHub"));
    assert_eq!(otp.username.as_deref(), Some("octocat"));
    assert_eq!(otp.secret.value, SEED);
    assert_eq!(otp.tags, ["Dev"]);
    // Its hidden field: an API key of its own.
    let pat = ok(&recs, "item 1 (PAT)");
    assert_eq!((pat.kind, pat.name.as_str()), (Kind::ApiKey, "GitHub PAT"));
    assert_eq!(pat.secret.value, GITHUB_PAT);

    let stripe = ok(&recs, "item 2");
    assert_eq!(stripe.kind, Kind::ApiKey);
    assert_eq!(stripe.url.as_deref(), Some("https://api.stripe.com"));
    assert_eq!(stripe.tags, ["Ops/Prod"]);
    let hint = row(&recs, "item 2")
        .candidate
        .as_ref()
        .expect("ok")
        .hint
        .clone();
    assert!(hint.is_some_and(|h| h.contains("Stripe")));

    let token = ok(&recs, "item 3");
    assert_eq!(token.kind, Kind::Bearer);
    let (ov, _) = token.clone().into_parts(0).expect("valid");
    assert_eq!(ov.token_expires_at, Some(4_102_444_800));

    let openai = ok(&recs, "item 4 (API key)");
    assert_eq!(
        (openai.kind, openai.name.as_str()),
        (Kind::ApiKey, "OpenAI API key")
    );
    assert_eq!(openai.secret.value, OPENAI_KEY);
    assert!(openai.secret.notes.contains("prod key for the chatbot"));
    assert!(openai.secret.notes.contains("owner: team-ml"));

    assert!(reason(&recs, "item 5").contains("\"Wi-Fi\" is a secure note with no key in it"));
    let rk = ok(&recs, "item 6");
    assert_eq!((rk.kind, rk.secret.value.as_str()), (Kind::ApiKey, RK_LIVE));
    assert!(
        rk.secret.notes.is_empty(),
        "the key is not copied into the notes"
    );

    assert_eq!(
        reason(&recs, "item 7"),
        "\"Visa\" is a payment card: Keywright keeps developer credentials (API keys, tokens, \
         logins, 2FA codes)"
    );
    assert!(reason(&recs, "item 8").contains("is an identity"));
    assert!(reason(&recs, "item 9").contains("is an SSH key"));
    assert!(reason(&recs, "item 10").contains("is in Bitwarden's trash"));

    let steam = ok(&recs, "item 11 (2FA)");
    assert_eq!(steam.otp.expect("params").otp_type, OtpType::Steam);
    assert_eq!(steam.otp.expect("params").digits, 5);

    let aws = ok(&recs, "item 12 (2FA)");
    assert_eq!(aws.name, "AWS root 2FA");
    assert_eq!(aws.secret.value, "JBSWY3DPEHPK3PXP");
    assert_eq!(aws.username.as_deref(), Some("root@example.com"));
    assert!(
        aws.secret.notes.contains("MFA device"),
        "the notes go with it"
    );

    assert!(
        ok(&recs, "item 13").kind == Kind::Basic,
        "the login is kept"
    );
    let broken = reason(&recs, "item 13 (2FA)");
    assert!(broken.starts_with("its one-time password"), "{broken}");
    assert!(reason(&recs, "item 14").contains("a login with no password"));
    assert!(reason(&recs, "item 15").contains("is a bank account"));

    // No reason carries a secret.
    for r in &recs {
        if let Err(reason) = &r.candidate {
            for secret in [
                "hunter2",
                "4111111111111111",
                "000-00-0000",
                "old-pass",
                SEED,
            ] {
                assert!(!reason.contains(secret), "{}: {reason}", r.label);
            }
        }
    }
}

#[test]
fn an_organisation_export_takes_collections_as_tags() {
    let mut item = bw_item(
        1,
        "Deploy bot",
        None,
        json!({"organizationId": "org-1", "collectionIds": ["c-plat", "c-missing"],
               "login": bw_login(Some("bot"), Some("s3cret-pw"), None, &["https://ci.example.com"])}),
    );
    item["folderId"] = Value::Null;
    let export = json!({
        "encrypted": false,
        "collections": [{"id": "c-plat", "organizationId": "org-1", "name": "Platform", "externalId": null}],
        "items": [item],
    });
    let recs = run(&export.to_string(), None).expect("parsed");
    assert_eq!(ok(&recs, "item 1").tags, ["Platform"]);
}

#[test]
fn not_a_bitwarden_export_says_so() {
    for (text, expected) in [
        (
            "{\"accounts\": []}",
            "it is not a Bitwarden JSON export (it has no \"items\")",
        ),
        (
            "{\"items\": [",
            "the JSON ends early (the file is truncated)",
        ),
        ("[1, 2]", "it is not a Bitwarden JSON export"),
        ("\"text\"", "its JSON does not have the expected structure"),
        (
            "{\"items\": {\"a\": 1}}",
            "its JSON does not have the expected structure",
        ),
        ("not json", "it is not valid JSON"),
    ] {
        let e = run(text, None).expect_err(text);
        let r = failed_reason(e);
        assert!(r.contains(expected), "{text}: {r}");
    }
}

// --- The password-protected export ----------------------------------------------------

/// Bitwarden's own published vectors (bitwarden/sdk-internal
/// `crates/bitwarden-crypto/src/keys/kdf.rs` and `keys/utils.rs`): the KDFs, and the
/// stretch into the enc and mac keys.
#[test]
fn the_kdfs_and_the_stretch_match_bitwardens_vectors() {
    let pbkdf2 = kdf_key(
        b"67t9b5g67$%Dh89n",
        "test_key",
        Kdf::Pbkdf2 { iterations: 10_000 },
    )
    .expect("pbkdf2");
    assert_eq!(
        *pbkdf2,
        [
            31, 79, 104, 226, 150, 71, 177, 90, 194, 80, 172, 209, 17, 129, 132, 81, 138, 167, 69,
            167, 254, 149, 2, 27, 39, 197, 64, 42, 22, 195, 86, 75
        ]
    );
    let (enc, mac) = stretch(&pbkdf2).expect("stretch");
    assert_eq!(
        *enc,
        [
            111, 31, 178, 45, 238, 152, 37, 114, 143, 215, 124, 83, 135, 173, 195, 23, 142, 134,
            120, 249, 61, 132, 163, 182, 113, 197, 189, 204, 188, 21, 237, 96
        ]
    );
    assert_eq!(
        *mac,
        [
            221, 127, 206, 234, 101, 27, 202, 38, 86, 52, 34, 28, 78, 28, 185, 16, 48, 61, 127,
            166, 209, 247, 194, 87, 232, 26, 48, 85, 193, 249, 179, 155
        ]
    );
    let argon2 = kdf_key(
        b"67t9b5g67$%Dh89n",
        "test_key",
        Kdf::Argon2id {
            iterations: 4,
            memory_mib: 32,
            parallelism: 2,
        },
    )
    .expect("argon2");
    assert_eq!(
        *argon2,
        [
            207, 240, 225, 177, 162, 19, 163, 76, 98, 106, 179, 175, 224, 9, 17, 240, 20, 147, 237,
            47, 246, 150, 141, 184, 62, 225, 131, 242, 51, 53, 225, 242
        ]
    );
}

fn plain_export() -> String {
    json!({
        "encrypted": false,
        "folders": [{"id": "f-dev", "name": "Dev"}],
        "items": [
            bw_item(1, "GitHub", Some("f-dev"), json!({"login": bw_login(Some("octocat"),
                Some("hunter2-pass"), Some(SEED), &["https://github.com"])})),
            bw_item(1, "Stripe", None, json!({"login": bw_login(None, Some(&fx::stripe_key()), None, &[])})),
        ],
    })
    .to_string()
}

/// What the records say, comparable across a plain and an encrypted import.
fn summary(recs: &[Record]) -> Vec<(String, Option<Kind>, Option<String>)> {
    recs.iter()
        .map(|r| {
            let c = r.candidate.as_ref().ok();
            (
                r.label.clone(),
                c.map(|c| c.item.kind),
                c.map(|c| format!("{} {}", c.item.name, c.item.secret.value)),
            )
        })
        .collect()
}

#[test]
fn a_pbkdf2_protected_export_opens_with_its_password() {
    let plain = plain_export();
    let file = fx::bitwarden_protected(&plain, PASSWORD, fx::Kdf::Pbkdf2(5_000));
    assert!(is_encrypted(Format::Bitwarden, file.as_bytes()));
    assert!(!is_encrypted(Format::Bitwarden, plain.as_bytes()));
    assert!(!is_encrypted(Format::Bitwarden, b"\xff\xfe"));

    let opened = run(&file, Some(PASSWORD)).expect("opened");
    let direct = run(&plain, None).expect("plain");
    assert_eq!(summary(&opened), summary(&direct));
    assert_eq!(labels(&opened), ["item 1", "item 1 (2FA)", "item 2"]);

    // No password: asked for (after the cost check); a wrong one: said so.
    let e = run(&file, None).expect_err("needs a password");
    assert!(matches!(e, Error::ImportPasswordNeeded { .. }), "{e:?}");
    let e = run(&file, Some("correct horse battery staple")).expect_err("wrong");
    assert!(matches!(e, Error::WrongImportPassword { .. }), "{e:?}");
    assert_eq!(e.kind(), "wrong_import_password");
}

#[test]
fn an_argon2id_protected_export_opens_with_its_password() {
    let plain = plain_export();
    for parallelism in [1, 4] {
        let file = fx::bitwarden_protected(
            &plain,
            PASSWORD,
            fx::Kdf::Argon2id {
                iterations: 2,
                memory_mib: 16,
                parallelism,
            },
        );
        let opened = run(&file, Some(PASSWORD)).expect("opened");
        assert_eq!(
            summary(&opened),
            summary(&run(&plain, None).expect("plain"))
        );
        let e = run(&file, Some("wrong")).expect_err("wrong");
        assert!(matches!(e, Error::WrongImportPassword { .. }), "{e:?}");
    }
}

fn protected_json() -> Value {
    serde_json::from_str(&fx::bitwarden_protected(
        &plain_export(),
        PASSWORD,
        fx::Kdf::Pbkdf2(5_000),
    ))
    .expect("json")
}

/// `s` with the first character of its MAC part changed (still base64).
fn flip_mac(s: &str) -> String {
    let (head, mac) = s.rsplit_once('|').expect("three parts");
    let mut mac: Vec<char> = mac.chars().collect();
    mac[0] = if mac[0] == 'A' { 'B' } else { 'A' };
    format!("{head}|{}", mac.into_iter().collect::<String>())
}

#[test]
fn a_changed_or_truncated_protected_export_is_refused() {
    // The data's MAC changed: the password is right, the data is not.
    let mut v = protected_json();
    v["data"] = json!(flip_mac(v["data"].as_str().expect("data")));
    let r = failed_reason(run(&v.to_string(), Some(PASSWORD)).expect_err("mac"));
    assert!(
        r.contains("changed or damaged (its MAC does not match)"),
        "{r}"
    );

    // The validation's MAC changed: indistinguishable from a wrong password.
    let mut v = protected_json();
    let validation = v["encKeyValidation_DO_NOT_EDIT"]
        .as_str()
        .expect("v")
        .to_owned();
    v["encKeyValidation_DO_NOT_EDIT"] = json!(flip_mac(&validation));
    let e = run(&v.to_string(), Some(PASSWORD)).expect_err("mac");
    assert!(matches!(e, Error::WrongImportPassword { .. }), "{e:?}");

    // The ciphertext cut short (a whole block less): the MAC no longer matches.
    let mut v = protected_json();
    let data = v["data"].as_str().expect("data").to_owned();
    let parts: Vec<&str> = data.split('|').collect();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut ct = b64.decode(parts[1]).expect("b64");
    ct.truncate(ct.len() - 16);
    v["data"] = json!(format!("{}|{}|{}", parts[0], b64.encode(ct), parts[2]));
    let r = failed_reason(run(&v.to_string(), Some(PASSWORD)).expect_err("short"));
    assert!(r.contains("MAC does not match"), "{r}");

    // The file cut in half.
    let text = protected_json().to_string();
    let r = failed_reason(run(&text[..text.len() / 2], Some(PASSWORD)).expect_err("half"));
    assert_eq!(r, "the JSON ends early (the file is truncated)");

    // Another EncString type, and a mangled one.
    for (data, expected) in [
        ("0.AAAA|BBBB", "EncString type \"0\""),
        ("2.AAAA|BBBB", "does not have the three parts iv|data|mac"),
        ("2.%%%|AAAA|AAAA", "IV is not valid base64"),
        ("2.AAAA|AAAA|AAAA", "IV has 3 bytes; AES-CBC needs 16"),
        ("garbage", "it is not an EncString"),
    ] {
        let mut v = protected_json();
        v["data"] = json!(data);
        let r = failed_reason(run(&v.to_string(), Some(PASSWORD)).expect_err(data));
        assert!(r.contains(expected), "{data}: {r}");
    }
    let mut v = protected_json();
    v["data"] = Value::Null;
    let r = failed_reason(run(&v.to_string(), Some(PASSWORD)).expect_err("no data"));
    assert_eq!(r, "it is password-protected but has no data");
}

#[test]
fn open_enc_string_checks_the_mac_before_decrypting() {
    let (enc, mac) = ([7u8; 32], [9u8; 32]);
    let s = fx::enc_string(b"hello", &enc, &mac);
    assert_eq!(
        open_enc_string(&s, &enc, &mac).expect("opens").as_slice(),
        b"hello"
    );
    assert_eq!(open_enc_string(&s, &enc, &[8u8; 32]), Err(Open::BadMac));
    // A right MAC key with a wrong encryption key: garbage, or bad padding, never a panic.
    let _ = open_enc_string(&s, &[1u8; 32], &mac);
}

#[test]
fn hostile_kdf_parameters_are_refused_before_the_password() {
    let base = protected_json();
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"kdfIterations": 1_000_000_000u64}),
            "its kdfIterations (PBKDF2) is 1000000000; Bitwarden writes, and Keywright reads, \
             5000 to 2000000",
        ),
        (json!({"kdfIterations": 100}), "is 100; Bitwarden writes"),
        (
            json!({"kdfIterations": -5}),
            "kdfIterations -5 is out of range",
        ),
        (json!({"kdfIterations": 1e30}), "is not a whole number"),
        (
            json!({"kdfIterations": "many"}),
            "kdfIterations \"many\" is not a whole number",
        ),
        (
            json!({"kdfIterations": [1]}),
            "kdfIterations is not a number",
        ),
        (
            json!({"kdfIterations": null}),
            "it is password-protected but has no kdfIterations",
        ),
        (
            json!({"kdfType": 1, "kdfIterations": 3, "kdfMemory": 1_048_576, "kdfParallelism": 4}),
            "its kdfMemory (Argon2id) is 1048576 MiB; Bitwarden writes, and Keywright reads, 16 \
             to 1024 MiB",
        ),
        (
            json!({"kdfType": 1, "kdfIterations": 1000, "kdfMemory": 64, "kdfParallelism": 4}),
            "its kdfIterations (Argon2id) is 1000; Bitwarden writes, and Keywright reads, 2 to 10",
        ),
        (
            json!({"kdfType": 1, "kdfIterations": 3, "kdfMemory": 64, "kdfParallelism": 4096}),
            "its kdfParallelism (Argon2id) is 4096; Bitwarden writes, and Keywright reads, 1 to 16",
        ),
        (
            json!({"kdfType": 1, "kdfIterations": 3, "kdfParallelism": 4}),
            "has no kdfMemory (Argon2id)",
        ),
        (
            json!({"kdfType": 7}),
            "its kdfType 7 is not one Bitwarden uses (0 = PBKDF2-SHA256, 1 = Argon2id)",
        ),
    ];
    for (patch, expected) in cases {
        let mut v = base.clone();
        for (k, val) in patch.as_object().expect("object") {
            v[k] = val.clone();
        }
        for password in [None, Some(PASSWORD)] {
            let e = run(&v.to_string(), password).expect_err("hostile");
            let r = failed_reason(e);
            assert!(r.contains(expected), "{patch}: {r}");
        }
    }
    // Bitwarden's own limits are accepted (then the password is asked for).
    for patch in [
        json!({"kdfIterations": 2_000_000}),
        json!({"kdfType": 1, "kdfIterations": 10, "kdfMemory": 1024, "kdfParallelism": 16}),
    ] {
        let mut v = base.clone();
        for (k, val) in patch.as_object().expect("object") {
            v[k] = val.clone();
        }
        let e = run(&v.to_string(), None).expect_err("needs a password");
        assert!(
            matches!(e, Error::ImportPasswordNeeded { .. }),
            "{patch}: {e:?}"
        );
    }
}

#[test]
fn an_account_restricted_export_says_to_export_with_a_password() {
    let file = json!({
        "encrypted": true,
        "encKeyValidation_DO_NOT_EDIT": "2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "folders": [],
        "items": [{"type": 1, "name": "2.AAAA|BBBB|CCCC"}],
    });
    assert!(!is_encrypted(
        Format::Bitwarden,
        file.to_string().as_bytes()
    ));
    let r = failed_reason(run(&file.to_string(), Some(PASSWORD)).expect_err("restricted"));
    assert!(
        r.contains("only the Bitwarden account that made it can open")
            && r.contains("\"Password protected\""),
        "{r}"
    );
}

#[test]
fn a_protected_export_that_opens_to_another_encrypted_export_is_refused() {
    let inner = json!({"encrypted": true, "passwordProtected": true, "items": []}).to_string();
    let file = fx::bitwarden_protected(&inner, PASSWORD, fx::Kdf::Pbkdf2(5_000));
    let r = failed_reason(run(&file, Some(PASSWORD)).expect_err("nested"));
    assert!(
        r.contains("the decrypted export is itself encrypted"),
        "{r}"
    );
    let file = fx::bitwarden_protected("{\"items\": [", PASSWORD, fx::Kdf::Pbkdf2(5_000));
    let r = failed_reason(run(&file, Some(PASSWORD)).expect_err("truncated"));
    assert_eq!(
        r,
        "the decrypted export: the JSON ends early (the file is truncated)"
    );
}

// --- Sizes -------------------------------------------------------------------------------

#[test]
fn more_than_100000_items_or_a_million_list_elements_are_refused() {
    let items = vec![json!({}); MAX_IMPORT_ENTRIES + 1];
    let text = json!({"encrypted": false, "items": items}).to_string();
    let r = failed_reason(run(&text, None).expect_err("items"));
    assert!(r.contains("more than 100000 entries in one list"), "{r}");
    // Twenty items of 60,000 empty fields each: 1.2 million elements in all.
    let fields = vec![json!({}); 60_000];
    let items = vec![json!({"type": 2, "name": "n", "fields": fields}); 20];
    let text = json!({"encrypted": false, "items": items}).to_string();
    let r = failed_reason(run(&text, None).expect_err("elements"));
    assert!(
        r.contains(&format!(
            "more than {MAX_IMPORT_LIST_ELEMENTS} elements in all"
        )),
        "{r}"
    );
    // A file over 32 MiB is refused unread.
    let big = vec![b' '; crate::limits::MAX_IMPORT_BYTES + 1];
    let e = parse(Format::Bitwarden, Source::Bytes(&big), &opts(None)).expect_err("big");
    assert!(failed_reason(e).contains("it is larger than 33554432 bytes"));
}

#[test]
fn the_derivation_refuses_what_the_argon2_crate_refuses_without_a_panic() {
    // Below the bounds is refused before; the crate's own check is a second line.
    let e = bitwarden::kdf_key(
        b"x",
        "salt",
        Kdf::Argon2id {
            iterations: 1,
            memory_mib: 0,
            parallelism: 1,
        },
    )
    .expect_err("argon2 refuses");
    assert!(failed_reason(e).contains("invalid Argon2id parameters"));
}
