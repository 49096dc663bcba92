//! Bruno: a collection folder (`bruno.json`, `collection.bru`, folders with `folder.bru`,
//! request `.bru` files, `environments/*.bru`, and the `.env` its `{{process.env.X}}`
//! read), or one `.bru` file.
//!
//! `.bru` files are read by a small parser of the part of Bruno's block syntax that holds
//! requests and auth (`meta`, `get`/`post`/… and `http`, `headers`, `params:path`,
//! `auth`, `auth:bearer|basic|apikey|oauth2`, `vars:pre-request`, `body:json|text|xml|
//! form-urlencoded|graphql`, and an environment's `vars` and `vars:secret`); other blocks
//! (scripts, tests, docs, assertions) are skipped whole.
//!
//! - The collection's auth (`collection.bru`), a folder's (`folder.bru`) and a request's own
//!   become items, one per distinct credential; a request with `auth: inherit` (or none
//!   written) takes its folder's, else the collection's; `auth: none` has none.
//! - `{{variables}}` resolve as Bruno does: the request's `vars:pre-request`, its folders',
//!   the environments (by file name: the first that defines a variable wins), the
//!   collection's, and `{{process.env.X}}` from the collection's `.env`. Bruno never writes
//!   the value of a secret variable (`vars:secret`) into the collection: a credential that
//!   uses one is invalid, naming it.
//! - Requests become saved requests on their credential (multipart and file bodies
//!   cannot be saved; the item's hint names them).
//!
//! The folder is read with bounds: at most [`MAX_IMPORT_FILES`] entries and
//! [`MAX_IMPORT_BYTES`] in all, [`MAX_IMPORT_DEPTH`] folders deep, symbolic links never
//! followed, `node_modules`, `.git` and `bruno.json`'s `ignore` list skipped.

use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

use super::apiauth::{
    AuthSpec, Collector, Dialect, OAuth2Spec, Place, RawBody, RawRequest, Scheme, Scope, Vars,
    fill_path_params, shown,
};
use super::{Format, Options, Record, Source, fail};
use crate::error::{Error, Result};
use crate::limits::{MAX_IMPORT_BYTES, MAX_IMPORT_DEPTH, MAX_IMPORT_FILES};

/// One `key: value` of a dictionary block; `~key` is disabled.
pub struct Pair {
    pub key: String,
    pub value: Zeroizing<String>,
    pub enabled: bool,
}

/// What a block holds.
pub enum Body {
    Dict(Vec<Pair>),
    Text(Zeroizing<String>),
    List(Vec<String>),
}

/// One top-level block of a `.bru` file.
pub struct Block {
    pub tag: String,
    /// The line it opens on (1-based).
    pub line: usize,
    pub body: Body,
}

/// Blocks whose content is text (kept, or skipped), not `key: value` pairs.
fn is_text_block(tag: &str) -> bool {
    matches!(
        tag,
        "body"
            | "body:json"
            | "body:text"
            | "body:xml"
            | "body:sparql"
            | "body:graphql"
            | "body:graphql:vars"
            | "script:pre-request"
            | "script:post-response"
            | "tests"
            | "docs"
            | "example"
    ) || !is_dict_block(tag)
}

/// Blocks read as `key: value` pairs.
fn is_dict_block(tag: &str) -> bool {
    matches!(
        tag,
        "meta"
            | "get"
            | "post"
            | "put"
            | "delete"
            | "patch"
            | "options"
            | "head"
            | "connect"
            | "trace"
            | "http"
            | "headers"
            | "query"
            | "params:query"
            | "params:path"
            | "auth"
            | "vars"
            | "vars:pre-request"
            | "body:form-urlencoded"
            | "body:multipart-form"
            | "body:file"
    ) || tag.starts_with("auth:")
}

fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'))
}

/// The blocks of a `.bru` file, or why it is not one (an unclosed block, by its line).
pub fn blocks(text: &str) -> std::result::Result<Vec<Block>, String> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        let start = i + 1;
        i += 1;
        if line.is_empty() {
            continue;
        }
        // A list: `vars:secret [` … `]` (or on one line).
        if let Some(open) = line.find('[')
            && valid_tag(line[..open].trim())
            && !line.contains('{')
        {
            let tag = line[..open].trim().to_owned();
            let mut content = line[open + 1..].to_owned();
            while !content.contains(']') {
                let Some(next) = lines.get(i) else {
                    return Err(format!(
                        "the {} list opened on line {start} is never closed",
                        shown(&tag)
                    ));
                };
                content.push('\n');
                content.push_str(next);
                i += 1;
            }
            let inner = content.split(']').next().unwrap_or_default();
            let items = inner
                .split(|c: char| c == ',' || c.is_whitespace())
                .map(str::trim)
                .filter(|s| !s.is_empty() && !s.starts_with('~') && !s.starts_with('@'))
                .map(str::to_owned)
                .collect();
            out.push(Block {
                tag,
                line: start,
                body: Body::List(items),
            });
            continue;
        }
        let Some(head) = line.strip_suffix('{').or_else(|| line.strip_suffix("{}")) else {
            // Not a block (`color: …` in an environment): skipped.
            continue;
        };
        let tag = head.trim().to_owned();
        if !valid_tag(&tag) {
            continue;
        }
        let mut content: Vec<&str> = Vec::new();
        if !line.ends_with("{}") {
            loop {
                let Some(next) = lines.get(i) else {
                    return Err(format!(
                        "the {} block opened on line {start} is never closed",
                        shown(&tag)
                    ));
                };
                i += 1;
                if next.starts_with('}') {
                    break;
                }
                content.push(next);
            }
        }
        let body = if is_text_block(&tag) {
            let text = content
                .iter()
                .map(|l| l.strip_prefix("  ").unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n");
            Body::Text(Zeroizing::new(text))
        } else {
            Body::Dict(pairs(&content))
        };
        out.push(Block {
            tag,
            line: start,
            body,
        });
    }
    Ok(out)
}

