//! The vault through the library API: slots, sealing, isolation, migrations, audit.

use keywright_core::credential::{Kind, NewItem, OtpParams, Placement};
use keywright_core::crypto::kdf::KdfParams;
use keywright_core::vault::{Action, ItemPatch, KeyringOutcome};
use keywright_core::{CreateOptions, Error, Status, Vault};
use zeroize::Zeroizing;

use crate::common::*;
use crate::raw;

#[test]
fn create_then_reopen_with_password() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    let id = c.vault.add(api_key("Stripe", "sk_live_1")).expect("add").id;
    drop(c);
    let mut v = Vault::open(&dir.path().join("vault.db")).expect("open");
    assert!(!v.is_unlocked());
    assert!(matches!(v.items(), Err(Error::Locked)));
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    let items = v.items().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].id, id);
    assert_eq!(v.open_secret(&id).expect("secret").value, "sk_live_1");
}

#[test]
fn files_are_private() {
    let dir = tempfile::tempdir().expect("tmp");
    let nested = dir.path().join("a/b");
    let c = Vault::create(
        &nested.join("vault.db"),
        &pw(PASSWORD),
        CreateOptions {
            kdf: Some(cheap_kdf()),
            keyring: None,
        },
    )
    .expect("create");
    drop(c);
    assert_eq!(
        keywright_core::paths::mode(&nested.join("vault.db")),
        Some(0o600)
    );
    assert_eq!(keywright_core::paths::mode(&nested), Some(0o700));
    assert_eq!(
        keywright_core::paths::mode(&dir.path().join("a")),
        Some(0o700)
    );
    // An existing directory keeps its mode (a vault in /tmp must not chmod /tmp).
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).expect("dir");
    std::fs::set_permissions(&shared, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    drop(new_vault(&shared));
    assert_eq!(keywright_core::paths::mode(&shared), Some(0o755));
    assert_eq!(
        keywright_core::paths::mode(&shared.join("vault.db")),
        Some(0o600)
    );
}

#[test]
fn wrong_password_leaves_the_file_byte_identical() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    c.vault.add(api_key("A", "v")).expect("add");
    drop(c);
    let before = vault_bytes(&db);
    let main_before = std::fs::read(&db).expect("read");
    let mut v = Vault::open(&db).expect("open");
    let e = v
        .unlock_with_password(&pw("not the password"))
        .expect_err("wrong password");
    assert!(matches!(e, Error::WrongPassword), "{e:?}");
    assert_eq!(e.kind(), "wrong_password");
    assert!(!v.is_unlocked());
    drop(v);
    assert_eq!(
        std::fs::read(&db).expect("read"),
        main_before,
        "vault.db changed"
    );
    // The WAL (if any) did not grow either.
    let after = vault_bytes(&db);
    for (name, bytes) in &before {
        if name.ends_with("-wal") {
            let now = after
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, b)| b.len())
                .unwrap_or(0);
            assert!(now <= bytes.len(), "{name} grew");
        }
    }
}

#[test]
fn canary_never_reaches_the_disk() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let canary = "CANARY-7f3a9c-secret-value";
    let canary2 = "CANARY-second-rotated-value";
    let note = "CANARY-note-text";
    let name = "CANARY-item-name";
    let mut c = new_vault(dir.path());
    let mut n = api_key(name, canary);
    n.secret.notes = note.into();
    n.tags = vec!["CANARY-tag".into()];
    let id = c.vault.add(n).expect("add").id;
    let check = |stage: &str| {
        for (file, bytes) in vault_bytes(&db) {
            for needle in [canary, canary2, note, name, "CANARY-tag", "CANARY"] {
                assert!(
                    !contains(&bytes, needle.as_bytes()),
                    "{needle} found in {file} after {stage}"
                );
            }
        }
    };
    check("add");
    c.vault
        .update(
            &id,
            ItemPatch {
                value: Some(Zeroizing::new(canary2.into())),
                ..Default::default()
            },
        )
        .expect("edit");
    check("edit");
    c.vault.reveal(&id).expect("reveal");
    c.vault.delete(&id).expect("delete");
    check("delete");
    drop(c);
    check("close");
}

#[test]
fn kdf_parameters_are_stored_and_honoured() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let params = KdfParams::new_unchecked(1024, 2, 1);
    let c = Vault::create(
        &db,
        &pw(PASSWORD),
        CreateOptions {
            kdf: Some(params),
            keyring: None,
        },
    )
    .expect("create");
    assert_eq!(c.kdf, params);
    drop(c);
    let v = Vault::open(&db).expect("open");
    assert_eq!(v.password_kdf(), Some(params));
    // The slot records what it was made with: changing the stored parameters breaks the
    // derivation, so the same password no longer opens it.
    drop(v);
    raw::exec(
        &db,
        "UPDATE slots SET params = json_set(params, '$.iterations', 3) WHERE id = 'password'",
    );
    let mut v = Vault::open(&db).expect("open");
    assert_eq!(v.password_kdf(), Some(KdfParams::new_unchecked(1024, 3, 1)));
    assert!(matches!(
        v.unlock_with_password(&pw(PASSWORD)),
        Err(Error::WrongPassword)
    ));
}

#[test]
fn hostile_kdf_parameters_are_refused_not_run() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    drop(new_vault(dir.path()));
    raw::exec(
        &db,
        "UPDATE slots SET params = json_set(params, '$.memory_kib', 4294967295) WHERE id = 'password'",
    );
    let mut v = Vault::open(&db).expect("open");
    let e = v.unlock_with_password(&pw(PASSWORD)).expect_err("refused");
    assert_eq!(e.kind(), "corrupt", "{e}");
}

#[test]
fn tampered_item_is_isolated() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let a = c.vault.add(api_key("Alpha", "a")).expect("add").id;
    let b = c.vault.add(api_key("Beta", "b")).expect("add").id;
    let g = c.vault.add(api_key("Gamma", "g")).expect("add").id;
    drop(c);
    // Flip one byte in Beta's overview ciphertext.
    raw::flip_byte(&db, "items", "overview", &b, 30);
    // Move Gamma's secret into Alpha's row: it must not open there.
    raw::exec(
        &db,
        &format!(
            "UPDATE items SET secret = (SELECT secret FROM items WHERE id = '{g}') WHERE id = '{a}'"
        ),
    );
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    let names: Vec<String> = v
        .items()
        .expect("items")
        .iter()
        .map(|i| i.overview.name.clone())
        .collect();
    assert_eq!(names, ["Alpha", "Gamma"]);
    let t = v.tampered().expect("tampered");
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].id, b);
    let e = v.open_secret(&a).expect_err("moved blob");
    assert!(
        matches!(&e, Error::Tampered { item, field } if item == &a && field == "secret"),
        "{e:?}"
    );
    assert_eq!(v.open_secret(&g).expect("gamma intact").value, "g");
    assert!(matches!(v.find("Beta"), Err(Error::Tampered { .. })));
}

