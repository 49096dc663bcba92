//! Item names as compared: one folding for uniqueness, lookup, sort and search, and the
//! migration of vaults whose name index was built with an older folding.
//!
//! Folding version 1 (until issue 13) was `trim` + `to_lowercase`: "Straße" and "STRASSE"
//! were different names. Version 2 is `trim`, NFC, Unicode full default case folding, NFC:
//! they are the same name, and so are "İ" and "i̇". The version a vault's `items.name_mac`
//! column was computed with is `meta.name_fold` (absent = 1).

use std::collections::HashSet;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use unicode_normalization::UnicodeNormalization as _;

use super::audit::{self, Action, AuditEvent};
use super::{Keys, Vault, open_overview, seal_item};
use crate::credential::MAX_NAME_LEN;
use crate::error::Result;
use crate::timefmt;

/// The folding this build computes name MACs with.
pub const NAME_FOLD_VERSION: u32 = 2;
/// The `meta` key recording it.
pub const NAME_FOLD_KEY: &str = "name_fold";

/// Text folded for comparison: NFC, Unicode full default case folding, NFC again (the
/// folding can leave decomposed sequences; the second NFC makes the result stable).
pub fn fold(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    caseless::default_case_fold_str(&nfc).nfc().collect()
}

/// The name as compared for uniqueness, lookup, sort and search: trimmed, then [`fold`].
pub fn normalize_name(name: &str) -> String {
    fold(name.trim())
}

/// An item renamed by the migration because its name collided with another's under the
/// new folding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub id: String,
    pub from: String,
    pub to: String,
}

impl Renamed {
    /// The notice to show the user.
    pub fn notice(&self) -> String {
        format!(
            "renamed {:?} to {:?}: names are now compared with Unicode case folding and it \
             had the same name as another item",
            self.from, self.to
        )
    }
}

/// The vault's recorded folding version (1 when absent).
pub(super) fn recorded_version(conn: &rusqlite::Connection) -> Result<u32> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [NAME_FOLD_KEY],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|v| v.trim().parse().ok()).unwrap_or(1))
}

/// Record the current folding in a new vault (inside its creating transaction).
pub(super) fn record_current(conn: &rusqlite::Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![NAME_FOLD_KEY, NAME_FOLD_VERSION.to_string()],
    )?;
    Ok(())
}

/// `base (2)`, `base (3)`… whichever is free under the new folding, at most
/// [`MAX_NAME_LEN`] characters.
fn free_name(base: &str, taken: &HashSet<String>) -> String {
    let mut n: u64 = 2;
    loop {
        let suffix = format!(" ({n})");
        let keep = MAX_NAME_LEN.saturating_sub(suffix.chars().count());
        let head: String = base.trim().chars().take(keep).collect();
        let name = format!("{}{suffix}", head.trim_end());
        if !taken.contains(&normalize_name(&name)) {
            return name;
        }
        n = n.saturating_add(1);
    }
}

