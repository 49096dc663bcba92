//! What the API-client imports (Postman, Bruno, Insomnia) share: an auth block as the
//! collection writes it, `{{variables}}` resolved from the collection's scopes, and the
//! [`Collector`] that turns auth blocks into items (one per distinct credential) and the
//! requests that use them into saved requests.
//!
//! - Each auth block (collection, folder or request level) gives one record: the item, or
//!   why it cannot be imported (an unsupported kind, a variable nothing defines — never is
//!   `{{token}}` kept as a secret). Blocks that give the same credential are one item.
//! - A request goes to the credential it uses or inherits; its URL, headers and body are
//!   resolved from the variables; the header the credential sets (`Authorization`, the API
//!   key's) is left out (the item attaches it). A request that cannot be saved (a variable
//!   nothing defines, a multipart or file body) is named in the item's hint.
//! - Environment variables kept as secrets (Postman's `secret` type, Insomnia's private
//!   environments) become API-key items named `<environment> <VAR>`, unless a credential
//!   of the import already uses them.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{Candidate, Format, Record, SavedDraft, add_tags, kind_of_value, reason_of};
use crate::credential::{ClientAuth, Grant, Kind, MAX_NAME_LEN, MAX_TAG_LEN, NewItem};
use crate::credential::{OAuthConfig, Placement, is_bidi_control};
use crate::limits::{MAX_IMPORT_ENTRIES, MAX_JSON_VALUES, MAX_TEMPLATE_BYTES, MAX_TEMPLATE_DEPTH};
use crate::probe::input::{BodyInput, RequestInput};
use crate::vault::requests::{MAX_SAVED, MAX_SAVED_NAME};

/// Requests named in a hint; the rest are counted.
const NAMED_IN_HINT: usize = 5;

/// Whose `{{…}}` syntax a collection uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `{{name}}`; `{{$guid}}` and friends are made up per request.
    Postman,
    /// `{{name}}`, and `{{process.env.NAME}}` from the collection's `.env`.
    Bruno,
    /// Nunjucks: `{{ _.name }}`, `{{ name }}`, `{{ _.a.b }}`; `{% tag %}` runs code.
    Insomnia,
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Header,
    Query,
    Cookie,
}

/// An OAuth2 client as a collection writes it (values may hold variables).
#[derive(Default)]
pub struct OAuth2Spec {
    /// `client_credentials`, `authorization_code`, `password`, … as the tool spells it.
    pub grant: String,
    pub token_url: String,
    pub auth_url: String,
    pub client_id: String,
    pub client_secret: Zeroizing<String>,
    pub scope: String,
    pub audience: String,
    /// The client's credentials go in the token request's body (`client_secret_post`).
    pub credentials_in_body: bool,
    /// A token the tool already holds, kept with the client when it resolves.
    pub access_token: Zeroizing<String>,
    pub refresh_token: Zeroizing<String>,
}

/// An auth block as the collection writes it. No `Debug`: it holds secrets.
pub enum AuthSpec {
    ApiKey {
        key: String,
        value: Zeroizing<String>,
        place: Place,
    },
    Bearer {
        token: Zeroizing<String>,
        /// Insomnia's prefix (`Bearer` when empty).
        prefix: String,
    },
    Basic {
        username: String,
        password: Zeroizing<String>,
    },
    OAuth2(Box<OAuth2Spec>),
    /// A kind Keywright does not hold (digest, AWS signature, OAuth 1, …), by its name.
    Other(String),
}

/// What a collection, folder or request says about auth.
pub enum Scheme {
    /// Its parent's (a request or folder without an auth block of its own).
    Inherit,
    /// Explicitly none.
    None,
    Auth(AuthSpec),
}

/// A request's body as written.
pub enum RawBody {
    None,
    /// JSON text (kept raw, with `Content-Type: application/json`, if it does not parse).
    Json(String),
    Text {
        text: String,
        content_type: Option<String>,
    },
    Form(Vec<(String, String)>),
    GraphQl {
        query: String,
        variables: String,
    },
    /// A body a saved request cannot hold (multipart form, file), by what it is.
    Unsupported(String),
}

/// A request as written (values may hold variables).
pub struct RawRequest {
    /// Folder path and name: `Admin / Login`.
    pub name: String,
    pub method: String,
    pub url: String,
    /// Query parameters kept apart from the URL (Insomnia), appended to it.
    pub query: Vec<(String, String)>,
    /// Enabled headers, in order.
    pub headers: Vec<(String, String)>,
    pub body: RawBody,
}

