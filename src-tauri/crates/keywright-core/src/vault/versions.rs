//! Rotation (schema 8): "Mark rotated" replaces an item's secret value and keeps the old
//! one, sealed, as a previous version for a grace period the user chooses, so that the
//! services still using it keep working while they roll over. Until the period ends the
//! previous value can be revealed or copied (audited); then its row is deleted (at the
//! next unlock, rotation, or the app's watch tick; a row past its end is never shown or
//! opened even before that). And "Snooze": a rotation reminder or expiry notice hidden
//! for a few days, the credential unchanged (see `expiry::evaluate`).
//!
//! A row's value is `seal(secret subkey, AD keywright/v1/{vault_id}/versions/{id}/value/
//! {item_id}/{purge_at}, JSON {"value": "…"})`: moved to another item's row, or given a
//! later end, it does not open.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::{Action, Item, ItemPatch, UpdateExtra, Vault, ad, new_id};
use crate::credential::Kind;
use crate::crypto::Key;
use crate::error::{Error, Result};
use crate::expiry::Status;
use crate::timefmt;

const DAY: i64 = 86_400;
/// The longest grace period and snooze, in days.
pub const MAX_GRACE_DAYS: u32 = 365;
pub const MAX_SNOOZE_DAYS: u32 = 365;
/// The grace period the app and the CLI offer first.
pub const DEFAULT_GRACE_DAYS: u32 = 7;
/// Previous versions kept per item at most (older ones go first).
pub const MAX_VERSIONS: usize = 10;
/// The schema that added the `versions` table (migrations/0008_versions.sql).
pub const SINCE_SCHEMA: u32 = 8;
/// The audit detail of a previous version's reveal or copy.
pub const PREVIOUS_FIELD: &str = "previous value";

/// A previous version's metadata (never its value).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviousVersion {
    pub id: String,
    /// When it was replaced (Unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    /// When the grace period ends and it is deleted (Unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub purge_at: i64,
}

/// What "Mark rotated" did.
#[derive(Debug, Clone)]
pub struct Rotated {
    pub item: Item,
    /// The old value kept, or `None` with no grace period.
    pub previous: Option<PreviousVersion>,
}

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct Sealed {
    value: String,
}

/// A sealed previous version ready to insert.
pub(super) struct NewVersion {
    pub meta: PreviousVersion,
    item_id: String,
    blob: Vec<u8>,
}

pub(super) fn version_ad(vault_id: &str, item_id: &str, id: &str, purge_at: i64) -> Vec<u8> {
    ad(
        vault_id,
        "versions",
        id,
        &format!("value/{item_id}/{purge_at}"),
    )
}

/// The associated data's last part from a row's `item_id || '/' || purge_at`, for rekey.
pub(super) fn ad_from_aux(vault_id: &str, id: &str, aux: &str) -> Vec<u8> {
    ad(vault_id, "versions", id, &format!("value/{aux}"))
}

pub(super) fn seal(
    secret: &Key,
    vault_id: &str,
    item_id: &str,
    value: &str,
    now: i64,
    days: u32,
) -> Result<NewVersion> {
    let id = new_id()?;
    let purge_at = now.saturating_add(i64::from(days).saturating_mul(DAY));
    let plain = Zeroizing::new(
        serde_json::to_vec(&Sealed {
            value: value.to_owned(),
        })
        .map_err(|e| Error::corrupt(e.to_string()))?,
    );
    let blob = secret.seal(&version_ad(vault_id, item_id, &id, purge_at), &plain)?;
    Ok(NewVersion {
        meta: PreviousVersion {
            id,
            created_at: now,
            purge_at,
        },
        item_id: item_id.to_owned(),
        blob,
    })
}

