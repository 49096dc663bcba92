//! Secret references where keys are used: `read`, `inject`, `env`, and the environment
//! `run` builds from `--env`, `--env-file` and the project file.

use std::path::{Path, PathBuf};

use keywright_core::limits::MAX_IMPORT_BYTES;
use keywright_core::project::{self, Project, Value, Var};
use keywright_core::refs::{self, CheckStatus, Reference, Resolver};
use keywright_core::{Error, Result, Vault, paths, timefmt};
use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::{EnvArgs, InjectArgs, ReadArgs, RunArgs};
use crate::commands::{Ctx, Out, emit, emit_json, written};
use crate::input::{Input, read_file_limited};
use crate::tokens::block_on;
use crate::unlock::{notice, open_unlocked};

/// A reference given on the command line, parsed; the error names the column.
fn parse_arg(s: &str) -> Result<Reference> {
    Reference::parse(s).map_err(|e| Error::InvalidInput {
        field: "reference".into(),
        reason: format!("{s:?}, {e}"),
    })
}

/// Resolve one reference, saying so when a token was renewed for it.
fn resolve_one(
    vault: &mut Vault,
    resolver: &mut Resolver,
    r: &Reference,
) -> Result<(Zeroizing<String>, refs::Resolved)> {
    let (value, how) = block_on(resolver.resolve(vault, r))??;
    if let Some(grant) = how.renewed {
        notice(&format!("renewed {} ({grant})", how.item_name));
    }
    Ok((value, how))
}

pub fn read(ctx: &Ctx, a: ReadArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let r = parse_arg(&a.reference)?;
    let mut vault = open_unlocked(&ctx.path, input)?;
    let mut resolver = Resolver::new("keywright read");
    let (value, item) = resolve_one(&mut vault, &mut resolver, &r)?;
    resolver.record(&mut vault)?;
    vault.close_for_exit();
    if ctx.json {
        return emit_json(
            out,
            &json!({
                "reference": r.to_string(),
                "item": item.item_name,
                "id": item.item_id,
                "field": r.field.as_str(),
                "value": value.as_str(),
            }),
        );
    }
    // The value as it is: not escaped (it is what a script asked for).
    let mut bytes = Zeroizing::new(value.as_bytes().to_vec());
    if !a.no_newline {
        bytes.push(b'\n');
    }
    written(std::io::Write::write_all(out, &bytes))
}

/// A file or stdin (`-`), as UTF-8 text.
fn read_text(
    spec: &str,
    input: &mut Input,
    what: &'static str,
) -> Result<(String, Zeroizing<String>)> {
    let (display, bytes) = if spec == "-" {
        ("stdin".to_owned(), input.rest_bytes()?)
    } else {
        let p = Path::new(spec);
        (
            spec.to_owned(),
            read_file_limited(p, MAX_IMPORT_BYTES, what)?,
        )
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::InvalidInput {
        field: "template".into(),
        reason: format!(
            "{display} is not UTF-8 text (byte {} is not)",
            e.valid_up_to() + 1
        ),
    })?;
    Ok((display, Zeroizing::new(text.to_owned())))
}

pub fn inject(ctx: &Ctx, a: InjectArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    // An existing output is refused before anything is read or unlocked (the write checks
    // again, atomically).
    if let Some(path) = &a.output {
        crate::export::refuse_existing(path, a.force)?;
    }
    // With --password-stdin the first line is the password, the rest the template.
    let template_from_stdin = a.input == "-";
    let mut vault = if template_from_stdin && input.password_stdin() {
        Some(open_unlocked(&ctx.path, input)?)
    } else {
        None
    };
    let (display, text) = read_text(&a.input, input, "cannot read the template")?;
    let found = refs::template_refs(&text);
    let malformed: Vec<String> = found
        .iter()
        .filter_map(|r| {
            r.parsed
                .as_ref()
                .err()
                .map(|e| format!("{display}:{}: {}", r.location(), e.reason))
        })
        .collect();
    if !malformed.is_empty() {
        return Err(Error::InvalidInput {
            field: "template".into(),
            reason: format!("{} (nothing was written)", malformed.join("; ")),
        });
    }
    let mut vault = match vault.take() {
        Some(v) => v,
        None => open_unlocked(&ctx.path, input)?,
    };
    let mut resolver = Resolver::new("keywright inject");
    let mut values = Vec::with_capacity(found.len());
    let mut problems = Vec::new();
    for r in &found {
        let Ok(reference) = &r.parsed else { continue };
        match resolve_one(&mut vault, &mut resolver, reference) {
            Ok((v, _)) => values.push(v),
            Err(e) => problems.push(format!("{display}:{}: {reference}: {e}", r.location())),
        }
    }
    if !problems.is_empty() {
        vault.close_for_exit();
        return Err(Error::InvalidInput {
            field: "template".into(),
            reason: format!(
                "{} of {} reference(s) do not resolve (nothing was written): {}",
                problems.len(),
                found.len(),
                problems.join("; ")
            ),
        });
    }
    let rendered = refs::render(&text, &found, &values);
    resolver.record(&mut vault)?;
    vault.close_for_exit();
    match &a.output {
        Some(path) => {
            paths::write_private_atomic(path, rendered.as_bytes(), a.force)?;
            if ctx.json {
                emit_json(
                    out,
                    &json!({"path": path, "references": found.len(), "bytes": rendered.len()}),
                )
            } else {
                notice(&format!(
                    "wrote {} ({} reference(s) filled, owner-only)",
                    path.display(),
                    found.len()
                ));
                Ok(())
            }
        }
        None => written(std::io::Write::write_all(out, rendered.as_bytes())),
    }
}

