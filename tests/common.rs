//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use keywright_core::crypto::kdf::KdfParams;
use keywright_core::vault::keyring::Keyring;
use keywright_core::{CreateOptions, Created, Kind, NewItem, Vault};
use secrecy::SecretString;

pub const PASSWORD: &str = "correct horse battery staple";

/// Argon2id parameters far below the product's floor, so that the suite stays fast. Only
/// the library API accepts them; the CLI refuses anything under OWASP's minimum.
pub fn cheap_kdf() -> KdfParams {
    KdfParams::new_unchecked(256, 1, 1)
}

pub fn pw(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

/// A fresh vault in a temp dir, unlocked, with a cheap KDF and no keyring slot.
pub fn new_vault(dir: &Path) -> Created {
    new_vault_with(dir, None)
}

pub fn new_vault_with(dir: &Path, keyring: Option<Keyring>) -> Created {
    Vault::create(
        &dir.join("vault.db"),
        &pw(PASSWORD),
        CreateOptions {
            kdf: Some(cheap_kdf()),
            keyring,
        },
    )
    .expect("create vault")
}

pub fn api_key(name: &str, value: &str) -> NewItem {
    NewItem::new(Kind::ApiKey, name, value)
}

/// An in-memory keyring (keyring-core's mock store).
pub fn mock_keyring() -> (Keyring, Arc<keyring_core::mock::Store>) {
    let store = keyring_core::mock::Store::new().expect("mock store");
    (Keyring::with_store(store.clone(), "keywright-test"), store)
}

/// The bytes of the vault file and its -wal / -shm companions.
pub fn vault_bytes(db: &Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| {
            let mut p = db.as_os_str().to_owned();
            p.push(s);
            let p = PathBuf::from(p);
            std::fs::read(&p).ok().map(|b| (p.display().to_string(), b))
        })
        .collect()
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The keys of a JSON object, sorted (the `--json` contracts pin them).
pub fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

/// The `keywright` binary next to this test binary (target/<profile>/keywright).
pub fn keywright_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join(format!("keywright{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p keywright-cli` before the tests (scripts/test.sh does)",
        bin.display()
    );
    bin
}

/// A `keywright` command isolated from the user's environment: its own vault path, session
/// directory and keyring service; no inherited session.
pub struct Cli {
    pub dir: tempfile::TempDir,
}

impl Cli {
    pub fn new() -> Self {
        Cli {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.db")
    }

    pub fn run_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::new(keywright_bin());
        c.env("KEYWRIGHT_VAULT", self.vault())
            .env("KEYWRIGHT_RUNTIME_DIR", self.run_dir())
            .env("KEYWRIGHT_KEYRING_SERVICE", "keywright-test")
            .env_remove("KEYWRIGHT_SESSION")
            .timeout(std::time::Duration::from_secs(60));
        c
    }

    /// The same as `cmd`, as a plain process (for spawning several at once).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(keywright_bin());
        c.env("KEYWRIGHT_VAULT", self.vault())
            .env("KEYWRIGHT_RUNTIME_DIR", self.run_dir())
            .env("KEYWRIGHT_KEYRING_SERVICE", "keywright-test")
            .env_remove("KEYWRIGHT_SESSION");
        c
    }

    /// `init` with the cheapest parameters the CLI accepts (OWASP's 46 MiB x 1) and no keyring.
    pub fn init(&self) -> serde_json::Value {
        let out = self
            .cmd()
            .args([
                "init",
                "--password-stdin",
                "--no-keyring",
                "--kdf-memory",
                "46",
                "--kdf-iterations",
                "1",
                "--json",
            ])
            .write_stdin(format!("{PASSWORD}\n"))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("init json")
    }

    /// Run with `--password-stdin --json`, stdin = password line + `rest`; parse stdout.
    pub fn json(&self, args: &[&str], rest: &str) -> (bool, serde_json::Value) {
        let out = self
            .cmd()
            .args(["--password-stdin", "--json"])
            .args(args)
            .write_stdin(format!("{PASSWORD}\n{rest}"))
            .output()
            .expect("run keywright");
        let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of {args:?} is not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.success(), v)
    }

    /// Like `json` but expects success.
    pub fn ok(&self, args: &[&str], rest: &str) -> serde_json::Value {
        let (ok, v) = self.json(args, rest);
        assert!(ok, "{args:?} failed: {v}");
        v
    }

    /// Expects failure with this error kind; returns the message.
    pub fn err(&self, args: &[&str], rest: &str, kind: &str) -> String {
        let (ok, v) = self.json(args, rest);
        assert!(!ok, "{args:?} should fail with {kind}: {v}");
        assert_eq!(v["error"]["kind"], kind, "{args:?}: {v}");
        v["error"]["message"].as_str().expect("message").to_owned()
    }
}

/// Every file below `dir`, at any depth (none when it cannot be read).
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_below(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
