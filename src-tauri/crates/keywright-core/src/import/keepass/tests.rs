//! KeePass imports: databases and exports made by keepassxc-cli and pykeepass (see
//! `testdata/keepass/make.sh`), the mapping of every entry shape, and hostile input.

use secrecy::SecretString;

use super::kdbx;
use crate::credential::{Kind, OtpAlgorithm, OtpType};
use crate::import::{Format, Options, Record, Source, parse};

const PW: &str = "keywright-test";

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../testdata/keepass/", $name)).as_slice()
    };
}

fn pw(s: &str) -> Options {
    Options {
        password: Some(SecretString::from(s.to_owned())),
        ..Options::default()
    }
}

fn kdbx(data: &[u8]) -> crate::error::Result<Vec<Record>> {
    parse(Format::Kdbx, Source::Bytes(data), &pw(PW))
}

/// `label | kind name | tags` or `label | invalid: reason`, one per record.
fn summary(recs: &[Record]) -> Vec<String> {
    recs.iter()
        .map(|r| match &r.candidate {
            Ok(c) => {
                // Groups first (outermost first), then the entry's tags, sorted (KeePassXC
                // sorts them when it saves).
                let mut tags = c.item.tags.clone();
                let groups = tags
                    .iter()
                    .take_while(|t| ["Work", "APIs", "Personal"].contains(&t.as_str()))
                    .count();
                tags[groups..].sort();
                format!(
                    "{} | {} {} | {}",
                    r.label,
                    c.item.kind,
                    c.item.name,
                    tags.join(",")
                )
            }
            Err(reason) => format!("{} | invalid: {reason}", r.label),
        })
        .collect()
}

fn find<'a>(recs: &'a [Record], label: &str) -> &'a crate::import::Candidate {
    recs.iter()
        .find(|r| r.label == label)
        .and_then(|r| r.candidate.as_ref().ok())
        .unwrap_or_else(|| panic!("no valid {label}: {:?}", summary(recs)))
}

/// What source.xml gives, whichever file it went through.
const SOURCE: [&str; 12] = [
    "entry 1 | bearer Service JWT | ",
    "entry 2 | basic GitHub | Work,2fa,code",
    "entry 2 (API Token) | api_key GitHub API Token | Work,2fa,code",
    "entry 2 (2FA) | totp GitHub 2FA | Work,2fa,code",
    "entry 3 | api_key Stripe | Work,APIs,billing",
    "entry 4 | basic AWS Console | Work,APIs",
    "entry 4 (2FA) | totp AWS Console 2FA | Work,APIs",
    "entry 5 (2FA) | totp Old TOTP 2FA | Personal",
    "entry 6 | basic Steam | Personal",
    "entry 6 (2FA) | totp Steam 2FA | Personal",
    "entry 7 | invalid: \"Bookmark\" has no password, key or one-time password",
    "",
];

fn expected() -> Vec<String> {
    SOURCE
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
        .collect()
}

fn check_source_mapping(recs: &[Record]) {
    assert_eq!(summary(recs), expected());
    let github = find(recs, "entry 2");
    assert_eq!(github.item.username.as_deref(), Some("alice"));
    assert_eq!(github.item.secret.value, "correct & horse <3");
    assert_eq!(github.item.url.as_deref(), Some("https://github.com/login"));
    assert_eq!(github.item.secret.notes, "Work account.\n\nEnv: prod");
    let token = find(recs, "entry 2 (API Token)");
    assert_eq!(
        token.item.secret.value,
        "ghp_0123456789abcdefghijABCDEFGHIJ012345"
    );
    let otp = find(recs, "entry 2 (2FA)");
    assert_eq!(otp.item.issuer.as_deref(), Some("GitHub"));
    assert_eq!(otp.item.username.as_deref(), Some("alice"));
    assert_eq!(otp.item.secret.value, "JBSWY3DPEHPK3PXP");
    let stripe = find(recs, "entry 3");
    // 2030-01-02T03:04:05Z
    assert_eq!(stripe.item.expires_at, Some(1_893_553_445));
    assert_eq!(stripe.item.secret.notes, "Live key.\nRotate yearly.");
    assert_eq!(
        stripe.item.url.as_deref(),
        Some("https://dashboard.stripe.com")
    );
    let aws = find(recs, "entry 4 (2FA)").item.otp.expect("otp");
    assert_eq!((aws.digits, aws.algorithm), (8, OtpAlgorithm::Sha256));
    let old = find(recs, "entry 5 (2FA)");
    assert_eq!(old.item.issuer.as_deref(), Some("Old TOTP"));
    assert_eq!(old.item.username.as_deref(), Some("bob@example.com"));
    let steam = find(recs, "entry 6 (2FA)").item.otp.expect("otp");
    assert_eq!(steam.otp_type, OtpType::Steam);
    assert_eq!(find(recs, "entry 1").item.kind, Kind::Bearer);
    // History (the old password) and the recycle bin are left out.
    let all = format!("{:?}", summary(recs));
    assert!(!all.contains("old") && !all.contains("Deleted"), "{all}");
    for r in recs {
        if let Ok(c) = &r.candidate {
            assert!(
                !c.item.secret.value.contains("an old password")
                    && !c.item.secret.value.contains("deleted-secret")
            );
        }
    }
}

