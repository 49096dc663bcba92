//! The one error type of keywright-core.
//!
//! Messages never contain secret values: they name the item, the field or the file, and
//! say what to do. `kind()` is the stable machine-readable name used by the CLI's `--json`
//! output and by the app's `IpcError`.

use std::path::PathBuf;

/// Everything that can go wrong in the core, by domain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No vault file at the path.
    #[error("No vault at {}; create one with `keywright init`", path.display())]
    NoVault { path: PathBuf },
    /// `create` on a path that already holds a file.
    #[error("A vault already exists at {}; refusing to overwrite it", path.display())]
    VaultExists { path: PathBuf },
    /// The vault was written by a newer Keywright.
    #[error(
        "This vault has format version {found}, but this Keywright understands up to \
         {supported}; upgrade Keywright to open it (the file was not changed)"
    )]
    NewerVersion { found: u32, supported: u32 },
    /// The file is not a Keywright vault or its structure is damaged.
    #[error("The vault file is damaged or is not a Keywright vault: {reason}")]
    Corrupt { reason: String },
    /// An operation needs the vault key and the vault is locked.
    #[error("The vault is locked; unlock it first")]
    Locked,
    /// The password did not open the password slot.
    #[error("Wrong password (the vault was not changed)")]
    WrongPassword,
    /// The recovery code did not open the recovery slot.
    #[error("Wrong recovery code (the vault was not changed)")]
    WrongRecoveryCode,
    /// A sealed item failed authentication: it was modified outside Keywright, or moved.
    #[error("Item {item} failed its integrity check ({field}); it may have been tampered with")]
    Tampered { item: String, field: String },
    /// The OS keyring could not be used.
    #[error("The system keyring is unavailable: {reason}")]
    KeyringUnavailable { reason: String },
    /// The vault has no keyring slot, or the keyring lost its entry.
    #[error("{}", sentence(reason))]
    KeyringSlotMissing { reason: String },
    /// `KEYWRIGHT_SESSION` does not open this vault: ended (lock, passwd, rekey), damaged,
    /// or made for another vault.
    #[error("The session is not usable: {reason}")]
    SessionInvalid { reason: String },
    /// `KEYWRIGHT_SESSION` names a session that has expired (its time, RFC 3339).
    #[error("The session expired at {expired_at}; run `keywright unlock` again")]
    SessionExpired { expired_at: String },
    /// No item with that name or id.
    #[error("No item named {name:?}")]
    NotFound { name: String },
    /// A name or id that is not in the Trash.
    #[error("nothing named {name:?} is in the Trash; `keywright trash` lists what is")]
    NotInTrash { name: String },
    /// An item asked for by name or id that is in the Trash, not in the vault.
    #[error(
        "{name:?} is in the Trash; restore it first (`keywright restore {name:?}`, or the app's Trash)"
    )]
    InTrash { name: String },
    /// Restoring an item whose name another item has taken since.
    #[error(
        "cannot restore {name:?}: another item has that name now; restore it under a new \
         name (`keywright restore {name:?} --as NEW_NAME`, or a new name in the app's Trash)"
    )]
    RestoreConflict { name: String },
    /// Several items of that name are in the Trash; `choices` lists them (id, deletion time).
    #[error(
        "{count} items named {name:?} are in the Trash ({choices}); name one by its id, e.g. \
         `keywright restore ID`"
    )]
    TrashAmbiguous {
        name: String,
        count: usize,
        choices: String,
    },
    /// Another item already has that name.
    #[error(
        "An item named {name:?} already exists. Choose another name (names are unique, ignoring case)."
    )]
    DuplicateName { name: String },
    /// Input that cannot be accepted, with the field and the reason.
    #[error("{}", invalid_text(field, reason))]
    InvalidInput { field: String, reason: String },
    /// SQLite reported an error. (SQLite's "corrupt" and "not a database" become
    /// [`Error::Corrupt`] through `From`.)
    #[error("Vault database error: {0}")]
    Database(rusqlite::Error),
    /// File-system error with the path involved.
    #[error("{} {}: {source}", sentence(action), path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An authenticator export is encrypted and no password was given.
    #[error("This {format} export is encrypted; give its password (nothing was imported)")]
    ImportPasswordNeeded { format: &'static str },
    /// The password did not open an encrypted authenticator export.
    #[error(
        "Wrong password for this {format} export, or the file is damaged (nothing was imported)"
    )]
    WrongImportPassword { format: &'static str },
    /// A file that is not the format it was imported as, or is damaged as a whole.
    #[error("Cannot import this file as {format}: {reason} (nothing was imported)")]
    ImportFailed {
        format: &'static str,
        reason: String,
    },
    /// The operating system's random generator failed.
    #[error("The system random number generator failed: {0}")]
    Random(String),
    /// A token that is not a readable JWT; the reason names the segment.
    #[error("Not a readable JWT: {reason}")]
    MalformedToken { reason: String },
    /// The network request could not be made or got no usable answer (DNS, connection,
    /// TLS, timeout), or the server's answer was not what the protocol says.
    #[error("{url}: {reason}")]
    Network { url: String, reason: String },
    /// An OAuth 2.0 server refused a request (RFC 6749 §5.2 error codes).
    #[error("The authorization server said {error}{}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(), hint.map(|h| format!("; {h}")).unwrap_or_default())]
    OAuth {
        error: String,
        description: Option<String>,
        hint: Option<&'static str>,
    },
    /// The item's refresh token (or its login) is no longer accepted: log in again.
    #[error(
        "{name}: {reason}; log in again with `keywright login {name:?}` (or the app's Log in button)"
    )]
    ReauthRequired { name: String, reason: String },
    /// An OAuth item that cannot get a token the way it is set up.
    #[error("{name}: {reason}")]
    NotRenewable { name: String, reason: String },
    /// Sync cannot go on: not set up, the folder is gone, this device was removed. The
    /// reason says what to do; local work is never affected.
    #[error("{reason}")]
    Sync { reason: String },
}