/// Insert `v` (in the caller's transaction), drop the item's versions past their end and
/// beyond [`MAX_VERSIONS`].
pub(super) fn insert(conn: &Connection, v: &NewVersion, now: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO versions (id, item_id, created_at, purge_at, value) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![v.meta.id, v.item_id, v.meta.created_at, v.meta.purge_at, v.blob],
    )?;
    conn.execute(
        "DELETE FROM versions WHERE item_id = ?1 AND (purge_at <= ?2 OR id NOT IN \
         (SELECT id FROM versions WHERE item_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?3))",
        params![v.item_id, now, MAX_VERSIONS as i64],
    )?;
    Ok(())
}

/// Delete every previous version whose grace period has ended; returns how many went.
pub(super) fn purge_conn(conn: &Connection, now: i64) -> Result<usize> {
    // Read first: most runs have nothing to purge and should not take the write lock.
    let due: i64 = conn.query_row(
        "SELECT count(*) FROM versions WHERE purge_at <= ?1",
        [now],
        |r| r.get(0),
    )?;
    if due == 0 {
        return Ok(0);
    }
    Ok(conn.execute("DELETE FROM versions WHERE purge_at <= ?1", [now])?)
}

fn check_days(field: &str, days: u32, max: u32, what: &str) -> Result<()> {
    if days > max {
        return Err(Error::invalid(
            field,
            format!("{days} days is too long: {what} lasts at most {max} days"),
        ));
    }
    Ok(())
}

impl Vault {
    /// "Mark rotated": `new_value` replaces the item's secret value (an OAuth2 client's
    /// secret); the old value is kept as a previous version for `grace_days` (0: not
    /// kept), the rotation reminder restarts from now, a snooze ends, and an expiry date
    /// that has already passed (the old value's) is cleared. Not for 2FA items (a seed is
    /// not rotated, it is set up again).
    pub fn rotate(
        &mut self,
        id: &str,
        new_value: Zeroizing<String>,
        grace_days: u32,
    ) -> Result<Rotated> {
        self.rotate_at(id, new_value, grace_days, timefmt::now())
    }

    /// [`Vault::rotate`] at `now` (tests run the clock).
    pub fn rotate_at(
        &mut self,
        id: &str,
        new_value: Zeroizing<String>,
        grace_days: u32,
        now: i64,
    ) -> Result<Rotated> {
        check_days("grace", grace_days, MAX_GRACE_DAYS, "a grace period")?;
        let item = self.get(id)?;
        let name = item.overview.name.clone();
        if item.overview.kind == Kind::Totp {
            return Err(Error::invalid(
                "kind",
                format!(
                    "{name:?} is a 2FA item: a 2FA secret is not rotated. Set \
                     up 2FA again with the service and edit the item's secret"
                ),
            ));
        }
        if new_value.trim().is_empty() {
            return Err(Error::invalid(
                "value",
                "the new value is empty: enter the new secret the service gave you",
            ));
        }
        let old = self.open_secret(&item.id)?;
        if old.value == new_value.as_str() {
            return Err(Error::invalid(
                "value",
                format!(
                    "the new value is the same as the current value of {name:?}: \
                     enter the new secret the service gave you"
                ),
            ));
        }
        drop(old);
        // An expiry date that has passed was the old value's: left, it would call the new
        // one expired. It is cleared (a date still ahead is kept).
        let patch = ItemPatch {
            value: Some(new_value),
            expires_at: item
                .overview
                .expires_at
                .is_some_and(|t| t <= now)
                .then_some(None),
            ..ItemPatch::default()
        };
        let (item, previous) = self.apply_update(
            &item.id,
            patch,
            now,
            UpdateExtra {
                keep_previous_days: Some(grace_days),
                snooze: Some(None),
                detail_prefix: Some("rotated"),
            },
        )?;
        Ok(Rotated { item, previous })
    }

    /// "Snooze": hide the item's rotation reminder or expiry notice for `days` (1 to 365)
    /// from now, the credential unchanged. Refused when there is nothing to hide, and for
    /// an item that has expired or needs a new login (a snooze never hides that).
    pub fn snooze(&mut self, id: &str, days: u32) -> Result<Item> {
        self.snooze_at(id, days, timefmt::now())
    }

