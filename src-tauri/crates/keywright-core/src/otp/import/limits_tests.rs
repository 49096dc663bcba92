//! Regression tests of issue 13's findings: everything an import file controls is bounded
//! (see `crate::limits`), and refused with a message naming the limit before the work.

use prost::Message as _;
use secrecy::SecretString;
use serde_json::json;

use super::fixtures::{PASSWORD, aegis_encrypted, ente_encrypted, google_account, google_uri};
use super::*;
use crate::limits::*;

const S1: &str = "JBSWY3DPEHPK3PXP";

fn pw(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn failed_reason(e: Error) -> String {
    match e {
        Error::ImportFailed { reason, .. } => reason,
        other => panic!("expected ImportFailed, got {other:?}"),
    }
}

fn only_error(entries: &[Entry]) -> &str {
    assert_eq!(entries.len(), 1, "one entry");
    match &entries[0].account {
        Ok(_) => panic!("{} should have failed", entries[0].label),
        Err(reason) => reason,
    }
}

fn migration_uri(payload: &google::MigrationPayload) -> String {
    use base64::Engine as _;
    format!(
        "otpauth-migration://offline?data={}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.encode_to_vec())
    )
}

fn payload(accounts: usize, batch_size: i32, batch_index: i32, batch_id: i32) -> String {
    migration_uri(&google::MigrationPayload {
        otp_parameters: (0..accounts)
            .map(|_| google_account(&[], "", "", 0, 0, 0, 0))
            .collect(),
        version: 1,
        batch_size,
        batch_index,
        batch_id,
    })
}

// --- Google Authenticator (item 1) -----------------------------------------------------------

#[test]
fn the_13_byte_google_payload_is_refused() {
    // batch_size = 2^31 - 1: this drove a loop of two billion "missing batch" entries.
    let text = "otpauth-migration://offline?data=GP////8H";
    assert_eq!(text.len() - "otpauth-migration://offline?data=".len(), 8);
    let entries = parse(Format::GoogleMigration, text.as_bytes(), None).expect("parsed");
    let reason = only_error(&entries);
    assert!(
        reason.contains("claims to be one of 2147483647 QR codes (batch_size)")
            && reason.contains("1 to 1000"),
        "{reason}"
    );
}

#[test]
fn google_batch_numbers_are_bounded() {
    for (size, index, expected) in [
        (-1, 0, "one of -1 QR codes"),
        (1001, 0, "one of 1001 QR codes"),
        (
            3,
            i32::MAX,
            "number 2147483648 of 3 (batch_index out of range)",
        ),
        (3, 3, "number 4 of 3"),
        (3, -1, "number 0 of 3"),
        (0, 1, "number 2 of 1"),
    ] {
        let uri = payload(1, size, index, 7);
        let entries = parse(Format::GoogleMigration, uri.as_bytes(), None).expect("parsed");
        let reason = only_error(&entries);
        assert!(reason.contains(expected), "{size}/{index}: {reason}");
    }
    // The edges that real exports use are fine: absent (0) and 1000 batches.
    let entries = parse(
        Format::GoogleMigration,
        payload(0, 0, 0, 1).as_bytes(),
        None,
    )
    .expect("single batch");
    assert!(entries.is_empty(), "no accounts, nothing missing");
    let entries = parse(
        Format::GoogleMigration,
        payload(0, 1000, 999, 1).as_bytes(),
        None,
    )
    .expect("last of 1000");
    assert_eq!(entries.len(), 999, "the 999 others are reported missing");
    assert_eq!(entries[0].label, "batch 1 of 1000");
}

#[test]
fn google_accounts_per_payload_and_per_import_are_bounded() {
    let one = google_uri(
        vec![google_account(&[0x48; 10], "a", "", 0, 0, 0, 0)],
        1,
        0,
        1,
    );
    let over = payload(MAX_MIGRATION_ACCOUNTS + 1, 1, 0, 1);
    let text = format!("{one}\n{over}\n");
    let entries = parse(Format::GoogleMigration, text.as_bytes(), None).expect("parsed");
    assert_eq!(entries.len(), 2);
    assert!(entries[0].account.is_ok(), "the good line is kept");
    match &entries[1].account {
        Err(reason) => assert!(
            reason.contains("holds 1001 accounts; Keywright reads at most 1000"),
            "{reason}"
        ),
        Ok(_) => panic!("1001 accounts accepted"),
    }

    // 101 payloads of 1000 accounts: 101,000 in all.
    let full = payload(MAX_MIGRATION_ACCOUNTS, 1, 0, 1);
    let text = vec![full.as_str(); 101].join("\n");
    let e = parse(Format::GoogleMigration, text.as_bytes(), None).expect_err("too many");
    let reason = failed_reason(e);
    assert!(reason.contains("more than 100000 accounts"), "{reason}");

    // 101 exports of 1000 QR codes with one each: 100,899 "missing" entries.
    let text = (0..101)
        .map(|id| payload(0, 1000, 0, id))
        .collect::<Vec<_>>()
        .join("\n");
    let e = parse(Format::GoogleMigration, text.as_bytes(), None).expect_err("too many");
    assert!(failed_reason(e).contains("more than 100000 entries (accounts and missing QR codes)"));
}

// --- Sizes and lines (item 14) ------------------------------------------------------------

#[test]
fn an_import_over_32_mib_is_refused_unread() {
    let data = vec![b'\n'; MAX_IMPORT_BYTES + 1];
    for format in Format::ALL {
        let e = parse(format, &data, None).expect_err("too large");
        let reason = failed_reason(e);
        assert!(
            reason
                .contains("it is larger than 33554432 bytes (32 MiB), the most Keywright imports"),
            "{format}: {reason}"
        );
    }
}

#[test]
fn an_otpauth_list_over_100000_entries_is_refused_before_parsing() {
    let line = format!("otpauth://totp/x?secret={S1}\n# comment\n\n");
    let text = line.repeat(MAX_IMPORT_ENTRIES + 1);
    let e = parse(Format::Otpauth, text.as_bytes(), None).expect_err("too many");
    let reason = failed_reason(e);
    assert!(
        reason.contains("more than 100000 lines; Keywright imports at most 100000"),
        "{reason}"
    );
    // Exactly the limit is read (comments and blank lines do not count).
    let text = line.repeat(MAX_IMPORT_ENTRIES);
    let entries = parse(Format::Otpauth, text.as_bytes(), None).expect("at the limit");
    assert_eq!(entries.len(), MAX_IMPORT_ENTRIES);
}

#[test]
fn json_lists_over_100000_entries_are_refused() {
    let many = vec![json!({}); MAX_IMPORT_ENTRIES + 1];
    let aegis = json!({"version": 1, "header": {"slots": null, "params": null},
                       "db": {"version": 3, "entries": many}});
    let e = parse(Format::Aegis, aegis.to_string().as_bytes(), None).expect_err("aegis");
    let reason = failed_reason(e);
    assert!(
        reason.contains("more than 100000 entries in one list"),
        "{reason}"
    );
    let twofas = json!({"schemaVersion": 4, "services": many});
    let e = parse(Format::TwoFas, twofas.to_string().as_bytes(), None).expect_err("2fas");
    assert!(failed_reason(e).contains("more than 100000 entries in one list"));
}

#[test]
fn a_seed_over_1024_characters_is_refused_with_the_limit() {
    let long = "A".repeat(80_000);
    let e = OtpAccount::from_base32(&long, OtpParams::default()).expect_err("long seed");
    assert_eq!(e.kind(), "invalid_input");
    assert!(
        e.to_string()
            .contains("is 80000 characters long; the limit is 1024"),
        "{e}"
    );
    assert!(
        !e.to_string().contains("AAAAAAAA"),
        "no seed in the message"
    );
    // Spaces and padding are not counted; 1024 characters are accepted.
    let spaced = "AAAA ".repeat(MAX_SEED_CHARS / 4) + "====";
    let acc = OtpAccount::from_base32(&spaced, OtpParams::default()).expect("at the limit");
    assert_eq!(acc.secret.len(), MAX_SEED_CHARS);
    // In an import, it is that entry's reason.
    let text = format!("otpauth://totp/x?secret={}\n", "B".repeat(2000));
    let entries = parse(Format::Otpauth, text.as_bytes(), None).expect("list");
    assert!(
        only_error(&entries).contains("is 2000 characters long; the limit is 1024"),
        "{}",
        only_error(&entries)
    );
}

#[test]
fn an_otpauth_uri_over_64_kib_is_refused() {
    let uri = format!(
        "otpauth://totp/x?secret={S1}&issuer={}",
        "i".repeat(MAX_OTPAUTH_URI_BYTES)
    );
    let e = uri::parse(&uri).expect_err("long");
    assert!(e.to_string().contains("the limit is 65536 bytes"), "{e}");
}

#[test]
fn twofas_sealed_text_is_split_at_most_four_times() {
    let file = json!({"schemaVersion": 4, "servicesEncrypted": ":".repeat(1_000_000)});
    let e = parse(Format::TwoFas, file.to_string().as_bytes(), Some(&pw("x"))).expect_err("colons");
    assert!(failed_reason(e).contains("has more than 3 parts; expected data:salt:iv"));
}

// --- Key derivation costs (item 14) ---------------------------------------------------------

fn aegis_with_slot(n: u64, r: u64, p: u64) -> String {
    let file = aegis_encrypted(&json!({"version": 3, "entries": []}), PASSWORD, 10);
    let mut v: serde_json::Value = serde_json::from_str(&file).expect("json");
    v["header"]["slots"][1]["n"] = json!(n);
    v["header"]["slots"][1]["r"] = json!(r);
    v["header"]["slots"][1]["p"] = json!(p);
    v.to_string()
}

#[test]
fn aegis_scrypt_costs_over_the_caps_are_refused_before_the_password() {
    for (n, r, p, expected) in [
        (
            1 << 20,
            8,
            1,
            "its scrypt parameters (N=1048576, r=8) ask for 1024 MiB; Keywright accepts at \
             most 256 MiB",
        ),
        (
            1 << 19,
            1,
            1,
            "scrypt parameter N=524288 is above Keywright's limit of 262144",
        ),
        (
            1024,
            32,
            1,
            "scrypt parameter r=32 is above Keywright's limit of 16",
        ),
        (
            1024,
            8,
            5,
            "scrypt parameter p=5 is above Keywright's limit of 4",
        ),
        // 128·N·r overflows u64: checked, not wrapped.
        (
            1 << 62,
            u64::from(u32::MAX),
            1,
            "MiB; Keywright accepts at most 256 MiB",
        ),
    ] {
        let file = aegis_with_slot(n, r, p);
        // No password given: the cost is refused first (not "a password is needed").
        for password in [None, Some(pw(PASSWORD))] {
            let e = parse(Format::Aegis, file.as_bytes(), password.as_ref()).expect_err("cost");
            let reason = failed_reason(e);
            assert!(reason.contains(expected), "N={n} r={r} p={p}: {reason}");
        }
    }
    // Aegis's own parameters and the caps themselves are within the limits.
    let file = aegis_with_slot(1 << 15, 8, 1);
    let e = parse(Format::Aegis, file.as_bytes(), None).expect_err("needs a password");
    assert!(matches!(e, Error::ImportPasswordNeeded { .. }), "{e:?}");
}

#[test]
fn aegis_scrypt_work_over_all_slots_is_bounded() {
    // One slot at the caps: 128·2^18·8·4 = 1 GiB of work, accepted (then needs a password).
    let file = aegis_with_slot(1 << 18, 8, 4);
    let e = parse(Format::Aegis, file.as_bytes(), None).expect_err("needs a password");
    assert!(matches!(e, Error::ImportPasswordNeeded { .. }), "{e:?}");
    // Two such slots: 2 GiB in all, refused before any scrypt.
    let mut v: serde_json::Value = serde_json::from_str(&file).expect("json");
    let slot = v["header"]["slots"][1].clone();
    v["header"]["slots"] = json!([slot.clone(), slot]);
    let e = parse(Format::Aegis, v.to_string().as_bytes(), Some(&pw(PASSWORD))).expect_err("work");
    let reason = failed_reason(e);
    assert!(
        reason.contains("more scrypt work in all") && reason.contains("(1024 MiB)"),
        "{reason}"
    );
}

#[test]
fn aegis_password_slots_are_bounded() {
    let file = aegis_encrypted(&json!({"version": 3, "entries": []}), PASSWORD, 10);
    let mut v: serde_json::Value = serde_json::from_str(&file).expect("json");
    let slot = v["header"]["slots"][1].clone();
    v["header"]["slots"] = json!(vec![slot; MAX_AEGIS_PASSWORD_SLOTS + 1]);
    let e = parse(Format::Aegis, v.to_string().as_bytes(), Some(&pw(PASSWORD))).expect_err("slots");
    assert!(failed_reason(e).contains("it has 5 password slots; Keywright tries at most 4"));
}

#[test]
fn ente_argon2_costs_are_bounded_and_real_presets_accepted() {
    const MIB: u64 = 1 << 20;
    // Ente's sensitive preset and each step down it takes on a smaller phone, and
    // libsodium's moderate and interactive presets.
    for (mem, ops) in [
        (1024 * MIB, 4),
        (512 * MIB, 8),
        (256 * MIB, 16),
        (128 * MIB, 32),
        (64 * MIB, 64),
        (256 * MIB, 3),
        (64 * MIB, 2),
    ] {
        ente::argon2_params(mem, ops).unwrap_or_else(|e| panic!("{mem}/{ops}: {e}"));
    }
    for (mem, ops, expected) in [
        (
            1024 * MIB,
            1024,
            "its Argon2 opsLimit asks for 1024 passes; Keywright accepts at most 64",
        ),
        (
            2048 * MIB,
            1,
            "its Argon2 memLimit asks for 2048 MiB; Keywright accepts at most 1024 MiB",
        ),
        (
            1024 * MIB,
            5,
            "its Argon2 limits (memLimit 1024 MiB × opsLimit 5) ask for more work",
        ),
        (1024, 1, "libsodium needs at least 8192 bytes"),
        (MIB, 0, "libsodium needs at least 8192 bytes and 1 pass"),
    ] {
        let e = ente::argon2_params(mem, ops).expect_err("over");
        let reason = failed_reason(e);
        assert!(reason.contains(expected), "{mem}/{ops}: {reason}");
    }
    // In a file, the cost is refused before the password is asked for.
    let file = ente_encrypted("", PASSWORD, 8 * 1024 * 1024, 1);
    let mut v: serde_json::Value = serde_json::from_str(&file).expect("json");
    v["kdfParams"]["memLimit"] = json!(1u64 << 30);
    v["kdfParams"]["opsLimit"] = json!(1024);
    let e = parse(Format::Ente, v.to_string().as_bytes(), None).expect_err("cost");
    assert!(failed_reason(e).contains("opsLimit asks for 1024 passes"));
}

// --- QR images (item 14) ------------------------------------------------------------------

/// CRC-32 (IEEE) of PNG chunks, for crafting headers in tests.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG chunk: length, type and data, CRC.
fn png_chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let mut chunk = kind.to_vec();
    chunk.extend_from_slice(data);
    let len = u32::try_from(data.len()).expect("small chunk");
    png.extend_from_slice(&len.to_be_bytes());
    png.extend_from_slice(&chunk);
    png.extend_from_slice(&crc32(&chunk).to_be_bytes());
}