/// The pairs of a dictionary block's lines.
fn pairs(lines: &[&str]) -> Vec<Pair> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        i += 1;
        if l.is_empty() {
            continue;
        }
        if l.starts_with('@') {
            // An annotation; a multi-line one runs to its closing '''.
            if l.matches("'''").count() % 2 == 1 {
                while let Some(next) = lines.get(i) {
                    i += 1;
                    if next.contains("'''") {
                        break;
                    }
                }
            }
            continue;
        }
        let (mut key, rest) = if let Some(q) = l.strip_prefix("~\"").or_else(|| l.strip_prefix('"'))
        {
            // A quoted key: `"a:b": value`, `\"` inside.
            let mut key = String::new();
            let mut chars = q.char_indices();
            let mut end = None;
            while let Some((j, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            key.push(n);
                        }
                    }
                    '"' => {
                        end = Some(j);
                        break;
                    }
                    c => key.push(c),
                }
            }
            let Some(end) = end else { continue };
            let Some(rest) = q[end + 1..].trim_start().strip_prefix(':') else {
                continue;
            };
            if l.starts_with('~') {
                key.insert(0, '~');
            }
            (key, rest)
        } else {
            let Some((k, rest)) = l.split_once(':') else {
                continue;
            };
            (k.trim().to_owned(), rest)
        };
        let enabled = !key.starts_with('~');
        if !enabled {
            key.remove(0);
        }
        let value = rest.trim();
        let value = if let Some(v) = value.strip_prefix("'''") {
            if let Some(one) = v.strip_suffix("'''") {
                one.to_owned()
            } else {
                // A multi-line value: its lines, 4 spaces of indent removed, to the closing
                // '''.
                let mut text: Vec<&str> = Vec::new();
                if !v.trim().is_empty() {
                    text.push(v);
                }
                while let Some(next) = lines.get(i) {
                    i += 1;
                    if next.trim_start().starts_with("'''") {
                        break;
                    }
                    let cut = next.len() - next.trim_start_matches(' ').len();
                    text.push(&next[cut.min(4)..]);
                }
                text.join("\n")
            }
        } else {
            value.to_owned()
        };
        out.push(Pair {
            key,
            value: Zeroizing::new(value),
            enabled,
        });
    }
    out
}

/// A parsed `.bru` file.
#[derive(Default)]
pub struct BruFile {
    pub blocks: Vec<Block>,
}

const METHODS: [&str; 9] = [
    "get", "post", "put", "delete", "patch", "options", "head", "connect", "trace",
];

