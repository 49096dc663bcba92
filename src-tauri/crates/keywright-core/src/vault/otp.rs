//! 2FA on the vault: live codes, HOTP with its counter advanced in the same transaction
//! that issues the code. (Imports of 2FA accounts are planned and saved by
//! `vault::import`, as every import is.)

use std::collections::HashMap;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::{Item, OpenError, Vault, ad, open_secret_blob, slots};
use crate::credential::{Kind, NewItem, OtpType, SecretFields};
use crate::error::{Error, Result};
use crate::otp::{self, OtpAccount, TimedCode};
use crate::vault::audit::Action;

/// A 2FA item with what the Codes view shows for it.
#[derive(Debug)]
pub struct OtpView {
    pub item: Item,
    /// The code now and next (TOTP, Steam); `None` for HOTP.
    pub timed: Option<TimedCode>,
    /// HOTP: the counter of the next code.
    pub counter: Option<u64>,
}

fn open_blob(
    keys: &super::Keys,
    vault_id: &str,
    item: &Item,
    blob: Option<&[u8]>,
) -> Result<SecretFields> {
    match blob {
        Some(b) => open_secret_blob(keys, vault_id, &item.id, b),
        None => Err(Error::NotFound {
            name: item.overview.name.clone(),
        }),
    }
}

/// One item of the Codes view, or its id when its seed does not open.
fn code_view(
    keys: &super::Keys,
    vault_id: &str,
    item: &Item,
    blob: Option<&[u8]>,
    now: i64,
) -> std::result::Result<OtpView, String> {
    let damaged = || item.id.clone();
    let params = item.overview.otp.ok_or_else(damaged)?;
    let secret = open_blob(keys, vault_id, item, blob).map_err(|_| damaged())?;
    if params.otp_type == OtpType::Hotp {
        return Ok(OtpView {
            item: item.clone(),
            timed: None,
            counter: Some(secret.counter),
        });
    }
    let timed = otp::decode_secret(&secret.value)
        .and_then(|seed| otp::timed_code(&params, &seed, now))
        .map_err(|_| damaged())?;
    Ok(OtpView {
        item: item.clone(),
        timed: Some(timed),
        counter: None,
    })
}

/// The 2FA items among the opened overviews (`Vault::items` loads them).
fn cached_otp_items(cache: Option<&super::Cache>) -> Vec<&Item> {
    cache.map_or_else(Vec::new, |c| {
        c.items
            .iter()
            .filter(|i| i.overview.kind == Kind::Totp)
            .collect()
    })
}

/// The sealed secrets of the 2FA items and the database state they were read at.
#[derive(Default)]
pub struct SealedOtp {
    stamp: (i64, u64),
    blobs: HashMap<String, Vec<u8>>,
}

impl Vault {
    /// The sealed secret of every 2FA item, keyed by item id: read in one statement, and
    /// kept (ciphertext, as safe as the file) until anything is written to the vault, by
    /// this connection (`total_changes`) or another (`data_version`).
    fn otp_sealed(&mut self) -> Result<()> {
        // Loading the overviews may itself write (the overview index): first, then stamp.
        self.items()?;
        let stamp = (self.data_version()?, self.conn.total_changes());
        if self.otp_sealed.as_ref().is_some_and(|c| c.stamp == stamp) {
            return Ok(());
        }
        let ids: Vec<&str> = cached_otp_items(self.cache.as_ref())
            .into_iter()
            .map(|i| i.id.as_str())
            .collect();
        let mut blobs: HashMap<String, Vec<u8>> = HashMap::with_capacity(ids.len());
        if !ids.is_empty() {
            // The ids as a JSON array joined in SQLite: one statement instead of one per
            // item (each takes a WAL read lock and a trip through the VDBE).
            let json = serde_json::to_string(&ids).map_err(|e| Error::corrupt(e.to_string()))?;
            let mut stmt = self.conn.prepare_cached(
                "SELECT items.id, items.secret FROM json_each(?1) AS j \
                 JOIN items ON items.id = j.value",
            )?;
            let mut rows = stmt.query([json])?;
            while let Some(r) = rows.next()? {
                blobs.insert(r.get(0)?, r.get(1)?);
            }
        }
        self.otp_sealed = Some(SealedOtp { stamp, blobs });
        Ok(())
    }

