//! Imports on the vault: parsed records (`crate::import`) are checked against the vault —
//! which are new (and the unique name each will get), which the vault (or the same file)
//! already has, which are invalid and why — and the chosen ones are saved in one
//! transaction, with the saved requests that came with them.
//!
//! A duplicate is the same credential, whatever its name: the same 2FA seed; the same API
//! key or token; the same user, password and site; the same OAuth client at the same
//! token endpoint.

use std::collections::{HashMap, HashSet};

use rusqlite::{TransactionBehavior, params};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{Item, Vault, audit, head, new_id, normalize_name, open_secret_blob, seal_item};
use crate::credential::{Kind, NewItem, OtpParams, OtpType, Overview, SecretFields};
use crate::error::{Error, Result};
use crate::import::{Record, SavedDraft, reason_of};
use crate::timefmt;
use crate::vault::audit::{Action, AuditEvent};
use crate::vault::requests::{MAX_SAVED, MAX_SAVED_NAME, SavedRequest, saved_ad};

/// What an import will do with one entry of its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStatus {
    New,
    Duplicate,
    Invalid,
}

/// One entry of an import plan. `Debug` never shows a secret.
#[derive(Debug)]
pub struct PlanRow {
    pub position: usize,
    pub label: String,
    pub status: PlanStatus,
    /// The unique item name it will get (new entries).
    pub name: Option<String>,
    /// The item (new and duplicate entries), named `name` when new.
    pub item: Option<NewItem>,
    /// Whether the preview offers it ticked (obvious non-secrets are not).
    pub selected: bool,
    /// What the preview says about it ("a JWT: …", "looks like a setting").
    pub hint: Option<String>,
    /// Requests saved with the item.
    pub requests: Vec<SavedDraft>,
    /// Why it is invalid.
    pub reason: Option<String>,
    /// The item (or the entry of the same file) that already has this credential.
    pub duplicate_of: Option<String>,
}

impl PlanRow {
    fn invalid(position: usize, label: String, reason: String) -> Self {
        PlanRow {
            position,
            label,
            status: PlanStatus::Invalid,
            name: None,
            item: None,
            selected: false,
            hint: None,
            requests: Vec::new(),
            reason: Some(reason),
            duplicate_of: None,
        }
    }

    pub fn kind(&self) -> Option<Kind> {
        self.item.as_ref().map(|i| i.kind)
    }

    pub fn issuer(&self) -> Option<&str> {
        self.item.as_ref()?.issuer.as_deref()
    }

    pub fn username(&self) -> Option<&str> {
        self.item.as_ref()?.username.as_deref()
    }

    /// The 2FA parameters of a 2FA item.
    pub fn otp(&self) -> Option<OtpParams> {
        let item = self.item.as_ref()?;
        (item.kind == Kind::Totp).then(|| item.otp.unwrap_or_default())
    }
}

/// An import, checked against the vault and ready to save.
#[derive(Debug, Default)]
pub struct ImportPlan {
    pub rows: Vec<PlanRow>,
}

impl ImportPlan {
    pub fn count(&self, status: PlanStatus) -> usize {
        self.rows.iter().filter(|r| r.status == status).count()
    }

    /// New rows offered unticked (settings of a `.env` file).
    pub fn unselected(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status == PlanStatus::New && !r.selected)
            .count()
    }

    /// The first invalid entry as an error (for `--strict`).
    pub fn first_invalid(&self) -> Option<Error> {
        self.rows
            .iter()
            .find(|r| r.status == PlanStatus::Invalid)
            .map(|r| {
                // Always after the row's label (`Invalid line 3: this otpauth:// link …`),
                // even when the reason is a sentence of its own.
                let reason = r.reason.clone().unwrap_or_default();
                let mut chars = reason.chars();
                let reason = match chars.next() {
                    Some(c) => c.to_lowercase().chain(chars).collect(),
                    None => reason,
                };
                Error::InvalidInput {
                    field: r.label.clone(),
                    reason,
                }
            })
    }
}

/// Which rows of a plan to save.
#[derive(Debug, Clone, Copy)]
pub enum Choice<'a> {
    /// The new rows offered ticked.
    Offered,
    /// Every new row, the unticked ones too.
    AllNew,
    /// These rows (indexes into `rows`), each of which must be new.
    Rows(&'a [usize]),
}