impl BruFile {
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        Ok(BruFile {
            blocks: blocks(text)?,
        })
    }

    fn block(&self, tag: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.tag == tag)
    }

    /// The enabled pairs of a dictionary block.
    fn dict(&self, tag: &str) -> Vec<(String, String)> {
        match self.block(tag).map(|b| &b.body) {
            Some(Body::Dict(p)) => p
                .iter()
                .filter(|p| p.enabled)
                .map(|p| (p.key.clone(), p.value.to_string()))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn get(&self, tag: &str, key: &str) -> Option<Zeroizing<String>> {
        match self.block(tag).map(|b| &b.body) {
            Some(Body::Dict(p)) => p
                .iter()
                .find(|p| p.key == key && p.enabled)
                .map(|p| p.value.clone()),
            _ => None,
        }
    }

    fn text(&self, tag: &str) -> Option<&str> {
        match self.block(tag).map(|b| &b.body) {
            Some(Body::Text(t)) => Some(t.as_str()),
            _ => None,
        }
    }

    fn list(&self, tag: &str) -> &[String] {
        match self.block(tag).map(|b| &b.body) {
            Some(Body::List(l)) => l,
            _ => &[],
        }
    }

    fn name(&self) -> Option<String> {
        self.get("meta", "name")
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
    }

    fn seq(&self) -> i64 {
        self.get("meta", "seq")
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(i64::MAX)
    }

    /// The request block: (method, its pairs' block tag).
    fn http(&self) -> Option<(String, &str)> {
        if let Some(b) = self
            .blocks
            .iter()
            .find(|b| METHODS.contains(&b.tag.as_str()))
        {
            return Some((b.tag.to_ascii_uppercase(), b.tag.as_str()));
        }
        self.block("http").map(|_| {
            (
                self.get("http", "method")
                    .map(|m| m.trim().to_ascii_uppercase())
                    .unwrap_or_default(),
                "http",
            )
        })
    }

    /// A scope of the variables in `tag`'s block.
    fn scope(&self, tag: &str, label: String) -> Scope {
        let mut s = Scope::new(label);
        for (k, v) in self.dict(tag) {
            s.vars.entry(k).or_insert_with(|| Zeroizing::new(v));
        }
        s
    }

    /// The auth of this file: a request's from its request block's `auth:` (none written:
    /// inherit); a collection's or folder's from its `auth { mode }` (none written: the
    /// collection has none, a folder inherits).
    fn scheme(&self, is_collection: bool) -> Scheme {
        let mode = match self.http() {
            Some((_, tag)) => self.get(tag, "auth"),
            None => self.get("auth", "mode"),
        };
        let mode = mode.map(|m| m.trim().to_ascii_lowercase());
        let get = |k: &str, tag: &str| self.get(tag, k).unwrap_or_default();
        match mode.as_deref() {
            None if is_collection => Scheme::None,
            None | Some("" | "inherit") => Scheme::Inherit,
            Some("none") => Scheme::None,
            Some("bearer") => Scheme::Auth(AuthSpec::Bearer {
                token: get("token", "auth:bearer"),
                prefix: String::new(),
            }),
            Some("basic") => Scheme::Auth(AuthSpec::Basic {
                username: get("username", "auth:basic").to_string(),
                password: get("password", "auth:basic"),
            }),
            Some("apikey") => Scheme::Auth(AuthSpec::ApiKey {
                key: get("key", "auth:apikey").to_string(),
                value: get("value", "auth:apikey"),
                place: if get("placement", "auth:apikey")
                    .trim()
                    .eq_ignore_ascii_case("queryparams")
                {
                    Place::Query
                } else {
                    Place::Header
                },
            }),
            Some("oauth2") => {
                let g = |k: &str| get(k, "auth:oauth2");
                Scheme::Auth(AuthSpec::OAuth2(Box::new(OAuth2Spec {
                    grant: g("grant_type").to_string(),
                    token_url: g("access_token_url").to_string(),
                    auth_url: g("authorization_url").to_string(),
                    client_id: g("client_id").to_string(),
                    client_secret: g("client_secret"),
                    scope: g("scope").to_string(),
                    audience: String::new(),
                    credentials_in_body: !g("credentials_placement")
                        .trim()
                        .eq_ignore_ascii_case("basic_auth_header"),
                    access_token: Zeroizing::default(),
                    refresh_token: Zeroizing::default(),
                })))
            }
            Some(other) => Scheme::Auth(AuthSpec::Other(other.to_owned())),
        }
    }

    /// The request of a request file, named `name`, with the headers of its folders and
    /// collection before its own.
    fn request(&self, name: String, inherited_headers: &[(String, String)]) -> Option<RawRequest> {
        let (method, tag) = self.http()?;
        let url = self.get(tag, "url").unwrap_or_default();
        let url = fill_path_params(url.trim(), &self.dict("params:path"));
        let mut headers = inherited_headers.to_vec();
        for (k, v) in self.dict("headers") {
            headers.retain(|(h, _)| !h.eq_ignore_ascii_case(&k));
            headers.push((k, v));
        }
        let mode = self
            .get(tag, "body")
            .map(|m| m.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let text = |t: &str| self.text(t).unwrap_or_default().to_owned();
        let body = match mode.as_str() {
            "json" => RawBody::Json(text("body:json")),
            "text" => RawBody::Text {
                text: text("body:text"),
                content_type: Some("text/plain".into()),
            },
            "xml" => RawBody::Text {
                text: text("body:xml"),
                content_type: Some("application/xml".into()),
            },
            "sparql" => RawBody::Text {
                text: text("body:sparql"),
                content_type: Some("application/sparql-query".into()),
            },
            "formurlencoded" => RawBody::Form(self.dict("body:form-urlencoded")),
            "graphql" => RawBody::GraphQl {
                query: text("body:graphql"),
                variables: text("body:graphql:vars"),
            },
            "multipartform" => RawBody::Unsupported("multipart form".into()),
            "file" => RawBody::Unsupported("file".into()),
            _ => RawBody::None,
        };
        Some(RawRequest {
            name,
            method,
            url,
            query: Vec::new(),
            headers,
            body,
        })
    }
}

/// A folder of the collection, as read.
struct Folder {
    name: String,
    seq: i64,
    /// Its `folder.bru`, or why it does not parse.
    meta: Option<std::result::Result<BruFile, String>>,
    /// Request files: (file name, parsed or why not).
    requests: Vec<(String, std::result::Result<BruFile, String>)>,
    folders: Vec<Folder>,
}

/// A collection folder, as read.
struct Collection {
    name: String,
    root: Folder,
    collection: Option<std::result::Result<BruFile, String>>,
    /// `environments/*.bru`: (name, parsed or why not), by file name.
    environments: Vec<(String, std::result::Result<BruFile, String>)>,
    dotenv: Option<Zeroizing<String>>,
}

/// Reads files within the import's bounds.
struct Reader {
    budget: usize,
    entries: usize,
    ignore: Vec<String>,
}

fn io_fail(path: &Path, e: &std::io::Error) -> Error {
    fail(
        Format::Bruno,
        format!("{} cannot be read ({e})", path.display()),
    )
}

impl Reader {
    fn read(&mut self, path: &Path) -> Result<Zeroizing<String>> {
        let f = std::fs::File::open(path).map_err(|e| io_fail(path, &e))?;
        let mut buf = Zeroizing::new(Vec::new());
        f.take(self.budget as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| io_fail(path, &e))?;
        if buf.len() > self.budget {
            return Err(fail(
                Format::Bruno,
                format!(
                    "its files are larger than {} MiB in all, the most Keywright imports",
                    MAX_IMPORT_BYTES >> 20
                ),
            ));
        }
        self.budget -= buf.len();
        let text = std::str::from_utf8(&buf).map_err(|_| {
            fail(
                Format::Bruno,
                format!("{} is not a text file (UTF-8)", path.display()),
            )
        })?;
        Ok(Zeroizing::new(
            text.strip_prefix('\u{feff}').unwrap_or(text).to_owned(),
        ))
    }

    fn bru(&mut self, path: &Path) -> Result<std::result::Result<BruFile, String>> {
        let text = self.read(path)?;
        Ok(BruFile::parse(&text))
    }

    /// The entries of a folder (no links), by name, counted against the bound.
    fn list(&mut self, dir: &Path) -> Result<Vec<(String, std::path::PathBuf, bool)>> {
        let rd = std::fs::read_dir(dir).map_err(|e| io_fail(dir, &e))?;
        let mut out = Vec::new();
        for e in rd {
            self.entries += 1;
            if self.entries > MAX_IMPORT_FILES {
                return Err(fail(
                    Format::Bruno,
                    format!(
                        "the folder holds more than {MAX_IMPORT_FILES} files and folders, the \
                         most Keywright reads"
                    ),
                ));
            }
            let e = e.map_err(|e| io_fail(dir, &e))?;
            let Ok(t) = e.file_type() else { continue };
            // Links are never followed (out of the folder, or round in a loop).
            if t.is_symlink() || !(t.is_file() || t.is_dir()) {
                continue;
            }
            let Some(name) = e.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            out.push((name, e.path(), t.is_dir()));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    fn folder(&mut self, dir: &Path, name: String, depth: usize) -> Result<Folder> {
        let mut f = Folder {
            name,
            seq: i64::MAX,
            meta: None,
            requests: Vec::new(),
            folders: Vec::new(),
        };
        for (name, path, is_dir) in self.list(dir)? {
            if is_dir {
                if depth == 0 && name == "environments"
                    || name == "node_modules"
                    || name.starts_with('.')
                    || self.ignore.iter().any(|i| i == &name)
                {
                    continue;
                }
                if depth + 1 > MAX_IMPORT_DEPTH {
                    return Err(fail(
                        Format::Bruno,
                        format!("its folders are nested more than {MAX_IMPORT_DEPTH} deep"),
                    ));
                }
                f.folders.push(self.folder(&path, name, depth + 1)?);
            } else if name.ends_with(".bru") {
                if depth == 0 && name == "collection.bru" {
                    continue;
                }
                if name == "folder.bru" {
                    let meta = self.bru(&path)?;
                    if let Ok(m) = &meta {
                        if let Some(n) = m.name() {
                            f.name = n;
                        }
                        f.seq = m.seq();
                    }
                    f.meta = Some(meta);
                } else {
                    let parsed = self.bru(&path)?;
                    f.requests.push((name, parsed));
                }
            }
        }
        f.requests.sort_by_key(|(name, r)| {
            (
                r.as_ref().map_or(i64::MAX, BruFile::seq),
                name.to_lowercase(),
            )
        });
        f.folders.sort_by_key(|s| (s.seq, s.name.to_lowercase()));
        Ok(f)
    }
}

fn read_collection(dir: &Path) -> Result<Collection> {
    let manifest = dir.join("bruno.json");
    if manifest.is_symlink() {
        return Err(fail(
            Format::Bruno,
            format!(
                "{} is a link; Keywright reads a collection's own files only",
                manifest.display()
            ),
        ));
    }
    if !manifest.is_file() {
        return Err(fail(
            Format::Bruno,
            format!(
                "{} has no bruno.json: give the folder of a Bruno collection (the one that \
                 holds bruno.json)",
                dir.display()
            ),
        ));
    }
    let mut r = Reader {
        budget: MAX_IMPORT_BYTES,
        entries: 0,
        ignore: Vec::new(),
    };
    let json = r.read(&manifest)?;
    let manifest: serde_json::Value = serde_json::from_str(&json).map_err(|e| {
        fail(
            Format::Bruno,
            format!("its bruno.json: {}", super::apiauth::json_error(&e)),
        )
    })?;
    let name = manifest
        .get("name")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "Bruno collection".into());
    if let Some(serde_json::Value::Array(list)) = manifest.get("ignore") {
        r.ignore = list
            .iter()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_owned)
            .collect();
    }
    let collection_bru = dir.join("collection.bru");
    let collection = if collection_bru.is_file() && !collection_bru.is_symlink() {
        Some(r.bru(&collection_bru)?)
    } else {
        None
    };
    let dotenv_path = dir.join(".env");
    let dotenv = if dotenv_path.is_file() && !dotenv_path.is_symlink() {
        Some(r.read(&dotenv_path)?)
    } else {
        None
    };
    let mut environments = Vec::new();
    let env_dir = dir.join("environments");
    if env_dir.is_dir() && !env_dir.is_symlink() {
        for (file, path, is_dir) in r.list(&env_dir)? {
            if !is_dir && let Some(stem) = file.strip_suffix(".bru") {
                environments.push((stem.to_owned(), r.bru(&path)?));
            }
        }
    }
    let root = r.folder(dir, name.clone(), 0)?;
    Ok(Collection {
        name,
        root,
        collection,
        environments,
        dotenv,
    })
}

/// The scopes of a request or auth block: the nearest, then `base`.
fn vars_of<'s>(near: &[&'s Scope], base: &[&'s Scope]) -> Vars<'s> {
    let mut scopes: Vec<&Scope> = near.to_vec();
    scopes.extend(base.iter().copied());
    Vars {
        dialect: Dialect::Bruno,
        scopes,
    }
}

struct Walk<'a> {
    c: Collector,
    collection: &'a str,
    /// Environments, the collection's variables, the `.env`: every request's last scopes.
    base: Vec<&'a Scope>,
}

impl Walk<'_> {
    fn label(&self, path: &[String], what: &str) -> String {
        if path.is_empty() {
            format!("{} ({what})", shown(self.collection))
        } else {
            format!(
                "{} / {} ({what})",
                shown(self.collection),
                shown(&path.join(" / "))
            )
        }
    }

    fn entry(
        &mut self,
        scheme: &Scheme,
        inherited: Option<usize>,
        label: &str,
        name: &str,
        near: &[&Scope],
    ) -> Option<usize> {
        match scheme {
            Scheme::Inherit => inherited,
            Scheme::None => None,
            Scheme::Auth(a) => {
                let vars = vars_of(near, &self.base);
                self.c.credential(label, name, a, &vars)
            }
        }
    }

    fn folder(
        &mut self,
        f: &Folder,
        path: &[String],
        inherited: Option<usize>,
        headers: &[(String, String)],
        scopes: &[&Scope],
        is_root: bool,
    ) -> Result<()> {
        // The folder's own auth, variables and headers.
        let mut here = path.to_vec();
        if !is_root {
            here.push(f.name.clone());
        }
        let mut inherited = inherited;
        let mut headers = headers.to_vec();
        let folder_scope;
        let mut near: Vec<&Scope> = Vec::with_capacity(scopes.len() + 1);
        match &f.meta {
            Some(Ok(meta)) if !is_root => {
                folder_scope = meta.scope(
                    "vars:pre-request",
                    format!("the variables of folder {:?}", shown(&f.name)),
                );
                near.push(&folder_scope);
                near.extend_from_slice(scopes);
                let label = self.label(&here, "folder auth");
                inherited = self.entry(&meta.scheme(false), inherited, &label, &f.name, &near);
                for (k, v) in meta.dict("headers") {
                    headers.retain(|(h, _)| !h.eq_ignore_ascii_case(&k));
                    headers.push((k, v));
                }
            }
            Some(Err(reason)) => {
                let label = self.label(&here, "folder.bru");
                self.c.invalid(label, reason.clone());
                // Its requests' auth is unknown: they are not saved with the collection's.
                inherited = None;
                near.extend_from_slice(scopes);
            }
            _ => near.extend_from_slice(scopes),
        }
        for (file, parsed) in &f.requests {
            let file_path = {
                let mut p = here.clone();
                p.push(file.clone());
                p
            };
            let req = match parsed {
                Ok(r) => r,
                Err(reason) => {
                    let label = self.label(&file_path, "request file");
                    self.c.invalid(label, reason.clone());
                    continue;
                }
            };
            if req.http().is_none() {
                continue;
            }
            let name = req
                .name()
                .unwrap_or_else(|| file.trim_end_matches(".bru").to_owned());
            let mut req_path = here.clone();
            req_path.push(name.clone());
            let req_scope = req.scope(
                "vars:pre-request",
                format!("the variables of request {:?}", shown(&name)),
            );
            let mut req_near: Vec<&Scope> = vec![&req_scope];
            req_near.extend_from_slice(&near);
            let label = self.label(&req_path, "request auth");
            let e = self.entry(&req.scheme(false), inherited, &label, &name, &req_near);
            if let (Some(e), Some(raw)) = (e, req.request(req_path.join(" / "), &headers)) {
                let vars = vars_of(&req_near, &self.base);
                self.c.request(e, raw, &vars)?;
            }
        }
        for sub in &f.folders {
            self.folder(sub, &here, inherited, &headers, &near, false)?;
        }
        Ok(())
    }
}

