//! Insomnia: a v4 export (JSON: `_type: "export"`, `__export_format: 4`, `resources`).
//!
//! - Each workspace is a collection; its folders (`request_group`) and requests carry an
//!   `authentication` (`bearer` with its prefix, `basic`, `apikey` in a header, the query
//!   or a cookie, `oauth2`); an empty one inherits the folder's, `none` or `disabled` has
//!   none. Each distinct credential is one item, the workspace's name its tag.
//! - `{{ _.name }}` / `{{ name }}` resolve from the folders' environments (nearest first),
//!   the workspace's sub-environments (in Insomnia's order: the first that defines a
//!   variable wins) and its base environment. Template tags (`{% … %}`) run code in
//!   Insomnia: a credential that uses one is invalid, naming it.
//! - Requests become saved requests on their credential (their folders' headers, then
//!   their own; query parameters appended; JSON, text, URL-encoded and GraphQL bodies;
//!   multipart and file bodies cannot be saved).
//! - The variables of a private environment become API-key items named
//!   `<environment> <VAR>`, unless a credential already uses them.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use super::apiauth::{
    AuthSpec, Collector, Dialect, OAuth2Spec, Place, RawBody, RawRequest, Scheme, Scope, Vars,
    check_json_values, json_error, shown,
};
use super::{Format, Options, Record, fail};
use crate::error::Result;
use crate::limits::MAX_IMPORT_DEPTH;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Export {
    #[serde(rename = "_type")]
    kind: Option<String>,
    #[serde(rename = "__export_format")]
    format: Option<Value>,
    resources: Option<Vec<Resource>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Resource {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "_type")]
    kind: String,
    #[serde(rename = "parentId")]
    parent: Option<String>,
    name: String,
    url: Value,
    method: String,
    headers: Value,
    parameters: Value,
    body: Option<Value>,
    authentication: Option<Value>,
    /// An environment's variables.
    data: Option<Value>,
    /// A folder's variables.
    environment: Option<Value>,
    #[serde(rename = "isPrivate")]
    private: bool,
    #[serde(rename = "metaSortKey")]
    sort: Option<f64>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key).map(text).unwrap_or_default()
}

