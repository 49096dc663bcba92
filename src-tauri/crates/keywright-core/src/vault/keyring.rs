//! The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager) through the
//! `keyring` crate, with every call off the calling thread under a timeout: on Linux a
//! D-Bus activation can block for two minutes when no provider answers.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Service name of release builds.
pub const SERVICE: &str = "keywright";
/// Default time allowed for one keyring call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A credential store plus the service name under which Keywright keeps its entries.
#[derive(Clone)]
pub struct Keyring {
    store: Arc<CredentialStore>,
    service: String,
    timeout: Duration,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// What a keyring lookup found.
pub enum Lookup {
    Found(Zeroizing<Vec<u8>>),
    Missing,
}

fn with_timeout<T: Send + 'static>(
    timeout: Duration,
    what: &'static str,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| Error::KeyringUnavailable {
            reason: format!("cannot start a thread: {e}"),
        })?;
    match rx.recv_timeout(timeout) {
        Ok(r) => r,
        Err(_) => Err(Error::KeyringUnavailable {
            reason: format!("{what} did not answer within {} s", timeout.as_secs()),
        }),
    }
}

fn unavailable(e: keyring_core::Error) -> Error {
    // keyring errors carry no secret values; their Display names the platform failure.
    Error::KeyringUnavailable {
        reason: e.to_string(),
    }
}

impl Keyring {
    /// The platform's default store (Secret Service on Linux), initialised off-thread.
    /// `service` lets development builds keep their own entries.
    pub fn system(service: &str, timeout: Duration) -> Result<Self> {
        let store = with_timeout(timeout, "the system keyring", || {
            match keyring::Entry::store_status() {
                Ok(()) => {}
                Err(e) => {
                    return Err(Error::KeyringUnavailable {
                        reason: e.to_string(),
                    });
                }
            }
            keyring_core::get_default_store().ok_or_else(|| Error::KeyringUnavailable {
                reason: "no credential store for this platform".into(),
            })
        })?;
        Ok(Keyring {
            store,
            service: service.to_owned(),
            timeout,
        })
    }

    /// Any keyring-core store (tests use `keyring_core::mock::Store`).
    pub fn with_store(store: Arc<CredentialStore>, service: &str) -> Self {
        Keyring {
            store,
            service: service.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(store: &Arc<CredentialStore>, service: &str, account: &str) -> Result<Entry> {
        Entry::new_in_store(store, service, account).map_err(unavailable)
    }

    /// Read the secret of `account` (in this keyring's service).
    pub fn get(&self, service: &str, account: &str) -> Result<Lookup> {
        let (store, service, account) =
            (self.store.clone(), service.to_owned(), account.to_owned());
        with_timeout(self.timeout, "the system keyring", move || {
            let entry = Self::entry(&store, &service, &account)?;
            match entry.get_secret() {
                Ok(v) => Ok(Lookup::Found(Zeroizing::new(v))),
                Err(keyring_core::Error::NoEntry) => Ok(Lookup::Missing),
                Err(e) => Err(unavailable(e)),
            }
        })
    }

    /// Store `secret` for `account`.
    pub fn set(&self, account: &str, secret: &[u8]) -> Result<()> {
        let (store, service, account) =
            (self.store.clone(), self.service.clone(), account.to_owned());
        let secret = Zeroizing::new(secret.to_vec());
        with_timeout(self.timeout, "the system keyring", move || {
            let entry = Self::entry(&store, &service, &account)?;
            entry.set_secret(&secret).map_err(unavailable)
        })
    }

    /// Delete the entry of `account`; a missing entry is not an error.
    pub fn delete(&self, service: &str, account: &str) -> Result<()> {
        let (store, service, account) =
            (self.store.clone(), service.to_owned(), account.to_owned());
        with_timeout(self.timeout, "the system keyring", move || {
            let entry = Self::entry(&store, &service, &account)?;
            match entry.delete_credential() {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(e) => Err(unavailable(e)),
            }
        })
    }
}