/// The records of a Bruno collection folder or `.bru` file.
pub fn parse(source: Source<'_>, opts: &Options) -> Result<Vec<Record>> {
    let coll = match source {
        Source::Dir(dir) => read_collection(dir)?,
        Source::Bytes(data) => {
            // `bruno.json` given: its folder.
            if let Some(p) = &opts.path
                && p.file_name().is_some_and(|n| n == "bruno.json")
                && let Some(dir) = p.parent()
            {
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                read_collection(dir)?
            } else {
                one_file(data, opts)?
            }
        }
    };
    records(&coll)
}

/// One `.bru` file: a request (its own auth), or a collection's or folder's auth.
fn one_file(data: &[u8], opts: &Options) -> Result<Collection> {
    super::check_size(Format::Bruno, data.len())?;
    let text = super::text_of(Format::Bruno, data)?;
    let file = BruFile::parse(text).map_err(|r| fail(Format::Bruno, r))?;
    if file.blocks.is_empty() {
        return Err(fail(
            Format::Bruno,
            "it is not a .bru file (no block such as meta {, get { or auth:bearer {); give \
             a collection's folder or one of its .bru files",
        ));
    }
    let stem = opts
        .path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "request".into());
    let mut root = Folder {
        name: String::new(),
        seq: 0,
        meta: None,
        requests: Vec::new(),
        folders: Vec::new(),
    };
    let (name, collection) = if file.http().is_some() {
        let name = file.name().unwrap_or(stem);
        root.requests.push((format!("{name}.bru"), Ok(file)));
        (name, None)
    } else {
        (file.name().unwrap_or(stem), Some(Ok(file)))
    };
    Ok(Collection {
        name,
        root,
        collection,
        environments: Vec::new(),
        dotenv: None,
    })
}