/// Enabled `{name, value}` rows (headers, query and form parameters).
fn rows(v: &Value) -> Vec<(String, String)> {
    match v {
        Value::Array(list) => list
            .iter()
            .filter(|r| r.get("disabled").and_then(Value::as_bool) != Some(true))
            .map(|r| (str_of(r, "name"), str_of(r, "value")))
            .filter(|(k, _)| !k.trim().is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// An environment's data as `name` → value, nested objects as `a.b`.
fn flatten(prefix: &str, v: &Value, depth: usize, out: &mut HashMap<String, Zeroizing<String>>) {
    let Value::Object(map) = v else { return };
    if depth > MAX_IMPORT_DEPTH {
        return;
    }
    for (k, v) in map {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(_) => flatten(&key, v, depth + 1, out),
            Value::Array(_) | Value::Null => {}
            v => {
                out.entry(key).or_insert_with(|| Zeroizing::new(text(v)));
            }
        }
    }
}

fn scope_of(label: String, data: Option<&Value>) -> Scope {
    let mut s = Scope::new(label);
    if let Some(d) = data {
        flatten("", d, 0, &mut s.vars);
    }
    s
}

/// What an `authentication` says; empty (no type) inherits.
fn scheme_of(auth: Option<&Value>) -> Scheme {
    let Some(a) = auth.filter(|a| a.is_object()) else {
        return Scheme::Inherit;
    };
    if a.get("disabled").and_then(Value::as_bool) == Some(true) {
        return Scheme::None;
    }
    let kind = str_of(a, "type").trim().to_ascii_lowercase();
    let get = |k: &str| str_of(a, k);
    let secret = |k: &str| Zeroizing::new(str_of(a, k));
    match kind.as_str() {
        "" | "inherit" => Scheme::Inherit,
        "none" => Scheme::None,
        "bearer" => Scheme::Auth(AuthSpec::Bearer {
            token: secret("token"),
            prefix: get("prefix"),
        }),
        "basic" => Scheme::Auth(AuthSpec::Basic {
            username: get("username"),
            password: secret("password"),
        }),
        "apikey" => Scheme::Auth(AuthSpec::ApiKey {
            key: get("key"),
            value: secret("value"),
            place: match get("addTo").trim() {
                "queryParams" => Place::Query,
                "cookie" => Place::Cookie,
                _ => Place::Header,
            },
        }),
        "oauth2" => Scheme::Auth(AuthSpec::OAuth2(Box::new(OAuth2Spec {
            grant: get("grantType"),
            token_url: get("accessTokenUrl"),
            auth_url: get("authorizationUrl"),
            client_id: get("clientId"),
            client_secret: secret("clientSecret"),
            scope: get("scope"),
            audience: get("audience"),
            credentials_in_body: a.get("credentialsInBody").and_then(Value::as_bool) == Some(true),
            access_token: secret("accessToken"),
            refresh_token: secret("refreshToken"),
        }))),
        other => Scheme::Auth(AuthSpec::Other(other.to_owned())),
    }
}

fn body_of(b: Option<&Value>) -> RawBody {
    let Some(b) = b.filter(|b| b.is_object()) else {
        return RawBody::None;
    };
    let mime = str_of(b, "mimeType");
    let mime_base = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let body_text = str_of(b, "text");
    match mime_base.as_str() {
        "application/x-www-form-urlencoded" => {
            RawBody::Form(rows(b.get("params").unwrap_or(&Value::Null)))
        }
        "multipart/form-data" => RawBody::Unsupported("multipart form".into()),
        _ if b.get("fileName").is_some_and(|f| !text(f).is_empty()) => {
            RawBody::Unsupported("file".into())
        }
        // A GraphQL body is its JSON: {"query": …, "variables": …}.
        "application/graphql" => RawBody::Json(body_text),
        m if m == "application/json" || m.ends_with("+json") => {
            if m == "application/json" {
                RawBody::Json(body_text)
            } else {
                RawBody::Text {
                    text: body_text,
                    content_type: Some(mime.clone()),
                }
            }
        }
        "" if body_text.is_empty() => RawBody::None,
        "" => RawBody::Text {
            text: body_text,
            content_type: None,
        },
        _ => RawBody::Text {
            text: body_text,
            content_type: Some(mime.clone()),
        },
    }
}

/// The scopes of a request or auth block: the nearest, then `base`.
fn vars_of<'s>(near: &[&'s Scope], base: &[&'s Scope]) -> Vars<'s> {
    let mut scopes: Vec<&Scope> = near.to_vec();
    scopes.extend(base.iter().copied());
    Vars {
        dialect: Dialect::Insomnia,
        scopes,
    }
}

struct Workspace<'a> {
    c: Collector,
    name: String,
    children: &'a HashMap<&'a str, Vec<&'a Resource>>,
    /// Sub-environments then the base environment.
    envs: Vec<&'a Scope>,
}

impl Workspace<'_> {
    fn label(&self, path: &[String], what: &str) -> String {
        format!(
            "{} / {} ({what})",
            shown(&self.name),
            shown(&path.join(" / "))
        )
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
                let vars = vars_of(near, &self.envs);
                self.c.credential(label, name, a, &vars)
            }
        }
    }

    fn walk(
        &mut self,
        parent: &str,
        path: &[String],
        inherited: Option<usize>,
        headers: &[(String, String)],
        near: &[&Scope],
    ) -> Result<()> {
        if path.len() > MAX_IMPORT_DEPTH {
            return Err(fail(
                Format::Insomnia,
                format!("its folders are nested more than {MAX_IMPORT_DEPTH} deep"),
            ));
        }
        let Some(kids) = self.children.get(parent) else {
            return Ok(());
        };
        let kids = kids.clone();
        for r in kids {
            let name = r.name.trim().to_owned();
            let mut here = path.to_vec();
            here.push(name.clone());
            if r.kind == "request_group" {
                let folder_scope = scope_of(
                    format!("the variables of folder {:?}", shown(&name)),
                    r.environment.as_ref(),
                );
                let mut inner: Vec<&Scope> = vec![&folder_scope];
                inner.extend_from_slice(near);
                let label = self.label(&here, "folder auth");
                let e = self.entry(
                    &scheme_of(r.authentication.as_ref()),
                    inherited,
                    &label,
                    &name,
                    &inner,
                );
                let mut h = headers.to_vec();
                h.extend(rows(&r.headers));
                self.walk(&r.id, &here, e, &h, &inner)?;
            } else {
                let label = self.label(&here, "request auth");
                let e = self.entry(
                    &scheme_of(r.authentication.as_ref()),
                    inherited,
                    &label,
                    &name,
                    near,
                );
                let Some(e) = e else { continue };
                let mut h = headers.to_vec();
                for (k, v) in rows(&r.headers) {
                    h.retain(|(x, _)| !x.eq_ignore_ascii_case(&k));
                    h.push((k, v));
                }
                let raw = RawRequest {
                    name: here.join(" / "),
                    method: r.method.clone(),
                    url: text(&r.url),
                    query: rows(&r.parameters),
                    headers: h,
                    body: body_of(r.body.as_ref()),
                };
                let vars = vars_of(near, &self.envs);
                self.c.request(e, raw, &vars)?;
            }
        }
        Ok(())
    }
}

