//! The command bodies end to end over a real vault file, with an in-memory clipboard and
//! keyring (the real ones are exercised by tests/ and the app's window test).

use std::sync::Arc;
use std::time::{Duration, Instant};

use keywright_core::credential::{Kind, Placement};
use keywright_core::crypto::kdf::KdfParams;
use keywright_core::vault::Action;
use keywright_core::vault::keyring::Keyring;
use keywright_core::{CreateOptions, Vault};
use secrecy::SecretString;

use crate::clipboard::{Clipboard, MemoryClipboard};
use crate::commands::*;
use crate::dto::{ItemEdit, ItemInput, PlainField, SecretField, Settings, VaultState};
use crate::error::ErrorKind;
use crate::state::AppState;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

pub(crate) const PW: &str = "correct horse";

pub(crate) struct Fixture {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) state: AppState,
    pub(crate) clipboard: Arc<MemoryClipboard>,
}

/// A state over `dir/vault.db`, with a cheap-KDF vault when `create` is set.
pub(crate) fn fixture(create: bool) -> Result<Fixture, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("vault.db");
    if create {
        let opts = CreateOptions {
            kdf: Some(KdfParams::new_unchecked(1024, 1, 1)),
            keyring: None,
        };
        Vault::create(&path, &SecretString::from(PW), opts)?;
    }
    let clipboard = Arc::new(MemoryClipboard::default());
    let store = keyring_core::mock::Store::new()?;
    let state = AppState::new(
        Ok(path),
        clipboard.clone(),
        Box::new(move || Ok(Keyring::with_store(store.clone(), "keywright-test"))),
    );
    Ok(Fixture {
        _dir: dir,
        state,
        clipboard,
    })
}

pub(crate) fn api_key(name: &str, value: &str) -> Result<ItemInput, serde_json::Error> {
    serde_json::from_value(serde_json::json!({
        "kind": "api_key", "name": name, "value": value, "tags": ["prod"],
        "placement": {"in": "header", "name": "X-Api-Key"}, "url": "https://api.example.com"
    }))
}

#[test]
fn no_vault_file_is_state_none() -> TestResult {
    let f = fixture(false)?;
    let s = vault_status(&f.state)?;
    assert_eq!(s.state, VaultState::None);
    assert_eq!((s.item_count, s.has_keyring), (None, false));
    let e = vault_unlock(&f.state, &SecretString::from(PW)).err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::NoVault));
    assert_eq!(vault_lock(&f.state)?.state, VaultState::None);
    assert_eq!(
        items_list(&f.state).err().map(|e| e.kind),
        Some(ErrorKind::NoVault)
    );
    Ok(())
}

#[test]
fn unlock_and_lock_with_the_password() -> TestResult {
    let f = fixture(true)?;
    assert_eq!(vault_status(&f.state)?.state, VaultState::Locked);
    let wrong = vault_unlock(&f.state, &SecretString::from("nope")).err();
    assert_eq!(wrong.map(|e| e.kind), Some(ErrorKind::WrongPassword));
    assert_eq!(
        items_list(&f.state).err().map(|e| e.kind),
        Some(ErrorKind::Locked)
    );
    let s = vault_unlock(&f.state, &SecretString::from(PW))?;
    assert_eq!((s.state, s.item_count), (VaultState::Unlocked, Some(0)));
    let s = vault_lock(&f.state)?;
    assert_eq!((s.state, s.item_count), (VaultState::Locked, None));
    Ok(())
}

#[test]
fn first_run_creates_with_keyring_and_recovery_code() -> TestResult {
    let f = fixture(false)?;
    let short = vault_create(&f.state, &SecretString::from("short"), true).err();
    assert_eq!(
        short.as_ref().map(|e| e.kind),
        Some(ErrorKind::InvalidInput)
    );
    assert_eq!(short.and_then(|e| e.field).as_deref(), Some("password"));
    assert_eq!(
        vault_status(&f.state)?.state,
        VaultState::None,
        "nothing written"
    );

    let c = vault_create(&f.state, &SecretString::from(PW), true)?;
    assert_eq!(c.status.state, VaultState::Unlocked);
    assert!(
        c.keyring_enabled && c.status.has_keyring,
        "{:?}",
        c.keyring_notice
    );
    let code = serde_json::to_value(&c.recovery_code)?;
    assert!(code.as_str().is_some_and(|s| s.len() >= 32), "{code}");
    let again = vault_create(&f.state, &SecretString::from(PW), false).err();
    assert_eq!(again.map(|e| e.kind), Some(ErrorKind::VaultExists));

    vault_lock(&f.state)?;
    let s = vault_unlock_keyring(&f.state)?;
    assert_eq!(s.state, VaultState::Unlocked);
    // Turning the keyring slot off: keyring unlock then fails with a clear kind.
    let k = keyring_set(&f.state, false)?;
    assert!(!k.enabled);
    vault_lock(&f.state)?;
    let e = vault_unlock_keyring(&f.state).err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::KeyringSlotMissing));
    Ok(())
}

