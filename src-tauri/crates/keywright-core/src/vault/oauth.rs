//! OAuth items on the vault: what a renewal needs, read fresh from the database, and what
//! the authorization server answered, written back in one transaction.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Item, Keys, Vault, open_overview, open_secret_blob, seal_item};
use crate::credential::{Kind, OAuthConfig, SecretFields};
use crate::error::{Error, Result};
use crate::timefmt;
use crate::vault::audit::{Action, AuditEvent};

/// An OAuth item as a renewal sees it. `Debug` never shows the secrets.
#[derive(Debug, Clone)]
pub struct OAuthState {
    pub id: String,
    pub name: String,
    pub config: OAuthConfig,
    /// The client secret (`value`), the access and the refresh token.
    pub secret: SecretFields,
}

impl OAuthState {
    /// Is the stored access token usable for at least `margin` more seconds at `now`?
    /// A token whose expiry is unknown is taken as valid (the server's 401 says otherwise).
    pub fn access_valid(&self, now: i64, margin: i64) -> bool {
        !self.secret.access_token.is_empty()
            && !self.config.reauth_required
            && self
                .config
                .access_expires_at
                .is_none_or(|t| t.saturating_sub(now) > margin)
    }
}

/// The keys that store one renewal's answer, taken before the request goes out: a vault
/// locked while the token endpoint answers must not lose a rotated refresh token (the
/// server has already retired the old one). Wiped on drop; held only for that renewal.
pub struct RenewalKeys {
    keys: Keys,
    vault_id: String,
}

impl std::fmt::Debug for RenewalKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RenewalKeys([redacted])")
    }
}

impl Vault {
    /// The keys for [`Vault::apply_oauth_with`]; `locked` when the vault is.
    pub fn renewal_keys(&self) -> Result<RenewalKeys> {
        let k = self.keys.as_ref().ok_or(Error::Locked)?;
        Ok(RenewalKeys {
            keys: Keys {
                vault: k.vault.clone(),
                overview: k.overview.clone(),
                secret: k.secret.clone(),
                audit: k.audit.clone(),
                name: k.name.clone(),
            },
            vault_id: self.vault_id.clone(),
        })
    }

    /// An OAuth item's configuration and secrets, read from the database now (not from
    /// this process's cache: another process may just have renewed it).
    pub fn oauth_state(&mut self, name_or_id: &str) -> Result<OAuthState> {
        let item = self.find(name_or_id)?;
        if item.overview.kind != Kind::Oauth2 {
            return Err(Error::invalid(
                "item",
                format!(
                    "{:?} is {} item, not an OAuth2 client",
                    item.overview.name,
                    article(item.overview.kind.as_str())
                ),
            ));
        }
        let keys = self.keys()?;
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT overview, secret FROM items WHERE id = ?1",
                [&item.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (ov_blob, sec_blob) = row.ok_or_else(|| Error::NotFound {
            name: name_or_id.to_owned(),
        })?;
        let ov = open_overview(keys, &self.vault_id, &item.id, &ov_blob)?;
        let secret = open_secret_blob(keys, &self.vault_id, &item.id, &sec_blob)?;
        let config = ov.oauth.clone().ok_or_else(|| Error::Tampered {
            item: item.id.clone(),
            field: "overview (oauth)".into(),
        })?;
        Ok(OAuthState {
            id: item.id,
            name: ov.name,
            config,
            secret,
        })
    }

    /// Change an OAuth item's server-given state (tokens, their expiries, the re-login
    /// flag) in one transaction with its audit event: `apply` gets the item as it is in
    /// the database at that moment. The new refresh token is therefore on disk before
    /// the caller hands out the access token.
    pub fn apply_oauth(
        &mut self,
        id: &str,
        detail: &str,
        apply: impl FnOnce(&mut OAuthConfig, &mut SecretFields) -> Result<()>,
    ) -> Result<Item> {
        let keys = self.renewal_keys()?;
        self.apply_oauth_with(&keys, id, detail, apply)
    }

    /// [`Vault::apply_oauth`] with keys taken earlier by [`Vault::renewal_keys`]: works
    /// on a vault locked since (the answer of a renewal that was on the wire is stored).
    pub fn apply_oauth_with(
        &mut self,
        keys: &RenewalKeys,
        id: &str,
        detail: &str,
        apply: impl FnOnce(&mut OAuthConfig, &mut SecretFields) -> Result<()>,
    ) -> Result<Item> {
        if keys.vault_id != self.vault_id {
            // Another vault was opened in this session since: these keys are not its.
            return Err(Error::Locked);
        }
        let now = timefmt::now();
        let keys = &keys.keys;
        let vault_id = self.vault_id.clone();
        let actor = self.actor;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (ov_blob, sec_blob): (Vec<u8>, Vec<u8>) = tx
            .query_row(
                "SELECT overview, secret FROM items WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                name: id.to_owned(),
            })?;
        let mut ov = open_overview(keys, &vault_id, id, &ov_blob)?;
        let mut secret = open_secret_blob(keys, &vault_id, id, &sec_blob)?;
        let mut cfg = ov.oauth.take().ok_or_else(|| Error::Tampered {
            item: id.to_owned(),
            field: "overview (oauth)".into(),
        })?;
        apply(&mut cfg, &mut secret)?;
        cfg.has_refresh_token = !secret.refresh_token.is_empty();
        ov.oauth = Some(cfg);
        ov.updated_at = now;
        let (_, ov_sealed, sec_sealed) = seal_item(keys, &vault_id, id, &ov, &secret)?;
        let event = AuditEvent::new(
            now,
            Action::Change,
            id,
            &ov.name,
            actor,
            Some(detail.to_owned()),
        );
        let ev_row = super::audit::seal_event(&keys.audit, &vault_id, &event)?;
        tx.execute(
            "UPDATE items SET overview = ?2, secret = ?3 WHERE id = ?1",
            params![id, ov_sealed, sec_sealed],
        )?;
        super::audit::insert(&tx, &ev_row)?;
        tx.commit()?;
        let item = Item {
            id: id.to_owned(),
            overview: ov,
        };
        self.cache_put(item.clone());
        Ok(item)
    }
}

fn article(kind: &str) -> String {
    match kind {
        "api_key" => "an API key".to_owned(),
        "bearer" => "a bearer token".to_owned(),
        "basic" => "a basic-auth".to_owned(),
        "totp" => "a 2FA".to_owned(),
        k => format!("a {k}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 13 item 8: an access-token expiry anywhere in i64 (a server's `expires_in` is
    /// outside input) is compared without overflow.
    #[test]
    fn access_validity_at_the_edges() {
        let mut secret = SecretFields::default();
        secret.access_token = "at".into();
        let state = |exp: i64| OAuthState {
            id: "i".into(),
            name: "n".into(),
            config: OAuthConfig {
                access_expires_at: Some(exp),
                ..OAuthConfig::default()
            },
            secret: secret.clone(),
        };
        assert!(!state(i64::MIN).access_valid(1_000, 30));
        assert!(state(i64::MAX).access_valid(-1_000, 30));
        assert!(state(1_100).access_valid(1_000, 30));
        assert!(!state(1_020).access_valid(1_000, 30));
    }
}
