//! `keywright rekey`: a new vault key for a vault whose session, recovery code or key may
//! have leaked. Every sealed blob is opened with the old key and sealed again with the new
//! one in ONE SQLite transaction (a crash or kill leaves the old vault as it was); the
//! password slot is re-wrapped, a new recovery code replaces the old one, every session
//! ends and the keyring entry is replaced by a new random key.
//!
//! Sealed columns (vault/migrations/*.sql): meta.key_check, slots.wrapped_key,
//! items.overview / items.secret (and items.name_mac, an HMAC under a derived key),
//! audit.event, settings.value, overview_index.blob (derived: deleted, rebuilt on the next
//! load), trash.overview / trash.secret, requests.entry, saved_requests.request, versions.value
//! (the Trash's items' previous versions too), and meta.item_head (the sealed item
//! count, rewritten from the rows: a rekey accepts the vault as it is). OAuth token state and 2FA counters live
//! in items.secret. A blob that does not open with the old key (tampered) is left as it
//! is: it stays reported as tampered, never silently dropped.

use rusqlite::{TransactionBehavior, params};
use secrecy::{ExposeSecret, SecretString};

use super::keyring::Keyring;
use super::slots::{self, Slot};
use super::{
    KEY_CHECK, KeyringOutcome, Keys, Vault, ad, audit, crypto, insert_slot, normalize_name,
    read_slots, requests, session, versions,
};
use crate::credential::Overview;
use crate::crypto::Key;
use crate::crypto::kdf::KdfParams;
use crate::error::{Error, Result};
use crate::timefmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

/// What a rekey did.
pub struct Rekeyed {
    /// The new recovery code, to show once; the old one opens nothing.
    pub recovery_code: SecretString,
    /// Items whose overview and secret were re-sealed.
    pub items: usize,
    /// Items in the Trash re-sealed (their overview opened).
    pub trash: usize,
    /// Audit events, request history entries, saved requests and settings re-sealed.
    pub audit_events: usize,
    pub requests: usize,
    pub saved_requests: usize,
    pub settings: usize,
    /// Previous versions of items' secrets (schema 8) re-sealed, a trashed item's too.
    pub versions: usize,
    /// Rows that did not open with the old key and were left as they are (still reported
    /// as tampered): `(table, row id)`.
    pub tampered: Vec<(String, String)>,
    /// Sessions ended.
    pub sessions_ended: usize,
    /// The keyring slot: `Enabled` (a new entry replaced the old), `NotRequested` (the
    /// vault had none), `Unavailable` (the slot was removed; the reason says why).
    pub keyring: KeyringOutcome,
}

impl std::fmt::Debug for Rekeyed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rekeyed")
            .field("recovery_code", &"[redacted]")
            .field("items", &self.items)
            .field("tampered", &self.tampered)
            .field("sessions_ended", &self.sessions_ended)
            .field("keyring", &self.keyring)
            .finish_non_exhaustive()
    }
}

/// Open `blob` with `old` and seal the same bytes with `new` under the same associated
/// data; `None` when it does not open.
fn reseal(old: &Key, new: &Key, ad: &[u8], blob: &[u8]) -> Result<Option<Vec<u8>>> {
    match old.open(ad, blob) {
        Ok(plain) => Ok(Some(new.seal(ad, &plain)?)),
        Err(_) => Ok(None),
    }
}

fn rows<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let out = stmt.query_map([], f)?.collect::<rusqlite::Result<_>>()?;
    Ok(out)
}

