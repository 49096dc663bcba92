//! Sync from the command line, through a plain shared folder and through a git
//! repository (the Syncthing runs are in `sync_syncthing`): `sync init`, `sync join`,
//! `sync`, `sync status`, `sync devices`, `conflicts`, `resolve`, `merge`, refusals, and
//! kill -9 while a pass applies another device's changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use keywright_core::Vault;
use serde_json::Value;

use crate::common::*;

/// One device: its own vault file, all in one test folder.
pub struct Dev<'a> {
    pub cli: &'a Cli,
    pub path: PathBuf,
}

impl Dev<'_> {
    pub fn ok(&self, args: &[&str], rest: &str) -> Value {
        let mut a = vec!["--vault", self.path.to_str().expect("utf8")];
        a.extend_from_slice(args);
        self.cli.ok(&a, rest)
    }

    pub fn err(&self, args: &[&str], rest: &str, kind: &str) -> String {
        let mut a = vec!["--vault", self.path.to_str().expect("utf8")];
        a.extend_from_slice(args);
        self.cli.err(&a, rest, kind)
    }

    pub fn names(&self) -> Vec<String> {
        let mut n: Vec<String> = self
            .ok(&["list"], "")
            .as_array()
            .expect("array")
            .iter()
            .map(|i| i["name"].as_str().expect("name").to_owned())
            .collect();
        n.sort();
        n
    }

    pub fn value(&self, name: &str) -> String {
        // An API key's secret is its value (a string).
        self.ok(&["show", name, "--reveal"], "")["secret"]
            .as_str()
            .expect("value")
            .to_owned()
    }

    pub fn sync(&self) -> Value {
        self.ok(&["sync"], "")
    }
}

/// The first device: `init` and one item, then `sync init DIR`.
pub fn first_device<'a>(cli: &'a Cli, dir: &Path) -> Dev<'a> {
    cli.init();
    let a = Dev {
        cli,
        path: cli.vault(),
    };
    a.ok(&["add", "api-key", "Stripe"], "sk_live_first\n");
    let r = a.ok(
        &[
            "sync",
            "init",
            dir.to_str().expect("utf8"),
            "--name",
            "laptop",
        ],
        "",
    );
    assert_eq!(r["sent"], 1, "{r}");
    a
}

pub fn join<'a>(cli: &'a Cli, dir: &Path, name: &str) -> Dev<'a> {
    let d = Dev {
        cli,
        path: cli.dir.path().join(format!("{name}.db")),
    };
    let r = d.ok(
        &["sync", "join", dir.to_str().expect("utf8"), "--name", name],
        "",
    );
    assert!(r["items"].as_u64().is_some(), "{r}");
    d
}

/// A full state to compare devices: every item with its secret, as `show --reveal`.
pub fn state(d: &Dev<'_>) -> Vec<String> {
    d.names()
        .iter()
        .map(|n| {
            let mut v = d.ok(&["show", n, "--reveal"], "");
            // Per-device facts (the audit trail's last use) are not item state.
            if let Some(o) = v.as_object_mut() {
                o.remove("last_used");
                o.remove("history");
            }
            v.to_string()
        })
        .collect()
}

