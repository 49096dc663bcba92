//! Rotation: "Mark rotated" (a new value, the old one kept for a grace period), the
//! previous version's reveal and copy (through Rust, audited), and "Snooze".

use keywright_core::vault::versions::PREVIOUS_FIELD;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::commands::{detail, form_field};
use crate::dto::{Copied, ItemDetail, Revealed};
use crate::error::IpcError;
use crate::state::AppState;

/// "Mark rotated": `value` replaces the item's secret (an OAuth2 client's secret); the old
/// value stays readable for `grace_days` (0: not kept). Errors name the field `value` or
/// `grace_days` for the dialog.
pub fn item_rotate(
    state: &AppState,
    id: &str,
    value: &SecretString,
    grace_days: u32,
) -> Result<ItemDetail, IpcError> {
    let value = Zeroizing::new(value.expose_secret().to_owned());
    state.with_vault(|vault| {
        let r = vault.rotate(id, value, grace_days).map_err(|e| {
            let e = form_field(e.into());
            match e.field.as_deref() {
                Some("grace") => IpcError {
                    field: Some("grace_days".into()),
                    ..e
                },
                _ => e,
            }
        })?;
        detail(vault, r.item)
    })
}

/// "Snooze": hide the rotation reminder or expiry notice for `days`.
pub fn item_snooze(state: &AppState, id: &str, days: u32) -> Result<ItemDetail, IpcError> {
    state.with_vault(|vault| {
        let item = vault.snooze(id, days)?;
        detail(vault, item)
    })
}

/// A previous version's value, shown to the user (audited as a reveal of the previous
/// value). `version_id` `None` is the newest.
pub fn item_previous_reveal(
    state: &AppState,
    id: &str,
    version_id: Option<&str>,
) -> Result<Revealed, IpcError> {
    state.with_vault(|vault| {
        let (_, value) = vault.reveal_previous(id, version_id)?;
        Ok(Revealed(value))
    })
}

