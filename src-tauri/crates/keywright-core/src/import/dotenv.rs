//! `.env` files, read as `python-dotenv` and Node's `dotenv` read them:
//! - `KEY=value`, `export KEY=value`, spaces around `=`; blank lines and `#` comments;
//! - unquoted values end at the line's end, trimmed, with a ` #` comment cut off;
//! - `'single'` and `` `backtick` `` quotes are literal (`\'` and `\\` aside) and may span
//!   lines; `"double"` quotes decode `\n`, `\t`, `\r`, `\"`, `\\` … and may span lines;
//! - `${VAR}` is kept as written (nothing is expanded: the value is what the file says).
//!
//! Each variable becomes an item named after it, tagged with the project (`--prefix`, else
//! the folder the file is in). A JWT becomes a bearer token with its `exp`; a recognised
//! key (`sk_live_…`) an API key with its service's placement; obvious settings
//! (`PORT=3000`, `DEBUG=true`, a URL without credentials) are offered unticked.

use super::{Candidate, Format, Options, Record, kind_of_value};
use crate::credential::NewItem;
use crate::error::Result;

/// One `KEY=value` of the file, or why a line is not one. `Debug` shows the value's size,
/// never the value.
#[derive(PartialEq, Eq)]
pub struct Binding {
    /// The line the variable starts on (1-based).
    pub line: usize,
    pub key: String,
    pub value: std::result::Result<zeroize::Zeroizing<String>, String>,
}

impl std::fmt::Debug for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = match &self.value {
            Ok(v) => format!("{} bytes", v.len()),
            Err(reason) => format!("invalid: {reason}"),
        };
        f.debug_struct("Binding")
            .field("line", &self.line)
            .field("key", &self.key)
            .field("value", &value)
            .finish()
    }
}

/// Parse a `.env` file into its variables (in order; a later duplicate key is its own
/// binding, as the file says it twice).
pub fn bindings(text: &str) -> Vec<Binding> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        line: 1,
    };
    let mut out = Vec::new();
    loop {
        p.skip_blank();
        if p.at_end() {
            break;
        }
        if p.peek() == Some('#') {
            p.skip_line();
            continue;
        }
        let line = p.line;
        match p.binding() {
            Ok(Some((key, value))) => out.push(Binding {
                line,
                key,
                value: Ok(value),
            }),
            Ok(None) => {}
            Err((key, reason)) => {
                out.push(Binding {
                    line,
                    key,
                    value: Err(reason),
                });
                // Resume on the line after the one the problem was found on.
                p.skip_line();
            }
        }
    }
    // The characters held the file's secrets.
    zeroize::Zeroize::zeroize(&mut p.chars);
    out
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    line: usize,
}

type BindingResult =
    std::result::Result<Option<(String, zeroize::Zeroizing<String>)>, (String, String)>;

impl Parser {
    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Blank lines and leading white space.
    fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(c) if c.is_whitespace()) {
            self.bump();
        }
    }

    /// Spaces and tabs (not line ends).
    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
    }

    /// The rest of the line, its end included.
    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.pos + i) == Some(&c))
    }

    fn binding(&mut self) -> BindingResult {
        if self.starts_with("export") {
            let after = self.chars.get(self.pos + 6).copied();
            if matches!(after, Some(' ' | '\t')) {
                self.pos += 6;
                self.skip_spaces();
            }
        }
        let key = self.key().map_err(|r| (String::new(), r))?;
        self.skip_spaces();
        match self.peek() {
            Some('=') => {
                self.bump();
            }
            None | Some('\n' | '\r' | '#') => {
                return Err((key, "has no value (no '=' on its line)".into()));
            }
            Some(_) => {
                return Err((
                    key,
                    "is not KEY=value: the name is followed by something other than '='".into(),
                ));
            }
        }
        self.skip_spaces();
        let value = match self.peek() {
            Some(q @ ('\'' | '"' | '`')) => {
                let start_line = self.line;
                self.bump();
                let v = self.quoted(q).map_err(|r| (key.clone(), r))?;
                self.skip_spaces();
                match self.peek() {
                    None | Some('\n' | '\r') => {}
                    Some('#') => self.skip_line_rest(),
                    Some(_) => {
                        return Err((
                            key,
                            format!(
                                "has text after its closing quote (the value starts on line \
                                 {start_line})"
                            ),
                        ));
                    }
                }
                v
            }
            _ => self.unquoted(),
        };
        Ok(Some((key, value)))
    }

    /// A variable name: letters, digits, `_`, `.`, `-` (what both readers accept).
    fn key(&mut self) -> std::result::Result<String, String> {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            self.pos += 1;
        }
        if self.pos == start {
            let shown = self.peek().map(|c| c.escape_debug().to_string());
            return Err(format!(
                "is not KEY=value: a variable name must start the line (found {})",
                shown.map_or("the end of the file".into(), |c| format!("'{c}'"))
            ));
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    /// The rest of the line after a closing quote: a comment.
    fn skip_line_rest(&mut self) {
        while matches!(self.peek(), Some(c) if c != '\n') {
            self.bump();
        }
    }

    /// An unquoted value: to the end of the line, a ` #…` comment cut off, trimmed.
    fn unquoted(&mut self) -> zeroize::Zeroizing<String> {
        let mut v = zeroize::Zeroizing::new(String::new());
        let mut prev_space = true;
        while let Some(c) = self.peek() {
            if c == '\n' || c == '\r' {
                break;
            }
            if c == '#' && prev_space {
                self.skip_line_rest();
                break;
            }
            prev_space = c == ' ' || c == '\t';
            v.push(c);
            self.bump();
        }
        let trimmed = v.trim_end().len();
        v.truncate(trimmed);
        v
    }

    /// A quoted value after its opening quote `q`, up to the closing one.
    fn quoted(&mut self, q: char) -> std::result::Result<zeroize::Zeroizing<String>, String> {
        let start_line = self.line;
        let mut v = zeroize::Zeroizing::new(String::new());
        loop {
            let Some(c) = self.bump() else {
                return Err(format!(
                    "has a {} quote opened on line {start_line} that is never closed",
                    match q {
                        '\'' => "single",
                        '"' => "double",
                        _ => "backtick",
                    }
                ));
            };
            if c == q {
                return Ok(v);
            }
            if c != '\\' {
                v.push(c);
                continue;
            }
            let Some(next) = self.peek() else {
                v.push('\\');
                continue;
            };
            let decoded = match (q, next) {
                (_, '\\') => Some('\\'),
                (_, n) if n == q => Some(q),
                ('"', 'n') => Some('\n'),
                ('"', 't') => Some('\t'),
                ('"', 'r') => Some('\r'),
                ('"', 'f') => Some('\u{c}'),
                ('"', 'v') => Some('\u{b}'),
                ('"', 'b') => Some('\u{8}'),
                ('"', 'a') => Some('\u{7}'),
                ('"', '\'') => Some('\''),
                _ => None,
            };
            match decoded {
                Some(d) => {
                    self.bump();
                    v.push(d);
                }
                // Not an escape: kept as written.
                None => v.push('\\'),
            }
        }
    }
}

