//! `keywright scan`: the vault's own secrets in files, a working tree or the staged
//! changes (keywright-core's `scan`), and `--install-hook`, the git pre-commit hook that
//! runs it. Findings name the file, line, byte column, item and form, never the value;
//! the exit code is 1 when anything is found.

use std::path::{Path, PathBuf};
use std::time::Instant;

use keywright_core::scan::{self as core_scan, Finding, Report, Scanner};
use keywright_core::{Error, Result, paths};
use serde_json::json;

use crate::cli::ScanArgs;
use crate::commands::{Ctx, Out, emit, emit_json, written};
use crate::input::Input;
use crate::output::term_line;
use crate::unlock::{notice, open_unlocked};

/// The line that marks a pre-commit hook as Keywright's (re-installing it is fine; any
/// other hook is left alone unless --force).
const HOOK_MARK: &str = "# keywright-scan pre-commit hook";
/// Where --force keeps a hook it replaces, beside it.
const HOOK_BACKUP: &str = "pre-commit.before-keywright";

pub fn scan(ctx: &Ctx, a: ScanArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    if a.install_hook {
        return install_hook(ctx, a.force, out);
    }
    // What cannot be scanned is said before the vault is opened (no password asked for).
    let here = Path::new(".");
    if a.staged {
        core_scan::git_toplevel(here)?;
    } else {
        for p in &a.paths {
            std::fs::symlink_metadata(p).map_err(|e| Error::Io {
                action: "cannot scan",
                path: p.clone(),
                source: e,
            })?;
        }
    }
    let mut vault = open_unlocked(&ctx.path, input)?;
    let scanner = Scanner::from_vault(&mut vault)?;
    vault.close_for_exit();
    for l in &scanner.prepared().left_out {
        notice(&format!(
            "not searched for: {}: {}",
            l.name.as_deref().unwrap_or(&l.id),
            l.reason
        ));
    }
    let started = Instant::now();
    let report = if a.staged {
        scanner.scan_staged(here, &a.paths)?
    } else {
        scanner.scan_paths(&a.paths)?
    };
    let elapsed = started.elapsed();
    let prepared = scanner.prepared().clone();
    // The automaton (which encodes every needle) is freed before anything else happens.
    drop(scanner);

    for u in &report.unreadable {
        notice(&format!("cannot read {}: {}", u.path, u.reason));
    }
    if ctx.json {
        let found: Vec<_> = report.findings.iter().map(finding_json).collect();
        emit_json(out, &serde_json::Value::Array(found))?;
    } else {
        for f in &report.findings {
            written(writeln!(out, "{}", finding_line(f)))?;
        }
        let _ = out.flush();
        summary(&report, &prepared, elapsed.as_secs_f64(), a.staged);
    }
    if !report.findings.is_empty() {
        // The findings are the output; finding any is the exit code (1), as for grep -q's
        // opposite: a pre-commit hook blocks on it.
        let _ = out.flush();
        std::process::exit(1);
    }
    Ok(())
}

/// `scan --json` element: `{"file","line","column","item","form"}`.
fn finding_json(f: &Finding) -> serde_json::Value {
    json!({
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "item": f.item,
        "form": f.form.as_str(),
    })
}

/// `FILE:LINE:COLUMN: the secret of "NAME" (FORM)`, names shown escaped.
fn finding_line(f: &Finding) -> String {
    format!(
        "{}:{}:{}: the {} of {:?} ({})",
        term_line(&f.file),
        f.line,
        f.column,
        f.field.describe(),
        term_line(&f.item).as_ref(),
        f.form.as_str()
    )
}

fn summary(report: &Report, prepared: &core_scan::Prepared, secs: f64, staged: bool) {
    let n = report.findings.len();
    let what = if staged {
        ("staged file", "staged files")
    } else {
        ("file", "files")
    };
    let mut msg = format!(
        "{} scanned ({:.1} MB) in {secs:.2} s for {} of {}: ",
        count(report.files as usize, what.0, what.1),
        report.bytes as f64 / 1e6,
        count(prepared.values, "value", "values"),
        count(prepared.items, "item", "items"),
    );
    msg.push_str(&match n {
        0 => "no secret found".to_owned(),
        1 => "1 secret found".to_owned(),
        _ => format!("{n} secrets found"),
    });
    if report.binary > 0 {
        msg.push_str(&format!(
            "; {} skipped",
            count(report.binary as usize, "binary file", "binary files")
        ));
    }
    notice(&msg);
    if prepared.too_short > 0 {
        notice(&format!(
            "{} shorter than {} bytes not searched for (they would match everywhere)",
            count(prepared.too_short, "value", "values"),
            core_scan::MIN_SECRET_LEN
        ));
    }
}

/// "1 file", "2 files".
fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        _ => format!("{n} {many}"),
    }
}

