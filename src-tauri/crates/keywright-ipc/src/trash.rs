//! The Trash: list, restore (under a new name when its own is taken), delete for good,
//! empty. Deleting an item (`commands::item_delete`) moves it here.

use keywright_core::timefmt;
use keywright_core::vault::trash::KEEP_DAYS;

use crate::commands::detail;
use crate::dto::{DamagedItem, ItemDetail, TrashList, TrashSummary};
use crate::error::IpcError;
use crate::state::AppState;

/// What the Trash holds, the most recently deleted first.
pub fn trash_list(state: &AppState) -> Result<TrashList, IpcError> {
    state.with_vault(|vault| {
        let now = timefmt::now();
        let trash = vault.trash_items()?;
        Ok(TrashList {
            items: trash
                .items
                .iter()
                .map(|t| TrashSummary::new(t, now))
                .collect(),
            damaged: trash
                .damaged
                .into_iter()
                .map(|t| DamagedItem {
                    id: t.id,
                    reason: t.reason,
                })
                .collect(),
            keep_days: u32::try_from(KEEP_DAYS).unwrap_or(30),
        })
    })
}

/// Bring an item back (Undo, or the Trash's Restore). `name`: a new name, when another
/// item has taken its own (the error is then `duplicate_name` on the field `name`); blank
/// means its own.
pub fn item_restore(
    state: &AppState,
    id: &str,
    name: Option<String>,
) -> Result<ItemDetail, IpcError> {
    let name = name.filter(|n| !n.trim().is_empty());
    state.with_vault(|vault| {
        let item = vault
            .restore(id, name.as_deref())
            .map_err(|e| crate::commands::form_field(e.into()))?;
        detail(vault, item)
    })
}

/// Delete one item in the Trash for good.
pub fn item_purge(state: &AppState, id: &str) -> Result<(), IpcError> {
    state.with_vault(|vault| Ok(vault.purge(id)?))
}

/// Delete everything in the Trash for good; returns how many items went.
pub fn trash_empty(state: &AppState) -> Result<u32, IpcError> {
    state.with_vault(|vault| Ok(u32::try_from(vault.empty_trash()?).unwrap_or(u32::MAX)))
}
