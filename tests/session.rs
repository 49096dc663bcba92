//! CLI sessions: the env value and the file are each useless alone; expiry is enforced.

use keywright_core::Vault;
use keywright_core::vault::session;
use secrecy::{ExposeSecret, SecretString};

use crate::common::*;
use crate::raw;

#[test]
fn session_unlocks_until_locked() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = dir.path().join("run");
    let mut c = new_vault(dir.path());
    let id = c.vault.add(api_key("K", "session-secret")).expect("add").id;
    let token = session::start(&c.vault, 600, &run).expect("start");
    assert!(token.expose_secret().starts_with("kws2."));
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

    assert_eq!(session::end_all(&v, &run).expect("lock"), 1);
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
        "kws2.zz.abc".into(),
        "kws1.0123456789abcdef.abc".into(),
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
    assert_eq!(e.kind(), "session_expired", "{e}");
    assert!(e.to_string().contains("expired at 20"), "{e}");
    assert_eq!(
        raw::count(&db, "sessions WHERE length(secret) > 0"),
        0,
        "expired row's secret swept"
    );
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

/// The three parts of a session: the file's and the row's; any copy of file + token stops
/// working once the row is gone (lock, passwd, rekey), wherever the copy is.
#[test]
fn a_copied_session_file_dies_with_its_row() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = dir.path().join("run");
    let db = dir.path().join("vault.db");
    let c = new_vault(dir.path());
    let token = session::start(&c.vault, 600, &run).expect("start");
    drop(c);
    assert_eq!(raw::count(&db, "sessions"), 1);
    let file = std::fs::read_dir(&run)
        .expect("dir")
        .flatten()
        .next()
        .expect("file")
        .path();
    let copy = std::fs::read(&file).expect("read");

    // The row alone is the third part: without it, token + file open nothing.
    raw::exec(&db, "UPDATE sessions SET secret = zeroblob(32)");
    let mut v = Vault::open(&db).expect("open");
    let e = session::unlock(&mut v, &token, &run).expect_err("other row secret");
    assert_eq!(e.kind(), "session_invalid", "{e}");
    assert!(!v.is_unlocked());

    // lock: the row and the file go; a copy put back opens nothing.
    let c = new_vault_in_place(&db);
    let token = session::start(&c, 600, &run).expect("start");
    let file = std::fs::read_dir(&run)
        .expect("dir")
        .flatten()
        .find(|e| e.path() != file)
        .expect("file")
        .path();
    let copy2 = std::fs::read(&file).expect("read");
    assert!(session::end_all(&c, &run).expect("lock") >= 1);
    assert_eq!(raw::count(&db, "sessions"), 0);
    assert!(!file.exists());
    std::fs::write(&file, &copy2).expect("put the copy back");
    let mut v = Vault::open(&db).expect("open");
    let e = session::unlock(&mut v, &token, &run).expect_err("ended");
    assert_eq!(e.kind(), "session_invalid");
    assert!(e.to_string().contains("ended"), "{e}");
    drop(copy);

    // A password change ends every session too.
    let mut c = new_vault_in_place(&db);
    let token = session::start(&c, 600, &run).expect("start");
    c.change_password(&pw("another password"), None)
        .expect("passwd");
    assert_eq!(raw::count(&db, "sessions"), 0);
    let mut v = Vault::open(&db).expect("open");
    assert_eq!(
        session::unlock(&mut v, &token, &run)
            .expect_err("after passwd")
            .kind(),
        "session_invalid"
    );
}

fn new_vault_in_place(db: &std::path::Path) -> Vault {
    let mut v = Vault::open(db).expect("open");
    v.unlock_with_password(&pw(PASSWORD))
        .or_else(|_| v.unlock_with_password(&pw("another password")))
        .expect("unlock");
    v
}
