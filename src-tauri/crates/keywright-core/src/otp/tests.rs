use super::*;
use crate::credential::{OtpAlgorithm, OtpParams, OtpType};

fn totp(alg: OtpAlgorithm, digits: u8, period: u32) -> OtpParams {
    OtpParams {
        otp_type: OtpType::Totp,
        algorithm: alg,
        digits,
        period,
    }
}

/// RFC 4226 Appendix D: HOTP values for counters 0-9 with the ASCII seed "12345678901234567890".
#[test]
fn rfc4226_appendix_d() {
    let seed = b"12345678901234567890";
    let want = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    let p = OtpParams {
        otp_type: OtpType::Hotp,
        ..OtpParams::default()
    };
    for (counter, code) in want.iter().enumerate() {
        assert_eq!(
            hotp(&p, seed, counter as u64).expect("hotp"),
            *code,
            "counter {counter}"
        );
    }
}

/// RFC 6238 Appendix B: all 18 vectors (8 digits, 30 s), one seed per hash.
#[test]
fn rfc6238_appendix_b() {
    let sha1 = b"12345678901234567890".as_slice();
    let sha256 = b"12345678901234567890123456789012".as_slice();
    let sha512 = b"1234567890123456789012345678901234567890123456789012345678901234".as_slice();
    let table: [(i64, [&str; 3]); 6] = [
        (59, ["94287082", "46119246", "90693936"]),
        (1_111_111_109, ["07081804", "68084774", "25091201"]),
        (1_111_111_111, ["14050471", "67062674", "99943326"]),
        (1_234_567_890, ["89005924", "91819424", "93441116"]),
        (2_000_000_000, ["69279037", "90698825", "38618901"]),
        (20_000_000_000, ["65353130", "77737706", "47863826"]),
    ];
    for (t, codes) in table {
        for ((alg, seed), want) in [
            (OtpAlgorithm::Sha1, sha1),
            (OtpAlgorithm::Sha256, sha256),
            (OtpAlgorithm::Sha512, sha512),
        ]
        .into_iter()
        .zip(codes)
        {
            let got = totp_at(&totp(alg, 8, 30), seed, t).expect("totp");
            assert_eq!(got, want, "{alg:?} at {t}");
        }
    }
}

#[test]
fn eighty_bit_secrets_work() {
    // The common 16-character seed that totp-rs's checked constructors refuse.
    let acc = OtpAccount::from_base32("jbsw y3dp ehpk 3pxp", OtpParams::default()).expect("80-bit");
    assert_eq!(acc.secret.as_str(), "JBSWY3DPEHPK3PXP");
    let seed = acc.secret_bytes().expect("decode");
    assert_eq!(seed.len(), 10);
    let code = totp_at(&acc.params, &seed, 1_700_000_000).expect("code");
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
}

#[test]
fn timed_code_window_and_next() {
    let seed = b"12345678901234567890";
    let p = totp(OtpAlgorithm::Sha1, 8, 30);
    let t = timed_code(&p, seed, 1_111_111_109).expect("timed");
    assert_eq!(t.code.as_str(), "07081804");
    assert_eq!(t.valid_from, 1_111_111_080);
    assert_eq!(t.valid_until, 1_111_111_110);
    assert_eq!(t.remaining_s(1_111_111_109), 1);
    // The next code is the one of the next period (the RFC's 1111111111 vector).
    assert_eq!(t.next_code.as_str(), "14050471");
    assert!(
        !format!("{t:?}").contains("07081804"),
        "Debug must not show codes"
    );
}