/// Recompute every item's name MAC with the current folding when the vault recorded an
/// older one; all in one transaction. Two items whose names now collide both stay: the
/// later one (by creation time, then insertion order) is renamed `Name (2)` with a `rename` audit event.
/// Items whose overview does not open keep their MAC (they are reported as damaged).
pub(super) fn migrate(vault: &mut Vault) -> Result<Vec<Renamed>> {
    if recorded_version(&vault.conn)? >= NAME_FOLD_VERSION {
        return Ok(Vec::new());
    }
    let keys: &Keys = vault.keys.as_ref().ok_or(crate::error::Error::Locked)?;
    let vault_id = vault.vault_id.clone();
    let tx = vault
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again inside the write transaction: another process may have just done it.
    if recorded_version(&tx)? >= NAME_FOLD_VERSION {
        return Ok(Vec::new());
    }
    // In insertion order (rowid), so that of two items made in the same second the first
    // keeps its name.
    let rows: Vec<(String, Vec<u8>, Vec<u8>)> = {
        let mut stmt = tx.prepare("SELECT id, overview, secret FROM items ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut opened = Vec::with_capacity(rows.len());
    for (id, ov_blob, sec_blob) in rows {
        if let Ok(ov) = open_overview(keys, &vault_id, &id, &ov_blob) {
            opened.push((id, ov, sec_blob));
        }
    }
    // Earliest first: the first item to hold a name keeps it (a stable sort keeps the
    // insertion order within a second).
    opened.sort_by_key(|(_, ov, _)| ov.created_at);
    let mut taken: HashSet<String> = opened
        .iter()
        .map(|(_, ov, _)| normalize_name(&ov.name))
        .collect();
    let mut seen: HashSet<String> = HashSet::with_capacity(opened.len());
    let mut renamed = Vec::new();
    // Clear the MACs first (to a value no HMAC can have: `old:` and the id, 36 bytes) so
    // that the new MACs never collide with old ones while they are rewritten.
    for (id, _, _) in &opened {
        tx.execute(
            "UPDATE items SET name_mac = CAST('old:' || id AS BLOB) WHERE id = ?1",
            [id],
        )?;
    }
    let now = timefmt::now();
    for (id, mut ov, sec_blob) in opened {
        let key = normalize_name(&ov.name);
        if seen.insert(key) {
            let mac = crate::crypto::mac(&keys.name, normalize_name(&ov.name).as_bytes());
            tx.execute(
                "UPDATE items SET name_mac = ?2 WHERE id = ?1",
                params![id, &mac[..]],
            )?;
            continue;
        }
        let from = ov.name.clone();
        let to = free_name(&from, &taken);
        taken.insert(normalize_name(&to));
        seen.insert(normalize_name(&to));
        ov.name.clone_from(&to);
        ov.updated_at = now;
        let secret = super::open_secret_blob(keys, &vault_id, &id, &sec_blob)?;
        let (mac, ov_blob, _) = seal_item(keys, &vault_id, &id, &ov, &secret)?;
        tx.execute(
            "UPDATE items SET name_mac = ?2, overview = ?3 WHERE id = ?1",
            params![id, &mac[..], ov_blob],
        )?;
        let ev = AuditEvent::new(
            now,
            Action::Rename,
            &id,
            &to,
            vault.actor,
            Some(format!(
                "name: was {from:?}, the same name as another item under Unicode case folding"
            )),
        );
        audit::insert(&tx, &audit::seal_event(&keys.audit, &vault_id, &ev)?)?;
        renamed.push(Renamed { id, from, to });
    }
    record_current(&tx)?;
    tx.commit()?;
    Ok(renamed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_folding() {
        assert_eq!(normalize_name("  Straße "), normalize_name("STRASSE"));
        assert_eq!(normalize_name("İ"), normalize_name("i\u{307}"));
        // NFC: a precomposed and a combining é are the same name.
        assert_eq!(normalize_name("Caf\u{e9}"), normalize_name("CAFE\u{301}"));
        assert_ne!(normalize_name("GitHub"), normalize_name("GitLab"));
    }

    #[test]
    fn free_names_stay_within_the_limit() {
        let taken: HashSet<String> = [normalize_name("a"), normalize_name("a (2)")].into();
        assert_eq!(free_name("A", &taken), "A (3)");
        let long = "x".repeat(MAX_NAME_LEN);
        let n = free_name(&long, &HashSet::new());
        assert_eq!(n.chars().count(), MAX_NAME_LEN);
        assert!(n.ends_with(" (2)"), "{n}");
    }

    /// A vault whose name MACs were computed with folding version 1 (`trim` +
    /// `to_lowercase`), holding "Straße" (older) and "STRASSE" (newer), which that rule
    /// told apart, and "İ" (U+0130).
    fn old_rule_vault(dir: &std::path::Path) -> (std::path::PathBuf, [String; 3]) {
        use crate::credential::{Kind, NewItem};
        let path = dir.join("vault.db");
        let created = Vault::create(
            &path,
            &secrecy::SecretString::from("pw-pw-pw-pw".to_owned()),
            crate::CreateOptions {
                kdf: Some(crate::crypto::kdf::KdfParams::new_unchecked(256, 1, 1)),
                keyring: None,
            },
        )
        .expect("create");
        let mut v = created.vault;
        let old_mac = |v: &Vault, name: &str| {
            let keys = v.keys.as_ref().expect("unlocked");
            crate::crypto::mac(&keys.name, name.trim().to_lowercase().as_bytes())
        };
        let mut ids = Vec::new();
        for name in ["Straße", "STRASSE", "İ"] {
            let item = v
                .add(NewItem::new(Kind::ApiKey, name, format!("value of {name}")))
                .expect("add");
            // Written with the old rule, so the next item does not collide.
            let mac = old_mac(&v, name);
            v.conn
                .execute(
                    "UPDATE items SET name_mac = ?2 WHERE id = ?1",
                    params![item.id, &mac[..]],
                )
                .expect("old mac");
            ids.push(item.id);
        }
        v.conn
            .execute("DELETE FROM meta WHERE key = ?1", [NAME_FOLD_KEY])
            .expect("old vault");
        let [a, b, c] = <[String; 3]>::try_from(ids).expect("3 ids");
        (path, [a, b, c])
    }

    #[test]
    fn an_old_vault_is_refolded_on_unlock_and_loses_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let (path, [strasse_lower, strasse_upper, dotted]) = old_rule_vault(dir.path());
        let mut v = Vault::open(&path).expect("open");
        assert_eq!(recorded_version(&v.conn).expect("version"), 1);
        v.unlock_with_password(&secrecy::SecretString::from("pw-pw-pw-pw".to_owned()))
            .expect("unlock");
        assert_eq!(
            recorded_version(&v.conn).expect("version"),
            NAME_FOLD_VERSION
        );
        let notices = v.take_notices();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].contains("\"STRASSE\"") && notices[0].contains("\"STRASSE (2)\""),
            "{notices:?}"
        );
        // Nothing lost: three items, each with its own secret.
        let names: Vec<(String, String)> = v
            .items()
            .expect("items")
            .iter()
            .map(|i| (i.id.clone(), i.overview.name.clone()))
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(
            names.contains(&(strasse_lower.clone(), "Straße".into())),
            "{names:?}"
        );
        assert!(
            names.contains(&(strasse_upper.clone(), "STRASSE (2)".into())),
            "{names:?}"
        );
        assert_eq!(
            v.open_secret(&strasse_upper).expect("secret").value,
            "value of STRASSE"
        );
        // Lookup under the new rule: any case variant finds the item.
        for q in ["strasse", "STRASSE", "straße", " Straße "] {
            assert_eq!(v.find(q).expect(q).id, strasse_lower, "{q}");
        }
        assert_eq!(v.find("strasse (2)").expect("renamed").id, strasse_upper);
        assert_eq!(v.find("i\u{307}").expect("dotted").id, dotted);
        // The rename is in the audit log, by id, with the old name in the detail.
        let log = v.audit_log(Some(&strasse_upper)).expect("log");
        let last = log.last().expect("an event");
        assert_eq!(last.action, Action::Rename);
        assert_eq!(last.item_name, "STRASSE (2)");
        assert!(
            last.detail
                .as_deref()
                .unwrap_or_default()
                .contains("\"STRASSE\""),
            "{last:?}"
        );
        // Uniqueness under the new rule.
        let e = v
            .add(crate::credential::NewItem::new(
                crate::credential::Kind::ApiKey,
                "STRAßE",
                "x",
            ))
            .expect_err("same name");
        assert_eq!(e.kind(), "duplicate_name");
        // Done once: the next unlock changes nothing.
        drop(v);
        let mut v = Vault::open(&path).expect("open");
        v.unlock_with_password(&secrecy::SecretString::from("pw-pw-pw-pw".to_owned()))
            .expect("unlock");
        assert!(v.take_notices().is_empty());
        assert_eq!(
            v.audit_log(Some(&strasse_upper)).expect("log").len(),
            log.len()
        );
    }

    fn test_vault() -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().expect("tmp");
        let created = Vault::create(
            &dir.path().join("vault.db"),
            &secrecy::SecretString::from("pw-pw-pw-pw".to_owned()),
            crate::CreateOptions {
                kdf: Some(crate::crypto::kdf::KdfParams::new_unchecked(256, 1, 1)),
                keyring: None,
            },
        )
        .expect("create");
        (dir, created.vault)
    }

    thread_local! {
        /// One vault for every case of the property (creating one per case costs more).
        static FIND_VAULT: std::cell::RefCell<Option<(tempfile::TempDir, Vault)>> =
            const { std::cell::RefCell::new(None) };
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn folding_is_idempotent(s in "\\PC{0,24}") {
            let once = normalize_name(&s);
            prop_assert_eq!(normalize_name(&once), once);
        }

        // `find` by any case variant of a name finds the item; a case variant cannot be
        // added as a second item.
        #[test]
        fn find_by_any_case_variant(s in "[a-zA-Z0-9ßẞİσςΣæÆéÉ\u{0300}-\u{0344}\u{0346}-\u{036F}А-яΑ-ω-]{1,16}") {
            use crate::credential::{Kind, NewItem};
            prop_assume!(!s.trim().is_empty());
            FIND_VAULT.with(|cell| {
                let mut cell = cell.borrow_mut();
                let (_dir, v) = cell.get_or_insert_with(test_vault);
                let name = format!("n {s}");
                let item = match v.add(NewItem::new(Kind::ApiKey, name.as_str(), "v")) {
                    Ok(item) => item,
                    // Generated twice (or a variant of an earlier case): still findable.
                    Err(e) => {
                        prop_assert_eq!(e.kind(), "duplicate_name");
                        v.find(&name).map_err(|e| TestCaseError::fail(e.to_string()))?
                    }
                };
                for q in [name.to_uppercase(), name.to_lowercase(), format!("  {name} "), name.nfd().collect()] {
                    let found = v.find(&q).map_err(|e| TestCaseError::fail(format!("{q:?}: {e}")))?;
                    prop_assert_eq!(&found.id, &item.id, "{:?}", q);
                }
                let dup = v.add(NewItem::new(Kind::ApiKey, name.to_uppercase(), "v"));
                prop_assert_eq!(dup.map(|_| ()).map_err(|e| e.kind()), Err("duplicate_name"));
                Ok(())
            })?;
        }

        // Case variants fold alike (scripts whose case mappings are the same in std and
        // caseless; std follows a newer Unicode for a few recent letters).
        // U+0345 (combining ypogegrammeni) is left out of the marks: its upper case is a
        // capital iota, a starter, so upper-casing a string that starts with it changes its
        // canonical ordering — Unicode's one case mapping that does not commute with
        // normalisation (the property failed on "\u{345}\u{300}" for that reason alone).
        #[test]
        fn case_variants_fold_alike(s in "[a-zA-Z0-9 ßẞİσςΣæÆéÉ\u{0300}-\u{0344}\u{0346}-\u{036F}А-яΑ-ω-]{0,24}") {
            prop_assert_eq!(
                normalize_name(&s.to_uppercase()),
                normalize_name(&s.to_lowercase()),
                "case variants of {:?}", s
            );
        }
    }
}
