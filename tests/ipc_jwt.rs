//! The app's JWT debugger (keywright-ipc, no webview) against the real OpenID provider: a
//! token it issued verified with its JWKS URL and by discovery from its issuer, with the
//! checks named; a JWKS that does not hold the signing key, and a wrong issuer, fail.

use keywright_core::timefmt;
use keywright_ipc::dto::SecretField;
use keywright_ipc::jwt::{
    CheckResult, JwtKey, JwtReport, JwtVerify, jwt_inspect, jwt_inspect_item,
};
use keywright_ipc::tokens::oauth_renew;
use secrecy::SecretString;

use crate::ipc_tokens::{oauth, state};
use crate::peers::Provider;

fn check(r: &JwtReport, name: &str) -> (CheckResult, String) {
    let c = r.checks.iter().find(|c| c.name == name).expect(name);
    (c.result, c.message.clone())
}

#[test]
fn a_providers_token_verifies_with_its_jwks_and_by_discovery() {
    let p = Provider::start(60);
    let dir = tempfile::tempdir().expect("tmp");
    let s = state(dir.path());
    let id = oauth(&s, "svc", &p.issuer, "client_credentials");
    oauth_renew(&s, &id).expect("renew");

    // From the item (the token stays in Rust), against the issuer's published keys.
    let r = jwt_inspect_item(
        &s,
        &id,
        SecretField::AccessToken,
        Some(JwtVerify {
            key: JwtKey::Issuer {
                issuer: p.issuer.clone(),
            },
            issuer: None,
            audience: Some("urn:keywright:test-api".into()),
        }),
    )
    .expect("inspect");
    assert_eq!(r.verified, Some(true), "{r:?}");
    assert_eq!(r.alg, "RS256");
    let (res, msg) = check(&r, "signature");
    assert_eq!(
        (res, msg.as_str()),
        (CheckResult::Pass, "RS256 signature verified.")
    );
    assert_eq!(check(&r, "iss").0, CheckResult::Pass);
    assert_eq!(check(&r, "aud").0, CheckResult::Pass);
    assert_eq!(check(&r, "exp").0, CheckResult::Pass);
    let source = r.key_source.clone().unwrap_or_default();
    assert!(
        source.starts_with("the issuer's JWKS at http://127.0.0.1"),
        "{source}"
    );

    // The same token pasted, against the JWKS URL itself.
    let jwks_url = source
        .trim_start_matches("the issuer's JWKS at ")
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let token =
        keywright_ipc::commands::item_reveal(&s, &id, SecretField::AccessToken).expect("reveal");
    let pasted = SecretString::from(token.0.to_string());
    let r = jwt_inspect(
        &s,
        &pasted,
        Some(JwtVerify {
            key: JwtKey::JwksUrl { url: jwks_url },
            issuer: Some("https://someone.else.example".into()),
            audience: None,
        }),
    )
    .expect("inspect");
    assert_eq!(check(&r, "signature").0, CheckResult::Pass, "{r:?}");
    let (res, msg) = check(&r, "iss");
    assert_eq!(res, CheckResult::Fail);
    assert!(
        msg.contains("expected \"https://someone.else.example\""),
        "{msg}"
    );
    assert_eq!(r.verified, Some(false));
    assert!(r.now.abs_diff(timefmt::now()) < 5);

    // A JWKS URL with no such key (the provider's JWKS path with a wrong name): a network
    // error that names the URL, not the token.
    let e = jwt_inspect(
        &s,
        &pasted,
        Some(JwtVerify {
            key: JwtKey::JwksUrl {
                url: format!("{}/no-such-jwks", p.issuer),
            },
            issuer: None,
            audience: None,
        }),
    )
    .expect_err("no JWKS there");
    assert_eq!(serde_json::to_value(e.kind).expect("kind"), "network");
    assert!(e.message.contains("/no-such-jwks"), "{}", e.message);
    assert!(!e.message.contains(token.0.as_str()));
}