#[test]
fn names_are_unique_case_insensitively() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    c.vault.add(api_key("GitHub", "1")).expect("add");
    let e = c
        .vault
        .add(api_key(" github ", "2"))
        .expect_err("duplicate");
    assert!(matches!(&e, Error::DuplicateName { .. }), "{e:?}");
    let other = c.vault.add(api_key("GitLab", "3")).expect("add").id;
    let e = c
        .vault
        .update(
            &other,
            ItemPatch {
                name: Some("GITHUB".into()),
                ..Default::default()
            },
        )
        .expect_err("rename onto existing");
    assert!(matches!(&e, Error::DuplicateName { .. }), "{e:?}");
    assert_eq!(c.vault.items().expect("items").len(), 2);
    assert_eq!(
        c.vault.find("gitHUB").expect("find").overview.name,
        "GitHub"
    );
}

#[test]
fn every_kind_round_trips() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    let mut key = api_key("Key", "k1");
    key.placement = Some(Placement::Query {
        name: "api_key".into(),
    });
    key.expires_at = Some(2_000_000_000);
    key.rotate_every_days = Some(30);
    let mut basic = NewItem::new(Kind::Basic, "Basic", "pw");
    basic.username = Some("alice".into());
    let mut oauth = NewItem::new(Kind::Oauth2, "OAuth", "client-secret");
    oauth.oauth = Some(keywright_core::credential::OAuthConfig {
        client_id: "cid".into(),
        issuer: Some("https://issuer.example".into()),
        scopes: vec!["read".into()],
        ..Default::default()
    });
    oauth.secret.refresh_token = "rt".into();
    let mut totp = NewItem::new(Kind::Totp, "TOTP", "jbsw y3dp ehpk 3pxp");
    totp.otp = Some(OtpParams {
        digits: 8,
        period: 60,
        ..Default::default()
    });
    totp.issuer = Some("Example".into());
    let bearer = NewItem::new(Kind::Bearer, "Bearer", "eyJhbGciOiJIUzI1NiJ9.e30.x");
    let mut ids = Vec::new();
    for n in [
        key.clone(),
        basic.clone(),
        oauth.clone(),
        totp.clone(),
        bearer.clone(),
    ] {
        ids.push(c.vault.add(n).expect("add").id);
    }
    drop(c);
    let mut v = Vault::open(&dir.path().join("vault.db")).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    let k = v.find("Key").expect("key").overview;
    assert_eq!(k.placement, key.placement);
    assert_eq!(k.expires_at, Some(2_000_000_000));
    assert_eq!(k.rotate_every_days, Some(30));
    assert_eq!(
        v.find("Basic").expect("basic").overview.username.as_deref(),
        Some("alice")
    );
    let o = v.find("OAuth").expect("oauth");
    assert_eq!(
        o.overview.oauth.as_ref().map(|c| c.client_id.as_str()),
        Some("cid")
    );
    assert_eq!(v.open_secret(&o.id).expect("s").refresh_token, "rt");
    let t = v.find("totp").expect("totp");
    assert_eq!(t.overview.otp.map(|o| (o.digits, o.period)), Some((8, 60)));
    assert_eq!(v.open_secret(&t.id).expect("s").value, "JBSWY3DPEHPK3PXP");
    assert_eq!(v.items().expect("items").len(), 5);
    for i in v.items().expect("items") {
        assert!(i.overview.created_at > 0 && i.overview.updated_at >= i.overview.created_at);
    }
}

#[test]
fn update_rotation_and_audit() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    let item = c.vault.add(api_key("Svc", "old")).expect("add");
    let rotated_before = item.overview.last_rotated_at;
    let u = c
        .vault
        .update(
            &item.id,
            ItemPatch {
                url: Some(Some("https://svc.example".into())),
                tags: Some(vec!["x".into()]),
                ..Default::default()
            },
        )
        .expect("update");
    assert_eq!(
        u.overview.last_rotated_at, rotated_before,
        "no value change, no rotation"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let u = c
        .vault
        .update(
            &item.id,
            ItemPatch {
                value: Some(Zeroizing::new("new".into())),
                ..Default::default()
            },
        )
        .expect("rotate");
    assert!(u.overview.last_rotated_at > rotated_before);
    assert_eq!(c.vault.open_secret(&item.id).expect("s").value, "new");
    c.vault.reveal(&item.id).expect("reveal");
    c.vault.record_copy(&item.id, "value").expect("copy");
    let bad = c.vault.update(
        &item.id,
        ItemPatch {
            url: Some(Some("not a url".into())),
            ..Default::default()
        },
    );
    assert!(matches!(bad, Err(Error::InvalidInput { .. })));
    c.vault.delete(&item.id).expect("delete");
    let log = c.vault.audit_log(Some(&item.id)).expect("log");
    let actions: Vec<Action> = log.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            Action::Add,
            Action::Change,
            Action::Change,
            Action::Reveal,
            Action::Copy,
            Action::Delete
        ]
    );
    assert_eq!(log[1].detail.as_deref(), Some("tags, url"));
    assert_eq!(log[2].detail.as_deref(), Some("secret"));
    assert_eq!(log[4].detail.as_deref(), Some("value"));
    assert!(log.iter().all(|e| e.item_name == "Svc"));
    // The audit log is sealed too.
    let db = dir.path().join("vault.db");
    for (file, bytes) in vault_bytes(&db) {
        assert!(
            !contains(&bytes, b"\"reveal\""),
            "plaintext audit in {file}"
        );
    }
}