#[test]
fn add_reveal_copy_edit_delete() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    let d = item_add(&f.state, api_key("Stripe live", "sk_live_123")?)?;
    assert_eq!(d.summary.name, "Stripe live");
    assert_eq!(d.summary.kind, Kind::ApiKey);
    assert!(d.secrets.value && !d.secrets.notes);
    assert_eq!(d.history.len(), 1);
    // The detail never carries the secret.
    assert!(!serde_json::to_string(&d)?.contains("sk_live_123"));

    let list = items_list(&f.state)?;
    assert_eq!(list.items.len(), 1);
    assert!(list.damaged.is_empty());

    let r = item_reveal(&f.state, &d.summary.id, SecretField::Value)?;
    assert_eq!(serde_json::to_value(&r)?, "sk_live_123");
    let none = item_reveal(&f.state, &d.summary.id, SecretField::Notes).err();
    assert_eq!(none.map(|e| e.kind), Some(ErrorKind::NotFound));

    let c = item_copy(&f.state, &d.summary.id, SecretField::Value)?;
    assert_eq!(c.clear_after_s, Some(30));
    assert_eq!(f.clipboard.text()?.as_deref(), Some("sk_live_123"));

    let edit: ItemEdit = serde_json::from_value(serde_json::json!({
        "name": "Stripe (live)", "tags": ["prod", "billing"], "url": "",
        "placement": {"in": "query", "name": "api_key"}, "rotate_every_days": 30,
        "notes": "rotate via dashboard"
    }))?;
    let d2 = item_update(&f.state, &d.summary.id, edit)?;
    assert_eq!(d2.summary.name, "Stripe (live)");
    assert_eq!(d2.summary.url, None, "blank clears");
    assert_eq!(
        d2.placement,
        Some(Placement::Query {
            name: "api_key".into()
        })
    );
    assert!(d2.secrets.notes && d2.secrets.value, "value kept");
    let actions: Vec<Action> = d2.history.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [Action::Change, Action::Copy, Action::Reveal, Action::Add],
        "newest first"
    );
    let v = item_reveal(&f.state, &d.summary.id, SecretField::Value)?;
    assert_eq!(serde_json::to_value(&v)?, "sk_live_123");

    item_delete(&f.state, &d.summary.id)?;
    assert!(items_list(&f.state)?.items.is_empty());
    let gone = item_get(&f.state, &d.summary.id).err();
    assert_eq!(gone.map(|e| e.kind), Some(ErrorKind::NotFound));
    Ok(())
}

#[test]
fn copy_plain_fields_puts_the_field_not_the_secret_on_the_clipboard() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    let input: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "basic", "name": "Grafana", "value": "hunter2", "username": "admin",
        "url": "https://grafana.example.com"
    }))?;
    let d = item_add(&f.state, input)?;
    let c = item_copy_plain(&f.state, &d.summary.id, PlainField::Username)?;
    assert_eq!(c.clear_after_s, Some(30));
    assert_eq!(f.clipboard.text()?.as_deref(), Some("admin"));
    item_copy_plain(&f.state, &d.summary.id, PlainField::Url)?;
    assert_eq!(
        f.clipboard.text()?.as_deref(),
        Some("https://grafana.example.com")
    );
    // No client ID on a basic item: a clear error, the clipboard unchanged.
    let e = item_copy_plain(&f.state, &d.summary.id, PlainField::ClientId)
        .expect_err("a basic item has no client ID");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.message, "This item has no client ID.");
    assert_eq!(
        f.clipboard.text()?.as_deref(),
        Some("https://grafana.example.com")
    );
    // Not audited as a copy of a secret.
    let h = item_get(&f.state, &d.summary.id)?.history;
    assert!(h.iter().all(|ev| ev.action != Action::Copy), "{h:?}");

    let oauth: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "oauth2", "name": "Auth0", "value": "client-secret",
        "oauth": {"client_id": "m2m-client", "token_url": "https://acme.example/oauth/token"}
    }))?;
    let o = item_add(&f.state, oauth)?;
    item_copy_plain(&f.state, &o.summary.id, PlainField::ClientId)?;
    assert_eq!(f.clipboard.text()?.as_deref(), Some("m2m-client"));
    // The secret reference: shown in the detail, copied through Rust, the natural field of
    // the kind (an OAuth2 item's access token, a basic item's password).
    assert_eq!(o.reference, "keywright://Auth0/access_token");
    item_copy_plain(&f.state, &o.summary.id, PlainField::Reference)?;
    assert_eq!(
        f.clipboard.text()?.as_deref(),
        Some("keywright://Auth0/access_token")
    );
    assert_eq!(
        item_get(&f.state, &d.summary.id)?.reference,
        "keywright://Grafana/secret"
    );
    Ok(())
}

#[test]
fn the_list_names_an_api_keys_header_or_query_parameter() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    item_add(&f.state, api_key("Stripe live", "sk_live_1")?)?;
    let list = items_list(&f.state)?;
    assert_eq!(
        list.items.first().and_then(|i| i.placement_name.as_deref()),
        Some("X-Api-Key")
    );
    Ok(())
}

