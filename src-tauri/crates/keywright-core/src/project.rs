//! Environments that name their secrets without holding them: a project's committed
//! `.keywright.toml`, and `.env` templates whose values may be references.
//!
//! ```toml
//! # .keywright.toml, at the top of a repository
//! vault = "~/vaults/team.db"       # optional; relative paths are from this file
//!
//! [env]                              # the default environment
//! STRIPE_KEY = "keywright://Stripe live/secret"
//! API_URL = "https://api.example.com" # plain values pass through
//!
//! [env.staging]                      # a profile: the defaults, overridden
//! STRIPE_KEY = "keywright://Stripe test/secret"
//! ```
//!
//! A value is one of: a reference (`keywright://ITEM/FIELD`, the whole value), a text with
//! `{{ keywright://ITEM/FIELD }}` in it (`postgres://app:{{ keywright://DB/secret }}@db/app`),
//! or plain text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::refs::{self, RefError, Reference, TemplateRef};

/// The project file's name.
pub const FILE_NAME: &str = ".keywright.toml";

/// One variable's value, as written.
#[derive(Clone)]
pub enum Value {
    /// Passed through as it is.
    Plain(Zeroizing<String>),
    /// The whole value is a reference.
    Ref(Reference),
    /// A text with references in it.
    Template {
        text: String,
        refs: Vec<TemplateRef>,
    },
    /// An item named on the command line (`run --env VAR=NAME`): its natural value
    /// ([`refs::natural_field`]: an OAuth2 item's access token, a 2FA item's code, else its
    /// secret).
    Item(String),
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // A plain value in a .env file can be a secret: its size only.
            Value::Plain(v) => write!(f, "Plain({} bytes)", v.len()),
            Value::Ref(r) => write!(f, "Ref({r})"),
            Value::Template { refs, .. } => write!(f, "Template({} references)", refs.len()),
            Value::Item(name) => write!(f, "Item({name:?})"),
        }
    }
}

impl Value {
    /// What `raw` means; a malformed reference is an error naming the column.
    pub fn classify(raw: &str) -> std::result::Result<Value, RefError> {
        let trimmed = raw.trim();
        if refs::is_reference(trimmed) {
            return Reference::parse(trimmed).map(Value::Ref).map_err(|mut e| {
                e.column += raw.len() - raw.trim_start().len();
                e
            });
        }
        let found = refs::template_refs(raw);
        if found.is_empty() {
            return Ok(Value::Plain(Zeroizing::new(raw.to_owned())));
        }
        if let Some(bad) = found.iter().find(|r| r.parsed.is_err()) {
            let Err(e) = &bad.parsed else {
                unreachable!("found by is_err")
            };
            return Err(RefError {
                column: bad.column + e.column - 1,
                reason: e.reason.clone(),
            });
        }
        Ok(Value::Template {
            text: raw.to_owned(),
            refs: found,
        })
    }

    /// The references the value needs, in order (an [`Value::Item`]'s field is known only
    /// once its item is found: none).
    pub fn references(&self) -> Vec<&Reference> {
        match self {
            Value::Plain(_) | Value::Item(_) => Vec::new(),
            Value::Ref(r) => vec![r],
            Value::Template { refs, .. } => {
                refs.iter().filter_map(|r| r.parsed.as_ref().ok()).collect()
            }
        }
    }
}

/// One variable of an environment, and where it was written (`FILE:LINE`, or the
/// project file and its profile).
#[derive(Debug, Clone)]
pub struct Var {
    pub name: String,
    pub value: Value,
    pub origin: String,
}

/// Whether `name` can be an environment variable: letters, digits and `_`, not starting
/// with a digit.
pub fn valid_var_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn ref_error(origin: &str, e: &RefError) -> Error {
    Error::InvalidInput {
        field: "reference".into(),
        reason: format!("{origin}, {e}"),
    }
}

/// The variables of a `.env` file (`display` names it in messages). Every line that is
/// not a variable, and every malformed reference, is an error: the whole file is refused.
pub fn env_file_vars(display: &str, text: &str) -> Result<Vec<Var>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for b in crate::import::dotenv::bindings(text) {
        let origin = format!("{display}:{}", b.line);
        let raw = match &b.value {
            Ok(v) => v,
            Err(reason) => {
                problems.push(format!("{origin}: {reason}"));
                continue;
            }
        };
        if !valid_var_name(&b.key) {
            problems.push(format!(
                "{origin}: {:?} is not an environment variable name (letters, digits and _, \
                 not starting with a digit)",
                b.key
            ));
            continue;
        }
        match Value::classify(raw) {
            Ok(value) => out.push(Var {
                name: b.key.clone(),
                value,
                origin,
            }),
            Err(mut e) => {
                // The column in the file's line, where the value is found on it as written.
                let line = text.lines().nth(b.line.saturating_sub(1)).unwrap_or("");
                if let Some(at) = line.find(raw.as_str()) {
                    e.column += line[..at].chars().count();
                }
                problems.push(format!("{origin}, {e}"));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::InvalidInput {
            field: "env file".into(),
            reason: format!("{display} cannot be used: {}", problems.join("; ")),
        });
    }
    Ok(out)
}

