//! A usable access token for an OAuth item: the stored one while it is valid, else a
//! renewal (refresh token with rotation, or client credentials), or a login (browser with
//! PKCE on a loopback redirect, or device code).
//!
//! Renewals of one item collapse into one request: within a process by an async mutex per
//! item, across processes by a lock file in the runtime directory; whoever gets the lock
//! second reads the item again and uses the token the first one stored. Whatever the
//! server answers is written in one transaction before the access token is handed out, so
//! a rotated refresh token is never lost.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use zeroize::{Zeroize, Zeroizing};

use super::{DeviceAuth, Endpoints, GrantRequest, Pkce, TokenSet, loopback::Loopback};
use crate::credential::{Grant, OAuthConfig, SecretFields};
use crate::error::{Error, Result};
use crate::timefmt;
use crate::vault::{
    Item, Vault,
    oauth::{OAuthState, RenewalKeys},
};

/// A token this close to its expiry is renewed before use.
pub const RENEW_MARGIN_S: i64 = 30;
/// Slowest device-code polling, however often the server says `slow_down`.
pub const MAX_POLL_INTERVAL_S: u64 = 120;
/// How long a browser login may take.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// Renew only when needed, or always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Use the stored token unless it is missing, expired or within 30 s of expiry.
    IfNeeded,
    /// Renew now (on demand, or after the server answered 401 to the stored token).
    Force,
}

/// An access token ready to use. `Debug` never shows it.
pub struct Token {
    pub access_token: Zeroizing<String>,
    pub token_type: String,
    pub expires_at: Option<i64>,
    /// A new token was obtained for this call (by this process or one it waited for).
    pub renewed: bool,
    /// How: `refresh_token`, `client_credentials`, `authorization_code`, `device_code`.
    pub grant: Option<&'static str>,
    /// The item as stored afterwards.
    pub item: Item,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("renewed", &self.renewed)
            .field("grant", &self.grant)
            .finish_non_exhaustive()
    }
}

/// Where the vault is for a renewal or a login. The vault is reached only around each
/// vault step (read the item, store the answer), never during a network request, so an
/// app that shares one session between its commands stays responsive.
pub trait VaultAccess {
    fn with<T>(&self, f: impl FnOnce(&mut Vault) -> Result<T>) -> Result<T>;

    /// The vault even if it was locked since the caller took its keys: only to store a
    /// renewal's answer with [`Vault::apply_oauth_with`]. A caller that cannot be locked
    /// meanwhile (the CLI) has nothing to add.
    fn with_even_locked<T>(&self, f: impl FnOnce(&mut Vault) -> Result<T>) -> Result<T> {
        self.with(f)
    }
}

/// A vault this caller holds alone (the CLI, tests).
impl VaultAccess for std::cell::RefCell<&mut Vault> {
    fn with<T>(&self, f: impl FnOnce(&mut Vault) -> Result<T>) -> Result<T> {
        f(&mut self.borrow_mut())
    }
}

fn stored(v: &impl VaultAccess, st: &OAuthState, renewed: bool) -> Result<Token> {
    Ok(Token {
        access_token: Zeroizing::new(st.secret.access_token.clone()),
        token_type: st
            .config
            .token_type
            .clone()
            .unwrap_or_else(|| "Bearer".into()),
        expires_at: st.config.access_expires_at,
        renewed,
        grant: None,
        item: v.with(|v| v.find(&st.id))?,
    })
}

/// A valid access token for the item, renewed first if `mode` says so or it is due.
pub async fn access_token(
    vault: &mut Vault,
    http: &crate::net::LazyClient,
    name_or_id: &str,
    mode: Mode,
) -> Result<Token> {
    access_token_via(&std::cell::RefCell::new(vault), http, name_or_id, mode).await
}