impl Error {
    /// Stable snake_case name of the error, for `--json` and the UI.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NoVault { .. } => "no_vault",
            Error::VaultExists { .. } => "vault_exists",
            Error::NewerVersion { .. } => "newer_version",
            Error::Corrupt { .. } => "corrupt",
            Error::Locked => "locked",
            Error::WrongPassword => "wrong_password",
            Error::WrongRecoveryCode => "wrong_recovery_code",
            Error::Tampered { .. } => "tampered",
            Error::KeyringUnavailable { .. } => "keyring_unavailable",
            Error::KeyringSlotMissing { .. } => "keyring_slot_missing",
            Error::SessionInvalid { .. } => "session_invalid",
            Error::SessionExpired { .. } => "session_expired",
            Error::NotFound { .. } | Error::NotInTrash { .. } | Error::InTrash { .. } => {
                "not_found"
            }
            Error::RestoreConflict { .. } => "duplicate_name",
            Error::TrashAmbiguous { .. } => "invalid_input",
            Error::DuplicateName { .. } => "duplicate_name",
            Error::InvalidInput { .. } => "invalid_input",
            Error::Database(_) => "database",
            Error::Io { .. } => "io",
            Error::ImportPasswordNeeded { .. } => "import_password_needed",
            Error::WrongImportPassword { .. } => "wrong_import_password",
            Error::ImportFailed { .. } => "import_failed",
            Error::Random(_) => "random",
            Error::MalformedToken { .. } => "malformed_token",
            Error::Network { .. } => "network",
            Error::OAuth { .. } => "oauth",
            Error::ReauthRequired { .. } => "reauth_required",
            Error::NotRenewable { .. } => "not_renewable",
            Error::Sync { .. } => "sync",
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A change refused because the vault was opened read-only: its folder (or the file)
    /// is not writable. `what` says what needed writing.
    pub fn read_only(dir: &std::path::Path, what: &str) -> Self {
        Error::Io {
            action: "cannot change the vault: its folder",
            path: dir.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "is not writable (permission denied), so the vault was opened read-only \
                     and {what} was refused; nothing was changed. Make the folder writable, \
                     or work on a copy of the vault"
                ),
            ),
        }
    }

    /// SQLite refused a write because the database was opened read-only.
    pub fn is_sqlite_read_only(&self) -> bool {
        matches!(self, Error::Database(e)
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly))
    }

    pub(crate) fn corrupt(reason: impl Into<String>) -> Self {
        Error::Corrupt {
            reason: reason.into(),
        }
    }
}

/// SQLite's own "the file is damaged" errors are `corrupt` wherever they surface (a
/// damaged page is often only met by the query that reads it), with what to do.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                Error::corrupt(format!(
                    "SQLite reports {e}; restore a backup of the vault file (it was not changed)"
                ))
            }
            _ => Error::Database(e),
        }
    }
}

/// `field` and `reason` as a sentence. A reason written as a whole sentence is the
/// message: it starts with a capital letter, or it quotes the input first and ends with a
/// full stop (`"api.example.com/v1" is not a full URL. Start it with https://.`). A short
/// one (`is empty`, `"9x" is not a number`) follows `Invalid <field>: `.
fn invalid_text(field: &str, reason: &str) -> String {
    let whole = match reason.chars().next() {
        Some(c) if c.is_uppercase() => true,
        Some('"') => reason.ends_with('.'),
        _ => false,
    };
    if whole {
        reason.to_owned()
    } else {
        format!("Invalid {field}: {reason}")
    }
}

/// The text with its first letter in upper case (messages are sentences).
pub fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Result with the core's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sentences_that_say_what_to_do() {
        let dup = Error::DuplicateName {
            name: "Stripe".into(),
        };
        assert_eq!(
            dup.to_string(),
            "An item named \"Stripe\" already exists. Choose another name (names are unique, \
             ignoring case)."
        );
        assert_eq!(
            Error::invalid("name", "is empty").to_string(),
            "Invalid name: is empty"
        );
        // A short reason that quotes the input keeps the field's name before it.
        assert_eq!(
            Error::invalid("--within", "\"9x\" is not a duration").to_string(),
            "Invalid --within: \"9x\" is not a duration"
        );
        // A whole sentence is the message.
        let whole = "\"api.example.com\" is not a full URL. Start it with https://.";
        assert_eq!(Error::invalid("URL", whole).to_string(), whole);
        assert_eq!(
            Error::invalid("header", "A header has a value but no name.").to_string(),
            "A header has a value but no name."
        );
        assert_eq!(
            Error::Locked.to_string(),
            "The vault is locked; unlock it first"
        );
        assert_eq!(sentence("wrong"), "Wrong");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn sqlite_corruption_is_corrupt_everywhere() {
        for code in [rusqlite::ffi::SQLITE_CORRUPT, rusqlite::ffi::SQLITE_NOTADB] {
            let e: Error =
                rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None).into();
            assert_eq!(e.kind(), "corrupt", "{e}");
            assert!(e.to_string().contains("restore a backup"), "{e}");
        }
        let e: Error = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        )
        .into();
        assert_eq!(e.kind(), "database");
    }
}