#[test]
fn lock_and_quit_clear_what_the_app_copied_and_only_that() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    let d = item_add(&f.state, api_key("Stripe live", "sk_live_lock")?)?;

    item_copy(&f.state, &d.summary.id, SecretField::Value)?;
    assert_eq!(f.clipboard.text()?.as_deref(), Some("sk_live_lock"));
    vault_lock(&f.state)?;
    assert_eq!(f.clipboard.text()?, None, "lock clears the copied key");

    // Something the user copied since is theirs: lock leaves it.
    vault_unlock(&f.state, &SecretString::from(PW))?;
    item_copy(&f.state, &d.summary.id, SecretField::Value)?;
    f.clipboard.set_text("the user's own text")?;
    vault_lock(&f.state)?;
    assert_eq!(f.clipboard.text()?.as_deref(), Some("the user's own text"));

    // Auto-lock clears it too.
    vault_unlock(&f.state, &SecretString::from(PW))?;
    item_copy(&f.state, &d.summary.id, SecretField::Value)?;
    let later = Instant::now() + Duration::from_secs(24 * 3600);
    assert!(f.state.auto_lock_tick(later));
    assert_eq!(f.clipboard.text()?, None, "auto-lock clears the copied key");

    // Quitting the app with the key on the clipboard clears it and locks.
    vault_unlock(&f.state, &SecretString::from(PW))?;
    item_copy(&f.state, &d.summary.id, SecretField::Value)?;
    f.state.on_exit();
    assert_eq!(f.clipboard.text()?, None, "quit clears the copied key");
    assert_eq!(vault_status(&f.state)?.state, VaultState::Locked);
    Ok(())
}

#[test]
fn a_change_to_a_read_only_vault_names_the_folder_permission() -> TestResult {
    let f = fixture(true)?;
    let path = f.state.vault_path()?.to_path_buf();
    let mut vault = Vault::open_read_only(&path)?;
    vault.unlock_with_password(&SecretString::from(PW))?;
    assert!(vault.items()?.is_empty(), "reading works");
    let e = vault
        .add(keywright_core::credential::NewItem::new(
            Kind::ApiKey,
            "k",
            "v",
        ))
        .expect_err("a read-only vault refuses a change");
    let ipc = crate::error::IpcError::from(e);
    assert_eq!(ipc.kind, ErrorKind::Io);
    assert!(
        ipc.message.contains("not writable") && !ipc.message.contains("readonly database"),
        "{}",
        ipc.message
    );
    Ok(())
}

#[test]
fn form_errors_name_the_input() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    let e = item_add(&f.state, api_key("", "k")?).err();
    assert_eq!(e.and_then(|e| e.field).as_deref(), Some("name"));
    let e = item_add(&f.state, api_key("A", " ")?).err();
    assert_eq!(e.and_then(|e| e.field).as_deref(), Some("value"));
    let mut bad_url = api_key("A", "k")?;
    bad_url.url = Some("not a url".into());
    let e = item_add(&f.state, bad_url).err();
    assert_eq!(e.as_ref().map(|e| e.kind), Some(ErrorKind::InvalidInput));
    assert_eq!(e.and_then(|e| e.field).as_deref(), Some("url"));
    item_add(&f.state, api_key("Twin", "k")?)?;
    let e = item_add(&f.state, api_key("twin", "k")?).err();
    assert_eq!(e.as_ref().map(|e| e.kind), Some(ErrorKind::DuplicateName));
    assert_eq!(e.and_then(|e| e.field).as_deref(), Some("name"));
    let totp: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "totp", "name": "GitHub 2FA", "value": "not base32!!"
    }))?;
    let e = item_add(&f.state, totp).err();
    assert_eq!(e.and_then(|e| e.field).as_deref(), Some("value"));
    assert_eq!(items_list(&f.state)?.items.len(), 1, "nothing half-added");
    Ok(())
}

