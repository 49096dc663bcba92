//! The recovery code in the app: Copy and Save at first run (the code is held in Rust
//! until the first-run screen is dismissed), and "Forgot password?": unlock with the
//! recovery code and set a new password in one step, as `keywright passwd --recovery` does.

use std::path::{Path, PathBuf};

use keywright_core::{Error as CoreError, Vault, paths, timefmt};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::commands::{MIN_PASSWORD_CHARS, vault_status};
use crate::dto::{Copied, VaultStatus};
use crate::error::{ErrorKind, IpcError};
use crate::state::AppState;

/// Where the recovery code was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RecoverySaved {
    pub path: String,
}

/// Base32 letters and digits of a recovery code, dashes and spaces aside.
const CODE_CHARS: usize = 32;

impl AppState {
    /// Keep a new vault's recovery code for Copy and Save until the screen is dismissed.
    pub(crate) fn hold_recovery_code(&self, code: Zeroizing<String>) {
        *self
            .pending_recovery
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(code);
    }

    fn held_recovery_code(&self) -> Result<Zeroizing<String>, IpcError> {
        self.pending_recovery
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| {
                IpcError::new(
                    ErrorKind::NotFound,
                    "The recovery code is only kept while its first-run screen is open; it is \
                     no longer here. If you did not save it, make a new one with \
                     `keywright rekey` in a terminal.",
                )
            })
    }

    /// Where Save writes (tests point it at a temporary folder).
    pub fn set_save_dir(&self, dir: PathBuf) {
        *self.save_dir.lock().unwrap_or_else(|p| p.into_inner()) = Some(dir);
    }

    fn save_dir(&self) -> Result<PathBuf, IpcError> {
        if let Some(d) = self
            .save_dir
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Ok(d);
        }
        paths::user_documents_dir().ok_or_else(|| {
            IpcError::new(
                ErrorKind::Io,
                "There is no home folder to save the recovery code in. Write the code down \
                 instead.",
            )
        })
    }
}

/// Copy the new vault's recovery code to the clipboard (cleared after the usual time, if
/// the clipboard still holds it).
pub fn recovery_copy(state: &AppState) -> Result<Copied, IpcError> {
    let code = state.held_recovery_code()?;
    let clear_after_s = state.copy_text(&code)?;
    Ok(Copied { clear_after_s })
}

/// Save the new vault's recovery code to `keywright-recovery-<date>.txt` (mode 0600) in the
/// user's documents folder (else their home folder), never over an existing file.
pub fn recovery_save(state: &AppState) -> Result<RecoverySaved, IpcError> {
    let code = state.held_recovery_code()?;
    let dir = state.save_dir()?;
    let vault = state.vault_path()?.display().to_string();
    let now = timefmt::now();
    let text = Zeroizing::new(format!(
        "Keywright recovery code\n\n    {}\n\nVault: {vault}\nSaved: {}\n\n\
         This code opens the vault if you forget its master password: on the unlock screen \
         choose \"Forgot password? Use recovery code\" (or run `keywright passwd --recovery`).\n\
         Anyone who has this code and the vault file can open the vault. Keep this file \
         offline (print it, or move it to a USB key) and delete it from this computer.\n",
        code.as_str(),
        timefmt::rfc3339(now)
    ));
    let date = timefmt::rfc3339(now).chars().take(10).collect::<String>();
    let path = write_new(&dir, &format!("keywright-recovery-{date}"), text.as_bytes())?;
    Ok(RecoverySaved {
        path: path.display().to_string(),
    })
}

/// `<stem>.txt`, else `<stem>-2.txt`, … : a new 0600 file, never one written over.
fn write_new(dir: &Path, stem: &str, bytes: &[u8]) -> Result<PathBuf, IpcError> {
    for n in 1..=99 {
        let name = if n == 1 {
            format!("{stem}.txt")
        } else {
            format!("{stem}-{n}.txt")
        };
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        match paths::write_private_atomic(&path, bytes, false) {
            Ok(()) => return Ok(path),
            // Made meanwhile: the next name.
            Err(CoreError::InvalidInput { .. }) if path.exists() => {}
            Err(e) => {
                return Err(IpcError::new(
                    ErrorKind::Io,
                    format!(
                        "The recovery code could not be saved in {}: {e}. Copy it or write it \
                         down instead.",
                        dir.display()
                    ),
                ));
            }
        }
    }
    Err(IpcError::new(
        ErrorKind::Io,
        format!(
            "{} already holds 99 saved recovery codes; none was written. Copy the code or \
             write it down instead.",
            dir.display()
        ),
    ))
}

