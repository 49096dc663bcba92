//! `keywright`: the command-line tool and scripting contract of Keywright.
//!
//! `main` parses, runs, and maps errors to a message (or `{"error":…}` with `--json`) and
//! an exit code. Commands are adapters over keywright-core.

mod backup;
mod cli;
mod clipboard;
mod commands;
mod complete;
mod export;
mod import;
mod input;
mod otp;
mod output;
mod refs;
mod request;
mod rotate;
mod scan;
mod sync;
mod tokens;
mod trash;
mod unlock;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::Cli;

/// `keywright --version`: the package version and the git commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("KEYWRIGHT_GIT_COMMIT"),
    ")"
);

fn main() -> ExitCode {
    // A shell asking for completions (COMPLETE=bash keywright -- …) is answered here.
    complete::answer_if_asked();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // With --json, usage errors keep the {"error":…} contract; otherwise clap prints.
            let wants_json = std::env::args_os().any(|a| a == "--json");
            if wants_json && e.use_stderr() {
                let rendered = e.render().to_string();
                // The message is the first paragraph: "error: …" and its indented details.
                let msg = rendered
                    .lines()
                    .take_while(|l| !l.trim().is_empty())
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(" ");
                let msg = msg.strip_prefix("error: ").unwrap_or(&msg);
                let body = serde_json::json!({"error": {"kind": "usage", "message": msg}});
                let _ = writeln!(std::io::stdout(), "{body}");
                return ExitCode::from(2);
            }
            e.exit()
        }
    };
    let json = cli.json;
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let result = commands::run(cli, &mut out);
    let _ = out.flush();
    drop(out);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                let body =
                    serde_json::json!({"error": {"kind": e.kind(), "message": e.to_string()}});
                let _ = writeln!(std::io::stdout(), "{body}");
            } else {
                let mut err = std::io::stderr().lock();
                // Messages can quote input (a name, a file's line): shown escaped.
                let _ = writeln!(err, "keywright: {}", output::term_text(&e.to_string()));
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    let _ = writeln!(err, "  caused by: {}", output::term_text(&s.to_string()));
                    source = s.source();
                }
                if let Some(hint) = output::hint(&e) {
                    let _ = writeln!(err, "hint: {hint}");
                }
            }
            ExitCode::FAILURE
        }
    }
}