/// Variables of one scope: collection variables, an environment, a folder's, a `.env`.
#[derive(Default)]
pub struct Scope {
    /// How messages name it: `environment "Local"`, `the collection's variables`.
    pub label: String,
    pub vars: HashMap<String, Zeroizing<String>>,
    /// Names declared secret whose value the file does not hold (Bruno's `vars:secret`).
    pub secret_names: HashSet<String>,
    /// Bruno's `.env`: read by `{{process.env.NAME}}` only.
    pub process_env: bool,
}

impl Scope {
    pub fn new(label: impl Into<String>) -> Self {
        Scope {
            label: label.into(),
            ..Scope::default()
        }
    }
}

/// The scopes a value is resolved in, nearest first.
pub struct Vars<'a> {
    pub dialect: Dialect,
    pub scopes: Vec<&'a Scope>,
}

/// A variable a credential used: which scope, which name.
type Used = Vec<(String, String)>;

/// A JSON error without the offending value (serde_json quotes values, which may be
/// secrets): the kind of problem and where.
pub fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Eof => "the JSON ends early (the file is truncated)".into(),
        Category::Syntax => format!("it is not valid JSON ({at})"),
        Category::Data => format!("its JSON does not have the expected structure ({at})"),
        Category::Io => "it could not be read".into(),
    }
}

/// Refuse JSON text with more than [`MAX_JSON_VALUES`] values before it is parsed (each
/// costs memory once parsed, whatever its few bytes in the file).
pub fn check_json_values(format: Format, text: &str) -> crate::error::Result<()> {
    let mut count = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' | b',' => count += 1,
            _ => {}
        }
    }
    if count > MAX_JSON_VALUES {
        return Err(super::fail(
            format,
            format!(
                "it holds more than {MAX_JSON_VALUES} JSON values, far more than any real \
                 export; Keywright does not read it"
            ),
        ));
    }
    Ok(())
}

/// `s` fit for a message: control characters as `?`, at most 60 characters.
pub fn shown(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(60)
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                '?'
            } else {
                c
            }
        })
        .collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// A name fit for an item, a tag or a saved request: control characters and bidirectional
/// overrides as spaces, white space collapsed, at most `max` characters.
pub fn clean_name(s: &str, max: usize) -> String {
    let spaced: String = s
        .chars()
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    spaced
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

impl Vars<'_> {
    /// `text` with its variables replaced; the error says which variable (in `field`) does
    /// not resolve, and why. Variables found are added to `used`.
    pub fn resolve(
        &self,
        field: &str,
        text: &str,
        used: &mut Used,
    ) -> std::result::Result<Zeroizing<String>, String> {
        let mut out = Zeroizing::new(String::with_capacity(text.len().min(4096)));
        self.expand(field, text, 0, &mut out, used)?;
        Ok(out)
    }

    fn expand(
        &self,
        field: &str,
        text: &str,
        depth: usize,
        out: &mut String,
        used: &mut Used,
    ) -> std::result::Result<(), String> {
        let mut rest = text;
        loop {
            let open = rest.find("{{");
            let tag = if self.dialect == Dialect::Insomnia {
                rest.find("{%")
            } else {
                None
            };
            if let Some(t) = tag
                && open.is_none_or(|o| t < o)
            {
                return Err(format!(
                    "{field} uses an Insomnia template tag ({}), which only Insomnia can run",
                    shown(rest[t..].split("%}").next().unwrap_or_default())
                ));
            }
            let Some(o) = open else {
                out.push_str(rest);
                break;
            };
            out.push_str(&rest[..o]);
            let after = &rest[o + 2..];
            let Some(close) = after.find("}}") else {
                // Not a variable: kept as written.
                out.push_str(&rest[o..]);
                break;
            };
            let inner = after[..close].trim();
            rest = &after[close + 2..];
            let (name, process_env) = self.name_of(inner);
            match self.lookup(name, process_env) {
                Lookup::Found(scope, value) => {
                    if depth >= MAX_TEMPLATE_DEPTH {
                        return Err(format!(
                            "{field} uses {{{{{}}}}}, whose variables refer to each other \
                             more than {MAX_TEMPLATE_DEPTH} deep (a loop?)",
                            shown(inner)
                        ));
                    }
                    used.push((scope.to_owned(), name.to_owned()));
                    self.expand(field, value, depth + 1, out, used)?;
                }
                Lookup::SecretElsewhere(scope) => {
                    return Err(format!(
                        "{field} uses {{{{{}}}}}, a secret variable of {scope}: Bruno keeps its \
                         value on the computer it was set on, not in the collection (add it \
                         with keywright add)",
                        shown(inner)
                    ));
                }
                Lookup::Missing => return Err(self.unresolved(field, inner, process_env)),
            }
            if out.len() > MAX_TEMPLATE_BYTES {
                return Err(format!(
                    "{field} expands to more than {} MiB through its variables",
                    MAX_TEMPLATE_BYTES >> 20
                ));
            }
        }
        if out.len() > MAX_TEMPLATE_BYTES {
            return Err(format!(
                "{field} expands to more than {} MiB through its variables",
                MAX_TEMPLATE_BYTES >> 20
            ));
        }
        Ok(())
    }

    /// The variable's name in its scopes, and whether it is Bruno's `process.env.NAME`.
    fn name_of<'t>(&self, inner: &'t str) -> (&'t str, bool) {
        match self.dialect {
            Dialect::Bruno => match inner.strip_prefix("process.env.") {
                Some(n) => (n, true),
                None => (inner, false),
            },
            Dialect::Insomnia => (inner.strip_prefix("_.").unwrap_or(inner).trim(), false),
            Dialect::Postman => (inner, false),
        }
    }

    fn lookup(&self, name: &str, process_env: bool) -> Lookup<'_> {
        for s in &self.scopes {
            if s.process_env != process_env {
                continue;
            }
            if let Some(v) = s.vars.get(name) {
                return Lookup::Found(&s.label, v);
            }
            if s.secret_names.contains(name) {
                return Lookup::SecretElsewhere(&s.label);
            }
        }
        Lookup::Missing
    }

    fn unresolved(&self, field: &str, inner: &str, process_env: bool) -> String {
        let var = shown(inner);
        if self.dialect == Dialect::Postman && inner.starts_with('$') {
            return format!(
                "{field} uses {{{{{var}}}}}, a value Postman makes up for each request"
            );
        }
        if process_env {
            return format!(
                "{field} uses {{{{{var}}}}}, which the collection's .env file does not define"
            );
        }
        let envs = self
            .scopes
            .iter()
            .filter(|s| s.label.starts_with("environment"))
            .count();
        format!(
            "{field} uses {{{{{var}}}}}, which nothing defines (no variable of the collection{})",
            if envs == 0 {
                ", and no environment was found beside it"
            } else {
                " or of its environments"
            }
        )
    }
}

