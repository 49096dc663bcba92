use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use super::*;

/// RFC 7515 Appendix A.1 (also RFC 7519 §3.1): HS256, with the header's CRLFs kept.
const RFC7515_A1: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\
    eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
    dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// Its key, the JWK `k` value (base64url).
const RFC7515_A1_K: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const RFC_NOW: i64 = 1_300_819_000;

fn rfc_key() -> VerifyKey {
    VerifyKey::Secret(Zeroizing::new(
        URL_SAFE_NO_PAD.decode(RFC7515_A1_K).expect("base64url"),
    ))
}

const RSA: &str = include_str!("testdata/rsa.pem");
const RSA_PUB: &str = include_str!("testdata/rsa.pub.pem");
const RSA2_PUB: &str = include_str!("testdata/rsa2.pub.pem");
const P256: &str = include_str!("testdata/p256.pem");
const P256_PUB: &str = include_str!("testdata/p256.pub.pem");
const P384: &str = include_str!("testdata/p384.pem");
const P384_PUB: &str = include_str!("testdata/p384.pub.pem");
const ED: &str = include_str!("testdata/ed25519.pem");
const ED_PUB: &str = include_str!("testdata/ed25519.pub.pem");

fn sign(alg: Algorithm, claims: &Value, kid: Option<&str>) -> String {
    let key = match alg.family() {
        AlgorithmFamily::Hmac => EncodingKey::from_secret(b"a shared secret of 32 bytes....."),
        AlgorithmFamily::Rsa => EncodingKey::from_rsa_pem(RSA.as_bytes()).expect("rsa"),
        AlgorithmFamily::Ec if alg == Algorithm::ES384 => {
            EncodingKey::from_ec_pem(P384.as_bytes()).expect("p384")
        }
        AlgorithmFamily::Ec => EncodingKey::from_ec_pem(P256.as_bytes()).expect("p256"),
        AlgorithmFamily::Ed => EncodingKey::from_ed_pem(ED.as_bytes()).expect("ed"),
    };
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_owned);
    encode(&h, claims, &key).expect("encode")
}

fn public_for(alg: Algorithm) -> VerifyKey {
    let pem = match alg.family() {
        AlgorithmFamily::Hmac => {
            return VerifyKey::Secret(Zeroizing::new(b"a shared secret of 32 bytes.....".to_vec()));
        }
        AlgorithmFamily::Rsa => RSA_PUB,
        AlgorithmFamily::Ec if alg == Algorithm::ES384 => P384_PUB,
        AlgorithmFamily::Ec => P256_PUB,
        AlgorithmFamily::Ed => ED_PUB,
    };
    VerifyKey::Public(pem.as_bytes().to_vec())
}

const ALL: [Algorithm; 12] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

#[test]
fn rfc7515_a1_decodes_and_verifies() {
    let ins = inspect(RFC7515_A1).expect("the RFC example decodes");
    assert_eq!(ins.alg, Algorithm::HS256);
    assert_eq!(ins.header["typ"], "JWT");
    assert_eq!(ins.claims["iss"], "joe");
    assert_eq!(ins.claims["http://example.com/is_root"], true);
    assert_eq!(ins.expires_at, Some(1_300_819_380));
    assert_eq!((ins.not_before, ins.issued_at), (None, None));

    let v = verify(RFC7515_A1, &ins, &rfc_key(), &Expect::default(), RFC_NOW);
    assert!(v.ok, "{v:?}");
    assert_eq!(
        v.checks
            .iter()
            .map(|c| c.check.as_str())
            .collect::<Vec<_>>(),
        ["signature", "exp"]
    );

    // The same token an hour after its exp: the signature holds, exp fails.
    let late = verify(
        RFC7515_A1,
        &ins,
        &rfc_key(),
        &Expect::default(),
        1_300_819_380 + 3600,
    );
    assert_eq!(late.failed.as_deref(), Some("exp"));
    assert!(late.checks[0].ok);
    assert!(
        late.checks[1].message.contains("1 h ago"),
        "{:?}",
        late.checks[1]
    );

    // "Bearer " in front is accepted.
    assert!(inspect(&format!("Bearer {RFC7515_A1}")).is_ok());
}

