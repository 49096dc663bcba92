//! The Trash (schema 7): a deleted item's row moves from `items` to `trash` and stays there
//! [`KEEP_DAYS`] days, restorable with its audit log, request history and saved requests;
//! then it is purged (on unlock, and by the app's watch). `empty_trash` and `purge` delete
//! for good at once.
//!
//! A trashed item's overview and secret are sealed again under the trash's associated data:
//! `trash/{id}/overview/{deleted_at}` and `trash/{id}/secret`. The deletion time is bound
//! into the overview's: someone who can write the file but has no key cannot move a row
//! back into `items` (its blobs would not open there), nor change `deleted_at` to have an
//! item purged early or kept (the overview would not open, and only rows whose overview
//! opens are purged by age). Its name MAC is not kept, so a trashed item does not hold its
//! name. The sealed item count (`meta.item_head`) counts trash rows on their own.

use rusqlite::{OptionalExtension as _, TransactionBehavior, params};

use super::audit::{self, Action, AuditEvent};
use super::{
    DAMAGED_NAME, Item, Keys, TamperedItem, Vault, ad, head, normalize_name, seal_item,
    unique_violation,
};
use crate::credential::{Overview, SecretFields, validate_name};
use crate::error::{Error, Result};
use crate::timefmt;

/// Days an item stays in the Trash.
pub const KEEP_DAYS: i64 = 30;
/// The same in seconds.
pub const KEEP_S: i64 = KEEP_DAYS * 86_400;

/// An item in the Trash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrashedItem {
    pub id: String,
    pub overview: Overview,
    /// When it was moved to the Trash (Unix seconds).
    pub deleted_at: i64,
}

impl TrashedItem {
    pub fn name(&self) -> &str {
        &self.overview.name
    }

    /// When it is purged (Unix seconds).
    pub fn purge_at(&self) -> i64 {
        self.deleted_at.saturating_add(KEEP_S)
    }

    /// Whole days left before the purge at `now`, rounded up (0 once due).
    pub fn days_left(&self, now: i64) -> i64 {
        let left = self.purge_at().saturating_sub(now).max(0);
        left.saturating_add(86_399) / 86_400
    }
}

/// What the Trash holds: the items that open, the most recently deleted first, and the rows
/// that failed their integrity check (they can be purged, not restored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trash {
    pub items: Vec<TrashedItem>,
    pub damaged: Vec<TamperedItem>,
}

pub(super) fn overview_ad(vault_id: &str, id: &str, deleted_at: i64) -> Vec<u8> {
    ad(vault_id, "trash", id, &format!("overview/{deleted_at}"))
}

pub(super) fn secret_ad(vault_id: &str, id: &str) -> Vec<u8> {
    ad(vault_id, "trash", id, "secret")
}

fn tampered(id: &str, field: &str) -> Error {
    Error::Tampered {
        item: id.to_owned(),
        field: format!("{field} (in the Trash)"),
    }
}

fn open_overview(keys: &Keys, vault_id: &str, id: &str, at: i64, blob: &[u8]) -> Result<Overview> {
    let plain = keys
        .overview
        .open(&overview_ad(vault_id, id, at), blob)
        .map_err(|_| tampered(id, "overview"))?;
    serde_json::from_slice(&plain).map_err(|_| tampered(id, "overview"))
}

fn open_secret(keys: &Keys, vault_id: &str, id: &str, blob: &[u8]) -> Result<SecretFields> {
    let plain = zeroize::Zeroizing::new(
        keys.secret
            .open(&secret_ad(vault_id, id), blob)
            .map_err(|_| tampered(id, "secret"))?,
    );
    serde_json::from_slice(&plain).map_err(|_| tampered(id, "secret"))
}

/// A trash row: id, deletion time, sealed overview, sealed secret.
type Row = (String, i64, Vec<u8>, Vec<u8>);

