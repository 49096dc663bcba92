//! `keywright scan`: a leak check that needs no network. It looks for the vault's own
//! secret values in files, a git working tree or the staged changes, and reports where
//! (file, line, column) and whose (the item's name), never the value.
//!
//! # Needles
//!
//! [`Scanner::from_vault`] opens every item's `value`, `access_token` and `refresh_token`
//! (not the notes; the Trash is not searched). A value shorter than [`MIN_SECRET_LEN`] bytes
//! is not searched: it would match everywhere (the count is in [`Prepared::too_short`]).
//! Each value is searched in several forms ([`Form`]):
//!
//! - `plain`: the bytes as stored;
//! - `json`: JSON-escaped (serde / `JSON.stringify`, Python's `ensure_ascii` `\uXXXX`, PHP's
//!   `\/`), only when that differs from the plain bytes;
//! - `url`: percent-encoded (RFC 3986 unreserved characters kept; also the variants of
//!   `encodeURIComponent`, Python's `quote` keeping `/`, form encoding with `+` for a space,
//!   lower-case hex), only when that differs;
//! - `base64`: the standard and the URL-safe alphabets at each of the three byte alignments
//!   (inside a larger blob a value encodes differently depending on its offset mod 3): for
//!   alignment k the value is encoded after k pad bytes and only the characters fully
//!   determined by the value's own bytes are kept. A base64 needle shorter than
//!   [`MIN_BASE64_LEN`] characters is dropped.
//!
//! Equal needles are kept once (the first wins: every plain form comes before every encoded
//! one, so a value that is also another item's base64 is reported as plain).
//!
//! # Matching
//!
//! One [`AhoCorasick`] automaton holds the first [`PREFIX`] (8) bytes of every needle, and
//! one pass over each file's bytes finds every place where one starts (overlapping search);
//! only there is the whole needle checked, against a salted SHA-256 digest of it. Where
//! needles overlap, the leftmost wins, then the longest (a JSON form that starts with the
//! plain value is reported as JSON). Binary files (a NUL byte in the first 8 KiB, as git and
//! ripgrep decide) are skipped. Lines and columns are counted only where a match is, from
//! the previous match: no line index is built. Both are 1-based; **the column is a byte
//! column** (the byte offset from the start of the line, plus one), as ripgrep's `--column`
//! and `git grep --column` give. A value split across a line break (base64 wrapped at 76
//! characters, say) is not found.
//!
//! Why heads and digests rather than whole needles in the automaton: 10,000 values make
//! about 70,000 needles of 40-odd bytes; an automaton of all their bytes took 0.55 s to
//! build (most of a commit hook's time), one of their heads takes a fraction of that, and
//! holds far less of each secret.
//!
//! # Memory
//!
//! Every needle is built in a [`Zeroizing`] buffer sized beforehand (no reallocation
//! leaves a copy behind) and wiped as soon as the automaton is built. What stays while the
//! [`Scanner`] lives: the automaton's own transition tables, which encode the first 8 bytes
//! of each needle (the aho-corasick crate does not wipe them), and a salted 128-bit digest
//! of each whole needle (the salt is random per scanner and wiped on drop). A command drops
//! the scanner as soon as its scan ends. Nothing here prints a needle: the scanner's `Debug`
//! shows counts only, findings name the item and the form.

use std::collections::HashMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::vault::Vault;

/// Values shorter than this (in bytes) are not searched: they would match everywhere.
pub const MIN_SECRET_LEN: usize = 8;
/// Base64 needles shorter than this (in characters) are not searched.
pub const MIN_BASE64_LEN: usize = 8;
/// Bytes looked at for a NUL to decide that a file is binary (git and ripgrep look at 8 KiB).
pub const BINARY_PROBE: usize = 8 << 10;
/// Files are read in windows of this many bytes (plus the overlap a needle needs), so that
/// a huge file never has to fit in memory.
const WINDOW: usize = 8 << 20;
/// The automaton holds the first PREFIX bytes of each needle; a match of those is checked
/// against the salted digest of the whole needle. Every needle is at least this long.
const PREFIX: usize = 8;
const _: () = assert!(MIN_SECRET_LEN >= PREFIX && MIN_BASE64_LEN >= PREFIX);
/// A file of its own name, read like `.gitignore`, to leave paths out of `keywright scan`.
pub const IGNORE_FILE: &str = ".keywrightignore";

/// How a value was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    Plain,
    Base64,
    Url,
    Json,
}

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Plain => "plain",
            Form::Base64 => "base64",
            Form::Url => "url",
            Form::Json => "json",
        }
    }
}

/// Which of an item's secret fields a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Value,
    AccessToken,
    RefreshToken,
}

impl Field {
    /// The field as words, for messages ("the access token of …").
    pub fn describe(self) -> &'static str {
        match self {
            Field::Value => "secret",
            Field::AccessToken => "access token",
            Field::RefreshToken => "refresh token",
        }
    }
}

/// An item left out of the scan: its overview or secret did not open (integrity check
/// failed).
pub use crate::export::LeftOut;

/// What [`Scanner::from_vault`] prepared, for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared {
    /// Items whose secrets were read.
    pub items: usize,
    /// Values searched for (each in all its forms).
    pub values: usize,
    /// Non-empty values shorter than [`MIN_SECRET_LEN`] bytes, not searched.
    pub too_short: usize,
    /// Distinct needles in the automaton (every form of every value).
    pub needles: usize,
    /// Items whose secret did not open.
    pub left_out: Vec<LeftOut>,
}

/// One place where a value was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The path as walked (relative to the repository's top for `--staged`).
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based byte column.
    pub column: u64,
    /// The item's name.
    pub item: String,
    pub field: Field,
    pub form: Form,
}

