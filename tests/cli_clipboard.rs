//! `keywright totp --copy` on a real X server (Xvfb): the clipboard holds the code, with the
//! "don't keep" hint for clipboard managers from the first moment it holds it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::Cli;

/// An Xvfb display of our own, stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn xvfb() -> Option<Xvfb> {
    for n in 230..330 {
        if std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            continue;
        }
        let display = format!(":{n}");
        let mut child = Command::new("Xvfb")
            .args([&display, "-screen", "0", "640x480x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                break;
            }
            let up = Command::new("xdpyinfo")
                .args(["-display", &display])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if up {
                return Some(Xvfb { child, display });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    None
}

fn xclip(display: &str, args: &[&str]) -> String {
    let out = Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("run xclip");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn totp_copy_puts_the_code_on_the_clipboard_with_the_no_history_hint() {
    // scripts/test.sh installs Xvfb and xclip; elsewhere the test needs them too.
    let Some(x) = xvfb() else {
        assert!(
            std::env::var_os("KEYWRIGHT_TEST_IN_DBUS").is_none(),
            "Xvfb could not start, and scripts/test.sh installs it"
        );
        eprintln!("skipped: no Xvfb on this machine");
        return;
    };
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "totp", "GitHub"], "JBSWY3DPEHPK3PXP\n");

    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let out = cli
        .cmd()
        .args(["--password-stdin", "totp", "GitHub", "--copy"])
        .env("DISPLAY", &x.display)
        .write_stdin(format!("{}\n", crate::common::PASSWORD))
        .output()
        .expect("run keywright");
    assert!(
        out.status.success(),
        "totp --copy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Right after the command returns, the clipboard's owner already offers the hint.
    let targets = xclip(&x.display, &["-t", "TARGETS"]);
    assert!(
        targets
            .lines()
            .any(|t| t.trim() == "x-kde-passwordManagerHint"),
        "the clipboard lacks the password-manager hint; targets: {targets:?}"
    );
    let code = xclip(&x.display, &[]);
    let expected: Vec<String> = [started - 30, started, started + 30]
        .iter()
        .map(|t| {
            cli.ok(&["totp", "GitHub", "--at", &t.to_string()], "")["code"]
                .as_str()
                .expect("code")
                .to_owned()
        })
        .collect();
    assert!(
        expected.contains(&code),
        "the clipboard holds {code:?}, not the current code"
    );
}
