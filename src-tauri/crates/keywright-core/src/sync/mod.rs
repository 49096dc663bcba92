//! Sync: one vault on several devices through a shared folder that any file-sync tool
//! (Syncthing, Dropbox, Nextcloud, a git repository, a network share) carries. Each device
//! writes only its own subfolder of sealed change segments and snapshots; every device
//! reads the others' and merges them into its own SQLite file. See docs/vault-format.md
//! ("Sync") for the layout and [`merge`] for the rules.

pub mod clock;
pub mod folder;
pub mod merge;

pub use clock::{Clock, Ctx, Dot, Hlc};
pub use merge::Version;