#[test]
fn source_xml_maps_every_entry_shape() {
    let recs = parse(
        Format::KeepassXml,
        Source::Bytes(fixture!("source.xml")),
        &Options::default(),
    )
    .expect("source.xml");
    check_source_mapping(&recs);
}

#[test]
fn kdbx_3_1_made_by_keepassxc_cli() {
    let data = fixture!("kdbx3.kdbx");
    assert_eq!(&data[8..12], &[1, 0, 3, 0], "KDBX 3.1");
    check_source_mapping(&kdbx(data).expect("kdbx 3.1"));
}

#[test]
fn kdbx_4_made_by_keepassxc_cli() {
    let data = fixture!("kdbx4.kdbx");
    assert_eq!(&data[8..12], &[0, 0, 4, 0], "KDBX 4.0");
    check_source_mapping(&kdbx(data).expect("kdbx 4"));
}

#[test]
fn keepassxc_xml_export_maps_as_its_database() {
    // Times are base64 (KDBX 4 style) in this export; values plain, ProtectInMemory marked.
    let recs = parse(
        Format::KeepassXml,
        Source::Bytes(fixture!("export.xml")),
        &Options::default(),
    )
    .expect("export.xml");
    check_source_mapping(&recs);
}

#[test]
fn keepassxc_csv_export_keeps_what_csv_can_hold() {
    let recs = parse(
        Format::KeepassCsv,
        Source::Bytes(fixture!("export.csv")),
        &Options::default(),
    )
    .expect("export.csv");
    // No custom fields, tags, expiry or KeePass 2 TOTP fields in CSV; the recycle bin is
    // left out by its name.
    assert_eq!(
        summary(&recs),
        [
            "entry 1 | bearer Service JWT | ",
            "entry 2 | basic GitHub | Work",
            "entry 2 (2FA) | totp GitHub 2FA | Work",
            "entry 3 | api_key Stripe | Work,APIs",
            "entry 4 | basic AWS Console | Work,APIs",
            "entry 5 (2FA) | totp Old TOTP 2FA | Personal",
            "entry 6 | basic Steam | Personal",
            "entry 6 (2FA) | totp Steam 2FA | Personal",
            "entry 7 | invalid: \"Bookmark\" has no password, key or one-time password",
        ]
    );
    assert_eq!(
        find(&recs, "entry 2").item.secret.value,
        "correct & horse <3"
    );
    assert_eq!(
        find(&recs, "entry 6 (2FA)").item.otp.expect("otp").otp_type,
        OtpType::Steam
    );
}

#[test]
fn pykeepass_argon2_and_chacha20_databases() {
    for (name, data) in [
        ("argon2d aes", fixture!("pykeepass-argon2d-aes.kdbx")),
        (
            "argon2id chacha20",
            fixture!("pykeepass-argon2id-chacha20.kdbx"),
        ),
    ] {
        let recs = kdbx(data).unwrap_or_else(|e| panic!("{name}: {e}"));
        let s = summary(&recs);
        assert!(
            s.contains(&"entry 2 | api_key Stripe | ".to_string()),
            "{name}: {s:?}"
        );
        // The current password, not the one in the history.
        let gh = recs
            .iter()
            .find(|r| r.candidate.as_ref().is_ok_and(|c| c.item.name == "GitHub"))
            .and_then(|r| r.candidate.as_ref().ok())
            .expect("GitHub");
        assert_eq!(gh.item.secret.value, "a newer password", "{name}");
        assert!(
            recs.iter().any(|r| r
                .candidate
                .as_ref()
                .is_ok_and(|c| c.item.name == "GitHub API Token"
                    && c.item.secret.value == "ghp_0123456789abcdefghijABCDEFGHIJ012345")),
            "{name}: {s:?}"
        );
        assert!(
            recs.iter().any(|r| r
                .candidate
                .as_ref()
                .is_ok_and(|c| c.item.name == "GitHub 2FA")),
            "{name}: {s:?}"
        );
        let kdf = kdbx::header_kdf(data).expect("header");
        assert!(matches!(kdf, kdbx::Kdf::Argon2 { lanes: 2, .. }), "{kdf:?}");
    }
}