/// The first-run screen was dismissed: the recovery code is dropped (wiped).
pub fn recovery_forget(state: &AppState) {
    *state
        .pending_recovery
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = None;
}

fn wrong_code() -> IpcError {
    IpcError {
        kind: ErrorKind::WrongRecoveryCode,
        message: "That recovery code does not open this vault. Check it against the one you \
                  saved."
            .into(),
        field: Some("recovery_code".into()),
    }
}

/// A recovery code's shape, checked before any key is derived: 32 base32 characters
/// (A–Z, 2–7), in any case, with dashes or spaces anywhere. The code is never quoted.
fn check_code_shape(code: &str) -> Result<(), IpcError> {
    let chars: Vec<char> = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if chars.is_empty() {
        return Err(IpcError::invalid(
            "recovery_code",
            "Enter the recovery code you saved when the vault was created.",
        ));
    }
    if let Some(bad) = chars
        .iter()
        .find(|c| !matches!(c.to_ascii_uppercase(), 'A'..='Z' | '2'..='7'))
    {
        let hint = match bad {
            '0' => " (a 0 is the letter O)",
            '1' => " (a 1 is the letter I or L)",
            '8' => " (an 8 is the letter B)",
            _ => "",
        };
        return Err(IpcError::invalid(
            "recovery_code",
            format!(
                "A recovery code has only letters A–Z and digits 2–7; \"{bad}\" is not one of \
                 them{hint}. Check it against the one you saved."
            ),
        ));
    }
    if chars.len() != CODE_CHARS {
        return Err(IpcError::invalid(
            "recovery_code",
            format!(
                "A recovery code has {CODE_CHARS} letters and digits (8 groups of 4); this has \
                 {}. Check it against the one you saved.",
                chars.len()
            ),
        ));
    }
    Ok(())
}