#[test]
fn change_password_rewraps_without_resealing_items() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let id = c.vault.add(api_key("K", "v")).expect("add").id;
    let blobs_before = raw::item_blobs(&db, &id);
    c.vault
        .change_password(&pw("a new password"), Some(cheap_kdf()))
        .expect("change");
    assert_eq!(
        raw::item_blobs(&db, &id),
        blobs_before,
        "items were re-sealed"
    );
    drop(c);
    let mut v = Vault::open(&db).expect("open");
    assert!(matches!(
        v.unlock_with_password(&pw(PASSWORD)),
        Err(Error::WrongPassword)
    ));
    v.unlock_with_password(&pw("a new password"))
        .expect("new password");
    assert_eq!(v.open_secret(&id).expect("s").value, "v");
    assert!(matches!(
        v.change_password(&pw(""), None),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn recovery_code_opens_and_resets_the_password() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let c = new_vault(dir.path());
    let code = secrecy::ExposeSecret::expose_secret(&c.recovery_code).to_owned();
    assert_eq!(code.len(), 39, "8 groups of 4 with dashes: {code}");
    drop(c);
    let mut v = Vault::open(&db).expect("open");
    let mut wrong = code.clone().into_bytes();
    wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
    let wrong = String::from_utf8(wrong).expect("utf8");
    assert!(matches!(
        v.unlock_with_recovery(&wrong),
        Err(Error::WrongRecoveryCode)
    ));
    assert!(matches!(
        v.unlock_with_recovery("garbage"),
        Err(Error::WrongRecoveryCode)
    ));
    // Typed in lower case without dashes still works.
    v.unlock_with_recovery(&code.replace('-', " ").to_lowercase())
        .expect("recovery");
    v.change_password(&pw("reset"), Some(cheap_kdf()))
        .expect("reset");
    drop(v);
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_password(&pw("reset")).expect("new password");
}

#[test]
fn missing_newer_and_corrupt_vaults() {
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("nope.db");
    let e = Vault::open(&missing).expect_err("missing");
    assert_eq!(e.kind(), "no_vault");
    assert!(e.to_string().contains("keywright init"), "{e}");

    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"this is not a database at all, just some text".repeat(200),
    )
    .expect("write");
    let e = Vault::open(&junk).expect_err("junk");
    assert_eq!(e.kind(), "corrupt", "{e}");
    assert!(e.to_string().contains("junk.db"), "the file is named: {e}");

    let other = dir.path().join("other.db");
    raw::exec(&other, "CREATE TABLE t (x)");
    let e = Vault::open(&other).expect_err("not ours");
    assert_eq!(e.kind(), "corrupt");
    assert!(e.to_string().contains("not a Keywright vault"), "{e}");

    let sub = dir.path().join("newer");
    std::fs::create_dir(&sub).expect("dir");
    drop(new_vault(&sub));
    let db = sub.join("vault.db");
    raw::exec(&db, "PRAGMA user_version = 99");
    let before = std::fs::read(&db).expect("read");
    let e = Vault::open(&db).expect_err("newer");
    assert!(matches!(e, Error::NewerVersion { found: 99, .. }), "{e:?}");
    assert_eq!(std::fs::read(&db).expect("read"), before);

    let e = Vault::create(
        &db,
        &pw("x"),
        CreateOptions {
            kdf: Some(cheap_kdf()),
            keyring: None,
        },
    )
    .err()
    .expect("exists");
    assert_eq!(e.kind(), "vault_exists");
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "create must not touch an existing file"
    );
}

#[test]
fn migrates_the_committed_schema_1_fixture() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/vault-v1.db");
    std::fs::copy(&fixture, &db).expect("copy fixture");
    let mut v = Vault::open(&db).expect("open v1");
    assert_eq!(v.schema_version(), 1);
    // A wrong password must not migrate (or otherwise touch) the file.
    assert!(matches!(
        v.unlock_with_password(&pw("nope")),
        Err(Error::WrongPassword)
    ));
    assert_eq!(v.schema_version(), 1);
    v.unlock_with_password(&pw("fixture-password"))
        .expect("unlock v1");
    assert_eq!(
        v.schema_version(),
        keywright_core::vault::schema::SCHEMA_VERSION
    );
    let names: Vec<String> = v
        .items()
        .expect("items")
        .iter()
        .map(|i| i.overview.name.clone())
        .collect();
    assert_eq!(names, ["Legacy Basic", "Legacy Stripe", "Legacy TOTP"]);
    let s = v.find("legacy stripe").expect("find");
    assert_eq!(s.overview.tags, ["prod", "billing"]);
    assert_eq!(
        v.open_secret(&s.id).expect("secret").value,
        "sk_test_fixture_0001"
    );
    // Schema 2 features work after the migration.
    v.set_setting("auto_lock_minutes", &serde_json::json!(10))
        .expect("setting");
    assert_eq!(
        v.setting("auto_lock_minutes").expect("get"),
        Some(serde_json::json!(10))
    );
    assert_eq!(v.audit_log(Some(&s.id)).expect("log").len(), 1);
    drop(v);
    let mut v = Vault::open(&db).expect("reopen");
    assert_eq!(
        v.schema_version(),
        keywright_core::vault::schema::SCHEMA_VERSION
    );
    let code = std::fs::read_to_string(fixture.with_extension("recovery")).expect("code");
    v.unlock_with_recovery(code.trim())
        .expect("fixture recovery code");
}

#[test]
fn keyring_slot_with_the_mock_store() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let (kr, _store) = mock_keyring();
    let mut c = new_vault_with(dir.path(), Some(kr.clone()));
    assert_eq!(c.keyring, KeyringOutcome::Enabled);
    let id = c.vault.add(api_key("K", "v")).expect("add").id;
    drop(c);
    let mut v = Vault::open(&db).expect("open");
    assert!(v.has_keyring_slot());
    v.unlock_with_keyring(&kr).expect("keyring unlock");
    assert_eq!(v.open_secret(&id).expect("s").value, "v");
    // Another keyring (another user, another machine) has no entry: a clear error.
    let (other, _s) = mock_keyring();
    let mut v2 = Vault::open(&db).expect("open");
    let e = v2.unlock_with_keyring(&other).expect_err("no entry");
    assert_eq!(e.kind(), "keyring_slot_missing", "{e}");
    // Disable removes the slot and the entry.
    assert_eq!(v.disable_keyring(Some(&kr)).expect("disable"), None);
    drop(v);
    let mut v = Vault::open(&db).expect("open");
    assert!(!v.has_keyring_slot());
    assert_eq!(
        v.unlock_with_keyring(&kr).expect_err("gone").kind(),
        "keyring_slot_missing"
    );
    v.unlock_with_password(&pw(PASSWORD))
        .expect("password still works");
}

#[test]
fn keyring_failure_falls_back_cleanly() {
    let dir = tempfile::tempdir().expect("tmp");
    let (kr, store) = mock_keyring();
    let mut c = new_vault(dir.path());
    // The store refuses the write: the slot is not added and the reason is reported.
    let entry = keyring_core::Entry::new_in_store(
        &(store.clone() as std::sync::Arc<keyring_core::CredentialStore>),
        "keywright-test",
        &format!("vault-{}", c.vault.vault_id()),
    )
    .expect("entry");
    let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().expect("mock cred");
    cred.set_error(keyring_core::Error::NoStorageAccess(
        "collection is locked".into(),
    ));
    let out = c.vault.enable_keyring(&kr).expect("no hard error");
    assert!(
        matches!(&out, KeyringOutcome::Unavailable(r) if r.contains("locked")),
        "{out:?}"
    );
    assert!(!c.vault.has_keyring_slot());
    // With the slot present, a failing read is KeyringUnavailable, and the password works.
    assert_eq!(
        c.vault.enable_keyring(&kr).expect("enable"),
        KeyringOutcome::Enabled
    );
    drop(c);
    let db = dir.path().join("vault.db");
    let mut v = Vault::open(&db).expect("open");
    cred.set_error(keyring_core::Error::PlatformFailure(
        "dbus went away".into(),
    ));
    let e = v.unlock_with_keyring(&kr).expect_err("failing keyring");
    assert_eq!(e.kind(), "keyring_unavailable");
    assert!(e.to_string().contains("dbus went away"), "{e}");
    v.unlock_with_password(&pw(PASSWORD))
        .expect("password fallback");
}