#[test]
fn a_header_altered_after_writing_is_refused_as_keepassxc_does() {
    let e = kdbx(fixture!("pykeepass-kdbx3-stale-header-hash.kdbx")).expect_err("stale");
    assert!(e.to_string().contains("does not match the hash"), "{e}");
}

#[test]
fn wrong_password_is_its_own_error() {
    for data in [
        fixture!("kdbx3.kdbx"),
        fixture!("kdbx4.kdbx"),
        fixture!("pykeepass-argon2id-chacha20.kdbx"),
    ] {
        let e = parse(Format::Kdbx, Source::Bytes(data), &pw("not it")).expect_err("wrong");
        assert_eq!(e.kind(), "wrong_import_password", "{e}");
    }
    let e = parse(
        Format::Kdbx,
        Source::Bytes(fixture!("kdbx4.kdbx")),
        &Options::default(),
    )
    .expect_err("no password");
    assert_eq!(e.kind(), "import_password_needed");
    assert!(super::super::is_encrypted(
        Format::Kdbx,
        fixture!("kdbx4.kdbx")
    ));
}

#[test]
fn truncated_and_flipped_databases_fail_cleanly() {
    // (Each attempt that reaches the key derivation costs keepassxc-cli's 1,000,000 AES-KDF
    // rounds, slow in a debug build: a sample of cuts and flips.)
    for data in [fixture!("kdbx3.kdbx"), fixture!("kdbx4.kdbx")] {
        for cut in [0, 4, 11, 12, 40, 200, data.len() / 2, data.len() - 1] {
            let e = kdbx(&data[..cut]).expect_err("truncated");
            assert!(
                matches!(e.kind(), "import_failed" | "wrong_import_password"),
                "cut at {cut}: {e}"
            );
        }
        // A flipped bit anywhere: an error, never a panic or a wrong import.
        for at in (0..data.len()).step_by(331) {
            let mut bad = data.to_vec();
            bad[at] ^= 0x20;
            if let Ok(recs) = kdbx(&bad) {
                // A flip in an ignored header field (the comment) or in padding.
                assert_eq!(summary(&recs), expected(), "flip at {at}");
            }
        }
    }
    let e = kdbx(b"not a database at all").expect_err("text");
    assert!(e.to_string().contains("not a KeePass database"), "{e}");
    let mut kdb1 = vec![0x03, 0xd9, 0xa2, 0x9a, 0x65, 0xfb, 0x4b, 0xb5];
    kdb1.extend_from_slice(&[0; 120]);
    let e = kdbx(&kdb1).expect_err("kdb");
    assert!(e.to_string().contains("KeePass 1"), "{e}");
}

/// A KDBX 4 header with these KDF parameters (and nothing after it).
fn kdbx4_header(kdf: &[(u8, &str, Vec<u8>)]) -> Vec<u8> {
    let mut dict = vec![0x00, 0x01];
    for (ty, k, v) in kdf {
        dict.push(*ty);
        dict.extend_from_slice(&(k.len() as u32).to_le_bytes());
        dict.extend_from_slice(k.as_bytes());
        dict.extend_from_slice(&(v.len() as u32).to_le_bytes());
        dict.extend_from_slice(v);
    }
    dict.push(0);
    let mut out = vec![0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 0, 0, 4, 0];
    let mut field = |id: u8, v: &[u8]| {
        out.push(id);
        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
        out.extend_from_slice(v);
    };
    field(2, &hex("31c1f2e6bf714350be5805216afc5aff"));
    field(3, &1u32.to_le_bytes());
    field(4, &[7; 32]);
    field(7, &[9; 16]);
    field(11, &dict);
    field(0, b"\r\n\r\n");
    out
}

fn hex(s: &str) -> Vec<u8> {
    data_encoding::HEXLOWER.decode(s.as_bytes()).expect("hex")
}