/// A PNG whose header claims `w` × `h` 8-bit greyscale pixels, with an empty IDAT: a few
/// dozen bytes, whatever the size claimed.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut png, b"IHDR", &ihdr);
    png_chunk(&mut png, b"IDAT", &[]);
    png_chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn a_12000_pixel_image_is_refused_from_its_header() {
    let e = qr::decode_image(&png_header(12_000, 12_000)).expect_err("huge");
    assert!(
        e.to_string()
            .contains("is 12000 × 12000 pixels; Keywright reads images of at most 4096 × 4096"),
        "{e}"
    );
    let e = qr::decode_image(&png_header(100, 5000)).expect_err("tall");
    assert!(e.to_string().contains("100 × 5000 pixels"), "{e}");
    // At the limit the header passes; this one then has no pixel data to decode.
    let e = qr::decode_image(&png_header(4096, 4096)).expect_err("no data");
    assert!(e.to_string().contains("cannot be decoded"), "{e}");
    // Through the import: a whole-file failure naming the limit.
    let e = parse(Format::Qr, &png_header(12_000, 12_000), None).expect_err("import");
    assert!(failed_reason(e).contains("at most 4096 × 4096"));
}

#[test]
fn a_qr_image_file_over_32_mib_is_refused() {
    let mut data = png_header(10, 10);
    data.resize(MAX_QR_IMAGE_BYTES + 1, 0);
    let e = qr::decode_image(&data).expect_err("large");
    assert!(
        e.to_string().contains("at most 33554432 bytes (32 MiB)"),
        "{e}"
    );
}