/// The identity of a credential for duplicate detection, hashed (only in memory).
fn identity(ov: &Overview, secret: &SecretFields) -> Option<[u8; 32]> {
    let mut h = Sha256::new();
    match ov.kind {
        Kind::Totp => {
            let bytes = crate::otp::decode_secret(&secret.value).ok()?;
            h.update(match ov.otp.unwrap_or_default().otp_type {
                OtpType::Hotp => b"hotp",
                OtpType::Totp | OtpType::Steam => b"time",
            });
            h.update(&bytes[..]);
        }
        Kind::ApiKey | Kind::Bearer => {
            let v = secret.value.trim();
            if v.is_empty() {
                return None;
            }
            h.update(b"key\0");
            h.update(v.as_bytes());
        }
        Kind::Basic => {
            let host = ov
                .url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .unwrap_or_default();
            h.update(b"basic\0");
            h.update(ov.username.as_deref().unwrap_or_default().as_bytes());
            h.update(b"\0");
            h.update(secret.value.as_bytes());
            h.update(b"\0");
            h.update(host.as_bytes());
        }
        Kind::Oauth2 => {
            let cfg = ov.oauth.as_ref()?;
            h.update(b"oauth\0");
            h.update(cfg.client_id.as_bytes());
            h.update(b"\0");
            h.update(
                cfg.token_url
                    .as_deref()
                    .or(cfg.issuer.as_deref())
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
    }
    Some(h.finalize().into())
}

/// `base`, or `base 2`, `base 3`… whichever is free (names are unique case-insensitively).
fn unique_name(base: &str, taken: &mut HashSet<String>) -> String {
    let mut name = base.to_owned();
    let mut n = 2;
    while taken.contains(&normalize_name(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.insert(normalize_name(&name));
    name
}

/// The requests that can be saved with the item, and a note on those that cannot.
fn sendable(drafts: Vec<SavedDraft>) -> (Vec<SavedDraft>, Option<String>) {
    let mut ok = Vec::new();
    let mut dropped = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    for mut d in drafts {
        d.name = d.name.trim().chars().take(MAX_SAVED_NAME).collect();
        if d.name.is_empty() {
            d.name = format!("{} {}", d.request.method, d.request.url)
                .chars()
                .take(MAX_SAVED_NAME)
                .collect();
        }
        if ok.len() >= MAX_SAVED {
            dropped.push(format!("{:?} (more than {MAX_SAVED})", d.name));
            continue;
        }
        match d.request.to_spec() {
            // A later request of the same name would replace the earlier one: numbered.
            Ok(_) => {
                let base = d.name.clone();
                let mut n = 2;
                while !names.insert(d.name.to_lowercase()) {
                    d.name = format!("{base} {n}");
                    n += 1;
                }
                ok.push(d);
            }
            Err(e) => dropped.push(format!("{:?} ({})", d.name, reason_of(e))),
        }
    }
    let note = (!dropped.is_empty()).then(|| {
        format!(
            "{} request{} not saved: {}",
            dropped.len(),
            if dropped.len() == 1 { "" } else { "s" },
            dropped.join("; ")
        )
    });
    (ok, note)
}

impl Vault {
    /// The identity of every item of the given kinds, with its name.
    fn identities(&mut self, kinds: &HashSet<Kind>) -> Result<HashMap<[u8; 32], String>> {
        let wanted: HashMap<String, Item> = self
            .items()?
            .iter()
            .filter(|i| kinds.contains(&i.overview.kind))
            .map(|i| (i.id.clone(), i.clone()))
            .collect();
        let mut out = HashMap::new();
        if wanted.is_empty() {
            return Ok(out);
        }
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let mut stmt = self.conn.prepare_cached("SELECT id, secret FROM items")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let Some(item) = wanted.get(&id) else {
                continue;
            };
            let blob: Vec<u8> = r.get(1)?;
            // A secret that does not open cannot be compared: reported elsewhere.
            let Ok(secret) = open_secret_blob(keys, &self.vault_id, &id, &blob) else {
                continue;
            };
            if let Some(h) = identity(&item.overview, &secret) {
                out.insert(h, item.overview.name.clone());
            }
        }
        Ok(out)
    }

    /// Check parsed records against the vault: which are new (and the unique name each
    /// will get), which the vault or the file already has, which are invalid.
    pub fn plan_import(&mut self, records: Vec<Record>) -> Result<ImportPlan> {
        let kinds: HashSet<Kind> = records
            .iter()
            .filter_map(|r| r.candidate.as_ref().ok().map(|c| c.item.kind))
            .collect();
        let mut known = self.identities(&kinds)?;
        let mut taken: HashSet<String> = self
            .items()?
            .iter()
            .map(|i| normalize_name(&i.overview.name))
            .collect();
        let mut rows = Vec::with_capacity(records.len());
        for rec in records {
            let c = match rec.candidate {
                Ok(c) => c,
                Err(reason) => {
                    rows.push(PlanRow::invalid(rec.position, rec.label, reason));
                    continue;
                }
            };
            // The checks `add` makes, now: a bad entry is its row's reason.
            let (ov, secret) = match c.item.clone().into_parts(0) {
                Ok(parts) => parts,
                Err(e) => {
                    rows.push(PlanRow::invalid(rec.position, rec.label, reason_of(e)));
                    continue;
                }
            };
            let id = identity(&ov, &secret);
            drop(secret);
            if let Some(of) = id.and_then(|h| known.get(&h)).cloned() {
                rows.push(PlanRow {
                    position: rec.position,
                    label: rec.label,
                    status: PlanStatus::Duplicate,
                    name: None,
                    item: Some(c.item),
                    selected: false,
                    hint: c.hint,
                    requests: Vec::new(),
                    reason: None,
                    duplicate_of: Some(of),
                });
                continue;
            }
            let name = unique_name(&ov.name, &mut taken);
            if let Some(h) = id {
                known.insert(h, name.clone());
            }
            let (requests, dropped) = sendable(c.requests);
            let hint = match (c.hint, dropped) {
                (Some(h), Some(d)) => Some(format!("{h}; {d}")),
                (h, d) => h.or(d),
            };
            let mut item = c.item;
            item.name = name.clone();
            rows.push(PlanRow {
                position: rec.position,
                label: rec.label,
                status: PlanStatus::New,
                name: Some(name),
                item: Some(item),
                selected: c.selected,
                hint,
                requests,
                reason: None,
                duplicate_of: None,
            });
        }
        Ok(ImportPlan { rows })
    }

    /// Save the chosen new rows of the plan, with their saved requests, in one transaction
    /// (all or none).
    pub fn apply_import(&mut self, plan: &ImportPlan, choice: Choice<'_>) -> Result<Vec<Item>> {
        let chosen: Vec<&PlanRow> = match choice {
            Choice::Offered => plan
                .rows
                .iter()
                .filter(|r| r.status == PlanStatus::New && r.selected)
                .collect(),
            Choice::AllNew => plan
                .rows
                .iter()
                .filter(|r| r.status == PlanStatus::New)
                .collect(),
            Choice::Rows(idx) => {
                let mut seen = HashSet::new();
                let mut out = Vec::new();
                for &i in idx {
                    let row = plan.rows.get(i).ok_or_else(|| {
                        Error::invalid("rows", format!("there is no row {}", i + 1))
                    })?;
                    if row.status != PlanStatus::New {
                        return Err(Error::invalid(
                            "rows",
                            format!(
                                "{} is {} and cannot be imported",
                                row.label,
                                match row.status {
                                    PlanStatus::Duplicate => "a duplicate",
                                    _ => "invalid",
                                }
                            ),
                        ));
                    }
                    if seen.insert(i) {
                        out.push(row);
                    }
                }
                out
            }
        };
        let news: Vec<(NewItem, Vec<SavedDraft>)> = chosen
            .into_iter()
            .filter_map(|r| Some((r.item.clone()?, r.requests.clone())))
            .collect();
        if news.is_empty() {
            return Ok(Vec::new());
        }
        self.add_batch_with_requests(news)
    }

    /// Add many items, each with its saved requests, in one transaction: all are added, or
    /// none (the first invalid or duplicate item is reported with its position).
    pub fn add_batch_with_requests(
        &mut self,
        news: Vec<(NewItem, Vec<SavedDraft>)>,
    ) -> Result<Vec<Item>> {
        let now = timefmt::now();
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let mut rows = Vec::with_capacity(news.len());
        let mut saved_rows: Vec<(String, String, Vec<u8>)> = Vec::new();
        for (i, (new, drafts)) in news.into_iter().enumerate() {
            let (ov, secret) = new.into_parts(now).map_err(|e| match e {
                Error::InvalidInput { field, reason } => Error::InvalidInput {
                    field: format!("item {} {field}", i + 1),
                    reason,
                },
                e => e,
            })?;
            let id = new_id()?;
            let sealed = seal_item(keys, &self.vault_id, &id, &ov, &secret)?;
            let event = AuditEvent::new(now, Action::Add, &id, &ov.name, self.actor, None);
            let ev = audit::seal_event(&keys.audit, &self.vault_id, &event)?;
            for d in drafts {
                let saved = SavedRequest {
                    id: new_id()?,
                    name: d.name,
                    request: d.request,
                    updated_at: now,
                };
                let json = Zeroizing::new(
                    serde_json::to_vec(&saved).map_err(|e| Error::corrupt(e.to_string()))?,
                );
                let blob = keys
                    .secret
                    .seal(&saved_ad(&self.vault_id, &id, &saved.id), &json)?;
                saved_rows.push((saved.id, id.clone(), blob));
            }
            rows.push((Item { id, overview: ov }, sealed, ev));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO items (id, name_mac, overview, secret) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (item, (mac, ov_blob, sec_blob), ev) in &rows {
                stmt.execute(params![item.id, &mac[..], ov_blob, sec_blob])
                    .map_err(|e| super::unique_violation(e, item.name()))?;
                audit::insert(&tx, ev)?;
            }
            let mut stmt = tx.prepare_cached(
                "INSERT INTO saved_requests (id, item_id, updated_at, request) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (id, item_id, blob) in &saved_rows {
                stmt.execute(params![id, item_id, now, blob])?;
            }
        }
        head::bump(
            &tx,
            &keys.overview,
            &self.vault_id,
            i64::try_from(rows.len()).unwrap_or(i64::MAX),
            0,
        )?;
        tx.commit()?;
        self.cache = None;
        Ok(rows.into_iter().map(|(item, _, _)| item).collect())
    }
}