#[test]
fn kdf_costs_are_refused_before_any_derivation() {
    let argon = |m: u64, i: u64, p: u32| {
        kdbx4_header(&[
            (0x42, "$UUID", hex("9e298b1956db4773b23dfc3ec6f0a1e6")),
            (0x42, "S", vec![1; 32]),
            (0x05, "M", m.to_le_bytes().to_vec()),
            (0x05, "I", i.to_le_bytes().to_vec()),
            (0x04, "P", p.to_le_bytes().to_vec()),
            (0x04, "V", 0x13u32.to_le_bytes().to_vec()),
        ])
    };
    let cases = [
        (
            argon(2 << 30, 1, 1),
            "2048 MiB of memory; Keywright accepts at most 1024 MiB",
        ),
        (argon(1 << 30, 1000, 1), "1024 MiB × 1000 iterations"),
        (argon(64 << 20, 2, 1000), "1000 lanes"),
        (argon(64 << 20, 0, 1), "invalid Argon2 parameters"),
        (
            kdbx4_header(&[
                (0x42, "$UUID", hex("7c02bb8279a74ac0927d114a00648238")),
                (0x42, "S", vec![1; 32]),
                (0x05, "R", 1_000_000_000_000u64.to_le_bytes().to_vec()),
            ]),
            "1000000000000 AES-KDF rounds",
        ),
    ];
    for (file, want) in cases {
        // These would take minutes or gigabytes if derived: refused at once.
        let e = kdbx(&file).expect_err("refused");
        assert_eq!(e.kind(), "import_failed");
        assert!(e.to_string().contains(want), "{e} (wanted {want})");
    }
    // Within the limits, the same header reaches the derivation and then fails for the
    // missing body (not for its costs).
    let e = kdbx(&argon(1 << 20, 2, 2)).expect_err("no body");
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn an_inflated_payload_is_bounded() {
    use std::io::Write as _;
    // 16 MiB of zeros compress to about 16 KiB: refused past the limit given.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..16 {
        gz.write_all(&zeros).expect("gzip");
    }
    let bomb = gz.finish().expect("gzip");
    assert!(bomb.len() < 1 << 20);
    let e = kdbx::inflate(&bomb, true, 4 << 20).expect_err("bomb");
    assert!(e.to_string().contains("inflates to more than 4 MiB"), "{e}");
    assert_eq!(
        kdbx::inflate(&bomb, true, 16 << 20).expect("within").len(),
        16 << 20
    );
    let e = kdbx::inflate(b"\x1f\x8b\x08\x00garbage", true, 1 << 20).expect_err("bad gzip");
    assert!(e.to_string().contains("compressed data is damaged"), "{e}");
}

fn xml_of(entries: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<KeePassFile><Meta/><Root><Group><Name>Root</Name>\
         {entries}</Group></Root></KeePassFile>"
    )
}

fn entry(title: &str, password: &str) -> String {
    format!(
        "<Entry><String><Key>Title</Key><Value>{title}</Value></String>\
         <String><Key>Password</Key><Value>{password}</Value></String></Entry>"
    )
}

fn xml(text: &str) -> crate::error::Result<Vec<Record>> {
    parse(
        Format::KeepassXml,
        Source::Bytes(text.as_bytes()),
        &Options::default(),
    )
}

#[test]
fn entity_expansion_is_refused() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">\
        <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\
        <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\
        <KeePassFile><Root><Group><Entry><String><Key>Title</Key><Value>&lol3;</Value>\
        </String></Entry></Group></Root></KeePassFile>";
    let e = xml(laughs).expect_err("laughs");
    assert!(e.to_string().contains("DOCTYPE"), "{e}");
    // Without a DOCTYPE, an undeclared entity is an error too (never text).
    let e = xml(&xml_of(&entry("&lol3;", "x"))).expect_err("entity");
    assert!(e.to_string().contains("undeclared entity &lol3;"), "{e}");
    // The predefined ones and character references are read.
    let recs = xml(&xml_of(&entry(
        "A &amp; B &#x263A;",
        "k&lt;e&#121;&gt;1234567",
    )))
    .expect("ok");
    let c = recs[0].candidate.as_ref().expect("valid");
    assert_eq!(c.item.name, "A & B ☺");
    assert_eq!(c.item.secret.value, "k<ey>1234567");
}

#[test]
fn a_million_entries_is_a_bounded_error() {
    let mut s = String::from("<KeePassFile><Root><Group>");
    for _ in 0..1_000_000 {
        s.push_str("<Entry/>");
    }
    s.push_str("</Group></Root></KeePassFile>");
    let e = xml(&s).expect_err("too many");
    assert!(e.to_string().contains("more than 100000 entries"), "{e}");
}