    /// [`Vault::snooze`] at `now`.
    pub fn snooze_at(&mut self, id: &str, days: u32, now: i64) -> Result<Item> {
        if days == 0 {
            return Err(Error::invalid(
                "days",
                "0 days snoozes nothing: snooze for 1 to 365 days",
            ));
        }
        check_days("days", days, MAX_SNOOZE_DAYS, "a snooze")?;
        let item = self.get(id)?;
        let name = &item.overview.name;
        let mut ov = item.overview.clone();
        ov.snoozed_until = None;
        let e = crate::expiry::evaluate(&ov, now);
        match e.status {
            Status::Expired => {
                return Err(Error::invalid(
                    "snooze",
                    format!(
                        "{name:?} has expired, and a snooze does not change \
                         that: rotate or renew it"
                    ),
                ));
            }
            Status::ReauthRequired => {
                return Err(Error::invalid(
                    "snooze",
                    format!(
                        "{name:?} needs a new login, and a snooze does not \
                         change that: log in again"
                    ),
                ));
            }
            _ if e.expires_at.is_none() && e.rotation_due_at.is_none() => {
                return Err(Error::invalid(
                    "snooze",
                    format!("{name:?} has no rotation reminder or expiry to snooze"),
                ));
            }
            _ => {}
        }
        let until = now.saturating_add(i64::from(days).saturating_mul(DAY));
        let (item, _) = self.apply_update(
            &item.id,
            ItemPatch::default(),
            now,
            UpdateExtra {
                snooze: Some(Some(until)),
                ..UpdateExtra::default()
            },
        )?;
        Ok(item)
    }

    /// The item's previous versions still in their grace period, newest first (none while
    /// the item is in the Trash: they are kept with it, and come back with a restore).
    pub fn previous_versions(&self, item_id: &str) -> Result<Vec<PreviousVersion>> {
        self.previous_versions_at(item_id, timefmt::now())
    }

