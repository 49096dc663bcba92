//! What crosses the IPC boundary, exported to TypeScript (`ui/src/bindings/`).
//!
//! Field names are snake_case on the wire, the same as the core's JSON and the CLI's
//! `--json`, so one vocabulary serves scripts and the UI. Times are Unix seconds. Nothing
//! here carries a secret except [`Revealed`] (after an explicit Reveal) and the inputs the
//! user typed ([`ItemInput`], [`ItemEdit`]), which arrive as `SecretString`.

use keywright_core::credential::{Kind, OAuthConfig, OtpParams, OtpType, Placement};
use keywright_core::expiry::Status;
use keywright_core::vault::versions::PreviousVersion;
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

/// Settings → About: the app's version and the git commit it was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct About {
    pub version: String,
    pub commit: String,
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
    /// The header or query parameter an API key goes in (`X-API-Key`, `api_key`): the
    /// search finds an item by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub placement_name: Option<String>,
    pub status: Status,
    /// The effective hard expiry (manual date, refresh-token expiry).
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    #[ts(type = "number | null")]
    pub rotation_due_at: Option<i64>,
    /// While a snooze hides the rotation reminder or expiry notice (the status is then
    /// `ok`): when it ends. A snooze never hides an expiry that has come.
    #[ts(type = "number | null")]
    pub snoozed_until: Option<i64>,
    /// An OAuth2 item whose access token Keywright can renew without a person (it holds a
    /// refresh token the server has not refused, or it uses client credentials): the
    /// timeline offers Renew.
    pub renewable: bool,
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
            placement_name: match &ov.placement {
                Some(Placement::Header { name } | Placement::Query { name }) => Some(name.clone()),
                Some(Placement::Bearer) | None => None,
            },
            status: e.status,
            expires_at: e.expires_at,
            rotation_due_at: e.rotation_due_at,
            snoozed_until: e.snoozed_until,
            renewable: ov.oauth.as_ref().is_some_and(|o| {
                !o.reauth_required && (o.has_refresh_token || !o.grant().is_interactive())
            }),
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
    /// Problems of the vault as a whole, in words: items removed outside Keywright, items
    /// renamed by the last unlock's name-folding upgrade.
    pub warnings: Vec<String>,
}

/// An item just deleted: what the Undo toast needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Trashed {
    pub id: String,
    /// `None` for a damaged item (its name could not be read).
    pub name: Option<String>,
    /// False when the item was damaged and deleted for good (it cannot go to the Trash):
    /// no Undo then.
    pub in_trash: bool,
    #[ts(type = "number | null")]
    pub deleted_at: Option<i64>,
    /// When it is purged from the Trash.
    #[ts(type = "number | null")]
    pub purge_at: Option<i64>,
}

impl Trashed {
    pub fn from_trashed(t: &keywright_core::vault::TrashedItem) -> Self {
        Trashed {
            id: t.id.clone(),
            name: Some(t.overview.name.clone()),
            in_trash: true,
            deleted_at: Some(t.deleted_at),
            purge_at: Some(t.purge_at()),
        }
    }
}

/// One row of the Trash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrashSummary {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub tags: Vec<String>,
    pub url: Option<String>,
    pub username: Option<String>,
    pub issuer: Option<String>,
    #[ts(type = "number")]
    pub deleted_at: i64,
    #[ts(type = "number")]
    pub purge_at: i64,
    /// Whole days until the purge, rounded up.
    pub days_left: u32,
}

impl TrashSummary {
    pub fn new(t: &keywright_core::vault::TrashedItem, now: i64) -> Self {
        let ov = &t.overview;
        TrashSummary {
            id: t.id.clone(),
            name: ov.name.clone(),
            kind: ov.kind,
            tags: ov.tags.clone(),
            url: ov.url.clone(),
            username: ov.username.clone(),
            issuer: ov.issuer.clone(),
            deleted_at: t.deleted_at,
            purge_at: t.purge_at(),
            days_left: u32::try_from(t.days_left(now)).unwrap_or(u32::MAX),
        }
    }
}