#[test]
fn three_devices_through_a_plain_folder_add_edit_delete_conflict_resolve() {
    let cli = Cli::new();
    let dir = cli.dir.path().join("Shared");
    let a = first_device(&cli, &dir);
    let b = join(&cli, &dir, "desktop");
    let c = join(&cli, &dir, "tablet");
    assert_eq!(b.names(), vec!["Stripe"]);
    assert_eq!(c.value("Stripe"), "sk_live_first");

    // Add on A: appears on B and C.
    a.ok(&["add", "api-key", "GitHub"], "ghp_from_a\n");
    a.sync();
    b.sync();
    c.sync();
    assert_eq!(b.names(), vec!["GitHub", "Stripe"]);
    assert_eq!(c.value("GitHub"), "ghp_from_a");
    // Edit on B: reaches A.
    b.ok(&["edit", "Stripe", "--value-stdin"], "sk_live_from_b\n");
    b.sync();
    let r = a.sync();
    assert_eq!(r["merged"]["updated"], 1, "{r}");
    assert_eq!(a.value("Stripe"), "sk_live_from_b");
    // Delete on C: gone everywhere (in each Trash).
    c.sync();
    c.ok(&["rm", "GitHub"], "");
    c.sync();
    a.sync();
    b.sync();
    assert_eq!(a.names(), vec!["Stripe"]);
    assert_eq!(b.names(), vec!["Stripe"]);

    // A concurrent edit of one item on A and B (neither synced in between).
    a.ok(&["edit", "Stripe", "--value-stdin"], "from-a\n");
    b.ok(&["edit", "Stripe", "--value-stdin"], "from-b\n");
    a.sync();
    b.sync();
    a.sync();
    c.sync();
    let winner = a.value("Stripe");
    assert_eq!(b.value("Stripe"), winner);
    assert_eq!(c.value("Stripe"), winner);
    let conflicts = b.ok(&["conflicts"], "");
    let list = conflicts.as_array().expect("array");
    assert_eq!(list.len(), 1, "{conflicts}");
    assert_eq!(keys(&list[0]), ["item_id", "name", "versions"]);
    assert_eq!(list[0]["name"], "Stripe");
    let versions = list[0]["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    for v in versions {
        for k in ["id", "device_id", "revision", "at", "kept"] {
            assert!(v.get(k).is_some(), "{k} missing in {v}");
        }
    }
    assert_eq!(
        a.ok(&["conflicts"], ""),
        conflicts,
        "the same conflict on A"
    );
    let loser = versions.iter().find(|v| v["kept"] == false).expect("loser");
    let loser_id = loser["id"].as_str().expect("id");
    // Resolve on B by keeping the loser: A and C follow.
    b.ok(&["resolve", "Stripe", "--keep", loser_id], "");
    let kept = b.value("Stripe");
    assert_ne!(kept, winner);
    a.sync();
    c.sync();
    assert_eq!(a.value("Stripe"), kept);
    assert_eq!(a.ok(&["conflicts"], ""), Value::Array(vec![]));
    let msg = a.err(
        &["resolve", "Stripe", "--keep", loser_id],
        "",
        "invalid_input",
    );
    assert!(msg.contains("no conflict"), "{msg}");

    // Status: this device, the two others by name, no conflicts, nothing waiting.
    let st = a.ok(&["sync", "status"], "");
    for k in [
        "device_id",
        "dir",
        "devices",
        "last_sync",
        "pending",
        "conflicts",
    ] {
        assert!(st.get(k).is_some(), "{k} missing in {st}");
    }
    assert_eq!(st["conflicts"], 0);
    assert_eq!(st["pending"], 0, "{st}");
    let devices = st["devices"].as_array().expect("devices");
    assert_eq!(devices.len(), 3, "{st}");
    let mut names: Vec<&str> = devices
        .iter()
        .map(|d| d["name"].as_str().expect("name"))
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["desktop", "laptop", "tablet"]);
    for d in devices {
        assert!(d["id"].is_string() && d.get("last_seen").is_some(), "{d}");
    }
    assert_eq!(state(&a), state(&b));
    assert_eq!(state(&a), state(&c));
}