/// Copy a previous version's value to the clipboard (audited; cleared as any copy).
pub fn item_previous_copy(
    state: &AppState,
    id: &str,
    version_id: Option<&str>,
) -> Result<Copied, IpcError> {
    let (_, text) = state.with_vault(|vault| Ok(vault.open_previous(id, version_id)?))?;
    let clear_after_s = state.copy_text(&text)?;
    drop(text);
    state.with_vault(|vault| Ok(vault.record_copy(id, PREVIOUS_FIELD)?))?;
    Ok(Copied { clear_after_s })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use keywright_core::crypto::kdf::KdfParams;
    use keywright_core::vault::Action;
    use keywright_core::vault::keyring::Keyring;
    use keywright_core::{CreateOptions, Status, Vault};
    use secrecy::SecretString;

    use super::*;
    use crate::clipboard::{Clipboard, MemoryClipboard};
    use crate::commands::{item_add, item_get, items_list, vault_unlock};
    use crate::dto::ItemInput;
    use crate::error::ErrorKind;

    type TestResult = Result<(), Box<dyn std::error::Error>>;
    const PW: &str = "correct horse";

    fn fixture()
    -> Result<(tempfile::TempDir, AppState, Arc<MemoryClipboard>), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("vault.db");
        let opts = CreateOptions {
            kdf: Some(KdfParams::new_unchecked(1024, 1, 1)),
            keyring: None,
        };
        Vault::create(&path, &SecretString::from(PW), opts)?;
        let clipboard = Arc::new(MemoryClipboard::default());
        let store = keyring_core::mock::Store::new()?;
        let state = AppState::new(
            Ok(path),
            clipboard.clone(),
            Box::new(move || Ok(Keyring::with_store(store.clone(), "keywright-test"))),
        );
        vault_unlock(&state, &SecretString::from(PW))?;
        Ok((dir, state, clipboard))
    }

    fn add(state: &AppState, v: serde_json::Value) -> Result<String, Box<dyn std::error::Error>> {
        let input: ItemInput = serde_json::from_value(v)?;
        Ok(item_add(state, input)?.summary.id)
    }

    #[test]
    fn rotate_then_reveal_and_copy_the_previous_value() -> TestResult {
        let (_d, state, clipboard) = fixture()?;
        let id = add(
            &state,
            serde_json::json!({"kind": "api_key", "name": "Stripe", "value": "sk_old",
                               "rotate_every_days": 30}),
        )?;
        let d = item_rotate(&state, &id, &SecretString::from("sk_new"), 7)?;
        assert_eq!(d.previous_versions.len(), 1);
        let p = &d.previous_versions[0];
        assert_eq!(p.purge_at - p.created_at, 7 * 86_400);
        assert_eq!(d.last_rotated_at, p.created_at);
        // The detail carries metadata only.
        let json = serde_json::to_string(&item_get(&state, &id)?)?;
        assert!(
            !json.contains("sk_old") && !json.contains("sk_new"),
            "{json}"
        );
        assert!(json.contains("\"previous_versions\":[{\"id\""), "{json}");
        let shown = item_previous_reveal(&state, &id, Some(&p.id))?;
        assert_eq!(shown.0.as_str(), "sk_old");
        let copied = item_previous_copy(&state, &id, None)?;
        assert_eq!(clipboard.text()?.as_deref(), Some("sk_old"));
        assert!(copied.clear_after_s.is_some());
        let history = item_get(&state, &id)?.history;
        assert_eq!(history[0].action, Action::Copy);
        assert_eq!(history[0].detail.as_deref(), Some(PREVIOUS_FIELD));
        assert_eq!(history[1].action, Action::Reveal);
        assert_eq!(history[1].detail.as_deref(), Some(PREVIOUS_FIELD));
        Ok(())
    }

    #[test]
    fn rotate_errors_name_the_dialog_fields() -> TestResult {
        let (_d, state, _c) = fixture()?;
        let id = add(
            &state,
            serde_json::json!({"kind": "api_key", "name": "K", "value": "v1"}),
        )?;
        let e = item_rotate(&state, &id, &SecretString::from("v1"), 7).expect_err("same");
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (ErrorKind::InvalidInput, Some("value"))
        );
        let e = item_rotate(&state, &id, &SecretString::from("v2"), 400).expect_err("long");
        assert_eq!(e.field.as_deref(), Some("grace_days"), "{e:?}");
        let e = item_previous_reveal(&state, &id, None).expect_err("none kept");
        assert!(
            e.message.contains("has no previous version"),
            "{}",
            e.message
        );
        // No grace period: nothing kept.
        let d = item_rotate(&state, &id, &SecretString::from("v2"), 0)?;
        assert!(d.previous_versions.is_empty());
        Ok(())
    }

    #[test]
    fn snooze_shows_ok_with_its_end_in_the_list() -> TestResult {
        let (_d, state, _c) = fixture()?;
        let soon = keywright_core::timefmt::now() + 2 * 86_400;
        let id = add(
            &state,
            serde_json::json!({"kind": "api_key", "name": "Soon", "value": "v",
                               "expires_at": soon}),
        )?;
        let row = |state: &AppState| -> Result<_, IpcError> {
            Ok(items_list(state)?
                .items
                .into_iter()
                .find(|i| i.id == id)
                .expect("listed"))
        };
        assert_eq!(row(&state)?.status, Status::Expiring);
        let d = item_snooze(&state, &id, 7)?;
        assert_eq!(d.summary.status, Status::Ok);
        let r = row(&state)?;
        assert_eq!(r.status, Status::Ok);
        assert!(r.snoozed_until.is_some_and(|t| t > soon));
        assert_eq!(r.expires_at, Some(soon), "the expiry is unchanged");
        let e = item_snooze(&state, &id, 0).expect_err("0 days");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        Ok(())
    }

    #[test]
    fn the_list_says_which_items_renew_without_a_person() -> TestResult {
        let (_d, state, _c) = fixture()?;
        let m2m = add(
            &state,
            serde_json::json!({"kind": "oauth2", "name": "M2M", "value": "s",
                               "oauth": {"client_id": "c", "token_url": "https://auth.example/token"}}),
        )?;
        let login = add(
            &state,
            serde_json::json!({"kind": "oauth2", "name": "Login", "value": "s",
                               "oauth": {"client_id": "c", "token_url": "https://auth.example/token",
                                         "grant": "authorization_code"}}),
        )?;
        let key = add(
            &state,
            serde_json::json!({"kind": "api_key", "name": "K", "value": "v"}),
        )?;
        let list = items_list(&state)?.items;
        let renewable = |id: &str| list.iter().find(|i| i.id == id).map(|i| i.renewable);
        assert_eq!(renewable(&m2m), Some(true), "client credentials");
        assert_eq!(
            renewable(&login),
            Some(false),
            "a login without a refresh token"
        );
        assert_eq!(renewable(&key), Some(false));
        Ok(())
    }

    /// One watch tick purges both: the previous versions whose grace period has ended, and
    /// what has been in the Trash 30 days (a trashed item's versions are kept until then).
    #[test]
    fn the_watch_purges_ended_versions_and_the_trash() -> TestResult {
        let (_d, state, _c) = fixture()?;
        let a = add(
            &state,
            serde_json::json!({"kind": "api_key", "name": "A", "value": "a1"}),
        )?;
        let b = add(
            &state,
            serde_json::json!({"kind": "api_key", "name": "B", "value": "b1"}),
        )?;
        item_rotate(&state, &a, &SecretString::from("a2"), 1)?;
        item_rotate(&state, &b, &SecretString::from("b2"), 30)?;
        crate::commands::item_delete(&state, &b)?;
        let now = crate::watch::now();
        let t = crate::watch::tick(&state, now + 2 * 86_400);
        assert!(t.purged.is_empty(), "{:?}", t.purged);
        // A's version is gone (its row: the detail at the real clock would still show it).
        assert!(item_get(&state, &a)?.previous_versions.is_empty());
        // B's is kept in the Trash, and comes back with a restore.
        crate::trash::item_restore(&state, &b, None)?;
        assert_eq!(item_get(&state, &b)?.previous_versions.len(), 1);
        crate::commands::item_delete(&state, &b)?;
        let t = crate::watch::tick(&state, now + 30 * 86_400 + 60);
        assert_eq!(t.purged, std::slice::from_ref(&b));
        let e = item_previous_reveal(&state, &b, None).expect_err("purged");
        assert_eq!(e.kind, ErrorKind::NotFound);
        Ok(())
    }
}
