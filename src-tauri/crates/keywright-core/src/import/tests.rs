//! The credential import formats and the plan made of them.

use super::dotenv::{self, bindings};
use super::{Candidate, Format, Options, Record, Source, parse};
use crate::credential::Kind;

fn values(text: &str) -> Vec<(String, String)> {
    bindings(text)
        .into_iter()
        .map(|b| {
            (
                b.key,
                b.value
                    .map(|v| v.to_string())
                    .unwrap_or_else(|e| format!("ERR {e}")),
            )
        })
        .collect()
}

#[test]
fn dotenv_syntax_as_python_dotenv_reads_it() {
    let text = "# a comment\n\
        export A=1\n\
        B = spaced value   # trailing comment\n\
        C='single # not a comment \\n kept'\n\
        D=\"double\\nline\\t\\\"q\\\"\"\n\
        E=\"multi\nline\nvalue\"\n\
        F=${HOME}/x\n\
        G=a#b\n\
        H=\n\
        I='it\\'s'\n\
        J=`back tick`\n";
    let got = values(text);
    let want = [
        ("A", "1"),
        ("B", "spaced value"),
        ("C", "single # not a comment \\n kept"),
        ("D", "double\nline\t\"q\""),
        ("E", "multi\nline\nvalue"),
        ("F", "${HOME}/x"),
        ("G", "a#b"),
        ("H", ""),
        ("I", "it's"),
        ("J", "back tick"),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    );
    // Lines are those the variable starts on.
    let lines: Vec<usize> = bindings(text).iter().map(|b| b.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6, 9, 10, 11, 12, 13]);
}

#[test]
fn dotenv_problems_name_the_line_and_the_rest_still_reads() {
    let text = "GOOD=1\nNOVALUE\nX=\"never closed\nY=2\n";
    let b = bindings(text);
    assert_eq!(b[0].key, "GOOD");
    assert_eq!(b[1].key, "NOVALUE");
    assert!(
        b[1].value
            .as_ref()
            .expect_err("an error")
            .contains("no value")
    );
    assert_eq!(b[2].key, "X");
    let e = b[2].value.as_ref().expect_err("an error");
    assert!(e.contains("never closed") && e.contains("line 3"), "{e}");
}

#[test]
fn dotenv_items_jwt_recognised_keys_and_settings() {
    let jwt =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlc2lnbmF0dXJl";
    let stripe = format!("sk_live_{}", "a1B2".repeat(6));
    let text = format!(
        "SESSION_JWT={jwt}\nSTRIPE={stripe}\nPORT=3000\nDEBUG=true\nAPI_URL=https://api.example.com/v1\n\
         DATABASE_URL=postgres://u:p4ss@db.example.com/app\nNODE_ENV=production\nMY_SECRET=hunter2\n"
    );
    let opts = Options {
        project: Some("shop".into()),
        ..Options::default()
    };
    let recs = parse(Format::Dotenv, Source::Bytes(text.as_bytes()), &opts).expect("ok");
    let by = |k: &str| {
        recs.iter()
            .find(|r| r.label.starts_with(&format!("{k} ")))
            .and_then(|r| r.candidate.as_ref().ok())
            .unwrap_or_else(|| panic!("{k}"))
    };
    assert_eq!(by("SESSION_JWT").item.kind, Kind::Bearer);
    assert_eq!(by("STRIPE").item.kind, Kind::ApiKey);
    assert!(by("STRIPE").selected);
    assert!(by("STRIPE").hint.as_deref().expect("ok").contains("Stripe"));
    for setting in ["PORT", "DEBUG", "API_URL", "NODE_ENV"] {
        assert!(!by(setting).selected, "{setting} is offered unticked");
    }
    for secret in ["DATABASE_URL", "MY_SECRET", "SESSION_JWT"] {
        assert!(by(secret).selected, "{secret} is offered ticked");
    }
    assert!(recs.iter().all(|r| {
        r.candidate
            .as_ref()
            .expect("ok")
            .item
            .tags
            .contains(&"shop".to_string())
    }));
    // The JWT's exp becomes the item's token expiry.
    let (ov, _) = by("SESSION_JWT").item.clone().into_parts(0).expect("ok");
    assert_eq!(ov.token_expires_at, Some(4_102_444_800));
}

#[test]
fn dotenv_without_bindings_is_not_a_dotenv_file() {
    let e = parse(
        Format::Dotenv,
        Source::Bytes(b"# only a comment\n\n"),
        &Options::default(),
    )
    .expect_err("an error");
    assert!(e.to_string().contains("no KEY=value"), "{e}");
    let e = parse(
        Format::Dotenv,
        Source::Bytes(&[0xff, 0xfe, 0x00]),
        &Options::default(),
    )
    .expect_err("an error");
    assert!(e.to_string().contains("UTF-8"), "{e}");
}

#[test]
fn every_format_has_a_name_that_parses_back() {
    for f in Format::all() {
        assert_eq!(Format::parse_name(f.name()).expect("ok"), f);
    }
    assert!(Format::parse_name("lastpass").is_err());
    let _ = dotenv::bindings("");
}

/// The candidate of the first record whose label starts with `label_start` (the format
/// tests' helper).
pub(crate) fn ok<'a>(recs: &'a [Record], label_start: &str) -> &'a Candidate {
    recs.iter()
        .find(|r| r.label.starts_with(label_start))
        .and_then(|r| r.candidate.as_ref().ok())
        .unwrap_or_else(|| {
            panic!(
                "{label_start}: {:?}",
                recs.iter()
                    .map(|r| (&r.label, r.candidate.as_ref().err()))
                    .collect::<Vec<_>>()
            )
        })
}

/// Why the first record whose label starts with `label_start` is invalid.
pub(crate) fn bad<'a>(recs: &'a [Record], label_start: &str) -> &'a str {
    recs.iter()
        .find(|r| r.label.starts_with(label_start))
        .and_then(|r| r.candidate.as_ref().err())
        .unwrap_or_else(|| panic!("{label_start} is not invalid"))
}
