//! Bounded property runs of every parser that reads outside input: otpauth URIs, Google
//! migration payloads, Aegis (plain and encrypted headers), 2FAS, Ente and QR images. Each
//! asserts that the parser returns (Ok or a typed error, never a panic) and that no message
//! repeats the seed fed in. Case counts are small so the set runs in seconds.

use std::io::Cursor;

use base64::Engine as _;
use proptest::prelude::*;
use prost::Message as _;
use serde_json::json;

use super::fixtures::{PASSWORD, aegis_encrypted, google_account, twofas_encrypted};
use super::*;

/// A seed long enough that finding it in a message cannot be a coincidence.
fn seed() -> impl Strategy<Value = String> {
    "[A-Z2-7]{16,48}"
}

/// Every message the result carries: the whole-file error or each entry's reason.
fn messages(result: &Result<Vec<Entry>>) -> Vec<String> {
    match result {
        Err(e) => vec![e.to_string()],
        Ok(entries) => entries
            .iter()
            .filter_map(|e| e.account.as_ref().err().cloned())
            .chain(entries.iter().map(|e| e.label.clone()))
            .collect(),
    }
}

fn assert_no_secret(result: &Result<Vec<Entry>>, secret: &str) {
    for m in messages(result) {
        assert!(
            !m.to_ascii_uppercase().contains(secret),
            "a message repeats the seed: {m}"
        );
    }
}

/// `data` with bytes replaced at `edits` (index modulo the length) and cut at `cut`.
fn mutate(data: &[u8], edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut out = data.to_vec();
    if !out.is_empty() {
        for &(i, b) in edits {
            let n = out.len();
            out[i % n] = b;
        }
    }
    if let Some(c) = cut {
        out.truncate(c % (data.len() + 1));
    }
    out
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>()), 0..6)
}

fn aegis_plain_with(secret: &str) -> Vec<u8> {
    json!({"version": 1, "header": {"slots": null, "params": null}, "db": {
        "version": 3,
        "entries": [{"type": "totp", "name": "alice", "issuer": "GitHub", "note": "",
                     "groups": [], "info": {"secret": secret, "algo": "SHA1", "digits": 6,
                     "period": 30}}],
        "groups": []}})
    .to_string()
    .into_bytes()
}