/// Where an environment comes from.
pub(crate) struct EnvSource {
    /// The project file, when it was used.
    pub project: Option<PathBuf>,
    pub profile: Option<String>,
    pub vars: Vec<Var>,
}

fn env_files(files: &[PathBuf]) -> Result<Vec<Var>> {
    let mut vars = Vec::new();
    for f in files {
        let bytes = read_file_limited(f, MAX_IMPORT_BYTES, "cannot read the env file")?;
        let text = std::str::from_utf8(&bytes).map_err(|_| Error::InvalidInput {
            field: "env file".into(),
            reason: format!("{} is not UTF-8 text", f.display()),
        })?;
        vars.extend(project::env_file_vars(&f.display().to_string(), text)?);
    }
    Ok(vars)
}

fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().map_err(|e| Error::Io {
        action: "cannot read",
        path: ".".into(),
        source: e,
    })
}

/// The project file for this directory, read.
pub(crate) fn project_here() -> Result<Option<Project>> {
    match project::find(&current_dir()?) {
        Some(p) => Project::load(&p).map(Some),
        None => Ok(None),
    }
}

/// Later definitions of a variable replace earlier ones, in place of the first.
fn dedupe(vars: Vec<Var>) -> Vec<Var> {
    let mut out: Vec<Var> = Vec::with_capacity(vars.len());
    for v in vars {
        match out.iter_mut().find(|o| o.name == v.name) {
            Some(slot) => *slot = v,
            None => out.push(v),
        }
    }
    out
}

/// The environment of `keywright run`: the project file (when neither --env nor --env-file
/// is given, or --profile is), then the --env-file files, then --env.
pub(crate) fn run_env(a: &RunArgs) -> Result<EnvSource> {
    let use_project = (a.env.is_empty() && a.env_files.is_empty()) || a.profile.is_some();
    let mut source = EnvSource {
        project: None,
        profile: a.profile.clone(),
        vars: Vec::new(),
    };
    if use_project {
        match project_here()? {
            Some(p) => {
                source.vars = p.vars(a.profile.as_deref())?;
                source.project = Some(p.path);
            }
            None if a.profile.is_some() => {
                return Err(Error::InvalidInput {
                    field: "profile".into(),
                    reason: format!(
                        "no {} in this folder or above, so no profile to choose",
                        project::FILE_NAME
                    ),
                });
            }
            None => {}
        }
    }
    source.vars.extend(env_files(&a.env_files)?);
    for spec in &a.env {
        let (var, name) = spec.split_once('=').ok_or_else(|| Error::InvalidInput {
            field: "env".into(),
            reason: format!("{spec:?} is not VAR=NAME"),
        })?;
        if !project::valid_var_name(var) {
            return Err(Error::InvalidInput {
                field: "env".into(),
                reason: format!("{var:?} is not an environment variable name (letters, digits, _)"),
            });
        }
        let value = if refs::is_reference(name) {
            Value::Ref(parse_arg(name)?)
        } else {
            Value::Item(name.to_owned())
        };
        source.vars.push(Var {
            name: var.to_owned(),
            value,
            origin: format!("--env {var}"),
        });
    }
    if source.vars.is_empty() {
        return Err(Error::InvalidInput {
            field: "env".into(),
            reason: format!(
                "nothing to put in the command's environment: give --env VAR=NAME or \
                 --env-file FILE, or write a {} (see `keywright env --help`)",
                project::FILE_NAME
            ),
        });
    }
    source.vars = dedupe(source.vars);
    Ok(source)
}