#[test]
fn statuses_from_the_vault() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    let now = keywright_core::timefmt::now();
    let mut expired = api_key("Expired", "x");
    expired.expires_at = Some(now - 10);
    let mut soon = api_key("Soon", "x");
    soon.expires_at = Some(now + 3 * 86_400);
    let mut none = api_key("None", "x");
    none.rotate_every_days = Some(0);
    c.vault.add(expired).expect("add");
    c.vault.add(soon).expect("add");
    c.vault.add(none).expect("add");
    let mut fresh = api_key("Fresh", "x");
    fresh.rotate_every_days = Some(90);
    c.vault.add(fresh).expect("add");
    let st: Vec<(String, Status)> = c
        .vault
        .items()
        .expect("items")
        .iter()
        .map(|i| (i.overview.name.clone(), i.expiry(now).status))
        .collect();
    assert_eq!(
        st,
        [
            ("Expired".into(), Status::Expired),
            ("Fresh".into(), Status::Ok),
            ("None".into(), Status::Unknown),
            ("Soon".into(), Status::Expiring)
        ]
    );
}

#[test]
fn search_filters_in_memory() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    let mut a = api_key("Stripe live", "x");
    a.tags = vec!["prod".into(), "billing".into()];
    a.url = Some("https://api.stripe.com".into());
    c.vault.add(a).expect("add");
    c.vault.add(api_key("Stripe test", "x")).expect("add");
    let mut b = NewItem::new(Kind::Basic, "Jenkins", "pw");
    b.username = Some("ci-bot".into());
    c.vault.add(b).expect("add");
    let names = |v: &mut Vault, q: &str| -> Vec<String> {
        v.search(q)
            .expect("search")
            .iter()
            .map(|i| i.overview.name.clone())
            .collect()
    };
    assert_eq!(
        names(&mut c.vault, "stripe"),
        ["Stripe live", "Stripe test"]
    );
    assert_eq!(names(&mut c.vault, "stripe PROD"), ["Stripe live"]);
    assert_eq!(names(&mut c.vault, "ci-bot"), ["Jenkins"]);
    assert_eq!(names(&mut c.vault, "basic"), ["Jenkins"]);
    assert!(names(&mut c.vault, "nothing-matches").is_empty());
    assert_eq!(names(&mut c.vault, "").len(), 3);
}

#[test]
fn another_process_changes_are_seen() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut a = new_vault(dir.path()).vault;
    assert_eq!(a.items().expect("items").len(), 0);
    let mut b = Vault::open(&db).expect("open");
    b.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    b.add(api_key("From B", "x")).expect("add");
    let names: Vec<String> = a
        .items()
        .expect("items")
        .iter()
        .map(|i| i.overview.name.clone())
        .collect();
    assert_eq!(names, ["From B"]);
}

#[test]
fn settings_are_sealed() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    c.vault
        .set_setting("clipboard_clear_seconds", &serde_json::json!(45))
        .expect("set");
    assert_eq!(
        c.vault.setting("clipboard_clear_seconds").expect("get"),
        Some(serde_json::json!(45))
    );
    assert_eq!(c.vault.setting("unset").expect("get"), None);
    c.vault.lock();
    assert!(matches!(
        c.vault.setting("clipboard_clear_seconds"),
        Err(Error::Locked)
    ));
    drop(c);
    raw::flip_byte(&db, "settings", "value", "clipboard_clear_seconds", 5);
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    assert_eq!(
        v.setting("clipboard_clear_seconds")
            .expect_err("tampered")
            .kind(),
        "tampered"
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    let mut n = api_key("Dbg", "DEBUG-CANARY-value");
    n.secret.notes = "DEBUG-CANARY-notes".into();
    let shown = format!("{n:?}");
    let id = c.vault.add(n).expect("add").id;
    let patch = ItemPatch {
        value: Some(Zeroizing::new("DEBUG-CANARY-new".into())),
        ..Default::default()
    };
    let secret = c.vault.open_secret(&id).expect("s");
    let items = format!("{:?}", c.vault.items().expect("items"));
    let all = format!(
        "{shown} {patch:?} {secret:?} {:?} {items} {:?}",
        c.vault,
        keywright_core::crypto::Key::random().expect("key")
    );
    assert!(!all.contains("DEBUG-CANARY"), "{all}");
    assert!(all.contains("[redacted]"));
}

#[test]
fn batch_add_is_all_or_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    c.vault.add(api_key("Existing", "x")).expect("add");
    let e = c
        .vault
        .add_batch(vec![
            api_key("One", "1"),
            api_key("Two", ""),
            api_key("Three", "3"),
        ])
        .expect_err("item 2 is invalid");
    assert!(e.to_string().contains("item 2"), "{e}");
    let e = c
        .vault
        .add_batch(vec![api_key("One", "1"), api_key("existing", "2")])
        .expect_err("duplicate");
    assert_eq!(e.kind(), "duplicate_name");
    assert_eq!(
        c.vault.items().expect("items").len(),
        1,
        "nothing of a failed batch is kept"
    );
    let added = c
        .vault
        .add_batch(vec![api_key("One", "1"), api_key("Two", "2")])
        .expect("batch");
    assert_eq!(added.len(), 2);
    assert_eq!(c.vault.items().expect("items").len(), 3);
    assert_eq!(c.vault.audit_log(None).expect("log").len(), 3);
}

#[test]
fn large_vaults_open_in_parallel_with_the_same_result() {
    // Above the parallel threshold: every item opens once, sorted, tampering still isolated.
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let n = 2_600;
    let added = c
        .vault
        .add_batch(
            (0..n)
                .map(|i| api_key(&format!("item {:05}", n - i), "v"))
                .collect(),
        )
        .expect("batch");
    let victim = added[1234].id.clone();
    drop(c);
    raw::flip_byte(&db, "items", "overview", &victim, 50);
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    let items = v.items().expect("items");
    assert_eq!(items.len(), n - 1);
    assert!(
        items
            .windows(2)
            .all(|w| w[0].overview.name < w[1].overview.name),
        "sorted"
    );
    assert!(items.iter().all(|i| i.id != victim));
    assert_eq!(
        v.tampered()
            .expect("t")
            .iter()
            .map(|t| t.id.clone())
            .collect::<Vec<_>>(),
        [victim]
    );
    // A vault with a tampered item gets no overview index: the index would hide it.
    assert_eq!(raw::count(&db, "overview_index"), 0);
}

fn listing(v: &mut Vault) -> Vec<(String, String, Vec<String>)> {
    v.items()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i.id.clone(),
                i.overview.name.clone(),
                i.overview.tags.clone(),
            )
        })
        .collect()
}