fn twofas_services_with(secret: &str) -> serde_json::Value {
    json!([{"name": "GitHub", "secret": secret, "otp": {"account": "alice",
            "digits": 6, "period": 30, "algorithm": "SHA1", "tokenType": "TOTP"}}])
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any text after `otpauth://`, with a seed somewhere in its query.
    #[test]
    fn otpauth_uri_never_panics_nor_leaks(
        kind in "(totp|hotp|steam|TOTP|x|)",
        label in "[^?#]{0,40}",
        secret in seed(),
        junk in "[A-Za-z0-9=&%:/#?.+ -]{0,60}",
        extra in any::<String>(),
    ) {
        let uri = format!("otpauth://{kind}/{label}?{junk}&secret={secret}&{extra}");
        let result = uri::parse(&uri);
        if let Err(e) = &result {
            prop_assert!(!e.to_string().contains(&secret), "{e}");
        }
        let list = parse(Format::Otpauth, uri.as_bytes(), None);
        assert_no_secret(&list, &secret);
    }

    /// Arbitrary strings as otpauth lists and as Ente's plain export.
    #[test]
    fn otpauth_list_of_any_text_never_panics(text in any::<String>()) {
        let _ = parse(Format::Otpauth, text.as_bytes(), None);
        let _ = parse(Format::Ente, text.as_bytes(), None);
        let _ = detect(text.as_bytes());
    }

    /// Random protobuf bytes as a migration payload, and a valid payload with edits.
    #[test]
    fn google_payload_never_panics_nor_leaks(
        random in prop::collection::vec(any::<u8>(), 0..64),
        secret in prop::collection::vec(any::<u8>(), 10..40),
        batch in (any::<i32>(), any::<i32>(), any::<i32>()),
        edits in edits(),
        cut in prop::option::of(any::<usize>()),
    ) {
        let b64 = base64::engine::general_purpose::STANDARD;
        let uri = format!("otpauth-migration://offline?data={}", b64.encode(&random));
        let _ = parse(Format::GoogleMigration, uri.as_bytes(), None);

        let payload = google::MigrationPayload {
            otp_parameters: vec![google_account(&secret, "a:b", "GitHub", 1, 1, 2, 0)],
            version: 1,
            batch_size: batch.0,
            batch_index: batch.1,
            batch_id: batch.2,
        };
        let bytes = mutate(&payload.encode_to_vec(), &edits, cut);
        let uri = format!("otpauth-migration://offline?data={}", b64.encode(&bytes));
        let result = parse(Format::GoogleMigration, uri.as_bytes(), None);
        assert_no_secret(&result, &data_encoding::BASE32_NOPAD.encode(&secret));
    }

    /// A plain Aegis export with edits and cuts.
    #[test]
    fn aegis_plain_never_panics_nor_leaks(
        secret in seed(),
        edits in edits(),
        cut in prop::option::of(any::<usize>()),
    ) {
        let data = mutate(&aegis_plain_with(&secret), &edits, cut);
        let result = parse(Format::Aegis, &data, None);
        assert_no_secret(&result, &secret);
        let _ = is_encrypted(Format::Aegis, &data);
    }

    /// An encrypted Aegis header with any scrypt numbers: checked, never run (no password).
    #[test]
    fn aegis_encrypted_header_never_panics(
        n in any::<u64>(),
        r in any::<u32>(),
        p in any::<u32>(),
        slots in 0usize..8,
        salt in "[0-9a-fA-FxZ]{0,80}",
    ) {
        let slot = json!({"type": 1, "key": "00", "key_params": {"nonce": "00", "tag": "00"},
                          "n": n, "r": r, "p": p, "salt": salt});
        let file = json!({"version": 1, "header": {"slots": vec![slot; slots],
                          "params": {"nonce": "00", "tag": "00"}}, "db": "AAAA"});
        let result = parse(Format::Aegis, file.to_string().as_bytes(), None);
        prop_assert!(result.is_err());
    }

    /// A plain 2FAS backup with edits and cuts.
    #[test]
    fn twofas_plain_never_panics_nor_leaks(
        secret in seed(),
        edits in edits(),
        cut in prop::option::of(any::<usize>()),
    ) {
        let file = json!({"schemaVersion": 4, "services": twofas_services_with(&secret),
                          "groups": []});
        let data = mutate(file.to_string().as_bytes(), &edits, cut);
        let result = parse(Format::TwoFas, &data, None);
        assert_no_secret(&result, &secret);
        let _ = is_encrypted(Format::TwoFas, &data);
    }

    /// Any `servicesEncrypted` text, opened with a password.
    #[test]
    fn twofas_sealed_text_never_panics(sealed in "[A-Za-z0-9+/=:]{0,120}") {
        let file = json!({"schemaVersion": 4, "servicesEncrypted": sealed});
        let result = parse(
            Format::TwoFas,
            file.to_string().as_bytes(),
            Some(&SecretString::from("pw".to_owned())),
        );
        prop_assert!(result.is_err());
    }

    /// Ente's encrypted export with any numbers and texts: checked before any key derivation
    /// (no password), so arbitrary costs cost nothing.
    #[test]
    fn ente_encrypted_header_never_panics(
        mem in any::<u64>(),
        ops in any::<u64>(),
        version in prop::option::of(any::<u64>()),
        salt in "[A-Za-z0-9+/=]{0,40}",
        data in "[A-Za-z0-9+/=]{0,80}",
    ) {
        let file = json!({"version": version, "kdfParams": {"memLimit": mem, "opsLimit": ops,
                          "salt": salt}, "encryptedData": data, "encryptionNonce": data});
        let result = parse(Format::Ente, file.to_string().as_bytes(), None);
        prop_assert!(result.is_err());
        let _ = ente::argon2_params(mem, ops);
    }

    /// Small random greyscale images, and a real QR code PNG with edits and cuts.
    #[test]
    fn qr_images_never_panic(
        w in 1u32..48,
        h in 1u32..48,
        pixels in prop::collection::vec(any::<u8>(), 48 * 48),
        edits in edits(),
        cut in prop::option::of(any::<usize>()),
    ) {
        let img = image::GrayImage::from_fn(w, h, |x, y| {
            image::Luma([pixels[(y * 48 + x) as usize]])
        });
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, image::ImageFormat::Png).expect("png");
        prop_assert!(parse(Format::Qr, png.get_ref(), None).is_err());

        let code = qr::png("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP").expect("qr");
        let data = mutate(&code, &edits, cut);
        let result = parse(Format::Qr, &data, None);
        assert_no_secret(&result, "JBSWY3DPEHPK3PXP");
    }
}

proptest! {
    // Each case runs a (cheap, N = 2^10) scrypt or 10,000 PBKDF2 rounds.
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Encrypted Aegis and 2FAS files with edits and cuts, opened with the right password.
    #[test]
    fn encrypted_exports_with_edits_never_panic(
        edits in edits(),
        cut in prop::option::of(any::<usize>()),
    ) {
        let password = SecretString::from(PASSWORD.to_owned());
        let aegis = aegis_encrypted(
            &json!({"version": 3, "entries": [], "groups": []}),
            PASSWORD,
            10,
        );
        let data = mutate(aegis.as_bytes(), &edits, cut);
        let _ = parse(Format::Aegis, &data, Some(&password));
        let twofas = twofas_encrypted(&twofas_services_with("JBSWY3DPEHPK3PXP"), &json!([]),
                                      PASSWORD);
        let data = mutate(twofas.as_bytes(), &edits, cut);
        let result = parse(Format::TwoFas, &data, Some(&password));
        assert_no_secret(&result, "JBSWY3DPEHPK3PXP");
    }
}