enum Lookup<'a> {
    Found(&'a str, &'a str),
    SecretElsewhere(&'a str),
    Missing,
}

/// An item being made from the collection, with the requests that use it.
struct Cred {
    label: String,
    item: NewItem,
    hints: Vec<String>,
    drafts: Vec<SavedDraft>,
    /// Requests not saved: `"name" (why)`.
    dropped: Vec<String>,
    /// Requests beyond the most one item keeps.
    over: usize,
    /// The origin of its first saved request (the item's URL when it has none).
    origin: Option<String>,
}

enum Entry {
    Cred(Box<Cred>),
    Invalid { label: String, reason: String },
}

/// Collects the records of one import: credentials (deduplicated), their requests, invalid
/// auth blocks and secret variables.
pub struct Collector {
    format: Format,
    tag: Option<String>,
    entries: Vec<Entry>,
    ids: HashMap<[u8; 32], usize>,
    /// (scope, variable) pairs a credential took its value from.
    consumed: HashSet<(String, String)>,
    requests: usize,
}

/// The name of a kind in item names: `Shop API bearer token`.
fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::ApiKey => "API key",
        Kind::Bearer => "bearer token",
        Kind::Basic => "basic auth",
        Kind::Oauth2 => "OAuth2 client",
        Kind::Totp => "2FA",
    }
}

/// The grant a tool's grant type maps to, or why Keywright cannot use it.
fn grant_of(name: &str) -> std::result::Result<Grant, String> {
    let n = name.trim().to_ascii_lowercase().replace('-', "_");
    match n.as_str() {
        "client_credentials" => Ok(Grant::ClientCredentials),
        // Postman's default when none is written.
        "" | "authorization_code" | "authorization_code_with_pkce" | "code" => {
            Ok(Grant::AuthorizationCode)
        }
        "device_code" | "urn:ietf:params:oauth:grant_type:device_code" => Ok(Grant::DeviceCode),
        "password" | "password_credentials" => Err(
            "is an OAuth2 client with the password grant, which Keywright does not use (it \
             gets tokens with client credentials, a browser login or a device code)"
                .into(),
        ),
        "implicit" => Err(
            "is an OAuth2 client with the implicit grant, which Keywright does not use (it \
             gets tokens with client credentials, a browser login or a device code)"
                .into(),
        ),
        other => Err(format!(
            "is an OAuth2 client with the grant {:?}, which Keywright does not know",
            shown(other)
        )),
    }
}