fn reopen(db: &std::path::Path) -> Vault {
    let mut v = Vault::open(db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    v
}

#[test]
fn overview_index_is_used_and_kept_current() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let n = 2_500;
    let added = c
        .vault
        .add_batch(
            (0..n)
                .map(|i| api_key(&format!("key {:05}", n - i), "v"))
                .collect(),
        )
        .expect("batch");
    drop(c);
    assert_eq!(raw::count(&db, "overview_index"), 0, "built on first load");

    // The first load opens item by item and writes the index (1,024 items per chunk).
    let first = listing(&mut reopen(&db));
    assert_eq!(first.len(), n);
    assert_eq!(raw::count(&db, "overview_index"), 3);
    // The next load reads it: the same items in the same order.
    assert_eq!(listing(&mut reopen(&db)), first);

    // Proof that the index is what is read: a row changed behind the triggers' back is
    // not seen (the index holds the authentic earlier overview).
    let probe = added[10].id.clone();
    raw::exec(
        &db,
        &format!(
            "DROP TRIGGER overview_index_on_update; \
             UPDATE items SET overview = x'00' WHERE id = '{probe}'; \
             CREATE TRIGGER overview_index_on_update AFTER UPDATE OF id, name_mac, overview \
             ON items BEGIN DELETE FROM overview_index; END;"
        ),
    );
    let mut v = reopen(&db);
    assert_eq!(listing(&mut v), first);
    assert!(v.tampered().expect("t").is_empty());
    drop(v);
    // Any change through SQL (the triggers fire) drops the index: the broken row shows.
    raw::exec(&db, "UPDATE items SET overview = overview WHERE rowid = 1");
    assert_eq!(raw::count(&db, "overview_index"), 0);
    let mut v = reopen(&db);
    assert_eq!(v.items().expect("items").len(), n - 1);
    assert_eq!(v.tampered().expect("t")[0].id, probe);
    v.delete(&probe).expect("delete the broken item");
    drop(v);

    // A damaged chunk is not trusted: the items are read one by one, the index rebuilt.
    let expect = listing(&mut reopen(&db));
    assert_eq!(expect.len(), n - 1);
    assert_eq!(raw::count(&db, "overview_index"), 3);
    raw::flip_byte(&db, "overview_index", "blob", "1", 40);
    assert_eq!(listing(&mut reopen(&db)), expect);
    assert_eq!(listing(&mut reopen(&db)), expect, "rebuilt index");
    // A missing chunk: the same.
    raw::exec(&db, "DELETE FROM overview_index WHERE chunk = 2");
    assert_eq!(listing(&mut reopen(&db)), expect);
    assert_eq!(raw::count(&db, "overview_index"), 3);
    // Reordered chunks do not open (their AD names their place).
    raw::exec(
        &db,
        "UPDATE overview_index SET chunk = chunk + 10 WHERE chunk IN (1, 2); \
         UPDATE overview_index SET chunk = 13 - chunk WHERE chunk IN (11, 12);",
    );
    assert_eq!(
        raw::count(&db, "overview_index WHERE chunk IN (1, 2)"),
        2,
        "swapped"
    );
    assert_eq!(listing(&mut reopen(&db)), expect);

    // Changes from another process (add, edit, delete) are seen and re-indexed.
    let mut a = reopen(&db);
    assert_eq!(listing(&mut a), expect);
    let mut b = reopen(&db);
    b.add(api_key("aaa first", "x")).expect("add");
    let renamed = added[20].id.clone();
    b.update(
        &renamed,
        ItemPatch {
            tags: Some(vec!["moved".into()]),
            ..ItemPatch::default()
        },
    )
    .expect("update");
    b.delete(&added[30].id).expect("delete");
    drop(b);
    for v in [&mut a, &mut reopen(&db)] {
        let now = listing(v);
        assert_eq!(now.len(), n - 1);
        assert_eq!(now[0].1, "aaa first");
        assert!(now.iter().all(|i| i.0 != added[30].id));
        let moved = now.iter().find(|i| i.0 == renamed).expect("edited item");
        assert_eq!(moved.2, ["moved"]);
    }
    assert_eq!(raw::count(&db, "overview_index"), 3);
}

#[test]
fn search_follows_edits_and_deletes() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = new_vault(dir.path());
    let a = c.vault.add(api_key("Alpha", "x")).expect("add").id;
    c.vault.add(api_key("Beta", "x")).expect("add");
    assert_eq!(
        c.vault.search("alpha").expect("s").len(),
        1,
        "loads the cache"
    );
    c.vault
        .update(
            &a,
            ItemPatch {
                name: Some("Omega".into()),
                tags: Some(vec!["Blue".into()]),
                ..Default::default()
            },
        )
        .expect("edit");
    assert!(c.vault.search("alpha").expect("s").is_empty());
    let found: Vec<String> = c
        .vault
        .search("omega blue")
        .expect("s")
        .iter()
        .map(|i| i.id.clone())
        .collect();
    assert_eq!(found, std::slice::from_ref(&a));
    c.vault.add(api_key("Gamma blue", "x")).expect("add");
    let names: Vec<String> = c
        .vault
        .search("BLUE")
        .expect("s")
        .iter()
        .map(|i| i.overview.name.clone())
        .collect();
    assert_eq!(names, ["Gamma blue", "Omega"]);
    c.vault.delete(&a).expect("delete");
    let names: Vec<String> = c
        .vault
        .search("blue")
        .expect("s")
        .iter()
        .map(|i| i.overview.name.clone())
        .collect();
    assert_eq!(names, ["Gamma blue"]);
    let all: Vec<String> = c
        .vault
        .items()
        .expect("items")
        .iter()
        .map(|i| i.overview.name.clone())
        .collect();
    assert_eq!(all, ["Beta", "Gamma blue"]);
}

#[test]
fn a_busy_writer_does_not_stop_a_listing() {
    // Another process in a write transaction: the listing still works (from the items),
    // and the overview index simply is not written this time.
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    c.vault.add(api_key("One", "1")).expect("add");
    drop(c);
    let writer = rusqlite::Connection::open(&db).expect("raw");
    writer
        .execute_batch("BEGIN IMMEDIATE")
        .expect("hold the write lock");
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    assert_eq!(v.items().expect("items").len(), 1);
    writer.execute_batch("ROLLBACK").expect("release");
    assert_eq!(raw::count(&db, "overview_index"), 0);
    drop(v);
    // Next time, with nobody in the way, it is written.
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    assert_eq!(v.items().expect("items").len(), 1);
    assert_eq!(raw::count(&db, "overview_index"), 1);
}