fn read_rows(
    conn: &rusqlite::Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Vault {
    /// Number of items in the Trash (damaged ones too), without opening any.
    pub fn trash_count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM trash", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Move an item (by id or name) to the Trash; one transaction with its `trash` audit
    /// event and the sealed counts. An item that fails its integrity check cannot be
    /// moved (its blobs do not open to be sealed again): `Tampered`; [`Vault::delete`]
    /// removes it for good.
    pub fn trash(&mut self, id_or_name: &str) -> Result<TrashedItem> {
        self.trash_at(id_or_name, timefmt::now())
    }

    /// [`Vault::trash`] at a given time (tests of the 30-day purge).
    #[doc(hidden)]
    pub fn trash_at(&mut self, id_or_name: &str, now: i64) -> Result<TrashedItem> {
        let item = self.get(id_or_name)?;
        let secret = self.open_secret(&item.id)?;
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let vid = self.vault_id.as_str();
        let id = item.id.as_str();
        let ov_json = zeroize::Zeroizing::new(
            serde_json::to_vec(&item.overview).map_err(|e| Error::corrupt(e.to_string()))?,
        );
        let sec_json = zeroize::Zeroizing::new(
            serde_json::to_vec(&secret).map_err(|e| Error::corrupt(e.to_string()))?,
        );
        drop(secret);
        let ov_blob = keys.overview.seal(&overview_ad(vid, id, now), &ov_json)?;
        let sec_blob = keys.secret.seal(&secret_ad(vid, id), &sec_json)?;
        let ev = AuditEvent::new(now, Action::Trash, id, item.name(), self.actor, None);
        let ev_row = audit::seal_event(&keys.audit, vid, &ev)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Into the Trash first: the triggers keep the item's requests while it is there.
        tx.execute(
            "INSERT INTO trash (id, deleted_at, overview, secret) VALUES (?1, ?2, ?3, ?4)",
            params![id, now, ov_blob, sec_blob],
        )?;
        let n = tx.execute("DELETE FROM items WHERE id = ?1", [id])?;
        if n != 1 {
            return Err(Error::NotFound {
                name: id_or_name.to_owned(),
            });
        }
        audit::insert(&tx, &ev_row)?;
        head::bump(&tx, &keys.overview, vid, -1, 1)?;
        tx.commit()?;
        if let Some(c) = &mut self.cache {
            c.remove(&item.id);
        }
        Ok(TrashedItem {
            id: item.id,
            overview: item.overview,
            deleted_at: now,
        })
    }

    /// What the Trash holds, the most recently deleted first.
    pub fn trash_items(&mut self) -> Result<Trash> {
        let keys = self.keys()?;
        let rows = read_rows(
            &self.conn,
            "SELECT id, deleted_at, overview, x'' FROM trash ORDER BY deleted_at DESC, rowid DESC",
            [],
        )?;
        let mut out = Trash::default();
        for (id, at, blob, _) in rows {
            match open_overview(keys, &self.vault_id, &id, at, &blob) {
                Ok(overview) => out.items.push(TrashedItem {
                    id,
                    overview,
                    deleted_at: at,
                }),
                Err(e) => out.damaged.push(TamperedItem {
                    id,
                    reason: e.to_string(),
                }),
            }
        }
        Ok(out)
    }

    /// The item in the Trash with this id, or else this name (compared as names are). Two
    /// or more of that name: `TrashAmbiguous`, listing their ids.
    pub fn find_in_trash(&mut self, name_or_id: &str) -> Result<TrashedItem> {
        let trash = self.trash_items()?;
        let id = name_or_id.trim();
        if let Some(t) = trash.items.iter().find(|t| t.id == id) {
            return Ok(t.clone());
        }
        if trash.damaged.iter().any(|t| t.id == id) {
            return Err(tampered(id, "overview"));
        }
        let wanted = normalize_name(name_or_id);
        let mut found: Vec<TrashedItem> = trash
            .items
            .into_iter()
            .filter(|t| normalize_name(t.name()) == wanted)
            .collect();
        match found.len() {
            0 => Err(Error::NotInTrash {
                name: name_or_id.to_owned(),
            }),
            1 => Ok(found.remove(0)),
            count => Err(Error::TrashAmbiguous {
                name: name_or_id.to_owned(),
                count,
                choices: found
                    .iter()
                    .map(|t| format!("{} deleted {}", t.id, timefmt::rfc3339(t.deleted_at)))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Bring an item back from the Trash by id, under `new_name` when given (else its own
    /// name). Its name must be free: `RestoreConflict` names the conflict. One transaction
    /// with its `restore` audit event and the sealed counts.
    pub fn restore(&mut self, id: &str, new_name: Option<&str>) -> Result<Item> {
        let now = timefmt::now();
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let vid = self.vault_id.as_str();
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT id, deleted_at, overview, secret FROM trash WHERE id = ?1",
                [id.trim()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((id, at, ov_blob, sec_blob)) = row else {
            return Err(Error::NotInTrash {
                name: id.to_owned(),
            });
        };
        let mut ov = open_overview(keys, vid, &id, at, &ov_blob)?;
        let secret = open_secret(keys, vid, &id, &sec_blob)?;
        let old_name = ov.name.clone();
        if let Some(n) = new_name {
            let n = validate_name(n)?;
            if n != ov.name {
                ov.name = n;
                ov.updated_at = now;
            }
        }
        let (mac, ov_blob, sec_blob) = seal_item(keys, vid, &id, &ov, &secret)?;
        drop(secret);
        let detail = (ov.name != old_name).then(|| format!("name: was {old_name:?}"));
        let ev = AuditEvent::new(now, Action::Restore, &id, &ov.name, self.actor, detail);
        let ev_row = audit::seal_event(&keys.audit, vid, &ev)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Into the items first: the triggers keep its requests.
        tx.execute(
            "INSERT INTO items (id, name_mac, overview, secret) VALUES (?1, ?2, ?3, ?4)",
            params![id, &mac[..], ov_blob, sec_blob],
        )
        .map_err(|e| match unique_violation(e, &ov.name) {
            Error::DuplicateName { name } => Error::RestoreConflict { name },
            e => e,
        })?;
        let n = tx.execute("DELETE FROM trash WHERE id = ?1", [&id])?;
        if n != 1 {
            return Err(Error::NotInTrash { name: id });
        }
        audit::insert(&tx, &ev_row)?;
        head::bump(&tx, &keys.overview, vid, 1, -1)?;
        tx.commit()?;
        let item = Item { id, overview: ov };
        self.cache_put(item.clone());
        Ok(item)
    }

    /// Delete an item in the Trash for good (a damaged one too: the user's way out).
    pub fn purge(&mut self, id: &str) -> Result<()> {
        let id = id.trim();
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT deleted_at, overview FROM trash WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((at, blob)) = row else {
            return Err(Error::NotInTrash {
                name: id.to_owned(),
            });
        };
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let name = open_overview(keys, &self.vault_id, id, at, &blob)
            .map_or_else(|_| DAMAGED_NAME.to_owned(), |o| o.name);
        self.purge_rows(&[(id.to_owned(), name)], None)?;
        Ok(())
    }

    /// Delete everything in the Trash for good; returns how many items went.
    pub fn empty_trash(&mut self) -> Result<usize> {
        let trash = self.trash_items()?;
        let rows: Vec<(String, String)> = trash
            .items
            .into_iter()
            .map(|t| (t.id, t.overview.name))
            .chain(
                trash
                    .damaged
                    .into_iter()
                    .map(|t| (t.id, DAMAGED_NAME.to_owned())),
            )
            .collect();
        self.purge_rows(&rows, Some("the Trash was emptied"))
    }

    /// Purge what has been in the Trash [`KEEP_DAYS`] days or more at `now`: only rows
    /// whose overview opens (so that an edited `deleted_at` purges nothing). Returns them.
    /// A vault opened read-only purges nothing.
    pub fn purge_expired_trash(&mut self, now: i64) -> Result<Vec<TrashedItem>> {
        if self.read_only.is_some() {
            return Ok(Vec::new());
        }
        let keys = self.keys()?;
        let rows = read_rows(
            &self.conn,
            "SELECT id, deleted_at, overview, x'' FROM trash WHERE deleted_at <= ?1",
            [now.saturating_sub(KEEP_S)],
        )?;
        let due: Vec<TrashedItem> = rows
            .into_iter()
            .filter_map(|(id, at, blob, _)| {
                open_overview(keys, &self.vault_id, &id, at, &blob)
                    .ok()
                    .map(|overview| TrashedItem {
                        id,
                        overview,
                        deleted_at: at,
                    })
            })
            .collect();
        if due.is_empty() {
            return Ok(due);
        }
        let rows: Vec<(String, String)> = due
            .iter()
            .map(|t| (t.id.clone(), t.overview.name.clone()))
            .collect();
        self.purge_rows(&rows, Some("30 days in the Trash"))?;
        Ok(due)
    }

    /// Delete trash rows `(id, name)` with a `purge` event each, in one transaction. A row
    /// gone meanwhile (another process) is skipped. Returns how many were deleted.
    fn purge_rows(&mut self, rows: &[(String, String)], why: Option<&str>) -> Result<usize> {
        if rows.is_empty() {
            return Ok(0);
        }
        let now = timefmt::now();
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let vid = self.vault_id.as_str();
        let mut events = Vec::with_capacity(rows.len());
        for (id, name) in rows {
            let ev = AuditEvent::new(
                now,
                Action::Purge,
                id,
                name,
                self.actor,
                why.map(str::to_owned),
            );
            events.push(audit::seal_event(&keys.audit, vid, &ev)?);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut n = 0i64;
        for ((id, _), ev) in rows.iter().zip(&events) {
            if tx.execute("DELETE FROM trash WHERE id = ?1", [id])? == 1 {
                audit::insert(&tx, ev)?;
                n += 1;
            }
        }
        if n == 0 && rows.len() == 1 {
            return Err(Error::NotInTrash {
                name: rows[0].0.clone(),
            });
        }
        head::bump(&tx, &keys.overview, vid, 0, -n)?;
        tx.commit()?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Kind, NewItem};
    use crate::probe::diagnose::DiagnosisKind;
    use crate::probe::history::HistoryEntry;
    use secrecy::SecretString;

    const PW: &str = "pw-pw-pw-pw";

    fn new_vault(dir: &std::path::Path) -> Vault {
        Vault::create(
            &dir.join("vault.db"),
            &SecretString::from(PW.to_owned()),
            crate::CreateOptions {
                kdf: Some(crate::crypto::kdf::KdfParams::new_unchecked(256, 1, 1)),
                keyring: None,
            },
        )
        .expect("create")
        .vault
    }

    fn reopen(dir: &std::path::Path) -> Vault {
        let mut v = Vault::open(&dir.join("vault.db")).expect("open");
        v.unlock_with_password(&SecretString::from(PW.to_owned()))
            .expect("unlock");
        v
    }

    fn key(name: &str, value: &str) -> NewItem {
        NewItem::new(Kind::ApiKey, name, value)
    }

    fn entry(at: i64) -> HistoryEntry {
        HistoryEntry {
            at,
            method: "GET".into(),
            url: "https://api.example.com/v1/me".into(),
            headers: vec![],
            body_bytes: 0,
            status: Some(200),
            diagnosis: DiagnosisKind::Ok,
            message: "worked".into(),
            total_ms: 12,
            renewed: false,
            credential_header: None,
            credential_query: None,
        }
    }

    fn names(v: &mut Vault) -> Vec<String> {
        v.items()
            .expect("items")
            .iter()
            .map(|i| i.overview.name.clone())
            .collect()
    }

    fn actions(v: &mut Vault, id: &str) -> Vec<Action> {
        v.audit_log(Some(id))
            .expect("log")
            .iter()
            .map(|e| e.action)
            .collect()
    }

    #[test]
    fn a_trashed_item_leaves_every_list_frees_its_name_and_comes_back_with_its_history() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = new_vault(dir.path());
        let stripe = v.add(key("Stripe", "sk_live_1")).expect("add").id;
        let totp = v
            .add(NewItem::new(Kind::Totp, "GitHub 2FA", "JBSWY3DPEHPK3PXP"))
            .expect("totp")
            .id;
        v.add(key("Other", "o")).expect("other");
        v.record_request(&stripe, &entry(100)).expect("request");
        let t = v.trash("stripe").expect("trash by name");
        assert_eq!(t.id, stripe);
        assert_eq!(t.purge_at() - t.deleted_at, 30 * 86_400);
        assert_eq!(t.days_left(t.deleted_at), 30);
        v.trash(&totp).expect("trash by id");
        // Gone from the list, search, lookups and codes; kept, sealed, in the Trash.
        assert_eq!(names(&mut v), ["Other"]);
        assert!(v.search("stripe").expect("search").is_empty());
        assert_eq!(v.otp_codes(0).expect("codes").0.len(), 0);
        let e = v.find("Stripe").expect_err("not findable");
        assert_eq!(e.kind(), "not_found");
        assert!(e.to_string().contains("in the Trash"), "{e}");
        assert!(v.open_secret(&stripe).is_err());
        assert!(v.recent_requests(10).expect("recent").is_empty());
        assert_eq!(v.item_count().expect("count"), 1);
        assert_eq!(v.trash_count().expect("trash count"), 2);
        let trash = v.trash_items().expect("trash");
        assert_eq!(
            trash.items.iter().map(|t| t.name()).collect::<Vec<_>>(),
            ["GitHub 2FA", "Stripe"]
        );
        assert!(trash.damaged.is_empty());
        let raw: Vec<u8> = v
            .conn
            .query_row("SELECT secret FROM trash WHERE id = ?1", [&stripe], |r| {
                r.get(0)
            })
            .expect("row");
        assert!(!raw.windows(9).any(|w| w == b"sk_live_1"), "sealed");
        assert_eq!(v.item_count_problem().expect("check"), None);

        // The name is free: a new item takes it; restoring the old one is refused with the
        // conflict named, and works under a new name.
        let new = v.add(key("STRIPE", "sk_live_2")).expect("name reused").id;
        let e = v.restore(&stripe, None).expect_err("conflict");
        assert_eq!(e.kind(), "duplicate_name");
        assert!(
            matches!(&e, Error::RestoreConflict { name } if name == "Stripe"),
            "{e}"
        );
        assert!(e.to_string().contains("--as NEW_NAME"), "{e}");
        assert_eq!(v.trash_count().expect("still there"), 2);
        let e = v.restore(&stripe, Some("  ")).expect_err("blank name");
        assert_eq!(e.kind(), "invalid_input");
        let back = v
            .restore(&stripe, Some("Stripe (old)"))
            .expect("restore as");
        assert_eq!(back.id, stripe);
        assert_eq!(v.find("stripe (old)").expect("found").id, stripe);
        assert_eq!(v.find("stripe").expect("new one").id, new);
        assert_eq!(v.open_secret(&stripe).expect("secret").value, "sk_live_1");
        assert_eq!(v.request_history(&stripe).expect("history").len(), 1);
        assert_eq!(
            actions(&mut v, &stripe),
            [Action::Add, Action::Trash, Action::Restore]
        );
        let last = v
            .audit_log(Some(&stripe))
            .expect("log")
            .pop()
            .expect("event");
        assert_eq!(last.detail.as_deref(), Some("name: was \"Stripe\""));
        // The 2FA item comes back under its own name and shows a code again.
        v.restore(&totp, None).expect("restore");
        assert_eq!(v.otp_codes(0).expect("codes").0.len(), 1);
        assert_eq!(v.trash_count().expect("empty"), 0);
        assert_eq!(v.item_count_problem().expect("check"), None);
        let e = v.restore(&totp, None).expect_err("not in the trash");
        assert_eq!(e.kind(), "not_found");
        // Restored items survive a reopen (the overview index was rebuilt).
        drop(v);
        let mut v = reopen(dir.path());
        assert_eq!(
            names(&mut v),
            ["GitHub 2FA", "Other", "STRIPE", "Stripe (old)"]
        );
        assert_eq!(v.item_count_problem().expect("check"), None);
    }

    #[test]
    fn find_in_trash_by_name_id_and_ambiguity() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = new_vault(dir.path());
        let a = v.add(key("Dup", "1")).expect("a").id;
        v.trash_at(&a, 1_000).expect("trash a");
        let e = v.find_in_trash("nope").expect_err("unknown");
        assert!(
            matches!(&e, Error::NotInTrash { name } if name == "nope"),
            "{e}"
        );
        assert!(e.to_string().contains("\"nope\""), "{e}");
        assert_eq!(v.find_in_trash("dup").expect("by name").id, a);
        let b = v.add(key("Dup", "2")).expect("b").id;
        v.trash_at(&b, 2_000).expect("trash b");
        let e = v.find_in_trash("Dup").expect_err("two");
        assert_eq!(e.kind(), "invalid_input");
        let msg = e.to_string();
        assert!(msg.contains(&a) && msg.contains(&b), "{msg}");
        assert_eq!(v.find_in_trash(&b).expect("by id").id, b);
        // Newest deletion first.
        let order: Vec<String> = v
            .trash_items()
            .expect("trash")
            .items
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(order, [b, a]);
    }

    #[test]
    fn items_are_purged_after_30_days_and_not_before() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = new_vault(dir.path());
        let now = 2_000_000_000;
        let old = v.add(key("Old", "o")).expect("old").id;
        let young = v.add(key("Young", "y")).expect("young").id;
        v.record_request(&old, &entry(100)).expect("request");
        v.trash_at(&old, now - KEEP_S).expect("trash old");
        v.trash_at(&young, now - KEEP_S + 60).expect("trash young");
        let purged = v.purge_expired_trash(now).expect("purge");
        assert_eq!(purged.len(), 1);
        assert_eq!(purged[0].id, old);
        let left: Vec<String> = v
            .trash_items()
            .expect("trash")
            .items
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(left, std::slice::from_ref(&young));
        // Gone for good, its request history too; its audit log stays and says why.
        let rows: i64 = v
            .conn
            .query_row(
                "SELECT count(*) FROM requests WHERE item_id = ?1",
                [&old],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(rows, 0);
        let log = v.audit_log(Some(&old)).expect("log");
        let last = log.last().expect("event");
        assert_eq!(last.action, Action::Purge);
        assert_eq!(last.detail.as_deref(), Some("30 days in the Trash"));
        assert_eq!(v.item_count_problem().expect("check"), None);
        assert!(v.purge_expired_trash(now).expect("again").is_empty());
        assert_eq!(v.purge_expired_trash(now + 60).expect("later").len(), 1);
        assert_eq!(v.trash_count().expect("count"), 0);
        assert_eq!(v.item_count_problem().expect("check"), None);
    }

    #[test]
    fn unlock_purges_what_is_due() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = new_vault(dir.path());
        let a = v.add(key("A", "a")).expect("a").id;
        let b = v.add(key("B", "b")).expect("b").id;
        v.trash_at(&a, timefmt::now() - KEEP_S - 5).expect("old");
        v.trash(&b).expect("fresh");
        drop(v);
        let mut v = reopen(dir.path());
        let left: Vec<String> = v
            .trash_items()
            .expect("trash")
            .items
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(left, [b]);
        assert_eq!(v.item_count_problem().expect("check"), None);
    }

    #[test]
    fn purge_and_empty() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = new_vault(dir.path());
        let ids: Vec<String> = ["A", "B", "C"]
            .iter()
            .map(|n| v.add(key(n, n)).expect("add").id)
            .collect();
        for id in &ids {
            v.trash(id).expect("trash");
        }
        v.purge(&ids[0]).expect("purge one");
        assert_eq!(v.trash_count().expect("count"), 2);
        let e = v.purge(&ids[0]).expect_err("gone");
        assert_eq!(e.kind(), "not_found");
        assert_eq!(v.empty_trash().expect("empty"), 2);
        assert_eq!(v.trash_count().expect("count"), 0);
        assert_eq!(v.empty_trash().expect("empty again"), 0);
        let log = v.audit_log(Some(&ids[2])).expect("log");
        assert_eq!(log.last().map(|e| e.action), Some(Action::Purge));
        assert_eq!(
            log.last().and_then(|e| e.detail.as_deref()),
            Some("the Trash was emptied")
        );
        assert_eq!(v.item_count_problem().expect("check"), None);
    }

    /// The deletion time cannot be edited to purge an item early, nor can a row be moved
    /// back into `items` by hand: both fail to open, and the counts tell.
    #[test]
    fn the_trash_cannot_be_forged_without_the_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = new_vault(dir.path());
        let now = 2_000_000_000;
        let a = v.add(key("A", "a")).expect("a").id;
        let b = v.add(key("B", "b")).expect("b").id;
        v.trash_at(&a, now - 60).expect("trash a");
        v.trash_at(&b, now - 60).expect("trash b");
        // An older deletion time, to have `a` purged at once: nothing is purged, and `a`
        // is listed as damaged.
        v.conn
            .execute("UPDATE trash SET deleted_at = 0 WHERE id = ?1", [&a])
            .expect("forge");
        assert!(v.purge_expired_trash(now).expect("purge").is_empty());
        let trash = v.trash_items().expect("trash");
        assert_eq!(trash.items.len(), 1);
        assert_eq!(trash.damaged.len(), 1);
        assert_eq!(trash.damaged[0].id, a);
        assert_eq!(v.restore(&a, None).expect_err("damaged").kind(), "tampered");
        // The user can still purge it.
        v.purge(&a).expect("purge damaged");
        assert_eq!(v.item_count_problem().expect("check"), None);
        // `b` moved back into the items by hand: it does not open there, and the counts
        // report one item added and one removed from the Trash.
        v.conn
            .execute_batch(&format!(
                "INSERT INTO items (id, name_mac, overview, secret)
                   SELECT id, randomblob(32), overview, secret FROM trash WHERE id = '{b}';
                 DELETE FROM trash WHERE id = '{b}';"
            ))
            .expect("move back");
        v.cache = None;
        assert_eq!(v.tampered().expect("tampered").len(), 1);
        let p = v.item_count_problem().expect("check").expect("reported");
        assert!(p.contains("1 item(s) were added outside Keywright"), "{p}");
        assert!(
            p.contains("1 item(s) were removed from the Trash outside Keywright"),
            "{p}"
        );
    }

    #[test]
    fn the_counts_stay_consistent_and_still_catch_outside_removals() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = new_vault(dir.path());
        let a = v.add(key("A", "a")).expect("a").id;
        let b = v.add(key("B", "b")).expect("b").id;
        let c = v.add(key("C", "c")).expect("c").id;
        v.trash(&a).expect("trash");
        v.trash(&b).expect("trash");
        v.restore(&a, None).expect("restore");
        v.purge(&b).expect("purge");
        v.trash(&c).expect("trash");
        assert_eq!(v.item_count_problem().expect("check"), None);
        drop(v);
        // A trash row deleted with SQL.
        let conn = rusqlite::Connection::open(dir.path().join("vault.db")).expect("raw");
        conn.execute("DELETE FROM trash WHERE id = ?1", [&c])
            .expect("raw delete");
        drop(conn);
        let mut v = reopen(dir.path());
        let p = v.item_count_problem().expect("check").expect("reported");
        assert!(
            p.contains("1 item(s) were removed from the Trash outside Keywright"),
            "{p}"
        );
        assert!(!p.contains("were removed outside"), "{p}");
        // An item row deleted with SQL, reported alongside.
        v.conn
            .execute("DELETE FROM items WHERE id = ?1", [&a])
            .expect("raw delete");
        let p = v.item_count_problem().expect("check").expect("reported");
        assert!(
            p.contains("1 item(s) were removed outside Keywright"),
            "{p}"
        );
        // A rekey re-seals the Trash and accepts the vault as it is.
        let d = v.add(key("D", "d")).expect("d").id;
        v.trash(&d).expect("trash");
        let r = v
            .rekey(&SecretString::from(PW.to_owned()), None, None)
            .expect("rekey");
        assert_eq!(r.trash, 1);
        assert!(r.tampered.is_empty(), "{:?}", r.tampered);
        assert_eq!(v.item_count_problem().expect("check"), None);
        let back = v.restore(&d, None).expect("restore after rekey");
        assert_eq!(v.open_secret(&back.id).expect("secret").value, "d");
    }

    /// A vault of schema 6 (made by this code, then taken back to schema 6 exactly as
    /// migration 0007 finds it: no Trash, no previous versions (0008), a sealed count of
    /// items only) upgrades in place.
    #[test]
    fn a_schema_6_vault_upgrades_in_place() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut v = new_vault(dir.path());
        let a = v.add(key("A", "a")).expect("a").id;
        v.add(key("B", "b")).expect("b");
        v.record_request(&a, &entry(100)).expect("request");
        let keys = v.keys.as_ref().expect("unlocked");
        let old_head = keys
            .overview
            .seal(
                &ad(&v.vault_id, "meta", "item_head", "value"),
                br#"{"items":2}"#,
            )
            .expect("seal");
        let schema6 = format!(
            "DROP TRIGGER versions_on_item_delete;
             DROP TABLE versions;
             DROP TABLE trash;
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
        v.conn.execute_batch(&schema6).expect("back to 6");
        drop(v);
        let v = Vault::open(&dir.path().join("vault.db")).expect("open");
        assert_eq!(v.schema_version(), 6);
        drop(v);
        let mut v = reopen(dir.path());
        assert_eq!(v.schema_version(), super::super::schema::SCHEMA_VERSION);
        assert_eq!(v.item_count_problem().expect("check"), None);
        assert_eq!(names(&mut v), ["A", "B"]);
        // The Trash works, and keeps the request history while the item is in it.
        v.trash(&a).expect("trash");
        assert_eq!(v.item_count_problem().expect("check"), None);
        v.restore(&a, None).expect("restore");
        assert_eq!(v.request_history(&a).expect("history").len(), 1);
        // A permanent delete still takes the history with it.
        v.delete(&a).expect("delete");
        let rows: i64 = v
            .conn
            .query_row("SELECT count(*) FROM requests", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 0);
        assert_eq!(v.item_count_problem().expect("check"), None);
    }
}
