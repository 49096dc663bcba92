//! 2FA (live codes, copy, HOTP) and the import wizard's preview / commit / cancel.

use keywright_ipc::IpcError;
use keywright_ipc::dto::{
    Copied, HotpCode, ImportFormat, ImportOptions, ImportPreview, ImportSource, ImportSummary,
    OtpCodes, OtpLink,
};
use keywright_ipc::import as imp;
use keywright_ipc::otp as o;
use secrecy::SecretString;
use tauri::AppHandle;

use super::on_worker;

#[tauri::command(rename_all = "snake_case")]
pub async fn otp_codes(app: AppHandle) -> Result<OtpCodes, IpcError> {
    on_worker(app, o::otp_codes).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn otp_code(app: AppHandle, id: String) -> Result<OtpCodes, IpcError> {
    on_worker(app, move |s| o::otp_code(s, &id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn otp_copy(app: AppHandle, id: String) -> Result<Copied, IpcError> {
    on_worker(app, move |s| o::otp_copy(s, &id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn hotp_next(app: AppHandle, id: String, copy: bool) -> Result<HotpCode, IpcError> {
    on_worker(app, move |s| o::hotp_next(s, &id, copy)).await
}

/// The otpauth:// link pasted in the 2FA form: issuer, account and parameters (no seed).
#[tauri::command(rename_all = "snake_case")]
pub async fn otp_link_read(app: AppHandle, link: SecretString) -> Result<OtpLink, IpcError> {
    on_worker(app, move |_| keywright_ipc::commands::otp_link_read(&link)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_preview(
    app: AppHandle,
    source: ImportSource,
    format: Option<ImportFormat>,
    password: Option<SecretString>,
    options: Option<ImportOptions>,
) -> Result<ImportPreview, IpcError> {
    on_worker(app, move |s| {
        imp::import_preview(s, source, format, password, options)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_commit(
    app: AppHandle,
    id: String,
    rows: Option<Vec<u32>>,
) -> Result<ImportSummary, IpcError> {
    on_worker(app, move |s| imp::import_commit(s, &id, rows)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_cancel(app: AppHandle, id: String) -> Result<(), IpcError> {
    on_worker(app, move |s| {
        imp::import_cancel(s, &id);
        Ok(())
    })
    .await
}