#[test]
fn joining_with_the_recovery_code_and_bad_joins() {
    let cli = Cli::new();
    let dir = cli.dir.path().join("Shared");
    let init = cli.init();
    let code = init["recovery_code"]
        .as_str()
        .expect("recovery code")
        .to_owned();
    let a = Dev {
        cli: &cli,
        path: cli.vault(),
    };
    a.ok(&["add", "api-key", "Key"], "v\n");
    a.ok(&["sync", "init", dir.to_str().expect("utf8")], "");
    let b_path = cli.dir.path().join("b.db");
    let out = cli
        .cmd()
        .args(["--json", "--vault", b_path.to_str().expect("utf8")])
        .args([
            "sync",
            "join",
            dir.to_str().expect("utf8"),
            "--recovery-stdin",
        ])
        .write_stdin(format!("{code}\n"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let b = Dev {
        cli: &cli,
        path: b_path.clone(),
    };
    // It opens with the vault password, as on the first device.
    assert_eq!(b.value("Key"), "v");
    // A wrong password: refused, no file left behind.
    let c_path = cli.dir.path().join("c.db");
    let out = cli
        .cmd()
        .args([
            "--json",
            "--password-stdin",
            "--vault",
            c_path.to_str().expect("utf8"),
        ])
        .args(["sync", "join", dir.to_str().expect("utf8")])
        .write_stdin("not the password\n")
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["kind"], "wrong_password", "{v}");
    assert!(!c_path.exists());
    // Joining onto an existing file: refused.
    let msg = b.err(
        &["sync", "join", dir.to_str().expect("utf8")],
        "",
        "vault_exists",
    );
    assert!(!msg.is_empty());
    // A folder without any vault: says how to start.
    let empty = cli.dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let d = Dev {
        cli: &cli,
        path: cli.dir.path().join("d.db"),
    };
    let msg = d.err(&["sync", "join", empty.to_str().expect("utf8")], "", "sync");
    assert!(msg.contains("sync init"), "{msg}");
    // Sync on a vault that does not sync: says how to set it up.
    let lone = Cli::new();
    lone.init();
    let msg = lone.err(&["sync"], "", "sync");
    assert!(msg.contains("sync init"), "{msg}");
}

#[test]
fn refused_files_vanished_folder_and_removed_device() {
    let cli = Cli::new();
    let dir = cli.dir.path().join("Shared");
    let a = first_device(&cli, &dir);
    let b = join(&cli, &dir, "desktop");
    a.ok(&["add", "api-key", "Two"], "2\n");
    a.sync();
    // Tamper with A's newest segment: B refuses it, says which file, and merges nothing of it.
    let a_id = a.ok(&["sync", "status"], "")["device_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let vault_id = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .next()
        .expect("vault folder")
        .file_name();
    let a_dir = dir.join(&vault_id).join(&a_id);
    let mut segs: Vec<PathBuf> = std::fs::read_dir(&a_dir)
        .expect("a dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seg-"))
        })
        .collect();
    segs.sort();
    let newest = segs.last().expect("segment").clone();
    let good = std::fs::read(&newest).expect("read");
    let mut bad = good.clone();
    let n = bad.len() - 5;
    bad[n] ^= 1;
    std::fs::write(&newest, &bad).expect("write");
    let r = b.sync();
    let refused = r["refused"].as_array().expect("refused");
    assert_eq!(refused.len(), 1, "{r}");
    let why = refused[0].as_str().expect("str");
    assert!(
        why.contains(newest.file_name().expect("name").to_str().expect("utf8")),
        "{why}"
    );
    assert_eq!(b.names(), vec!["Stripe"]);
    std::fs::write(&newest, &good).expect("restore");
    b.sync();
    assert_eq!(b.names(), vec!["Stripe", "Two"]);

    // The whole sync folder vanishes (unmounted): a clear error, local work goes on.
    let moved = cli.dir.path().join("Shared-away");
    std::fs::rename(&dir, &moved).expect("move");
    b.ok(&["add", "api-key", "Offline"], "o\n");
    let msg = b.err(&["sync"], "", "sync");
    assert!(msg.contains("is not there"), "{msg}");
    assert_eq!(b.names(), vec!["Offline", "Stripe", "Two"]);
    std::fs::rename(&moved, &dir).expect("back");
    b.sync();
    a.sync();
    assert!(a.names().contains(&"Offline".to_owned()));

    // B removes a third device: nobody reads it any more.
    let c = join(&cli, &dir, "stolen");
    let c_id = c.ok(&["sync", "status"], "")["device_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = b.ok(&["sync", "devices", "remove", &c_id[..12]], "");
    assert_eq!(r["removed"], c_id.as_str());
    a.sync();
    c.ok(&["add", "api-key", "From the stolen one"], "x\n");
    let _ = c
        .cli
        .json(&["--vault", c.path.to_str().expect("utf8"), "sync"], "");
    a.sync();
    b.sync();
    assert!(!a.names().contains(&"From the stolen one".to_owned()));
    let devices = a.ok(&["sync", "devices"], "");
    assert!(
        devices
            .as_array()
            .expect("array")
            .iter()
            .any(|d| d["id"] == c_id.as_str() && d["removed"] == true),
        "{devices}"
    );
    let msg = c.err(&["sync"], "", "sync");
    assert!(msg.contains("removed"), "{msg}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Keywright Test",
            "-c",
            "user.email=test@keywright.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The documented git recipe: the sync folder is a repository; each device commits its
/// own folder and pulls the others'. No merge conflict can happen (each device writes
/// only its own files).
#[test]
fn two_devices_through_a_git_repository() {
    let cli = Cli::new();
    let root = cli.dir.path();
    let bare = root.join("vault-sync.git");
    std::fs::create_dir(&bare).expect("mkdir");
    git(&bare, &["init", "--bare", "-q"]);
    let one = root.join("one");
    let two = root.join("two");
    git(root, &["clone", "-q", bare.to_str().expect("utf8"), "one"]);
    let a = first_device(&cli, &one);
    git(&one, &["add", "-A"]);
    git(&one, &["commit", "-q", "-m", "laptop"]);
    git(&one, &["push", "-q", "origin", "HEAD:main"]);
    git(
        root,
        &[
            "clone",
            "-q",
            "-b",
            "main",
            bare.to_str().expect("utf8"),
            "two",
        ],
    );
    let b = join(&cli, &two, "desktop");
    assert_eq!(b.value("Stripe"), "sk_live_first");
    b.ok(&["add", "api-key", "From desktop"], "d\n");
    b.ok(&["edit", "Stripe", "--value-stdin"], "edited on desktop\n");
    b.sync();
    git(&two, &["add", "-A"]);
    git(&two, &["commit", "-q", "-m", "desktop"]);
    git(&two, &["pull", "-q", "--no-rebase", "origin", "main"]);
    git(&two, &["push", "-q", "origin", "HEAD:main"]);
    a.ok(&["add", "api-key", "From laptop"], "l\n");
    a.sync();
    git(&one, &["add", "-A"]);
    git(&one, &["commit", "-q", "-m", "laptop 2"]);
    git(&one, &["pull", "-q", "--no-rebase", "origin", "main"]);
    git(&one, &["push", "-q", "origin", "HEAD:main"]);
    a.sync();
    git(&two, &["pull", "-q", "--no-rebase", "origin", "main"]);
    b.sync();
    assert_eq!(a.names(), vec!["From desktop", "From laptop", "Stripe"]);
    assert_eq!(a.value("Stripe"), "edited on desktop");
    assert_eq!(state(&a), state(&b));
}

/// kill -9 at 20 points of a pass that applies another device's 2,000 changes: the vault
/// always opens, and the next pass converges.
#[cfg(unix)]
#[test]
fn kill_during_apply_twenty_times_then_converge() {
    use std::time::{Duration, Instant};

    let cli = Cli::new();
    let dir = cli.dir.path().join("Shared");
    let a = first_device(&cli, &dir);
    let b = join(&cli, &dir, "desktop");
    {
        let mut v = Vault::open(&a.path).expect("open");
        v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
        let news = (0..2_000)
            .map(|i| {
                api_key(
                    &format!("key {i:05}"),
                    &format!("sk_{i}_{}", "x".repeat(300)),
                )
            })
            .collect();
        v.add_batch(news).expect("add");
    }
    a.sync();
    // B's pass, whole, once on a copy: to spread the kills over its length.
    let copy = cli.dir.path().join("b-copy.db");
    std::fs::copy(&b.path, &copy).expect("copy");
    let run = |path: &Path, kill_after: Option<Duration>| {
        let mut child = cli
            .std_cmd()
            .args([
                "--password-stdin",
                "--vault",
                path.to_str().expect("utf8"),
                "sync",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().expect("stdin");
            let _ = writeln!(stdin, "{PASSWORD}");
        }
        if let Some(d) = kill_after {
            std::thread::sleep(d);
            let _ = child.kill();
        }
        child.wait().expect("wait")
    };
    let t = Instant::now();
    assert!(run(&copy, None).success());
    let whole = t.elapsed();
    let mut killed = 0;
    for i in 0..20u32 {
        let after = whole.mul_f64(f64::from(i) / 20.0) + Duration::from_millis(2);
        let status = run(&b.path, Some(after));
        if !status.success() {
            killed += 1;
        }
        // Whatever happened, the vault opens and lists.
        let n = b.ok(&["list"], "").as_array().expect("array").len();
        assert!(n >= 1, "pass {i}: {n} items");
    }
    assert!(
        killed >= 5,
        "only {killed} of 20 passes were killed mid-way"
    );
    b.sync();
    assert_eq!(b.names().len(), 2_001);
    assert_eq!(b.names(), a.names());
    assert_eq!(b.value("key 01999"), a.value("key 01999"));
}

#[test]
fn merge_another_copy_with_a_preview() {
    let cli = Cli::new();
    cli.init();
    let a = Dev {
        cli: &cli,
        path: cli.vault(),
    };
    a.ok(&["add", "api-key", "Shared"], "base\n");
    let bk = a.ok(
        &[
            "backup",
            "--to",
            cli.dir.path().join("bk").to_str().expect("utf8"),
        ],
        "",
    );
    let snapshot = bk["path"].as_str().expect("path").to_owned();
    // The copy lives on (a machine that was offline): restore it and change it.
    let copy = cli.dir.path().join("offline.db");
    a.ok(
        &["restore", &snapshot, "--to", copy.to_str().expect("utf8")],
        "",
    );
    let c = Dev {
        cli: &cli,
        path: copy.clone(),
    };
    c.ok(&["add", "api-key", "Made offline"], "o\n");
    c.ok(&["edit", "Shared", "--value-stdin"], "offline edit\n");
    a.ok(&["edit", "Shared", "--value-stdin"], "online edit\n");

    let p = a.ok(&["merge", copy.to_str().expect("utf8"), "--dry-run"], "");
    assert_eq!(p["dry_run"], true);
    assert_eq!(p["added"], 1, "{p}");
    assert_eq!(p["conflicts"], 1, "{p}");
    assert_eq!(a.names(), vec!["Shared"], "the preview changed nothing");
    let r = a.ok(&["merge", copy.to_str().expect("utf8")], "");
    assert_eq!(r["added"], 1, "{r}");
    assert_eq!(a.names(), vec!["Made offline", "Shared"]);
    let conflicts = a.ok(&["conflicts"], "");
    assert_eq!(conflicts.as_array().expect("array").len(), 1, "{conflicts}");
    // Again: nothing new.
    let again = a.ok(&["merge", copy.to_str().expect("utf8")], "");
    assert_eq!(again["added"], 0);
    assert_eq!(again["updated"], 0);
    assert_eq!(again["conflicts"], 0);
    // The vault itself, and another vault: refused by name.
    let msg = a.err(
        &["merge", cli.vault().to_str().expect("utf8")],
        "",
        "invalid_input",
    );
    assert!(msg.contains("the vault itself"), "{msg}");
    let other = Cli::new();
    other.init();
    let msg = a.err(
        &["merge", other.vault().to_str().expect("utf8")],
        "",
        "invalid_input",
    );
    assert!(msg.contains("another vault"), "{msg}");
}
