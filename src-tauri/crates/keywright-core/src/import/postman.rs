//! Postman: a collection export (v2.1, and v2.0's auth shape) or an environment export,
//! told apart by their shape.
//!
//! - A collection's auth blocks (collection, folder, request: `apikey`, `bearer`, `basic`,
//!   `oauth2`) become items, one per distinct credential: `<collection> bearer token` for
//!   the collection's, `<folder or request> API key` for the others; the collection's name
//!   is their tag. A request without an auth block inherits its folder's; `noauth` has none.
//! - `{{variables}}` resolve from the environments (the files given with `--env`, then
//!   every `*.postman_environment.json` beside the collection, by name: the first that
//!   defines a variable wins, as Postman's active environment would), then from the
//!   collection's variables. A credential that uses a variable nothing defines is invalid,
//!   naming it.
//! - Each request becomes a saved request on the credential it uses: method, URL, headers
//!   (not the one the credential sets), and its body (raw JSON, text, URL-encoded form,
//!   GraphQL); form-data and file bodies cannot be saved (the item's hint names them).
//! - An environment's variables of type `secret` become API-key items named
//!   `<environment> <VAR>` (a JWT a bearer token), unless a credential already uses them.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use super::apiauth::{
    AuthSpec, Collector, Dialect, OAuth2Spec, Place, RawBody, RawRequest, Scheme, Scope, Vars,
    check_json_values, fill_path_params, json_error, shown,
};
use super::{Format, Options, Record, fail};
use crate::error::{Error, Result};
use crate::limits::{MAX_IMPORT_BYTES, MAX_IMPORT_DEPTH, MAX_IMPORT_FILES};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Doc {
    info: Option<Info>,
    item: Option<Vec<Item>>,
    auth: Option<Value>,
    variable: Vec<Var>,
    // An environment export.
    name: Option<String>,
    values: Option<Vec<Var>>,
    // A v1 collection.
    requests: Option<serde::de::IgnoredAny>,
    order: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Info {
    name: String,
    schema: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Item {
    name: String,
    item: Option<Vec<Item>>,
    request: Option<Value>,
    auth: Option<Value>,
}

/// A collection variable or an environment value.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Var {
    key: String,
    value: Value,
    #[serde(rename = "type")]
    kind: String,
    disabled: bool,
    enabled: Option<bool>,
}

impl Var {
    fn on(&self) -> bool {
        !self.disabled && self.enabled != Some(false)
    }
}

/// A JSON scalar as text (`null` as empty); objects and arrays are not values.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key).and_then(scalar).unwrap_or_default()
}

/// The parameters of an auth block: v2.1's `[{key, value}]` or v2.0's `{key: value}`.
fn params(auth: &Value, kind: &str) -> Vec<(String, Zeroizing<String>)> {
    match auth.get(kind) {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|p| {
                let k = p.get("key")?.as_str()?.to_owned();
                let v = p.get("value").and_then(scalar).unwrap_or_default();
                Some((k, Zeroizing::new(v)))
            })
            .collect(),
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), Zeroizing::new(scalar(v)?))))
            .collect(),
        _ => Vec::new(),
    }
}

