//! The keyring slot against the REAL Secret Service (gnome-keyring on a private D-Bus
//! session, started by scripts/test.sh). When KEYWRIGHT_REQUIRE_SECRET_SERVICE=1 (CI) an
//! unavailable Secret Service fails the test instead of skipping it.

use keywright_core::Vault;
use keywright_core::vault::KeyringOutcome;
use keywright_core::vault::keyring::Keyring;

use crate::common::*;

fn real_keyring() -> Option<Keyring> {
    match Keyring::system("keywright-test", std::time::Duration::from_secs(10)) {
        Ok(k) => Some(k),
        Err(e) => {
            assert!(
                std::env::var("KEYWRIGHT_REQUIRE_SECRET_SERVICE").as_deref() != Ok("1"),
                "the Secret Service is required here but unavailable: {e}"
            );
            eprintln!("SKIPPED real keyring test: {e} (run scripts/test.sh)");
            None
        }
    }
}

#[test]
fn real_secret_service_slot() {
    let Some(kr) = real_keyring() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut c = new_vault_with(dir.path(), Some(kr.clone()));
    assert_eq!(c.keyring, KeyringOutcome::Enabled, "keyring slot");
    let id = c
        .vault
        .add(api_key("K", "through-the-keyring"))
        .expect("add")
        .id;
    let vault_id = c.vault.vault_id().to_owned();
    drop(c);

    // The key really is in the Secret Service: secret-tool (libsecret) finds it.
    let out = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "keywright-test",
            "username",
            &format!("vault-{vault_id}"),
        ])
        .output();
    if let Ok(out) = out {
        assert!(
            out.status.success(),
            "secret-tool lookup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "no keyring entry for the vault");
    }

    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_keyring(&kr)
        .expect("unlock through the Secret Service");
    assert_eq!(v.open_secret(&id).expect("s").value, "through-the-keyring");
    assert_eq!(v.disable_keyring(Some(&kr)).expect("disable"), None);
    drop(v);
    let mut v = Vault::open(&db).expect("open");
    assert_eq!(
        v.unlock_with_keyring(&kr).expect_err("slot removed").kind(),
        "keyring_slot_missing"
    );
    // The entry is gone from the Secret Service too.
    match kr
        .get("keywright-test", &format!("vault-{vault_id}"))
        .expect("lookup")
    {
        keywright_core::vault::keyring::Lookup::Missing => {}
        keywright_core::vault::keyring::Lookup::Found(_) => panic!("keyring entry left behind"),
    }
}

#[test]
fn deleted_keyring_entry_falls_back_to_password() {
    let Some(kr) = real_keyring() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let c = new_vault_with(dir.path(), Some(kr.clone()));
    let vault_id = c.vault.vault_id().to_owned();
    drop(c);
    kr.delete("keywright-test", &format!("vault-{vault_id}"))
        .expect("delete entry");
    let mut v = Vault::open(&db).expect("open");
    let e = v.unlock_with_keyring(&kr).expect_err("entry gone");
    assert_eq!(e.kind(), "keyring_slot_missing");
    assert!(e.to_string().contains("no key for this vault"), "{e}");
    v.unlock_with_password(&pw(PASSWORD)).expect("password");
}

#[test]
fn cli_unlocks_through_the_real_keyring() {
    if real_keyring().is_none() {
        return;
    }
    let cli = Cli::new();
    let out = cli
        .cmd()
        .args([
            "init",
            "--password-stdin",
            "--kdf-memory",
            "46",
            "--kdf-iterations",
            "1",
            "--json",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["keyring"], "enabled", "{v}");
    // No password anywhere: the keyring slot unlocks, stdin is the secret.
    cli.cmd()
        .args(["add", "api-key", "Via keyring"])
        .write_stdin("kv\n")
        .assert()
        .success();
    let out = cli.cmd().args(["list", "--json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v[0]["name"], "Via keyring");
    cli.cmd().args(["keyring", "disable"]).assert().success();
    let out = cli.cmd().args(["list", "--json"]).assert().failure();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["error"]["kind"], "locked");
    // And back on.
    cli.cmd()
        .args(["--password-stdin", "keyring", "enable"])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success();
    cli.cmd().args(["list", "--json"]).assert().success();
    cli.cmd().args(["keyring", "disable"]).assert().success();
}