#[test]
fn one_changed_bit_breaks_the_signature() {
    let ins = inspect(RFC7515_A1).expect("decodes");
    // Flip the payload's issuer from "joe" to "jof" (same length, still valid base64url).
    let tampered = RFC7515_A1.replacen("eyJpc3MiOiJqb2Ui", "eyJpc3MiOiJqb2Yi", 1);
    let tins = inspect(&tampered).expect("still decodes");
    assert_eq!(tins.claims["iss"], "jof");
    let v = verify(&tampered, &tins, &rfc_key(), &Expect::default(), RFC_NOW);
    assert_eq!(v.failed.as_deref(), Some("signature"));
    assert!(v.checks[0].message.contains("does not match"), "{v:?}");
    // And the wrong secret on the original.
    let wrong = VerifyKey::Secret(Zeroizing::new(b"not the key".to_vec()));
    let v = verify(RFC7515_A1, &ins, &wrong, &Expect::default(), RFC_NOW);
    assert_eq!(v.failed.as_deref(), Some("signature"));
}

#[test]
fn every_algorithm_signs_and_verifies() {
    let now = 1_800_000_000;
    let claims = json!({"sub": "svc", "iss": "https://issuer.example", "aud": ["api", "other"],
                        "exp": now + 600, "nbf": now - 5, "iat": now - 5});
    for alg in ALL {
        let t = sign(alg, &claims, None);
        let ins = inspect(&t).unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        assert_eq!(ins.alg, alg);
        let expect = Expect {
            issuer: Some("https://issuer.example/".into()),
            audience: Some("api".into()),
        };
        let v = verify(&t, &ins, &public_for(alg), &expect, now);
        assert!(v.ok, "{alg:?}: {v:?}");
        assert_eq!(v.checks.len(), 5, "{alg:?}: signature exp nbf iss aud");
    }
}

#[test]
fn wrong_key_wrong_family_and_bad_pem_say_so() {
    let now = 1_800_000_000;
    let claims = json!({"exp": now + 60});
    let t = sign(Algorithm::RS256, &claims, None);
    let ins = inspect(&t).expect("decodes");
    let other = VerifyKey::Public(RSA2_PUB.as_bytes().to_vec());
    let v = verify(&t, &ins, &other, &Expect::default(), now);
    assert_eq!(v.failed.as_deref(), Some("signature"));
    assert!(v.checks[0].message.contains("does not match"), "{v:?}");

    let ec = VerifyKey::Public(P256_PUB.as_bytes().to_vec());
    let v = verify(&t, &ins, &ec, &Expect::default(), now);
    assert!(
        v.checks[0].message.contains("not an RSA public key"),
        "{v:?}"
    );

    let secret = VerifyKey::Secret(Zeroizing::new(b"s".to_vec()));
    let v = verify(&t, &ins, &secret, &Expect::default(), now);
    assert!(v.checks[0].message.contains("not a shared secret"), "{v:?}");

    let hs = sign(Algorithm::HS256, &claims, None);
    let hins = inspect(&hs).expect("decodes");
    let v = verify(
        &hs,
        &hins,
        &public_for(Algorithm::RS256),
        &Expect::default(),
        now,
    );
    assert!(
        v.checks[0].message.contains("needs the shared secret"),
        "{v:?}"
    );
}