/// Variable names that say "secret" whatever their value looks like.
const SECRET_WORDS: [&str; 14] = [
    "KEY",
    "SECRET",
    "TOKEN",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "AUTH",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATE",
    "SIGNATURE",
    "SALT",
    "DSN",
];

/// Why a variable looks like a setting rather than a secret, if it does.
fn looks_like_setting(key: &str, value: &str) -> Option<&'static str> {
    let upper = key.to_ascii_uppercase();
    let named_secret = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| SECRET_WORDS.contains(&w))
        || upper.contains("APIKEY")
        || upper.contains("API_KEY");
    if crate::recognize::recognize(value).is_some() {
        return None;
    }
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    if v.parse::<f64>().is_ok() && v.len() < 12 {
        return Some("a number: looks like a setting, not a secret");
    }
    if [
        "true", "false", "yes", "no", "on", "off", "enabled", "disabled",
    ]
    .contains(&lower.as_str())
    {
        return Some("a yes/no switch: looks like a setting, not a secret");
    }
    if let Ok(u) = url::Url::parse(v)
        && u.has_host()
    {
        let credentials = !u.username().is_empty() || u.password().is_some();
        let secret_query = u.query_pairs().any(|(k, _)| {
            let k = k.to_ascii_lowercase();
            [
                "key",
                "token",
                "secret",
                "password",
                "sig",
                "signature",
                "auth",
            ]
            .iter()
            .any(|w| k.contains(w))
        });
        if !credentials && !secret_query {
            return Some("a URL without credentials: looks like a setting, not a secret");
        }
        return None;
    }
    if named_secret {
        return None;
    }
    if v.len() <= 24
        && !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || "-_.:/ ".contains(c))
    {
        return Some("a short word: looks like a setting, not a secret");
    }
    if v.contains(char::is_whitespace) {
        return Some("text with spaces: looks like a setting, not a secret");
    }
    None
}

/// The project a file belongs to: `--prefix`, else the name of the folder it is in.
fn project(opts: &Options) -> Option<String> {
    opts.project.clone().or_else(|| {
        let path = opts.path.as_ref()?;
        let dir = std::fs::canonicalize(path).ok()?.parent()?.to_path_buf();
        dir.file_name()?.to_str().map(str::to_owned)
    })
}

/// The records of a `.env` file.
pub fn parse(text: &str, opts: &Options) -> Result<Vec<Record>> {
    let project = project(opts);
    let list = bindings(text);
    if list.is_empty() {
        return Err(super::fail(Format::Dotenv, "it has no KEY=value lines"));
    }
    Ok(list
        .into_iter()
        .map(|b| {
            let label = format!("{} (line {})", b.key, b.line);
            let value = match b.value {
                Ok(v) => v,
                Err(reason) => return Record::invalid(b.line, label, reason),
            };
            if value.trim().is_empty() {
                return Record::invalid(b.line, label, "is empty: nothing to keep");
            }
            let kind = kind_of_value(&value);
            let mut item = NewItem::new(kind, b.key.clone(), value.as_str());
            if let Some(p) = &project {
                super::add_tags(&mut item, std::slice::from_ref(p));
            }
            let mut c = Candidate::new(item);
            if kind == crate::credential::Kind::Bearer {
                c.hint = Some("a JWT: kept as a bearer token with its expiry".into());
            } else if let Some(r) = crate::recognize::recognize(&value) {
                c.hint = Some(format!("recognised: {}", r.label));
            } else if let Some(why) = looks_like_setting(&b.key, &value) {
                c.selected = false;
                c.hint = Some(why.into());
            }
            // The vault's own checks run once, when the import is planned.
            Record::ok(b.line, label, c)
        })
        .collect())
}