/// The header a credential sets, which a saved request leaves to the item.
fn auth_header(item: &NewItem) -> Option<String> {
    match (item.kind, &item.placement) {
        (Kind::ApiKey, Some(Placement::Header { name })) => Some(name.clone()),
        (Kind::ApiKey, Some(Placement::Query { .. })) => None,
        _ => Some("Authorization".into()),
    }
}

impl Collector {
    /// A collector for `format`; `tag` (the collection's name) goes on every item.
    pub fn new(format: Format, tag: Option<&str>) -> Self {
        Collector {
            format,
            tag: tag
                .map(|t| clean_name(t, MAX_TAG_LEN))
                .filter(|t| !t.is_empty()),
            entries: Vec::new(),
            ids: HashMap::new(),
            consumed: HashSet::new(),
            requests: 0,
        }
    }

    /// A record that cannot be imported, and why.
    pub fn invalid(&mut self, label: impl Into<String>, reason: impl Into<String>) {
        self.entries.push(Entry::Invalid {
            label: label.into(),
            reason: reason.into(),
        });
    }

    /// The item an auth block gives, named `name` (`label` names its record): its entry,
    /// or `None` when the block is recorded as invalid. The same credential twice is one
    /// entry.
    pub fn credential(
        &mut self,
        label: &str,
        name: &str,
        auth: &AuthSpec,
        vars: &Vars<'_>,
    ) -> Option<usize> {
        let mut used = Vec::new();
        match self.make_item(name, auth, vars, &mut used) {
            Ok((item, hints)) => {
                self.consumed.extend(used);
                Some(self.add(label, item, hints))
            }
            Err(reason) => {
                self.invalid(label, reason);
                None
            }
        }
    }

    /// Add an item (or find the same credential already added): its entry.
    fn add(&mut self, label: &str, item: NewItem, hints: Vec<String>) -> usize {
        let id = identity(&item);
        if let Some(&i) = self.ids.get(&id) {
            return i;
        }
        let i = self.entries.len();
        self.entries.push(Entry::Cred(Box::new(Cred {
            label: label.to_owned(),
            item,
            hints,
            drafts: Vec::new(),
            dropped: Vec::new(),
            over: 0,
            origin: None,
        })));
        self.ids.insert(id, i);
        i
    }