/// A project file, read.
#[derive(Debug, Clone)]
pub struct Project {
    /// The file itself.
    pub path: PathBuf,
    /// The vault it names, resolved against its folder (`~/` is the home folder).
    pub vault: Option<PathBuf>,
    /// `[env]`: name → raw value, in file order.
    pub env: Vec<(String, String)>,
    /// `[env.NAME]` profiles.
    pub profiles: BTreeMap<String, Vec<(String, String)>>,
}

/// The nearest `.keywright.toml` in `start` or a folder above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

fn scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn project_error(path: &Path, reason: String) -> Error {
    Error::InvalidInput {
        field: "project file".into(),
        reason: format!("{}: {reason}", path.display()),
    }
}

impl Project {
    /// Read and check the project file at `path`.
    pub fn load(path: &Path) -> Result<Project> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            action: "cannot read",
            path: path.to_owned(),
            source: e,
        })?;
        Project::parse(path, &text)
    }

    /// Check `text` as the project file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Project> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let at = e
                .span()
                .map(|s| {
                    let before = &text[..s.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("line {line}, column {col}: ")
                })
                .unwrap_or_default();
            project_error(path, format!("{at}{}", e.message()))
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut project = Project {
            path: path.to_owned(),
            vault: None,
            env: Vec::new(),
            profiles: BTreeMap::new(),
        };
        for (key, value) in &table {
            match (key.as_str(), value) {
                ("vault", toml::Value::String(s)) => {
                    project.vault = Some(expand_path(dir, s));
                }
                ("vault", _) => {
                    return Err(project_error(
                        path,
                        "vault must be a path (a string)".into(),
                    ));
                }
                ("env", toml::Value::Table(env)) => {
                    for (name, v) in env {
                        if let toml::Value::Table(profile) = v {
                            let mut vars = Vec::new();
                            for (pname, pv) in profile {
                                let s = scalar(pv).ok_or_else(|| {
                                    project_error(
                                        path,
                                        format!("env.{name}.{pname} must be a text value"),
                                    )
                                })?;
                                check_name(path, &format!("env.{name}"), pname)?;
                                vars.push((pname.clone(), s));
                            }
                            project.profiles.insert(name.clone(), vars);
                        } else {
                            let s = scalar(v).ok_or_else(|| {
                                project_error(path, format!("env.{name} must be a text value"))
                            })?;
                            check_name(path, "env", name)?;
                            project.env.push((name.clone(), s));
                        }
                    }
                }
                ("env", _) => {
                    return Err(project_error(path, "env must be a table: [env]".into()));
                }
                (other, _) => {
                    return Err(project_error(
                        path,
                        format!("unknown key {other:?} (a project file has vault and [env])"),
                    ));
                }
            }
        }
        Ok(project)
    }

    /// The environment of `profile` (the defaults, overridden by the profile's values), or
    /// of the defaults alone. Malformed references are errors naming the variable.
    pub fn vars(&self, profile: Option<&str>) -> Result<Vec<Var>> {
        let file = self.path.display().to_string();
        let mut merged: Vec<(String, String, String)> = self
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone(), format!("{file} [env] {k}")))
            .collect();
        if let Some(p) = profile {
            let Some(vars) = self.profiles.get(p) else {
                let known = if self.profiles.is_empty() {
                    "it has none".to_owned()
                } else {
                    format!(
                        "it has {}",
                        self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                };
                return Err(project_error(
                    &self.path,
                    format!("no profile {p:?} ([env.{p}]); {known}"),
                ));
            };
            for (k, v) in vars {
                let origin = format!("{file} [env.{p}] {k}");
                match merged.iter_mut().find(|(name, _, _)| name == k) {
                    Some(slot) => *slot = (k.clone(), v.clone(), origin),
                    None => merged.push((k.clone(), v.clone(), origin)),
                }
            }
        }
        let mut out = Vec::with_capacity(merged.len());
        let mut problems = Vec::new();
        for (name, raw, origin) in merged {
            match Value::classify(&raw) {
                Ok(value) => out.push(Var {
                    name,
                    value,
                    origin,
                }),
                Err(e) => problems.push(ref_error(&origin, &e).to_string()),
            }
        }
        if !problems.is_empty() {
            return Err(Error::InvalidInput {
                field: "project file".into(),
                reason: problems.join("; "),
            });
        }
        Ok(out)
    }
}