fn param(p: &[(String, Zeroizing<String>)], key: &str) -> Zeroizing<String> {
    p.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// What an `auth` member says; absent or `null` inherits.
fn scheme_of(auth: Option<&Value>) -> Scheme {
    let Some(auth) = auth.filter(|a| !a.is_null()) else {
        return Scheme::Inherit;
    };
    let kind = auth
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let p = params(auth, &kind);
    let get = |k: &str| param(&p, k);
    match kind.as_str() {
        "" | "inherit" => Scheme::Inherit,
        "noauth" | "none" => Scheme::None,
        "apikey" => Scheme::Auth(AuthSpec::ApiKey {
            key: get("key").to_string(),
            value: get("value"),
            place: if get("in").trim().eq_ignore_ascii_case("query") {
                Place::Query
            } else {
                Place::Header
            },
        }),
        "bearer" => Scheme::Auth(AuthSpec::Bearer {
            token: get("token"),
            prefix: String::new(),
        }),
        "basic" => Scheme::Auth(AuthSpec::Basic {
            username: get("username").to_string(),
            password: get("password"),
        }),
        "oauth2" => Scheme::Auth(AuthSpec::OAuth2(Box::new(OAuth2Spec {
            grant: get("grant_type").to_string(),
            token_url: get("accessTokenUrl").to_string(),
            auth_url: get("authUrl").to_string(),
            client_id: get("clientId").to_string(),
            client_secret: get("clientSecret"),
            scope: get("scope").to_string(),
            audience: get("audience").to_string(),
            credentials_in_body: get("client_authentication")
                .trim()
                .eq_ignore_ascii_case("body"),
            access_token: get("accessToken"),
            refresh_token: get("refreshToken"),
        }))),
        other => Scheme::Auth(AuthSpec::Other(other.to_owned())),
    }
}

/// The URL of a request: its `raw` text, else built from its parts; path variables
/// (`/:id`) filled in.
fn url_of(url: Option<&Value>) -> String {
    let Some(url) = url else {
        return String::new();
    };
    if let Value::String(s) = url {
        return s.clone();
    }
    let mut raw = url.get("raw").and_then(Value::as_str).map(str::to_owned);
    if raw.is_none() {
        let join = |v: Option<&Value>, sep: &str| match v {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|s| {
                    s.as_str()
                        .map(str::to_owned)
                        .or_else(|| s.get("value").and_then(scalar))
                })
                .collect::<Vec<_>>()
                .join(sep),
            Some(v) => scalar(v).unwrap_or_default(),
            None => String::new(),
        };
        let protocol = str_of(url, "protocol");
        let host = join(url.get("host"), ".");
        let path = join(url.get("path"), "/");
        let mut s = if protocol.is_empty() {
            host
        } else {
            format!("{protocol}://{host}")
        };
        if !path.is_empty() {
            s.push('/');
            s.push_str(&path);
        }
        if let Some(Value::Array(q)) = url.get("query") {
            let pairs: Vec<String> = q
                .iter()
                .filter(|p| p.get("disabled").and_then(Value::as_bool) != Some(true))
                .map(|p| format!("{}={}", str_of(p, "key"), str_of(p, "value")))
                .collect();
            if !pairs.is_empty() {
                s.push('?');
                s.push_str(&pairs.join("&"));
            }
        }
        raw = Some(s);
    }
    let raw = raw.unwrap_or_default();
    let params: Vec<(String, String)> = match url.get("variable") {
        Some(Value::Array(vars)) => vars
            .iter()
            .map(|v| (str_of(v, "key"), str_of(v, "value")))
            .collect(),
        _ => Vec::new(),
    };
    fill_path_params(&raw, &params)
}

