//! Makes the manual pages (keywright.1 and one keywright-COMMAND.1 per command) from the
//! command-line definition at build time, into OUT_DIR/man; `keywright __man DIR` writes
//! them out for packages.

//!
//! It also records the git commit the binary is built from (`KEYWRIGHT_GIT_COMMIT`, for
//! `keywright --version`): `git rev-parse` of the checkout, or the variable itself when a
//! packager sets it (a source tarball has no .git), else "unknown".

use std::path::PathBuf;
use std::process::Command;

#[allow(dead_code)]
#[path = "src/cli.rs"]
mod cli;

/// What `cli.rs` names as the version; the build script's own copy (the binary's is in
/// main.rs, with the commit).
const VERSION: &str = env!("CARGO_PKG_VERSION");

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

fn main() {
    println!("cargo:rerun-if-changed=src/cli.rs");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=KEYWRIGHT_GIT_COMMIT");
    let (commit, watch) = git_commit();
    for p in watch.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    println!("cargo:rustc-env=KEYWRIGHT_GIT_COMMIT={commit}");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = out.join("man");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create OUT_DIR/man");
    let cmd = <cli::Cli as clap::CommandFactory>::command()
        // A build script runs once: leaking this string is fine (clap takes &'static str).
        .version(&*Box::leak(
            format!("{VERSION} ({commit})").into_boxed_str(),
        ));
    clap_mangen::generate_to(cmd, &dir).expect("write the manual pages");
    // The pages, embedded in the binary: (file name, contents).
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read OUT_DIR/man")
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    let mut list = String::from("pub const PAGES: &[(&str, &[u8])] = &[\n");
    for n in &names {
        list.push_str(&format!(
            "    ({n:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/man/{n}\"))),\n"
        ));
    }
    list.push_str("];\n");
    std::fs::write(out.join("man_pages.rs"), list).expect("write man_pages.rs");
}