fn check_name(path: &Path, table: &str, name: &str) -> Result<()> {
    if valid_var_name(name) {
        Ok(())
    } else {
        Err(project_error(
            path,
            format!(
                "{table}: {name:?} is not an environment variable name (letters, digits and _, \
                 not starting with a digit)"
            ),
        ))
    }
}

/// `s` as a path: `~/` is the home folder, a relative path is relative to `dir`.
fn expand_path(dir: &Path, s: &str) -> PathBuf {
    if let Some(rest) = s.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty())
    {
        return PathBuf::from(home).join(rest);
    }
    let p = PathBuf::from(s);
    if p.is_absolute() { p } else { dir.join(p) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refs::Field;

    #[test]
    fn env_files_mix_references_templates_and_plain_values() {
        let text = "# comment\nexport A=keywright://Stripe live/secret\nB=\"postgres://u:{{ keywright://DB/secret }}@h/db\"\nC=plain value\nD= keywright://X/code \n";
        let vars = env_file_vars(".env.tpl", text).expect("parses");
        assert_eq!(vars.len(), 4);
        assert!(
            matches!(&vars[0].value, Value::Ref(r) if *r == Reference::new("Stripe live", Field::Secret))
        );
        assert_eq!(vars[0].origin, ".env.tpl:2");
        assert!(matches!(&vars[1].value, Value::Template { refs, .. } if refs.len() == 1));
        assert!(matches!(&vars[2].value, Value::Plain(v) if v.as_str() == "plain value"));
        assert!(matches!(&vars[3].value, Value::Ref(r) if r.field == Field::Code));
        // Debug never shows a plain value (it may be a secret).
        assert!(!format!("{vars:?}").contains("plain value"));
    }

    #[test]
    fn a_bad_env_file_is_refused_whole_with_lines() {
        let e = env_file_vars(
            "t.env",
            "A=keywright://x/secret\nB=keywright://x/pasword\n1C=3\n",
        )
        .expect_err("refused")
        .to_string();
        assert!(
            e.contains("t.env:2, column 17: unknown field \"pasword\""),
            "{e}"
        );
        assert!(e.contains("t.env:3"), "{e}");
    }

    #[test]
    fn project_files_have_defaults_and_profiles() {
        let p = Project::parse(
            Path::new("/p/.keywright.toml"),
            "vault = \"v/team.db\"\n[env]\nA = \"keywright://A/secret\"\nPORT = 3000\n[env.staging]\nA = \"keywright://A test/secret\"\nB = \"b\"\n",
        )
        .expect("parses");
        assert_eq!(p.vault.as_deref(), Some(Path::new("/p/v/team.db")));
        let base = p.vars(None).expect("vars");
        assert_eq!(base.len(), 2);
        assert!(matches!(&base[1].value, Value::Plain(v) if v.as_str() == "3000"));
        let st = p.vars(Some("staging")).expect("vars");
        assert_eq!(st.len(), 3);
        assert!(matches!(&st[0].value, Value::Ref(r) if r.item == "A test"));
        assert!(st[0].origin.ends_with("[env.staging] A"));
        let e = p
            .vars(Some("prod"))
            .expect_err("no such profile")
            .to_string();
        assert!(
            e.contains("no profile \"prod\"") && e.contains("staging"),
            "{e}"
        );
    }

    #[test]
    fn project_file_mistakes_are_named() {
        let path = Path::new(".keywright.toml");
        let e = |t: &str| Project::parse(path, t).expect_err("refused").to_string();
        assert!(e("[enviroment]\n").contains("unknown key \"enviroment\""));
        assert!(e("[env]\nA = [1]\n").contains("env.A must be a text value"));
        assert!(e("[env]\n\"A-B\" = \"x\"\n").contains("\"A-B\" is not an environment variable"));
        assert!(e("[env\n").contains("line 1"));
        let p = Project::parse(path, "[env]\nA = \"keywright://A/scret\"\n").expect("parses");
        let msg = p.vars(None).expect_err("bad ref").to_string();
        assert!(
            msg.contains("[env] A, column 15: unknown field \"scret\""),
            "{msg}"
        );
    }

    #[test]
    fn finds_the_nearest_project_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let deep = dir.path().join("a/b/c");
        std::fs::create_dir_all(&deep).expect("mkdir");
        std::fs::write(dir.path().join("a").join(FILE_NAME), "[env]\n").expect("write");
        assert_eq!(find(&deep), Some(dir.path().join("a").join(FILE_NAME)));
        assert_eq!(find(dir.path()), None);
    }
}