fn headers_of(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Array(list)) => list
            .iter()
            .filter(|h| h.get("disabled").and_then(Value::as_bool) != Some(true))
            .map(|h| (str_of(h, "key"), str_of(h, "value")))
            .collect(),
        // v2.0 allows the headers as one "Name: value\n…" text.
        Some(Value::String(s)) => s
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                Some((k.trim().to_owned(), v.trim().to_owned()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn body_of(v: Option<&Value>) -> RawBody {
    let Some(b) = v.filter(|b| b.is_object()) else {
        return RawBody::None;
    };
    if b.get("disabled").and_then(Value::as_bool) == Some(true) {
        return RawBody::None;
    }
    match str_of(b, "mode").as_str() {
        "raw" => {
            let text = str_of(b, "raw");
            let lang = b
                .pointer("/options/raw/language")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match lang {
                "json" => RawBody::Json(text),
                "text" => RawBody::Text {
                    text,
                    content_type: Some("text/plain".into()),
                },
                "xml" => RawBody::Text {
                    text,
                    content_type: Some("application/xml".into()),
                },
                "html" => RawBody::Text {
                    text,
                    content_type: Some("text/html".into()),
                },
                "javascript" => RawBody::Text {
                    text,
                    content_type: Some("application/javascript".into()),
                },
                _ => RawBody::Text {
                    text,
                    content_type: None,
                },
            }
        }
        "urlencoded" => RawBody::Form(match b.get("urlencoded") {
            Some(Value::Array(list)) => list
                .iter()
                .filter(|p| p.get("disabled").and_then(Value::as_bool) != Some(true))
                .map(|p| (str_of(p, "key"), str_of(p, "value")))
                .collect(),
            _ => Vec::new(),
        }),
        "formdata" => RawBody::Unsupported("form-data (multipart)".into()),
        "file" => RawBody::Unsupported("file".into()),
        "graphql" => RawBody::GraphQl {
            query: b
                .pointer("/graphql/query")
                .and_then(scalar)
                .unwrap_or_default(),
            variables: b
                .pointer("/graphql/variables")
                .and_then(scalar)
                .unwrap_or_default(),
        },
        _ => RawBody::None,
    }
}

/// A request of the collection as written.
fn request_of(req: &Value, name: String) -> RawRequest {
    if let Value::String(url) = req {
        return RawRequest {
            name,
            method: "GET".into(),
            url: url.clone(),
            query: Vec::new(),
            headers: Vec::new(),
            body: RawBody::None,
        };
    }
    RawRequest {
        name,
        method: str_of(req, "method"),
        url: url_of(req.get("url")),
        query: Vec::new(),
        headers: headers_of(req.get("header")),
        body: body_of(req.get("body")),
    }
}

/// One environment export: its name and variables.
struct Env {
    name: String,
    vars: Vec<Var>,
}

/// Parse `text` as a Postman environment export, if it is one.
fn environment(doc: &mut Doc) -> Option<Env> {
    let values = doc.values.take()?;
    if doc.item.is_some() {
        return None;
    }
    Some(Env {
        name: doc.name.clone().unwrap_or_else(|| "environment".into()),
        vars: values,
    })
}

fn parse_doc(text: &str) -> std::result::Result<Doc, String> {
    check_json_values(Format::Postman, text).map_err(|e| match e {
        Error::ImportFailed { reason, .. } => reason,
        e => e.to_string(),
    })?;
    serde_json::from_str(text).map_err(|e| json_error(&e))
}

/// Read one environment file (bounded), counting its bytes against `budget`.
fn read_env_file(path: &Path, budget: &mut usize) -> std::result::Result<Env, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("cannot be read ({e})"))?;
    let mut buf = Zeroizing::new(Vec::new());
    f.take(*budget as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot be read ({e})"))?;
    if buf.len() > *budget {
        return Err(format!(
            "takes the environments past {} MiB, the most an import reads",
            MAX_IMPORT_BYTES >> 20
        ));
    }
    *budget -= buf.len();
    let text = std::str::from_utf8(&buf).map_err(|_| "is not a text file (UTF-8)".to_owned())?;
    let mut doc = parse_doc(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    environment(&mut doc).ok_or_else(|| "is not a Postman environment export".to_owned())
}

/// `*.postman_environment.json` files beside the collection (regular files, not links),
/// by name.
fn environments_beside(path: &Path) -> Vec<PathBuf> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let me = std::fs::canonicalize(path).ok();
    let mut out: Vec<PathBuf> = rd
        .take(MAX_IMPORT_FILES)
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            e.file_name().to_str().is_some_and(|n| {
                n.to_ascii_lowercase()
                    .ends_with(".postman_environment.json")
            })
        })
        .map(|e| e.path())
        .filter(|p| std::fs::canonicalize(p).ok() != me)
        .collect();
    out.sort();
    out
}

struct Walk<'a> {
    c: Collector,
    vars: Vars<'a>,
}

impl Walk<'_> {
    /// The entry a scheme gives at this level, given the one inherited.
    fn entry(
        &mut self,
        scheme: &Scheme,
        inherited: Option<usize>,
        label: &str,
        name: &str,
    ) -> Option<usize> {
        match scheme {
            Scheme::Inherit => inherited,
            Scheme::None => None,
            Scheme::Auth(a) => self.c.credential(label, name, a, &self.vars),
        }
    }

    fn items(
        &mut self,
        items: &[Item],
        collection: &str,
        path: &[String],
        inherited: Option<usize>,
    ) -> Result<()> {
        if path.len() > MAX_IMPORT_DEPTH {
            return Err(fail(
                Format::Postman,
                format!("its folders are nested more than {MAX_IMPORT_DEPTH} deep"),
            ));
        }
        for it in items {
            let name = it.name.trim();
            let mut here = path.to_vec();
            here.push(name.to_owned());
            let label = format!("{} / {} ", shown(collection), shown(&here.join(" / ")));
            if let Some(children) = &it.item {
                let scheme = scheme_of(it.auth.as_ref());
                let e = self.entry(&scheme, inherited, &format!("{label}(folder auth)"), name);
                self.items(children, collection, &here, e)?;
            } else if let Some(req) = &it.request {
                let scheme = scheme_of(req.get("auth").or(it.auth.as_ref()));
                let e = self.entry(&scheme, inherited, &format!("{label}(request auth)"), name);
                if let Some(e) = e {
                    let raw = request_of(req, here.join(" / "));
                    self.c.request(e, raw, &self.vars)?;
                }
            }
        }
        Ok(())
    }
}