/// A file that could not be read (the scan went on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    pub path: String,
    pub reason: String,
}

/// The outcome of a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Sorted by file, line, column.
    pub findings: Vec<Finding>,
    /// Text files searched.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Binary files skipped.
    pub binary: u64,
    pub unreadable: Vec<Unreadable>,
}

/// A match in one buffer: 1-based line and byte column, which value, which form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub line: u64,
    pub column: u64,
    /// Index of the value ([`Scanner::source`]).
    pub source: usize,
    pub form: Form,
}

/// The matcher built from the vault's secrets. See the module documentation for what it
/// holds in memory; its `Debug` shows counts only.
pub struct Scanner {
    /// The first [`PREFIX`] bytes of every needle (standard semantics, overlapping search:
    /// every place where a head starts is a candidate).
    matcher: AhoCorasick,
    /// Per pattern id: the lengths of the needles with that head, longest first.
    lengths: Vec<Vec<u32>>,
    /// Salted digest of each whole needle → the value it comes from and its form.
    verify: HashMap<u128, (u32, Form)>,
    salt: Zeroizing<[u8; 32]>,
    /// Per value: the item's name and the field.
    sources: Vec<(String, Field)>,
    longest: usize,
    prepared: Prepared,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("values", &self.sources.len())
            .field("needles", &self.verify.len())
            .field("too_short", &self.prepared.too_short)
            .finish_non_exhaustive()
    }
}

/// A value to search for: its item's name, the field, the bytes.
pub struct Secret<'a> {
    pub name: &'a str,
    pub field: Field,
    pub value: &'a [u8],
}

impl Scanner {
    /// The scanner of every secret of an unlocked vault (Trash excluded). Items whose
    /// secret fails its integrity check are left out and listed in [`Prepared::left_out`].
    pub fn from_vault(vault: &mut Vault) -> Result<Scanner> {
        let (opened, left_out) = crate::export::open_all(vault)?;
        let items = opened.len();
        let secrets = opened.iter().flat_map(|(item, s)| {
            let name = item.overview.name.as_str();
            [
                (Field::Value, &s.value),
                (Field::AccessToken, &s.access_token),
                (Field::RefreshToken, &s.refresh_token),
            ]
            .into_iter()
            .map(move |(field, v)| Secret {
                name,
                field,
                value: v.as_bytes(),
            })
        });
        let mut scanner = Scanner::new(secrets)?;
        // `opened` (SecretFields) is wiped on drop, here.
        drop(opened);
        scanner.prepared.items = items;
        scanner.prepared.left_out = left_out;
        Ok(scanner)
    }