/// What the Trash holds, the most recently deleted first; damaged rows can only be purged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrashList {
    pub items: Vec<TrashSummary>,
    pub damaged: Vec<DamagedItem>,
    /// Days an item stays in the Trash.
    pub keep_days: u32,
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
    /// `exp` of the stored token when it is a JWT (bearer tokens, API keys).
    #[ts(type = "number | null")]
    pub token_expires_at: Option<i64>,
    pub rotate_every_days: Option<u32>,
    pub warn_days: Option<u32>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub last_rotated_at: i64,
    pub secrets: SecretPresence,
    /// What the key or token is, from its shape (API keys and bearer tokens; never sent
    /// anywhere to find out): "Stripe live secret key", with a harmless test URL.
    pub recognized: Option<RecognizedKey>,
    /// Values replaced by "Mark rotated" still in their grace period, newest first
    /// (metadata only; the value through `item_previous_reveal` / `item_previous_copy`).
    pub previous_versions: Vec<PreviousVersion>,
    /// The item's audit history, newest first.
    pub history: Vec<AuditEvent>,
    /// The secret reference to the item's main value (`keywright://NAME/FIELD`), for a
    /// `.env` template or a project's `.keywright.toml`. Not a secret.
    pub reference: String,
}

/// What a key is, from its shape (`keywright_core::recognize`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RecognizedKey {
    /// A stable lower-case id: `stripe`, `github`, `jwt`.
    pub service: String,
    /// `live`, `test`, `restricted`… when the service has variants.
    pub variant: Option<String>,
    /// What to call it: "Stripe live secret key".
    pub label: String,
    /// A harmless "who am I" endpoint that answers with this key.
    pub test_url: Option<String>,
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

/// A field of an item that is not a secret, copied from the detail pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PlainField {
    Username,
    /// An OAuth item's client ID.
    ClientId,
    Url,
    /// The item's secret reference (`keywright://NAME/FIELD`).
    Reference,
}

impl PlainField {
    /// In words, for a message.
    pub fn label(self) -> &'static str {
        match self {
            PlainField::Username => "username",
            PlainField::ClientId => "client ID",
            PlainField::Url => "URL",
            PlainField::Reference => "reference",
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

/// What Ctrl+C copied (`item_copy_main`) and when the clipboard will be cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CopiedMain {
    /// Seconds until the clipboard is cleared (if it still holds the copy); `null` = never.
    pub clear_after_s: Option<u32>,
    /// What was copied, for the toast: "2FA code", "access token", "API key", …
    pub what: String,
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
    /// 2FA (HOTP): the counter of the next code; `null` = 0, or the pasted link's.
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub counter: Option<u64>,
}

/// What an `otpauth://` link says, without its secret: the 2FA form fills its fields from
/// it (read by the core's parser, the one the CLI and the import use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OtpLink {
    pub issuer: Option<String>,
    pub account: Option<String>,
    pub otp: OtpParams,
    /// HOTP: the counter of the next code (0 for TOTP and Steam).
    #[ts(type = "number")]
    pub counter: u64,
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

// ---- 2FA codes ----

/// One 2FA item in the Codes view, with its live code. Codes are not secrets in the sense
/// of the vault (they expire within a period), and showing them is what the view is for;
/// the seed never leaves Rust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OtpCode {
    pub id: String,
    pub name: String,
    pub issuer: Option<String>,
    pub account: Option<String>,
    pub tags: Vec<String>,
    pub otp_type: OtpType,
    pub digits: u8,
    pub period: u32,
    /// The current code; `null` for HOTP (made on request, it advances the counter).
    pub code: Option<String>,
    /// The code of the next period (shown in the last seconds); `null` for HOTP.
    pub next_code: Option<String>,
    /// First second of the current period (Unix seconds; 0 for HOTP).
    #[ts(type = "number")]
    pub valid_from: i64,
    /// First second of the next period (Unix seconds; 0 for HOTP).
    #[ts(type = "number")]
    pub valid_until: i64,
    /// HOTP: the counter of the next code.
    #[ts(type = "number | null")]
    pub counter: Option<u64>,
}

/// Every 2FA item's code at `now` (Rust's clock, Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OtpCodes {
    #[ts(type = "number")]
    pub now: i64,
    pub codes: Vec<OtpCode>,
    /// 2FA items whose seed failed its integrity check (not shown).
    pub damaged: u32,
}

/// A fresh HOTP code and the counter it was made with (the stored counter is now one more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct HotpCode {
    pub code: String,
    #[ts(type = "number")]
    pub counter: u64,
    /// When `copy` was asked: when the clipboard will be cleared.
    pub copied: Option<Copied>,
}

// ---- imports ----

/// Where an import reads from.
// `Debug` is written by hand below: the path or name and sizes, never the text (seeds).
#[derive(Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ImportSource {
    /// Pasted text (otpauth URIs, a migration link, an export's JSON).
    Text { text: String },
    /// A file the user chose or dropped on the window.
    File { path: String },
    /// A file read by the window (`<input type=file>`), base64-encoded.
    Bytes { name: String, base64: String },
}

