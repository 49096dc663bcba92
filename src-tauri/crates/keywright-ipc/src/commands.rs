//! The command bodies. Each is a few lines over keywright-core; `src-tauri` wraps each in
//! a `#[tauri::command]` of the same name that runs it on a worker thread.

use keywright_core::credential::{Kind, NewItem, SecretFields};
use keywright_core::otp::uri;
use keywright_core::vault::{Item, ItemPatch, KeyringOutcome};
use keywright_core::{CreateOptions, Error as CoreError, Vault, timefmt};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::dto::{
    Copied, CopiedMain, CreatedVault, DamagedItem, ItemDetail, ItemEdit, ItemInput, ItemList,
    ItemSummary, KeyringChange, OtpLink, PlainField, Revealed, SecretField, SecretPresence,
    Settings, SettingsView, VaultState, VaultStatus,
};
use crate::error::{ErrorKind, IpcError};
use crate::state::AppState;

/// The app asks for at least this many characters in a new vault password.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Where the app keeps its preferences in the vault's sealed settings.
const SETTINGS_KEY: &str = "app";
/// The detail pane shows this many audit events of an item.
const HISTORY_LEN: usize = 50;

fn status_of(path: &std::path::Path, vault: Option<&Vault>) -> Result<VaultStatus, IpcError> {
    let path = path.display().to_string();
    Ok(match vault {
        None => VaultStatus {
            state: VaultState::None,
            path,
            item_count: None,
            has_keyring: false,
        },
        Some(v) => {
            let unlocked = v.is_unlocked();
            VaultStatus {
                state: if unlocked {
                    VaultState::Unlocked
                } else {
                    VaultState::Locked
                },
                path,
                item_count: if unlocked {
                    Some(u32::try_from(v.item_count()?).unwrap_or(u32::MAX))
                } else {
                    None
                },
                has_keyring: v.has_keyring_slot(),
            }
        }
    })
}

fn no_vault(path: &std::path::Path) -> IpcError {
    CoreError::NoVault {
        path: path.to_path_buf(),
    }
    .into()
}

/// Core validation errors name the field in words ("API key", "token URL"); forms need
/// the input's key.
pub(crate) fn form_field(e: IpcError) -> IpcError {
    let field = e.field.as_deref().map(|f| match f {
        "API key" | "token" | "TOTP secret" | "otpauth URI" => "value",
        "tag" => "tags",
        "client id" => "client_id",
        "issuer" => "oauth_issuer",
        "token URL" => "token_url",
        "OAuth2 client" => "token_url",
        "query parameter" | "header name" => "placement",
        other => other,
    });
    IpcError {
        field: field.map(str::to_owned),
        ..e
    }
}

/// After an unlock: the vault's preferences, and what the unlock changed (items renamed by
/// the name-folding upgrade) for the list's warnings.
pub(crate) fn after_unlock(state: &AppState, vault: &mut Vault) {
    let notices = vault.take_notices();
    if !notices.is_empty() {
        state.add_notices(notices);
    }
    load_settings(state, vault);
}

fn load_settings(state: &AppState, vault: &Vault) {
    let s = vault
        .setting(SETTINGS_KEY)
        .ok()
        .flatten()
        .and_then(|v| serde_json::from_value::<Settings>(v).ok())
        .unwrap_or_default();
    state.set_settings(s);
}

// ----- vault -----------------------------------------------------------------------------

pub fn vault_status(state: &AppState) -> Result<VaultStatus, IpcError> {
    state.with_session(|path, vault| status_of(path, vault.as_deref()))
}