#[test]
fn an_otpauth_link_fills_the_2fa_form_and_its_seed_is_saved() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    let link = "otpauth://hotp/ACME%20Co:ann@example.com?secret=jbsw%20y3dp%20ehpk%203pxp\
                &issuer=ACME%20Co&algorithm=SHA256&digits=8&counter=42";
    let read = otp_link_read(&SecretString::from(link))?;
    assert_eq!(read.issuer.as_deref(), Some("ACME Co"));
    assert_eq!(read.account.as_deref(), Some("ann@example.com"));
    assert_eq!(
        (
            read.otp.otp_type,
            read.otp.algorithm,
            read.otp.digits,
            read.counter
        ),
        (
            keywright_core::credential::OtpType::Hotp,
            keywright_core::credential::OtpAlgorithm::Sha256,
            8,
            42
        )
    );
    // Nothing secret comes back to the form.
    assert!(!format!("{read:?}").to_ascii_uppercase().contains("JBSW"));

    // The form sends the link as the secret, with the fields it filled (the user changed
    // the issuer): the seed is the link's, what the form says wins.
    let input: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "totp", "name": "ACME", "value": link, "issuer": "ACME (work)",
        "username": "ann@example.com",
        "otp": {"type": "hotp", "algorithm": "SHA256", "digits": 8, "period": 30},
        "counter": 42
    }))?;
    let d = item_add(&f.state, input)?;
    assert_eq!(d.summary.issuer.as_deref(), Some("ACME (work)"));
    let seed = item_reveal(&f.state, &d.summary.id, SecretField::Value)?;
    assert_eq!(seed.0.as_str(), "JBSWY3DPEHPK3PXP");
    let next = crate::otp::hotp_next(&f.state, &d.summary.id, false)?;
    assert_eq!(next.counter, 42);

    // An invalid link names the problem, on the secret field, without the secret.
    for (bad, says) in [
        ("otpauth://totp/x?issuer=a", "no secret"),
        (
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=10",
            "digits",
        ),
        ("otpauth://motp/x?secret=JBSWY3DPEHPK3PXP", "unknown type"),
    ] {
        let e = otp_link_read(&SecretString::from(bad)).err();
        let e = e.ok_or("accepted")?;
        assert_eq!(e.field.as_deref(), Some("value"), "{bad}");
        assert!(e.message.contains(says), "{bad}: {}", e.message);
        assert!(!e.message.contains("JBSWY3DPEHPK3PXP"), "{}", e.message);
        let input: ItemInput = serde_json::from_value(serde_json::json!({
            "kind": "totp", "name": "Bad", "value": bad
        }))?;
        let e = item_add(&f.state, input).err().ok_or("added")?;
        assert_eq!(e.field.as_deref(), Some("value"), "{bad}");
    }
    Ok(())
}

#[test]
fn settings_persist_in_the_vault_and_drive_auto_lock() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    assert_eq!(settings_get(&f.state)?.settings, Settings::default());
    let bad = settings_set(
        &f.state,
        Settings {
            auto_lock_minutes: 5,
            clipboard_clear_seconds: 2,
        },
    )
    .err();
    assert_eq!(
        bad.and_then(|e| e.field).as_deref(),
        Some("clipboard_clear_seconds")
    );
    let s = Settings {
        auto_lock_minutes: 1,
        clipboard_clear_seconds: 0,
    };
    settings_set(&f.state, s)?;
    // Read back from the vault after a lock.
    vault_lock(&f.state)?;
    f.state.set_settings(Settings::default());
    vault_unlock(&f.state, &SecretString::from(PW))?;
    assert_eq!(settings_get(&f.state)?.settings, s);

    let t0 = Instant::now();
    f.state.touch_at(t0);
    assert!(!f.state.auto_lock_tick(t0 + Duration::from_secs(59)));
    assert_eq!(vault_status(&f.state)?.state, VaultState::Unlocked);
    assert!(f.state.auto_lock_tick(t0 + Duration::from_secs(61)));
    assert_eq!(vault_status(&f.state)?.state, VaultState::Locked);
    assert!(
        !f.state.auto_lock_tick(t0 + Duration::from_secs(120)),
        "once"
    );

    // Copy with clearing off: nothing scheduled.
    vault_unlock(&f.state, &SecretString::from(PW))?;
    let d = item_add(&f.state, api_key("K", "v1")?)?;
    assert_eq!(
        item_copy(&f.state, &d.summary.id, SecretField::Value)?.clear_after_s,
        None
    );
    Ok(())
}

#[test]
fn change_password_checks_the_current_one() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    let new = SecretString::from("a better passphrase");
    let e = vault_change_password(&f.state, &SecretString::from("wrong"), &new).err();
    assert_eq!(e.as_ref().map(|e| e.kind), Some(ErrorKind::WrongPassword));
    assert_eq!(e.and_then(|e| e.field).as_deref(), Some("current_password"));
    let e =
        vault_change_password(&f.state, &SecretString::from(PW), &SecretString::from("x")).err();
    assert_eq!(e.and_then(|e| e.field).as_deref(), Some("new_password"));
    vault_change_password(&f.state, &SecretString::from(PW), &new)?;
    vault_lock(&f.state)?;
    let old = vault_unlock(&f.state, &SecretString::from(PW)).err();
    assert_eq!(old.map(|e| e.kind), Some(ErrorKind::WrongPassword));
    assert_eq!(vault_unlock(&f.state, &new)?.state, VaultState::Unlocked);
    Ok(())
}

#[test]
fn secrets_never_show_in_debug_output() -> TestResult {
    let input = api_key("A", "sk_live_debug")?;
    assert!(!format!("{input:?}").contains("sk_live_debug"));
    Ok(())
}