#[test]
fn saved_requests_are_sealed_per_row() {
    use keywright_core::probe::input::{BodyInput, RequestInput};
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let a = c.vault.add(api_key("Alpha", "a")).expect("add").id;
    let b = c.vault.add(api_key("Beta", "b")).expect("add").id;
    let mut req = RequestInput::get("https://api.example/v1/health");
    req.headers
        .push(("X-Session".into(), "typed_session_CANARY_91".into()));
    req.body = BodyInput::Form {
        fields: vec![("password".into(), "form_CANARY_77".into())],
    };
    let sa = c.vault.save_request(&a, "Health", &req).expect("save");
    let sb = c.vault.save_request(&b, "Other", &req).expect("save b");
    assert_eq!(
        c.vault.saved_requests(&a).expect("list"),
        std::slice::from_ref(&sa)
    );
    drop(c);
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(bytes) = std::fs::read(format!("{}{suffix}", db.display())) {
            let hay = String::from_utf8_lossy(&bytes);
            assert!(
                !hay.contains("typed_session_CANARY_91") && !hay.contains("form_CANARY_77"),
                "a saved request in clear in vault.db{suffix}"
            );
        }
    }
    // Moved to another item, a saved request does not open there (it would send that
    // item's credential to the first one's URL).
    let moved = |to: &str| {
        raw::exec(
            &db,
            &format!(
                "UPDATE saved_requests SET item_id = '{to}' WHERE id = '{}'",
                sb.id
            ),
        );
    };
    moved(&a);
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    let e = v.saved_requests(&a).expect_err("moved");
    assert!(
        e.kind() == "tampered" && e.to_string().contains(&sb.id),
        "{e}"
    );
    drop(v);
    moved(&b);
    raw::flip_byte(&db, "saved_requests", "request", &sa.id, 20);
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    let e = v.saved_requests(&a).expect_err("tampered");
    assert_eq!(e.kind(), "tampered");
    assert!(e.to_string().contains(&sa.id), "{e}");
    // Another item's saved requests are not affected.
    assert_eq!(v.saved_requests(&b).expect("b"), [sb]);
}

#[test]
fn a_keyring_slot_naming_another_entry_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let (kr, store) = mock_keyring();
    let c = new_vault_with(dir.path(), Some(kr.clone()));
    drop(c);
    // Someone else's entry in the same keyring, and a slot edited to name it.
    let store_dyn = store.clone() as std::sync::Arc<keyring_core::CredentialStore>;
    let foreign = keyring_core::Entry::new_in_store(&store_dyn, "keywright-test", "vault-other")
        .expect("entry");
    foreign.set_secret(&[7u8; 32]).expect("set");
    raw::exec(
        &db,
        "UPDATE slots SET params = json_set(params, '$.account', 'vault-other') WHERE id = 'keyring'",
    );
    let mut v = Vault::open(&db).expect("open");
    let e = v.unlock_with_keyring(&kr).expect_err("foreign entry");
    assert_eq!(e.kind(), "keyring_slot_missing", "{e}");
    assert!(
        e.to_string().contains("vault-other") && e.to_string().contains("not this vault's"),
        "{e}"
    );
    assert!(!v.is_unlocked());
    // A slot of another service (another build) is not used either.
    raw::exec(
        &db,
        &format!(
            "UPDATE slots SET params = json_set(params, '$.account', 'vault-{}', '$.service', 'other-service') WHERE id = 'keyring'",
            v.vault_id()
        ),
    );
    let mut v = Vault::open(&db).expect("open");
    assert_eq!(
        v.unlock_with_keyring(&kr)
            .expect_err("other service")
            .kind(),
        "keyring_slot_missing"
    );
    // Disabling removes the slot but deletes no entry it does not own.
    raw::exec(
        &db,
        "UPDATE slots SET params = json_set(params, '$.account', 'vault-other', '$.service', 'keywright-test') WHERE id = 'keyring'",
    );
    let mut v = reopen(&db);
    let note = v.disable_keyring(Some(&kr)).expect("disable");
    assert!(
        note.as_deref().is_some_and(|n| n.contains("left as it is")),
        "{note:?}"
    );
    assert!(!v.has_keyring_slot());
    assert_eq!(foreign.get_secret().expect("still there"), vec![7u8; 32]);
}

#[test]
fn swapped_name_macs_do_not_serve_another_items_secret() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let a = c.vault.add(api_key("Alpha", "alpha-secret")).expect("a").id;
    let b = c.vault.add(api_key("Beta", "beta-secret")).expect("b").id;
    drop(c);
    // Swap the two rows' name MACs (through a placeholder: the column is UNIQUE).
    raw::exec(
        &db,
        &format!(
            "CREATE TEMP TABLE m AS SELECT id, name_mac FROM items;
             UPDATE items SET name_mac = x'00' WHERE id = '{a}';
             UPDATE items SET name_mac = (SELECT name_mac FROM m WHERE id = '{a}') WHERE id = '{b}';
             UPDATE items SET name_mac = (SELECT name_mac FROM m WHERE id = '{b}') WHERE id = '{a}';"
        ),
    );
    let mut v = reopen(&db);
    for (name, id) in [("Alpha", &b), ("beta", &a)] {
        let e = v.find(name).expect_err("swapped");
        assert_eq!(e.kind(), "tampered", "{name}: {e}");
        assert!(e.to_string().contains(id.as_str()), "{e}");
    }
    // By id, each row still opens as itself.
    assert_eq!(v.find(&a).expect("by id").overview.name, "Alpha");
    assert_eq!(v.open_secret(&a).expect("secret").value, "alpha-secret");
}

#[test]
fn a_damaged_name_index_is_corrupt_not_not_found() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let id = c.vault.add(api_key("Damaged", "d")).expect("add").id;
    c.vault.add(api_key("Other", "o")).expect("add");
    assert_eq!(c.vault.items().expect("items").len(), 2);
    drop(c);
    // Flip one byte of the item's key inside SQLite's own name index (a page of the file,
    // not a sealed blob): the page stays well-formed, the lookup by name misses.
    let (mac, root, page_size): (Vec<u8>, i64, i64) = {
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
        let mac = conn
            .query_row("SELECT name_mac FROM items WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .expect("mac");
        // items has two automatic indexes (id, name_mac); the name_mac one is the second.
        let root = conn
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_items_2'",
                [],
                |r| r.get(0),
            )
            .expect("autoindex");
        let ps = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .expect("page size");
        (mac, root, ps)
    };
    let mut bytes = std::fs::read(&db).expect("read");
    let start = usize::try_from((root - 1) * page_size).expect("offset");
    let end = start + usize::try_from(page_size).expect("size");
    let at = bytes[start..end]
        .windows(mac.len())
        .position(|w| w == mac.as_slice())
        .expect("the key is in the index page");
    bytes[start + at + 5] ^= 0x40;
    std::fs::write(&db, &bytes).expect("write");

    let mut v = reopen(&db);
    let e = v.find("Damaged").expect_err("damaged index");
    assert_eq!(e.kind(), "corrupt", "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("Restore a backup") && msg.contains("vault.db"),
        "{msg}"
    );
    assert!(msg.contains("integrity check"), "{msg}");
    // A name nobody has is still not_found.
    assert_eq!(v.find("Nobody").expect_err("missing").kind(), "not_found");
}

