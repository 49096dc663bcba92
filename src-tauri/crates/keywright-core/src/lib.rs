//! Keywright's core: the encrypted vault, the credential model and the domain logic shared
//! by the `keywright` CLI and the desktop app. Nothing here depends on Tauri.

pub mod credential;
pub mod crypto;
pub mod error;
pub mod expiry;
pub mod export;
pub mod import;
pub mod jwt;
pub mod limits;
pub mod net;
pub mod oauth;
pub mod otp;
pub mod paths;
pub mod probe;
pub mod project;
pub mod recognize;
pub mod refs;
pub mod scan;
pub mod sync;
pub mod timefmt;
pub mod vault;

pub use credential::{Kind, NewItem, Overview, SecretFields};
pub use error::{Error, Result};
pub use expiry::{Expiry, Status};
pub use vault::{CreateOptions, Created, Item, ItemPatch, KeyringOutcome, Vault};