/// The records of a Postman export.
pub fn parse(text: &str, opts: &Options) -> Result<Vec<Record>> {
    let mut doc = parse_doc(text).map_err(|r| fail(Format::Postman, r))?;
    if let Some(env) = environment(&mut doc) {
        return environment_records(env);
    }
    if doc.requests.is_some() && doc.order.is_some() {
        return Err(fail(
            Format::Postman,
            "it is a Postman v1 collection; export it again from Postman as Collection v2.1",
        ));
    }
    let (Some(info), Some(items)) = (doc.info.take(), doc.item.take()) else {
        return Err(fail(
            Format::Postman,
            "it is neither a Postman collection (v2.1 or v2.0: info and item) nor an \
             environment export (name and values)",
        ));
    };
    if !info.schema.is_empty() && !info.schema.contains("/v2.") {
        return Err(fail(
            Format::Postman,
            format!(
                "its schema is {:?}; Keywright reads collections v2.1 and v2.0",
                shown(&info.schema)
            ),
        ));
    }
    let collection = if info.name.trim().is_empty() {
        "Postman collection".to_owned()
    } else {
        info.name.trim().to_owned()
    };

    // Environments: given first, then found beside the collection.
    let mut files: Vec<PathBuf> = opts.environments.clone();
    if let Some(p) = &opts.path {
        for f in environments_beside(p) {
            let canon = std::fs::canonicalize(&f).ok();
            if !files.iter().any(|g| std::fs::canonicalize(g).ok() == canon) {
                files.push(f);
            }
        }
    }
    let mut budget = MAX_IMPORT_BYTES;
    let mut envs: Vec<Env> = Vec::new();
    let mut bad_envs: Vec<(String, String)> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        match read_env_file(f, &mut budget) {
            Ok(e) => envs.push(e),
            Err(reason) if i < opts.environments.len() => {
                return Err(Error::invalid("--env", format!("{} {reason}", f.display())));
            }
            Err(reason) => bad_envs.push((
                f.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                reason,
            )),
        }
    }
    let env_scopes: Vec<Scope> = envs.iter().map(env_scope).collect();
    let mut coll_scope = Scope::new("the collection's variables");
    for v in doc.variable.iter().filter(|v| v.on()) {
        if let Some(s) = scalar(&v.value) {
            coll_scope.vars.insert(v.key.clone(), Zeroizing::new(s));
        }
    }
    let mut scopes: Vec<&Scope> = env_scopes.iter().collect();
    scopes.push(&coll_scope);

    let mut w = Walk {
        c: super::apiauth::Collector::new(Format::Postman, Some(&collection)),
        vars: Vars {
            dialect: Dialect::Postman,
            scopes,
        },
    };
    for (file, reason) in bad_envs {
        w.c.invalid(format!("{} (environment file)", shown(&file)), reason);
    }
    let top = scheme_of(doc.auth.as_ref());
    let top_entry = w.entry(
        &top,
        None,
        &format!("{} (collection auth)", shown(&collection)),
        &collection,
    );
    w.items(&items, &collection, &[], top_entry)?;
    let Walk { mut c, .. } = w;
    for (env, scope) in envs.iter().zip(&env_scopes) {
        secret_vars(&mut c, env, &scope.label);
    }
    let records = c.into_records();
    if records.is_empty() {
        return Err(fail(
            Format::Postman,
            "no request or folder of the collection uses auth (API key, bearer, basic, OAuth2) \
             and no environment has a secret variable: nothing to import",
        ));
    }
    Ok(records)
}

fn env_scope(env: &Env) -> Scope {
    let mut s = Scope::new(format!("environment {:?}", shown(&env.name)));
    for v in env.vars.iter().filter(|v| v.on()) {
        if let Some(val) = scalar(&v.value) {
            // The first of a name wins, as in Postman.
            s.vars
                .entry(v.key.clone())
                .or_insert_with(|| Zeroizing::new(val));
        }
    }
    s
}

fn secret_vars(c: &mut Collector, env: &Env, scope: &str) {
    for v in env.vars.iter().filter(|v| v.on() && v.kind == "secret") {
        let value = Zeroizing::new(scalar(&v.value).unwrap_or_default());
        c.secret_var(scope, &env.name, &v.key, &value);
    }
}

