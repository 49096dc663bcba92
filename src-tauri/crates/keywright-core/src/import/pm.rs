//! What the password-manager formats (Bitwarden, 1Password) share: JSON fields read into
//! zeroizing memory, lists bounded while they are read, JSON errors that never quote a
//! value, and the mapping of one entry (a login, a key, its one-time password, its hidden
//! fields) to Keywright's records.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use zeroize::Zeroizing;

use super::{Candidate, Record, checked, kind_of_value, reason_of};
use crate::credential::{Kind, MAX_TAG_LEN, NewItem, OtpAlgorithm, OtpParams, OtpType};
use crate::error::Error;
use crate::limits::{MAX_IMPORT_ENTRIES, MAX_IMPORT_LIST_ELEMENTS};
use crate::otp::{OtpAccount, STEAM_DIGITS, uri};

// ---------------------------------------------------------------------------------------
// JSON

/// A JSON field as text, kept in zeroizing memory: a string, or a number or a boolean as
/// its text (1Password writes dates as numbers, Bitwarden field types as numbers). Lists
/// and objects are skipped unread (`Other`).
#[derive(Default)]
pub(super) enum Text {
    #[default]
    Absent,
    Str(Zeroizing<String>),
    Other,
}

impl Text {
    /// The text, trimmed, when there is some.
    pub fn get(&self) -> Option<&str> {
        match self {
            Text::Str(s) => Some(s.trim()).filter(|s| !s.is_empty()),
            _ => None,
        }
    }

    /// The text as written (not trimmed), when there is some that is not blank.
    pub fn raw(&self) -> Option<&str> {
        match self {
            Text::Str(s) if !s.trim().is_empty() => Some(s.as_str()),
            _ => None,
        }
    }

