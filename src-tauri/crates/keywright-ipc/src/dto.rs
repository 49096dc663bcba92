//! What crosses the IPC boundary, exported to TypeScript (`ui/src/bindings/`).
//!
//! Field names are snake_case on the wire, the same as the core's JSON and the CLI's
//! `--json`, so one vocabulary serves scripts and the UI. Times are Unix seconds. Nothing
//! here carries a secret except [`Revealed`] (after an explicit Reveal) and the inputs the
//! user typed ([`ItemInput`], [`ItemEdit`]), which arrive as `SecretString`.

use keywright_core::credential::{Kind, OAuthConfig, OtpParams, Placement};
use keywright_core::expiry::Status;
use keywright_core::vault::{AuditEvent, Item};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum VaultState {
    /// No vault file at the path: first run.
    None,
    Locked,
    Unlocked,
}

/// What the window shows about the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VaultStatus {
    pub state: VaultState,
    pub path: String,
    /// Only when unlocked.
    pub item_count: Option<u32>,
    pub has_keyring: bool,
}

/// A new vault: the recovery code is shown once, then forgotten by the UI.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct CreatedVault {
    pub status: VaultStatus,
    #[ts(type = "string")]
    pub recovery_code: Revealed,
    pub keyring_enabled: bool,
    /// Why the keyring slot could not be added, when it was asked for.
    pub keyring_notice: Option<String>,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ItemSummary {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub tags: Vec<String>,
    pub url: Option<String>,
    pub username: Option<String>,
    pub issuer: Option<String>,
    pub status: Status,
    /// The effective hard expiry (manual date, refresh-token expiry).
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    #[ts(type = "number | null")]
    pub rotation_due_at: Option<i64>,
    #[ts(type = "number")]
    pub updated_at: i64,
}

impl ItemSummary {
    pub fn new(item: &Item, now: i64) -> Self {
        let ov = &item.overview;
        let e = item.expiry(now);
        ItemSummary {
            id: item.id.clone(),
            name: ov.name.clone(),
            kind: ov.kind,
            tags: ov.tags.clone(),
            url: ov.url.clone(),
            username: ov.username.clone(),
            issuer: ov.issuer.clone(),
            status: e.status,
            expires_at: e.expires_at,
            rotation_due_at: e.rotation_due_at,
            updated_at: ov.updated_at,
        }
    }
}

/// An item whose stored data failed its integrity check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DamagedItem {
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ItemList {
    pub items: Vec<ItemSummary>,
    pub damaged: Vec<DamagedItem>,
}

/// Which secret fields an item has, without their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SecretPresence {
    pub value: bool,
    pub notes: bool,
    pub access_token: bool,
    pub refresh_token: bool,
}

/// The detail pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ItemDetail {
    #[serde(flatten)]
    pub summary: ItemSummary,
    pub placement: Option<Placement>,
    pub oauth: Option<OAuthConfig>,
    pub otp: Option<OtpParams>,
    /// The expiry date the user set (the summary's `expires_at` may come from elsewhere).
    #[ts(type = "number | null")]
    pub manual_expires_at: Option<i64>,
    pub rotate_every_days: Option<u32>,
    pub warn_days: Option<u32>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub last_rotated_at: i64,
    pub secrets: SecretPresence,
    /// The item's audit history, newest first.
    pub history: Vec<AuditEvent>,
}

/// A secret field of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SecretField {
    Value,
    Notes,
    AccessToken,
    RefreshToken,
}

impl SecretField {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretField::Value => "value",
            SecretField::Notes => "notes",
            SecretField::AccessToken => "access_token",
            SecretField::RefreshToken => "refresh_token",
        }
    }
}

/// A secret the user asked to see; wiped from the app's memory once sent.
pub struct Revealed(pub Zeroizing<String>);

impl Serialize for Revealed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Revealed([redacted])")
    }
}

/// The outcome of a copy: when the clipboard will be cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Copied {
    /// Seconds until the clipboard is cleared (if it still holds the copy); `null` = never.
    pub clear_after_s: Option<u32>,
}

/// A new item from the add form. Secrets arrive as `SecretString` (zeroized, redacted).
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct ItemInput {
    pub kind: Kind,
    pub name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub url: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub username: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub issuer: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub placement: Option<Placement>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub oauth: Option<OAuthConfig>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub otp: Option<OtpParams>,
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub expires_at: Option<i64>,
    /// `null` = the default policy (90 days); 0 = no rotation reminder.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub rotate_every_days: Option<u32>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub warn_days: Option<u32>,
    #[ts(type = "string")]
    pub value: SecretString,
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    pub notes: Option<SecretString>,
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    pub access_token: Option<SecretString>,
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    pub refresh_token: Option<SecretString>,
}

/// The edit form: the whole item as it should be. Secret fields left `null` keep their
/// value (the form never holds them); `""` clears `notes`, `access_token` or
/// `refresh_token`; a new `value` counts as a rotation. OAuth token expiries are kept
/// from the stored item (they come from the server, not the form).
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct ItemEdit {
    pub name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub url: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub username: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub issuer: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub placement: Option<Placement>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub oauth: Option<OAuthConfig>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub otp: Option<OtpParams>,
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub expires_at: Option<i64>,
    /// `null` or 0 = no rotation reminder.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub rotate_every_days: Option<u32>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub warn_days: Option<u32>,
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    pub value: Option<SecretString>,
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    pub notes: Option<SecretString>,
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    pub access_token: Option<SecretString>,
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    pub refresh_token: Option<SecretString>,
}

/// Per-vault preferences (sealed in the vault).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// Lock after this many idle minutes; 0 = never.
    pub auto_lock_minutes: u32,
    /// Clear a copied secret after this many seconds; 0 = never.
    pub clipboard_clear_seconds: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_lock_minutes: 10,
            clipboard_clear_seconds: 30,
        }
    }
}

/// The settings screen: preferences plus the vault's unlock methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SettingsView {
    #[serde(flatten)]
    pub settings: Settings,
    pub keyring_enabled: bool,
    pub path: String,
}

/// Turning the keyring slot on or off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct KeyringChange {
    pub enabled: bool,
    /// A one-line notice when the keyring could not be used or its entry not removed.
    pub notice: Option<String>,
}

/// Why the vault locked by itself (sent as the `vault-locked` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LockReason {
    Idle,
    User,
}
