//! `keywright import postman|bruno|insomnia` end to end: collections written here are first
//! run by the REAL clients (Postman's `newman`, Bruno's `bru`, from tests/clients) against
//! a real httpbin, which proves they are real collections that authenticate; then imported
//! through the CLI binary, and their saved requests sent by `keywright request --saved`
//! against the same httpbin with the imported credentials attached. Insomnia has no CLI
//! that runs here: its export is written from the documented v4 structure.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::common::Cli;
use crate::probe::Httpbin;

const SCHEMA: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";
const BEARER: &str = "tok_kw_e2e_bearer_41";
const API_KEY: &str = "key_kw_e2e_9f3b2";
const USER: &str = "kwuser";
const PASS: &str = "kw-pass-e2e-77";

/// A client's CLI from tests/clients/node_modules.
fn client(bin: &str) -> Command {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("clients/node_modules/.bin")
        .join(bin);
    assert!(
        path.exists(),
        "{} is missing: run scripts/install-deps.sh (npm ci in tests/clients)",
        path.display()
    );
    Command::new(path)
}

fn run_ok(mut c: Command, what: &str) -> String {
    let out = c.output().unwrap_or_else(|e| panic!("start {what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

fn names(cli: &Cli) -> Vec<String> {
    let mut n: Vec<String> = cli
        .ok(&["list"], "")
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect();
    n.sort();
    n
}

fn row<'a>(v: &'a Value, label_start: &str) -> &'a Value {
    v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| {
            r["label"]
                .as_str()
                .is_some_and(|l| l.starts_with(label_start))
        })
        .unwrap_or_else(|| panic!("no row {label_start}: {v}"))
}

/// Send an item's saved request; the parsed `request --json --body` output.
fn send_saved(cli: &Cli, item: &str, saved: &str) -> Value {
    let v = cli.ok(&["request", item, "--saved", saved, "--body"], "");
    assert_eq!(v["status"], 200, "{item} / {saved}: {v}");
    assert_eq!(v["ok"], true, "{v}");
    v
}

fn body_of(v: &Value) -> Value {
    serde_json::from_str(v["body"].as_str().expect("body")).expect("json body")
}

/// A Postman collection (v2.1) whose tests check what httpbin saw: a bearer token at the
/// collection level, basic auth on a folder (a nested request inherits it), an API key in
/// a header on one request, `noauth` on another.
fn postman_collection(dir: &Path) -> PathBuf {
    let test = |lines: &[&str]| json!([{"listen": "test", "script": {"type": "text/javascript", "exec": lines}}]);
    let coll = json!({
        "info": {"_postman_id": "6f0c1c1e-0000-4000-8000-000000000001", "name": "Shop API", "schema": SCHEMA},
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
        "variable": [{"key": "user", "value": USER, "type": "string"}],
        "item": [
            {"name": "Who am I", "request": {"method": "GET", "header": [],
                "url": {"raw": "{{baseUrl}}/bearer", "host": ["{{baseUrl}}"], "path": ["bearer"]}},
             "event": test(&["pm.test('bearer', () => { pm.response.to.have.status(200);",
                            &format!("pm.expect(pm.response.json().token).to.eql('{BEARER}'); }});")])},
            {"name": "Admin", "auth": {"type": "basic", "basic": [
                    {"key": "username", "value": "{{user}}", "type": "string"},
                    {"key": "password", "value": "{{pass}}", "type": "string"}]},
             "item": [{"name": "Accounts", "item": [
                {"name": "Login", "request": {"method": "GET", "header": [],
                    "url": {"raw": format!("{{{{baseUrl}}}}/basic-auth/{USER}/{PASS}"), "host": ["{{baseUrl}}"],
                            "path": ["basic-auth", USER, PASS]}},
                 "event": test(&["pm.test('basic', () => pm.response.to.have.status(200));"])}
             ]}]},
            {"name": "Echo", "request": {"method": "POST",
                "auth": {"type": "apikey", "apikey": [
                    {"key": "key", "value": "X-API-Key", "type": "string"},
                    {"key": "value", "value": "{{apiKey}}", "type": "string"},
                    {"key": "in", "value": "header", "type": "string"}]},
                "header": [{"key": "X-Trace", "value": "pm-7"}],
                "body": {"mode": "raw", "raw": "{\"order\": 42}", "options": {"raw": {"language": "json"}}},
                "url": "{{baseUrl}}/anything/orders"},
             "event": test(&["pm.test('key', () => {",
                            &format!("pm.expect(pm.response.json().headers['X-Api-Key']).to.eql('{API_KEY}');"),
                            "pm.expect(pm.response.json().json).to.eql({order: 42}); });"])},
            {"name": "Public", "request": {"method": "GET", "auth": {"type": "noauth"},
                "url": "{{baseUrl}}/get"},
             "event": test(&["pm.test('public', () => pm.response.to.have.status(200));"])}
        ]
    });
    let path = dir.join("shop.postman_collection.json");
    std::fs::write(&path, serde_json::to_string_pretty(&coll).expect("json")).expect("write");
    path
}