    /// A whole number (also written as a numeric string).
    pub fn number(&self, what: &str) -> std::result::Result<Option<i64>, String> {
        match self {
            Text::Absent => Ok(None),
            Text::Other => Err(format!("{what} is not a number")),
            Text::Str(s) if s.trim().is_empty() => Ok(None),
            Text::Str(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("{what} {:?} is not a whole number", s.trim())),
        }
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Text::Absent => f.write_str("Absent"),
            Text::Str(s) => write!(f, "Str({} bytes)", s.len()),
            Text::Other => f.write_str("Other"),
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Text, E> {
                Ok(Text::Str(Zeroizing::new(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Text, E> {
                Ok(Text::Str(Zeroizing::new(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Text, E> {
                Ok(Text::Str(Zeroizing::new(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Text, E> {
                Ok(Text::Str(Zeroizing::new(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Text, E> {
                Ok(Text::Str(Zeroizing::new(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Text, E> {
                Ok(Text::Str(Zeroizing::new(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Text, E> {
                Ok(Text::Absent)
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<Text, E> {
                Ok(Text::Absent)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Text, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text::Other)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Text, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// What [`List`] fails with when one list is too long (found again by [`json_error`]).
const TOO_MANY_MARK: &str = "keywright: too many elements";
/// What [`List`] fails with when all lists together are too long.
const TOO_MANY_IN_ALL_MARK: &str = "keywright: too many elements in all";

thread_local! {
    /// List elements read so far by the parse running on this thread (see [`budgeted`]).
    static ELEMENTS: Cell<usize> = const { Cell::new(0) };
}

/// Run one whole-file parse with a fresh budget of [`MAX_IMPORT_LIST_ELEMENTS`] list
/// elements over all its lists (items, fields, URLs, sections…): a file of millions of
/// tiny `{}` costs nothing, however they are spread over lists.
pub(super) fn budgeted<R>(f: impl FnOnce() -> R) -> R {
    let before = ELEMENTS.with(|c| c.replace(0));
    let out = f();
    ELEMENTS.with(|c| c.set(before));
    out
}

/// A JSON list of at most [`MAX_IMPORT_ENTRIES`] elements, counted against the parse's
/// budget too: reading stops at the first element over either.
pub(super) struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T> std::ops::Deref for List<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a list of at most {MAX_IMPORT_ENTRIES} elements")
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<List<T>, E> {
                Ok(List(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                loop {
                    let total = ELEMENTS.with(|c| {
                        let n = c.get().saturating_add(1);
                        c.set(n);
                        n
                    });
                    if total > MAX_IMPORT_LIST_ELEMENTS {
                        return Err(de::Error::custom(TOO_MANY_IN_ALL_MARK));
                    }
                    let Some(x) = seq.next_element()? else {
                        break;
                    };
                    if out.len() >= MAX_IMPORT_ENTRIES {
                        return Err(de::Error::custom(TOO_MANY_MARK));
                    }
                    out.push(x);
                }
                Ok(List(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The elements of an optional list (none when it is absent).
pub(super) fn slice<T>(list: &Option<List<T>>) -> &[T] {
    list.as_ref().map_or(&[], |l| l.0.as_slice())
}

/// A JSON error without the offending value (serde_json quotes values, which may be
/// secrets): the kind of problem and where.
pub(super) fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    if e.is_data() {
        let text = e.to_string();
        if text.starts_with(TOO_MANY_IN_ALL_MARK) {
            return format!(
                "its lists hold more than {MAX_IMPORT_LIST_ELEMENTS} elements in all ({at}); \
                 Keywright reads at most {MAX_IMPORT_LIST_ELEMENTS} (split the export)"
            );
        }
        if text.starts_with(TOO_MANY_MARK) {
            return format!(
                "it has more than {MAX_IMPORT_ENTRIES} entries in one list ({at}); Keywright \
                 imports at most {MAX_IMPORT_ENTRIES} at a time (split the export)"
            );
        }
    }
    match e.classify() {
        Category::Eof => "the JSON ends early (the file is truncated)".into(),
        Category::Syntax => format!("it is not valid JSON ({at})"),
        Category::Data => format!("its JSON does not have the expected structure ({at})"),
        Category::Io => "it could not be read".into(),
    }
}

// ---------------------------------------------------------------------------------------
// Mapping

/// Words in a field's name that say it holds a secret, whatever its type.
const SECRET_WORDS: [&str; 12] = [
    "key",
    "apikey",
    "token",
    "secret",
    "password",
    "passwd",
    "pwd",
    "credential",
    "credentials",
    "auth",
    "private",
    "pat",
];

/// Whether a field named `name` holds a secret (`API key`, `access_token`, `Client secret`).
pub(super) fn secret_name(name: &str) -> bool {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| SECRET_WORDS.contains(&w))
}

/// Whether `value` looks like a key on its own: a recognised shape (`sk_live_…`, a JWT).
pub(super) fn recognised(value: &str) -> bool {
    crate::recognize::recognize(value.trim()).is_some()
}

/// An http(s) URL from what a password manager stores: a full URL, or a bare host
/// (`api.example.com`, `example.com/login`) taken as https. `None` for anything else (an
/// app id, `androidapp://…`, text).
pub(super) fn web_url(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().any(char::is_whitespace) {
        return None;
    }
    let candidate = if s.contains("://") {
        s.to_owned()
    } else if s.contains('.') && !s.starts_with('.') {
        format!("https://{s}")
    } else {
        return None;
    };
    crate::credential::validate_url("url", &candidate).ok()
}

/// A folder, collection, vault or tag name as a Keywright tag: control characters become
/// spaces, at most 64 characters. `None` when blank.
pub(super) fn tag_of(s: &str) -> Option<String> {
    let clean: String = s
        .chars()
        .map(|c| {
            if c.is_control() || crate::credential::is_bidi_control(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let clean: String = clean.trim().chars().take(MAX_TAG_LEN).collect();
    let clean = clean.trim().to_owned();
    (!clean.is_empty()).then_some(clean)
}

/// A short, one-line form of a name for labels and item names (at most `max` characters).
pub(super) fn short(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = one_line.trim();
    if t.chars().count() <= max {
        t.to_owned()
    } else {
        let cut: String = t.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Notes made of the entry's own notes and the fields that are not secrets (`name: value`).
#[derive(Default)]
pub(super) struct Notes(Zeroizing<String>);

impl Notes {
    pub fn text(&mut self, text: &str) {
        let t = text.trim_end();
        if t.trim().is_empty() {
            return;
        }
        if !self.0.is_empty() {
            self.0.push_str("\n\n");
        }
        self.0.push_str(t);
    }

    pub fn field(&mut self, name: &str, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        if !self.0.is_empty() {
            self.0.push('\n');
        }
        let name = name.trim();
        if name.is_empty() {
            self.0.push_str(value.trim());
        } else {
            self.0.push_str(name);
            self.0.push_str(": ");
            self.0.push_str(value.trim());
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What one entry of a password manager holds, read by its format.
pub(super) struct Entry {
    /// 1-based position of the entry in the export.
    pub position: usize,
    /// The entry's name in the password manager.
    pub name: String,
    pub username: Option<String>,
    /// The main secret: a password, an API credential.
    pub secret: Option<Zeroizing<String>>,
    /// The kind the source says the secret is (1Password's API Credential "type": bearer).
    pub kind: Option<Kind>,
    pub url: Option<String>,
    pub tags: Vec<String>,
    pub notes: Notes,
    pub expires_at: Option<i64>,
    /// One-time password fields: otpauth:// URIs, base32 seeds or `steam://SEED`.
    pub otp: Vec<Zeroizing<String>>,
    /// Hidden fields and fields named like a key: `(field name, value)`.
    pub secret_fields: Vec<(String, Zeroizing<String>)>,
    /// Why an entry without a main secret gives no item of its own (a secure note, a login
    /// without a password). `None`: such an entry gives no row of its own.
    pub no_secret: Option<String>,
}

impl Entry {
    pub fn new(position: usize, name: String) -> Self {
        Entry {
            position,
            name,
            username: None,
            secret: None,
            kind: None,
            url: None,
            tags: Vec::new(),
            notes: Notes::default(),
            expires_at: None,
            otp: Vec::new(),
            secret_fields: Vec::new(),
            no_secret: None,
        }
    }

    /// The records of this entry: its main item (basic auth with a user name, else an API
    /// key, or a bearer token when it is a JWT), a 2FA item for each one-time password,
    /// and an item for each secret field.
    pub fn records(self) -> Vec<Record> {
        let label = format!("item {}", self.position);
        let mut out = Vec::new();
        let only_fields = self.secret.is_none();
        match &self.secret {
            Some(secret) => {
                let kind = match (self.kind, self.username.as_deref()) {
                    (Some(k), _) => k,
                    (None, Some(_)) => Kind::Basic,
                    (None, None) => kind_of_value(secret),
                };
                let mut item = NewItem::new(kind, self.name.clone(), secret.as_str());
                item.username = self.username.clone();
                item.url = self.url.clone();
                item.tags = self.tags.clone();
                item.expires_at = self.expires_at;
                item.secret.notes = self.notes.as_str().to_owned();
                let mut c = Candidate::new(item);
                c.hint = hint(secret, kind);
                out.push(record(self.position, label.clone(), checked(c)));
            }
            // Nothing else came of the entry: say why it gives nothing.
            None if self.otp.is_empty() && self.secret_fields.is_empty() => {
                let reason = self
                    .no_secret
                    .clone()
                    .unwrap_or_else(|| "has no password or key to keep".into());
                out.push(Record::invalid(self.position, label.clone(), reason));
            }
            None => {}
        }
        let many = self.otp.len() > 1;
        // Row suffixes given so far: a field named "2FA" does not share a label with the
        // entry's one-time password.
        let mut seen_names: Vec<String> = Vec::new();
        for (i, raw) in self.otp.iter().enumerate() {
            let suffix = if many {
                format!("2FA {}", i + 1)
            } else {
                "2FA".into()
            };
            seen_names.push(suffix.clone());
            let candidate = otp_candidate(raw, &self.name, self.username.as_deref(), &self.tags)
                .map(|mut item| {
                    item.name = name_with(&self.name, &suffix);
                    if only_fields && self.secret_fields.is_empty() {
                        // The one-time password is all the entry gives: its notes go with it.
                        item.secret.notes = self.notes.as_str().to_owned();
                    }
                    Candidate::new(item)
                })
                .and_then(checked);
            out.push(record(
                self.position,
                format!("{label} ({suffix})"),
                candidate,
            ));
        }
        for (i, (field, value)) in self.secret_fields.iter().enumerate() {
            let field_name = if field.trim().is_empty() {
                format!("field {}", i + 1)
            } else {
                short(field, 60)
            };
            let mut suffix = field_name.clone();
            let mut n = 2;
            while seen_names.iter().any(|s| s.eq_ignore_ascii_case(&suffix)) {
                suffix = format!("{field_name} {n}");
                n += 1;
            }
            seen_names.push(suffix.clone());
            let row_label = format!("{label} ({})", short(&suffix, 40));
            let trimmed = value.trim();
            // A one-time password kept in a hidden field is a 2FA item too.
            if has_prefix_ci(trimmed, "otpauth://") {
                let candidate =
                    otp_candidate(value, &self.name, self.username.as_deref(), &self.tags)
                        .map(|mut item| {
                            item.name = name_with(&self.name, &suffix);
                            Candidate::new(item)
                        })
                        .and_then(checked);
                out.push(record(self.position, row_label, candidate));
                continue;
            }
            let kind = kind_of_value(trimmed);
            let mut item = NewItem::new(kind, name_with(&self.name, &suffix), trimmed);
            item.url = self.url.clone();
            item.tags = self.tags.clone();
            if only_fields {
                // The entry is only a holder of these fields: its notes go with them.
                item.username = self.username.clone();
                item.secret.notes = self.notes.as_str().to_owned();
            }
            let mut c = Candidate::new(item);
            c.hint = hint(trimmed, kind);
            out.push(record(self.position, row_label, checked(c)));
        }
        out
    }
}

/// What the preview says about a key or token: a JWT kept as a bearer token, or the
/// service it is recognised as. Nothing for a password.
fn hint(secret: &str, kind: Kind) -> Option<String> {
    if !matches!(kind, Kind::ApiKey | Kind::Bearer) {
        return None;
    }
    let r = crate::recognize::recognize(secret.trim())?;
    Some(if r.service == "jwt" && kind == Kind::Bearer {
        "a JWT: kept as a bearer token with its expiry".into()
    } else {
        format!("recognised: {}", r.label)
    })
}

fn record(position: usize, label: String, c: std::result::Result<Candidate, String>) -> Record {
    match c {
        Ok(c) => Record::ok(position, label, c),
        Err(reason) => Record::invalid(position, label, reason),
    }
}

/// `name suffix`, within the 200 characters an item name may have.
fn name_with(name: &str, suffix: &str) -> String {
    let max = crate::credential::MAX_NAME_LEN;
    let suffix_len = suffix.chars().count() + 1;
    let base = short(name, max.saturating_sub(suffix_len).max(1));
    short(&format!("{base} {suffix}"), max)
}

fn has_prefix_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// A one-time password as a password manager keeps it: an otpauth:// URI, `steam://SEED`
/// (Bitwarden), or a bare base32 seed.
pub(super) fn otp_account(raw: &str) -> std::result::Result<OtpAccount, String> {
    let t = raw.trim();
    if has_prefix_ci(t, "otpauth://") {
        return uri::parse(t).map_err(otp_reason);
    }
    let (seed, params) = match t.get(..8) {
        Some(head) if head.eq_ignore_ascii_case("steam://") => (
            &t[8..],
            OtpParams {
                otp_type: OtpType::Steam,
                algorithm: OtpAlgorithm::Sha1,
                digits: STEAM_DIGITS,
                period: 30,
            },
        ),
        _ => (t, OtpParams::default()),
    };
    OtpAccount::from_base32(seed, params).map_err(otp_reason)
}

/// The row's reason for a one-time password that cannot be read (never the seed).
fn otp_reason(e: Error) -> String {
    match e {
        Error::InvalidInput { field, reason } if field == "otpauth URI" => {
            match reason.strip_prefix(uri::BAD_LINK) {
                Some(rest) => format!(
                    "its one-time password: the otpauth:// link {}",
                    rest.trim_end_matches('.')
                ),
                None => format!("its one-time password: {reason}"),
            }
        }
        Error::InvalidInput { field, reason } if field == "TOTP secret" => {
            format!("its one-time password seed {reason}")
        }
        e => format!("its one-time password: {}", reason_of(e)),
    }
}

/// The 2FA item of a one-time password; the issuer is the entry's name and the account
/// its user name unless the URI says.
fn otp_candidate(
    raw: &str,
    entry: &str,
    username: Option<&str>,
    tags: &[String],
) -> std::result::Result<NewItem, String> {
    let mut acc = otp_account(raw)?;
    if acc.issuer.as_deref().is_none_or(|i| i.trim().is_empty()) {
        acc.issuer = Some(short(entry, 100));
    }
    if acc.account.as_deref().is_none_or(|a| a.trim().is_empty()) {
        acc.account = username.map(str::to_owned);
    }
    for t in tags {
        if !acc.tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            acc.tags.push(t.clone());
        }
    }
    Ok(crate::vault::otp::new_otp_item(acc.suggested_name(), &acc))
}