    fn make_item(
        &self,
        name: &str,
        auth: &AuthSpec,
        vars: &Vars<'_>,
        used: &mut Used,
    ) -> std::result::Result<(NewItem, Vec<String>), String> {
        let name = clean_name(name, MAX_NAME_LEN - 16);
        let mut hints = Vec::new();
        let item = match auth {
            AuthSpec::ApiKey { key, value, place } => {
                let key = vars.resolve("the API key's name", key, used)?;
                let key = key.trim();
                let value = vars.resolve("the API key", value, used)?;
                if key.is_empty() {
                    return Err(
                        "is an API key without a name (the header or query parameter it goes \
                         in)"
                        .into(),
                    );
                }
                match place {
                    Place::Header
                        if key.eq_ignore_ascii_case("authorization")
                            && value
                                .trim()
                                .get(..7)
                                .is_some_and(|p| p.eq_ignore_ascii_case("bearer ")) =>
                    {
                        let token = value.trim().get(7..).unwrap_or_default().trim();
                        NewItem::new(
                            Kind::Bearer,
                            format!("{name} {}", kind_label(Kind::Bearer)),
                            token,
                        )
                    }
                    Place::Header | Place::Query => {
                        let mut item = NewItem::new(
                            Kind::ApiKey,
                            format!("{name} {}", kind_label(Kind::ApiKey)),
                            value.as_str(),
                        );
                        item.placement = Some(if *place == Place::Header {
                            Placement::Header {
                                name: key.to_owned(),
                            }
                        } else {
                            Placement::Query {
                                name: key.to_owned(),
                            }
                        });
                        item
                    }
                    Place::Cookie => {
                        let cookie = Zeroizing::new(format!("{key}={}", value.as_str()));
                        let mut item = NewItem::new(
                            Kind::ApiKey,
                            format!("{name} {}", kind_label(Kind::ApiKey)),
                            cookie.as_str(),
                        );
                        item.placement = Some(Placement::Header {
                            name: "Cookie".into(),
                        });
                        hints.push(format!("sent as the Cookie header ({})", shown(key)));
                        item
                    }
                }
            }
            AuthSpec::Bearer { token, prefix } => {
                let token = vars.resolve("the token", token, used)?;
                let prefix = vars.resolve("the token's prefix", prefix, used)?;
                let prefix = prefix.trim();
                if prefix.is_empty() || prefix.eq_ignore_ascii_case("bearer") {
                    NewItem::new(
                        Kind::Bearer,
                        format!("{name} {}", kind_label(Kind::Bearer)),
                        token.trim(),
                    )
                } else {
                    let value = Zeroizing::new(format!("{prefix} {}", token.trim()));
                    let mut item = NewItem::new(
                        Kind::ApiKey,
                        format!("{name} {}", kind_label(Kind::ApiKey)),
                        value.as_str(),
                    );
                    item.placement = Some(Placement::Header {
                        name: "Authorization".into(),
                    });
                    hints.push(format!("sent as Authorization: {} …", shown(prefix)));
                    item
                }
            }
            AuthSpec::Basic { username, password } => {
                let user = vars.resolve("the user name", username, used)?;
                let pass = vars.resolve("the password", password, used)?;
                let mut item = NewItem::new(
                    Kind::Basic,
                    format!("{name} {}", kind_label(Kind::Basic)),
                    pass.as_str(),
                );
                item.username = Some(user.trim().to_owned());
                item
            }
            AuthSpec::OAuth2(o) => {
                let grant = grant_of(&vars.resolve("the grant type", &o.grant, used)?)?;
                let token_url = vars.resolve("the token URL", &o.token_url, used)?;
                let client_id = vars.resolve("the client id", &o.client_id, used)?;
                let secret = vars.resolve("the client secret", &o.client_secret, used)?;
                let scope = vars.resolve("the scope", &o.scope, used)?;
                let audience = vars.resolve("the audience", &o.audience, used)?;
                if token_url.trim().is_empty() {
                    return Err("is an OAuth2 client without a token URL".into());
                }
                let mut item = NewItem::new(
                    Kind::Oauth2,
                    format!("{name} {}", kind_label(Kind::Oauth2)),
                    secret.as_str(),
                );
                item.oauth = Some(OAuthConfig {
                    client_id: client_id.trim().to_owned(),
                    token_url: Some(token_url.trim().to_owned()),
                    auth: if o.credentials_in_body {
                        ClientAuth::Post
                    } else {
                        ClientAuth::Basic
                    },
                    scopes: scope.split_whitespace().map(str::to_owned).collect(),
                    audience: Some(audience.trim().to_owned()).filter(|a| !a.is_empty()),
                    grant: Some(grant),
                    ..OAuthConfig::default()
                });
                // Tokens the tool holds: kept when they resolve (they are optional).
                let mut ignore = Vec::new();
                if let Ok(t) = vars.resolve("", &o.access_token, &mut ignore) {
                    item.secret.access_token = t.trim().to_owned();
                }
                if let Ok(t) = vars.resolve("", &o.refresh_token, &mut ignore) {
                    item.secret.refresh_token = t.trim().to_owned();
                }
                if grant == Grant::AuthorizationCode {
                    let auth_url = vars
                        .resolve("", &o.auth_url, &mut ignore)
                        .map(|u| u.trim().to_owned())
                        .unwrap_or_default();
                    if !auth_url.is_empty() {
                        item.secret.notes = format!("Authorization URL: {auth_url}");
                    }
                    hints.push(
                        "logs in through the browser: give it its issuer (discovery) before \
                         keywright login; the authorization URL is in its notes"
                            .into(),
                    );
                }
                item
            }
            AuthSpec::Other(kind) => {
                return Err(format!(
                    "uses {} auth, which Keywright does not keep (it keeps API keys, bearer \
                     tokens, basic auth and OAuth2 clients)",
                    shown(kind)
                ));
            }
        };
        let mut item = item;
        if let Some(t) = &self.tag {
            add_tags(&mut item, std::slice::from_ref(t));
        }
        // The checks `add` makes, now: a bad entry is its row's reason.
        item.clone().into_parts(0).map_err(reason_of)?;
        if matches!(item.kind, Kind::ApiKey | Kind::Bearer)
            && let Some(r) = crate::recognize::recognize(&item.secret.value)
        {
            hints.insert(
                0,
                if r.service == "jwt" {
                    "a JWT: kept with its expiry".to_owned()
                } else {
                    format!("recognised: {}", r.label)
                },
            );
        }
        Ok((item, hints))
    }