/// Create the vault (first run). The KDF is calibrated on this machine (≈ 0.5 s).
pub fn vault_create(
    state: &AppState,
    password: &SecretString,
    keyring: bool,
) -> Result<CreatedVault, IpcError> {
    let path = state.vault_path()?.to_path_buf();
    if password.expose_secret().chars().count() < MIN_PASSWORD_CHARS {
        return Err(IpcError::invalid(
            "password",
            format!("use at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if path.exists() {
        return Err(CoreError::VaultExists { path }.into());
    }
    let (kr, mut notice) = if keyring {
        match state.keyring() {
            Ok(kr) => (Some(kr), None),
            Err(e) => (None, Some(e.to_string())),
        }
    } else {
        (None, None)
    };
    let created = Vault::create(
        &path,
        password,
        CreateOptions {
            kdf: None,
            keyring: kr,
        },
    )?;
    let keyring_enabled = match created.keyring {
        KeyringOutcome::Enabled => true,
        KeyringOutcome::NotRequested => false,
        KeyringOutcome::Unavailable(reason) => {
            notice = Some(reason);
            false
        }
    };
    let recovery_code = Revealed(Zeroizing::new(
        created.recovery_code.expose_secret().to_owned(),
    ));
    // For Copy and Save on the first-run screen (dropped when it is dismissed).
    state.hold_recovery_code(recovery_code.0.clone());
    state.set_settings(Settings::default());
    state.install(created.vault);
    state.touch();
    Ok(CreatedVault {
        status: vault_status(state)?,
        recovery_code,
        keyring_enabled,
        keyring_notice: notice,
    })
}

/// A vault made by joining a sync folder (`sync::sync_join`), unlocked: the app's vault now.
pub(crate) fn install_joined(state: &AppState, vault: Vault) {
    state.set_settings(Settings::default());
    state.install(vault);
    let _ = state.with_vault(|v| {
        after_unlock(state, v);
        Ok(())
    });
    state.touch();
}

pub fn vault_unlock(state: &AppState, password: &SecretString) -> Result<VaultStatus, IpcError> {
    let status = state.with_session(|path, vault| {
        let vault = vault.ok_or_else(|| no_vault(path))?;
        if !vault.is_unlocked() {
            vault.unlock_with_password(password)?;
        }
        after_unlock(state, vault);
        status_of(path, Some(vault))
    })?;
    state.touch();
    Ok(status)
}

/// Unlock with the key kept in the OS keyring. Any failure (no keyring slot, keyring
/// locked or unavailable, entry removed) comes back as an error; the UI keeps the
/// password field, so the password is always the fallback.
pub fn vault_unlock_keyring(state: &AppState) -> Result<VaultStatus, IpcError> {
    let status = state.with_session(|path, vault| {
        let vault = vault.ok_or_else(|| no_vault(path))?;
        if !vault.is_unlocked() {
            if !vault.has_keyring_slot() {
                return Err(CoreError::KeyringSlotMissing {
                    reason: "this vault has no keyring slot; unlock it with the password".into(),
                }
                .into());
            }
            vault.unlock_with_keyring(&state.keyring()?)?;
        }
        after_unlock(state, vault);
        status_of(path, Some(vault))
    })?;
    state.touch();
    Ok(status)
}

pub fn vault_lock(state: &AppState) -> Result<VaultStatus, IpcError> {
    state.end_waits();
    state.with_session(|path, mut vault| {
        if let Some(vault) = vault.as_deref_mut() {
            vault.lock();
        }
        status_of(path, vault.as_deref())
    })
}

/// Change the vault password after checking the current one.
pub fn vault_change_password(
    state: &AppState,
    current: &SecretString,
    new: &SecretString,
) -> Result<(), IpcError> {
    if new.expose_secret().chars().count() < MIN_PASSWORD_CHARS {
        return Err(IpcError::invalid(
            "new_password",
            format!("use at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    state.with_vault(|vault| {
        // Check the current password on a second handle: the session stays as it is.
        let mut check = Vault::open(vault.path())?;
        match check.unlock_with_password(current) {
            Ok(()) => {}
            Err(CoreError::WrongPassword) => {
                return Err(IpcError {
                    kind: ErrorKind::WrongPassword,
                    message: "the current password is wrong".into(),
                    field: Some("current_password".into()),
                });
            }
            Err(e) => return Err(e.into()),
        }
        check.lock();
        Ok(vault.change_password(new, None)?)
    })
}

// ----- items -----------------------------------------------------------------------------

pub fn items_list(state: &AppState) -> Result<ItemList, IpcError> {
    state.with_vault(|vault| {
        let now = timefmt::now();
        let items = vault
            .items()?
            .iter()
            .map(|i| ItemSummary::new(i, now))
            .collect();
        let damaged = vault
            .tampered()?
            .iter()
            .map(|t| DamagedItem {
                id: t.id.clone(),
                reason: t.reason.clone(),
            })
            .collect();
        // Damage the rows cannot show: items removed outside Keywright (the sealed count),
        // and what the last unlock changed.
        let mut warnings: Vec<String> = vault.item_count_problem()?.into_iter().collect();
        warnings.extend(state.notices());
        Ok(ItemList {
            items,
            damaged,
            warnings,
        })
    })
}

pub(crate) fn detail(vault: &mut Vault, item: Item) -> Result<ItemDetail, IpcError> {
    let secret = vault.open_secret(&item.id)?;
    let secrets = SecretPresence {
        value: !secret.value.is_empty(),
        notes: !secret.notes.is_empty(),
        access_token: !secret.access_token.is_empty(),
        refresh_token: !secret.refresh_token.is_empty(),
    };
    let recognized = matches!(item.overview.kind, Kind::ApiKey | Kind::Bearer)
        .then(|| keywright_core::recognize::recognize(&secret.value))
        .flatten()
        .map(|r| crate::dto::RecognizedKey {
            service: r.service.to_owned(),
            variant: r.variant.map(str::to_owned),
            label: r.label.to_owned(),
            test_url: r.test_url.map(str::to_owned),
        });
    drop(secret);
    let mut history = vault.audit_log(Some(&item.id))?;
    history.reverse();
    history.truncate(HISTORY_LEN);
    let ov = &item.overview;
    let reference = keywright_core::refs::Reference::new(
        ov.name.clone(),
        keywright_core::refs::natural_field(ov.kind),
    )
    .to_string();
    Ok(ItemDetail {
        summary: ItemSummary::new(&item, timefmt::now()),
        placement: ov.placement.clone(),
        oauth: ov.oauth.clone(),
        otp: ov.otp,
        manual_expires_at: ov.expires_at,
        token_expires_at: ov.token_expires_at,
        rotate_every_days: ov.rotate_every_days,
        warn_days: ov.warn_days,
        created_at: ov.created_at,
        last_rotated_at: ov.last_rotated_at,
        secrets,
        recognized,
        previous_versions: vault.previous_versions(&item.id)?,
        history,
        reference,
    })
}

pub fn item_get(state: &AppState, id: &str) -> Result<ItemDetail, IpcError> {
    state.with_vault(|vault| {
        let item = vault.find(id)?;
        detail(vault, item)
    })
}

fn pick(secret: &SecretFields, field: SecretField) -> Result<Zeroizing<String>, IpcError> {
    let v = match field {
        SecretField::Value => &secret.value,
        SecretField::Notes => &secret.notes,
        SecretField::AccessToken => &secret.access_token,
        SecretField::RefreshToken => &secret.refresh_token,
    };
    if v.is_empty() {
        return Err(IpcError::new(
            ErrorKind::NotFound,
            format!("this item has no {}", field.as_str().replace('_', " ")),
        ));
    }
    Ok(Zeroizing::new(v.clone()))
}

/// The one secret field the user asked to see (audited as a reveal).
pub fn item_reveal(state: &AppState, id: &str, field: SecretField) -> Result<Revealed, IpcError> {
    state.with_vault(|vault| {
        let value = pick(&vault.open_secret(id)?, field)?;
        // Audited only once there is something to show.
        vault.record_reveal(id)?;
        Ok(Revealed(value))
    })
}

/// Copy a secret field to the system clipboard (audited); it is cleared after the
/// configured time if the clipboard still holds it.
pub fn item_copy(state: &AppState, id: &str, field: SecretField) -> Result<Copied, IpcError> {
    let text = state.with_vault(|vault| {
        let secret = vault.open_secret(id)?;
        pick(&secret, field)
    })?;
    let clear_after_s = state.copy_text(&text)?;
    drop(text);
    state.with_vault(|vault| Ok(vault.record_copy(id, field.as_str())?))?;
    Ok(Copied { clear_after_s })
}

/// Ctrl+C on a selected item: its main secret, the one a user pastes most. A 2FA item's
/// current code (an HOTP item's next one: the counter advances, as with "Next code"); an
/// OAuth client's access token, or its client secret while it has none; else the value.
pub fn item_copy_main(state: &AppState, id: &str) -> Result<CopiedMain, IpcError> {
    let item = state.with_vault(|v| Ok(v.find(id)?))?;
    if item.overview.kind == Kind::Totp {
        let hotp = item
            .overview
            .otp
            .as_ref()
            .is_some_and(|o| o.otp_type == keywright_core::credential::OtpType::Hotp);
        let copied = if hotp {
            crate::otp::hotp_next(state, id, true)?
                .copied
                .ok_or_else(|| IpcError::new(ErrorKind::Internal, "the code was not copied"))?
        } else {
            crate::otp::otp_copy(state, id)?
        };
        return Ok(CopiedMain {
            clear_after_s: copied.clear_after_s,
            what: "2FA code".to_owned(),
        });
    }
    // One open of the secret picks the field and gives its text.
    let (field, text) = state.with_vault(|v| {
        let secret = v.open_secret(id)?;
        let field = if item.overview.kind == Kind::Oauth2 && !secret.access_token.is_empty() {
            SecretField::AccessToken
        } else {
            SecretField::Value
        };
        Ok((field, pick(&secret, field)?))
    })?;
    let clear_after_s = state.copy_text(&text)?;
    drop(text);
    state.with_vault(|v| Ok(v.record_copy(id, field.as_str())?))?;
    let what = match (item.overview.kind, field) {
        (_, SecretField::AccessToken) => "access token",
        (Kind::ApiKey, _) => "API key",
        (Kind::Bearer, _) => "token",
        (Kind::Oauth2, _) => "client secret",
        _ => "password",
    };
    Ok(CopiedMain {
        clear_after_s,
        what: what.to_owned(),
    })
}

/// Copy a field that is not a secret (username, client ID, URL) to the clipboard, so the
/// window never writes the clipboard itself. Cleared like a secret's copy (the clipboard
/// holds no trace of the vault after the set time); not audited: nothing secret left it.
pub fn item_copy_plain(state: &AppState, id: &str, field: PlainField) -> Result<Copied, IpcError> {
    let text = state.with_vault(|vault| {
        let ov = vault.find(id)?.overview;
        let v = match field {
            PlainField::Username => ov.username,
            PlainField::ClientId => ov.oauth.map(|o| o.client_id),
            PlainField::Url => ov.url,
            PlainField::Reference => Some(
                keywright_core::refs::Reference::new(
                    ov.name.clone(),
                    keywright_core::refs::natural_field(ov.kind),
                )
                .to_string(),
            ),
        };
        Ok(v.filter(|v| !v.trim().is_empty()))
    })?;
    let Some(text) = text else {
        return Err(IpcError::new(
            ErrorKind::NotFound,
            format!("This item has no {}.", field.label()),
        ));
    };
    let clear_after_s = state.copy_text(&text)?;
    Ok(Copied { clear_after_s })
}

fn expose(s: Option<&SecretString>) -> String {
    s.map(|s| s.expose_secret().to_owned()).unwrap_or_default()
}

fn blank_to_none(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Whether a 2FA secret field holds an `otpauth://` link rather than a base32 seed.
fn is_otp_link(value: &str) -> bool {
    value
        .trim_start()
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("otpauth:"))
}

/// What an `otpauth://` link pasted in the 2FA form says, without its secret, for the form
/// to fill its fields. The core's parser reads it (the CLI's and the import's); an invalid
/// link is an `invalid_input` error on the `value` field that names the problem.
pub fn otp_link_read(link: &SecretString) -> Result<OtpLink, IpcError> {
    let acc = uri::parse(link.expose_secret()).map_err(|e| form_field(e.into()))?;
    Ok(OtpLink {
        issuer: acc.issuer.clone(),
        account: acc.account.clone(),
        otp: acc.params,
        counter: acc.counter,
    })
}

/// A 2FA item whose secret field holds an `otpauth://` link: the seed and the counter are
/// read from it; what the form sends (issuer, account, parameters, counter) wins over the
/// link's, as flags do for `keywright add totp NAME 'otpauth://…'`.
fn take_otp_link(new: &mut NewItem, counter: Option<u64>) -> Result<(), IpcError> {
    if new.kind != Kind::Totp || !is_otp_link(&new.secret.value) {
        new.secret.counter = counter.unwrap_or(0);
        return Ok(());
    }
    let link = Zeroizing::new(std::mem::take(&mut new.secret.value));
    let acc = uri::parse(&link).map_err(|e| form_field(e.into()))?;
    new.secret.value = acc.secret.as_str().to_owned();
    new.otp = new.otp.or(Some(acc.params));
    if new.issuer.is_none() {
        new.issuer = acc.issuer.clone();
    }
    if new.username.is_none() {
        new.username = acc.account.clone();
    }
    new.secret.counter = counter.unwrap_or(acc.counter);
    Ok(())
}

pub fn item_add(state: &AppState, input: ItemInput) -> Result<ItemDetail, IpcError> {
    let mut secret = SecretFields::default();
    secret.value = input.value.expose_secret().to_owned();
    secret.notes = expose(input.notes.as_ref());
    secret.access_token = expose(input.access_token.as_ref());
    secret.refresh_token = expose(input.refresh_token.as_ref());
    let new = NewItem {
        name: input.name,
        kind: input.kind,
        tags: input.tags,
        url: blank_to_none(input.url),
        username: blank_to_none(input.username),
        issuer: blank_to_none(input.issuer),
        placement: input.placement,
        oauth: input.oauth,
        otp: input.otp,
        expires_at: input.expires_at,
        rotate_every_days: input.rotate_every_days,
        warn_days: input.warn_days,
        secret,
    };
    let mut new = new;
    take_otp_link(&mut new, input.counter)?;
    state.with_vault(|vault| {
        let item = vault.add(new).map_err(|e| form_field(e.into()))?;
        detail(vault, item)
    })
}

pub fn item_update(state: &AppState, id: &str, edit: ItemEdit) -> Result<ItemDetail, IpcError> {
    let z = |s: Option<SecretString>| s.map(|s| Zeroizing::new(s.expose_secret().to_owned()));
    let patch = ItemPatch {
        name: Some(edit.name),
        tags: Some(edit.tags),
        url: Some(blank_to_none(edit.url)),
        username: Some(blank_to_none(edit.username)),
        issuer: Some(blank_to_none(edit.issuer)),
        placement: edit.placement,
        oauth: edit.oauth,
        otp: edit.otp,
        expires_at: Some(edit.expires_at),
        rotate_every_days: Some(edit.rotate_every_days.unwrap_or(0)),
        warn_days: Some(edit.warn_days),
        value: z(edit.value),
        notes: z(edit.notes),
        access_token: z(edit.access_token),
        refresh_token: z(edit.refresh_token),
        counter: None,
    };
    state.with_vault(|vault| {
        let mut patch = patch;
        // A new 2FA secret given as an otpauth:// link: its seed, and its counter (HOTP).
        if patch.value.as_deref().is_some_and(|v| is_otp_link(v))
            && vault.find(id)?.overview.kind == Kind::Totp
        {
            let link = patch.value.take().unwrap_or_default();
            let acc = uri::parse(&link).map_err(|e| form_field(e.into()))?;
            patch.value = Some(Zeroizing::new(acc.secret.as_str().to_owned()));
            if patch.otp.is_none() {
                patch.otp = Some(acc.params);
            }
            if acc.params.otp_type == keywright_core::credential::OtpType::Hotp {
                patch.counter = Some(acc.counter);
            }
        }
        // Token expiries are learnt from the server (renewal), not typed: keep them.
        if let Some(cfg) = patch.oauth.as_mut() {
            let old = vault.find(id)?.overview.oauth;
            cfg.access_expires_at = old.as_ref().and_then(|o| o.access_expires_at);
            cfg.refresh_expires_at = old.as_ref().and_then(|o| o.refresh_expires_at);
        }
        let item = vault.update(id, patch).map_err(|e| form_field(e.into()))?;
        detail(vault, item)
    })
}

/// Move an item to the Trash (restorable for 30 days); returns what the Undo toast needs.
/// A damaged item cannot be sealed into the Trash: it is deleted for good (`in_trash`
/// false, no Undo).
pub fn item_delete(state: &AppState, id: &str) -> Result<crate::dto::Trashed, IpcError> {
    state.with_vault(|vault| match vault.trash(id) {
        Ok(t) => Ok(crate::dto::Trashed::from_trashed(&t)),
        Err(CoreError::Tampered { item, .. }) => {
            vault.delete(&item)?;
            Ok(crate::dto::Trashed {
                id: item,
                name: None,
                in_trash: false,
                deleted_at: None,
                purge_at: None,
            })
        }
        Err(e) => Err(e.into()),
    })
}

// ----- settings --------------------------------------------------------------------------

fn settings_view(state: &AppState, vault: &Vault) -> SettingsView {
    SettingsView {
        settings: state.settings(),
        keyring_enabled: vault.has_keyring_slot(),
        path: vault.path().display().to_string(),
    }
}

pub fn settings_get(state: &AppState) -> Result<SettingsView, IpcError> {
    state.with_vault(|vault| Ok(settings_view(state, vault)))
}

pub fn settings_set(state: &AppState, s: Settings) -> Result<SettingsView, IpcError> {
    if s.auto_lock_minutes > 24 * 60 {
        return Err(IpcError::invalid(
            "auto_lock_minutes",
            "auto-lock can wait at most 1440 minutes (24 hours); 0 means never",
        ));
    }
    if s.clipboard_clear_seconds != 0 && !(5..=600).contains(&s.clipboard_clear_seconds) {
        return Err(IpcError::invalid(
            "clipboard_clear_seconds",
            "clear the clipboard after 5 to 600 seconds, or 0 for never",
        ));
    }
    state.with_vault(|vault| {
        let v = serde_json::to_value(s).map_err(|e| IpcError::internal(e.to_string()))?;
        vault.set_setting(SETTINGS_KEY, &v)?;
        state.set_settings(s);
        Ok(settings_view(state, vault))
    })
}

/// Add or remove the keyring slot.
pub fn keyring_set(state: &AppState, enabled: bool) -> Result<KeyringChange, IpcError> {
    state.with_vault(|vault| {
        if enabled {
            let kr = state.keyring()?;
            Ok(match vault.enable_keyring(&kr)? {
                KeyringOutcome::Enabled | KeyringOutcome::NotRequested => KeyringChange {
                    enabled: true,
                    notice: None,
                },
                KeyringOutcome::Unavailable(reason) => KeyringChange {
                    enabled: false,
                    notice: Some(reason),
                },
            })
        } else {
            let kr = state.keyring().ok();
            let notice = vault.disable_keyring(kr.as_ref())?;
            Ok(KeyringChange {
                enabled: false,
                notice,
            })
        }
    })
}

/// The UI reports user activity (keys, pointer) at most every few seconds.
pub fn app_activity(state: &AppState) {
    state.touch();
}