fn sort_key(r: &Resource) -> f64 {
    r.sort.unwrap_or(0.0)
}

/// The records of an Insomnia v4 export.
pub fn parse(text_in: &str, _opts: &Options) -> Result<Vec<Record>> {
    if text_in.trim_start().starts_with("type:") || text_in.contains("collection.insomnia.rest/5") {
        return Err(fail(
            Format::Insomnia,
            "it is an Insomnia v5 (YAML) export; export the collection again as Insomnia v4 \
             (JSON)",
        ));
    }
    check_json_values(Format::Insomnia, text_in)?;
    let export: Export =
        serde_json::from_str(text_in).map_err(|e| fail(Format::Insomnia, json_error(&e)))?;
    if export.kind.as_deref() != Some("export") || export.resources.is_none() {
        return Err(fail(
            Format::Insomnia,
            "it is not an Insomnia export (no _type \"export\" with resources)",
        ));
    }
    match export.format.as_ref().and_then(Value::as_i64) {
        Some(4) => {}
        Some(n) => {
            return Err(fail(
                Format::Insomnia,
                format!("it is an Insomnia v{n} export; Keywright reads v4 (export it again)"),
            ));
        }
        None => {
            return Err(fail(
                Format::Insomnia,
                "it has no __export_format; Keywright reads Insomnia v4 exports",
            ));
        }
    }
    let resources = export.resources.unwrap_or_default();
    if resources.len() > crate::limits::MAX_IMPORT_ENTRIES {
        return Err(super::too_many_entries(Format::Insomnia));
    }
    let mut children: HashMap<&str, Vec<&Resource>> = HashMap::new();
    let mut envs_of: HashMap<&str, Vec<&Resource>> = HashMap::new();
    for r in &resources {
        let Some(p) = r.parent.as_deref() else {
            continue;
        };
        match r.kind.as_str() {
            "request" | "request_group" => children.entry(p).or_default().push(r),
            "environment" => envs_of.entry(p).or_default().push(r),
            _ => {}
        }
    }
    for list in children.values_mut().chain(envs_of.values_mut()) {
        list.sort_by(|a, b| sort_key(a).total_cmp(&sort_key(b)));
    }
    let mut out: Vec<Record> = Vec::new();
    for ws in resources.iter().filter(|r| r.kind == "workspace") {
        let name = if ws.name.trim().is_empty() {
            "Insomnia workspace".to_owned()
        } else {
            ws.name.trim().to_owned()
        };
        // The base environment(s) and their sub-environments.
        let bases: Vec<&Resource> = envs_of.get(ws.id.as_str()).cloned().unwrap_or_default();
        let subs: Vec<&Resource> = bases
            .iter()
            .flat_map(|b| envs_of.get(b.id.as_str()).cloned().unwrap_or_default())
            .collect();
        let env_list: Vec<&Resource> = subs.iter().chain(bases.iter()).copied().collect();
        let scopes: Vec<Scope> = env_list
            .iter()
            .map(|e| {
                scope_of(
                    format!("environment {:?}", shown(e.name.trim())),
                    e.data.as_ref(),
                )
            })
            .collect();
        let mut w = Workspace {
            c: Collector::new(Format::Insomnia, Some(&name)),
            name: name.clone(),
            children: &children,
            envs: scopes.iter().collect(),
        };
        w.walk(&ws.id, &[], None, &[], &[])?;
        let mut c = w.c;
        for (e, s) in env_list.iter().zip(&scopes) {
            if !e.private {
                continue;
            }
            let mut vars: Vec<(&String, &Zeroizing<String>)> = s.vars.iter().collect();
            vars.sort_by(|a, b| a.0.cmp(b.0));
            for (k, v) in vars {
                c.secret_var(&s.label, e.name.trim(), k, v);
            }
        }
        out.extend(c.into_records());
    }
    if out.is_empty() {
        return Err(fail(
            Format::Insomnia,
            "no request or folder of it uses auth (API key, bearer, basic, OAuth2) and no \
             environment is private: nothing to import",
        ));
    }
    for (i, r) in out.iter_mut().enumerate() {
        r.position = i + 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Candidate, Source, parse as parse_any};
    use super::*;
    use crate::credential::{Grant, Kind, Placement};
    use crate::probe::input::BodyInput;

    fn run(v: &Value) -> Result<Vec<Record>> {
        let text = v.to_string();
        parse_any(
            Format::Insomnia,
            Source::Bytes(text.as_bytes()),
            &Options::default(),
        )
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

    /// An export in Insomnia's documented v4 shape.
    fn export() -> Value {
        serde_json::json!({
            "_type": "export", "__export_format": 4,
            "__export_date": "2025-01-01T00:00:00.000Z", "__export_source": "insomnia.desktop.app:v2023.5.8",
            "resources": [
                {"_id": "wrk_1", "_type": "workspace", "parentId": null, "name": "Orders API", "scope": "collection"},
                {"_id": "env_base", "_type": "environment", "parentId": "wrk_1", "name": "Base Environment",
                 "data": {"base": "https://orders.test", "token": "tok_base", "auth": {"user": "bob"}}},
                {"_id": "env_dev", "_type": "environment", "parentId": "env_base", "name": "Dev", "metaSortKey": 1,
                 "data": {"token": "tok_dev"}, "isPrivate": false},
                {"_id": "env_priv", "_type": "environment", "parentId": "env_base", "name": "Secrets", "metaSortKey": 2,
                 "data": {"STRIPE": "sk_test_abcdefghijklmnopqrstuvwx", "pw": "pw_bob"}, "isPrivate": true},
                {"_id": "fld_1", "_type": "request_group", "parentId": "wrk_1", "name": "Admin", "metaSortKey": 1,
                 "environment": {"area": "admin"},
                 "headers": [{"name": "X-Team", "value": "ops"}],
                 "authentication": {"type": "basic", "username": "{{ _.auth.user }}", "password": "{{ _.pw }}"}},
                {"_id": "req_1", "_type": "request", "parentId": "fld_1", "name": "Users", "metaSortKey": 1,
                 "method": "GET", "url": "{{ _.base }}/{{ _.area }}/users",
                 "parameters": [{"name": "page", "value": "2"}, {"name": "off", "value": "x", "disabled": true}],
                 "headers": [{"name": "Authorization", "value": "Basic stale"}],
                 "authentication": {}},
                {"_id": "req_2", "_type": "request", "parentId": "wrk_1", "name": "Me", "metaSortKey": 2,
                 "method": "POST", "url": "{{ _.base }}/me",
                 "body": {"mimeType": "application/json", "text": "{\"x\": 1}"},
                 "authentication": {"type": "bearer", "token": "{{ _.token }}", "prefix": ""}},
                {"_id": "req_3", "_type": "request", "parentId": "wrk_1", "name": "Key in query", "metaSortKey": 3,
                 "method": "GET", "url": "orders.test/q",
                 "authentication": {"type": "apikey", "key": "api_key", "value": "k_query", "addTo": "queryParams"}},
                {"_id": "req_4", "_type": "request", "parentId": "wrk_1", "name": "Token prefix", "metaSortKey": 4,
                 "method": "GET", "url": "{{ _.base }}/t",
                 "authentication": {"type": "bearer", "token": "abc", "prefix": "Token"}},
                {"_id": "req_5", "_type": "request", "parentId": "wrk_1", "name": "Chained", "metaSortKey": 5,
                 "method": "GET", "url": "{{ _.base }}/c",
                 "authentication": {"type": "bearer", "token": "{% response 'body', 'req_2', 'b64::JC50b2tlbg==::46b', 'never', 60 %}"}},
                {"_id": "req_6", "_type": "request", "parentId": "wrk_1", "name": "Off", "metaSortKey": 6,
                 "method": "GET", "url": "{{ _.base }}/o",
                 "authentication": {"type": "bearer", "token": "t_off", "disabled": true}},
                {"_id": "req_7", "_type": "request", "parentId": "wrk_1", "name": "OAuth", "metaSortKey": 7,
                 "method": "GET", "url": "{{ _.base }}/o2",
                 "authentication": {"type": "oauth2", "grantType": "client_credentials",
                    "accessTokenUrl": "https://auth.orders.test/token", "clientId": "orders-cli",
                    "clientSecret": "cs_1", "scope": "orders:read", "audience": "https://orders.test",
                    "credentialsInBody": true}},
                {"_id": "req_8", "_type": "request", "parentId": "fld_1", "name": "Upload", "metaSortKey": 2,
                 "method": "POST", "url": "{{ _.base }}/up",
                 "body": {"mimeType": "multipart/form-data", "params": []}},
                {"_id": "jar_1", "_type": "cookie_jar", "parentId": "wrk_1", "name": "Default Jar"}
            ]
        })
    }

    #[test]
    fn an_export_becomes_items_with_their_requests() {
        let recs = run(&export()).expect("parse");
        let basic = ok(&recs, "Orders API / Admin (folder auth)");
        assert_eq!(basic.item.kind, Kind::Basic);
        assert_eq!(basic.item.username.as_deref(), Some("bob"));
        assert_eq!(basic.item.secret.value, "pw_bob");
        assert_eq!(basic.item.tags, ["Orders API"]);
        let users = &basic.requests[0];
        assert_eq!(users.name, "Admin / Users");
        assert_eq!(users.request.url, "https://orders.test/admin/users?page=2");
        assert_eq!(
            users.request.headers,
            [("X-Team".to_owned(), "ops".to_owned())],
            "the folder's headers, not the credential's"
        );
        assert!(basic.hint.as_deref().expect("hint").contains("multipart"));

        let me = ok(&recs, "Orders API / Me (request auth)");
        assert_eq!(me.item.kind, Kind::Bearer);
        assert_eq!(
            me.item.secret.value, "tok_dev",
            "a sub-environment before the base"
        );
        assert_eq!(
            me.requests[0].request.body,
            BodyInput::Json {
                text: "{\"x\": 1}".into()
            }
        );
        let q = ok(&recs, "Orders API / Key in query");
        assert_eq!(
            q.item.placement,
            Some(Placement::Query {
                name: "api_key".into()
            })
        );
        assert_eq!(q.requests[0].request.url, "http://orders.test/q");
        let prefixed = ok(&recs, "Orders API / Token prefix");
        assert_eq!(prefixed.item.kind, Kind::ApiKey);
        assert_eq!(prefixed.item.secret.value, "Token abc");
        let reason = bad(&recs, "Orders API / Chained");
        assert!(reason.contains("template tag"), "{reason}");
        assert!(!recs.iter().any(|r| r.label.contains("/ Off")));
        let o = ok(&recs, "Orders API / OAuth");
        let cfg = o.item.oauth.as_ref().expect("oauth");
        assert_eq!(cfg.grant, Some(Grant::ClientCredentials));
        assert_eq!(cfg.audience.as_deref(), Some("https://orders.test"));
        assert_eq!(cfg.auth, crate::credential::ClientAuth::Post);
        // The private environment: its unused variable is an item (pw was used).
        let stripe = ok(&recs, "Secrets STRIPE");
        assert_eq!(stripe.item.name, "Secrets STRIPE");
        assert!(stripe.hint.as_deref().expect("hint").contains("Stripe"));
        assert!(!recs.iter().any(|r| r.label.starts_with("Secrets pw")));
        let positions: Vec<usize> = recs.iter().map(|r| r.position).collect();
        assert_eq!(positions, (1..=recs.len()).collect::<Vec<_>>());
    }

    #[test]
    fn wrong_files_get_a_clear_error() {
        for (v, want) in [
            (
                serde_json::json!({"_type": "export", "__export_format": 3, "resources": []}),
                "v3",
            ),
            (
                serde_json::json!({"_type": "export", "resources": []}),
                "__export_format",
            ),
            (serde_json::json!({"hello": 1}), "not an Insomnia export"),
            (
                serde_json::json!({"_type": "export", "__export_format": 4, "resources": [
                {"_id": "wrk", "_type": "workspace", "name": "W"}]}),
                "nothing to import",
            ),
        ] {
            let e = run(&v).expect_err(want);
            assert!(e.to_string().contains(want), "{v}: {e}");
        }
        let e = parse_any(
            Format::Insomnia,
            Source::Bytes(b"type: collection.insomnia.rest/5.0\nname: x\n"),
            &Options::default(),
        )
        .expect_err("v5");
        assert!(e.to_string().contains("v5"), "{e}");
        // A parent cycle is never reached from the workspace; a deep chain is refused.
        let mut res = vec![
            serde_json::json!({"_id": "wrk", "_type": "workspace", "name": "W"}),
            serde_json::json!({"_id": "a", "_type": "request_group", "parentId": "b", "name": "a"}),
            serde_json::json!({"_id": "b", "_type": "request_group", "parentId": "a", "name": "b"}),
        ];
        let mut parent = "wrk".to_owned();
        for i in 0..=MAX_IMPORT_DEPTH + 1 {
            res.push(serde_json::json!({"_id": format!("f{i}"), "_type": "request_group", "parentId": parent, "name": "f"}));
            parent = format!("f{i}");
        }
        let e =
            run(&serde_json::json!({"_type": "export", "__export_format": 4, "resources": res}))
                .expect_err("deep");
        assert!(e.to_string().contains("nested"), "{e}");
    }
}