    /// [`Vault::previous_versions`] at `now`.
    pub fn previous_versions_at(&self, item_id: &str, now: i64) -> Result<Vec<PreviousVersion>> {
        self.keys()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, created_at, purge_at FROM versions WHERE item_id = ?1 AND purge_at > ?2 \
             AND EXISTS (SELECT 1 FROM items WHERE id = ?1) \
             ORDER BY created_at DESC, rowid DESC",
        )?;
        let rows = stmt.query_map(params![item_id, now], |r| {
            Ok(PreviousVersion {
                id: r.get(0)?,
                created_at: r.get(1)?,
                purge_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Open a previous version's value for use (not audited); `version_id` `None` is the
    /// newest. A version past its grace period is gone, even before the purge ran; an
    /// item in the Trash must be restored first (as for its current value).
    pub fn open_previous(
        &mut self,
        item_id: &str,
        version_id: Option<&str>,
    ) -> Result<(PreviousVersion, Zeroizing<String>)> {
        self.open_previous_at(item_id, version_id, timefmt::now())
    }

    /// [`Vault::open_previous`] at `now`.
    pub fn open_previous_at(
        &mut self,
        item_id: &str,
        version_id: Option<&str>,
        now: i64,
    ) -> Result<(PreviousVersion, Zeroizing<String>)> {
        self.keys()?;
        let row: Option<(String, i64, i64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT id, created_at, purge_at, value FROM versions \
                 WHERE item_id = ?1 AND purge_at > ?2 AND (?3 IS NULL OR id = ?3) \
                 AND EXISTS (SELECT 1 FROM items WHERE id = ?1) \
                 ORDER BY created_at DESC, rowid DESC LIMIT 1",
                params![item_id, now, version_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((id, created_at, purge_at, blob)) = row else {
            let name = self.get(item_id)?.overview.name;
            return Err(Error::invalid(
                "previous",
                match version_id {
                    Some(v) => format!(
                        "{name:?} has no previous version {v:?}: its grace period may have \
                         ended (`keywright show {name:?} --json` lists the kept ones)"
                    ),
                    None => format!(
                        "{name:?} has no previous version: none was kept when it was \
                         rotated, or its grace period has ended"
                    ),
                },
            ));
        };
        let tampered = || Error::Tampered {
            item: item_id.to_owned(),
            field: "previous version".into(),
        };
        let plain = self
            .keys()?
            .secret
            .open(&version_ad(&self.vault_id, item_id, &id, purge_at), &blob)
            .map(Zeroizing::new)
            .map_err(|_| tampered())?;
        let sealed: Sealed = serde_json::from_slice(&plain).map_err(|_| tampered())?;
        Ok((
            PreviousVersion {
                id,
                created_at,
                purge_at,
            },
            Zeroizing::new(sealed.value.clone()),
        ))
    }

    /// Open a previous version to show it to the user: a `reveal` audit event naming it.
    pub fn reveal_previous(
        &mut self,
        item_id: &str,
        version_id: Option<&str>,
    ) -> Result<(PreviousVersion, Zeroizing<String>)> {
        let out = self.open_previous(item_id, version_id)?;
        let item = self.get(item_id)?;
        self.record(Action::Reveal, &item, Some(PREVIOUS_FIELD.to_owned()))?;
        Ok(out)
    }

    /// Delete the previous versions whose grace period has ended (best effort on a vault
    /// opened read-only or busy: the reads skip them anyway). Returns how many went.
    pub fn purge_versions(&self) -> usize {
        self.purge_versions_at(timefmt::now())
    }

    /// [`Vault::purge_versions`] at `now`.
    pub fn purge_versions_at(&self, now: i64) -> usize {
        if self.read_only.is_some() || self.schema_version < SINCE_SCHEMA {
            return 0;
        }
        // Never wait for another process's write.
        let _ = self.conn.busy_timeout(std::time::Duration::ZERO);
        let n = purge_conn(&self.conn, now).unwrap_or_else(|e| {
            tracing::debug!("expired previous versions not purged: {e}");
            0
        });
        let _ = self.conn.busy_timeout(super::BUSY_TIMEOUT);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::NewItem;
    use crate::crypto::kdf::KdfParams;
    use crate::vault::CreateOptions;
    use secrecy::SecretString;

    const NOW: i64 = 1_800_000_000;

    fn vault(dir: &std::path::Path) -> Vault {
        Vault::create(
            &dir.join("vault.db"),
            &SecretString::from("pw".to_owned()),
            CreateOptions {
                kdf: Some(KdfParams::new_unchecked(256, 1, 1)),
                keyring: None,
            },
        )
        .map(|c| c.vault)
        .unwrap_or_else(|e| panic!("create: {e}"))
    }

    fn reopen(dir: &std::path::Path) -> Vault {
        let mut v = Vault::open(&dir.join("vault.db")).expect("open");
        v.unlock_with_password(&SecretString::from("pw".to_owned()))
            .expect("unlock");
        v
    }

    fn z(s: &str) -> Zeroizing<String> {
        Zeroizing::new(s.to_owned())
    }

    fn add(v: &mut Vault, name: &str, value: &str, rotate: Option<u32>) -> String {
        let mut n = NewItem::new(Kind::ApiKey, name, value);
        n.rotate_every_days = rotate;
        v.add(n).expect("add").id
    }

    #[test]
    fn rotate_keeps_the_old_value_sealed_until_the_grace_period_ends() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = vault(dir.path());
        let id = add(&mut v, "Stripe", "sk_old_123", Some(90));
        let r = v.rotate_at(&id, z("sk_new_456"), 7, NOW).expect("rotate");
        let prev = r.previous.expect("kept");
        assert_eq!(
            (prev.created_at, prev.purge_at),
            (NOW, NOW + 7 * DAY),
            "{prev:?}"
        );
        assert_eq!(r.item.overview.last_rotated_at, NOW);
        assert_eq!(
            crate::expiry::evaluate(&r.item.overview, NOW).rotation_due_at,
            Some(NOW + 90 * DAY),
            "the reminder restarts from the rotation"
        );
        assert_eq!(v.open_secret(&id).expect("secret").value, "sk_new_456");
        // The old value is in the file only sealed.
        drop(v);
        let bytes = std::fs::read(dir.path().join("vault.db")).expect("read");
        assert!(!bytes.windows(10).any(|w| w == b"sk_old_123"));
        let mut v = reopen(dir.path());
        let (meta, old) = v
            .open_previous_at(&id, None, NOW + 7 * DAY - 1)
            .expect("still in its grace period");
        assert_eq!(
            (meta.id.as_str(), old.as_str()),
            (prev.id.as_str(), "sk_old_123")
        );
        // Revealing it is audited, naming the previous value.
        v.reveal_previous(&id, Some(&prev.id)).expect("reveal");
        let last = v.audit_log(Some(&id)).expect("log").pop().expect("event");
        assert_eq!(
            (last.action, last.detail.as_deref()),
            (Action::Reveal, Some(PREVIOUS_FIELD))
        );
        let change = v
            .audit_log(Some(&id))
            .expect("log")
            .into_iter()
            .find(|e| e.action == Action::Change)
            .expect("change");
        assert_eq!(change.detail.as_deref(), Some("rotated, secret"));
        // At the end of the grace period it is gone, for reads before the purge too.
        let end = NOW + 7 * DAY;
        assert!(v.previous_versions_at(&id, end).expect("list").is_empty());
        let gone = v.open_previous_at(&id, None, end).expect_err("gone");
        assert!(
            gone.to_string()
                .contains("\"Stripe\" has no previous version"),
            "{gone}"
        );
        assert_eq!(v.previous_versions_at(&id, end - 1).expect("list").len(), 1);
        assert_eq!(v.purge_versions_at(end - 1), 0);
        assert_eq!(v.purge_versions_at(end), 1);
        let rows: i64 = v
            .conn
            .query_row("SELECT count(*) FROM versions", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 0, "the row is deleted");
    }

    #[test]
    fn rotation_without_grace_keeps_nothing_and_bad_input_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = vault(dir.path());
        let id = add(&mut v, "GitHub", "ghp_one", None);
        let r = v.rotate_at(&id, z("ghp_two"), 0, NOW).expect("rotate");
        assert!(r.previous.is_none());
        assert!(v.previous_versions_at(&id, NOW).expect("list").is_empty());
        let same = v.rotate_at(&id, z("ghp_two"), 7, NOW).expect_err("same");
        assert!(
            same.to_string().contains("same as the current value"),
            "{same}"
        );
        let empty = v.rotate_at(&id, z("  "), 7, NOW).expect_err("empty");
        assert!(empty.to_string().contains("empty"), "{empty}");
        let long = v.rotate_at(&id, z("ghp_3"), 366, NOW).expect_err("long");
        assert!(long.to_string().contains("366 days"), "{long}");
        let mut t = NewItem::new(Kind::Totp, "2FA", "JBSWY3DPEHPK3PXP");
        t.issuer = Some("x".into());
        let totp = v.add(t).expect("totp").id;
        let e = v
            .rotate_at(&totp, z("JBSWY3DPEHPK3PXQ"), 7, NOW)
            .expect_err("2FA");
        assert!(e.to_string().contains("2FA"), "{e}");
        // Nothing of it reached the item.
        assert_eq!(v.open_secret(&id).expect("secret").value, "ghp_two");
    }

    #[test]
    fn rows_swapped_between_items_or_given_a_later_end_do_not_open() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = vault(dir.path());
        let a = add(&mut v, "A", "a-old", None);
        let b = add(&mut v, "B", "b-old", None);
        v.rotate_at(&a, z("a-new"), 7, NOW).expect("rotate a");
        v.rotate_at(&b, z("b-new"), 7, NOW).expect("rotate b");
        // B's sealed value copied into A's row.
        v.conn
            .execute(
                "UPDATE versions SET value = (SELECT value FROM versions WHERE item_id = ?2) \
                 WHERE item_id = ?1",
                params![a, b],
            )
            .expect("swap");
        assert!(matches!(
            v.open_previous_at(&a, None, NOW),
            Err(Error::Tampered { .. })
        ));
        // B's row moved to item A.
        v.conn
            .execute(
                "UPDATE versions SET item_id = ?1 WHERE item_id = ?2",
                params![a, b],
            )
            .expect("move");
        for p in v.previous_versions_at(&a, NOW).expect("list") {
            assert!(matches!(
                v.open_previous_at(&a, Some(&p.id), NOW),
                Err(Error::Tampered { .. })
            ));
        }
        // A later end.
        let c = add(&mut v, "C", "c-old", None);
        v.rotate_at(&c, z("c-new"), 1, NOW).expect("rotate c");
        v.conn
            .execute(
                "UPDATE versions SET purge_at = purge_at + 86400 WHERE item_id = ?1",
                [&c],
            )
            .expect("extend");
        assert!(matches!(
            v.open_previous_at(&c, None, NOW),
            Err(Error::Tampered { .. })
        ));
    }

    #[test]
    fn rekey_reseals_previous_versions_and_delete_removes_them() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = vault(dir.path());
        let id = add(&mut v, "A", "old-value", None);
        let now = timefmt::now();
        v.rotate_at(&id, z("new-value"), 30, now).expect("rotate");
        let before: Vec<u8> = v
            .conn
            .query_row("SELECT value FROM versions", [], |r| r.get(0))
            .expect("blob");
        let r = v
            .rekey(&SecretString::from("pw".to_owned()), None, None)
            .expect("rekey");
        assert!(r.tampered.is_empty(), "{:?}", r.tampered);
        let after: Vec<u8> = v
            .conn
            .query_row("SELECT value FROM versions", [], |r| r.get(0))
            .expect("blob");
        assert_ne!(before, after, "re-sealed");
        drop(v);
        let mut v = reopen(dir.path());
        assert_eq!(
            v.open_previous(&id, None).expect("opens").1.as_str(),
            "old-value"
        );
        // Deleting the item deletes its versions.
        v.delete(&id).expect("delete");
        let rows: i64 = v
            .conn
            .query_row("SELECT count(*) FROM versions", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 0);
    }

    #[test]
    fn at_most_ten_versions_and_expired_ones_go_at_unlock() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = vault(dir.path());
        let id = add(&mut v, "A", "v0", None);
        let now = timefmt::now();
        for i in 1..=12 {
            v.rotate_at(&id, z(&format!("v{i}")), 30, now + i)
                .expect("rotate");
        }
        let list = v.previous_versions_at(&id, now + 20).expect("list");
        assert_eq!(list.len(), MAX_VERSIONS);
        assert_eq!(
            v.open_previous_at(&id, None, now + 20)
                .expect("newest")
                .1
                .as_str(),
            "v11"
        );
        // A version whose end has passed is deleted at the next unlock.
        let b = add(&mut v, "B", "b0", None);
        v.rotate_at(&b, z("b1"), 1, now - 2 * DAY).expect("rotate");
        drop(v);
        let v = reopen(dir.path());
        let rows: i64 = v
            .conn
            .query_row(
                "SELECT count(*) FROM versions WHERE item_id = ?1",
                [&b],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(rows, 0);
    }

    #[test]
    fn snooze_moves_the_reminder_not_the_expiry() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = vault(dir.path());
        // Rotation due (created long ago with a 30-day policy).
        let mut n = NewItem::new(Kind::ApiKey, "Due", "k");
        n.rotate_every_days = Some(30);
        n.expires_at = Some(NOW + 20 * DAY);
        let id = v.add(n).expect("add").id;
        let later = timefmt::now() + 31 * DAY;
        let item = v.snooze_at(&id, 7, later).expect("snooze");
        let e = crate::expiry::evaluate(&item.overview, later);
        assert_eq!(
            (e.status, e.snoozed_until),
            (Status::Ok, Some(later + 7 * DAY))
        );
        assert_eq!(
            e.expires_at,
            Some(NOW + 20 * DAY),
            "the expiry is unchanged"
        );
        assert_eq!(v.open_secret(&id).expect("secret").value, "k");
        // A rotation ends the snooze.
        let r = v.rotate_at(&id, z("k2"), 0, later + DAY).expect("rotate");
        assert_eq!(r.item.overview.snoozed_until, None);
        // Rotating an expired key clears the passed date (it was the old key's); a date
        // still ahead is kept.
        let mut n = NewItem::new(Kind::ApiKey, "Old", "k");
        n.expires_at = Some(NOW);
        let old = v.add(n).expect("add").id;
        let r = v.rotate_at(&old, z("k2"), 0, NOW + 1).expect("rotate");
        assert_eq!(r.item.overview.expires_at, None);
        let r = v
            .rotate_at(&id, z("k3"), 0, later + 2 * DAY)
            .expect("rotate");
        assert_eq!(r.item.overview.expires_at, Some(NOW + 20 * DAY));
        // Expired: refused, saying why.
        let mut n = NewItem::new(Kind::ApiKey, "Gone", "k");
        n.expires_at = Some(NOW);
        let gone = v.add(n).expect("add").id;
        let e = v.snooze_at(&gone, 7, NOW + 1).expect_err("expired");
        assert!(e.to_string().contains("has expired"), "{e}");
        // Nothing to snooze.
        let plain = add(&mut v, "Plain", "k", None);
        let e = v.snooze_at(&plain, 7, NOW).expect_err("nothing");
        assert!(
            e.to_string().contains("no rotation reminder or expiry"),
            "{e}"
        );
        assert!(v.snooze_at(&id, 0, NOW).is_err());
        assert!(v.snooze_at(&id, 366, NOW).is_err());
    }

    #[test]
    fn a_schema_6_vault_gets_the_versions_table() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = vault(dir.path());
        let id = add(&mut v, "A", "old", None);
        // Back to schema 6 as migrations 0007 (the Trash) and 0008 find it: no versions,
        // no trash, the request triggers of 0004/0005, a sealed count of items only.
        let keys = v.keys.as_ref().expect("unlocked");
        let old_head = keys
            .overview
            .seal(
                &ad(&v.vault_id, "meta", "item_head", "value"),
                br#"{"items":1}"#,
            )
            .expect("seal");
        let schema6 = format!(
            "DROP TRIGGER versions_on_item_delete; DROP TABLE versions; DROP TABLE trash;
             DROP TRIGGER requests_on_item_delete;
             DROP TRIGGER saved_requests_on_item_delete;
             CREATE TRIGGER requests_on_item_delete AFTER DELETE ON items
             BEGIN DELETE FROM requests WHERE item_id = OLD.id; END;
             CREATE TRIGGER saved_requests_on_item_delete AFTER DELETE ON items
             BEGIN DELETE FROM saved_requests WHERE item_id = OLD.id; END;
             UPDATE meta SET value = '{}' WHERE key = 'item_head';
             PRAGMA user_version = 6;",
            {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(old_head)
            }
        );
        v.conn
            .execute_batch(crate::vault::UNDO_SCHEMA_9)
            .expect("back to 8");
        v.conn.execute_batch(&schema6).expect("downgrade");
        drop(v);
        let mut v = reopen(dir.path());
        assert_eq!(v.schema_version(), super::super::schema::SCHEMA_VERSION);
        assert_eq!(v.item_count_problem().expect("check"), None);
        assert_eq!(v.open_secret(&id).expect("secret").value, "old");
        let r = v
            .rotate_at(&id, z("new"), 7, timefmt::now())
            .expect("rotate");
        assert!(r.previous.is_some());
        assert_eq!(v.open_previous(&id, None).expect("open").1.as_str(), "old");
        // Both tables work together: the versions stay with the item in the Trash.
        v.trash(&id).expect("trash");
        v.restore(&id, None).expect("restore");
        assert_eq!(v.open_previous(&id, None).expect("open").1.as_str(), "old");
        assert_eq!(v.item_count_problem().expect("check"), None);
    }

    /// A schema 7 vault (with the Trash, before the versions) gets the table, and an item
    /// already in the Trash is restored fine.
    #[test]
    fn a_schema_7_vault_gets_the_versions_table() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = vault(dir.path());
        let id = add(&mut v, "A", "old", None);
        let gone = add(&mut v, "B", "b", None);
        v.trash(&gone).expect("trash");
        v.conn
            .execute_batch(crate::vault::UNDO_SCHEMA_9)
            .expect("back to 8");
        v.conn
            .execute_batch(
                "DROP TRIGGER versions_on_item_delete; DROP TRIGGER versions_on_trash_delete; \
                 DROP TABLE versions; PRAGMA user_version = 7;",
            )
            .expect("downgrade");
        drop(v);
        let mut v = reopen(dir.path());
        assert_eq!(v.schema_version(), crate::vault::schema::SCHEMA_VERSION);
        assert_eq!(v.item_count_problem().expect("check"), None);
        v.rotate_at(&id, z("new"), 7, timefmt::now())
            .expect("rotate");
        assert_eq!(v.open_previous(&id, None).expect("open").1.as_str(), "old");
        v.restore(&gone, None).expect("restore");
        assert_eq!(v.open_secret(&gone).expect("secret").value, "b");
    }