/// [`access_token`] over any [`VaultAccess`].
pub async fn access_token_via(
    v: &impl VaultAccess,
    http: &crate::net::LazyClient,
    name_or_id: &str,
    mode: Mode,
) -> Result<Token> {
    let (first, vault_id) =
        v.with(|v| Ok((v.oauth_state(name_or_id)?, v.vault_id().to_owned())))?;
    if mode == Mode::IfNeeded && first.access_valid(timefmt::now(), RENEW_MARGIN_S) {
        return stored(v, &first, false);
    }
    let _lock = RenewLock::acquire(&vault_id, &first.id).await?;
    // A vault that syncs reads the other devices' changes first: a refresh token another
    // device rotated must be the one sent (an old one is refused, and a provider with reuse
    // detection revokes the whole grant), and a token it renewed may still be valid.
    sync_first(v);
    let st = v.with(|v| v.oauth_state(&first.id))?;
    let now = timefmt::now();
    if st.access_valid(now, RENEW_MARGIN_S) {
        // Renewed by someone else while this call waited for the lock.
        let changed = st.secret.access_token != first.secret.access_token;
        if mode == Mode::IfNeeded || changed {
            return stored(v, &st, changed);
        }
    }
    // Taken now: if the vault is locked while the token endpoint answers, the answer (a
    // rotated refresh token the server already swapped for the old one) is still stored.
    let keys = v.with(|v| v.renewal_keys())?;
    let http = http.get()?;
    let eps = super::endpoints(http, &st.config).await?;
    match renew_tokens(http, &eps, &st).await {
        Ok((tokens, how)) => {
            let t = v.with_even_locked(|v| store_with(v, &keys, &st.id, &tokens, how))?;
            // A rotated refresh token goes out at once, before another device needs it.
            sync_first(v);
            Ok(t)
        }
        Err(Renewal::Refused(reason)) => {
            // Refused: maybe another device rotated the refresh token since. With a newer
            // one from the sync folder, try once more before asking for a login.
            sync_first(v);
            if let Ok(now_st) = v.with(|v| v.oauth_state(&st.id)) {
                let newer = !now_st.secret.refresh_token.is_empty()
                    && now_st.secret.refresh_token != st.secret.refresh_token;
                if newer && let Ok((tokens, how)) = renew_tokens(http, &eps, &now_st).await {
                    let t = v.with_even_locked(|v| store_with(v, &keys, &st.id, &tokens, how))?;
                    sync_first(v);
                    return Ok(t);
                }
            }
            v.with_even_locked(|v| {
                v.apply_oauth_with(
                    &keys,
                    &st.id,
                    "refresh token refused: log in again",
                    |c, s| {
                        c.reauth_required = true;
                        s.refresh_token.zeroize();
                        Ok(())
                    },
                )
            })?;
            Err(Error::ReauthRequired {
                name: st.name.clone(),
                reason,
            })
        }
        Err(Renewal::Failed(e)) => Err(e),
    }
}

/// One sync pass when the vault syncs (best effort: a renewal never fails because the
/// sync folder is away).
fn sync_first(v: &impl VaultAccess) {
    let r = v.with(|v| match v.sync_dir()? {
        Some(_) => v.sync_now().map(|_| ()),
        None => Ok(()),
    });
    if let Err(e) = r {
        tracing::debug!("sync before a renewal: {e}");
    }
}

/// Why a renewal did not give a token.
pub enum Renewal {
    /// A person must log in (the refresh token was refused, or there is none).
    Refused(String),
    Failed(Error),
}

impl From<Error> for Renewal {
    fn from(e: Error) -> Self {
        Renewal::Failed(e)
    }
}

/// The network part of a renewal, without the vault: refresh token first, client
/// credentials when the item allows it.
pub async fn renew_tokens(
    http: &reqwest::Client,
    eps: &Endpoints,
    st: &OAuthState,
) -> std::result::Result<(TokenSet, &'static str), Renewal> {
    let cfg = &st.config;
    let client_secret = st.secret.value.as_str();
    let cc = cfg.grant() == Grant::ClientCredentials;
    if !st.secret.refresh_token.is_empty() {
        let rt = GrantRequest::RefreshToken(&st.secret.refresh_token);
        match super::token(http, &eps.token, cfg, client_secret, rt).await {
            Ok(t) => return Ok((t, "refresh_token")),
            Err(Error::OAuth { error, .. }) if error == "invalid_grant" && !cc => {
                return Err(Renewal::Refused(
                    "the server no longer accepts its refresh token (invalid_grant: expired, \
                     revoked or already used)"
                        .into(),
                ));
            }
            // A client_credentials item can do without its refresh token.
            Err(Error::OAuth { error, .. }) if error == "invalid_grant" => {}
            Err(e) => return Err(Renewal::Failed(e)),
        }
    }
    if cc {
        let t = super::token(
            http,
            &eps.token,
            cfg,
            client_secret,
            GrantRequest::ClientCredentials,
        )
        .await?;
        return Ok((t, "client_credentials"));
    }
    Err(Renewal::Refused(if cfg.reauth_required {
        "its last login is no longer accepted".into()
    } else {
        "it has no refresh token (not logged in yet, or the login gave none)".into()
    }))
}