    /// Every 2FA item with its sealed secret (`None`: the row vanished meanwhile).
    fn otp_blobs(&mut self) -> Result<Vec<(Item, Option<Vec<u8>>)>> {
        self.otp_sealed()?;
        let sealed = self.otp_sealed.take().unwrap_or_default();
        let out = self
            .items()?
            .iter()
            .filter(|i| i.overview.kind == Kind::Totp)
            .map(|i| (i.clone(), sealed.blobs.get(&i.id).cloned()))
            .collect();
        self.otp_sealed = Some(sealed);
        Ok(out)
    }

    /// Every 2FA item's secret. A secret that fails to open is an error for that item only.
    fn otp_secrets(&mut self) -> Result<Vec<(Item, Result<SecretFields>)>> {
        let blobs = self.otp_blobs()?;
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        Ok(blobs
            .into_iter()
            .map(|(item, blob)| {
                let secret = open_blob(keys, &self.vault_id, &item, blob.as_deref());
                (item, secret)
            })
            .collect())
    }

    /// What the Codes view shows: every 2FA item with its code at `now`. Items whose seed
    /// does not open are returned in the second list by id. The secrets are read in one
    /// pass and opened (AEAD, the cost) on every core.
    pub fn otp_codes(&mut self, now: i64) -> Result<(Vec<OtpView>, Vec<String>)> {
        self.otp_sealed()?;
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let vault_id = self.vault_id.as_str();
        let sealed = self.otp_sealed.as_ref().map(|c| &c.blobs);
        let items = cached_otp_items(self.cache.as_ref());
        let chunks = super::par_map(&items, 64, |chunk| {
            chunk
                .iter()
                .map(|item| {
                    let blob = sealed.and_then(|b| b.get(&item.id)).map(Vec::as_slice);
                    code_view(keys, vault_id, item, blob, now)
                })
                .collect()
        });
        let mut views = Vec::with_capacity(items.len());
        let mut damaged = Vec::new();
        for r in chunks.into_iter().flatten() {
            match r {
                Ok(v) => views.push(v),
                Err(id) => damaged.push(id),
            }
        }
        Ok((views, damaged))
    }

    /// The time-based code of one item at `now`.
    pub fn totp(&mut self, id: &str, now: i64) -> Result<TimedCode> {
        let item = self.get(id)?;
        let params = otp_params(&item)?;
        let secret = self.open_secret(&item.id)?;
        let seed = otp::decode_secret(&secret.value)?;
        otp::timed_code(&params, &seed, now)
    }

