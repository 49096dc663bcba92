//! Opening the vault for a command: session, then keyring, then password.

use std::path::Path;

use keywright_core::vault::keyring::{self, Keyring};
use keywright_core::vault::session;
use keywright_core::{Result, Vault};
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
/// slot, then the password.
pub fn open_unlocked(path: &Path, input: &mut Input) -> Result<Vault> {
    let mut vault = unlock_any(path, input)?;
    // What the unlock changed (items renamed by the name-folding migration).
    for n in vault.take_notices() {
        notice(&n);
    }
    Ok(vault)
}

fn unlock_any(path: &Path, input: &mut Input) -> Result<Vault> {
    let mut vault = Vault::open(path)?;
    // With --password-stdin the first line is the password whatever unlocks the vault, so
    // that the rest of stdin means the same thing every time.
    let stdin_password = if input.password_stdin() {
        Some(input.password("")?)
    } else {
        None
    };

    if let Some(token) = std::env::var(session::SESSION_ENV)
        .ok()
        .filter(|t| !t.is_empty())
    {
        let token = SecretString::from(token);
        match session::session_dir().and_then(|dir| session::unlock(&mut vault, &token, &dir)) {
            Ok(()) => return Ok(vault),
            Err(e) => notice(&format!("{e}; unlocking another way")),
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
        None => input.password("Vault password: ")?,
    };
    vault.unlock_with_password(&SecretString::from(password.to_string()))?;
    Ok(vault)
}
