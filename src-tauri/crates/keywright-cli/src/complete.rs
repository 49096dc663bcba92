//! Shell completion through clap's completion engine: the shell code `keywright
//! completions SHELL` prints calls `COMPLETE=SHELL keywright -- keywright ARGS…` on each
//! Tab, and this binary answers with the commands, options and, for the arguments that
//! name an item, the vault's item names. Item names come only from a vault that opens
//! without a prompt (`KEYWRIGHT_SESSION`, or the keyring slot): when it is locked there
//! are none, and nothing is printed on stderr.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::CommandFactory as _;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use keywright_core::refs::{self, FIELDS};
use keywright_core::vault::session;
use keywright_core::{Kind, Vault, paths};
use secrecy::SecretString;

use crate::cli::{Cli, ShellArg};
use crate::commands::{Out, written};

/// The command line with the completers attached.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    let takes_name: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| {
            // `restore NAME` names an item in the Trash, which a list of the vault would
            // not offer.
            s.get_name() != "restore"
                && s.get_arguments()
                    .any(|a| a.get_id() == "name" && a.is_positional())
        })
        .map(|s| s.get_name().to_owned())
        .collect();
    // `mut_args` keeps the arguments in order (`mut_arg` would move the one it changes to
    // the end, after the optional positionals).
    fn with(
        id: &'static str,
        completer: ArgValueCompleter,
    ) -> impl FnOnce(clap::Command) -> clap::Command {
        move |c: clap::Command| {
            c.mut_args(move |a| {
                if a.get_id() == id {
                    a.add(completer.clone())
                } else {
                    a
                }
            })
        }
    }
    for sub in takes_name {
        // Commands that only make sense for some kinds complete only those.
        let kinds: &'static [Kind] = match sub.as_str() {
            "totp" | "hotp" | "qr" => &[Kind::Totp],
            "token" | "renew" | "login" => &[Kind::Oauth2],
            _ => &[],
        };
        let completer = ArgValueCompleter::new(move |c: &OsStr| item_names(c, kinds));
        cmd = cmd.mut_subcommand(sub, with("name", completer));
    }
    cmd.mut_subcommand(
        "read",
        with("reference", ArgValueCompleter::new(references)),
    )
    .mut_subcommand("run", with("env", ArgValueCompleter::new(env_pairs)))
}

/// The shell asking (`COMPLETE`), read before clap's engine removes the variable.
static SHELL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Answers a completion request (when `COMPLETE` is set) and exits; otherwise returns.
pub fn answer_if_asked() {
    if let Some(shell) = std::env::var_os("COMPLETE") {
        let _ = SHELL.set(shell.to_string_lossy().into_owned());
    }
    clap_complete::CompleteEnv::with_factory(command).complete();
}

/// Bash inserts a candidate as it is: a name with a space would become two words. For bash
/// the word typed so far is read without its escapes, and candidates are escaped.
fn for_bash() -> bool {
    SHELL.get().is_some_and(|s| s == "bash")
}