    fn version_rows(v: &Vault, item_id: &str) -> i64 {
        v.conn
            .query_row(
                "SELECT count(*) FROM versions WHERE item_id = ?1",
                [item_id],
                |r| r.get(0),
            )
            .expect("count")
    }

    /// An item's previous versions stay with it in the Trash (hidden, not openable), come
    /// back with a restore, survive a rekey there, and go when it is purged or the Trash
    /// is emptied; their grace period still runs meanwhile.
    #[test]
    fn previous_versions_follow_an_item_into_the_trash_and_out() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = vault(dir.path());
        let now = timefmt::now();
        let a = add(&mut v, "A", "a-old", None);
        let b = add(&mut v, "B", "b-old", None);
        let c = add(&mut v, "C", "c-old", None);
        v.rotate_at(&a, z("a-new"), 30, now).expect("rotate a");
        v.rotate_at(&b, z("b-new"), 30, now).expect("rotate b");
        v.rotate_at(&c, z("c-new"), 1, now - DAY + 60)
            .expect("rotate c");
        v.trash(&a).expect("trash a");
        v.trash(&b).expect("trash b");
        v.trash(&c).expect("trash c");
        // Kept, but neither listed nor opened while in the Trash.
        assert_eq!(version_rows(&v, &a), 1);
        assert!(v.previous_versions(&a).expect("list").is_empty());
        let e = v.open_previous(&a, None).expect_err("in the Trash");
        assert!(e.to_string().contains("is in the Trash"), "{e}");
        assert!(v.reveal_previous(&a, None).is_err());
        // Their grace period runs on in the Trash.
        assert_eq!(v.purge_versions_at(now + 120), 1);
        assert_eq!(version_rows(&v, &c), 0);
        // A rekey re-seals them there too.
        let r = v
            .rekey(&SecretString::from("pw".to_owned()), None, None)
            .expect("rekey");
        assert_eq!((r.versions, r.trash), (2, 3));
        assert!(r.tampered.is_empty(), "{:?}", r.tampered);
        drop(v);
        let mut v = reopen(dir.path());
        // A restore brings them back, still opening.
        v.restore(&a, None).expect("restore a");
        let list = v.previous_versions(&a).expect("list");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].purge_at, now + 30 * DAY);
        assert_eq!(
            v.open_previous(&a, None).expect("opens").1.as_str(),
            "a-old"
        );
        // Purged with the item (and never orphaned by the move).
        v.purge(&b).expect("purge b");
        assert_eq!(version_rows(&v, &b), 0);
        assert_eq!(version_rows(&v, &a), 1);
        v.trash(&a).expect("trash a again");
        assert_eq!(v.empty_trash().expect("empty"), 2);
        let rows: i64 = v
            .conn
            .query_row("SELECT count(*) FROM versions", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 0, "nothing orphaned");
        assert_eq!(v.item_count_problem().expect("check"), None);
    }
}