    /// The scanner of these values. Empty values are ignored; values shorter than
    /// [`MIN_SECRET_LEN`] are counted in [`Prepared::too_short`] and not searched.
    pub fn new<'a>(secrets: impl IntoIterator<Item = Secret<'a>>) -> Result<Scanner> {
        let mut sources = Vec::new();
        let mut too_short = 0;
        // (needle, value index, form), in the order of priority.
        let mut plain: Vec<(Zeroizing<Vec<u8>>, u32, Form)> = Vec::new();
        let mut encoded: Vec<(Zeroizing<Vec<u8>>, u32, Form)> = Vec::new();
        for s in secrets {
            if s.value.is_empty() {
                continue;
            }
            if s.value.len() < MIN_SECRET_LEN {
                too_short += 1;
                continue;
            }
            let Ok(index) = u32::try_from(sources.len()) else {
                return Err(Error::invalid("vault", "too many values to search for"));
            };
            sources.push((s.name.to_owned(), s.field));
            plain.push((copy(s.value), index, Form::Plain));
            forms(s.value, |needle, form| encoded.push((needle, index, form)));
        }
        plain.append(&mut encoded);
        let needles = plain;

        // Every needle: its first PREFIX bytes go into the automaton, the whole of it is
        // kept only as a salted digest (the first needle of a digest wins: priority order).
        let mut salt = [0u8; 32];
        crate::crypto::fill_random(&mut salt)?;
        let mut verify = HashMap::with_capacity(needles.len());
        let mut heads: Zeroizing<Vec<[u8; PREFIX]>> =
            Zeroizing::new(Vec::with_capacity(needles.len()));
        let mut lens = Vec::with_capacity(needles.len());
        let mut longest = 0;
        for (needle, source, form) in &needles {
            debug_assert!(needle.len() >= PREFIX);
            let (Some(head), Ok(len)) =
                (needle.first_chunk::<PREFIX>(), u32::try_from(needle.len()))
            else {
                continue;
            };
            match verify.entry(digest(&salt, needle)) {
                std::collections::hash_map::Entry::Occupied(_) => continue,
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert((*source, *form));
                }
            }
            heads.push(*head);
            lens.push(len);
            longest = longest.max(needle.len());
        }
        // Every needle buffer is wiped here.
        drop(needles);
        let needle_count = heads.len();

        // One pattern per distinct head, with the lengths of its needles, longest first.
        let mut order: Vec<usize> = (0..heads.len()).collect();
        order.sort_unstable_by(|&x, &y| heads[x].cmp(&heads[y]));
        let mut patterns: Zeroizing<Vec<[u8; PREFIX]>> = Zeroizing::new(Vec::new());
        let mut lengths: Vec<Vec<u32>> = Vec::new();
        for &i in &order {
            if patterns.last() != Some(&heads[i]) {
                patterns.push(heads[i]);
                lengths.push(Vec::new());
            }
            if let Some(l) = lengths.last_mut() {
                l.push(lens[i]);
            }
        }
        drop(heads);
        for l in &mut lengths {
            l.sort_unstable_by(|x, y| y.cmp(x));
            l.dedup();
        }
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(patterns.iter())
            .map_err(|e| Error::invalid("vault", format!("cannot build the matcher: {e}")))?;
        // The heads are wiped here.
        drop(patterns);
        let prepared = Prepared {
            items: 0,
            values: sources.len(),
            too_short,
            needles: needle_count,
            left_out: Vec::new(),
        };
        Ok(Scanner {
            matcher,
            lengths,
            verify,
            salt: Zeroizing::new(salt),
            sources,
            longest,
            prepared,
        })
    }

    /// What was prepared: counts for the summary.
    pub fn prepared(&self) -> &Prepared {
        &self.prepared
    }

    /// The item name and field of value `index` (from a [`Hit`]).
    pub fn source(&self, index: usize) -> (&str, Field) {
        self.sources
            .get(index)
            .map_or(("", Field::Value), |(n, f)| (n.as_str(), *f))
    }

    /// Every match in `bytes` (as one file's whole content), in order.
    pub fn find(&self, bytes: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut buf = Vec::new();
        let _ = self.scan_reader(bytes, &mut buf, &mut hits);
        hits
    }

    /// The longest needle with head `pattern` that is whole at `buf[at..]`: its length,
    /// value and form.
    fn verified(&self, buf: &[u8], at: usize, pattern: usize) -> Option<(usize, u32, Form)> {
        let rest = &buf[at..];
        for &len in self.lengths.get(pattern)? {
            let len = len as usize;
            let Some(candidate) = rest.get(..len) else {
                continue;
            };
            if let Some(&(source, form)) = self.verify.get(&digest(&self.salt, candidate)) {
                return Some((len, source, form));
            }
        }
        None
    }

    /// Scan what `r` gives, read in windows into `buf` (reused between files). `None` when
    /// the content is binary (then nothing is searched); otherwise the bytes read.
    fn scan_reader(
        &self,
        mut r: impl Read,
        buf: &mut Vec<u8>,
        hits: &mut Vec<Hit>,
    ) -> std::io::Result<Option<u64>> {
        buf.clear();
        let overlap = self.longest.saturating_sub(1);
        let mut total = 0u64;
        // Line counting state: `line` is the line at `buf[counted]`; `last_nl` the absolute
        // offset of the last newline before it; `base` the absolute offset of `buf[0]`.
        let mut line = 1u64;
        let mut last_nl: Option<u64> = None;
        let mut counted = 0usize;
        let mut base = 0u64;
        let mut carry = 0usize;
        let mut first = true;
        // Matches do not overlap: a candidate starting before `free` is skipped.
        let mut free = 0usize;
        loop {
            let want = WINDOW + carry - buf.len();
            let n = (&mut r).take(want as u64).read_to_end(buf)?;
            total += n as u64;
            if first {
                first = false;
                let probe = &buf[..buf.len().min(BINARY_PROBE)];
                if memchr::memchr(0, probe).is_some() {
                    return Ok(None);
                }
            }
            if self.verify.is_empty() {
                if n < want {
                    return Ok(Some(total));
                }
                buf.clear();
                continue;
            }
            for m in self.matcher.find_overlapping_iter(buf.as_slice()) {
                // Every head has PREFIX bytes: candidates come in the order of their start.
                let at = m.start();
                if at < free {
                    continue;
                }
                let Some((len, source, form)) = self.verified(buf, at, m.pattern().as_usize())
                else {
                    continue;
                };
                free = at + len;
                // A match within the carried bytes was reported in the previous window.
                if at + len <= carry {
                    continue;
                }
                if at > counted {
                    let gap = &buf[counted..at];
                    line += memchr::memchr_iter(b'\n', gap).count() as u64;
                    if let Some(p) = memchr::memrchr(b'\n', gap) {
                        last_nl = Some(base + (counted + p) as u64);
                    }
                    counted = at;
                }
                let abs = base + at as u64;
                let column = abs - last_nl.map_or(0, |p| p + 1) + 1;
                hits.push(Hit {
                    line,
                    column,
                    source: source as usize,
                    form,
                });
            }
            if n < want {
                return Ok(Some(total));
            }
            // Slide: keep the last `overlap` bytes, count the lines of what is dropped.
            let shift = buf.len().saturating_sub(overlap);
            if counted < shift {
                let gap = &buf[counted..shift];
                line += memchr::memchr_iter(b'\n', gap).count() as u64;
                if let Some(p) = memchr::memrchr(b'\n', gap) {
                    last_nl = Some(base + (counted + p) as u64);
                }
                counted = shift;
            }
            buf.drain(..shift);
            counted -= shift;
            free = free.saturating_sub(shift);
            base += shift as u64;
            carry = buf.len();
        }
    }

    /// Scan one file into `report`-ready findings; `buf` is reused between files.
    fn scan_file(&self, path: &Path, shown: &str, buf: &mut Vec<u8>, acc: &Acc) {
        let mut hits = Vec::new();
        let result = std::fs::File::open(path).and_then(|f| self.scan_reader(f, buf, &mut hits));
        self.account(result, shown, hits, acc);
    }

    fn account(
        &self,
        result: std::io::Result<Option<u64>>,
        shown: &str,
        hits: Vec<Hit>,
        acc: &Acc,
    ) {
        match result {
            Ok(Some(bytes)) => {
                acc.files.fetch_add(1, Ordering::Relaxed);
                acc.bytes.fetch_add(bytes, Ordering::Relaxed);
                if !hits.is_empty() {
                    let found = hits.into_iter().map(|h| {
                        let (item, field) = self.source(h.source);
                        Finding {
                            file: shown.to_owned(),
                            line: h.line,
                            column: h.column,
                            item: item.to_owned(),
                            field,
                            form: h.form,
                        }
                    });
                    lock(&acc.findings).extend(found);
                }
            }
            Ok(None) => {
                acc.binary.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => lock(&acc.unreadable).push(Unreadable {
                path: shown.to_owned(),
                reason: e.to_string(),
            }),
        }
    }

    /// Scan files and directory trees. Directories are walked as git sees them:
    /// `.gitignore` (in or out of a git repository), `.ignore`, [`IGNORE_FILE`], git's
    /// exclude file and global excludes are respected; hidden files are searched (`.env`,
    /// `.npmrc`); `.git` is never entered; symbolic links are not followed. A path named
    /// here is searched even when an ignore file lists it. A path that does not exist is an
    /// error, before anything is read.
    pub fn scan_paths(&self, paths: &[PathBuf]) -> Result<Report> {
        let implicit = paths.is_empty();
        let roots: Vec<PathBuf> = if implicit {
            vec![PathBuf::from(".")]
        } else {
            paths.to_vec()
        };
        for p in &roots {
            std::fs::symlink_metadata(p).map_err(|e| Error::io("cannot scan", p, e))?;
        }
        let mut builder = ignore::WalkBuilder::new(&roots[0]);
        for p in &roots[1..] {
            builder.add(p);
        }
        builder
            .hidden(false)
            .follow_links(false)
            .require_git(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(true)
            .ignore(true)
            .parents(true)
            .add_custom_ignore_filename(IGNORE_FILE)
            .filter_entry(|e| e.file_name() != ".git")
            .threads(threads());
        let acc = Acc::default();
        builder.build_parallel().run(|| {
            let acc = &acc;
            let mut buf = Vec::new();
            Box::new(move |entry| {
                match entry {
                    Ok(e) => {
                        if e.file_type().is_some_and(|t| t.is_file()) {
                            let p = e.path();
                            let shown = shown_path(p, implicit);
                            self.scan_file(p, &shown, &mut buf, acc);
                        }
                    }
                    Err(err) => lock(&acc.unreadable).push(Unreadable {
                        path: walk_error_path(&err),
                        reason: err.to_string(),
                    }),
                }
                ignore::WalkState::Continue
            })
        });
        Ok(acc.into_report())
    }

    /// Scan the staged content (the index) of the files staged as added, copied, modified
    /// or renamed in the git repository of `dir`, limited to `pathspecs` when some are
    /// given. Line numbers are those of the staged blob; paths are relative to the
    /// repository's top. Outside a git repository: an error saying so.
    pub fn scan_staged(&self, dir: &Path, pathspecs: &[PathBuf]) -> Result<Report> {
        git_toplevel(dir)?;
        let mut args: Vec<std::ffi::OsString> = [
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-renames",
            "--no-abbrev",
            "--no-ext-diff",
            "--diff-filter=ACMR",
        ]
        .iter()
        .map(Into::into)
        .collect();
        if !pathspecs.is_empty() {
            args.push("--".into());
            args.extend(pathspecs.iter().map(|p| p.as_os_str().to_owned()));
        }
        let out = git(dir, &args)?;
        let staged = parse_raw_diff(&out);
        let acc = Acc::default();
        if staged.is_empty() {
            return Ok(acc.into_report());
        }
        let mut child = Command::new("git")
            .current_dir(dir)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| Error::io("cannot run", "git", e))?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::invalid("git", "cat-file gave no pipes"));
        };
        let ids: Vec<u8> = staged
            .iter()
            .flat_map(|(id, _)| id.bytes().chain(std::iter::once(b'\n')))
            .collect();
        let cat_error =
            |e: std::io::Error| Error::io("cannot read the staged files from", "git cat-file", e);
        let result = std::thread::scope(|s| -> Result<()> {
            // Written from another thread: git answers while it reads, and pipes are small.
            let writer = s.spawn(move || stdin.write_all(&ids));
            let mut out = std::io::BufReader::with_capacity(64 << 10, stdout);
            let mut buf = Vec::new();
            let mut header = Vec::new();
            for (_, path) in &staged {
                header.clear();
                out.read_until(b'\n', &mut header).map_err(cat_error)?;
                let text = String::from_utf8_lossy(&header);
                let mut parts = text.split_whitespace();
                let (Some(_), Some(kind), Some(size)) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(Error::invalid(
                        "git",
                        format!(
                            "unexpected answer of git cat-file for {path}: {}",
                            text.trim()
                        ),
                    ));
                };
                let size: u64 = size.parse().map_err(|_| {
                    Error::invalid("git", format!("unexpected size from git cat-file: {size}"))
                })?;
                let mut hits = Vec::new();
                let mut blob = (&mut out).take(size);
                let result = if kind == "blob" {
                    self.scan_reader(&mut blob, &mut buf, &mut hits)
                } else {
                    Ok(None)
                };
                // What the scan left unread (a binary blob), and the "\n" after the content.
                std::io::copy(&mut blob, &mut std::io::sink()).map_err(cat_error)?;
                let mut nl = [0u8; 1];
                out.read_exact(&mut nl).map_err(cat_error)?;
                self.account(result, path, hits, &acc);
            }
            match writer.join() {
                Ok(r) => r.map_err(cat_error),
                Err(_) => Err(Error::invalid("git", "the writer to git cat-file failed")),
            }
        });
        let status = child
            .wait()
            .map_err(|e| Error::io("cannot run", "git", e))?;
        result?;
        if !status.success() {
            return Err(Error::invalid(
                "git",
                format!("git cat-file --batch failed ({status})"),
            ));
        }
        Ok(acc.into_report())
    }
}