/// The word being completed, as the user means it (bash hands it over as typed:
/// `Stripe\ l`, `"Stripe l`).
fn typed(current: &OsStr) -> String {
    let raw = current.to_string_lossy();
    if !for_bash() {
        return raw.into_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.trim_start_matches(['"', '\'']).chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A candidate as the shell should insert it.
fn candidate(text: String) -> CompletionCandidate {
    if !for_bash() {
        return CompletionCandidate::new(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if c.is_whitespace() || "'\"\\$`()&;|<>*?[]{}!#~^".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    CompletionCandidate::new(out)
}

/// `keywright completions SHELL`: the shell code that registers the completer.
pub fn registration(shell: ShellArg, out: Out<'_>) -> keywright_core::Result<()> {
    use clap_complete::env::EnvCompleter;
    let completer: &dyn EnvCompleter = match shell {
        ShellArg::Bash => &clap_complete::env::Bash,
        ShellArg::Zsh => &clap_complete::env::Zsh,
        ShellArg::Fish => &clap_complete::env::Fish,
        ShellArg::Powershell => &clap_complete::env::Powershell,
        ShellArg::Elvish => &clap_complete::env::Elvish,
    };
    // The program the shell calls back: `keywright` when that is this binary on PATH
    // (an installed package), else this binary's own path.
    let me = std::env::current_exe().ok();
    let on_path = which("keywright");
    let program = match (&me, &on_path) {
        (Some(me), Some(p)) if same_file(me, p) => "keywright".to_owned(),
        (Some(me), _) => me.display().to_string(),
        (None, _) => "keywright".to_owned(),
    };
    let mut buf = Vec::new();
    completer
        .write_registration("COMPLETE", "keywright", "keywright", &program, &mut buf)
        .map_err(|e| keywright_core::Error::Io {
            action: "cannot write",
            path: "the completion script".into(),
            source: e,
        })?;
    written(out.write_all(&buf))
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The vault path the command line being completed names (`--vault P`), else the usual.
fn vault_path() -> Option<PathBuf> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let start = args.iter().position(|a| a == "--").map_or(0, |i| i + 1);
    let mut explicit = None;
    let mut it = args[start..].iter();
    while let Some(a) = it.next() {
        let s = a.to_string_lossy();
        if s == "--vault" {
            explicit = it.next().map(PathBuf::from);
        } else if let Some(v) = s.strip_prefix("--vault=") {
            explicit = Some(PathBuf::from(v));
        }
    }
    paths::resolve_vault_path(explicit.as_deref()).ok()
}

/// The vault's item names (with their kinds), when it opens without a prompt and without a
/// word on stderr.
fn names() -> Vec<(String, Kind)> {
    let Some(path) = vault_path().filter(|p| p.is_file()) else {
        return Vec::new();
    };
    let Ok(mut vault) = Vault::open(&path) else {
        return Vec::new();
    };
    let token = std::env::var(session::SESSION_ENV)
        .ok()
        .filter(|t| !t.is_empty());
    let unlocked = token.is_some_and(|t| {
        session::session_dir()
            .and_then(|dir| session::unlock(&mut vault, &SecretString::from(t), &dir))
            .is_ok()
    }) || (vault.has_keyring_slot()
        && crate::unlock::system_keyring()
            .and_then(|kr| vault.unlock_with_keyring(&kr))
            .is_ok());
    if !unlocked {
        return Vec::new();
    }
    let mut names: Vec<(String, Kind)> = match vault.items() {
        Ok(items) => items
            .iter()
            .map(|i| (i.overview.name.clone(), i.overview.kind))
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort_by_key(|(n, _)| n.to_lowercase());
    names
}

/// Case-insensitive prefix match (what a user types first is rarely the exact case).
fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.to_lowercase().starts_with(&prefix.to_lowercase())
}

fn item_names(current: &OsStr, kinds: &[Kind]) -> Vec<CompletionCandidate> {
    let current = typed(current);
    names()
        .into_iter()
        .filter(|(_, k)| kinds.is_empty() || kinds.contains(k))
        .map(|(n, _)| n)
        .filter(|n| starts_with_ci(n, &current))
        .map(candidate)
        .collect()
}

fn env_pairs(current: &OsStr) -> Vec<CompletionCandidate> {
    let current = typed(current);
    let Some((var, name)) = current.split_once('=') else {
        return Vec::new();
    };
    names()
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| starts_with_ci(n, name))
        .map(|n| candidate(format!("{var}={n}")))
        .collect()
}

fn references(current: &OsStr) -> Vec<CompletionCandidate> {
    let current = typed(current);
    let scheme = refs::SCHEME;
    if !refs::is_reference(&current) {
        return if starts_with_ci(scheme, &current) {
            vec![candidate(scheme.to_owned())]
        } else {
            Vec::new()
        };
    }
    let rest = &current[scheme.len()..];
    let names: Vec<String> = names().into_iter().map(|(n, _)| n).collect();
    // After ITEM/ of a known item: its fields.
    if let Some((item, field)) = rest.rsplit_once('/')
        && let Ok(r) = refs::Reference::parse(&format!("{scheme}{item}/secret"))
        && names.iter().any(|n| n.eq_ignore_ascii_case(&r.item))
    {
        return FIELDS
            .iter()
            .filter(|f| f.as_str().starts_with(field))
            .map(|f| candidate(format!("{scheme}{item}/{}", f.as_str())))
            .collect();
    }
    names
        .into_iter()
        .map(|n| refs::encode_item(&n))
        .filter(|n| starts_with_ci(n, rest))
        .map(|n| candidate(format!("{scheme}{n}/")))
        .collect()
}