#[test]
fn huge_fields_invalidate_their_entry_or_the_file() {
    // 1 MiB in one field: that entry is invalid, the others import.
    let big = "k".repeat(1 << 20);
    let text = xml_of(&format!(
        "{}{}",
        entry("Big", &big),
        entry("Small", "sk_small_12345678")
    ));
    let recs = xml(&text).expect("file");
    assert_eq!(recs.len(), 2);
    let reason = recs[0].candidate.as_ref().expect_err("big");
    assert!(
        reason.contains("\"Big\"") && reason.contains("limit is 65536 bytes"),
        "{reason}"
    );
    assert!(!reason.contains("kkkk"));
    assert!(recs[1].candidate.is_ok());
    // 100 MB: the file is refused by its size before it is read.
    let huge = xml_of(&entry("Huge", &"k".repeat(100_000_000)));
    let e = xml(&huge).expect_err("huge");
    assert!(e.to_string().contains("larger than"), "{e}");
}

#[test]
fn xml_problems_are_named() {
    let e = xml("<html><body/></html>").expect_err("html");
    assert!(e.to_string().contains("not a KeePass XML file"), "{e}");
    let e = xml("<KeePassFile><Root><Group><Entry>").expect_err("truncated");
    assert!(e.to_string().contains("truncated"), "{e}");
    let e = xml(&xml_of(
        "<Entry><String><Key>Password</Key><Value Protected=\"True\">AAAA</Value></String></Entry>",
    ))
    .expect_err("protected");
    assert!(e.to_string().contains("format kdbx"), "{e}");
    let deep = format!("<KeePassFile>{}", "<Group>".repeat(300));
    let e = xml(&deep).expect_err("deep");
    assert!(e.to_string().contains("nested more than 256"), "{e}");
    let e = xml("<KeePassFile><Root></Group></KeePassFile>").expect_err("mismatch");
    assert!(e.to_string().contains("well-formed"), "{e}");
}

#[test]
fn otp_fields_of_every_generation() {
    let f = |k: &str, v: &str| format!("<String><Key>{k}</Key><Value>{v}</Value></String>");
    let text = xml_of(&format!(
        "<Entry>{}{}{}</Entry><Entry>{}{}{}</Entry><Entry>{}{}</Entry><Entry>{}{}</Entry>",
        f("Title", "KeeOtp"),
        f("UserName", "u1"),
        f("otp", "key=JBSWY3DPEHPK3PXP&amp;size=8&amp;step=60"),
        f("Title", "Hex"),
        f(
            "TimeOtp-Secret-Hex",
            "3132333435363738393031323334353637383930"
        ),
        f("TimeOtp-Period", "60"),
        f("Title", "Bad seed"),
        f("TOTP Seed", "not base32 !!"),
        f("Title", "Bad URI"),
        f(
            "otp",
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&amp;digits=99"
        ),
    ));
    let recs = xml(&text).expect("ok");
    let s = summary(&recs);
    let keeotp = find(&recs, "entry 1 (2FA)").item.otp.expect("otp");
    assert_eq!((keeotp.digits, keeotp.period), (8, 60), "{s:?}");
    let hex = find(&recs, "entry 2 (2FA)");
    // RFC 6238's seed "12345678901234567890" as base32.
    assert_eq!(hex.item.secret.value, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(hex.item.otp.expect("otp").period, 60);
    assert!(
        s[2].starts_with("entry 3 (2FA) | invalid: \"Bad seed\": TOTP Seed"),
        "{s:?}"
    );
    assert!(
        s[3].starts_with("entry 4 (2FA) | invalid: \"Bad URI\""),
        "{s:?}"
    );
}

#[test]
fn untitled_entries_and_odd_urls() {
    let f = |k: &str, v: &str| format!("<String><Key>{k}</Key><Value>{v}</Value></String>");
    let text = xml_of(&format!(
        "<Entry>{}{}</Entry><Entry>{}{}</Entry><Entry>{}{}{}</Entry>",
        f("URL", "example.org/login"),
        f("Password", "pw-12345678"),
        f("URL", "cmd://ssh host"),
        f("Password", "pw-abcdefgh"),
        f("Title", "PIN"),
        f("Password", "1234"),
        "<String><Key>Answer</Key><Value ProtectInMemory=\"True\">my first pet</Value></String>",
    ));
    let recs = xml(&text).expect("ok");
    let a = find(&recs, "entry 1");
    assert_eq!(a.item.name, "example.org");
    assert_eq!(a.item.url.as_deref(), Some("https://example.org/login"));
    let b = find(&recs, "entry 2");
    assert_eq!(b.item.name, "KeePass entry 2");
    assert_eq!(b.item.url, None);
    assert_eq!(b.item.secret.notes, "URL: cmd://ssh host");
    // A protected field that is text (with spaces) goes to the notes, not its own item.
    let c = find(&recs, "entry 3");
    assert_eq!(c.item.secret.notes, "Answer: my first pet");
    assert_eq!(recs.len(), 3);
}