/// An environment export on its own: its secret variables.
fn environment_records(env: Env) -> Result<Vec<Record>> {
    let mut c = Collector::new(Format::Postman, None);
    let scope = env_scope(&env);
    secret_vars(&mut c, &env, &scope.label);
    let records = c.into_records();
    if records.is_empty() {
        return Err(fail(
            Format::Postman,
            format!(
                "the environment {:?} has no variable of type secret: nothing to import (import \
                 the collection that uses it, with the environment beside it or given with \
                 --env, for its credentials)",
                shown(&env.name)
            ),
        ));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::super::{Candidate, Source, parse as parse_any};
    use super::*;
    use crate::credential::{Grant, Kind, Placement};
    use crate::probe::input::BodyInput;

    const SCHEMA: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

    fn run(json: &serde_json::Value, opts: &Options) -> Result<Vec<Record>> {
        let text = json.to_string();
        parse_any(Format::Postman, Source::Bytes(text.as_bytes()), opts)
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

    fn env_file(dir: &Path, file: &str, name: &str, values: serde_json::Value) -> PathBuf {
        let p = dir.join(file);
        std::fs::write(
            &p,
            serde_json::json!({"id": "e", "name": name, "values": values,
                "_postman_variable_scope": "environment"})
            .to_string(),
        )
        .expect("write env");
        p
    }

    fn shop() -> serde_json::Value {
        serde_json::json!({
            "info": {"name": "Shop API", "schema": SCHEMA},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
            "variable": [{"key": "user", "value": "alice"}, {"key": "host", "value": "{{baseUrl}}"}],
            "item": [
                {"name": "Who am I", "request": {"method": "GET", "url": "{{host}}/bearer",
                    "header": [{"key": "Authorization", "value": "Bearer stale"},
                               {"key": "Accept", "value": "application/json"},
                               {"key": "X-Off", "value": "1", "disabled": true}]}},
                {"name": "Admin", "auth": {"type": "basic", "basic": [
                        {"key": "username", "value": "{{user}}"}, {"key": "password", "value": "{{pass}}"}]},
                 "item": [
                    {"name": "Deep", "item": [
                        {"name": "Login", "request": {"method": "POST",
                            "url": {"raw": "{{baseUrl}}/users/:id", "host": ["{{baseUrl}}"], "path": ["users", ":id"],
                                    "variable": [{"key": "id", "value": "42"}]},
                            "body": {"mode": "urlencoded", "urlencoded": [
                                {"key": "a", "value": "1"}, {"key": "b", "value": "x", "disabled": true}]}}},
                        {"name": "Upload", "request": {"method": "POST", "url": "{{baseUrl}}/up",
                            "body": {"mode": "formdata", "formdata": []}}}
                    ]},
                    {"name": "Public", "request": {"method": "GET", "url": "{{baseUrl}}/get",
                        "auth": {"type": "noauth"}}}
                 ]},
                {"name": "Echo", "request": {"method": "post",
                    "auth": {"type": "apikey", "apikey": [
                        {"key": "key", "value": "api_key"}, {"key": "value", "value": "{{apiKey}}"},
                        {"key": "in", "value": "query"}]},
                    "body": {"mode": "raw", "raw": "{\"n\": {{n}}}", "options": {"raw": {"language": "json"}}},
                    "url": "{{baseUrl}}/anything"}},
                {"name": "Same token", "item": [
                    {"name": "Again", "request": {"method": "GET", "url": "{{baseUrl}}/x",
                        "auth": {"type": "bearer", "bearer": {"token": "{{token}}"}}}}
                ]},
                {"name": "Lost", "request": {"method": "GET", "url": "{{nowhere}}/x"}},
                {"name": "Digest", "request": {"method": "GET", "url": "{{baseUrl}}/d",
                    "auth": {"type": "digest", "digest": []}}},
                {"name": "Missing", "request": {"method": "GET", "url": "{{baseUrl}}/m",
                    "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{undefined_token}}"}]}}}
            ]
        })
    }

    #[test]
    fn a_collection_becomes_one_item_per_credential_with_its_requests() {
        let dir = tempfile::tempdir().expect("tempdir");
        let coll = dir.path().join("shop.postman_collection.json");
        std::fs::write(&coll, shop().to_string()).expect("write");
        // Found beside it: Local (by name, first); given: nothing.
        env_file(
            dir.path(),
            "Local.postman_environment.json",
            "Local",
            serde_json::json!([
                {"key": "baseUrl", "value": "https://api.shop.test", "type": "default", "enabled": true},
                {"key": "token", "value": "tok_local_123", "type": "secret", "enabled": true},
                {"key": "pass", "value": "s3cret", "type": "secret", "enabled": true},
                {"key": "apiKey", "value": "key_abc", "type": "secret", "enabled": true},
                {"key": "n", "value": 7, "type": "default", "enabled": true},
                {"key": "spare", "value": "spare_secret_value", "type": "secret", "enabled": true},
                {"key": "off", "value": "x", "type": "secret", "enabled": false}
            ]),
        );
        env_file(
            dir.path(),
            "Prod.postman_environment.json",
            "Prod",
            serde_json::json!([{"key": "token", "value": "tok_prod", "type": "secret"}]),
        );
        let text = std::fs::read(&coll).expect("read");
        let opts = Options {
            path: Some(coll.clone()),
            ..Options::default()
        };
        let recs = parse_any(Format::Postman, Source::Bytes(&text), &opts).expect("parse");

        let bearer = ok(&recs, "Shop API (collection auth)");
        assert_eq!(bearer.item.kind, Kind::Bearer);
        assert_eq!(bearer.item.name, "Shop API bearer token");
        assert_eq!(
            bearer.item.secret.value, "tok_local_123",
            "the first environment wins"
        );
        assert_eq!(bearer.item.tags, ["Shop API"]);
        assert_eq!(bearer.item.url.as_deref(), Some("https://api.shop.test"));
        // Who am I + Same token / Again (the same token in a folder: one item).
        let names: Vec<&str> = bearer.requests.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["Who am I", "Same token / Again"]);
        let who = &bearer.requests[0].request;
        assert_eq!(who.url, "https://api.shop.test/bearer");
        assert_eq!(
            who.headers,
            [("Accept".to_owned(), "application/json".to_owned())],
            "the Authorization header is the item's; disabled headers are left out"
        );
        // The unresolved request of the collection auth is named in its hint.
        let hint = bearer.hint.as_deref().expect("hint");
        assert!(
            hint.contains("\"Lost\"") && hint.contains("{{nowhere}}"),
            "{hint}"
        );

        let basic = ok(&recs, "Shop API / Admin (folder auth)");
        assert_eq!(basic.item.kind, Kind::Basic);
        assert_eq!(basic.item.name, "Admin basic auth");
        assert_eq!(basic.item.username.as_deref(), Some("alice"));
        assert_eq!(basic.item.secret.value, "s3cret");
        assert_eq!(basic.requests.len(), 1);
        let login = &basic.requests[0];
        assert_eq!(login.name, "Admin / Deep / Login");
        assert_eq!(login.request.method, "POST");
        assert_eq!(login.request.url, "https://api.shop.test/users/42");
        assert_eq!(
            login.request.body,
            BodyInput::Form {
                fields: vec![("a".into(), "1".into())]
            }
        );
        let hint = basic.hint.as_deref().expect("hint");
        assert!(
            hint.contains("Upload") && hint.contains("form-data"),
            "{hint}"
        );

        let key = ok(&recs, "Shop API / Echo (request auth)");
        assert_eq!(key.item.kind, Kind::ApiKey);
        assert_eq!(key.item.name, "Echo API key");
        assert_eq!(
            key.item.placement,
            Some(Placement::Query {
                name: "api_key".into()
            })
        );
        assert_eq!(key.requests[0].request.method, "POST");
        assert_eq!(
            key.requests[0].request.body,
            BodyInput::Json {
                text: "{\"n\": 7}".into()
            }
        );

        assert!(bad(&recs, "Shop API / Digest").contains("digest auth"));
        let reason = bad(&recs, "Shop API / Missing");
        assert!(reason.contains("{{undefined_token}}"), "{reason}");
        assert!(
            !recs.iter().any(|r| r.label.contains("Public")),
            "noauth: nothing"
        );

        // Secret variables not used by a credential: their own items; used ones are not.
        let spare = ok(&recs, "Local spare (secret variable)");
        assert_eq!(spare.item.name, "Local spare");
        assert_eq!(spare.item.kind, Kind::ApiKey);
        assert!(!recs.iter().any(|r| r.label.starts_with("Local token")));
        assert!(!recs.iter().any(|r| r.label.starts_with("Local off")));
        // Prod's token is used by nothing (Local's won): its own item.
        assert_eq!(ok(&recs, "Prod token").item.secret.value, "tok_prod");
        // No record carries a secret in its label or reason.
        for r in &recs {
            let shown = format!("{} {:?}", r.label, r.candidate.as_ref().err());
            for s in ["tok_local_123", "s3cret", "key_abc"] {
                assert!(!shown.contains(s), "{shown}");
            }
        }
    }

    #[test]
    fn without_its_environment_the_variables_are_named() {
        let recs = run(&shop(), &Options::default()).expect("parse");
        let reason = bad(&recs, "Shop API (collection auth)");
        assert!(
            reason.contains("{{token}}") && reason.contains("no environment was found"),
            "{reason}"
        );
        // Given with --env instead of found beside it.
        let dir = tempfile::tempdir().expect("tempdir");
        let env = env_file(
            dir.path(),
            "given.json",
            "Given",
            serde_json::json!([{"key": "token", "value": "tok_given"},
                               {"key": "baseUrl", "value": "http://127.0.0.1:9"}]),
        );
        let opts = Options {
            environments: vec![env],
            ..Options::default()
        };
        let recs = run(&shop(), &opts).expect("parse");
        assert_eq!(
            ok(&recs, "Shop API (collection auth)").item.secret.value,
            "tok_given"
        );
        // A given file that is not an environment is an error naming it.
        let not_env = dir.path().join("x.json");
        std::fs::write(&not_env, "{\"info\": {}, \"item\": []}").expect("write");
        let e = run(
            &shop(),
            &Options {
                environments: vec![not_env],
                ..Options::default()
            },
        )
        .expect_err("not an env");
        assert!(e.to_string().contains("x.json"), "{e}");
    }

    #[test]
    fn oauth2_clients_keep_their_configuration_and_unusable_grants_say_why() {
        let coll = serde_json::json!({
            "info": {"name": "Auth", "schema": SCHEMA},
            "item": [
                {"name": "CC", "request": {"method": "GET", "url": "https://api.test/a",
                    "auth": {"type": "oauth2", "oauth2": [
                        {"key": "grant_type", "value": "client_credentials"},
                        {"key": "accessTokenUrl", "value": "https://auth.test/token"},
                        {"key": "clientId", "value": "cid"},
                        {"key": "clientSecret", "value": "csecret"},
                        {"key": "scope", "value": "read write"},
                        {"key": "client_authentication", "value": "body"}]}}},
                {"name": "Code", "request": {"method": "GET", "url": "https://api.test/b",
                    "auth": {"type": "oauth2", "oauth2": [
                        {"key": "grant_type", "value": "authorization_code_with_pkce"},
                        {"key": "authUrl", "value": "https://auth.test/authorize"},
                        {"key": "accessTokenUrl", "value": "https://auth.test/token"},
                        {"key": "clientId", "value": "web"}]}}},
                {"name": "Pwd", "request": {"method": "GET", "url": "https://api.test/c",
                    "auth": {"type": "oauth2", "oauth2": [
                        {"key": "grant_type", "value": "password_credentials"},
                        {"key": "accessTokenUrl", "value": "https://auth.test/token"},
                        {"key": "clientId", "value": "p"}]}}},
                {"name": "Plain http", "request": {"method": "GET", "url": "https://api.test/d",
                    "auth": {"type": "oauth2", "oauth2": [
                        {"key": "grant_type", "value": "client_credentials"},
                        {"key": "accessTokenUrl", "value": "http://auth.example.com/token"},
                        {"key": "clientId", "value": "h"}]}}}
            ]
        });
        let recs = run(&coll, &Options::default()).expect("parse");
        let cc = ok(&recs, "Auth / CC");
        assert_eq!(cc.item.kind, Kind::Oauth2);
        let cfg = cc.item.oauth.as_ref().expect("oauth");
        assert_eq!(cfg.client_id, "cid");
        assert_eq!(cfg.token_url.as_deref(), Some("https://auth.test/token"));
        assert_eq!(cfg.scopes, ["read", "write"]);
        assert_eq!(cfg.grant, Some(Grant::ClientCredentials));
        assert_eq!(cfg.auth, crate::credential::ClientAuth::Post);
        assert_eq!(cc.item.secret.value, "csecret");
        assert_eq!(cc.requests.len(), 1);
        let code = ok(&recs, "Auth / Code");
        assert_eq!(
            code.item.oauth.as_ref().expect("oauth").grant,
            Some(Grant::AuthorizationCode)
        );
        assert!(
            code.item
                .secret
                .notes
                .contains("https://auth.test/authorize")
        );
        assert!(bad(&recs, "Auth / Pwd").contains("password grant"));
        assert!(
            bad(&recs, "Auth / Plain http").contains("http"),
            "{:?}",
            bad(&recs, "Auth / Plain http")
        );
    }

    #[test]
    fn an_environment_export_alone_gives_its_secrets() {
        let env = serde_json::json!({"id": "1", "name": "Staging", "values": [
            {"key": "baseUrl", "value": "https://x", "type": "default"},
            {"key": "JWT", "value": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlc2lnbmF0dXJl", "type": "secret"},
            {"key": "empty", "value": "", "type": "secret"}
        ], "_postman_variable_scope": "environment"});
        let recs = run(&env, &Options::default()).expect("parse");
        assert_eq!(recs.len(), 2);
        let jwt = ok(&recs, "Staging JWT");
        assert_eq!(jwt.item.kind, Kind::Bearer);
        assert_eq!(jwt.item.name, "Staging JWT");
        assert!(bad(&recs, "Staging empty").contains("no value"));
        let none = serde_json::json!({"name": "E", "values": [{"key": "a", "value": "b"}]});
        let e = run(&none, &Options::default()).expect_err("nothing");
        assert!(e.to_string().contains("no variable of type secret"), "{e}");
    }

    #[test]
    fn hostile_and_wrong_files_get_a_clear_error() {
        let opts = Options::default();
        for (text, want) in [
            ("not json", "not valid JSON"),
            ("{\"info\": {\"name\": \"x\"}, \"item\": [", "ends early"),
            (
                "{\"info\": {\"name\": \"x\"}, \"requests\": [], \"order\": []}",
                "v1",
            ),
            ("{\"hello\": 1}", "neither a Postman collection"),
            (
                "{\"info\": {\"name\": \"x\", \"schema\": \"https://x/v3.0.0/c.json\"}, \"item\": []}",
                "v2.1",
            ),
            (
                "{\"info\": {\"name\": \"x\"}, \"item\": \"sk_live_leak\"}",
                "expected structure (line 1",
            ),
        ] {
            let e =
                parse_any(Format::Postman, Source::Bytes(text.as_bytes()), &opts).expect_err(text);
            assert!(e.to_string().contains(want), "{text}: {e}");
            assert!(
                !e.to_string().contains("sk_live_leak"),
                "no value in a message: {e}"
            );
        }
        // Millions of tiny values: refused before they are parsed.
        let tiny = format!(
            "{{\"info\": {{}}, \"item\": [{}]}}",
            "[],".repeat(2_000_001)
        );
        let e =
            parse_any(Format::Postman, Source::Bytes(tiny.as_bytes()), &opts).expect_err("tiny");
        assert!(e.to_string().contains("JSON values"), "{e}");
        // Folders nested deeper than the limit.
        let mut item = serde_json::json!({"name": "r", "request": {"url": "https://x/", "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "t"}]}}});
        for _ in 0..=MAX_IMPORT_DEPTH + 1 {
            item = serde_json::json!({"name": "f", "item": [item]});
        }
        let deep = serde_json::json!({"info": {"name": "d", "schema": SCHEMA}, "item": [item]});
        let e = run(&deep, &opts).expect_err("deep");
        assert!(e.to_string().contains("nested"), "{e}");
        // Larger than the import limit.
        let huge = vec![b' '; MAX_IMPORT_BYTES + 1];
        let e = parse_any(Format::Postman, Source::Bytes(&huge), &opts).expect_err("huge");
        assert!(e.to_string().contains("larger than"), "{e}");
        // 100,001 requests on one credential: refused; a huge secret: that row's reason.
        let req = serde_json::json!({"name": "r", "request": "https://x/"});
        let many = serde_json::json!({"info": {"name": "m", "schema": SCHEMA},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "t"}]},
            "item": vec![req.clone(); crate::limits::MAX_IMPORT_ENTRIES + 1]});
        let e = run(&many, &opts).expect_err("many");
        assert!(e.to_string().contains("entries"), "{e}");
        let big = serde_json::json!({"info": {"name": "b", "schema": SCHEMA},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "k".repeat(70_000)}]},
            "item": []});
        let recs = run(&big, &opts).expect("one invalid row");
        assert!(bad(&recs, "b (collection auth)").contains("65536"));
        // A collection without any auth: nothing to import, said so.
        let none = serde_json::json!({"info": {"name": "n", "schema": SCHEMA}, "item": [req]});
        let e = run(&none, &opts).expect_err("no auth");
        assert!(e.to_string().contains("nothing to import"), "{e}");
    }
}