#[test]
fn edit_keeps_token_expiries_and_empty_clears_a_secret() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    let input: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "oauth2", "name": "Okta", "value": "client-secret", "notes": "ops only",
        "refresh_token": "rt-1",
        "oauth": {"client_id": "0oa1", "token_url": "https://login.example.com/token",
                  "auth": "basic", "access_expires_at": 1_900_000_000_i64,
                  "refresh_expires_at": 1_950_000_000_i64}
    }))?;
    let d = item_add(&f.state, input)?;
    assert!(d.secrets.notes && d.secrets.refresh_token);
    let edit: ItemEdit = serde_json::from_value(serde_json::json!({
        "name": "Okta", "notes": "", "refresh_token": null,
        "oauth": {"client_id": "0oa2", "token_url": "https://login.example.com/token",
                  "auth": "post"}
    }))?;
    let d2 = item_update(&f.state, &d.summary.id, edit)?;
    let oauth = d2.oauth.ok_or("oauth config")?;
    assert_eq!(oauth.client_id, "0oa2");
    assert_eq!(oauth.access_expires_at, Some(1_900_000_000));
    assert_eq!(oauth.refresh_expires_at, Some(1_950_000_000));
    assert!(!d2.secrets.notes, "\"\" clears the notes");
    assert!(
        d2.secrets.refresh_token && d2.secrets.value,
        "null keeps a secret"
    );
    Ok(())
}

mod otp_commands {
    use super::*;
    use crate::dto::{ImportSource, ImportStatus};
    use crate::error::IpcError;
    use crate::import::*;
    use crate::otp::*;
    use keywright_core::limits::MAX_IMPORT_BYTES;

    fn totp_input(
        name: &str,
        secret: &str,
        otp_type: &str,
    ) -> Result<ItemInput, serde_json::Error> {
        serde_json::from_value(serde_json::json!({
            "kind": "totp", "name": name, "value": secret, "issuer": "Example",
            "otp": {"type": otp_type, "algorithm": "SHA1", "digits": 6, "period": 30}
        }))
    }

    fn unlocked() -> Result<Fixture, Box<dyn std::error::Error>> {
        let f = fixture(true)?;
        vault_unlock(&f.state, &SecretString::from(PW))?;
        Ok(f)
    }

    #[test]
    fn otp_code_gives_one_items_code_as_otp_codes_does() -> TestResult {
        let f = unlocked()?;
        let input: ItemInput = serde_json::from_value(serde_json::json!({
            "kind": "totp", "name": "GitHub 2FA", "value": "JBSWY3DPEHPK3PXP", "issuer": "GitHub"
        }))?;
        let d = item_add(&f.state, input)?;
        let one = otp_code(&f.state, &d.summary.id)?;
        assert_eq!(one.codes.len(), 1);
        let c = one.codes.first().ok_or("one code")?;
        assert_eq!(
            (c.id.as_str(), c.issuer.as_deref()),
            (d.summary.id.as_str(), Some("GitHub"))
        );
        let code = c.code.clone().ok_or("a TOTP item has a code")?;
        assert_eq!(code.len(), 6);
        assert!(c.valid_from <= one.now && one.now < c.valid_until);
        // The same code as the whole list (unless the period turned in between).
        let all = otp_codes(&f.state)?;
        let same = all.codes.iter().find(|x| x.id == c.id).ok_or("listed")?;
        if same.valid_from == c.valid_from {
            assert_eq!(same.code, c.code);
            assert_eq!(same.next_code, c.next_code);
        }
        // Not a 2FA item: a clear error, no code.
        let key = item_add(&f.state, api_key("Stripe", "sk_live_x")?)?;
        assert!(otp_code(&f.state, &key.summary.id).is_err());
        // HOTP: no code until asked (the counter must not move).
        let h = item_add(&f.state, totp_input("Bank", "JBSWY3DPEHPK3PXP", "hotp")?)?;
        let hc = otp_code(&f.state, &h.summary.id)?;
        assert_eq!(hc.codes.first().map(|c| c.code.is_none()), Some(true));
        Ok(())
    }

    #[test]
    fn codes_copy_and_hotp() -> TestResult {
        let f = unlocked()?;
        let t = item_add(&f.state, totp_input("GitHub", "JBSWY3DPEHPK3PXP", "totp")?)?;
        let h = item_add(
            &f.state,
            totp_input("Bank", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "hotp")?,
        )?;
        item_add(&f.state, api_key("Stripe", "sk_live_1")?)?;
        let codes = otp_codes(&f.state)?;
        assert_eq!(codes.codes.len(), 2, "only 2FA items");
        let gh = codes
            .codes
            .iter()
            .find(|c| c.id == t.summary.id)
            .ok_or("github code")?;
        let code = gh.code.clone().ok_or("a TOTP code")?;
        assert_eq!(code.len(), 6);
        assert!(gh.valid_until > codes.now && gh.valid_until - gh.valid_from == 30);
        let bank = codes
            .codes
            .iter()
            .find(|c| c.id == h.summary.id)
            .ok_or("bank")?;
        assert_eq!((bank.code.as_ref(), bank.counter), (None, Some(0)));

        let copied = otp_copy(&f.state, &t.summary.id)?;
        assert_eq!(copied.clear_after_s, Some(30));
        let on_clipboard = f.clipboard.text()?.ok_or("clipboard empty")?;
        // The copy happened within a second or two of the list: the code or the next one.
        assert!(
            on_clipboard == code || Some(&on_clipboard) == gh.next_code.as_ref(),
            "clipboard holds the current code"
        );
        assert!(
            otp_copy(&f.state, &h.summary.id).is_err(),
            "HOTP is not copied by otp_copy"
        );

        let first = hotp_next(&f.state, &h.summary.id, true)?;
        assert_eq!((first.code.as_str(), first.counter), ("755224", 0));
        assert_eq!(f.clipboard.text()?.as_deref(), Some("755224"));
        let second = hotp_next(&f.state, &h.summary.id, false)?;
        assert_eq!(
            (second.code.as_str(), second.counter, second.copied),
            ("287082", 1, None)
        );
        Ok(())
    }

