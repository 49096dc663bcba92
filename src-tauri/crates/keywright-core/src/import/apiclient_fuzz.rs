//! Bounded property runs of the API-client parsers over damaged and arbitrary input: each
//! returns (records or a typed error, never a panic), and no message (a record's label or
//! reason, or the whole-file error) repeats a secret of the file.

use crate::import::fuzzkit::{assert_no_secret, mutate};
use proptest::prelude::*;

use super::{Format, Options, Source, parse};

fn postman(secret: &str) -> String {
    serde_json::json!({
        "info": {"name": "Fuzz", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": secret}]},
        "variable": [{"key": "base", "value": "https://x.test"}],
        "item": [{"name": "F", "auth": {"type": "apikey", "apikey": [
            {"key": "key", "value": "X-Key"}, {"key": "value", "value": format!("{{{{v}}}}{secret}")}]},
            "item": [{"name": "R", "request": {"method": "POST", "url": "{{base}}/r",
                "header": [{"key": "A", "value": "b"}],
                "body": {"mode": "raw", "raw": "{\"a\": 1}", "options": {"raw": {"language": "json"}}}}}]}]
    })
    .to_string()
}

fn insomnia(secret: &str) -> String {
    serde_json::json!({"_type": "export", "__export_format": 4, "resources": [
        {"_id": "w", "_type": "workspace", "name": "W"},
        {"_id": "e", "_type": "environment", "parentId": "w", "name": "Base", "data": {"t": secret}, "isPrivate": true},
        {"_id": "r", "_type": "request", "parentId": "w", "name": "R", "method": "GET", "url": "{{ _.u }}/x",
         "authentication": {"type": "bearer", "token": "{{ _.t }}"}}
    ]})
    .to_string()
}

fn bru(secret: &str) -> String {
    format!(
        "meta {{\n  name: R\n}}\n\nget {{\n  url: https://x.test/{{{{v}}}}\n  auth: basic\n}}\n\n\
         auth:basic {{\n  username: u\n  password: {secret}\n}}\n\nheaders {{\n  A: b\n}}\n\n\
         body:json {{\n  {{\"a\": 1}}\n}}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn damaged_exports_never_panic_nor_leak(
        secret in "sk_live_[A-Za-z0-9]{24}",
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in prop::option::of(any::<usize>()),
    ) {
        for (format, text) in [
            (Format::Postman, postman(&secret)),
            (Format::Insomnia, insomnia(&secret)),
            (Format::Bruno, bru(&secret)),
        ] {
            let data = mutate(text.as_bytes(), &edits, cut);
            let result = parse(format, Source::Bytes(&data), &Options::default());
            assert_no_secret(&result, &secret);
        }
    }

    #[test]
    fn any_text_as_a_bru_file_never_panics(text in "\\PC{0,400}") {
        let _ = super::bruno::blocks(&text);
        let _ = parse(Format::Bruno, Source::Bytes(text.as_bytes()), &Options::default());
    }

    #[test]
    fn any_template_resolves_or_says_why(text in "[{}%_. a-z$]{0,80}") {
        let mut s = super::apiauth::Scope::new("c");
        s.vars.insert("a".into(), zeroize::Zeroizing::new("{{b}}".into()));
        s.vars.insert("b".into(), zeroize::Zeroizing::new("x".into()));
        for dialect in [
            super::apiauth::Dialect::Postman,
            super::apiauth::Dialect::Bruno,
            super::apiauth::Dialect::Insomnia,
        ] {
            let v = super::apiauth::Vars { dialect, scopes: vec![&s] };
            let _ = v.resolve("x", &text, &mut Vec::new());
        }
    }
}
