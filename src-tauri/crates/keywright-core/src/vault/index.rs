//! The opened overviews: the in-memory list every front end reads (`items`, `search`,
//! `tampered`), kept in step with this connection's writes and reloaded when another
//! connection commits (`data_version`); and the overview index (schema 3), every overview
//! sealed in a few large chunks so that unlock opens ten blobs instead of ten thousand.

use std::time::Duration;

use rusqlite::{TransactionBehavior, params};

use super::{
    BUSY_TIMEOUT, INDEX_CHUNK, Item, PARALLEL_LOAD_MIN, TamperedItem, Vault, ad, names,
    normalize_name, open_overview,
};
use crate::credential::Overview;
use crate::error::{Error, Result};

#[derive(Default)]
pub(super) struct Cache {
    pub(super) data_version: i64,
    pub(super) items: Vec<Item>,
    /// Case-folded searchable text of `items[i]`: built by the first search (unlock does
    /// not pay for it), then kept in step with `items`. Empty = not built yet.
    haystacks: Vec<String>,
    pub(super) tampered: Vec<TamperedItem>,
}

impl Cache {
    pub(super) fn remove(&mut self, id: &str) {
        if let Some(pos) = self.items.iter().position(|i| i.id == id) {
            self.items.remove(pos);
            if pos < self.haystacks.len() {
                self.haystacks.remove(pos);
            }
        }
    }

    pub(super) fn insert_sorted(&mut self, item: Item) {
        let key = normalize_name(item.name());
        let at = self
            .items
            .partition_point(|i| normalize_name(i.name()) < key);
        if !self.haystacks.is_empty() {
            self.haystacks.insert(at, haystack(&item.overview));
        }
        self.items.insert(at, item);
    }
}

/// What search looks at, case-folded once (as names are, see `names::fold`): name, tags, URL, user, issuer and kind.
fn haystack(ov: &Overview) -> String {
    let mut h = String::with_capacity(ov.name.len() + 64);
    for part in std::iter::once(ov.name.as_str())
        .chain(ov.tags.iter().map(String::as_str))
        .chain(ov.url.as_deref())
        .chain(ov.username.as_deref())
        .chain(ov.issuer.as_deref())
        .chain(std::iter::once(ov.kind.as_str()))
    {
        h.push_str(&names::fold(part));
        h.push('\u{1f}');
    }
    h
}

/// Associated data of one overview-index chunk: binds its place, the chunk count and the
/// item count, so chunks cannot be dropped, reordered or mixed between index builds of
/// different sizes without failing to open.
fn index_ad(vault_id: &str, chunk: i64, chunks: i64, items: i64) -> Vec<u8> {
    ad(
        vault_id,
        "overview_index",
        &chunk.to_string(),
        &format!("{chunks}/{items}"),
    )
}

