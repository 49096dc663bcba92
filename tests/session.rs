//! CLI sessions: the env value and the file are each useless alone; expiry is enforced.

use keywright_core::Vault;
use keywright_core::vault::session;
use secrecy::{ExposeSecret, SecretString};

use crate::common::*;

#[test]
fn session_unlocks_until_locked() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = dir.path().join("run");
    let mut c = new_vault(dir.path());
    let id = c.vault.add(api_key("K", "session-secret")).expect("add").id;
    let token = session::start(&c.vault, 600, &run).expect("start");
    assert!(token.expose_secret().starts_with("kws1."));
    let files: Vec<_> = std::fs::read_dir(&run)
        .expect("run dir")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(keywright_core::paths::mode(&files[0].path()), Some(0o600));
    // The file holds neither the token nor the secret.
    let bytes = std::fs::read(files[0].path()).expect("read");
    let key_part = token.expose_secret().rsplit('.').next().expect("key");
    assert!(!contains(&bytes, key_part.as_bytes()));
    assert!(!contains(&bytes, b"session-secret"));

    let db = dir.path().join("vault.db");
    let mut v = Vault::open(&db).expect("open");
    session::unlock(&mut v, &token, &run).expect("session unlock");
    assert_eq!(v.open_secret(&id).expect("s").value, "session-secret");

    assert_eq!(session::end_all(v.vault_id(), &run).expect("lock"), 1);
    let mut v = Vault::open(&db).expect("open");
    let e = session::unlock(&mut v, &token, &run).expect_err("locked");
    assert_eq!(e.kind(), "session_invalid");
}

#[test]
fn forged_or_foreign_tokens_fail() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = dir.path().join("run");
    let c = new_vault(dir.path());
    let token = session::start(&c.vault, 600, &run).expect("start");
    let db = dir.path().join("vault.db");
    drop(c);
    let t = token.expose_secret().to_owned();
    let (head, key) = t.rsplit_once('.').expect("parts");
    // Same session id, other key.
    let other_key = if key.starts_with('A') {
        key.replacen('A', "B", 1)
    } else {
        format!("A{}", &key[1..])
    };
    for bad in [
        format!("{head}.{other_key}"),
        "kws1.zz.abc".into(),
        "garbage".into(),
        format!("{head}."),
    ] {
        let mut v = Vault::open(&db).expect("open");
        let e = session::unlock(&mut v, &SecretString::from(bad.clone()), &run).expect_err(&bad);
        assert_eq!(e.kind(), "session_invalid", "{bad}: {e}");
        assert!(!v.is_unlocked());
    }
    // A token of another vault does not open this one.
    let other_dir = tempfile::tempdir().expect("tmp");
    let other = new_vault(other_dir.path());
    let other_token = session::start(&other.vault, 600, &run).expect("start");
    let mut v = Vault::open(&db).expect("open");
    assert!(session::unlock(&mut v, &other_token, &run).is_err());
}

#[test]
fn expiry_is_enforced_and_bound() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = dir.path().join("run");
    let c = new_vault(dir.path());
    let db = dir.path().join("vault.db");
    let token = session::start(&c.vault, 1, &run).expect("start");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let mut v = Vault::open(&db).expect("open");
    let e = session::unlock(&mut v, &token, &run).expect_err("expired");
    assert!(e.to_string().contains("expired"), "{e}");
    assert_eq!(
        std::fs::read_dir(&run).expect("dir").count(),
        0,
        "expired file removed"
    );

    // Extending the expiry in the file breaks the seal.
    let token = session::start(&c.vault, 600, &run).expect("start");
    let file = std::fs::read_dir(&run)
        .expect("dir")
        .flatten()
        .next()
        .expect("file")
        .path();
    let mut j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
    j["expires_at"] = serde_json::json!(j["expires_at"].as_i64().expect("n") + 86_400 * 365);
    std::fs::write(&file, j.to_string()).expect("write");
    let mut v = Vault::open(&db).expect("open");
    let e = session::unlock(&mut v, &token, &run).expect_err("edited expiry");
    assert_eq!(e.kind(), "session_invalid");
}
