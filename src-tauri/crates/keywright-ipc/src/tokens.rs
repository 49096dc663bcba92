//! Tokens in the app: the inspector (a JWT's header and claims), Renew, and the logins
//! (browser with PKCE, device code). The session lock is taken only around each vault
//! step, never while a request is on the wire (see `keywright_core::oauth::renew`).

use keywright_core::credential::Kind;
use keywright_core::expiry::Status;
use keywright_core::oauth::renew::{self, LoginVia, Mode, VaultAccess};
use keywright_core::{Error as CoreError, Vault, jwt, net, timefmt};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::SecretField;
use crate::error::{ErrorKind, IpcError};
use crate::state::AppState;

/// A JWT's content, as the inspector shows it. The token itself never comes to the window.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TokenInspection {
    pub field: SecretField,
    #[ts(type = "Record<string, unknown>")]
    pub header: serde_json::Value,
    #[ts(type = "Record<string, unknown>")]
    pub claims: serde_json::Value,
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    #[ts(type = "number | null")]
    pub not_before: Option<i64>,
    #[ts(type = "number | null")]
    pub issued_at: Option<i64>,
    /// Rust's clock when this was made (for the countdown).
    #[ts(type = "number")]
    pub now: i64,
}

/// What a renewal or a login did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TokenOutcome {
    /// A new access token was obtained.
    pub renewed: bool,
    /// `refresh_token`, `client_credentials`, `authorization_code`, `device_code`.
    pub grant: Option<String>,
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    /// The item's status afterwards.
    pub status: Status,
}

/// How to log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LoginMethod {
    Browser,
    Device,
}

/// What the window shows during a device login (sent as the `oauth-device-code` event).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeviceCodePrompt {
    pub item_id: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// The app's session as a renewal sees it: locked around each vault step only.
pub(crate) struct Session<'a>(pub(crate) &'a AppState);

impl VaultAccess for Session<'_> {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> keywright_core::Result<T>,
    ) -> keywright_core::Result<T> {
        self.0.with_core_vault(f)
    }

    /// The session's vault even when it was locked meanwhile: a renewal stores the
    /// server's answer with the keys it took before its request went out.
    fn with_even_locked<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> keywright_core::Result<T>,
    ) -> keywright_core::Result<T> {
        self.0.with_core_session(false, f)
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, IpcError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| IpcError::internal(format!("the network runtime could not start: {e}")))
}

/// Decode the JWT in an item's token field (audited: the claims are part of the secret).
pub fn token_inspect(
    state: &AppState,
    id: &str,
    field: SecretField,
) -> Result<TokenInspection, IpcError> {
    state.with_vault(|vault| {
        let item = vault.find(id)?;
        let secret = vault.open_secret(&item.id)?;
        let token = match (item.overview.kind, field) {
            (Kind::Oauth2, SecretField::AccessToken) => &secret.access_token,
            (Kind::Oauth2, SecretField::RefreshToken) => &secret.refresh_token,
            (Kind::Bearer | Kind::ApiKey, SecretField::Value) => &secret.value,
            _ => {
                return Err(IpcError::invalid(
                    "field",
                    "this item has no token of that kind to inspect",
                ));
            }
        };
        if token.is_empty() {
            return Err(IpcError::new(ErrorKind::NotFound, "no token is stored yet"));
        }
        let ins = jwt::inspect(token)?;
        vault.record_use(&item.id, &format!("{} claims (inspector)", field.as_str()))?;
        Ok(TokenInspection {
            field,
            header: ins.header,
            claims: serde_json::Value::Object(ins.claims),
            expires_at: ins.expires_at,
            not_before: ins.not_before,
            issued_at: ins.issued_at,
            now: timefmt::now(),
        })
    })
}

fn outcome(t: &renew::Token) -> TokenOutcome {
    TokenOutcome {
        renewed: t.renewed,
        grant: t.grant.map(str::to_owned),
        expires_at: t.expires_at,
        status: t.item.expiry(timefmt::now()).status,
    }
}

/// Renew an OAuth item's access token now.
pub fn oauth_renew(state: &AppState, id: &str) -> Result<TokenOutcome, IpcError> {
    let http = net::LazyClient::default();
    let t = runtime()?.block_on(renew::access_token_via(
        &Session(state),
        &http,
        id,
        Mode::Force,
    ))?;
    Ok(outcome(&t))
}

/// Log an OAuth item in. The browser login opens the system browser and waits for its
/// redirect; the device login calls `on_prompt` with the code to show, then polls. Either
/// ends early when [`oauth_login_cancel`] is called.
pub fn oauth_login(
    state: &AppState,
    id: &str,
    method: LoginMethod,
    on_prompt: impl Fn(DeviceCodePrompt) + Sync,
) -> Result<TokenOutcome, IpcError> {
    let cancel = state.login_cancel.arm();
    let http = net::auth_client()?;
    let item_id = id.to_owned();
    let opener = state
        .browser
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let open = move |url: &str| opener(url);
    let show = |d: &renew::DevicePrompt| {
        on_prompt(DeviceCodePrompt {
            item_id: item_id.clone(),
            user_code: d.user_code.clone(),
            verification_uri: d.verification_uri.clone(),
            verification_uri_complete: d.verification_uri_complete.clone(),
            expires_at: timefmt::now().saturating_add(d.expires_in),
        });
    };
    let via = match method {
        LoginMethod::Browser => LoginVia::Browser(&open),
        LoginMethod::Device => LoginVia::Device(&show),
    };
    let session = Session(state);
    let result = runtime()?.block_on(async {
        tokio::select! {
            r = renew::login_via(&session, &http, id, via) => r.map_err(IpcError::from),
            () = cancel.notified() => Err(IpcError::new(ErrorKind::Oauth, "the login was cancelled")),
        }
    });
    state.login_cancel.disarm();
    Ok(outcome(&result?))
}

/// Stop a login that is waiting for the browser or the device.
pub fn oauth_login_cancel(state: &AppState) {
    state.login_cancel.cancel();
}

impl AppState {
    /// [`AppState::with_vault`] with the core's errors, for the core's renewals.
    pub(crate) fn with_core_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> keywright_core::Result<T>,
    ) -> keywright_core::Result<T> {
        self.with_core_session(true, f)
    }

    /// The session's vault with the core's errors; `locked` when `unlocked` is asked for
    /// and the vault is locked.
    fn with_core_session<T>(
        &self,
        unlocked: bool,
        f: impl FnOnce(&mut Vault) -> keywright_core::Result<T>,
    ) -> keywright_core::Result<T> {
        let mut out = None;
        let r = self.with_session(|path, vault| {
            out = Some(match vault {
                None => Err(CoreError::NoVault {
                    path: path.to_path_buf(),
                }),
                Some(v) if unlocked && !v.is_unlocked() => Err(CoreError::Locked),
                Some(v) => f(v),
            });
            Ok(())
        });
        match (r, out) {
            (_, Some(res)) => res,
            (Err(e), None) => Err(CoreError::InvalidInput {
                field: "vault".into(),
                reason: e.message,
            }),
            (Ok(()), None) => Err(CoreError::Locked),
        }
    }
}