    /// A request that uses credential `cred` (an entry [`Collector::credential`] gave),
    /// saved with it when it resolves.
    pub fn request(
        &mut self,
        cred: usize,
        raw: RawRequest,
        vars: &Vars<'_>,
    ) -> crate::error::Result<()> {
        self.requests += 1;
        if self.requests > MAX_IMPORT_ENTRIES {
            return Err(super::too_many_entries(self.format));
        }
        let Some(Entry::Cred(c)) = self.entries.get_mut(cred) else {
            return Ok(());
        };
        let name = {
            let n = clean_name(&raw.name, MAX_SAVED_NAME);
            if n.is_empty() {
                clean_name(&format!("{} {}", raw.method, raw.url), MAX_SAVED_NAME)
            } else {
                n
            }
        };
        if c.drafts.len() >= MAX_SAVED {
            c.over += 1;
            return Ok(());
        }
        let skip = auth_header(&c.item);
        match build_request(&raw, vars, skip.as_deref()) {
            Ok(input) => match input.to_spec() {
                Ok(_) => {
                    if c.origin.is_none()
                        && let Ok(u) = url::Url::parse(input.url.trim())
                    {
                        c.origin = Some(u.origin().ascii_serialization());
                    }
                    c.drafts.push(SavedDraft {
                        name,
                        request: input,
                    });
                }
                Err(e) => c.dropped.push(format!("{name:?} ({})", reason_of(e))),
            },
            Err(reason) => c.dropped.push(format!("{name:?} ({reason})")),
        }
        Ok(())
    }

    /// A variable the source keeps as a secret (`label` names its record): an item named
    /// `<environment> <VAR>`, unless a credential of this import took its value from it.
    pub fn secret_var(&mut self, scope: &str, env_name: &str, var: &str, value: &str) {
        if self.consumed.contains(&(scope.to_owned(), var.to_owned())) {
            return;
        }
        let label = format!("{} {} (secret variable)", shown(env_name), shown(var));
        if value.trim().is_empty() {
            self.invalid(label, "has no value in the export: nothing to keep");
            return;
        }
        let name = clean_name(&format!("{env_name} {var}"), MAX_NAME_LEN);
        let kind = kind_of_value(value);
        let mut item = NewItem::new(kind, name, value.trim());
        if let Some(t) = &self.tag {
            add_tags(&mut item, std::slice::from_ref(t));
        }
        match item.clone().into_parts(0) {
            Ok(_) => {
                let hint = match crate::recognize::recognize(value) {
                    Some(r) if r.service == "jwt" => vec!["a JWT: kept with its expiry".into()],
                    Some(r) => vec![format!("recognised: {}", r.label)],
                    None => Vec::new(),
                };
                self.add(&label, item, hint);
            }
            Err(e) => self.invalid(label, reason_of(e)),
        }
    }

    /// The records, in the order their auth blocks were met.
    pub fn into_records(self) -> Vec<Record> {
        self.entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| match e {
                Entry::Invalid { label, reason } => Record::invalid(i + 1, label, reason),
                Entry::Cred(c) => {
                    let Cred {
                        label,
                        mut item,
                        mut hints,
                        drafts,
                        dropped,
                        over,
                        origin,
                    } = *c;
                    if item.url.is_none() {
                        item.url = origin;
                    }
                    let not_saved = dropped.len() + over;
                    if not_saved > 0 {
                        let mut named: Vec<String> =
                            dropped.into_iter().take(NAMED_IN_HINT).collect();
                        let rest = not_saved - named.len();
                        if rest > 0 {
                            named.push(format!(
                                "{rest} more{}",
                                if over > 0 {
                                    format!(" (an item keeps at most {MAX_SAVED})")
                                } else {
                                    String::new()
                                }
                            ));
                        }
                        hints.push(format!(
                            "{not_saved} request{} not saved: {}",
                            if not_saved == 1 { "" } else { "s" },
                            named.join("; ")
                        ));
                    }
                    let mut cand = Candidate::new(item);
                    cand.hint = (!hints.is_empty()).then(|| hints.join("; "));
                    cand.requests = drafts;
                    Record::ok(i + 1, label, cand)
                }
            })
            .collect()
    }
}