    #[test]
    fn import_preview_commit_cancel_and_lock() -> TestResult {
        let f = unlocked()?;
        item_add(&f.state, totp_input("GitHub", "JBSWY3DPEHPK3PXP", "totp")?)?;
        let text = "otpauth://totp/GitHub:me?secret=JBSWY3DPEHPK3PXP\n\
                    otpauth://totp/AWS:root?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n\
                    otpauth://totp/Bad?secret=0000\n";
        let src = || ImportSource::Text { text: text.into() };
        let p = import_preview(&f.state, src(), None, None, None)?;
        let st: Vec<_> = p.rows.iter().map(|r| r.status).collect();
        assert_eq!(
            st,
            [
                ImportStatus::Duplicate,
                ImportStatus::New,
                ImportStatus::Invalid
            ]
        );
        assert_eq!((p.new_count, p.duplicate_count, p.invalid_count), (1, 1, 1));
        assert_eq!(p.rows[0].duplicate_of.as_deref(), Some("GitHub"));
        let json = serde_json::to_string(&p)?;
        assert!(
            !json.contains("GEZDGNBV"),
            "the preview never carries a seed"
        );

        // Cancel forgets it; commit then refuses the id.
        import_cancel(&f.state, &p.id);
        assert!(import_commit(&f.state, &p.id, None).is_err());

        // Lock forgets it too.
        let p = import_preview(&f.state, src(), None, None, None)?;
        vault_lock(&f.state)?;
        vault_unlock(&f.state, &SecretString::from(PW))?;
        assert!(import_commit(&f.state, &p.id, None).is_err());

        let p = import_preview(&f.state, src(), None, None, None)?;
        let s = import_commit(&f.state, &p.id, None)?;
        assert_eq!(s.added, ["AWS (root)"]);
        assert_eq!((s.skipped_duplicates, s.skipped_invalid), (1, 1));
        assert_eq!(otp_codes(&f.state)?.codes.len(), 2);
        assert!(
            import_commit(&f.state, &p.id, None).is_err(),
            "a preview is committed once"
        );

        let e = import_preview(
            &f.state,
            ImportSource::Text {
                text: "  \n".into(),
            },
            None,
            None,
            None,
        )
        .err()
        .ok_or("empty source")?;
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        Ok(())
    }

    fn preview_error(f: &Fixture, source: ImportSource) -> Result<IpcError, String> {
        import_preview(&f.state, source, None, None, None)
            .err()
            .ok_or_else(|| "the preview should fail".to_owned())
    }

    fn file(path: &std::path::Path) -> ImportSource {
        ImportSource::File {
            path: path.display().to_string(),
        }
    }

    #[test]
    fn import_preview_needs_the_vault_unlocked_before_reading() -> TestResult {
        let f = fixture(true)?;
        let list = f._dir.path().join("codes.txt");
        std::fs::write(&list, "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP\n")?;
        // Locked: refused as locked, whatever the source (even one that cannot be read or
        // would cost a lot to parse).
        for source in [
            file(&list),
            file(std::path::Path::new("/does/not/exist")),
            ImportSource::Text {
                text: "otpauth-migration://offline?data=GP////8H".into(),
            },
        ] {
            assert_eq!(preview_error(&f, source)?.kind, ErrorKind::Locked);
        }
        assert!(
            f.state
                .pending_import
                .lock()
                .map_err(|e| e.to_string())?
                .is_none()
        );
        vault_unlock(&f.state, &SecretString::from(PW))?;
        assert_eq!(
            import_preview(&f.state, file(&list), None, None, None)?.new_count,
            1
        );
        Ok(())
    }

