//! The request console: send, cancel, history, saved requests, a pasted curl command.

use keywright_ipc::IpcError;
use keywright_ipc::requests::{
    self as r, CurlParsed, HistoryEntry, RecentRequest, RequestInput, RequestResult, SavedRequest,
};
use tauri::AppHandle;

use super::on_worker;

/// Waits for the whole exchange (a renewal, the request, one retry after a 401).
#[tauri::command(rename_all = "snake_case")]
pub async fn request_send(
    app: AppHandle,
    id: String,
    request: RequestInput,
    retry: bool,
) -> Result<RequestResult, IpcError> {
    on_worker(app, move |s| r::request_send(s, &id, &request, retry)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn request_cancel(app: AppHandle) -> Result<(), IpcError> {
    on_worker(app, |s| {
        r::request_cancel(s);
        Ok(())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn request_history(app: AppHandle, id: String) -> Result<Vec<HistoryEntry>, IpcError> {
    on_worker(app, move |s| r::request_history(s, &id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn request_saved(app: AppHandle, id: String) -> Result<Vec<SavedRequest>, IpcError> {
    on_worker(app, move |s| r::request_saved(s, &id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn request_save(
    app: AppHandle,
    id: String,
    name: String,
    request: RequestInput,
) -> Result<SavedRequest, IpcError> {
    on_worker(app, move |s| r::request_save(s, &id, &name, &request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn request_saved_delete(
    app: AppHandle,
    id: String,
    saved_id: String,
) -> Result<(), IpcError> {
    on_worker(app, move |s| r::request_saved_delete(s, &id, &saved_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn request_from_curl(app: AppHandle, command: String) -> Result<CurlParsed, IpcError> {
    on_worker(app, move |_| r::request_from_curl(&command)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn request_recent(app: AppHandle, limit: usize) -> Result<Vec<RecentRequest>, IpcError> {
    on_worker(app, move |s| r::request_recent(s, limit)).await
}
