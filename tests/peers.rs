//! Real peers on 127.0.0.1 started by the tests: the OpenID provider (npm `oidc-provider`,
//! tests/oidc/server.mjs) and its headless "browser" (tests/oidc/browser.mjs), which
//! completes the login and consent forms over HTTP.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub fn oidc_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

fn node() -> Command {
    let dir = oidc_dir();
    assert!(
        dir.join("node_modules/oidc-provider").is_dir(),
        "tests/oidc/node_modules is missing: run scripts/install-deps.sh (npm ci in tests/oidc)"
    );
    let mut c = Command::new("node");
    c.current_dir(dir);
    c
}

/// A running OpenID provider; stopped when dropped (it also exits when its stdin closes,
/// so a test process that dies does not leave it behind).
pub struct Provider {
    child: Child,
    pub issuer: String,
}

impl Provider {
    /// With access tokens living `access_ttl` seconds.
    pub fn start(access_ttl: u32) -> Provider {
        let mut child = node()
            .args(["server.mjs", "--port", "0", "--stdin-watch"])
            .env("OIDC_ACCESS_TTL", access_ttl.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node tests/oidc/server.mjs");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the provider's first line");
        let v: serde_json::Value = serde_json::from_str(line.trim())
            .unwrap_or_else(|e| panic!("provider said {line:?}: {e}"));
        let issuer = v["issuer"].as_str().expect("issuer").to_owned();
        Provider { child, issuer }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/{path}", self.issuer)
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Act as the user's browser for an authorization URL: log in, consent, and deliver the
/// redirect to the app's loopback listener. Runs in the background (the listener must be
/// waiting); returns the child to reap.
pub fn browse(url: &str, user: &str) -> Child {
    node()
        .args(["browser.mjs", url, "--user", user])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start node tests/oidc/browser.mjs")
}

/// Approve (or deny) a device login at the verification page.
pub fn approve_device(verification_uri: &str, user_code: &str, deny: bool) -> Child {
    let mut c = node();
    c.args([
        "browser.mjs",
        "--device",
        verification_uri,
        "--user-code",
        user_code,
        "--user",
        "carol",
    ]);
    if deny {
        c.arg("--deny");
    }
    c.stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start browser.mjs --device")
}