    #[test]
    fn import_preview_reads_only_bounded_regular_files() -> TestResult {
        let f = unlocked()?;
        let dir = f._dir.path();
        let message = |source| -> Result<String, String> {
            let e = preview_error(&f, source)?;
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{}", e.message);
            Ok(e.message)
        };
        assert!(message(file(dir))?.contains("is not a regular file"));
        for system in ["/dev/zero", "/proc/self/environ", "/sys/kernel/notes"] {
            let path = std::path::Path::new(system);
            if path.exists() {
                assert!(
                    message(file(path))?.contains("is a system file"),
                    "{system}"
                );
            }
        }
        #[cfg(unix)]
        {
            // A link to a system file is judged by its target.
            let link = dir.join("innocent.txt");
            std::os::unix::fs::symlink("/proc/self/environ", &link)?;
            assert!(message(file(&link))?.contains("is a system file"));
            // A FIFO is refused without waiting for a writer.
            let fifo = dir.join("pipe");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(message(file(&fifo))?.contains("is not a regular file"));
            }
        }
        let empty = dir.join("empty.txt");
        std::fs::write(&empty, "")?;
        assert!(message(file(&empty))?.contains("is empty"));
        // A sparse file over the limit: refused from its size, nothing read.
        let large = dir.join("large.txt");
        std::fs::File::create(&large)?.set_len(MAX_IMPORT_BYTES as u64 + 1)?;
        assert!(message(file(&large))?.contains("larger than 33554432 bytes (32 MiB)"));
        let text = "x".repeat(MAX_IMPORT_BYTES + 1);
        assert!(message(ImportSource::Text { text })?.contains("larger than 33554432 bytes"));
        let base64 = "A".repeat((MAX_IMPORT_BYTES + 8) / 3 * 4);
        assert!(
            message(ImportSource::Bytes {
                name: "a.png".into(),
                base64
            })?
            .contains("larger than 33554432 bytes")
        );
        Ok(())
    }

    #[test]
    fn import_source_debug_shows_no_text() {
        let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        let text = ImportSource::Text {
            text: format!("otpauth://totp/A?secret={seed}"),
        };
        let bytes = ImportSource::Bytes {
            name: "export.txt".into(),
            base64: seed.into(),
        };
        for source in [text, bytes] {
            let shown = format!("{source:?}");
            assert!(!shown.contains(seed), "{shown}");
        }
        let shown = format!(
            "{:?}",
            ImportSource::File {
                path: "/tmp/a.json".into()
            }
        );
        assert!(shown.contains("/tmp/a.json"), "{shown}");
    }
}

#[test]
fn changes_by_another_process_are_seen_and_the_apps_own_are_not() -> TestResult {
    let f = fixture(true)?;
    assert!(
        !f.state.changed_outside(),
        "no vault open yet: nothing to say"
    );
    vault_unlock(&f.state, &SecretString::from(PW))?;
    assert!(!f.state.changed_outside(), "the first look only takes note");
    // The app's own writes are not news to the window.
    item_add(&f.state, api_key("Own", "k1")?)?;
    assert!(!f.state.changed_outside());

    // Another connection (the CLI) adds an item: seen once, and the list has it.
    let mut other = Vault::open(f.state.vault_path()?)?;
    other.unlock_with_password(&SecretString::from(PW))?;
    other.add(keywright_core::credential::NewItem::new(
        Kind::ApiKey,
        "From the CLI",
        "k2",
    ))?;
    assert!(f.state.changed_outside());
    assert!(!f.state.changed_outside(), "told once");
    let names: Vec<String> = items_list(&f.state)?
        .items
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert!(names.contains(&"From the CLI".to_owned()), "{names:?}");

    // Locked: nothing to watch, and the first look after the next unlock only takes note.
    vault_lock(&f.state)?;
    assert!(!f.state.changed_outside());
    vault_unlock(&f.state, &SecretString::from(PW))?;
    assert!(!f.state.changed_outside());
    Ok(())
}

#[test]
fn ctrl_c_copies_the_main_secret_of_each_kind() -> TestResult {
    let f = fixture(true)?;
    vault_unlock(&f.state, &SecretString::from(PW))?;
    let key = item_add(&f.state, api_key("Key", "sk_main")?)?;
    let c = item_copy_main(&f.state, &key.summary.id)?;
    assert_eq!(c.what, "API key");
    assert_eq!(f.clipboard.text()?.as_deref(), Some("sk_main"));

    // A 2FA item: the current code, never the seed.
    let totp: ItemInput = serde_json::from_value(serde_json::json!({
        "kind": "totp", "name": "GitHub 2FA", "value": "JBSWY3DPEHPK3PXP", "tags": []
    }))?;
    let t = item_add(&f.state, totp)?;
    let c = item_copy_main(&f.state, &t.summary.id)?;
    assert_eq!(c.what, "2FA code");
    let copied = f.clipboard.text()?.unwrap_or_default();
    assert!(
        copied.len() == 6 && copied.bytes().all(|b| b.is_ascii_digit()),
        "{copied:?}"
    );
    let now = keywright_core::timefmt::now();
    let expect = keywright_core::otp::timed_code(
        &keywright_core::credential::OtpParams::default(),
        &keywright_core::otp::decode_secret("JBSWY3DPEHPK3PXP")?,
        now,
    )?;
    // The code of this or the previous step (the test may straddle a boundary).
    let prev = keywright_core::otp::timed_code(
        &keywright_core::credential::OtpParams::default(),
        &keywright_core::otp::decode_secret("JBSWY3DPEHPK3PXP")?,
        now - 30,
    )?;
    assert!(
        copied == *expect.code || copied == *prev.code,
        "copied {copied}"
    );
    let last = item_get(&f.state, &t.summary.id)?.history;
    assert_eq!(last.first().map(|e| e.action), Some(Action::Copy));
    Ok(())
}