/// `scan --install-hook [--force]`.
fn install_hook(ctx: &Ctx, force: bool, out: Out<'_>) -> Result<()> {
    let here = Path::new(".");
    core_scan::git_toplevel(here)?;
    let hooks = git_hooks_dir(here)?;
    paths::create_private_dir(&hooks)?;
    let hook = hooks.join("pre-commit");
    let mut replaced = None;
    match std::fs::read(&hook) {
        Ok(existing) => {
            let ours = String::from_utf8_lossy(&existing).contains(HOOK_MARK);
            if !ours {
                if !force {
                    return Err(Error::InvalidInput {
                        field: "--install-hook".into(),
                        reason: format!(
                            "A pre-commit hook that is not Keywright's is already at {}; it was \
                             left as it is. Add this line to it by hand: `keywright scan \
                             --staged || exit 1`, or run `keywright scan --install-hook \
                             --force` to replace it (it is then kept as {HOOK_BACKUP}).",
                            hook.display()
                        ),
                    });
                }
                let backup = hooks.join(HOOK_BACKUP);
                std::fs::rename(&hook, &backup).map_err(|e| Error::Io {
                    action: "cannot move the existing hook",
                    path: hook.clone(),
                    source: e,
                })?;
                replaced = Some(backup);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::Io {
                action: "cannot read",
                path: hook,
                source: e,
            });
        }
    }
    let vault = embedded_vault(&ctx.path);
    let script = hook_script(vault.as_deref());
    write_executable(&hook, script.as_bytes())?;
    if ctx.json {
        emit_json(
            out,
            &json!({"hook": hook, "replaced": replaced, "vault": vault}),
        )
    } else {
        let mut msg = format!(
            "Installed the pre-commit hook {}: a commit whose staged changes hold a secret of \
             the vault is refused (`git commit --no-verify` skips the check once).",
            hook.display()
        );
        if let Some(b) = &replaced {
            msg.push_str(&format!(
                " The hook it replaced is kept as {}.",
                b.display()
            ));
        }
        emit(out, &msg)
    }
}

/// The hooks folder of the repository of `dir` (honours core.hooksPath).
fn git_hooks_dir(dir: &Path) -> Result<PathBuf> {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "--git-path", "hooks"])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::Io {
            action: "cannot run",
            path: "git".into(),
            source: e,
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let text = text.trim_end_matches(['\n', '\r']);
    if !out.status.success() || text.is_empty() {
        return Err(Error::InvalidInput {
            field: "--install-hook".into(),
            reason: format!(
                "git did not say where the hooks are: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    let hooks = dir.join(text);
    Ok(std::path::absolute(&hooks).unwrap_or(hooks))
}

/// The vault the hook names: the one this command used, when it is not the default one
/// (`--vault` or `KEYWRIGHT_VAULT` at install time); `KEYWRIGHT_VAULT` at commit time still
/// wins.
fn embedded_vault(path: &Path) -> Option<PathBuf> {
    let default = paths::default_vault_path(None).ok();
    if default.as_deref() == Some(path) {
        return None;
    }
    Some(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// The hook: `keywright scan --staged` with `keywright` from PATH, else this binary; a
/// failure of any kind (a secret found, the vault locked, keywright missing) blocks the
/// commit, with what to do.
fn hook_script(vault: Option<&Path>) -> String {
    let exe = std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let vault_line = vault.map_or(String::new(), |v| {
        format!(
            "if [ -z \"${{KEYWRIGHT_VAULT:-}}\" ]; then\n    KEYWRIGHT_VAULT={}\n    \
             export KEYWRIGHT_VAULT\nfi\n",
            crate::refs::shell_quote(&v.to_string_lossy())
        )
    });
    format!(
        r#"#!/bin/sh
{HOOK_MARK}, installed by `keywright scan --install-hook`.
# A commit whose staged changes hold a secret of your Keywright vault is refused.
# Skip the check once: git commit --no-verify. Uninstall: delete this file.
{vault_line}if command -v keywright >/dev/null 2>&1; then
    kw=keywright
else
    kw={exe}
fi
if ! command -v "$kw" >/dev/null 2>&1; then
    echo "keywright pre-commit hook: keywright is not on PATH (nor at $kw); commit refused." >&2
    echo "  Install keywright, or skip the check once: git commit --no-verify" >&2
    exit 1
fi
# A terminal commit may ask for the vault password; git gives hooks no stdin.
if [ -t 2 ] && (exec </dev/tty) 2>/dev/null; then
    exec </dev/tty
fi
"$kw" scan --staged
status=$?
if [ "$status" -ne 0 ]; then
    echo "keywright pre-commit hook: commit refused (see above). Take the secret out of the" >&2
    echo "  staged changes (then git add), or unlock the vault if it could not be opened:" >&2
    echo "  eval \"\$(keywright unlock)\", or keywright keyring enable." >&2
    echo "  To commit anyway: git commit --no-verify" >&2
fi
exit "$status"
"#,
        exe = crate::refs::shell_quote(&exe),
    )
}

/// Write `bytes` to `path` (mode 0755) through a temporary file and a rename.
fn write_executable(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| Error::Io {
        action: "cannot write",
        path: path.to_path_buf(),
        source: e,
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".keywright-tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}