fn replace(dst: &mut String, src: &str) {
    dst.zeroize();
    dst.push_str(src);
}

/// Write what the token endpoint gave, in one transaction, and hand out the token.
pub fn store(vault: &mut Vault, id: &str, t: &TokenSet, how: &'static str) -> Result<Token> {
    let keys = vault.renewal_keys()?;
    store_with(vault, &keys, id, t, how)
}

/// [`store`] with keys taken before the request (the vault may have been locked since).
pub fn store_with(
    vault: &mut Vault,
    keys: &RenewalKeys,
    id: &str,
    t: &TokenSet,
    how: &'static str,
) -> Result<Token> {
    let now = timefmt::now();
    let access_exp = t
        .expires_in
        .filter(|s| *s > 0)
        .map(|s| now.saturating_add(s))
        .or_else(|| {
            crate::jwt::inspect(&t.access_token)
                .ok()
                .and_then(|i| i.expires_at)
        });
    let detail = match how {
        "authorization_code" | "device_code" => format!("logged in ({how})"),
        _ => format!("access token renewed ({how})"),
    };
    let item = vault.apply_oauth_with(
        keys,
        id,
        &detail,
        |c: &mut OAuthConfig, s: &mut SecretFields| {
            replace(&mut s.access_token, &t.access_token);
            if let Some(rt) = &t.refresh_token {
                replace(&mut s.refresh_token, rt);
                c.refresh_expires_at = t.refresh_expires_in.map(|x| now.saturating_add(x));
            } else if how != "refresh_token" && how != "client_credentials" {
                // A new login without a refresh token replaces the old one's.
                s.refresh_token.zeroize();
                c.refresh_expires_at = None;
            }
            c.access_expires_at = access_exp;
            c.token_type = Some(t.token_type.clone());
            c.reauth_required = false;
            Ok(())
        },
    )?;
    Ok(Token {
        access_token: Zeroizing::new(t.access_token.clone()),
        token_type: t.token_type.clone(),
        expires_at: access_exp,
        renewed: true,
        grant: Some(how),
        item,
    })
}

/// A browser login: authorization code + PKCE, the redirect caught on 127.0.0.1.
/// `open` is given the URL to open (and to show, for when no browser opens).
pub async fn login_browser(
    http: &reqwest::Client,
    eps: &Endpoints,
    cfg: &OAuthConfig,
    client_secret: &str,
    open: impl FnOnce(&str) -> Result<()>,
    timeout: Duration,
) -> Result<TokenSet> {
    let auth = eps.authorization.as_deref().ok_or_else(|| {
        Error::invalid(
            "OAuth2 client",
            "the server has no authorization endpoint (give the item an issuer that offers \
             one, or use --device)",
        )
    })?;
    let lb = Loopback::bind().await?;
    let redirect_uri = lb.redirect_uri();
    let pkce = Pkce::new()?;
    let state = super::random_token()?;
    let scopes = super::login_scopes(cfg, eps);
    let url = super::authorize_url(auth, cfg, &scopes, &redirect_uri, &state, &pkce)?;
    open(&url)?;
    let code = lb.wait(&state, timeout).await?;
    super::token(
        http,
        &eps.token,
        cfg,
        client_secret,
        GrantRequest::AuthorizationCode {
            code: &code,
            redirect_uri: &redirect_uri,
            verifier: &pkce.verifier,
        },
    )
    .await
}

/// What to show the user during a device login.
#[derive(Debug, Clone)]
pub struct DevicePrompt {
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: i64,
}

/// Start a device login: the codes to show.
pub async fn device_start(
    http: &reqwest::Client,
    eps: &Endpoints,
    cfg: &OAuthConfig,
    client_secret: &str,
) -> Result<(DeviceAuth, DevicePrompt)> {
    let url = eps.device_authorization.as_deref().ok_or_else(|| {
        Error::invalid(
            "OAuth2 client",
            "the server does not offer the device authorization grant (no \
             device_authorization_endpoint); log in with the browser instead",
        )
    })?;
    let scopes = super::login_scopes(cfg, eps);
    let d = super::device_authorize(http, url, cfg, client_secret, &scopes).await?;
    let prompt = DevicePrompt {
        user_code: d.user_code.clone(),
        verification_uri: d.verification_uri.clone(),
        verification_uri_complete: d.verification_uri_complete.clone(),
        expires_in: d.expires_in,
    };
    Ok((d, prompt))
}

