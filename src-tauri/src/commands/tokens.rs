//! Tokens: the JWT inspector, Renew, and the browser and device logins.

use keywright_ipc::IpcError;
use keywright_ipc::dto::{Copied, SecretField};
use keywright_ipc::jwt::{self, JwtReport, JwtVerify};
use keywright_ipc::tokens::{self as t, LoginMethod, TokenInspection, TokenOutcome};
use secrecy::SecretString;
use tauri::{AppHandle, Emitter};

use super::on_worker;

/// Event with the code to show during a device login.
pub const DEVICE_CODE_EVENT: &str = "oauth-device-code";

#[tauri::command(rename_all = "snake_case")]
pub async fn token_inspect(
    app: AppHandle,
    id: String,
    field: SecretField,
) -> Result<TokenInspection, IpcError> {
    on_worker(app, move |s| t::token_inspect(s, &id, field)).await
}

/// The JWT debugger on a pasted token (a `SecretString`: never logged or echoed back).
#[tauri::command(rename_all = "snake_case")]
pub async fn jwt_inspect(
    app: AppHandle,
    token: SecretString,
    verify: Option<JwtVerify>,
) -> Result<JwtReport, IpcError> {
    on_worker(app, move |s| jwt::jwt_inspect(s, &token, verify)).await
}

/// The JWT debugger on an item's token, which stays in Rust.
#[tauri::command(rename_all = "snake_case")]
pub async fn jwt_inspect_item(
    app: AppHandle,
    id: String,
    field: SecretField,
    verify: Option<JwtVerify>,
) -> Result<JwtReport, IpcError> {
    on_worker(app, move |s| jwt::jwt_inspect_item(s, &id, field, verify)).await
}

/// Copy the debugger's decoded header or claims (cleared like any copy).
#[tauri::command(rename_all = "snake_case")]
pub async fn jwt_copy(app: AppHandle, text: SecretString) -> Result<Copied, IpcError> {
    on_worker(app, move |s| jwt::jwt_copy(s, &text)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn oauth_renew(app: AppHandle, id: String) -> Result<TokenOutcome, IpcError> {
    on_worker(app, move |s| t::oauth_renew(s, &id)).await
}

/// Waits for the whole login (the browser's redirect, or the device's approval).
#[tauri::command(rename_all = "snake_case")]
pub async fn oauth_login(
    app: AppHandle,
    id: String,
    method: LoginMethod,
) -> Result<TokenOutcome, IpcError> {
    let emitter = app.clone();
    on_worker(app, move |s| {
        t::oauth_login(s, &id, method, |prompt| {
            let _ = emitter.emit(DEVICE_CODE_EVENT, prompt);
        })
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn oauth_login_cancel(app: AppHandle) -> Result<(), IpcError> {
    on_worker(app, |s| {
        t::oauth_login_cancel(s);
        Ok(())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn oauth_set_auto_renew(app: AppHandle, id: String, on: bool) -> Result<(), IpcError> {
    on_worker(app, move |s| {
        keywright_ipc::watch::oauth_set_auto_renew(s, &id, on)
    })
    .await
}