#[test]
fn cached_overviews_are_not_served_after_another_handle_wrote() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let id = c.vault.add(api_key("Shared", "v")).expect("add").id;
    drop(c);
    let mut app = reopen(&db);
    let mut cli = reopen(&db);
    assert_eq!(app.items().expect("items").len(), 1); // the app has the overviews cached
    cli.update(
        &id,
        ItemPatch {
            name: Some("Renamed by the CLI".into()),
            ..ItemPatch::default()
        },
    )
    .expect("cli edit");
    // The app's edit of another field must not put the old name back.
    let updated = app
        .update(
            &id,
            ItemPatch {
                tags: Some(vec!["app".into()]),
                ..ItemPatch::default()
            },
        )
        .expect("app edit");
    assert_eq!(updated.overview.name, "Renamed by the CLI");
    let mut fresh = reopen(&db);
    let item = fresh.find(&id).expect("find");
    assert_eq!(item.overview.name, "Renamed by the CLI");
    assert_eq!(item.overview.tags, vec!["app".to_owned()]);
}

/// Everything a rekey keeps, and everything old it makes useless.
#[test]
fn rekey_reseals_everything_and_retires_every_old_secret() {
    use keywright_core::probe::history::HistoryEntry;
    use keywright_core::probe::input::RequestInput;
    use keywright_core::vault::session;
    use secrecy::ExposeSecret;
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let run = dir.path().join("run");
    let (kr, store) = mock_keyring();
    let mut c = new_vault_with(dir.path(), Some(kr.clone()));
    let old_code = c.recovery_code.expose_secret().to_owned();
    let a = c.vault.add(api_key("Alpha", "alpha-secret")).expect("a").id;
    let b = c.vault.add(api_key("Beta", "beta-secret")).expect("b").id;
    let bad = c.vault.add(api_key("Broken", "broken")).expect("bad").id;
    c.vault
        .update(
            &a,
            ItemPatch {
                value: Some(Zeroizing::new("alpha-rotated".into())),
                ..ItemPatch::default()
            },
        )
        .expect("rotate");
    let entry: HistoryEntry = serde_json::from_value(serde_json::json!({
        "at": 1_700_000_000, "method": "GET", "url": "https://api.example/v1/me",
        "headers": [["Authorization", "[redacted]"]], "body_bytes": 0, "status": 200,
        "diagnosis": "ok", "message": "it worked", "total_ms": 12, "renewed": false
    }))
    .expect("entry");
    c.vault.record_request(&a, &entry).expect("history");
    let saved = c
        .vault
        .save_request(
            &b,
            "Health",
            &RequestInput::get("https://api.example/health"),
        )
        .expect("save");
    c.vault
        .set_setting("app", &serde_json::json!({"auto_lock": 5}))
        .expect("setting");
    let token = session::start(&c.vault, 600, &run).expect("session");
    let before_items = listing(&mut c.vault);
    let before_log = c.vault.audit_log(None).expect("log");
    let old_kr_entry = keyring_core::Entry::new_in_store(
        &(store.clone() as std::sync::Arc<keyring_core::CredentialStore>),
        "keywright-test",
        &format!("vault-{}", c.vault.vault_id()),
    )
    .expect("entry");
    let old_kr_secret = old_kr_entry.get_secret().expect("kr secret");
    drop(c);
    raw::flip_byte(&db, "items", "secret", &bad, 30);
    let old_slots: Vec<(String, String, Vec<u8>)> = {
        let conn = rusqlite::Connection::open(&db).expect("raw");
        let mut st = conn
            .prepare("SELECT id, params, wrapped_key FROM slots")
            .expect("prep");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("q")
            .collect::<Result<_, _>>()
            .expect("rows")
    };

    let mut v = reopen(&db);
    let r = v.rekey(&pw(PASSWORD), None, Some(&kr)).expect("rekey");
    assert_eq!(r.items, 3);
    assert_eq!(r.sessions_ended, 1);
    assert_eq!(r.keyring, KeyringOutcome::Enabled);
    assert_eq!(r.saved_requests, 1);
    assert_eq!(r.requests, 1);
    assert_eq!(r.settings, 1);
    assert_eq!(
        r.tampered,
        vec![("items".to_owned(), format!("{bad} secret"))]
    );
    let new_code = r.recovery_code.expose_secret().to_owned();
    assert_ne!(new_code, old_code);
    drop(v);

    // Everything reads back the same through every unlock method.
    let mut v = reopen(&db);
    assert_eq!(listing(&mut v), before_items);
    assert_eq!(v.audit_log(None).expect("log"), before_log);
    assert_eq!(v.open_secret(&a).expect("a").value, "alpha-rotated");
    assert_eq!(v.open_secret(&b).expect("b").value, "beta-secret");
    assert_eq!(v.find("beta").expect("by name").id, b);
    assert_eq!(v.request_history(&a).expect("history"), vec![entry]);
    assert_eq!(v.saved_requests(&b).expect("saved"), vec![saved]);
    assert_eq!(
        v.setting("app").expect("setting"),
        Some(serde_json::json!({"auto_lock": 5}))
    );
    // The damaged row is still reported, not dropped.
    assert_eq!(
        v.open_secret(&bad).expect_err("tampered").kind(),
        "tampered"
    );
    assert_eq!(v.item_count().expect("count"), 3);
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_recovery(&new_code).expect("new code");
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_keyring(&kr).expect("new keyring entry");
    assert_ne!(old_kr_entry.get_secret().expect("kr"), old_kr_secret);

    // Old secrets open nothing.
    let mut v = Vault::open(&db).expect("open");
    assert_eq!(
        v.unlock_with_recovery(&old_code)
            .expect_err("old code")
            .kind(),
        "wrong_recovery_code"
    );
    let mut v = Vault::open(&db).expect("open");
    assert!(session::unlock(&mut v, &token, &run).is_err());
    assert!(!v.is_unlocked());
    // The old password slot copied into the new file: it unwraps the OLD key, which the
    // new file's key check refuses.
    for (id, params, wrapped) in &old_slots {
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.execute(
            "UPDATE slots SET params = ?2, wrapped_key = ?3 WHERE id = ?1",
            rusqlite::params![id, params, wrapped],
        )
        .expect("copy slot");
    }
    let mut v = Vault::open(&db).expect("open");
    let e = v.unlock_with_password(&pw(PASSWORD)).expect_err("old slot");
    assert_ne!(e.kind(), "ok");
    assert!(!v.is_unlocked());
    let mut v = Vault::open(&db).expect("open");
    assert!(v.unlock_with_recovery(&old_code).is_err());
    assert!(!v.is_unlocked());
}