fn records(coll: &Collection) -> Result<Vec<Record>> {
    let mut c = Collector::new(Format::Bruno, Some(&coll.name));
    // Environments (by file name), the collection's variables, the .env.
    let mut env_scopes: Vec<Scope> = Vec::new();
    for (name, parsed) in &coll.environments {
        match parsed {
            Ok(env) => {
                let mut s = env.scope("vars", format!("environment {:?}", shown(name)));
                s.secret_names = env
                    .list("vars:secret")
                    .iter()
                    .filter(|n| !s.vars.contains_key(*n))
                    .cloned()
                    .collect();
                env_scopes.push(s);
            }
            Err(reason) => c.invalid(
                format!("environments/{}.bru (environment)", shown(name)),
                reason.clone(),
            ),
        }
    }
    let (coll_scope, coll_file) = match &coll.collection {
        Some(Ok(f)) => (
            f.scope("vars:pre-request", "the collection's variables".into()),
            Some(f),
        ),
        Some(Err(reason)) => {
            c.invalid(
                format!("{} (collection.bru)", shown(&coll.name)),
                reason.clone(),
            );
            (Scope::new("the collection's variables"), None)
        }
        None => (Scope::new("the collection's variables"), None),
    };
    let mut dotenv = Scope::new("the collection's .env");
    dotenv.process_env = true;
    if let Some(text) = &coll.dotenv {
        for b in super::dotenv::bindings(text) {
            if let Ok(v) = b.value {
                dotenv.vars.entry(b.key).or_insert(v);
            }
        }
    }
    let mut base: Vec<&Scope> = env_scopes.iter().collect();
    base.push(&coll_scope);
    base.push(&dotenv);
    let mut w = Walk {
        c,
        collection: &coll.name,
        base,
    };
    let mut headers = Vec::new();
    // No collection.bru: no collection auth; a broken one: its requests' auth is unknown
    // (none is saved with it).
    let top = coll_file.and_then(|f| {
        headers = f.dict("headers");
        let label = w.label(&[], "collection auth");
        w.entry(&f.scheme(true), None, &label, &coll.name, &[])
    });
    w.folder(&coll.root, &[], top, &headers, &[], true)?;
    let records = w.c.into_records();
    if records.is_empty() {
        return Err(fail(
            Format::Bruno,
            "no request, folder or collection.bru of it uses auth (API key, bearer, basic, \
             OAuth2): nothing to import",
        ));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::super::{Candidate, parse as parse_any};
    use super::*;
    use crate::credential::{Kind, Placement};
    use crate::probe::input::BodyInput;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    fn ok<'a>(recs: &'a [Record], label_start: &str) -> &'a Candidate {
        recs.iter()
            .find(|r| r.label.starts_with(label_start))
            .and_then(|r| r.candidate.as_ref().ok())
            .unwrap_or_else(|| {
                panic!(
                    "{label_start}: {:?}",
                    recs.iter()
                        .map(|r| (&r.label, r.candidate.as_ref().err()))
                        .collect::<Vec<_>>()
                )
            })
    }

    fn bad<'a>(recs: &'a [Record], label_start: &str) -> &'a str {
        recs.iter()
            .find(|r| r.label.starts_with(label_start))
            .and_then(|r| r.candidate.as_ref().err())
            .unwrap_or_else(|| panic!("{label_start} is not invalid"))
    }

    #[test]
    fn the_block_syntax_as_bruno_writes_it() {
        let text = "meta {\n  name: Get me\n  type: http\n  seq: 3\n}\n\n\
            get {\n  url: {{baseUrl}}/me?x=1\n  body: json\n  auth: bearer\n}\n\n\
            headers {\n  Accept: application/json\n  ~X-Off: 1\n  \"a:b\": quoted\n  @description('a note')\n  X-Desc: yes\n}\n\n\
            auth:bearer {\n  token: {{token}}\n}\n\n\
            body:json {\n  {\n    \"a\": \"}\"\n  }\n}\n\n\
            script:pre-request {\n  if (x) {\n    y();\n  }\n}\n\n\
            vars:pre-request {\n  long: '''\n    line one\n    line two\n  '''\n}\n\n\
            docs {\n  # Hello: world\n}\n";
        let f = BruFile::parse(text).expect("parse");
        assert_eq!(f.name().as_deref(), Some("Get me"));
        assert_eq!(f.seq(), 3);
        assert_eq!(f.http().map(|(m, _)| m), Some("GET".to_owned()));
        assert_eq!(
            f.dict("headers"),
            [
                ("Accept".to_owned(), "application/json".to_owned()),
                ("a:b".to_owned(), "quoted".to_owned()),
                ("X-Desc".to_owned(), "yes".to_owned())
            ]
        );
        assert_eq!(f.text("body:json"), Some("{\n  \"a\": \"}\"\n}"));
        assert_eq!(
            f.get("vars:pre-request", "long")
                .as_deref()
                .map(String::as_str),
            Some("line one\nline two")
        );
        let env = BruFile::parse(
            "vars {\n  a: 1\n}\nvars:secret [\n  token,\n  ~off,\n  other\n]\ncolor: #ff0000\n",
        )
        .expect("env");
        assert_eq!(env.list("vars:secret"), ["token", "other"]);
        let one_line = BruFile::parse("vars:secret [a, b]\n").expect("one line");
        assert_eq!(one_line.list("vars:secret"), ["a", "b"]);
        let e = BruFile::parse("meta {\n  name: x\n\nget {\n  url: y\n")
            .err()
            .expect("unclosed");
        assert!(e.contains("meta") && e.contains("line 1"), "{e}");
        let e = BruFile::parse("vars:secret [\n  a\n")
            .err()
            .expect("unclosed list");
        assert!(e.contains("never closed"), "{e}");
    }

    /// A collection as Bruno writes it, in `dir`.
    fn billing(dir: &Path) {
        write(
            dir,
            "bruno.json",
            r#"{"version": "1", "name": "Billing API", "type": "collection", "ignore": ["skipme"]}"#,
        );
        write(
            dir,
            "collection.bru",
            "headers {\n  X-Client: keywright\n}\n\nauth {\n  mode: bearer\n}\n\nauth:bearer {\n  token: {{token}}\n}\n\nvars:pre-request {\n  version: v1\n}\n",
        );
        write(
            dir,
            "environments/Local.bru",
            "vars {\n  baseUrl: https://billing.test\n  token: tok_bruno_local\n  user: alice\n  pass: pw_local\n}\nvars:secret [\n  hidden\n]\n",
        );
        write(
            dir,
            "environments/Prod.bru",
            "vars {\n  baseUrl: https://prod.test\n  token: tok_prod\n}\n",
        );
        write(dir, ".env", "API_KEY=k_from_dotenv\n");
        write(
            dir,
            "Who am I.bru",
            "meta {\n  name: Who am I\n  type: http\n  seq: 1\n}\n\nget {\n  url: {{baseUrl}}/{{version}}/me\n  body: none\n  auth: inherit\n}\n\nheaders {\n  Authorization: Bearer stale\n  Accept: application/json\n}\n",
        );
        write(
            dir,
            "Public.bru",
            "meta {\n  name: Public\n  seq: 2\n}\n\nget {\n  url: {{baseUrl}}/public\n  auth: none\n}\n",
        );
        write(
            dir,
            "Echo.bru",
            "meta {\n  name: Echo\n  seq: 3\n}\n\npost {\n  url: {{baseUrl}}/echo/:id\n  body: json\n  auth: apikey\n}\n\nparams:path {\n  id: 9\n}\n\nauth:apikey {\n  key: X-API-Key\n  value: {{process.env.API_KEY}}\n  placement: header\n}\n\nbody:json {\n  {\n    \"a\": 1\n  }\n}\n",
        );
        write(
            dir,
            "Hidden.bru",
            "meta {\n  name: Hidden\n}\n\nget {\n  url: {{baseUrl}}/h\n  auth: bearer\n}\n\nauth:bearer {\n  token: {{hidden}}\n}\n",
        );
        write(
            dir,
            "Admin/folder.bru",
            "meta {\n  name: Administration\n  seq: 1\n}\n\nauth {\n  mode: basic\n}\n\nauth:basic {\n  username: {{user}}\n  password: {{pass}}\n}\n\nvars:pre-request {\n  area: admin\n}\n",
        );
        write(
            dir,
            "Admin/login.bru",
            "meta {\n  name: Login\n}\n\npost {\n  url: {{baseUrl}}/{{area}}/login\n  body: formUrlEncoded\n  auth: inherit\n}\n\nbody:form-urlencoded {\n  a: 1\n  ~b: 2\n}\n",
        );
        write(
            dir,
            "Admin/upload.bru",
            "meta {\n  name: Upload\n}\n\npost {\n  url: {{baseUrl}}/up\n  body: multipartForm\n  auth: inherit\n}\n",
        );
        write(
            dir,
            "Admin/Deep/list.bru",
            "meta {\n  name: List\n}\n\nget {\n  url: {{baseUrl}}/{{area}}/list\n}\n",
        );
        write(
            dir,
            "Admin/broken.bru",
            "meta {\n  name: Broken\n\nget {\n  url: x\n",
        );
        write(
            dir,
            "node_modules/x/evil.bru",
            "get {\n  url: https://evil.test\n  auth: bearer\n}\nauth:bearer {\n  token: node_modules_token\n}\n",
        );
        write(
            dir,
            "skipme/evil.bru",
            "get {\n  url: https://evil.test\n  auth: bearer\n}\nauth:bearer {\n  token: ignored_token\n}\n",
        );
    }

    #[test]
    fn a_collection_folder_becomes_items_with_their_requests() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("billing");
        billing(&root);
        // A link out of the folder is not followed.
        let outside = dir.path().join("outside");
        write(
            &outside,
            "leak.bru",
            "get {\n  url: https://leak.test\n  auth: bearer\n}\nauth:bearer {\n  token: leaked_token\n}\n",
        );
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, root.join("linked")).expect("symlink");

        let recs =
            parse_any(Format::Bruno, Source::Dir(&root), &Options::default()).expect("parse");
        let bearer = ok(&recs, "Billing API (collection auth)");
        assert_eq!(bearer.item.kind, Kind::Bearer);
        assert_eq!(bearer.item.name, "Billing API bearer token");
        assert_eq!(
            bearer.item.secret.value, "tok_bruno_local",
            "Local comes before Prod"
        );
        assert_eq!(bearer.item.tags, ["Billing API"]);
        assert_eq!(bearer.requests.len(), 1);
        let who = &bearer.requests[0];
        assert_eq!(who.name, "Who am I");
        assert_eq!(who.request.url, "https://billing.test/v1/me");
        assert_eq!(
            who.request.headers,
            [
                ("X-Client".to_owned(), "keywright".to_owned()),
                ("Accept".to_owned(), "application/json".to_owned())
            ]
        );

        let basic = ok(&recs, "Billing API / Administration (folder auth)");
        assert_eq!(basic.item.kind, Kind::Basic);
        assert_eq!(basic.item.name, "Administration basic auth");
        assert_eq!(basic.item.username.as_deref(), Some("alice"));
        let names: Vec<&str> = basic.requests.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            ["Administration / Login", "Administration / Deep / List"]
        );
        assert_eq!(
            basic.requests[0].request.url,
            "https://billing.test/admin/login"
        );
        assert_eq!(
            basic.requests[0].request.body,
            BodyInput::Form {
                fields: vec![("a".into(), "1".into())]
            }
        );
        let hint = basic.hint.as_deref().expect("hint");
        assert!(
            hint.contains("Upload") && hint.contains("multipart"),
            "{hint}"
        );

        let key = ok(&recs, "Billing API / Echo (request auth)");
        assert_eq!(key.item.kind, Kind::ApiKey);
        assert_eq!(key.item.secret.value, "k_from_dotenv");
        assert_eq!(
            key.item.placement,
            Some(Placement::Header {
                name: "X-API-Key".into()
            })
        );
        assert_eq!(key.requests[0].request.url, "https://billing.test/echo/9");
        assert_eq!(
            key.requests[0].request.body,
            BodyInput::Json {
                text: "{\n  \"a\": 1\n}".into()
            }
        );

        let reason = bad(&recs, "Billing API / Hidden");
        assert!(
            reason.contains("{{hidden}}") && reason.contains("secret variable"),
            "{reason}"
        );
        let reason = bad(&recs, "Billing API / Administration / broken.bru");
        assert!(reason.contains("never closed"), "{reason}");
        assert!(!recs.iter().any(|r| r.label.contains("Public")));
        for r in &recs {
            if let Ok(c) = &r.candidate {
                for v in ["node_modules_token", "ignored_token", "leaked_token"] {
                    assert_ne!(c.item.secret.value, v, "{}", r.label);
                }
            }
        }
    }

    #[test]
    fn bounds_and_wrong_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = parse_any(Format::Bruno, Source::Dir(dir.path()), &Options::default())
            .expect_err("no bruno.json");
        assert!(e.to_string().contains("bruno.json"), "{e}");

        // Deeper than the limit.
        let deep = dir.path().join("deep");
        write(&deep, "bruno.json", "{\"name\": \"d\"}");
        let mut rel = String::new();
        for i in 0..=MAX_IMPORT_DEPTH {
            rel.push_str(&format!("f{i}/"));
        }
        write(
            &deep,
            &format!("{rel}r.bru"),
            "get {\n  url: https://x\n}\n",
        );
        let e =
            parse_any(Format::Bruno, Source::Dir(&deep), &Options::default()).expect_err("deep");
        assert!(e.to_string().contains("nested"), "{e}");

        // More files than the limit.
        let wide = dir.path().join("wide");
        write(&wide, "bruno.json", "{\"name\": \"w\"}");
        for i in 0..=MAX_IMPORT_FILES {
            std::fs::write(wide.join(format!("{i}.txt")), "").expect("write");
        }
        let e =
            parse_any(Format::Bruno, Source::Dir(&wide), &Options::default()).expect_err("wide");
        assert!(e.to_string().contains("more than 10000 files"), "{e}");

        // One .bru file: its own auth.
        let one = "meta {\n  name: Solo\n}\n\nget {\n  url: https://solo.test/x\n  auth: basic\n}\n\nauth:basic {\n  username: u\n  password: p\n}\n";
        let recs = parse_any(
            Format::Bruno,
            Source::Bytes(one.as_bytes()),
            &Options::default(),
        )
        .expect("one file");
        let c = ok(&recs, "Solo / Solo (request auth)");
        assert_eq!(c.item.kind, Kind::Basic);
        assert_eq!(c.item.name, "Solo basic auth");
        assert_eq!(c.requests[0].request.url, "https://solo.test/x");
        // Inherited auth alone: nothing to import.
        let e = parse_any(
            Format::Bruno,
            Source::Bytes(b"get {\n  url: https://x\n  auth: inherit\n}\n"),
            &Options::default(),
        )
        .expect_err("nothing");
        assert!(e.to_string().contains("nothing to import"), "{e}");
        let e = parse_any(
            Format::Bruno,
            Source::Bytes(b"{\n  \"info\": {\n    \"name\": \"x\"\n  }\n}\n"),
            &Options::default(),
        )
        .expect_err("json");
        assert!(e.to_string().contains("not a .bru file"), "{e}");
    }
}