/// `f` over `items` in one chunk per core (at most 8), or on this thread below `min`
/// items. Results come back in order, one `Vec` per chunk.
pub(super) fn par_map<T: Sync, R: Send>(
    items: &[T],
    min: usize,
    f: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<Vec<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || items.len() < min.max(2) {
        return vec![f(items)];
    }
    let per = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(per).map(|c| s.spawn(move || f(c))).collect();
        // A worker can only fail by panicking: re-raise it rather than lose its items.
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

impl Vault {
    /// SQLite's `data_version`: it changes when another connection (the CLI, another
    /// process, a sync tool writing through SQLite) commits to the file, never for this
    /// connection's own writes. The app polls it to show outside changes at once.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Open every overview (once; again after another process changed the file): from the
    /// overview index when it is current, else item by item, rebuilding the index.
    pub(super) fn load(&mut self) -> Result<&Cache> {
        let dv = self.data_version()?;
        if self.cache.as_ref().is_some_and(|c| c.data_version == dv) {
            // Checked just above; the borrow checker needs the second lookup.
            return self.cache.as_ref().ok_or(Error::Locked);
        }
        let cache = match self.load_index(dv)? {
            Some(cache) => cache,
            None => {
                let cache = self.load_rows(dv)?;
                if cache.tampered.is_empty() && !cache.items.is_empty() {
                    // A cache: a read-only file or a busy writer only costs speed, so do
                    // not wait for another process's transaction to write it.
                    self.conn.busy_timeout(Duration::ZERO)?;
                    let before = self.conn.total_changes();
                    let written = self.write_index(&cache.items, dv);
                    // A cache, not a change: no reason for an automatic backup.
                    let own = self.conn.total_changes().saturating_sub(before);
                    self.changes_at_unlock = self.changes_at_unlock.saturating_add(own);
                    self.conn.busy_timeout(BUSY_TIMEOUT)?;
                    if let Err(e) = written {
                        tracing::debug!("overview index not written: {e}");
                    }
                }
                cache
            }
        };
        self.cache = Some(cache);
        self.cache.as_ref().ok_or(Error::Locked)
    }

    /// Every overview from the overview index, or `None` when there is no complete,
    /// current index (it is then rebuilt from the items).
    pub(super) fn load_index(&mut self, dv: i64) -> Result<Option<Cache>> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let tx = self.conn.transaction()?;
        let count: i64 = tx.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
        let chunks: Vec<(i64, i64, i64, Vec<u8>)> = {
            let mut stmt =
                tx.prepare_cached("SELECT chunk, chunks, items, blob FROM overview_index")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        tx.finish()?;
        let n = chunks.len() as i64;
        let complete = n > 0
            && chunks
                .iter()
                .enumerate()
                .all(|(i, c)| c.0 == i as i64 && c.1 == n && c.2 == count);
        if !complete {
            return Ok(None);
        }
        let vault_id = self.vault_id.as_str();
        let opened = par_map(&chunks, 1, |part: &[(i64, i64, i64, Vec<u8>)]| {
            part.iter()
                .map(|(chunk, chunks, items, blob)| {
                    let ad = index_ad(vault_id, *chunk, *chunks, *items);
                    let plain = keys.overview.open(&ad, blob).ok()?;
                    serde_json::from_slice::<Vec<(String, Overview)>>(&plain).ok()
                })
                .collect::<Vec<_>>()
        });
        let mut items = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for chunk in opened.into_iter().flatten() {
            let Some(chunk) = chunk else {
                tracing::warn!("the overview index did not open; rebuilding it");
                return Ok(None);
            };
            items.extend(
                chunk
                    .into_iter()
                    .map(|(id, overview)| Item { id, overview }),
            );
        }
        if items.len() as i64 != count {
            return Ok(None);
        }
        Ok(Some(Cache {
            data_version: dv,
            items,
            ..Cache::default()
        }))
    }

    /// Every overview, opened item by item (on all cores for large vaults).
    pub(super) fn load_rows(&mut self, dv: i64) -> Result<Cache> {
        let keys = self.keys()?;
        let rows: Vec<(String, Vec<u8>)> = {
            let mut stmt = self.conn.prepare_cached("SELECT id, overview FROM items")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let vault_id = self.vault_id.as_str();
        let opened = par_map(&rows, PARALLEL_LOAD_MIN, |chunk: &[(String, Vec<u8>)]| {
            chunk
                .iter()
                .map(|(id, blob)| match open_overview(keys, vault_id, id, blob) {
                    Ok(ov) => Ok((
                        normalize_name(&ov.name),
                        Item {
                            id: id.clone(),
                            overview: ov,
                        },
                    )),
                    Err(e) => Err(TamperedItem {
                        id: id.clone(),
                        reason: e.to_string(),
                    }),
                })
                .collect::<Vec<_>>()
        });
        let mut cache = Cache {
            data_version: dv,
            ..Cache::default()
        };
        let mut keyed = Vec::with_capacity(rows.len());
        for o in opened.into_iter().flatten() {
            match o {
                Ok(k) => keyed.push(k),
                Err(t) => cache.tampered.push(t),
            }
        }
        // Sort small (key, index) pairs, not the items: an Item is hundreds of bytes.
        let mut order: Vec<(&str, usize)> = keyed
            .iter()
            .enumerate()
            .map(|(n, (k, _))| (k.as_str(), n))
            .collect();
        order.sort_unstable();
        let order: Vec<usize> = order.into_iter().map(|(_, n)| n).collect();
        let mut slots: Vec<Option<Item>> = keyed.into_iter().map(|(_, i)| Some(i)).collect();
        cache.items = order
            .into_iter()
            .filter_map(|n| slots.get_mut(n).and_then(Option::take))
            .collect();
        Ok(cache)
    }

    /// Seal `items` (all of them, sorted) as the overview index, unless another
    /// connection changed the file since `dv` (the items may then differ).
    pub(super) fn write_index(&mut self, items: &[Item], dv: i64) -> Result<()> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let total = items.len() as i64;
        let chunks = items.len().div_ceil(INDEX_CHUNK) as i64;
        let vault_id = self.vault_id.as_str();
        let mut blobs = Vec::with_capacity(items.len().div_ceil(INDEX_CHUNK));
        for (n, part) in items.chunks(INDEX_CHUNK).enumerate() {
            let pairs: Vec<(&str, &Overview)> =
                part.iter().map(|i| (i.id.as_str(), &i.overview)).collect();
            let json = serde_json::to_vec(&pairs).map_err(|e| Error::corrupt(e.to_string()))?;
            let ad = index_ad(vault_id, n as i64, chunks, total);
            blobs.push(keys.overview.seal(&ad, &json)?);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now: i64 = tx.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if now != dv {
            return Ok(());
        }
        tx.execute("DELETE FROM overview_index", [])?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO overview_index (chunk, chunks, items, blob) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (n, blob) in blobs.iter().enumerate() {
                stmt.execute(params![n as i64, chunks, total, blob])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every item that opens, sorted by name.
    pub fn items(&mut self) -> Result<&[Item]> {
        Ok(&self.load()?.items)
    }

    /// Items whose overview failed its integrity check.
    pub fn tampered(&mut self) -> Result<&[TamperedItem]> {
        Ok(&self.load()?.tampered)
    }

    /// Items whose name, tags, URL, user, issuer or kind contain every word of `query`
    /// (case-insensitive).
    pub fn search(&mut self, query: &str) -> Result<Vec<&Item>> {
        let words: Vec<String> = query.split_whitespace().map(names::fold).collect();
        if words.is_empty() {
            return Ok(self.load()?.items.iter().collect());
        }
        self.load()?;
        let cache = self.cache.as_mut().ok_or(Error::Locked)?;
        if cache.haystacks.len() != cache.items.len() {
            cache.haystacks = cache.items.iter().map(|i| haystack(&i.overview)).collect();
        }
        let cache = &*cache;
        Ok(cache
            .items
            .iter()
            .zip(&cache.haystacks)
            .filter(|(_, h)| words.iter().all(|w| h.contains(w.as_str())))
            .map(|(i, _)| i)
            .collect())
    }
}