/// A rekey that fails part way (here SQLite refuses one row) changes nothing.
#[test]
fn a_failed_rekey_leaves_the_old_vault_intact() {
    use keywright_core::vault::session;
    use secrecy::ExposeSecret;
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let run = dir.path().join("run");
    let mut c = new_vault(dir.path());
    let code = c.recovery_code.expose_secret().to_owned();
    let a = c.vault.add(api_key("Alpha", "alpha-secret")).expect("a").id;
    c.vault
        .set_setting("app", &serde_json::json!(1))
        .expect("setting");
    let token = session::start(&c.vault, 600, &run).expect("session");
    drop(c);
    raw::exec(
        &db,
        "CREATE TRIGGER no_settings BEFORE UPDATE ON settings BEGIN SELECT RAISE(ABORT, 'disk gave up'); END;",
    );
    let before = raw::item_blobs(&db, &a);
    let mut v = reopen(&db);
    assert!(v.rekey(&pw(PASSWORD), None, None).is_err());
    drop(v);
    assert_eq!(raw::item_blobs(&db, &a), before);
    let mut v = Vault::open(&db).expect("open");
    session::unlock(&mut v, &token, &run).expect("the session still works");
    assert_eq!(v.open_secret(&a).expect("a").value, "alpha-secret");
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_recovery(&code)
        .expect("the old code still works");
}

/// The read-only open (used when the vault's file or folder is not writable): reading
/// works, changes fail as SQLite's read-only refusal, which the CLI names with the folder.
#[test]
fn a_read_only_vault_reads_and_refuses_changes() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let id = c.vault.add(api_key("K", "ro-secret")).expect("add").id;
    drop(c);
    let events = raw::count(&db, "audit");
    let mut v = Vault::open_read_only(&db).expect("open read-only");
    assert_eq!(v.read_only_folder(), Some(dir.path()));
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    assert_eq!(v.items().expect("items").len(), 1);
    assert_eq!(v.find("k").expect("find").id, id);
    assert_eq!(v.reveal(&id).expect("reveal").value, "ro-secret");
    let e = v.add(api_key("New", "x")).expect_err("read-only");
    assert!(e.is_sqlite_read_only(), "{e}");
    let msg = Error::read_only(dir.path(), "a change").to_string();
    assert!(
        msg.contains(&dir.path().display().to_string()) && msg.contains("not writable"),
        "{msg}"
    );
    drop(v);
    assert_eq!(raw::count(&db, "audit"), events, "nothing was written");
    assert_eq!(raw::count(&db, "items"), 1);
}

/// Rows deleted with SQL (item and audit) by someone without the key are noticed through
/// the sealed item count, and stay noticed until a rekey accepts the vault as it is.
#[test]
fn items_removed_outside_keywright_are_reported() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let a = c.vault.add(api_key("A", "a")).expect("a").id;
    let b = c.vault.add(api_key("B", "b")).expect("b").id;
    c.vault
        .add_batch(vec![api_key("C", "c"), api_key("D", "d")])
        .expect("batch");
    c.vault.delete(&b).expect("delete through Keywright");
    assert_eq!(c.vault.item_count_problem().expect("check"), None);
    drop(c);
    raw::exec(
        &db,
        &format!("DELETE FROM items WHERE id = '{a}'; DELETE FROM audit WHERE item_id = '{a}';"),
    );
    let mut v = reopen(&db);
    let p = v.item_count_problem().expect("check").expect("reported");
    assert!(
        p.contains("1 item(s) were removed outside Keywright"),
        "{p}"
    );
    // Later changes do not hide it.
    v.add(api_key("E", "e")).expect("add");
    assert!(v.item_count_problem().expect("check").is_some());
    // Deleting the count itself is reported too.
    drop(v);
    raw::exec(&db, "DELETE FROM meta WHERE key = 'item_head'");
    let mut v = reopen(&db);
    let p = v.item_count_problem().expect("check").expect("reported");
    assert!(p.contains("missing"), "{p}");
    // A rekey accepts the vault as it is.
    v.rekey(&pw(PASSWORD), None, None).expect("rekey");
    assert_eq!(v.item_count_problem().expect("check"), None);
}

/// A schema 5 vault gets its sealed count at the upgrade.
#[test]
fn the_item_count_starts_at_the_upgrade() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    c.vault.add(api_key("A", "a")).expect("a");
    c.vault.add(api_key("B", "b")).expect("b");
    drop(c);
    raw::exec(
        &db,
        "DROP TRIGGER sync_dirty_on_item_insert; DROP TRIGGER sync_dirty_on_item_update; \
         DROP TRIGGER sync_dirty_on_item_delete; DROP TRIGGER sync_dirty_on_saved_insert; \
         DROP TRIGGER sync_dirty_on_saved_update; DROP TRIGGER sync_dirty_on_saved_delete; \
         DROP TABLE sync_dirty; DROP TABLE sync_versions; DROP TABLE sync_peers; \
         DELETE FROM meta WHERE key IN ('item_head', 'device_id'); DROP TABLE sessions; \
         DROP TABLE trash; DROP TRIGGER versions_on_item_delete; DROP TABLE versions; \
         PRAGMA user_version = 5;",
    );
    let mut v = reopen(&db);
    assert_eq!(
        v.schema_version(),
        keywright_core::vault::schema::SCHEMA_VERSION
    );
    assert_eq!(v.item_count_problem().expect("check"), None);
    assert_eq!(v.items().expect("items").len(), 2);
}

/// The app says it too: the list carries the sealed count's problem as a warning.
#[test]
fn the_app_lists_items_removed_outside_keywright_as_a_warning() {
    use keywright_ipc::AppState;
    use keywright_ipc::clipboard::MemoryClipboard;
    use keywright_ipc::commands::{items_list, vault_lock, vault_unlock};

    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault(dir.path());
    let a = c.vault.add(api_key("A", "a")).expect("a").id;
    c.vault.add(api_key("B", "b")).expect("b");
    drop(c);
    let (kr, _store) = mock_keyring();
    let state = AppState::new(
        Ok(db.clone()),
        std::sync::Arc::new(MemoryClipboard::default()),
        Box::new(move || Ok(kr.clone())),
    );
    vault_unlock(&state, &pw(PASSWORD)).expect("unlock");
    assert!(items_list(&state).expect("list").warnings.is_empty());
    vault_lock(&state).expect("lock");

    raw::exec(&db, &format!("DELETE FROM items WHERE id = '{a}'"));
    vault_unlock(&state, &pw(PASSWORD)).expect("unlock");
    let list = items_list(&state).expect("list");
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.warnings.len(), 1, "{:?}", list.warnings);
    assert!(
        list.warnings[0].contains("1 item(s) were removed outside Keywright"),
        "{:?}",
        list.warnings
    );
}