#[test]
fn expired_not_yet_valid_wrong_audience_and_issuer() {
    let now = 1_800_000_000;
    let key = public_for(Algorithm::ES256);
    let expired = sign(Algorithm::ES256, &json!({"exp": now - 2 * 86_400}), None);
    let v = verify(
        &expired,
        &inspect(&expired).expect("d"),
        &key,
        &Expect::default(),
        now,
    );
    assert_eq!(v.failed.as_deref(), Some("exp"));
    assert!(
        v.checks[1].message.starts_with("expired 2 days ago"),
        "{v:?}"
    );

    let early = sign(
        Algorithm::ES256,
        &json!({"nbf": now + 3600, "exp": now + 7200}),
        None,
    );
    let v = verify(
        &early,
        &inspect(&early).expect("d"),
        &key,
        &Expect::default(),
        now,
    );
    assert_eq!(v.failed.as_deref(), Some("nbf"));
    assert!(v.checks[2].message.contains("not valid yet"), "{v:?}");

    let t = sign(
        Algorithm::ES256,
        &json!({"aud": "billing", "iss": "https://a.example"}),
        None,
    );
    let ins = inspect(&t).expect("d");
    let expect = Expect {
        issuer: Some("https://b.example".into()),
        audience: Some("api".into()),
    };
    let v = verify(&t, &ins, &key, &expect, now);
    assert_eq!(
        v.failed.as_deref(),
        Some("iss"),
        "the first failure is named"
    );
    let aud = v
        .checks
        .iter()
        .find(|c| c.check == "aud")
        .expect("aud checked");
    assert!(!aud.ok && aud.message.contains("billing"), "{aud:?}");
}

#[test]
fn jwks_picks_the_key_by_kid() {
    let now = 1_800_000_000;
    let t = sign(Algorithm::HS256, &json!({"exp": now + 60}), Some("k2"));
    let ins = inspect(&t).expect("d");
    let k = URL_SAFE_NO_PAD.encode(b"a shared secret of 32 bytes.....");
    let set = jwks_from_json(&format!(
        r#"{{"keys":[{{"kty":"oct","kid":"k1","k":"{RFC7515_A1_K}"}},{{"kty":"oct","kid":"k2","k":"{k}"}}]}}"#
    ))
    .expect("jwks");
    let v = verify(
        &t,
        &ins,
        &VerifyKey::Jwks(set.clone()),
        &Expect::default(),
        now,
    );
    assert!(v.ok, "{v:?}");

    let t3 = sign(Algorithm::HS256, &json!({}), Some("k3"));
    let v = verify(
        &t3,
        &inspect(&t3).expect("d"),
        &VerifyKey::Jwks(set),
        &Expect::default(),
        now,
    );
    assert!(v.checks[0].message.contains("kid \"k3\""), "{v:?}");
}

