//! Bounded property runs of the password-manager readers (Bitwarden plain and
//! password-protected, 1Password `.1pux` and its `export.data`): mutated and cut files give
//! records or a typed error, never a panic, and no message repeats a secret fed in. Case
//! counts are small so the set runs in seconds.

use crate::import::fuzzkit::{assert_no_secret, edits, mutate, secret};
use proptest::prelude::*;
use secrecy::SecretString;
use serde_json::json;

use super::pm_fixtures::{self as fx, bw_item, bw_login, onepux, op_export, op_field, op_item};
use super::{Format, Options, Record, Source, parse};
use crate::error::Result;

fn bitwarden_with(secret: &str) -> String {
    json!({"encrypted": false, "folders": [], "items": [
        bw_item(1, "GitHub", None, json!({
            "fields": [{"name": "token", "value": secret, "type": 1, "linkedId": null}],
            "login": bw_login(Some("octocat"), Some(secret), Some(secret), &["https://github.com"]),
        })),
        bw_item(2, "Note", None, json!({"notes": secret})),
    ]})
    .to_string()
}

fn onepassword_with(secret: &str) -> Vec<u8> {
    op_export(&[(
        "Private",
        vec![
            op_item(
                "112",
                "API",
                json!({"sections": [{"title": "", "fields": [
                    op_field("credential", "credential", json!({"concealed": secret})),
                    op_field("one-time password", "TOTP_x", json!({"totp": secret})),
                ]}]}),
                json!({"url": "https://api.example.com"}),
            ),
            op_item("005", "Pw", json!({"password": secret}), json!({})),
        ],
    )])
}

fn run(format: Format, data: &[u8], password: Option<&str>) -> Result<Vec<Record>> {
    let opts = Options {
        password: password.map(|p| SecretString::from(p.to_owned())),
        ..Options::default()
    };
    parse(format, Source::Bytes(data), &opts)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn bitwarden_plain_never_panics(s in secret(), e in edits(), cut in proptest::option::of(any::<usize>())) {
        let data = mutate(bitwarden_with(&s).as_bytes(), &e, cut);
        let result = run(Format::Bitwarden, &data, None);
        assert_no_secret(&result, &s);
    }

    #[test]
    fn bitwarden_protected_never_panics(s in secret(), e in edits(), cut in proptest::option::of(any::<usize>())) {
        let file = fx::bitwarden_protected(&bitwarden_with(&s), fx::PASSWORD, fx::Kdf::Pbkdf2(5_000));
        let data = mutate(file.as_bytes(), &e, cut);
        let result = run(Format::Bitwarden, &data, Some(fx::PASSWORD));
        assert_no_secret(&result, &s);
    }

    #[test]
    fn onepassword_never_panics(s in secret(), e in edits(), cut in proptest::option::of(any::<usize>()), zipped in any::<bool>()) {
        let data = onepassword_with(&s);
        let data = if zipped { onepux(&data) } else { data };
        let data = mutate(&data, &e, cut);
        let result = run(Format::OnePassword, &data, None);
        assert_no_secret(&result, &s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = run(Format::Bitwarden, &data, Some("x"));
        let _ = run(Format::OnePassword, &data, None);
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&data);
        let _ = run(Format::OnePassword, &zip, None);
    }
}