    /// The next HOTP code of an item and the counter it was made with. The stored counter
    /// is advanced in the same transaction that reads it, and the code is returned only
    /// after that transaction committed: a crash can skip a counter value (HOTP servers
    /// look ahead) but never hand out the same code twice.
    pub fn next_hotp(&mut self, id: &str) -> Result<(Zeroizing<String>, u64)> {
        let item = self.get(id)?;
        let params = otp_params(&item)?;
        if params.otp_type != OtpType::Hotp {
            return Err(Error::invalid(
                "otp type",
                format!(
                    "{:?} is time-based; use `keywright totp` for its code",
                    item.overview.name
                ),
            ));
        }
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let vault_id = self.vault_id.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let blob: Vec<u8> = tx
            .query_row("SELECT secret FROM items WHERE id = ?1", [&item.id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::NotFound {
                name: item.overview.name.clone(),
            })?;
        let mut secret = open_secret_blob(keys, &vault_id, &item.id, &blob)?;
        let counter = secret.counter;
        let seed = otp::decode_secret(&secret.value)?;
        let code = Zeroizing::new(otp::hotp(&params, &seed, counter)?);
        secret.counter = counter
            .checked_add(1)
            .ok_or_else(|| Error::invalid("counter", "reached its maximum"))?;
        let json =
            Zeroizing::new(serde_json::to_vec(&secret).map_err(|e| Error::corrupt(e.to_string()))?);
        let sealed = keys
            .secret
            .seal(&ad(&vault_id, "items", &item.id, "secret"), &json)?;
        tx.execute(
            "UPDATE items SET secret = ?2 WHERE id = ?1",
            params![item.id, sealed],
        )?;
        tx.commit()?;
        Ok((code, counter))
    }

    /// Check the vault password again (before an export) without changing anything.
    pub fn verify_password(&self, password: &SecretString) -> Result<()> {
        let slot = self
            .slot(slots::PASSWORD)
            .ok_or_else(|| Error::corrupt("no password slot"))?;
        let kek = slots::password_kek(&slot.params, password.expose_secret().as_bytes())?;
        match self.unwrap_slot(slots::PASSWORD, &kek) {
            Ok(_) => Ok(()),
            Err(OpenError::Authentication) => Err(Error::WrongPassword),
            Err(e) => Err(Error::corrupt(format!("password slot: {e}"))),
        }
    }

    /// Every 2FA item as `(name, account)`, for exports (opens every seed). Each item's
    /// seed leaving the vault is recorded in the audit log as a reveal with `why`.
    pub fn otp_accounts_audited(&mut self, why: &str) -> Result<Vec<(String, OtpAccount)>> {
        let mut opened = Vec::new();
        for (item, secret) in self.otp_secrets()? {
            let secret = secret?;
            let params = otp_params(&item)?;
            let mut acc = OtpAccount::from_base32(&secret.value, params)?;
            acc.issuer = item.overview.issuer.clone();
            acc.account = item.overview.username.clone();
            acc.counter = secret.counter;
            acc.tags = item.overview.tags.clone();
            acc.notes = Zeroizing::new(secret.notes.clone());
            if acc.account.is_none() && acc.issuer.is_none() {
                acc.account = Some(item.overview.name.clone());
            }
            opened.push((item, acc));
        }
        for (item, _) in &opened {
            self.record(Action::Reveal, item, Some(why.to_owned()))?;
        }
        Ok(opened
            .into_iter()
            .map(|(item, acc)| (item.overview.name, acc))
            .collect())
    }

    /// One 2FA item as an account (for its QR code).
    pub fn otp_account(&mut self, id: &str) -> Result<OtpAccount> {
        let item = self.get(id)?;
        let params = otp_params(&item)?;
        let secret = self.open_secret(&item.id)?;
        let mut acc = OtpAccount::from_base32(&secret.value, params)?;
        acc.issuer = item.overview.issuer.clone();
        acc.account = item.overview.username.clone();
        if acc.account.is_none() && acc.issuer.is_none() {
            acc.account = Some(item.overview.name.clone());
        }
        acc.counter = secret.counter;
        Ok(acc)
    }
}

/// The vault item for an account.
pub fn new_otp_item(name: String, acc: &OtpAccount) -> NewItem {
    let mut new = NewItem::new(Kind::Totp, name, acc.secret.as_str());
    new.issuer = acc.issuer.clone();
    new.username = acc.account.clone();
    new.otp = Some(acc.params);
    new.tags = acc.tags.clone();
    new.secret.counter = acc.counter;
    new.secret.notes = acc.notes.to_string();
    new
}

fn otp_params(item: &Item) -> Result<crate::credential::OtpParams> {
    if item.overview.kind != Kind::Totp {
        return Err(Error::invalid(
            "item",
            format!(
                "{:?} is a {} item, not a 2FA (totp) item",
                item.overview.name, item.overview.kind
            ),
        ));
    }
    item.overview
        .otp
        .ok_or_else(|| Error::corrupt(format!("2FA item {:?} has no parameters", item.id)))
}
