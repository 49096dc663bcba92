//! Makes the manual pages (keywright.1 and one keywright-COMMAND.1 per command) from the
//! command-line definition at build time, into OUT_DIR/man; `keywright __man DIR` writes
//! them out for packages.

//!
//! It also records the git commit the binary is built from (`KEYWRIGHT_GIT_COMMIT`, for
//! `keywright --version`; see build_git.rs).

use std::path::PathBuf;

#[path = "build_git.rs"]
mod build_git;

#[allow(dead_code)]
#[path = "src/cli.rs"]
mod cli;

/// What `cli.rs` names as the version; the build script's own copy (the binary's is in
/// main.rs, with the commit).
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn main() {
    println!("cargo:rerun-if-changed=src/cli.rs");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build_git.rs");
    let commit = build_git::emit();
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