impl std::fmt::Debug for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportSource::Text { text } => f
                .debug_struct("Text")
                .field("bytes", &text.len())
                .finish_non_exhaustive(),
            ImportSource::File { path } => f.debug_struct("File").field("path", path).finish(),
            ImportSource::Bytes { name, base64 } => f
                .debug_struct("Bytes")
                .field("name", name)
                .field("base64_len", &base64.len())
                .finish_non_exhaustive(),
        }
    }
}

/// The formats an import reads (`null` in a request = detect from the content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportFormat {
    Otpauth,
    Qr,
    GoogleMigration,
    Aegis,
    TwoFas,
    Ente,
    Dotenv,
    Kdbx,
    KeepassxcXml,
    KeepassxcCsv,
    Bitwarden,
    Onepassword,
    Postman,
    Bruno,
    Insomnia,
    Csv,
}

/// What the user gave besides the source.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ImportOptions {
    /// Tags added to every imported item.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A `.env` file's project (the tag its items get; default: the file's folder name).
    #[serde(default)]
    pub project: Option<String>,
    /// A CSV import's column mapping: `name=Title,secret=Password,url=URL,…`.
    #[serde(default)]
    pub map: Option<String>,
}

/// What an import would do with one entry of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportStatus {
    /// Will be added.
    New,
    /// The vault already has this seed (or the file has it twice): skipped.
    Duplicate,
    /// Cannot be imported; `reason` says why.
    Invalid,
}

/// One entry of an import preview. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportRow {
    /// Its index in the preview: what `import_commit` takes to choose rows.
    pub row: u32,
    /// 1-based line or index in the source.
    pub position: u32,
    /// How to name it in messages: `line 3`, `entry 2`, `QR code 1`.
    pub label: String,
    pub status: ImportStatus,
    /// The kind of item it becomes (valid and duplicate rows).
    pub kind: Option<Kind>,
    /// Whether the preview offers it ticked (obvious settings of a `.env` file are not).
    pub selected: bool,
    /// The item name it will get (unique in the vault), when it is valid.
    pub name: Option<String>,
    pub issuer: Option<String>,
    /// The account or user name.
    pub account: Option<String>,
    pub url: Option<String>,
    pub tags: Vec<String>,
    pub otp_type: Option<OtpType>,
    pub digits: Option<u8>,
    pub period: Option<u32>,
    /// Requests of an API-client collection saved with the item.
    pub requests: u32,
    /// What the preview says about it ("a JWT: …", "looks like a setting, not a secret").
    pub hint: Option<String>,
    /// Why it is invalid.
    pub reason: Option<String>,
    /// For a duplicate: the name of the item that already has this credential.
    pub duplicate_of: Option<String>,
}

/// The preview of an import, kept in Rust under `id` until committed or cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    pub id: String,
    pub format: ImportFormat,
    pub rows: Vec<ImportRow>,
    pub new_count: u32,
    pub duplicate_count: u32,
    pub invalid_count: u32,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    /// Names of the items added.
    pub added: Vec<String>,
    pub skipped_duplicates: u32,
    pub skipped_invalid: u32,
    /// New rows the user left unticked.
    pub skipped_unselected: u32,
}

/// One backup file (a snapshot of the vault, still sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BackupEntry {
    pub path: String,
    #[ts(type = "number")]
    pub taken_at: i64,
    /// Bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Items in it (read without unlocking), when it could be read.
    #[ts(type = "number | null")]
    pub items: Option<u64>,
    /// Whole and readable; an incomplete file is never restored.
    pub complete: bool,
    /// Why it is not complete.
    pub problem: Option<String>,
}

impl From<&keywright_core::vault::backup::BackupInfo> for BackupEntry {
    fn from(b: &keywright_core::vault::backup::BackupInfo) -> Self {
        BackupEntry {
            path: b.path.display().to_string(),
            taken_at: b.taken_at,
            size: b.size,
            items: b.items,
            complete: b.complete,
            problem: b.problem.clone(),
        }
    }
}

/// Settings' Backups section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BackupStatus {
    /// Automatic backups (after changes, debounced, and daily).
    pub auto: bool,
    /// Where backups go.
    pub folder: String,
    /// Whether that is the default, `backups/` next to the vault file.
    pub default_folder: bool,
    /// The newest complete backup of this vault in the folder.
    pub last: Option<BackupEntry>,
    /// Complete backups of this vault in the folder.
    pub count: u32,
    /// Why the last automatic backup failed, until one works.
    pub last_error: Option<String>,
}