/// Poll the token endpoint until the person approves, refuses or the code expires: at the
/// server's interval, five seconds slower after each `slow_down` (RFC 8628 §3.5).
pub async fn device_poll(
    http: &reqwest::Client,
    eps: &Endpoints,
    cfg: &OAuthConfig,
    client_secret: &str,
    d: &DeviceAuth,
) -> Result<TokenSet> {
    let now = tokio::time::Instant::now();
    let wait = Duration::from_secs(
        d.expires_in
            .clamp(1, super::MAX_DEVICE_EXPIRES_S)
            .unsigned_abs(),
    );
    let deadline = now.checked_add(wait).unwrap_or(now);
    let mut interval = d.interval.clamp(1, 60);
    loop {
        tokio::time::sleep(Duration::from_secs(interval)).await;
        match super::token(
            http,
            &eps.token,
            cfg,
            client_secret,
            GrantRequest::DeviceCode(&d.device_code),
        )
        .await
        {
            Ok(t) => return Ok(t),
            Err(Error::OAuth { error, .. }) if error == "authorization_pending" => {}
            Err(Error::OAuth { error, .. }) if error == "slow_down" => {
                interval = interval.saturating_add(5).min(MAX_POLL_INTERVAL_S);
            }
            Err(e) => return Err(e),
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(Error::OAuth {
                error: "expired_token".into(),
                description: Some("the user code expired before the login was approved".into()),
                hint: super::hint("expired_token"),
            });
        }
    }
}

/// How a login is done.
pub enum LoginVia<'a> {
    Browser(&'a (dyn Fn(&str) -> Result<()> + Sync)),
    Device(&'a (dyn Fn(&DevicePrompt) + Sync)),
}

/// Log an item in and store its tokens.
pub async fn login(
    vault: &mut Vault,
    http: &reqwest::Client,
    name_or_id: &str,
    via: LoginVia<'_>,
) -> Result<Token> {
    login_via(&std::cell::RefCell::new(vault), http, name_or_id, via).await
}

/// [`login`] over any [`VaultAccess`].
pub async fn login_via(
    v: &impl VaultAccess,
    http: &reqwest::Client,
    name_or_id: &str,
    via: LoginVia<'_>,
) -> Result<Token> {
    let st = v.with(|v| v.oauth_state(name_or_id))?;
    let eps = super::endpoints(http, &st.config).await?;
    let secret = st.secret.value.as_str();
    let (tokens, how) = match via {
        LoginVia::Browser(open) => (
            login_browser(http, &eps, &st.config, secret, open, LOGIN_TIMEOUT).await?,
            "authorization_code",
        ),
        LoginVia::Device(show) => {
            let (d, prompt) = device_start(http, &eps, &st.config, secret).await?;
            show(&prompt);
            (
                device_poll(http, &eps, &st.config, secret, &d).await?,
                "device_code",
            )
        }
    };
    v.with(|v| store(v, &st.id, &tokens, how))
}

/// Holds the right to renew one item (in this process and, where the runtime directory
/// exists, across processes).
pub struct RenewLock {
    _file: Option<std::fs::File>,
    _local: tokio::sync::OwnedMutexGuard<()>,
}

type LocalLocks = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;
static LOCAL: LazyLock<LocalLocks> = LazyLock::new(LocalLocks::default);

impl RenewLock {
    pub async fn acquire(vault_id: &str, item_id: &str) -> Result<RenewLock> {
        let key = format!("{vault_id}-{item_id}");
        let m = LOCAL
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        let local = m.lock_owned().await;
        let file = match crate::vault::session::session_dir() {
            Ok(dir) => {
                let path = dir.join(format!("renew-{key}.lock"));
                tokio::task::spawn_blocking(move || -> Result<std::fs::File> {
                    crate::paths::create_private_dir(&dir)?;
                    let f = open_lock_file(&path)?;
                    f.lock().map_err(|e| Error::io("lock", &path, e))?;
                    Ok(f)
                })
                .await
                .map_err(|e| Error::Network {
                    url: String::new(),
                    reason: format!("the renewal lock task failed: {e}"),
                })?
                .ok()
            }
            // No runtime directory: this process's lock still collapses its own renewals.
            Err(_) => None,
        };
        Ok(RenewLock {
            _file: file,
            _local: local,
        })
    }
}

fn open_lock_file(path: &std::path::Path) -> Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(|e| Error::io("open", path, e))
}