// --- Entries the vault would refuse are that entry's reason ---------------------------------

fn aegis_entry(secret: &str, note: &str, groups: serde_json::Value) -> serde_json::Value {
    json!({"type": "totp", "name": "alice", "issuer": "GitHub", "note": note,
           "groups": groups, "info": {"secret": secret, "digits": 6, "period": 30}})
}

#[test]
fn an_oversized_note_or_tag_fails_its_entry_not_the_import() {
    let long_group = "g".repeat(65);
    let db = json!({"version": 3, "groups": [{"uuid": "u1", "name": long_group}],
    "entries": [
        aegis_entry(S1, &"n".repeat(MAX_SECRET_BYTES + 1), json!([])),
        aegis_entry("GEZDGNBVGY3TQOJQ", "", json!(["u1"])),
        aegis_entry("MFRGGZDFMZTWQ2LK", "fine", json!([])),
    ]});
    let file = json!({"version": 1, "header": {"slots": null, "params": null}, "db": db});
    let entries = parse(Format::Aegis, file.to_string().as_bytes(), None).expect("parsed");
    assert_eq!(entries.len(), 3);
    let reason = |i: usize| {
        entries[i]
            .account
            .as_ref()
            .err()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        reason(0),
        "notes is 65537 bytes long; the limit is 65536 bytes"
    );
    assert!(
        reason(1).contains("tag") && reason(1).contains("64 characters"),
        "{}",
        reason(1)
    );
    assert!(entries[2].account.is_ok(), "the good entry is kept");
}