/// Forgot the password: open the vault with the recovery code and set a new password, as
/// `keywright passwd --recovery` does. Every CLI session is ended; the recovery code and
/// the keyring slot keep working. Nothing changes when the code is wrong. The vault is
/// unlocked afterwards.
pub fn vault_recover(
    state: &AppState,
    recovery_code: &SecretString,
    new_password: &SecretString,
) -> Result<VaultStatus, IpcError> {
    let code = recovery_code.expose_secret();
    check_code_shape(code)?;
    if new_password.expose_secret().chars().count() < MIN_PASSWORD_CHARS {
        return Err(IpcError::invalid(
            "new_password",
            format!("Use at least {MIN_PASSWORD_CHARS} characters for the new password."),
        ));
    }
    let opened = |r: keywright_core::Result<()>| match r {
        Ok(()) => Ok(()),
        Err(CoreError::WrongRecoveryCode) => Err(wrong_code()),
        Err(e) => Err(IpcError::from(e)),
    };
    state.with_session(|path, vault| {
        let vault = vault.ok_or_else(|| {
            IpcError::from(CoreError::NoVault {
                path: path.to_path_buf(),
            })
        })?;
        let unlocked_here = !vault.is_unlocked();
        if unlocked_here {
            opened(vault.unlock_with_recovery(code))?;
        } else {
            // Already open (another window): the code is still checked, on a second handle.
            let mut check = Vault::open(vault.path())?;
            opened(check.unlock_with_recovery(code))?;
            check.lock();
        }
        if let Err(e) = vault.change_password(new_password, None) {
            if unlocked_here {
                vault.lock();
            }
            return Err(e.into());
        }
        crate::commands::after_unlock(state, vault);
        Ok(())
    })?;
    state.touch();
    vault_status(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clipboard::Clipboard as _;
    use crate::commands::{vault_create, vault_lock, vault_unlock};
    use crate::dto::VaultState;
    use crate::tests::{PW, TestResult, fixture};

    #[test]
    fn first_run_copy_save_then_forget() -> TestResult {
        let f = fixture(false)?;
        let created = vault_create(&f.state, &SecretString::from(PW), false)?;
        let code = created.recovery_code.0.to_string();
        let copied = recovery_copy(&f.state)?;
        assert_eq!(copied.clear_after_s, Some(30));
        assert_eq!(f.clipboard.text()?.as_deref(), Some(code.as_str()));

        let dir = tempfile::tempdir()?;
        f.state.set_save_dir(dir.path().to_path_buf());
        let first = recovery_save(&f.state)?;
        let second = recovery_save(&f.state)?;
        assert_ne!(first.path, second.path, "never over an existing file");
        assert!(second.path.ends_with("-2.txt"), "{}", second.path);
        let name = Path::new(&first.path)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        assert!(
            name.starts_with("keywright-recovery-20") && name.ends_with(".txt"),
            "{name}"
        );
        let text = std::fs::read_to_string(&first.path)?;
        assert!(text.contains(&code), "{text}");
        assert!(text.contains("Forgot password? Use recovery code"));
        assert_eq!(paths::mode(Path::new(&first.path)), Some(0o600));

        recovery_forget(&f.state);
        let e = recovery_copy(&f.state).err();
        assert_eq!(e.map(|e| e.kind), Some(ErrorKind::NotFound));
        let e = recovery_save(&f.state).err();
        assert_eq!(e.map(|e| e.kind), Some(ErrorKind::NotFound));
        Ok(())
    }

    #[test]
    fn recover_with_the_code_sets_a_new_password() -> TestResult {
        let f = fixture(false)?;
        let created = vault_create(&f.state, &SecretString::from(PW), false)?;
        let code = created.recovery_code.0.to_string();
        recovery_forget(&f.state);
        vault_lock(&f.state)?;
        let new_pw = SecretString::from("a new long password");

        // A code of the right shape that is not this vault's: named, nothing changed.
        let other = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH";
        let e = vault_recover(&f.state, &SecretString::from(other), &new_pw)
            .err()
            .ok_or("refused")?;
        assert_eq!(e.kind, ErrorKind::WrongRecoveryCode);
        assert_eq!(e.field.as_deref(), Some("recovery_code"));
        assert_eq!(
            e.message,
            "That recovery code does not open this vault. Check it against the one you saved."
        );
        assert_eq!(vault_status(&f.state)?.state, VaultState::Locked);

        // The wrong shape is said before anything is derived, without quoting the code.
        let e = vault_recover(&f.state, &SecretString::from("ABCD-EFGH-0000"), &new_pw)
            .err()
            .ok_or("refused")?;
        assert_eq!(e.field.as_deref(), Some("recovery_code"));
        assert!(
            e.message
                .contains("\"0\" is not one of them (a 0 is the letter O)"),
            "{e:?}"
        );
        let e = vault_recover(&f.state, &SecretString::from("ABCD-EFGH"), &new_pw)
            .err()
            .ok_or("refused")?;
        assert!(e.message.contains("this has 8"), "{e:?}");
        assert!(!e.message.contains("ABCD"));
        // A short new password: named, and the vault stays locked.
        let e = vault_recover(
            &f.state,
            &SecretString::from(code.clone()),
            &SecretString::from("short"),
        )
        .err();
        assert_eq!(e.and_then(|e| e.field).as_deref(), Some("new_password"));
        assert_eq!(vault_status(&f.state)?.state, VaultState::Locked);

        // The right code, typed in lower case with spaces: unlocked, with the new password.
        let typed = code.to_lowercase().replace('-', " ");
        let s = vault_recover(&f.state, &SecretString::from(typed), &new_pw)?;
        assert_eq!(s.state, VaultState::Unlocked);
        vault_lock(&f.state)?;
        let old = vault_unlock(&f.state, &SecretString::from(PW)).err();
        assert_eq!(old.map(|e| e.kind), Some(ErrorKind::WrongPassword));
        assert_eq!(vault_unlock(&f.state, &new_pw)?.state, VaultState::Unlocked);
        // The recovery code still works (as after `keywright passwd --recovery`), also
        // while the vault is open.
        let again = SecretString::from("yet another password");
        assert_eq!(
            vault_recover(&f.state, &SecretString::from(code), &again)?.state,
            VaultState::Unlocked
        );
        vault_lock(&f.state)?;
        assert_eq!(vault_unlock(&f.state, &again)?.state, VaultState::Unlocked);
        Ok(())
    }
}
