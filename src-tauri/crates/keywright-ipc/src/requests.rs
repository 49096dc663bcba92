//! The request console: send a test request with an item's credential, read the response
//! and its diagnosis, the item's history and saved requests, a pasted curl command.
//!
//! The session lock is held around each vault step only, never while the request is on
//! the wire (see `keywright_core::probe::exchange`). What the window gets back has every
//! echo of the credential or a 2FA code replaced by `[redacted]`: a server such as
//! httpbin's `/headers` sends the request back, and the window never holds a secret the
//! user did not ask to see.

use keywright_core::net;
pub use keywright_core::probe::history::HistoryEntry;
pub use keywright_core::probe::input::{BodyInput, RequestInput};
use keywright_core::probe::{Diagnosis, curl, exchange};
pub use keywright_core::vault::requests::SavedRequest;
use serde::Serialize;
use ts_rs::TS;

use crate::error::IpcError;
use crate::state::AppState;
use crate::tokens::{Session, runtime};

/// How the window should show a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BodyView {
    Empty,
    /// Valid JSON, pretty-printed.
    Json,
    Text,
    /// Not UTF-8: only its size is shown.
    Binary,
}

/// What a test request did, for the console.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RequestResult {
    /// `None` when no response came (DNS, TLS, refused, timeout, redirects).
    pub status: Option<u16>,
    /// `OK`, `Unauthorized`, ...
    pub reason: Option<String>,
    pub diagnosis: Diagnosis,
    #[ts(type = "number")]
    pub ttfb_ms: u64,
    #[ts(type = "number")]
    pub total_ms: u64,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub body_view: BodyView,
    /// Bytes received (at most the 2 MiB cap).
    pub body_bytes: usize,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
    pub content_type: Option<String>,
    /// The URL that answered, without its query.
    pub final_url: Option<String>,
    pub remote_addr: Option<String>,
    pub redirects: usize,
    /// The OAuth token was renewed for this request.
    pub renewed: bool,
    pub grant: Option<String>,
    /// How many echoes of the credential or a 2FA code were taken out of the response.
    pub redacted: usize,
    /// When it was sent (Rust's clock: the countdown of a rate limit starts from it).
    #[ts(type = "number")]
    pub at: i64,
}

/// A sent request in the view across items.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RecentRequest {
    pub item_id: String,
    pub entry: HistoryEntry,
}

/// Most requests the view across items shows.
pub const RECENT_MAX: usize = 500;

/// A pasted curl command as the editor's request, and what was left out of it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CurlParsed {
    pub request: RequestInput,
    pub dropped: Vec<String>,
}

fn result_of(x: &exchange::Exchange, redacted: usize) -> RequestResult {
    let o = &x.outcome;
    let r = o.response.as_ref();
    let content_type = r.and_then(|r| {
        r.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
    });
    let (body, body_view) = match r.map(|r| r.body.as_slice()) {
        None | Some([]) => (String::new(), BodyView::Empty),
        Some(b) => match std::str::from_utf8(b) {
            Err(_) => (String::new(), BodyView::Binary),
            Ok(text) => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) if !r.is_some_and(|r| r.truncated) => (
                    serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_owned()),
                    BodyView::Json,
                ),
                _ => (text.to_owned(), BodyView::Text),
            },
        },
    };
    RequestResult {
        status: r.map(|r| r.status),
        reason: r
            .and_then(|r| keywright_core::probe::reason_phrase(r.status))
            .map(str::to_owned),
        diagnosis: o.diagnosis.clone(),
        ttfb_ms: o.timing.ttfb_ms,
        total_ms: o.timing.total_ms,
        headers: r.map(|r| r.headers.clone()).unwrap_or_default(),
        body,
        body_view,
        body_bytes: r.map_or(0, |r| r.body.len()),
        truncated: r.is_some_and(|r| r.truncated),
        content_type,
        final_url: r.map(|r| r.final_url.clone()),
        remote_addr: r.and_then(|r| r.remote_addr.clone()),
        redirects: r.map_or(0, |r| r.redirects),
        renewed: x.renewed,
        grant: x.grant.map(str::to_owned),
        redacted,
        at: x.entry.at,
    }
}

/// Send `request` with item `id`'s credential; with `retry`, an OAuth token the server calls
/// expired is renewed and the request sent once more. Ends early on [`request_cancel`] or
/// a lock.
pub fn request_send(
    state: &AppState,
    id: &str,
    request: &RequestInput,
    retry: bool,
) -> Result<RequestResult, IpcError> {
    let spec = request.to_spec()?;
    let cancel = state.request_cancel.arm();
    let http = net::LazyClient::default();
    let session = Session(state);
    // Only the request on the wire is cut short by a cancel or a lock: a token renewal on
    // the way finishes and stores the server's answer.
    let sent = runtime()?
        .block_on(exchange::exchange_until(
            &session,
            &http,
            id,
            spec,
            retry,
            Some(&cancel),
        ))
        .map_err(IpcError::from);
    state.request_cancel.disarm();
    let mut x = sent?;
    let redacted = x.redact_echoes();
    Ok(result_of(&x, redacted))
}

/// Stop the request on the wire, if any.
pub fn request_cancel(state: &AppState) {
    state.request_cancel.cancel();
}

/// Item `id`'s sent requests, newest first, secrets redacted.
pub fn request_history(state: &AppState, id: &str) -> Result<Vec<HistoryEntry>, IpcError> {
    state.with_vault(|vault| {
        let item = vault.find(id)?;
        Ok(vault.request_history(&item.id)?)
    })
}

/// The vault's newest sent requests (at most `limit`, at most [`RECENT_MAX`]), newest
/// first, secrets redacted.
pub fn request_recent(state: &AppState, limit: usize) -> Result<Vec<RecentRequest>, IpcError> {
    state.with_vault(|vault| {
        Ok(vault
            .recent_requests(limit.clamp(1, RECENT_MAX))?
            .into_iter()
            .map(|(item_id, entry)| RecentRequest { item_id, entry })
            .collect())
    })
}

/// Item `id`'s saved requests, by name.
pub fn request_saved(state: &AppState, id: &str) -> Result<Vec<SavedRequest>, IpcError> {
    state.with_vault(|vault| {
        let item = vault.find(id)?;
        Ok(vault.saved_requests(&item.id)?)
    })
}

/// Save `request` with item `id` under `name` (replacing one of that name).
pub fn request_save(
    state: &AppState,
    id: &str,
    name: &str,
    request: &RequestInput,
) -> Result<SavedRequest, IpcError> {
    state.with_vault(|vault| {
        let item = vault.find(id)?;
        Ok(vault.save_request(&item.id, name, request)?)
    })
}

/// Delete saved request `saved_id` of item `id`.
pub fn request_saved_delete(state: &AppState, id: &str, saved_id: &str) -> Result<(), IpcError> {
    state.with_vault(|vault| {
        let item = vault.find(id)?;
        Ok(vault.delete_saved_request(&item.id, saved_id)?)
    })
}

/// A pasted curl command as a request for the editor. Credentials in it are dropped (the
/// item's is attached) and said so in `dropped`.
pub fn request_from_curl(command: &str) -> Result<CurlParsed, IpcError> {
    let c = curl::parse(command)?;
    Ok(CurlParsed {
        request: RequestInput::from_spec(&c.spec),
        dropped: c.dropped,
    })
}