mod trash_commands {
    use super::*;
    use crate::trash::{item_purge, item_restore, trash_empty, trash_list};

    #[test]
    fn delete_moves_to_the_trash_and_undo_brings_it_back() -> TestResult {
        let f = fixture(true)?;
        vault_unlock(&f.state, &SecretString::from(PW))?;
        let d = item_add(&f.state, api_key("Stripe live", "sk_live_123")?)?;
        let id = d.summary.id.clone();
        let t = item_delete(&f.state, &id)?;
        assert!(t.in_trash);
        assert_eq!(t.name.as_deref(), Some("Stripe live"));
        let (at, purge) = (t.deleted_at.ok_or("time")?, t.purge_at.ok_or("time")?);
        assert_eq!(purge - at, 30 * 86_400);
        assert!(items_list(&f.state)?.items.is_empty());
        let e = item_get(&f.state, &id).err().ok_or("gone")?;
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.message.contains("in the Trash"), "{}", e.message);

        let list = trash_list(&f.state)?;
        assert_eq!(list.keep_days, 30);
        assert_eq!(list.items.len(), 1);
        assert_eq!(list.items[0].id, id);
        assert_eq!(list.items[0].name, "Stripe live");
        assert_eq!(list.items[0].days_left, 30);
        assert_eq!(list.items[0].tags, ["prod"]);
        // No secret crosses with the list.
        assert!(!serde_json::to_string(&list)?.contains("sk_live_123"));

        // Undo.
        let back = item_restore(&f.state, &id, None)?;
        assert_eq!(back.summary.id, id);
        let actions: Vec<Action> = back.history.iter().map(|e| e.action).collect();
        assert_eq!(actions, [Action::Restore, Action::Trash, Action::Add]);
        assert_eq!(items_list(&f.state)?.items.len(), 1);
        assert!(trash_list(&f.state)?.items.is_empty());
        let r = item_reveal(&f.state, &id, SecretField::Value)?;
        assert_eq!(serde_json::to_value(&r)?, "sk_live_123");
        assert!(items_list(&f.state)?.warnings.is_empty());
        Ok(())
    }

    #[test]
    fn a_taken_name_is_a_form_error_and_a_new_name_restores() -> TestResult {
        let f = fixture(true)?;
        vault_unlock(&f.state, &SecretString::from(PW))?;
        let id = item_add(&f.state, api_key("GitHub", "ghp_1")?)?.summary.id;
        item_delete(&f.state, &id)?;
        item_add(&f.state, api_key("github", "ghp_2")?)?;
        let e = item_restore(&f.state, &id, Some("  ".into()))
            .err()
            .ok_or("conflict")?;
        assert_eq!(e.kind, ErrorKind::DuplicateName);
        assert_eq!(e.field.as_deref(), Some("name"));
        assert!(e.message.contains("\"GitHub\""), "{}", e.message);
        let d = item_restore(&f.state, &id, Some("GitHub (old)".into()))?;
        assert_eq!(d.summary.name, "GitHub (old)");
        let names: Vec<String> = items_list(&f.state)?
            .items
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(names, ["github", "GitHub (old)"]);
        Ok(())
    }

    #[test]
    fn purge_empty_and_the_watch_purges_after_30_days() -> TestResult {
        let f = fixture(true)?;
        vault_unlock(&f.state, &SecretString::from(PW))?;
        let mut ids = Vec::new();
        for n in ["A", "B", "C", "D"] {
            let id = item_add(&f.state, api_key(n, "v")?)?.summary.id;
            item_delete(&f.state, &id)?;
            ids.push(id);
        }
        item_purge(&f.state, &ids[0])?;
        let e = item_purge(&f.state, &ids[0]).err().ok_or("gone")?;
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(trash_list(&f.state)?.items.len(), 3);
        // The watch purges what has been there 30 days, at the time it is given.
        let now = crate::watch::now();
        let t = crate::watch::tick(&f.state, now + 30 * 86_400 - 120);
        assert!(t.purged.is_empty(), "{:?}", t.purged);
        let t = crate::watch::tick(&f.state, now + 30 * 86_400 + 5);
        assert_eq!(t.purged.len(), 3);
        assert!(trash_list(&f.state)?.items.is_empty());
        let id = item_add(&f.state, api_key("E", "v")?)?.summary.id;
        item_delete(&f.state, &id)?;
        assert_eq!(trash_empty(&f.state)?, 1);
        assert_eq!(trash_empty(&f.state)?, 0);
        assert!(items_list(&f.state)?.warnings.is_empty());
        Ok(())
    }
}
