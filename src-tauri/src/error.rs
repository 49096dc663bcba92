//! The error every command returns to the UI.

use serde::Serialize;

/// Serialised to the UI as `{ kind, message }`.
///
/// `kind` is the core's stable snake_case error name (`wrong_password`, `no_vault`, …) that
/// the UI branches on, or `internal` for failures of the shell itself. `message` is shown
/// to the user as is; the core guarantees it never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub kind: String,
    pub message: String,
}

impl IpcError {
    /// A failure of the app shell rather than of the vault.
    pub fn internal(message: impl Into<String>) -> Self {
        IpcError {
            kind: "internal".into(),
            message: message.into(),
        }
    }
}

impl From<keywright_core::Error> for IpcError {
    fn from(e: keywright_core::Error) -> Self {
        IpcError {
            kind: e.kind().into(),
            message: e.to_string(),
        }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.kind)
    }
}

impl std::error::Error for IpcError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_kind_and_message() {
        let e = IpcError::from(keywright_core::Error::WrongPassword);
        assert_eq!(e.kind, "wrong_password");
        assert_eq!(e.message, keywright_core::Error::WrongPassword.to_string());
    }

    #[test]
    fn serialises_as_kind_and_message() -> Result<(), serde_json::Error> {
        let json = serde_json::to_value(IpcError::internal("boom"))?;
        assert_eq!(
            json,
            serde_json::json!({ "kind": "internal", "message": "boom" })
        );
        Ok(())
    }
}