/// A Postman environment export with its secrets typed `secret`.
fn postman_env(path: &Path, base: &str) {
    let env = json!({
        "id": "0d7f4d8e-0000-4000-8000-000000000002", "name": "Local",
        "values": [
            {"key": "baseUrl", "value": base, "type": "default", "enabled": true},
            {"key": "token", "value": BEARER, "type": "secret", "enabled": true},
            {"key": "pass", "value": PASS, "type": "secret", "enabled": true},
            {"key": "apiKey", "value": API_KEY, "type": "secret", "enabled": true},
            {"key": "webhookSecret", "value": "whsec_kw_e2e_unused", "type": "secret", "enabled": true}
        ],
        "_postman_variable_scope": "environment",
        "_postman_exported_at": "2025-01-01T00:00:00.000Z",
        "_postman_exported_using": "Postman/11.0.0"
    });
    std::fs::write(path, serde_json::to_string_pretty(&env).expect("json")).expect("write");
}

#[test]
fn a_postman_collection_runs_in_newman_then_imports_with_requests_that_send() {
    let hb = Httpbin::start();
    let cli = Cli::new();
    cli.init();
    let dir = cli.dir.path().join("postman");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let coll = postman_collection(&dir);
    let env = dir.join("Local.postman_environment.json");
    postman_env(&env, &hb.url(""));

    // The real Postman runner passes every test against httpbin.
    let mut newman = client("newman");
    newman
        .arg("run")
        .arg(&coll)
        .arg("-e")
        .arg(&env)
        .args(["--reporters", "cli", "--color", "off"]);
    let out = run_ok(newman, "newman run");
    assert!(out.contains("Who am I") && out.contains("Login"), "{out}");

    // Imported, with the environment found beside the collection.
    let c = coll.to_str().expect("path");
    let dry = cli.ok(&["import", "postman", c, "--dry-run"], "");
    assert_eq!(dry["format"], "postman");
    assert_eq!(dry["new"], 4, "{dry}");
    assert_eq!(dry["invalid"], 0, "{dry}");
    let bearer = row(&dry, "Shop API (collection auth)");
    assert_eq!(bearer["kind"], "bearer");
    assert_eq!(bearer["name"], "Shop API bearer token");
    assert_eq!(bearer["requests"], 1);
    assert_eq!(bearer["tags"], json!(["Shop API"]));
    let basic = row(&dry, "Shop API / Admin (folder auth)");
    assert_eq!(basic["kind"], "basic");
    assert_eq!(basic["account"], USER);
    assert_eq!(basic["requests"], 1);
    let key = row(&dry, "Shop API / Echo (request auth)");
    assert_eq!(
        (key["kind"].as_str(), key["requests"].as_u64()),
        (Some("api_key"), Some(1))
    );
    let spare = row(&dry, "Local webhookSecret (secret variable)");
    assert_eq!(spare["name"], "Local webhookSecret");
    for secret in [BEARER, API_KEY, PASS, "whsec_kw_e2e_unused"] {
        assert!(
            !dry.to_string().contains(secret),
            "the preview shows no secret"
        );
    }
    assert!(names(&cli).is_empty());

    let done = cli.ok(&["import", "postman", c], "");
    assert_eq!(done["added"], 4, "{done}");
    assert_eq!(
        names(&cli),
        [
            "Admin basic auth",
            "Echo API key",
            "Local webhookSecret",
            "Shop API bearer token"
        ]
    );
    let show = cli.ok(&["show", "Echo API key"], "");
    assert_eq!(
        show["placement"],
        json!({"in": "header", "name": "X-API-Key"}),
        "{show}"
    );
    let saved = cli.ok(&["saved", "Admin basic auth"], "");
    assert_eq!(saved[0]["name"], "Admin / Accounts / Login");
    assert_eq!(saved[0]["method"], "GET");
    let saved = cli.ok(&["saved", "Echo API key"], "");
    assert_eq!(
        saved[0]["headers"],
        json!(["X-Trace"]),
        "the API key's header is the item's, not the saved request's: {saved}"
    );

    // The saved requests send, with the imported credentials attached.
    let v = send_saved(&cli, "Shop API bearer token", "Who am I");
    assert_eq!(body_of(&v)["authenticated"], true);
    let v = cli.ok(
        &[
            "request",
            "Shop API bearer token",
            "--saved",
            "Who am I",
            "--body",
            "--show-secrets",
        ],
        "",
    );
    assert_eq!(body_of(&v)["token"], BEARER);
    send_saved(&cli, "Admin basic auth", "Admin / Accounts / Login");
    let v = send_saved(&cli, "Echo API key", "Echo");
    let body = body_of(&v);
    assert_eq!(body["method"], "POST");
    assert_eq!(body["json"], json!({"order": 42}));
    assert_eq!(body["headers"]["X-Trace"], "pm-7");
    assert_eq!(
        body["headers"]["X-Api-Key"], "[redacted]",
        "attached: {body}"
    );

    // Imported again: the same credentials, nothing new.
    let again = cli.ok(&["import", "postman", c], "");
    assert_eq!(
        (again["added"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(4))
    );

    // The environment on its own: its secrets (all duplicates of what the vault has now,
    // but the basic-auth password, which is an API key of its own there).
    let other = Cli::new();
    other.init();
    let v = other.ok(&["import", "postman", env.to_str().expect("path")], "");
    assert_eq!(v["added"], 4, "{v}");
    assert!(names(&other).contains(&"Local token".to_owned()));
}

#[test]
fn postman_environments_given_with_env_and_unresolved_variables() {
    let hb = Httpbin::start();
    let cli = Cli::new();
    cli.init();
    let dir = cli.dir.path().join("pm");
    let envs = cli.dir.path().join("envs");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::create_dir_all(&envs).expect("mkdir");
    let coll = postman_collection(&dir);
    let c = coll.to_str().expect("path");
    // No environment: every credential names the variable it misses; nothing saved.
    let v = cli.ok(&["import", "postman", c], "");
    assert_eq!(v["added"], 0, "{v}");
    let reason = row(&v, "Shop API (collection auth)")["reason"]
        .as_str()
        .expect("reason")
        .to_owned();
    assert!(reason.contains("{{token}}"), "{reason}");
    assert!(
        row(&v, "Shop API / Admin")["reason"]
            .as_str()
            .is_some_and(|r| r.contains("{{pass}}"))
    );

    // Given with --env (not beside the collection).
    let env = envs.join("env.json");
    postman_env(&env, &hb.url(""));
    let e = env.to_str().expect("path");
    let v = cli.ok(&["import", "postman", c, "--env", e], "");
    assert_eq!(v["added"], 4, "{v}");
    send_saved(&cli, "Admin basic auth", "Admin / Accounts / Login");
    let msg = cli.err(&["import", "bruno", c, "--env", e], "", "invalid_input");
    assert!(msg.contains("--env"), "{msg}");
}

/// A Bruno collection folder: bearer at the collection level from the environment, basic
/// auth on a folder, an API key from the collection's `.env`, a secret variable whose value
/// Bruno keeps out of the files.
fn bruno_collection(root: &Path, base: &str) {
    let w = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    w(
        "bruno.json",
        "{\n  \"version\": \"1\",\n  \"name\": \"Billing API\",\n  \"type\": \"collection\",\n  \"ignore\": [\"node_modules\", \".git\"]\n}\n",
    );
    w(
        "collection.bru",
        "auth {\n  mode: bearer\n}\n\nauth:bearer {\n  token: {{token}}\n}\n",
    );
    w(
        "environments/Local.bru",
        &format!(
            "vars {{\n  baseUrl: {base}\n  token: {BEARER}\n  user: {USER}\n  pass: {PASS}\n}}\nvars:secret [\n  sessionToken\n]\n"
        ),
    );
    w(".env", &format!("API_KEY={API_KEY}\n"));
    w(
        "Who am I.bru",
        &format!(
            "meta {{\n  name: Who am I\n  type: http\n  seq: 1\n}}\n\nget {{\n  url: {{{{baseUrl}}}}/bearer\n  body: none\n  auth: inherit\n}}\n\nassert {{\n  res.status: eq 200\n  res.body.token: eq {BEARER}\n}}\n"
        ),
    );
    w(
        "Echo.bru",
        "meta {\n  name: Echo\n  type: http\n  seq: 2\n}\n\npost {\n  url: {{baseUrl}}/anything/invoices\n  body: json\n  auth: apikey\n}\n\nheaders {\n  X-Trace: bru-9\n}\n\nauth:apikey {\n  key: X-API-Key\n  value: {{process.env.API_KEY}}\n  placement: header\n}\n\nbody:json {\n  {\n    \"invoice\": 7\n  }\n}\n\nassert {\n  res.status: eq 200\n  res.body.json.invoice: eq 7\n}\n",
    );
    w(
        "Session.bru",
        "meta {\n  name: Session\n  type: http\n  seq: 3\n}\n\nget {\n  url: {{baseUrl}}/bearer\n  body: none\n  auth: bearer\n}\n\nauth:bearer {\n  token: {{sessionToken}}\n}\n\nassert {\n  res.status: eq 200\n}\n",
    );
    w(
        "Admin/folder.bru",
        "meta {\n  name: Admin\n  seq: 1\n}\n\nauth {\n  mode: basic\n}\n\nauth:basic {\n  username: {{user}}\n  password: {{pass}}\n}\n",
    );
    w(
        "Admin/Login.bru",
        &format!(
            "meta {{\n  name: Login\n  type: http\n  seq: 1\n}}\n\nget {{\n  url: {{{{baseUrl}}}}/basic-auth/{USER}/{PASS}\n  body: none\n  auth: inherit\n}}\n\nassert {{\n  res.status: eq 200\n}}\n"
        ),
    );
}

#[test]
fn a_bruno_collection_runs_in_bru_then_imports_with_requests_that_send() {
    let hb = Httpbin::start();
    let cli = Cli::new();
    cli.init();
    let root = cli.dir.path().join("billing");
    bruno_collection(&root, &hb.url(""));

    // The real Bruno CLI passes every assertion (the secret variable given as Bruno's
    // users give it: on the command line).
    let mut bru = client("bru");
    bru.current_dir(&root).args([
        "run",
        "--env",
        "Local",
        "--env-var",
        "sessionToken=tok_session_e2e",
    ]);
    let out = run_ok(bru, "bru run");
    assert!(out.contains("Who am I") && out.contains("Login"), "{out}");

    let f = root.to_str().expect("path");
    let v = cli.ok(&["import", "bruno", f], "");
    assert_eq!(v["format"], "bruno");
    assert_eq!(
        (v["added"].as_u64(), v["invalid"].as_u64()),
        (Some(3), Some(1)),
        "{v}"
    );
    let session = row(&v, "Billing API / Session (request auth)");
    assert!(
        session["reason"]
            .as_str()
            .is_some_and(|r| r.contains("{{sessionToken}}") && r.contains("secret variable")),
        "{session}"
    );
    assert_eq!(row(&v, "Billing API (collection auth)")["kind"], "bearer");
    assert_eq!(
        row(&v, "Billing API / Admin (folder auth)")["kind"],
        "basic"
    );
    assert_eq!(
        names(&cli),
        [
            "Admin basic auth",
            "Billing API bearer token",
            "Echo API key"
        ]
    );
    assert!(!v.to_string().contains(API_KEY) && !v.to_string().contains(PASS));

    let v = cli.ok(
        &[
            "request",
            "Billing API bearer token",
            "--saved",
            "Who am I",
            "--body",
            "--show-secrets",
        ],
        "",
    );
    assert_eq!(v["status"], 200, "{v}");
    assert_eq!(body_of(&v)["token"], BEARER);
    send_saved(&cli, "Admin basic auth", "Admin / Login");
    let v = send_saved(&cli, "Echo API key", "Echo");
    let body = body_of(&v);
    assert_eq!(body["json"], json!({"invoice": 7}));
    assert_eq!(body["headers"]["X-Trace"], "bru-9");
    assert_eq!(body["headers"]["X-Api-Key"], "[redacted]", "{body}");

    // A folder that is not a collection.
    let empty = cli.dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let msg = cli.err(
        &["import", "bruno", empty.to_str().expect("path")],
        "",
        "import_failed",
    );
    assert!(msg.contains("bruno.json"), "{msg}");
}

/// Insomnia's CLI (inso) does not run here: the export is written from Insomnia's
/// documented v4 structure, and its saved request is sent against httpbin.
#[test]
fn an_insomnia_export_imports_with_requests_that_send() {
    let hb = Httpbin::start();
    let cli = Cli::new();
    cli.init();
    let export = json!({
        "_type": "export", "__export_format": 4, "__export_date": "2025-01-01T00:00:00.000Z",
        "__export_source": "insomnia.desktop.app:v2023.5.8",
        "resources": [
            {"_id": "wrk_e2e", "_type": "workspace", "parentId": null, "name": "Orders API", "scope": "collection"},
            {"_id": "env_base", "_type": "environment", "parentId": "wrk_e2e", "name": "Base Environment",
             "data": {"base": hb.url(""), "user": USER}},
            {"_id": "env_priv", "_type": "environment", "parentId": "env_base", "name": "Private",
             "data": {"pass": PASS}, "isPrivate": true},
            {"_id": "fld_admin", "_type": "request_group", "parentId": "wrk_e2e", "name": "Admin",
             "authentication": {"type": "basic", "username": "{{ _.user }}", "password": "{{ _.pass }}"}},
            {"_id": "req_login", "_type": "request", "parentId": "fld_admin", "name": "Login",
             "method": "GET", "url": format!("{{{{ _.base }}}}/basic-auth/{USER}/{PASS}"),
             "headers": [], "authentication": {}},
            {"_id": "req_me", "_type": "request", "parentId": "wrk_e2e", "name": "Me",
             "method": "GET", "url": "{{ _.base }}/bearer",
             "authentication": {"type": "bearer", "token": BEARER, "prefix": ""}}
        ]
    });
    let file = cli.dir.path().join("insomnia.json");
    std::fs::write(&file, export.to_string()).expect("write");
    let v = cli.ok(&["import", "insomnia", file.to_str().expect("path")], "");
    assert_eq!(v["added"], 2, "{v}");
    assert_eq!(row(&v, "Orders API / Admin (folder auth)")["kind"], "basic");
    send_saved(&cli, "Admin basic auth", "Admin / Login");
    let v = send_saved(&cli, "Me bearer token", "Me");
    assert_eq!(body_of(&v)["authenticated"], true);
}
