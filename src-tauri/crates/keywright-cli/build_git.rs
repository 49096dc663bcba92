//! For build scripts (`#[path]`-included by keywright-cli's and the app's `build.rs`): the
//! git commit a binary is built from, as `KEYWRIGHT_GIT_COMMIT` for `env!`.
//!
//! `git rev-parse` of the checkout, or the variable itself when a packager sets it (a
//! source tarball has no .git), else "unknown".

use std::path::PathBuf;
use std::process::Command;

/// The short commit of the checkout, and the files whose change means another commit.
fn git_commit() -> (String, Vec<PathBuf>) {
    if let Ok(c) = std::env::var("KEYWRIGHT_GIT_COMMIT")
        && !c.trim().is_empty()
    {
        return (c.trim().to_owned(), Vec::new());
    }
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return ("unknown".to_owned(), Vec::new());
    };
    // HEAD, the branch it points at, and packed-refs: a new commit changes one of them.
    let mut watch = Vec::new();
    for name in ["HEAD", "packed-refs"] {
        if let Some(p) = git(&["rev-parse", "--git-path", name]) {
            watch.push(PathBuf::from(p));
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(p) = git(&["rev-parse", "--git-path", &branch])
    {
        watch.push(PathBuf::from(p));
    }
    (commit, watch)
}

/// Emit `KEYWRIGHT_GIT_COMMIT` and what to watch for it; returns the commit.
pub fn emit() -> String {
    println!("cargo:rerun-if-env-changed=KEYWRIGHT_GIT_COMMIT");
    let (commit, watch) = git_commit();
    for p in watch.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    println!("cargo:rustc-env=KEYWRIGHT_GIT_COMMIT={commit}");
    commit
}