/// The identity of a credential within one import (kind, where it goes, its secret, its
/// user or client), hashed.
fn identity(item: &NewItem) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(item.kind.as_str().as_bytes());
    h.update(b"\0");
    match &item.placement {
        Some(Placement::Header { name }) => {
            h.update(b"h:");
            h.update(name.to_ascii_lowercase().as_bytes());
        }
        Some(Placement::Query { name }) => {
            h.update(b"q:");
            h.update(name.as_bytes());
        }
        Some(Placement::Bearer) => h.update(b"b"),
        None => {}
    }
    h.update(b"\0");
    h.update(item.username.as_deref().unwrap_or_default().as_bytes());
    h.update(b"\0");
    h.update(item.secret.value.as_bytes());
    h.update(b"\0");
    if let Some(o) = &item.oauth {
        h.update(o.client_id.as_bytes());
        h.update(b"\0");
        h.update(o.token_url.as_deref().unwrap_or_default().as_bytes());
    }
    h.finalize().into()
}

/// `url` with its path variables (`/:id`) filled in from `params` (the query is left as
/// it is).
pub fn fill_path_params(url: &str, params: &[(String, String)]) -> String {
    if params.is_empty() {
        return url.to_owned();
    }
    let (path, query) = match url.find('?') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let segments: Vec<&str> = path
        .split('/')
        .map(|seg| {
            seg.strip_prefix(':')
                .and_then(|name| params.iter().find(|(k, _)| k == name))
                .map_or(seg, |(_, v)| v.as_str())
        })
        .collect();
    segments.join("/") + query
}

