//! Opening the vault for a command: session, then keyring, then password.

use std::path::Path;

use keywright_core::vault::keyring::{self, Keyring};
use keywright_core::vault::session;
use keywright_core::{Error, Result, Vault};
use secrecy::SecretString;

use crate::input::Input;

/// Environment variable naming the keyring service (tests and development builds use their
/// own so they never touch the user's entries).
pub const KEYRING_SERVICE_ENV: &str = "KEYWRIGHT_KEYRING_SERVICE";

/// The keyring service name in use.
pub fn keyring_service() -> String {
    std::env::var(KEYRING_SERVICE_ENV)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| keyring::SERVICE.to_owned())
}

/// The system keyring (Secret Service on Linux), or why it cannot be used.
pub fn system_keyring() -> Result<Keyring> {
    Keyring::system(&keyring_service(), keyring::DEFAULT_TIMEOUT)
}

/// Print a one-line notice on stderr (never secret).
pub fn notice(msg: &str) {
    eprintln!("keywright: {}", crate::output::term_text(msg));
}

/// Open the vault at `path` and unlock it: a valid `KEYWRIGHT_SESSION`, then the keyring
/// slot, then the password. When the session is refused and nothing else can unlock without
/// a prompt (no keyring slot that works, no terminal, no --password-stdin), the session's
/// own error (`session_expired`, `session_invalid`) is returned, not `locked`.
pub fn open_unlocked(path: &Path, input: &mut Input) -> Result<Vault> {
    open_with(path, input, true)
}

/// As [`open_unlocked`] but never with `KEYWRIGHT_SESSION`: `keywright unlock` needs the
/// keyring slot or the password (a session cannot mint a session).
pub fn open_unlocked_without_session(path: &Path, input: &mut Input) -> Result<Vault> {
    open_with(path, input, false)
}

fn open_with(path: &Path, input: &mut Input, use_session: bool) -> Result<Vault> {
    let mut vault = unlock_any(path, input, use_session)?;
    // When the command is done with the vault: the automatic backup, if it is on and due.
    vault.auto_backup_on_close(crate::backup::report_auto);
    // What the unlock changed (items renamed by the name-folding migration).
    for n in vault.take_notices() {
        notice(&n);
    }
    Ok(vault)
}

fn unlock_any(path: &Path, input: &mut Input, use_session: bool) -> Result<Vault> {
    let mut vault = Vault::open(path)?;
    session::sweep(&vault);
    // With --password-stdin the first line is the password whatever unlocks the vault, so
    // that the rest of stdin means the same thing every time.
    let stdin_password = if input.password_stdin() {
        Some(input.password("")?)
    } else {
        None
    };

    let mut session_error = None;
    if let Some(token) = std::env::var(session::SESSION_ENV)
        .ok()
        .filter(|t| !t.is_empty() && use_session)
    {
        let token = SecretString::from(token);
        match session::session_dir().and_then(|dir| session::unlock(&mut vault, &token, &dir)) {
            Ok(()) => return Ok(vault),
            Err(e) => {
                notice(&format!("{e}; unlocking another way"));
                session_error = Some(e);
            }
        }
    }

    if vault.has_keyring_slot() {
        match system_keyring().and_then(|kr| vault.unlock_with_keyring(&kr)) {
            Ok(()) => return Ok(vault),
            Err(e) => notice(&format!("{e}; falling back to the password")),
        }
    }

    let password = match stdin_password {
        Some(p) => p,
        None => match input.password("Vault password: ") {
            Ok(p) => p,
            // No terminal to ask on: the session's refusal is the real cause.
            Err(Error::Locked) if session_error.is_some() => {
                return Err(session_error.unwrap_or(Error::Locked));
            }
            Err(e) => return Err(e),
        },
    };
    vault.unlock_with_password(&SecretString::from(password.to_string()))?;
    Ok(vault)
}
