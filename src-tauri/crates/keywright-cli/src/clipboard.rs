//! `--copy` for a process that exits at once: on X11 and Wayland the copying process
//! serves the clipboard, so a short-lived holder (`keywright __clipboard-hold`, started in
//! the background) keeps the value for `seconds`, then clears it if it still holds it. The
//! value reaches the holder through a pipe, never argv.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use keywright_core::{Error, Result};
use zeroize::Zeroizing;

fn clip_err(reason: impl Into<String>) -> Error {
    Error::InvalidInput {
        field: "clipboard".into(),
        reason: reason.into(),
    }
}

/// Put `text` on the clipboard for `seconds` (through a background holder process).
pub fn copy(text: &str, seconds: u64) -> Result<()> {
    let exe = std::env::current_exe().map_err(|e| clip_err(format!("cannot find myself: {e}")))?;
    let mut child = Command::new(exe)
        .arg("__clipboard-hold")
        .arg("--seconds")
        .arg(seconds.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| clip_err(format!("cannot start the clipboard holder: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| clip_err(format!("cannot hand over the value: {e}")))?;
    }
    // The holder says "ok" once the clipboard holds the value, or why it could not.
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    match line.trim() {
        "ok" => Ok(()),
        "" => Err(clip_err("the clipboard holder stopped without an answer")),
        reason => Err(clip_err(format!(
            "unavailable ({reason}); run without --copy to print the code"
        ))),
    }
}

/// The holder: read the value from stdin, own the clipboard until `seconds` pass or
/// another program takes it, then clear it if it still holds the value.
pub fn hold(seconds: u64) -> Result<()> {
    let mut text = Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| clip_err(format!("cannot read the value: {e}")))?;
    let mut out = std::io::stdout();
    let mut cb = match arboard::Clipboard::new() {
        Ok(cb) => cb,
        Err(e) => {
            let _ = writeln!(out, "{e}");
            return Ok(());
        }
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    #[cfg(target_os = "linux")]
    {
        use arboard::SetExtLinux as _;
        // One set, with the "don't keep" hint from the first moment (clipboard managers
        // read the targets as soon as the owner changes). The set blocks while serving
        // the clipboard, so it runs on its own thread and success is announced once this
        // process owns the clipboard with the value.
        let value = text.clone();
        let server = std::thread::spawn(move || {
            let mut cb = cb;
            let set = cb
                .set()
                .exclude_from_history()
                .wait_until(deadline)
                .text(value.as_str());
            set.map(|()| cb)
        });
        let mut probe = match arboard::Clipboard::new() {
            Ok(p) => p,
            Err(e) => {
                let _ = writeln!(out, "{e}");
                return Ok(());
            }
        };
        let announce_by = Instant::now() + Duration::from_secs(5);
        loop {
            if probe.get_text().ok().as_deref() == Some(text.as_str()) {
                let _ = writeln!(out, "ok");
                break;
            }
            if server.is_finished() || Instant::now() > announce_by {
                let reason = match server.join() {
                    Ok(Err(e)) => e.to_string(),
                    _ => "the clipboard did not take the value".to_owned(),
                };
                let _ = writeln!(out, "{reason}");
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = out.flush();
        match server.join() {
            Ok(Ok(held)) => cb = held,
            _ => return Ok(()),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        if let Err(e) = cb.set_text(text.as_str()) {
            let _ = writeln!(out, "{e}");
            return Ok(());
        }
        let _ = writeln!(out, "ok");
        let _ = out.flush();
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    }
    if cb.get_text().ok().as_deref() == Some(text.as_str()) {
        let _ = cb.clear();
    }
    Ok(())
}