/// One variable, resolved.
pub(crate) struct ResolvedVar {
    pub name: String,
    pub value: Zeroizing<String>,
    /// Values to mask in the command's output: the secret parts of the value.
    pub secrets: Vec<Zeroizing<String>>,
}

/// Resolve every variable; all that fail are named together, and nothing is returned then.
pub(crate) fn resolve_vars(
    vault: &mut Vault,
    resolver: &mut Resolver,
    vars: &[Var],
) -> Result<Vec<ResolvedVar>> {
    let mut out = Vec::with_capacity(vars.len());
    let mut problems = Vec::new();
    for var in vars {
        // An item named on the command line: its natural field, once it is found.
        let natural = match &var.value {
            Value::Item(name) => Some(match vault.find(name) {
                Ok(item) => Ok(Reference::new(
                    item.id,
                    refs::natural_field(item.overview.kind),
                )),
                Err(Error::NotFound { .. }) => Err(Error::InvalidInput {
                    field: "reference".into(),
                    reason: format!("no item named {name:?}"),
                }),
                Err(e) => Err(e),
            }),
            _ => None,
        };
        let mut resolve = |r: &Reference| -> Result<(Zeroizing<String>, Vec<Zeroizing<String>>)> {
            let (v, _) = resolve_one(vault, resolver, r).map_err(|e| match e {
                Error::NotFound { .. } => Error::InvalidInput {
                    field: "reference".into(),
                    reason: format!("no item named {:?}", r.item),
                },
                e => e,
            })?;
            let secrets = if r.field.is_secret() {
                vec![v.clone()]
            } else {
                Vec::new()
            };
            Ok((v, secrets))
        };
        let result = match &var.value {
            Value::Plain(v) => Ok((v.clone(), Vec::new())),
            Value::Ref(r) => resolve(r),
            Value::Item(_) => match natural {
                Some(Ok(r)) => resolve(&r),
                Some(Err(e)) => Err(e),
                None => unreachable!("set for Value::Item above"),
            },
            Value::Template { text, refs: found } => {
                let mut values = Vec::with_capacity(found.len());
                let mut secrets = Vec::new();
                let mut failed = None;
                for t in found {
                    let Ok(r) = &t.parsed else { continue };
                    match resolve(r) {
                        Ok((v, mut s)) => {
                            secrets.append(&mut s);
                            values.push(v);
                        }
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                match failed {
                    Some(e) => Err(e),
                    None => {
                        let whole = refs::render(text, found, &values);
                        if !secrets.is_empty() {
                            secrets.push(whole.clone());
                        }
                        Ok((whole, secrets))
                    }
                }
            }
        };
        match result {
            Ok((value, secrets)) => out.push(ResolvedVar {
                name: var.name.clone(),
                value,
                secrets,
            }),
            Err(e) => problems.push(format!("{} ({}): {e}", var.name, var.origin)),
        }
    }
    if !problems.is_empty() {
        return Err(Error::InvalidInput {
            field: "environment".into(),
            reason: format!(
                "{} variable(s) do not resolve (the command was not run): {}",
                problems.len(),
                problems.join("; ")
            ),
        });
    }
    Ok(out)
}

/// Single-quoted for a POSIX shell.
pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

pub fn env(ctx: &Ctx, a: EnvArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let source = if a.env_files.is_empty() {
        let Some(p) = project_here()? else {
            return Err(Error::InvalidInput {
                field: "project file".into(),
                reason: format!(
                    "no {} in this folder or above (and no --env-file). Write one at the top \
                     of the project:\n\n[env]\nSTRIPE_KEY = \"keywright://Stripe live/secret\"\n",
                    project::FILE_NAME
                ),
            });
        };
        EnvSource {
            vars: p.vars(a.profile.as_deref())?,
            project: Some(p.path),
            profile: a.profile.clone(),
        }
    } else {
        EnvSource {
            vars: dedupe(env_files(&a.env_files)?),
            project: None,
            profile: None,
        }
    };
    let from = match &source.project {
        Some(p) => p.display().to_string(),
        None => a
            .env_files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    };
    if a.export {
        let mut vault = open_unlocked(&ctx.path, input)?;
        let mut resolver = Resolver::new("keywright env --export");
        let resolved = resolve_vars(&mut vault, &mut resolver, &source.vars)?;
        resolver.record(&mut vault)?;
        vault.close_for_exit();
        let mut text = Zeroizing::new(String::new());
        for v in &resolved {
            text.push_str(&format!("export {}={}\n", v.name, shell_quote(&v.value)));
        }
        return written(std::io::Write::write_all(out, text.as_bytes()));
    }
    if !a.check {
        return list_env(ctx, &source, &from, out);
    }
    let mut vault = open_unlocked(&ctx.path, input)?;
    let now = timefmt::now();
    let mut rows = Vec::new();
    let mut failed = 0;
    let mut counts = std::collections::BTreeMap::<&'static str, usize>::new();
    for var in &source.vars {
        let mut checks = Vec::new();
        for r in var.value.references() {
            let c = refs::check(&mut vault, r, now)?;
            *counts.entry(c.status.as_str()).or_default() += 1;
            checks.push((r.clone(), c));
        }
        let worst = checks
            .iter()
            .map(|(_, c)| c.status)
            .max()
            .map_or("plain", CheckStatus::as_str);
        if checks.iter().any(|(_, c)| c.status.fails()) {
            failed += 1;
        }
        rows.push((var, worst, checks));
    }
    vault.close_for_exit();
    if ctx.json {
        let vars: Vec<_> = rows
            .iter()
            .map(|(var, status, checks)| {
                json!({
                    "name": var.name,
                    "status": status,
                    "origin": var.origin,
                    "references": checks.iter().map(|(r, c)| json!({
                        "reference": r.to_string(),
                        "status": c.status.as_str(),
                        "item": c.item,
                        "detail": c.detail,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        emit_json(
            out,
            &json!({
                "source": from,
                "profile": source.profile,
                "ok": failed == 0,
                "vars": vars,
            }),
        )?;
    } else {
        let width = rows
            .iter()
            .map(|(v, _, _)| v.name.len())
            .max()
            .unwrap_or(8)
            .max(8);
        let mut text = format!(
            "{from}{}\n{:<width$}  {:<8}  REFERENCE",
            source
                .profile
                .as_deref()
                .map(|p| format!(" (profile {p})"))
                .unwrap_or_default(),
            "VARIABLE",
            "STATUS"
        );
        for (var, status, checks) in &rows {
            if checks.is_empty() {
                text.push_str(&format!(
                    "\n{:<width$}  {:<8}  (plain value)",
                    var.name, status
                ));
            }
            for (i, (r, c)) in checks.iter().enumerate() {
                let name = if i == 0 { var.name.as_str() } else { "" };
                text.push_str(&format!(
                    "\n{name:<width$}  {:<8}  {r}  ({})",
                    c.status.as_str(),
                    c.detail
                ));
            }
        }
        let total: usize = counts.values().sum();
        let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
        text.push_str(&format!(
            "\n{total} reference(s): {}",
            if summary.is_empty() {
                "none".to_owned()
            } else {
                summary.join(", ")
            }
        ));
        emit(out, &text)?;
    }
    if failed > 0 {
        let _ = out.flush();
        std::process::exit(1);
    }
    Ok(())
}

/// `keywright env` alone: the variables and what they name (no vault needed, no values).
fn list_env(ctx: &Ctx, source: &EnvSource, from: &str, out: Out<'_>) -> Result<()> {
    if ctx.json {
        let vars: Vec<_> = source
            .vars
            .iter()
            .map(|v| {
                json!({
                    "name": v.name,
                    "origin": v.origin,
                    "references": v.value.references().iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                })
            })
            .collect();
        return emit_json(
            out,
            &json!({"source": from, "profile": source.profile, "vars": vars}),
        );
    }
    let width = source
        .vars
        .iter()
        .map(|v| v.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut text = format!("{from}\n{:<width$}  VALUE", "VARIABLE");
    for v in &source.vars {
        let what = match &v.value {
            Value::Plain(_) => "(plain value)".to_owned(),
            Value::Ref(r) => r.to_string(),
            Value::Item(name) => format!("the item {name:?}"),
            Value::Template { .. } => format!(
                "text with {}",
                v.value
                    .references()
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        text.push_str(&format!("\n{:<width$}  {what}", v.name));
    }
    text.push_str("\n`keywright env --check` says whether they resolve");
    emit(out, &text)
}