#[test]
fn other_periods_and_digits() {
    let seed = b"12345678901234567890";
    // 60-second period: the code at t equals the 30-second code at t/2*... checked by the
    // step arithmetic: t=119 and t=60 share a 60 s step, t=120 does not.
    let p = totp(OtpAlgorithm::Sha1, 7, 60);
    let a = totp_at(&p, seed, 60).expect("a");
    assert_eq!(a, totp_at(&p, seed, 119).expect("b"));
    assert_ne!(a, totp_at(&p, seed, 120).expect("c"));
    assert_eq!(a.len(), 7);
    // 6 digits are the low 6 digits of the 8-digit value (same truncation).
    let six = totp_at(&totp(OtpAlgorithm::Sha1, 6, 30), seed, 59).expect("6");
    assert_eq!(six, "287082");
}

#[test]
fn steam_codes_use_the_steam_alphabet() {
    let p = OtpParams {
        otp_type: OtpType::Steam,
        algorithm: OtpAlgorithm::Sha1,
        digits: STEAM_DIGITS,
        period: 30,
    };
    let code = totp_at(&p, b"12345678901234567890", 59).expect("steam");
    assert_eq!(code.len(), 5);
    assert!(
        code.chars()
            .all(|c| "23456789BCDFGHJKMNPQRTVWXY".contains(c)),
        "{code}"
    );
}

#[test]
fn bad_parameters_are_refused() {
    let seed = b"12345678901234567890";
    let e = totp_at(&totp(OtpAlgorithm::Sha1, 9, 30), seed, 0).expect_err("9 digits");
    assert!(e.to_string().contains("digits"), "{e}");
    let e = totp_at(&totp(OtpAlgorithm::Sha1, 6, 0), seed, 0).expect_err("period 0");
    assert!(e.to_string().contains("period"), "{e}");
    let hotp_params = OtpParams {
        otp_type: OtpType::Hotp,
        ..OtpParams::default()
    };
    assert!(totp_at(&hotp_params, seed, 0).is_err());
}

#[test]
fn suggested_names() {
    let mut a = OtpAccount::from_base32("JBSWY3DPEHPK3PXP", OtpParams::default()).expect("ok");
    assert_eq!(a.suggested_name(), "2FA code");
    a.issuer = Some("GitHub".into());
    assert_eq!(a.suggested_name(), "GitHub");
    a.account = Some("alice@example.com".into());
    assert_eq!(a.suggested_name(), "GitHub (alice@example.com)");
    a.issuer = None;
    assert_eq!(a.suggested_name(), "alice@example.com");
    assert!(!format!("{a:?}").contains("JBSWY3DP"));
}

mod uris {
    use super::*;
    use crate::otp::uri::{parse, to_uri};

    #[test]
    fn parses_the_key_uri_format() {
        let a = parse(
            "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60",
        )
        .expect("uri");
        assert_eq!(a.issuer.as_deref(), Some("ACME Co"));
        assert_eq!(a.account.as_deref(), Some("john.doe@email.com"));
        assert_eq!(a.params.algorithm, OtpAlgorithm::Sha256);
        assert_eq!(a.params.digits, 8);
        assert_eq!(a.params.period, 60);
        assert_eq!(a.params.otp_type, OtpType::Totp);
        assert_eq!(a.secret.as_str(), "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ");
    }

    #[test]
    fn defaults_label_forms_and_hotp() {
        let a = parse("otpauth://totp/alice@google.com?secret=jbswy3dpehpk3pxp").expect("min");
        assert_eq!(a.issuer, None);
        assert_eq!(a.account.as_deref(), Some("alice@google.com"));
        assert_eq!(a.params, OtpParams::default());
        assert_eq!(a.secret.as_str(), "JBSWY3DPEHPK3PXP");
        // Issuer parameter wins over the label prefix; a space after the colon is allowed.
        let b = parse("otpauth://totp/Old:%20bob?secret=JBSWY3DPEHPK3PXP&issuer=New").expect("b");
        assert_eq!(b.issuer.as_deref(), Some("New"));
        assert_eq!(b.account.as_deref(), Some("bob"));
        let h = parse("otpauth://HOTP/Ex:carol?secret=JBSWY3DPEHPK3PXP&counter=42").expect("hotp");
        assert_eq!(h.params.otp_type, OtpType::Hotp);
        assert_eq!(h.counter, 42);
        let s =
            parse("otpauth://totp/Steam:dave?secret=JBSWY3DPEHPK3PXP&encoder=steam").expect("s");
        assert_eq!(s.params.otp_type, OtpType::Steam);
        assert_eq!(s.params.digits, STEAM_DIGITS);
    }