/// The request as it will be saved, or why it cannot be.
fn build_request(
    raw: &RawRequest,
    vars: &Vars<'_>,
    skip_header: Option<&str>,
) -> std::result::Result<RequestInput, String> {
    let mut ignore = Vec::new();
    let mut url = vars
        .resolve("its URL", raw.url.trim(), &mut ignore)?
        .to_string();
    if vars.dialect == Dialect::Insomnia && !url.is_empty() && !url.contains("://") {
        // Insomnia sends a URL without a scheme over http.
        url = format!("http://{url}");
    }
    if !raw.query.is_empty() {
        let mut u = url::Url::parse(&url)
            .map_err(|_| format!("its URL {:?} is not a full URL", shown(&url)))?;
        {
            let mut q = u.query_pairs_mut();
            for (k, v) in &raw.query {
                let k = vars.resolve("a query parameter", k, &mut ignore)?;
                let v = vars.resolve("a query parameter", v, &mut ignore)?;
                q.append_pair(&k, &v);
            }
        }
        url = u.to_string();
    }
    let mut headers = Vec::new();
    for (k, v) in &raw.headers {
        let k = k.trim();
        if k.is_empty() || skip_header.is_some_and(|s| s.eq_ignore_ascii_case(k)) {
            continue;
        }
        let field = format!("its {} header", shown(k));
        let v = vars.resolve(&field, v, &mut ignore)?;
        headers.push((k.to_owned(), v.to_string()));
    }
    let has_type = |h: &[(String, String)]| {
        h.iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    };
    let body = match &raw.body {
        RawBody::None => BodyInput::None,
        RawBody::Json(text) => {
            let text = vars.resolve("its body", text, &mut ignore)?.to_string();
            if text.trim().is_empty() {
                BodyInput::None
            } else if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok() {
                BodyInput::Json { text }
            } else {
                if !has_type(&headers) {
                    headers.push(("Content-Type".into(), "application/json".into()));
                }
                BodyInput::Raw { text }
            }
        }
        RawBody::Text { text, content_type } => {
            let text = vars.resolve("its body", text, &mut ignore)?.to_string();
            if let Some(ct) = content_type
                && !has_type(&headers)
                && !text.is_empty()
            {
                headers.push(("Content-Type".into(), ct.clone()));
            }
            if text.is_empty() {
                BodyInput::None
            } else {
                BodyInput::Raw { text }
            }
        }
        RawBody::Form(fields) => {
            let mut out = Vec::with_capacity(fields.len());
            for (k, v) in fields {
                let k = vars.resolve("a form field", k, &mut ignore)?;
                let v = vars.resolve("a form field", v, &mut ignore)?;
                out.push((k.to_string(), v.to_string()));
            }
            BodyInput::Form { fields: out }
        }
        RawBody::GraphQl { query, variables } => {
            let query = vars.resolve("its GraphQL query", query, &mut ignore)?;
            let variables = vars.resolve("its GraphQL variables", variables, &mut ignore)?;
            let variables: serde_json::Value = if variables.trim().is_empty() {
                serde_json::Value::Object(serde_json::Map::new())
            } else {
                serde_json::from_str(&variables)
                    .map_err(|_| "its GraphQL variables are not JSON".to_owned())?
            };
            let text =
                serde_json::json!({ "query": query.as_str(), "variables": variables }).to_string();
            BodyInput::Json { text }
        }
        RawBody::Unsupported(what) => {
            return Err(format!(
                "has a {what} body, which a saved request cannot hold"
            ));
        }
    };
    let method = raw.method.trim().to_ascii_uppercase();
    Ok(RequestInput {
        method: if method.is_empty() {
            "GET".into()
        } else {
            method
        },
        url,
        headers,
        body,
        timeout_s: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(label: &str, vars: &[(&str, &str)]) -> Scope {
        let mut s = Scope::new(label);
        for (k, v) in vars {
            s.vars.insert((*k).into(), Zeroizing::new((*v).into()));
        }
        s
    }

    #[test]
    fn variables_resolve_nearest_first_and_name_what_is_missing() {
        let env = scope(
            "environment \"Local\"",
            &[("host", "{{proto}}://api"), ("t", "1")],
        );
        let coll = scope(
            "the collection's variables",
            &[("proto", "https"), ("t", "2")],
        );
        let v = Vars {
            dialect: Dialect::Postman,
            scopes: vec![&env, &coll],
        };
        let mut used = Vec::new();
        assert_eq!(
            v.resolve("URL", "{{host}}/x?t={{ t }}", &mut used)
                .expect("ok")
                .as_str(),
            "https://api/x?t=1"
        );
        assert_eq!(used.len(), 3);
        let e = v
            .resolve("the token", "{{nope}}", &mut used)
            .expect_err("missing");
        assert!(e.contains("{{nope}}") && e.starts_with("the token"), "{e}");
        let e = v
            .resolve("URL", "{{$guid}}", &mut used)
            .expect_err("dynamic");
        assert!(e.contains("makes up"), "{e}");
        // Not a variable: kept.
        assert_eq!(
            v.resolve("x", "a {{ b", &mut used).expect("ok").as_str(),
            "a {{ b"
        );
    }

    #[test]
    fn loops_and_expansion_bombs_are_refused() {
        let s = scope("c", &[("a", "{{b}}"), ("b", "{{a}}")]);
        let v = Vars {
            dialect: Dialect::Postman,
            scopes: vec![&s],
        };
        let e = v
            .resolve("URL", "{{a}}", &mut Vec::new())
            .expect_err("loop");
        assert!(e.contains("loop"), "{e}");
        // 16^7 × 10 bytes (2.7 GB) without a bound.
        let mut vars: Vec<(String, String)> = vec![("v0".into(), "x".repeat(10))];
        for i in 1..=7 {
            vars.push((format!("v{i}"), format!("{{{{v{}}}}}", i - 1).repeat(16)));
        }
        let mut s = Scope::new("c");
        for (k, val) in vars {
            s.vars.insert(k, Zeroizing::new(val));
        }
        let v = Vars {
            dialect: Dialect::Postman,
            scopes: vec![&s],
        };
        let e = v
            .resolve("URL", "{{v7}}", &mut Vec::new())
            .expect_err("bomb");
        assert!(e.contains("MiB"), "{e}");
    }

    #[test]
    fn insomnia_and_bruno_syntax() {
        let s = scope(
            "environment \"Base\"",
            &[("token", "t1"), ("a.b", "nested")],
        );
        let v = Vars {
            dialect: Dialect::Insomnia,
            scopes: vec![&s],
        };
        let mut used = Vec::new();
        assert_eq!(
            v.resolve("x", "{{ _.token }}-{{_.a.b}}-{{token}}", &mut used)
                .expect("ok")
                .as_str(),
            "t1-nested-t1"
        );
        let e = v
            .resolve("the token", "{% response 'body', 'req_1' %}", &mut used)
            .expect_err("tag");
        assert!(e.contains("template tag"), "{e}");
        let mut dotenv = scope(".env", &[("KEY", "from-dotenv")]);
        dotenv.process_env = true;
        let mut env = scope("environment \"Local\"", &[("KEY", "plain")]);
        env.secret_names.insert("hidden".into());
        let v = Vars {
            dialect: Dialect::Bruno,
            scopes: vec![&env, &dotenv],
        };
        assert_eq!(
            v.resolve("x", "{{process.env.KEY}}/{{KEY}}", &mut used)
                .expect("ok")
                .as_str(),
            "from-dotenv/plain"
        );
        let e = v
            .resolve("the API key", "{{hidden}}", &mut used)
            .expect_err("secret");
        assert!(e.contains("secret variable") && e.contains("Local"), "{e}");
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name(" a\u{1b}[31m\tb\u{202e}c ", 50), "a [31m b c");
        assert_eq!(clean_name(&"x".repeat(300), 10).len(), 10);
        assert_eq!(shown("a\nb"), "a?b");
    }
}
