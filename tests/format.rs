//! docs/vault-format.md is precise enough to decrypt a vault: docs/decrypt.py, written from
//! it alone with other implementations of the primitives (libsodium, reference Argon2,
//! Python's hmac), opens vaults the product made.

use keywright_core::Kind;
use keywright_core::credential::{NewItem, OAuthConfig};
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::common::*;

fn python() -> Option<String> {
    match std::env::var("KEYWRIGHT_TEST_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            assert!(
                std::env::var("KEYWRIGHT_REQUIRE_SECRET_SERVICE").as_deref() != Ok("1"),
                "KEYWRIGHT_TEST_PYTHON (a python with pynacl and argon2-cffi) is required here"
            );
            eprintln!("SKIPPED decrypt.py test: set KEYWRIGHT_TEST_PYTHON (scripts/test.sh does)");
            None
        }
    }
}

fn decrypt(py: &str, db: &std::path::Path, input: &str, recovery: bool) -> Value {
    use std::io::Write;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/decrypt.py");
    let mut cmd = std::process::Command::new(py);
    cmd.arg(script);
    if recovery {
        cmd.arg("--recovery");
    }
    let mut child = cmd
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{input}\n").as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "decrypt.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn independent_decryptor_opens_product_vaults() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let mut items = vec![
        api_key("Stripe", "sk_live_FORMAT"),
        NewItem::new(Kind::Bearer, "Token", "tok_FORMAT"),
    ];
    let mut basic = NewItem::new(Kind::Basic, "Basic", "pw_FORMAT");
    basic.username = Some("u".into());
    basic.secret.notes = "notes_FORMAT".into();
    let mut oauth = NewItem::new(Kind::Oauth2, "OAuth", "cs_FORMAT");
    oauth.oauth = Some(OAuthConfig {
        client_id: "cid".into(),
        token_url: Some("https://t.example/token".into()),
        ..Default::default()
    });
    oauth.secret.refresh_token = "rt_FORMAT".into();
    items.push(basic);
    items.push(oauth);
    items.push(NewItem::new(Kind::Totp, "Ünïcode TOTP", "JBSWY3DPEHPK3PXP"));
    // Full case folding (ß -> ss), not lower-casing: the spec's name_fold 2.
    items.push(api_key("Straße API", "sk_FOLD"));
    c.vault.add_batch(items).expect("add");
    let id = c.vault.find("stripe").expect("find").id;
    c.vault.reveal(&id).expect("reveal");
    // A rotation keeps the old value (schema 8), sealed as the spec says.
    let tok = c.vault.find("Token").expect("find").id;
    c.vault
        .rotate(&tok, zeroize::Zeroizing::new("tok_NEW".into()), 7)
        .expect("rotate");
    // A trashed item keeps its previous version.
    let t = c
        .vault
        .add(api_key("Trashed", "sk_TRASH_OLD"))
        .expect("add")
        .id;
    c.vault
        .rotate(&t, zeroize::Zeroizing::new("sk_TRASH".into()), 7)
        .expect("rotate");
    let trashed = c.vault.trash("Trashed").expect("trash");
    let code = c.recovery_code.expose_secret().to_owned();
    drop(c);

    let v = decrypt(&py, &db, PASSWORD, false);
    let by_name = |n: &str| -> Value {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["overview"]["name"] == n)
            .cloned()
            .expect(n)
    };
    assert_eq!(v["items"].as_array().expect("items").len(), 6);
    assert_eq!(by_name("Straße API")["secret"]["value"], "sk_FOLD");
    assert_eq!(by_name("Stripe")["secret"]["value"], "sk_live_FORMAT");
    assert_eq!(by_name("Token")["secret"]["value"], "tok_NEW");
    let prev_of = |item_id: &Value| -> Value {
        v["previous_versions"]
            .as_array()
            .expect("previous")
            .iter()
            .find(|p| &p["item_id"] == item_id)
            .cloned()
            .expect("a previous version")
    };
    let prev = prev_of(&by_name("Token")["id"]);
    assert_eq!(prev["value"], "tok_FORMAT");
    assert_eq!(
        prev["purge_at"].as_i64().expect("purge_at") - prev["created_at"].as_i64().expect("at"),
        7 * 86_400
    );
    assert_eq!(by_name("Basic")["secret"]["notes"], "notes_FORMAT");
    assert_eq!(by_name("Basic")["overview"]["username"], "u");
    assert_eq!(by_name("OAuth")["secret"]["refresh_token"], "rt_FORMAT");
    assert_eq!(by_name("OAuth")["overview"]["oauth"]["client_id"], "cid");
    assert_eq!(
        by_name("Ünïcode TOTP")["secret"]["value"],
        "JBSWY3DPEHPK3PXP"
    );
    assert!(
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["name_mac_ok"] == true)
    );
    let actions: Vec<&str> = v["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .map(|e| e["action"].as_str().expect("a"))
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "add").count(), 7);
    assert_eq!(
        actions.iter().filter(|a| **a == "change").count(),
        2,
        "the rotations"
    );
    assert_eq!(actions.last(), Some(&"trash"));
    // The Trash, with the deletion time its AD binds, and the sealed counts.
    let trash = v["trash"].as_array().expect("trash");
    assert_eq!(trash.len(), 1);
    assert_eq!(trash[0]["id"], trashed.id.as_str());
    assert_eq!(trash[0]["deleted_at"], trashed.deleted_at);
    assert_eq!(trash[0]["overview"]["name"], "Trashed");
    assert_eq!(trash[0]["secret"]["value"], "sk_TRASH");
    assert_eq!(v["item_head"], serde_json::json!({"items": 6, "trash": 1}));
    // The trashed item's previous version opens too.
    assert_eq!(
        v["previous_versions"].as_array().expect("previous").len(),
        2
    );
    let prev = prev_of(&Value::from(trashed.id.as_str()));
    assert_eq!(prev["value"], "sk_TRASH_OLD");

    let r = decrypt(&py, &db, &code, true);
    assert_eq!(r["items"], v["items"]);
}
