//! The error every command returns to the UI: `{ kind, message, field }`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, for the UI to branch on. The core's error kinds plus the shell's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    NoVault,
    VaultExists,
    NewerVersion,
    Corrupt,
    Locked,
    WrongPassword,
    WrongRecoveryCode,
    Tampered,
    KeyringUnavailable,
    KeyringSlotMissing,
    SessionInvalid,
    /// A CLI session's time is up.
    SessionExpired,
    NotFound,
    DuplicateName,
    InvalidInput,
    Database,
    Io,
    Random,
    /// An authenticator export is encrypted: ask for its password.
    ImportPasswordNeeded,
    /// The export's password was wrong.
    WrongImportPassword,
    /// The file is not the format it was imported as.
    ImportFailed,
    /// A token that is not a readable JWT.
    MalformedToken,
    /// DNS, connection, TLS or timeout, or an answer the protocol does not allow.
    Network,
    /// The authorization server refused (invalid_client, invalid_scope, ...).
    Oauth,
    /// The refresh token or login is no longer accepted: log in again.
    ReauthRequired,
    /// The OAuth item cannot get a token the way it is set up.
    NotRenewable,
    /// Sync cannot go on (not set up, folder gone, device removed).
    Sync,
    /// The system clipboard could not be used.
    Clipboard,
    /// A failure of the app shell itself.
    Internal,
}

/// Sent to the UI. `message` is shown as is and never contains a secret (the core
/// guarantees it for its errors). `field` names the input at fault for `invalid_input`
/// and `duplicate_name`, so forms can put the message next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
    pub field: Option<String>,
}

impl IpcError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        IpcError {
            kind,
            message: message.into(),
            field: None,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        IpcError {
            kind: ErrorKind::InvalidInput,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
}

impl From<keywright_core::Error> for IpcError {
    fn from(e: keywright_core::Error) -> Self {
        if e.is_sqlite_read_only() {
            // The vault was opened read-only (its folder is not writable): say so, not
            // SQLite's "attempt to write a readonly database".
            return IpcError {
                kind: ErrorKind::Io,
                message: "The vault's folder is not writable (permission denied), so the vault \
                          was opened read-only and this change was refused; nothing was \
                          changed. Make the folder writable, or work on a copy of the vault"
                    .to_owned(),
                field: None,
            };
        }
        let kind = serde_json::from_value(serde_json::Value::from(e.kind()))
            .unwrap_or(ErrorKind::Internal);
        let field = match &e {
            keywright_core::Error::InvalidInput { field, .. } => Some(field.clone()),
            keywright_core::Error::DuplicateName { .. }
            | keywright_core::Error::RestoreConflict { .. } => Some("name".to_owned()),
            _ => None,
        };
        IpcError {
            kind,
            message: e.to_string(),
            field,
        }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IpcError {}

#[cfg(test)]
mod tests {
    use super::*;
    use keywright_core::Error;

    #[test]
    fn every_core_kind_has_its_own_variant() {
        let errors = [
            Error::NoVault { path: "/x".into() },
            Error::Locked,
            Error::WrongPassword,
            Error::Tampered {
                item: "i".into(),
                field: "overview".into(),
            },
            Error::NotFound { name: "n".into() },
            Error::SessionInvalid { reason: "r".into() },
            Error::SessionExpired {
                expired_at: "2026-01-01T00:00:00Z".into(),
            },
            Error::DuplicateName { name: "n".into() },
            Error::NotInTrash { name: "n".into() },
            Error::InTrash { name: "n".into() },
            Error::RestoreConflict { name: "n".into() },
            Error::TrashAmbiguous {
                name: "n".into(),
                count: 2,
                choices: "a, b".into(),
            },
            Error::InvalidInput {
                field: "url".into(),
                reason: "is not a URL".into(),
            },
            Error::NewerVersion {
                found: 9,
                supported: 3,
            },
            Error::ImportPasswordNeeded { format: "Aegis" },
            Error::WrongImportPassword { format: "Aegis" },
            Error::ImportFailed {
                format: "Aegis",
                reason: "not JSON".into(),
            },
            Error::MalformedToken { reason: "r".into() },
            Error::Network {
                url: "u".into(),
                reason: "r".into(),
            },
            Error::OAuth {
                error: "invalid_client".into(),
                description: None,
                hint: None,
            },
            Error::ReauthRequired {
                name: "n".into(),
                reason: "r".into(),
            },
            Error::NotRenewable {
                name: "n".into(),
                reason: "r".into(),
            },
            Error::Sync { reason: "r".into() },
        ];
        for e in errors {
            let core_kind = e.kind();
            let ipc = IpcError::from(e);
            assert_ne!(ipc.kind, ErrorKind::Internal, "{core_kind}");
            assert_eq!(
                serde_json::to_value(ipc.kind).ok(),
                Some(serde_json::Value::from(core_kind))
            );
        }
    }

    #[test]
    fn invalid_input_names_its_field() {
        let e = IpcError::from(Error::InvalidInput {
            field: "url".into(),
            reason: "is not a URL".into(),
        });
        assert_eq!(e.field.as_deref(), Some("url"));
        let json = serde_json::to_value(&e).ok();
        assert_eq!(
            json.as_ref().and_then(|j| j.get("kind")).cloned(),
            Some(serde_json::Value::from("invalid_input"))
        );
    }
}