#[test]
fn a_field_list_over_100000_elements_is_refused() {
    let ids = vec![json!("u1"); MAX_IMPORT_ENTRIES + 1];
    let db = json!({"version": 3, "groups": [], "entries": [aegis_entry(S1, "", json!(ids))]});
    let file = json!({"version": 1, "header": {"slots": null, "params": null}, "db": db});
    let e = parse(Format::Aegis, file.to_string().as_bytes(), None).expect_err("long list");
    assert!(failed_reason(e).contains("more than 100000 entries in one list"));
    // A number where text is expected, and a list where a number is: entry reasons.
    let db = json!({"version": 3, "entries": [
        {"type": 5, "info": {"secret": S1}},
        {"type": "totp", "info": {"secret": S1, "digits": [6]}},
        {"type": "totp", "info": {"secret": S1, "period": -30}},
    ]});
    let file = json!({"version": 1, "header": {"slots": null, "params": null}, "db": db});
    let entries = parse(Format::Aegis, file.to_string().as_bytes(), None).expect("parsed");
    let reasons: Vec<String> = entries
        .iter()
        .map(|e| e.account.as_ref().err().cloned().unwrap_or_default())
        .collect();
    assert_eq!(
        reasons,
        [
            "type is not text",
            "digits is not a number",
            "period -30 is not a whole number"
        ]
    );
}