    #[test]
    fn errors_say_what_is_wrong_without_the_secret() {
        let cases = [
            ("https://example.com", "does not start with otpauth://"),
            ("otpauth-migration://offline?data=abc", "google-migration"),
            ("otpauth://motp/x?secret=JBSWY3DPEHPK3PXP", "unknown type"),
            ("otpauth://totp/x?issuer=a", "no secret"),
            ("otpauth://totp/x?secret=JBSWY3DPEHPK3PX1", "'1'"),
            ("otpauth://totp/x?secret=JBSWY3DP", "80 bits"),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
                "MD5",
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=10",
                "digits",
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=six",
                "digits",
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=0",
                "period",
            ),
            (
                "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=-1",
                "counter",
            ),
        ];
        for (uri, want) in cases {
            let e = parse(uri).expect_err(uri).to_string();
            assert!(e.contains(want), "{uri}: {e}");
            assert!(
                !e.contains("JBSWY3DP"),
                "{uri}: the message repeats the secret: {e}"
            );
        }
    }

    #[test]
    fn emitted_uris_parse_back() {
        let mut a = parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP").expect("a");
        a.issuer = Some("Big Co: EU".into());
        a.account = Some("ann+2fa@example.com".into());
        a.params.algorithm = OtpAlgorithm::Sha512;
        a.params.digits = 7;
        a.params.period = 45;
        let uri = to_uri(&a);
        assert!(
            uri.starts_with("otpauth://totp/Big%20Co%3A%20EU:ann%2B2fa@example.com?"),
            "{}",
            uri.as_str()
        );
        let back = parse(&uri).expect("back");
        assert_eq!(back, a);
        let mut h = a.clone();
        h.params.otp_type = OtpType::Hotp;
        h.counter = 7;
        let back = parse(&to_uri(&h)).expect("hotp back");
        assert_eq!(back.counter, 7);
        assert_eq!(back.params.otp_type, OtpType::Hotp);
    }
}

/// Issue 13 item 8: times outside 1970..=9999-12-31 are an error naming the time, never an
/// overflow (i64::MAX used to panic in a debug build when the period end was computed).
#[test]
fn code_times_are_bounded() {
    let seed = b"12345678901234567890";
    let p = totp(OtpAlgorithm::Sha1, 6, 30);
    for t in [i64::MAX, crate::timefmt::MAX_TIMESTAMP + 1] {
        let e = timed_code(&p, seed, t).expect_err("too late");
        assert!(e.to_string().contains("after 9999-12-31"), "{e}");
        assert!(totp_at(&p, seed, t).is_err());
    }
    for t in [i64::MIN, -1] {
        let e = timed_code(&p, seed, t).expect_err("too early");
        assert!(e.to_string().contains("before 1970-01-01"), "{e}");
    }
    // The last second still has a code, and its period ends after it.
    let last = crate::timefmt::MAX_TIMESTAMP;
    for period in [1, 30, 86_400] {
        let c = timed_code(&totp(OtpAlgorithm::Sha1, 6, period), seed, last).expect("last");
        assert!(c.valid_from <= last && c.valid_until > last);
        assert_eq!(c.remaining_s(last), c.valid_until - last);
        assert_eq!(
            c.remaining_s(i64::MIN),
            c.valid_until.saturating_sub(i64::MIN)
        );
    }
    let c = timed_code(&p, seed, 59).expect("rfc time");
    assert_eq!((c.valid_from, c.valid_until), (30, 60));
}