/// Threads for the walk: the machine's cores, at most 8.
fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, std::num::NonZero::get)
        .min(8)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the walking threads add up.
#[derive(Default)]
struct Acc {
    findings: Mutex<Vec<Finding>>,
    unreadable: Mutex<Vec<Unreadable>>,
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
}

impl Acc {
    fn into_report(self) -> Report {
        let mut findings = self
            .findings
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        findings.sort();
        let mut unreadable = self
            .unreadable
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        unreadable.sort_by(|a, b| a.path.cmp(&b.path));
        Report {
            findings,
            files: self.files.into_inner(),
            bytes: self.bytes.into_inner(),
            binary: self.binary.into_inner(),
            unreadable,
        }
    }
}

/// A walked path as shown: without the `./` of the implicit root.
fn shown_path(p: &Path, implicit: bool) -> String {
    let p = if implicit {
        p.strip_prefix(".").unwrap_or(p)
    } else {
        p
    };
    p.to_string_lossy().into_owned()
}

fn walk_error_path(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { path, .. } => path.to_string_lossy().into_owned(),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        _ => String::new(),
    }
}

/// Run git in `dir`; its stdout, or an error with its stderr.
fn git(dir: &Path, args: &[std::ffi::OsString]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io("cannot run", "git", e))?;
    if !out.status.success() {
        return Err(Error::invalid(
            "git",
            format!(
                "git {} failed: {}",
                args.first()
                    .map(|a| a.to_string_lossy())
                    .unwrap_or_default(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok(out.stdout)
}

/// The top of the git working tree of `dir`, or an error saying it is not in one.
pub fn git_toplevel(dir: &Path) -> Result<PathBuf> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "--show-toplevel"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io("cannot run", "git", e))?;
    if !out.status.success() {
        return Err(Error::invalid(
            "--staged",
            format!(
                "This folder ({}) is not in a git working tree ({}); run it inside a \
                 repository, or scan files with `keywright scan PATH`.",
                std::path::absolute(dir)
                    .unwrap_or_else(|_| dir.to_path_buf())
                    .display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(PathBuf::from(text.trim_end_matches(['\n', '\r'])))
}

/// The (blob id, path) of each entry of `git diff --raw -z --no-abbrev` output, submodules
/// (mode 160000) left out.
fn parse_raw_diff(out: &[u8]) -> Vec<(String, String)> {
    let mut fields = out.split(|&b| b == 0);
    let mut staged = Vec::new();
    while let Some(meta) = fields.next() {
        if meta.is_empty() {
            continue;
        }
        let Some(path) = fields.next() else { break };
        // ":100644 100644 <old> <new> M"
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        if parts.len() < 5 || parts[1] == "160000" {
            continue;
        }
        staged.push((
            parts[3].to_owned(),
            String::from_utf8_lossy(path).into_owned(),
        ));
    }
    staged
}

/// SHA-256 of salt and bytes, the first 128 bits: what a needle is checked against.
fn digest(salt: &[u8; 32], bytes: &[u8]) -> u128 {
    let d = Sha256::new()
        .chain_update(salt)
        .chain_update(bytes)
        .finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&d[..16]);
    u128::from_le_bytes(first)
}

fn copy(b: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut v = Zeroizing::new(Vec::with_capacity(b.len()));
    v.extend_from_slice(b);
    v
}

/// Every encoded form of `value` (not the plain one), each handed to `push` once it is
/// built; forms equal to the plain value are not handed out.
fn forms(value: &[u8], mut push: impl FnMut(Zeroizing<Vec<u8>>, Form)) {
    let mut differs = |needle: Zeroizing<Vec<u8>>, form: Form| {
        if needle.as_slice() != value {
            push(needle, form);
        }
    };
    if let Ok(text) = std::str::from_utf8(value) {
        for ascii in [false, true] {
            for slash in [false, true] {
                differs(json_escape(text, ascii, slash), Form::Json);
            }
        }
    }
    for set in &URL_SETS {
        for lower in [false, true] {
            differs(percent_encode(value, set, lower), Form::Url);
        }
    }
    for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
        for k in 0..3 {
            if let Some(n) = base64_needle(engine, value, k) {
                push(n, Form::Base64);
            }
        }
    }
}

/// The characters of the base64 encoding of `value` placed at offset k (mod 3) of a larger
/// blob that depend on `value`'s bytes only. `None` when fewer than [`MIN_BASE64_LEN`].
fn base64_needle(
    engine: &base64::engine::GeneralPurpose,
    value: &[u8],
    k: usize,
) -> Option<Zeroizing<Vec<u8>>> {
    let mut input = Zeroizing::new(Vec::with_capacity(k + value.len()));
    input.resize(k, 0);
    input.extend_from_slice(value);
    let mut out = Zeroizing::new(vec![0u8; (input.len() * 4).div_ceil(3)]);
    let n = engine
        .encode_slice(input.as_slice(), out.as_mut_slice())
        .ok()?;
    // Character j covers bits [6j, 6j + 6); the value's bits are [8k, 8k + 8n).
    let start = (8 * k).div_ceil(6);
    let end = (8 * (k + value.len())) / 6;
    if end > n || end < start || end - start < MIN_BASE64_LEN {
        return None;
    }
    Some(copy(&out[start..end]))
}

/// JSON string escaping (without the quotes): `"` `\` and control characters always
/// (`\n`-style short forms where JSON has them, else `\u00xx`); with `ascii`, every non-ASCII
/// character as `\uxxxx` (surrogate pairs above U+FFFF), as Python's `json.dumps`; with
/// `slash`, `/` as `\/`, as PHP's `json_encode`.
fn json_escape(s: &str, ascii: bool, slash: bool) -> Zeroizing<Vec<u8>> {
    // At most 6 bytes out per byte in (a control character as \u00xx; a 4-byte character
    // as two \uxxxx units): sized once, never reallocated.
    let mut out = Zeroizing::new(Vec::with_capacity(s.len() * 6));
    let unit = |out: &mut Vec<u8>, u: u16| {
        let _ = write!(out, "\\u{u:04x}");
    };
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '/' if slash => out.extend_from_slice(b"\\/"),
            c if (c as u32) < 0x20 => unit(&mut out, c as u16),
            c if ascii && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    unit(&mut out, *u);
                }
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out
}

/// A percent-encoding convention: the bytes kept as they are (besides ASCII letters and
/// digits), and whether a space is `+`.
struct UrlSet {
    keep: &'static [u8],
    plus: bool,
}

/// RFC 3986 (Python's `quote(s, safe="")`), JavaScript's `encodeURIComponent`, Python's
/// `quote(s)` (keeps `/`), form encoding (`quote_plus`, and the WHATWG
/// `application/x-www-form-urlencoded` serializer of `URLSearchParams`).
const URL_SETS: [UrlSet; 5] = [
    UrlSet {
        keep: b"-._~",
        plus: false,
    },
    UrlSet {
        keep: b"-._~!*'()",
        plus: false,
    },
    UrlSet {
        keep: b"-._~/",
        plus: false,
    },
    UrlSet {
        keep: b"-._~",
        plus: true,
    },
    UrlSet {
        keep: b"-._*",
        plus: true,
    },
];

fn percent_encode(value: &[u8], set: &UrlSet, lower: bool) -> Zeroizing<Vec<u8>> {
    let hex: &[u8; 16] = if lower {
        b"0123456789abcdef"
    } else {
        b"0123456789ABCDEF"
    };
    let mut out = Zeroizing::new(Vec::with_capacity(value.len() * 3));
    for &b in value {
        if b.is_ascii_alphanumeric() || set.keep.contains(&b) {
            out.push(b);
        } else if b == b' ' && set.plus {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', hex[usize::from(b >> 4)], hex[usize::from(b & 15)]]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;

    const CANARY: &str = "kw_canary_9f8e7d6c5b4a3210";

    fn scanner(values: &[(&str, &str)]) -> Scanner {
        Scanner::new(values.iter().map(|(name, v)| Secret {
            name,
            field: Field::Value,
            value: v.as_bytes(),
        }))
        .expect("scanner")
    }

    fn forms_found(s: &Scanner, text: &str) -> Vec<(u64, u64, Form)> {
        s.find(text.as_bytes())
            .iter()
            .map(|h| (h.line, h.column, h.form))
            .collect()
    }

    #[test]
    fn plain_value_with_line_and_byte_column() {
        let s = scanner(&[("Canary", CANARY)]);
        let text = format!("first line\nkey = \"{CANARY}\"\n\nx{CANARY}");
        assert_eq!(
            forms_found(&s, &text),
            vec![(2, 8, Form::Plain), (4, 2, Form::Plain)]
        );
        // The column counts bytes: "é" is two.
        assert_eq!(
            forms_found(&s, &format!("é={CANARY}")),
            vec![(1, 4, Form::Plain)]
        );
        assert_eq!(
            s.source(s.find(CANARY.as_bytes())[0].source),
            ("Canary", Field::Value)
        );
        assert!(s.find(b"nothing here\n").is_empty());
    }

    #[test]
    fn base64_at_every_alignment_and_both_alphabets() {
        // A value whose encoding has + and / in it: the URL-safe form differs.
        let value = "s3cr3t\u{fb}\u{ff}\u{fe}-binaryish>>??";
        let s = scanner(&[("B", value)]);
        for prefix in ["", "a", "ab", "abc", "abcd"] {
            let blob = format!("{prefix}{value}-and-the-rest");
            for engine in [&STANDARD, &URL_SAFE_NO_PAD] {
                let text = format!("data: {}\n", engine.encode(blob.as_bytes()));
                assert_eq!(
                    forms_found(&s, &text)
                        .iter()
                        .map(|f| f.2)
                        .collect::<Vec<_>>(),
                    vec![Form::Base64],
                    "prefix {prefix:?}: {text}"
                );
            }
        }
        // The value encoded alone, padded.
        let text = STANDARD.encode(value.as_bytes());
        assert_eq!(forms_found(&s, &text), vec![(1, 1, Form::Base64)]);
    }

    #[test]
    fn base64_needles_keep_only_the_characters_of_the_value() {
        let v = b"0123456789";
        let a0 = base64_needle(&STANDARD_NO_PAD, v, 0).expect("k=0");
        // 10 bytes = 80 bits: 13 whole characters.
        assert_eq!(a0.as_slice(), &STANDARD_NO_PAD.encode(v).as_bytes()[..13]);
        let a1 = base64_needle(&STANDARD_NO_PAD, v, 1).expect("k=1");
        // Bits 8..88: characters 2..14.
        assert_eq!(a1.len(), 12);
        let a2 = base64_needle(&STANDARD_NO_PAD, v, 2).expect("k=2");
        // Bits 16..96: characters 3..16.
        assert_eq!(a2.len(), 13);
        // Whatever the prefix bytes, those characters are the same.
        for pre in [[0u8, 0], [255, 17], [1, 200]] {
            let mut b = pre.to_vec();
            b.extend_from_slice(v);
            let enc = STANDARD_NO_PAD.encode(&b);
            assert!(enc.contains(std::str::from_utf8(&a2).expect("ascii")));
        }
        // Too short to search.
        assert!(base64_needle(&STANDARD_NO_PAD, b"abcde", 2).is_none());
    }

    #[test]
    fn url_and_json_forms_only_when_they_differ() {
        let plain_only = scanner(&[("P", "abcdefghijKLMNOP_0123-x.y~z")]);
        assert_eq!(plain_only.prepared().values, 1);
        // plain + 6 base64 needles (3 alignments; the URL-safe ones equal here or not).
        assert!(plain_only.prepared().needles <= 7, "{:?}", plain_only);

        let v = "sk/live+key=\"quoted\"\\path é";
        let s = scanner(&[("U", v)]);
        let url = percent_encode(v.as_bytes(), &URL_SETS[0], false);
        let url = std::str::from_utf8(&url).expect("ascii").to_owned();
        assert!(
            url.starts_with("sk%2Flive%2Bkey%3D%22quoted%22%5Cpath%20%C3%A9"),
            "{url}"
        );
        assert_eq!(
            forms_found(&s, &format!("?token={url}&x")),
            vec![(1, 8, Form::Url)]
        );
        // Lower-case hex digits, the value's own letters as they are.
        let lower_hex =
            String::from_utf8(percent_encode(v.as_bytes(), &URL_SETS[0], true).to_vec())
                .expect("ascii");
        assert_ne!(lower_hex, url);
        assert_eq!(forms_found(&s, &lower_hex), vec![(1, 1, Form::Url)]);
        // encodeURIComponent-style and form encoding (space as +).
        let form = String::from_utf8(percent_encode(v.as_bytes(), &URL_SETS[3], false).to_vec())
            .expect("ascii");
        assert!(form.contains("%5Cpath+%C3%A9"), "{form}");
        assert_eq!(forms_found(&s, &form), vec![(1, 1, Form::Url)]);

        // JSON as serde writes it, as Python's json.dumps writes it, with \/ as PHP does.
        let json = serde_json::to_string(v).expect("json");
        assert_eq!(
            forms_found(&s, &format!("{{\"k\": {json}}}")),
            vec![(1, 8, Form::Json)]
        );
        let python = r#""sk/live+key=\"quoted\"\\path \u00e9""#;
        assert_eq!(forms_found(&s, python), vec![(1, 2, Form::Json)]);
        let php = r#""sk\/live+key=\"quoted\"\\path \u00e9""#;
        assert_eq!(forms_found(&s, php), vec![(1, 2, Form::Json)]);
        // The plain value is still plain.
        assert_eq!(forms_found(&s, v), vec![(1, 1, Form::Plain)]);
    }

    #[test]
    fn json_escape_matches_serde_and_python() {
        for v in ["a\"b\\c\n\t\u{1}\u{7f}", "東京 🔑 key", "plain"] {
            let ours = json_escape(v, false, false);
            let serde = serde_json::to_string(v).expect("json");
            assert_eq!(
                ours.as_slice(),
                &serde.as_bytes()[1..serde.len() - 1],
                "{v:?}"
            );
        }
        let ascii = json_escape("é🔑", true, false);
        assert_eq!(ascii.as_slice(), br"\u00e9\ud83d\udd11");
    }

    #[test]
    fn equal_needles_are_kept_once_plain_first() {
        // Two items with the same value: one needle, the first item's.
        let s = scanner(&[("First", CANARY), ("Second", CANARY)]);
        let hits = s.find(CANARY.as_bytes());
        assert_eq!(hits.len(), 1);
        assert_eq!(s.source(hits[0].source).0, "First");
        let single = scanner(&[("First", CANARY)]);
        assert_eq!(s.prepared().needles, single.prepared().needles);
        // A value that is another value's base64 is reported as plain.
        let other = "another-secret-value";
        let b64 = STANDARD_NO_PAD.encode(other);
        let s = scanner(&[("Encoded", other), ("Literal", &b64)]);
        let hits = s.find(b64.as_bytes());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].form, Form::Plain);
        assert_eq!(s.source(hits[0].source).0, "Literal");
    }

    #[test]
    fn short_and_empty_values_are_counted_not_searched() {
        let s = scanner(&[("Short", "1234567"), ("Empty", ""), ("Ok", "12345678")]);
        assert_eq!(s.prepared().too_short, 1);
        assert_eq!(s.prepared().values, 1);
        assert!(s.find(b"x 1234567 y").is_empty());
        assert_eq!(s.find(b"x 12345678 y").len(), 1);
        // No value at all: nothing found, nothing fails.
        let none = scanner(&[]);
        assert!(none.find(b"anything").is_empty());
    }

    #[test]
    fn the_longest_match_wins() {
        // The JSON form of a value ending in a backslash starts with the plain value.
        let v = "abcdefgh\\";
        let s = scanner(&[("J", v)]);
        assert_eq!(forms_found(&s, r#""abcdefgh\\""#), vec![(1, 2, Form::Json)]);
    }

    #[test]
    fn needles_sharing_a_head_and_a_head_that_is_not_whole() {
        let s = scanner(&[
            ("Short", "sk_live_0123456"),
            ("Long", "sk_live_0123456789abcdef"),
        ]);
        // The longer one where both fit; the shorter one alone.
        assert_eq!(
            s.find(b"sk_live_0123456789abcdef sk_live_0123456xyz")
                .iter()
                .map(|h| (s.source(h.source).0, h.column))
                .collect::<Vec<_>>(),
            vec![("Long", 1), ("Short", 26)]
        );
        // A head that does not open a whole needle does not hide one starting inside it.
        let hits = s.find(b"sk_live_sk_live_0123456");
        assert_eq!(hits.len(), 1);
        assert_eq!((s.source(hits[0].source).0, hits[0].column), ("Short", 9));
        // A head at the very end of the text.
        assert!(s.find(b"text sk_live_").is_empty());
    }

    #[test]
    fn binary_content_is_skipped() {
        let s = scanner(&[("Canary", CANARY)]);
        let mut bin = b"\x7fELF\x00\x01".to_vec();
        bin.extend_from_slice(CANARY.as_bytes());
        let mut buf = Vec::new();
        let mut hits = Vec::new();
        let r = s
            .scan_reader(bin.as_slice(), &mut buf, &mut hits)
            .expect("read");
        assert_eq!(r, None);
        assert!(hits.is_empty());
        // A NUL past the first 8 KiB does not make a file binary.
        let mut late = vec![b'x'; BINARY_PROBE];
        late.push(0);
        late.extend_from_slice(CANARY.as_bytes());
        let r = s
            .scan_reader(late.as_slice(), &mut buf, &mut hits)
            .expect("read");
        assert_eq!(r, Some(late.len() as u64));
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn windows_carry_lines_columns_and_matches_across_their_edges() {
        let s = scanner(&[("Canary", CANARY)]);
        // A match straddling the first window's end, and one on a later line.
        let mut text = Vec::with_capacity(WINDOW * 2 + 100);
        let line = b"0123456789abcdefghij0123456789abcdefghij0123456789abcdefghi\n";
        while text.len() < WINDOW - 5 - line.len() {
            text.extend_from_slice(line);
        }
        let lines_before = text.len() / line.len();
        let pad = WINDOW - 5 - text.len();
        text.extend(std::iter::repeat_n(b'-', pad));
        text.extend_from_slice(CANARY.as_bytes());
        text.extend_from_slice(b"\nnext ");
        text.extend_from_slice(CANARY.as_bytes());
        let hits = s.find(&text);
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(
            (hits[0].line, hits[0].column),
            (lines_before as u64 + 1, pad as u64 + 1)
        );
        assert_eq!((hits[1].line, hits[1].column), (lines_before as u64 + 2, 6));
    }

    #[test]
    fn debug_never_shows_a_value() {
        let s = scanner(&[("Canary", CANARY)]);
        let shown = format!("{s:?} {:?}", s.prepared());
        assert!(!shown.contains(CANARY), "{shown}");
        assert!(
            !shown.contains(&STANDARD_NO_PAD.encode(CANARY)[2..12]),
            "{shown}"
        );
        assert!(shown.contains("needles"), "{shown}");
    }

    #[test]
    fn from_vault_reads_values_and_tokens_not_notes_nor_the_trash() {
        use crate::credential::{Kind, NewItem};
        let dir = tempfile::tempdir().expect("tmp");
        let mut vault = Vault::create(
            &dir.path().join("vault.db"),
            &secrecy::SecretString::from("pw-pw-pw-pw".to_owned()),
            crate::CreateOptions {
                kdf: Some(crate::crypto::kdf::KdfParams::new_unchecked(256, 1, 1)),
                keyring: None,
            },
        )
        .expect("create")
        .vault;
        let mut a = NewItem::new(Kind::ApiKey, "Stripe", CANARY);
        a.secret.notes = "notes-are-not-searched-123".into();
        vault.add(a).expect("add");
        vault
            .add(NewItem::new(Kind::ApiKey, "Tiny", "short"))
            .expect("add");
        let gone = vault
            .add(NewItem::new(Kind::ApiKey, "Gone", "trashed-value-0123456"))
            .expect("add");
        vault.trash(&gone.id).expect("trash");
        let s = Scanner::from_vault(&mut vault).expect("scanner");
        assert_eq!(s.prepared().items, 2);
        assert_eq!(s.prepared().values, 1);
        assert_eq!(s.prepared().too_short, 1);
        assert!(s.prepared().left_out.is_empty());
        let text = format!("{CANARY} notes-are-not-searched-123 trashed-value-0123456");
        let hits = s.find(text.as_bytes());
        assert_eq!(hits.len(), 1);
        assert_eq!(s.source(hits[0].source), ("Stripe", Field::Value));
    }

    #[test]
    fn parses_raw_diff_output() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let raw = format!(
            ":000000 100644 {z} {a} A\0new file.txt\0:160000 160000 {z} {a} M\0sub\0:100644 100644 {z} {a} M\0dir/x\ny\0"
        );
        assert_eq!(
            parse_raw_diff(raw.as_bytes()),
            vec![
                (a.clone(), "new file.txt".to_owned()),
                (a, "dir/x\ny".to_owned())
            ]
        );
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        "[ -~\n]{0,300}"
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// A value planted at any offset of random text is found there, as plain.
        #[test]
        fn planted_plain_is_found(
            secret in "[A-Za-z0-9_+/=-]{8,64}",
            before in text_strategy(),
            after in text_strategy(),
        ) {
            let s = scanner(&[("Planted", &secret)]);
            let text = format!("{before}{secret}{after}");
            let hits = s.find(text.as_bytes());
            let line = before.matches('\n').count() as u64 + 1;
            let column = (before.len() - before.rfind('\n').map_or(0, |p| p + 1)) as u64 + 1;
            prop_assert!(
                hits.iter().any(|h| h.form == Form::Plain && h.line == line && h.column == column),
                "{hits:?}"
            );
        }

        /// A value inside the base64 of random bytes + value + random bytes is found, as
        /// base64, whatever its alignment and alphabet.
        #[test]
        fn planted_in_base64_is_found(
            secret in proptest::collection::vec(any::<u8>(), 8..48),
            before in proptest::collection::vec(any::<u8>(), 0..40),
            after in proptest::collection::vec(any::<u8>(), 0..40),
            url_safe in any::<bool>(),
        ) {
            let secret = String::from_utf8_lossy(&secret).into_owned();
            let s = scanner(&[("Planted", &secret)]);
            let mut blob = before.clone();
            blob.extend_from_slice(secret.as_bytes());
            blob.extend_from_slice(&after);
            let encoded = if url_safe { URL_SAFE_NO_PAD.encode(&blob) } else { STANDARD.encode(&blob) };
            let text = format!("token: {encoded}\n");
            let hits = s.find(text.as_bytes());
            prop_assert!(hits.iter().any(|h| h.form == Form::Base64), "{hits:?} in {text}");
        }
    }
}