impl Vault {
    /// Replace the vault key (see the module docs). The vault must be unlocked (the caller
    /// checked the password or the recovery code); `password` wraps the new password slot
    /// (the same password, or a new one after a recovery-code unlock); `kdf` `None` keeps
    /// the current parameters. `keyring` is used to replace the keyring entry when the vault
    /// has a keyring slot.
    pub fn rekey(
        &mut self,
        password: &SecretString,
        kdf: Option<KdfParams>,
        keyring: Option<&Keyring>,
    ) -> Result<Rekeyed> {
        super::check_password(password)?;
        let old = self.keys.as_ref().ok_or(Error::Locked)?;
        let kdf = match kdf.or_else(|| self.password_kdf()) {
            Some(k) => k,
            None => KdfParams::calibrate(super::kdf_target())?,
        };
        let vault_id = self.vault_id.clone();
        let vid = vault_id.as_str();
        let new_vk = Key::random()?;
        let new = Keys::derive(Key::from_slice(new_vk.expose())?, vid);

        let pw_params = slots::password_params(kdf)?;
        let pw_kek = slots::password_kek(&pw_params, password.expose_secret().as_bytes())?;
        let recovery_code = slots::new_recovery_code()?;
        let rc_params = slots::recovery_params()?;
        let rc_kek = slots::recovery_kek(&rc_params, &recovery_code)?;
        let had_keyring = self.has_keyring_slot();
        let old_keyring_slot = self.slot(slots::KEYRING).cloned();

        let mut tampered = Vec::new();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;

        // Items: overview and secret re-sealed, the name MAC recomputed from the name.
        let items: Vec<(String, Vec<u8>, Vec<u8>)> =
            rows(&tx, "SELECT id, overview, secret FROM items", |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let mut n_items = 0;
        for (id, ov_blob, sec_blob) in &items {
            let ov_ad = ad(vid, "items", id, "overview");
            let sec_ad = ad(vid, "items", id, "secret");
            let ov_plain = old.overview.open(&ov_ad, ov_blob).ok();
            let name = ov_plain
                .as_ref()
                .and_then(|p| serde_json::from_slice::<Overview>(p).ok())
                .map(|ov| ov.name);
            match (&ov_plain, name) {
                (Some(plain), Some(name)) => {
                    let mac = crypto::mac(&new.name, normalize_name(&name).as_bytes());
                    let sealed = new.overview.seal(&ov_ad, plain)?;
                    tx.execute(
                        "UPDATE items SET name_mac = ?2, overview = ?3 WHERE id = ?1",
                        params![id, &mac[..], sealed],
                    )?;
                }
                _ => tampered.push(("items".to_owned(), format!("{id} overview"))),
            }
            match reseal(&old.secret, &new.secret, &sec_ad, sec_blob)? {
                Some(sealed) => {
                    tx.execute(
                        "UPDATE items SET secret = ?2 WHERE id = ?1",
                        params![id, sealed],
                    )?;
                }
                None => tampered.push(("items".to_owned(), format!("{id} secret"))),
            }
            n_items += 1;
        }
        tx.execute("DELETE FROM overview_index", [])?;

        // The other sealed tables: one blob column each, keyed by `id` (settings: `key`);
        // the AD of a saved request binds its item too.
        let mut column = |table: &str,
                          key: &str,
                          aux: &str,
                          blob: &str,
                          old_k: &Key,
                          new_k: &Key,
                          ad_of: &dyn Fn(&str, &str) -> Vec<u8>|
         -> Result<usize> {
            let all: Vec<(String, String, Vec<u8>)> = rows(
                &tx,
                &format!("SELECT {key}, {aux}, {blob} FROM {table}"),
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let update = format!("UPDATE {table} SET {blob} = ?2 WHERE {key} = ?1");
            let mut n = 0;
            for (id, aux, sealed) in &all {
                match reseal(old_k, new_k, &ad_of(id, aux), sealed)? {
                    Some(s) => {
                        tx.execute(&update, params![id, s])?;
                        n += 1;
                    }
                    None => tampered.push((table.to_owned(), id.clone())),
                }
            }
            Ok(n)
        };
        let n_audit = column(
            "audit",
            "id",
            "''",
            "event",
            &old.audit,
            &new.audit,
            &|id, _| audit::ad(vid, id),
        )?;
        let n_requests = column(
            "requests",
            "id",
            "''",
            "entry",
            &old.audit,
            &new.audit,
            &|id, _| ad(vid, "requests", id, "entry"),
        )?;
        let n_saved = column(
            "saved_requests",
            "id",
            "item_id",
            "request",
            &old.secret,
            &new.secret,
            &|id, item_id| requests::saved_ad(vid, item_id, id),
        )?;
        // The Trash: the overview's AD binds the deletion time.
        let n_trashed = column(
            "trash",
            "id",
            "CAST(deleted_at AS TEXT)",
            "overview",
            &old.overview,
            &new.overview,
            &|id, at| super::trash::overview_ad(vid, id, at.parse().unwrap_or(i64::MIN)),
        )?;
        column(
            "trash",
            "id",
            "''",
            "secret",
            &old.secret,
            &new.secret,
            &|id, _| super::trash::secret_ad(vid, id),
        )?;
        let n_versions = if self.schema_version >= versions::SINCE_SCHEMA {
            // The AD binds the item and the purge time too (vault/versions.rs).
            column(
                "versions",
                "id",
                "item_id || '/' || purge_at",
                "value",
                &old.secret,
                &new.secret,
                &|id, aux| versions::ad_from_aux(vid, id, aux),
            )?
        } else {
            0
        };
        let n_settings = column(
            "settings",
            "key",
            "''",
            "value",
            &old.overview,
            &new.overview,
            &|key, _| ad(vid, "settings", key, "value"),
        )?;

        // Sync (schema 9): the versions in force are re-sealed; the vault stops syncing with
        // its folder, whose other devices cannot open what it would write now (a new folder
        // and new joins carry the new key; see SECURITY.md).
        if self.schema_version >= 9 {
            let all: Vec<(i64, String, String, i64, Vec<u8>)> = rows(
                &tx,
                "SELECT rowid, item_id, device, clock, body FROM sync_versions WHERE body IS NOT NULL",
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?;
            for (rowid, item, device, clock, sealed) in &all {
                let v_ad = ad(vid, "sync_versions", item, &format!("{device}/{clock}"));
                match reseal(&old.secret, &new.secret, &v_ad, sealed)? {
                    Some(b) => {
                        tx.execute(
                            "UPDATE sync_versions SET body = ?2 WHERE rowid = ?1",
                            params![rowid, b],
                        )?;
                    }
                    None => tampered.push(("sync_versions".to_owned(), item.clone())),
                }
            }
            tx.execute(
                "DELETE FROM meta WHERE key IN ('sync_dir', 'sync_seq', 'sync_slots_rev', \
                 'sync_slots_hash', 'sync_removed_written')",
                [],
            )?;
            tx.execute("DELETE FROM sync_peers", [])?;
        }
        // The key check and the slots. The keyring slot goes; a new one is made after the
        // commit (its entry must not change before the new key is in the file).
        let key_check = new_vk.seal(&ad(vid, "meta", "key_check", "value"), KEY_CHECK)?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'key_check'",
            [B64.encode(&key_check)],
        )?;
        let now = timefmt::now();
        tx.execute("DELETE FROM slots", [])?;
        for (id, params, kek) in [
            (slots::PASSWORD, &pw_params, &pw_kek),
            (slots::RECOVERY, &rc_params, &rc_kek),
        ] {
            let wrapped = kek.seal(&slots::slot_ad(vid, id), new_vk.expose())?;
            insert_slot(&tx, id, params, &wrapped, now)?;
        }
        let n_rows: i64 = tx.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
        let n_trash: i64 = tx.query_row("SELECT count(*) FROM trash", [], |r| r.get(0))?;
        super::head::write(&tx, &new.overview, vid, n_rows, n_trash)?;
        let ended = if self.schema_version >= 6 {
            session::end_all_in(&tx)?
        } else {
            Vec::new()
        };
        tx.commit()?;
        session::remove_files(&ended);
        // Old pages stay in the WAL until a checkpoint: fold them in now (best effort;
        // secure_delete overwrites freed pages).
        if let Err(e) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::debug!("checkpoint after rekey: {e}");
        }

        self.keys = Some(new);
        self.cache = None;
        self.otp_sealed = None;
        self.slots = read_slots(&self.conn)?;

        let keyring = match (had_keyring, keyring) {
            (false, _) => KeyringOutcome::NotRequested,
            (true, Some(kr)) => match self.enable_keyring(kr)? {
                KeyringOutcome::Unavailable(reason) => {
                    KeyringOutcome::Unavailable(self.drop_old_entry(kr, old_keyring_slot, reason))
                }
                ok => ok,
            },
            (true, None) => KeyringOutcome::Unavailable(
                "the system keyring is unavailable: the keyring slot was removed (its old \
                 entry opens nothing in the rekeyed vault); `keywright keyring enable` adds a \
                 new one"
                    .into(),
            ),
        };
        Ok(Rekeyed {
            recovery_code: SecretString::from(recovery_code.as_str().to_owned()),
            items: n_items,
            trash: n_trashed,
            audit_events: n_audit,
            requests: n_requests,
            saved_requests: n_saved,
            settings: n_settings,
            versions: n_versions,
            tampered,
            sessions_ended: ended.len(),
            keyring,
        })
    }

    /// After a failed keyring re-enable: delete the old entry if it is this vault's.
    fn drop_old_entry(&self, kr: &Keyring, old: Option<Slot>, reason: String) -> String {
        if let Some(Slot {
            params: slots::SlotParams::Keyring { service, account },
            ..
        }) = old
            && self.check_keyring_entry(kr, &service, &account).is_ok()
        {
            let _ = kr.delete(&service, &account);
        }
        format!("{reason}; the keyring slot was removed (`keywright keyring enable` adds it)")
    }
}
