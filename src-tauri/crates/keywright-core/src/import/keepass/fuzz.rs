//! Bounded property runs of the KeePass and CSV readers: mutated and cut `.kdbx` files
//! (made by keepassxc-cli; every mutation costs an AES-KDF, so few cases), KeePass XML and
//! CSV with any values give records or a typed error, never a panic, and no message repeats
//! a secret fed in.

use crate::import::fuzzkit::{assert_no_secret, edits, mutate, secret};
use proptest::prelude::*;
use secrecy::SecretString;

use crate::import::{Format, Options, Source, parse};

fn xml_with(secret: &str, title: &str) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    format!(
        "<KeePassFile><Meta/><Root><Group><Name>Root</Name><Entry>\
         <String><Key>Title</Key><Value>{}</Value></String>\
         <String><Key>UserName</Key><Value>u</Value></String>\
         <String><Key>Password</Key><Value>{secret}</Value></String>\
         <String><Key>otp</Key><Value>otpauth://totp/x?secret={secret}0189</Value></String>\
         <String><Key>TOTP Seed</Key><Value>{secret}!</Value></String>\
         <String><Key>Key</Key><Value ProtectInMemory=\"True\">{secret}</Value></String>\
         </Entry></Group></Root></KeePassFile>",
        esc(title)
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn mutated_kdbx_never_panics_nor_leaks(edits in edits(), cut in prop::option::of(any::<usize>())) {
        let data = mutate(include_bytes!("../testdata/keepass/kdbx4.kdbx"), &edits, cut);
        let opts = Options {
            password: Some(SecretString::from("keywright-test".to_owned())),
            ..Options::default()
        };
        let r = parse(Format::Kdbx, Source::Bytes(&data), &opts);
        // The fixture's secrets never appear in a message.
        assert_no_secret(&r, "sk_live_51Hx0TestKeyForKeywrightImport00");
        assert_no_secret(&r, "correct & horse");
    }

    #[test]
    fn mutated_keepass_xml_never_panics_nor_leaks(
        secret in secret(),
        title in any::<String>(),
        edits in edits(),
        cut in prop::option::of(any::<usize>()),
    ) {
        let text = xml_with(&secret, &title);
        let data = mutate(text.as_bytes(), &edits, cut);
        let r = parse(Format::KeepassXml, Source::Bytes(&data), &Options::default());
        assert_no_secret(&r, &secret);
    }

    #[test]
    fn csv_with_any_values_never_panics_nor_leaks(
        secret in secret(),
        cells in prop::collection::vec(any::<String>(), 0..12),
        edits in edits(),
        cut in prop::option::of(any::<usize>()),
    ) {
        let mut text = String::from("Title,Password,User,URL,Kind,Expires,TOTP,Header,Query,Group\n");
        text.push_str(&format!("a,{secret},,,,,{secret}x,,,\n"));
        let row: Vec<String> = cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        text.push_str(&row.join(","));
        text.push('\n');
        let data = mutate(text.as_bytes(), &edits, cut);
        let opts = Options {
            map: Some("name=Title,secret=Password,username=User,url=URL,kind=Kind,\
                       expires=Expires,totp=TOTP,header=Header,query=Query,tags=Group".into()),
            ..Options::default()
        };
        let r = parse(Format::Csv, Source::Bytes(&data), &opts);
        assert_no_secret(&r, &secret);
        let r = parse(Format::KeepassCsv, Source::Bytes(&data), &Options::default());
        assert_no_secret(&r, &secret);
    }
}
