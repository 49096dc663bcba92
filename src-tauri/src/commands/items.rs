//! Items: list, detail, reveal, copy (through Rust to the clipboard), add, edit, delete
//! (to the Trash), and the Trash: list, restore, delete for good, empty.

use keywright_ipc::IpcError;
use keywright_ipc::commands as c;
use keywright_ipc::dto::{
    Copied, CopiedMain, ItemDetail, ItemEdit, ItemInput, ItemList, Revealed, SecretField,
    TrashList, Trashed,
};
use keywright_ipc::trash as t;
use tauri::AppHandle;

use super::on_worker;

#[tauri::command(rename_all = "snake_case")]
pub async fn items_list(app: AppHandle) -> Result<ItemList, IpcError> {
    on_worker(app, c::items_list).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_get(app: AppHandle, id: String) -> Result<ItemDetail, IpcError> {
    on_worker(app, move |s| c::item_get(s, &id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_reveal(
    app: AppHandle,
    id: String,
    field: SecretField,
) -> Result<Revealed, IpcError> {
    on_worker(app, move |s| c::item_reveal(s, &id, field)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_copy(app: AppHandle, id: String, field: SecretField) -> Result<Copied, IpcError> {
    on_worker(app, move |s| c::item_copy(s, &id, field)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_copy_main(app: AppHandle, id: String) -> Result<CopiedMain, IpcError> {
    on_worker(app, move |s| c::item_copy_main(s, &id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_add(app: AppHandle, item: ItemInput) -> Result<ItemDetail, IpcError> {
    on_worker(app, move |s| c::item_add(s, item)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_update(
    app: AppHandle,
    id: String,
    item: ItemEdit,
) -> Result<ItemDetail, IpcError> {
    on_worker(app, move |s| c::item_update(s, &id, item)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_delete(app: AppHandle, id: String) -> Result<Trashed, IpcError> {
    on_worker(app, move |s| c::item_delete(s, &id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn trash_list(app: AppHandle) -> Result<TrashList, IpcError> {
    on_worker(app, t::trash_list).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_restore(
    app: AppHandle,
    id: String,
    name: Option<String>,
) -> Result<ItemDetail, IpcError> {
    on_worker(app, move |s| t::item_restore(s, &id, name)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn item_purge(app: AppHandle, id: String) -> Result<(), IpcError> {
    on_worker(app, move |s| t::item_purge(s, &id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn trash_empty(app: AppHandle) -> Result<u32, IpcError> {
    on_worker(app, t::trash_empty).await
}