#[test]
fn malformed_tokens_name_the_segment() {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#);
    let p = URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#);
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "empty"),
        ("opaque-token-value".into(), "3 segments"),
        ("a.b".into(), "this has 2"),
        ("a.b.c.d.e".into(), "encrypted JWT (JWE"),
        (
            format!("%%%.{p}.c2ln"),
            "segment 1 (header) is not base64url",
        ),
        (
            format!("{}.{p}.c2ln", URL_SAFE_NO_PAD.encode(b"not json")),
            "segment 1 (header) is not JSON",
        ),
        (
            format!("{}.{p}.c2ln", URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT"}"#)),
            "no \"alg\"",
        ),
        (
            format!("{}.{p}.c2ln", URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#)),
            "alg \"none\"",
        ),
        (
            format!("{}.{p}.c2ln", URL_SAFE_NO_PAD.encode(br#"{"alg":"XY999"}"#)),
            "alg \"XY999\"",
        ),
        (
            format!("{h}.%%%.c2ln"),
            "segment 2 (payload) is not base64url",
        ),
        (
            format!("{h}.{}.c2ln", URL_SAFE_NO_PAD.encode(b"[1,2]")),
            "not an object",
        ),
        (
            format!("{h}.{}.c2ln", URL_SAFE_NO_PAD.encode(b"{oops")),
            "segment 2 (payload) is not JSON",
        ),
        (format!("{h}.{p}."), "segment 3 (signature) is empty"),
        (
            format!("{h}.{p}.%%%"),
            "segment 3 (signature) is not base64url",
        ),
        (
            format!(
                "{h}.{}.c2ln",
                URL_SAFE_NO_PAD.encode(br#"{"exp":"tomorrow"}"#)
            ),
            "claim \"exp\" is not a number",
        ),
    ];
    for (token, want) in cases {
        let e = inspect(&token).expect_err(&token);
        assert_eq!(e.kind(), "malformed_token");
        assert!(e.to_string().contains(want), "{token:?}: {e}");
    }
    // Fractional NumericDates are accepted (RFC 7519 §2).
    let frac = format!(
        "{h}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(br#"{"exp":1800000000.75}"#)
    );
    assert_eq!(
        inspect(&frac).expect("fraction").expires_at,
        Some(1_800_000_000)
    );
    assert!(looks_like_jwt(RFC7515_A1));
    assert!(!looks_like_jwt("sk_live_abc"));
}

#[test]
fn debug_of_a_secret_key_is_redacted() {
    let k = VerifyKey::Secret(Zeroizing::new(b"hunter2-secret".to_vec()));
    assert!(!format!("{k:?}").contains("hunter2"));
}

#[test]
fn descriptions_in_words() {
    assert_eq!(
        describe_expiry(Some(1_000 + 3 * 3600 + 12 * 60), 1_000),
        "expires in 3 h 12 min"
    );
    assert_eq!(
        describe_expiry(Some(1_000_000 - 2 * 86_400), 1_000_000),
        "expired 2 days ago"
    );
    assert!(describe_expiry(None, 0).starts_with("no expiry"));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// The signature of RFC7515_A1: stands for secret material in a token.
    const SIG: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s.as_bytes())
    }

    /// A JSON value that stresses the time claims and the header.
    fn json_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_owned()),
            Just("1e300".to_owned()),
            Just("-1e300".to_owned()),
            Just(i64::MIN.to_string()),
            Just(i64::MAX.to_string()),
            Just(u64::MAX.to_string()),
            Just("18446744073709551616".to_owned()),
            Just("1.5".to_owned()),
            Just("\"x\"".to_owned()),
            Just("[]".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("JSON numbers are finite", |f| f.is_finite())
                .prop_map(|f| format!("{f:e}")),
        ]
    }

    fn check_error(e: &Error) -> std::result::Result<(), TestCaseError> {
        prop_assert_eq!(e.kind(), "malformed_token", "{}", e);
        let m = e.to_string();
        prop_assert!(!m.contains(SIG), "{}", m);
        prop_assert!(!m.contains("eyJ"), "the token is not quoted back: {}", m);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any text: decoded or refused as malformed, never a panic.
        #[test]
        fn any_text(text in "\\PC{0,120}") {
            if let Err(e) = inspect(&text) {
                check_error(&e)?;
            }
            let _ = looks_like_jwt(&text);
        }

        /// A real token with characters replaced, cut, or a segment dropped.
        #[test]
        fn mutated_tokens(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>()), 0..6),
            cut in any::<prop::sample::Index>(),
            do_cut in any::<bool>(),
        ) {
            let mut chars: Vec<char> = RFC7515_A1.chars().collect();
            for (at, c) in edits {
                let i = at.index(chars.len());
                chars[i] = c;
            }
            if do_cut {
                chars.truncate(cut.index(chars.len()));
            }
            let token: String = chars.into_iter().collect();
            match inspect(&token) {
                Ok(ins) => {
                    // Whatever decodes verifies or fails by check, at any time.
                    for now in [i64::MIN, 0, RFC_NOW, i64::MAX] {
                        let v = verify(&token, &ins, &rfc_key(), &Expect {
                            issuer: Some("joe".into()),
                            audience: Some("api".into()),
                        }, now);
                        prop_assert_eq!(v.ok, v.failed.is_none());
                        let _ = describe_expiry(ins.expires_at, now);
                    }
                }
                Err(e) => check_error(&e)?,
            }
        }

        /// Well-formed segments with extreme time claims and odd headers.
        #[test]
        fn extreme_claims(
            exp in json_value(),
            nbf in json_value(),
            iat in json_value(),
            alg in prop_oneof![Just("HS256".to_owned()), Just("none".to_owned()), Just("RS256".to_owned()), "\\PC{0,12}"],
            now in any::<i64>(),
        ) {
            let header = b64(&format!(r#"{{"alg":{},"typ":"JWT"}}"#, serde_json::Value::from(alg)));
            let payload = b64(&format!(r#"{{"iss":"joe","exp":{exp},"nbf":{nbf},"iat":{iat}}}"#));
            let token = format!("{header}.{payload}.{SIG}");
            match inspect(&token) {
                Ok(ins) => {
                    let v = verify(&token, &ins, &rfc_key(), &Expect::default(), now);
                    prop_assert!(!v.ok || v.checks.iter().all(|c| c.ok));
                    for c in &v.checks {
                        prop_assert!(!c.message.contains(SIG), "{}", c.message);
                    }
                    let _ = describe_expiry(ins.expires_at, now);
                }
                Err(e) => check_error(&e)?,
            }
        }
    }
}

#[test]
fn an_unsigned_token_is_read_for_display_only() {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let c = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin","exp":1800000000}"#);
    let t = format!("{h}.{c}.");
    let err = inspect(&t).expect_err("alg none is refused");
    assert!(err.to_string().contains("unsigned"), "{err}");
    let (header, claims) = unsigned_parts(&format!("Bearer {t}")).expect("shown");
    assert_eq!(header["alg"], "none");
    assert_eq!(claims["sub"], "admin");
    // A signed token is not "unsigned".
    assert!(unsigned_parts(RFC7515_A1).is_none());
    assert!(unsigned_parts("a.b").is_none());
}

#[test]
fn key_material_becomes_the_key_the_token_needs() {
    let hs = inspect(&sign(Algorithm::HS256, &json!({}), None)).expect("hs");
    let rs = inspect(&sign(Algorithm::RS256, &json!({}), None)).expect("rs");
    let m = |s: &str| Zeroizing::new(s.as_bytes().to_vec());
    match key_from_material(m("secret\n"), &hs) {
        Ok(VerifyKey::Secret(s)) => assert_eq!(s.as_slice(), b"secret"),
        other => panic!("{other:?}"),
    }
    let jwk = json!({"kty": "oct", "k": RFC7515_A1_K}).to_string();
    assert!(matches!(key_from_material(m(&jwk), &hs), Ok(VerifyKey::Jwks(s)) if s.keys.len() == 1));
    assert!(matches!(
        key_from_material(m(RSA_PUB), &rs),
        Ok(VerifyKey::Public(_))
    ));
    assert_eq!(
        key_from_material(m("\n"), &hs).err().as_deref(),
        Some("the secret is empty")
    );
    assert!(key_from_material(m("{not json"), &hs).is_err());
}

#[test]
fn claim_checks_without_a_key() {
    let now = 1_800_000_000;
    let t = sign(
        Algorithm::HS256,
        &json!({"exp": now - 10, "nbf": now - 20, "iss": "a"}),
        None,
    );
    let ins = inspect(&t).expect("d");
    let checks = claim_checks(
        &ins,
        &Expect {
            issuer: Some("b".into()),
            audience: None,
        },
        now,
    );
    let names: Vec<(&str, bool)> = checks.iter().map(|c| (c.check.as_str(), c.ok)).collect();
    assert_eq!(names, [("exp", false), ("nbf", true), ("iss", false)]);
    let sig = check_signature(&format!("Bearer {t}"), &ins, &public_for(Algorithm::HS256));
    assert!(sig.ok, "{sig:?}");
}
