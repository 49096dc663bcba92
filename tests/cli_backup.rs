//! Encrypted backups from the command line: `backup` (a sealed snapshot now), `backup list`,
//! `backup auto on|off`, `restore SNAPSHOT --to NEW.db`, the automatic backup a command takes
//! when it closes the vault, and kill -9 in the middle of a backup.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use keywright_core::vault::backup::{self, BackupState};
use keywright_core::{NewItem, Vault};
use serde_json::Value;

use crate::common::*;

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Human output (no --json), the password and `rest` on stdin: (success, stdout, stderr).
fn human(cli: &Cli, args: &[&str], rest: &str) -> (bool, String, String) {
    let out = cli
        .cmd()
        .arg("--password-stdin")
        .args(args)
        .write_stdin(format!("{PASSWORD}\n{rest}"))
        .output()
        .expect("run keywright");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn snapshots(dir: &Path) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|n| n.ends_with(".kwbak.db"))
        .collect()
}

fn path_of(v: &Value) -> PathBuf {
    PathBuf::from(v["path"].as_str().expect("path"))
}

#[test]
fn backup_then_list_and_the_snapshot_opens_like_the_vault() {
    let cli = Cli::new();
    let init = cli.init();
    cli.ok(
        &["add", "api-key", "Stripe live", "--tag", "prod"],
        "sk_live_backup_1\n",
    );
    cli.ok(
        &["add", "basic", "Jenkins", "--username", "ci"],
        "jenkins-pw\n",
    );
    let dir = cli.dir.path().join("usb");

    // With --to no unlock is needed: no password on stdin, no terminal.
    let out = cli
        .cmd()
        .args(["backup", "--to"])
        .arg(&dir)
        .arg("--json")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(keys(&b), ["items", "path", "size", "taken_at"]);
    assert_eq!(b["items"], 2);
    let snap = path_of(&b);
    assert_eq!(snap.parent(), Some(dir.as_path()));
    let name = snap
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let short = &init["vault_id"].as_str().expect("id")[..8];
    assert!(
        name.starts_with(&format!("keywright-{short}-")) && name.ends_with("Z.kwbak.db"),
        "{name}"
    );
    assert_eq!(b["size"], std::fs::metadata(&snap).expect("meta").len());
    assert!(b["taken_at"].as_str().expect("time").ends_with('Z'));
    #[cfg(unix)]
    {
        assert_eq!(keywright_core::paths::mode(&snap), Some(0o600));
        assert_eq!(keywright_core::paths::mode(&dir), Some(0o700));
    }
    // Sealed: the secrets are not in the file.
    let bytes = std::fs::read(&snap).expect("read");
    assert!(!contains(&bytes, b"sk_live_backup_1"));
    assert!(!contains(&bytes, b"jenkins-pw"));

    let list = cli.ok(&["backup", "list", "--to", dir.to_str().expect("utf8")], "");
    let rows = list.as_array().expect("array");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        keys(&rows[0]),
        ["complete", "items", "path", "size", "taken_at"]
    );
    assert_eq!(rows[0]["complete"], true);
    assert_eq!(rows[0]["path"], b["path"]);
    assert_eq!(rows[0]["items"], 2);

    // The snapshot is a vault: the same password opens it, the same items are in it.
    let snap_s = snap.to_str().expect("utf8");
    let listed = cli.ok(&["--vault", snap_s, "list"], "");
    assert_eq!(listed, cli.ok(&["list"], ""));
    let shown = cli.ok(&["--vault", snap_s, "show", "Stripe live", "--reveal"], "");
    assert_eq!(shown["secret"], "sk_live_backup_1");

    // Without --to: the vault's folder, by default backups/ next to the vault file.
    let (ok, out, _) = human(&cli, &["backup"], "");
    assert!(ok, "{out}");
    assert!(out.starts_with("Backed up to "), "{out}");
    assert!(
        out.contains("(2 item(s))") || out.contains(", 2 item(s))"),
        "{out}"
    );
    assert_eq!(snapshots(&cli.dir.path().join("backups")).len(), 1);
    let (ok, out, _) = human(&cli, &["backup", "list"], "");
    assert!(ok);
    assert!(
        out.contains("2 item(s)") && out.contains(".kwbak.db"),
        "{out}"
    );
}

#[test]
fn restore_a_snapshot_to_a_new_vault_file() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "api-key", "GitHub CI", "--tag", "ci"],
        "ghp_restore_1\n",
    );
    cli.ok(&["add", "bearer", "Okta token"], "tok_restore_2\n");
    let dir = cli.dir.path().join("bk");
    let dir_s = dir.to_str().expect("utf8");
    let snap = path_of(&cli.ok(&["backup", "--to", dir_s], ""));
    let snap_s = snap.to_str().expect("utf8");
    let before = cli.ok(&["list"], "");
    // Changes after the backup are not in it.
    cli.ok(&["rm", "Okta token"], "");
    cli.ok(&["add", "api-key", "Later"], "later\n");

    let new = cli.dir.path().join("restored").join("new.db");
    let new_s = new.to_str().expect("utf8");
    let r = cli.ok(&["restore", snap_s, "--to", new_s], "");
    assert_eq!(
        keys(&r),
        ["from", "items", "path", "replaced_backup", "vault_id"]
    );
    assert_eq!(r["items"], 2);
    assert_eq!(r["path"], new_s);
    assert_eq!(r["replaced_backup"], Value::Null);
    // Unlocked with the same password: the same items, the same ids.
    assert_eq!(cli.ok(&["--vault", new_s, "list"], ""), before);
    let shown = cli.ok(&["--vault", new_s, "show", "Okta token", "--reveal"], "");
    assert_eq!(shown["secret"], "tok_restore_2");
    // A vault again: it can be written, and it is no snapshot.
    cli.ok(&["--vault", new_s, "add", "api-key", "In the copy"], "x\n");

    // Never over an existing file without --force.
    let msg = cli.err(&["restore", snap_s, "--to", new_s], "", "invalid_input");
    assert!(
        msg.contains("already exists") && msg.contains("--force"),
        "{msg}"
    );
    // A backup file without --to: says what is missing, touches nothing.
    let msg = cli.err(&["restore", snap_s], "", "invalid_input");
    assert!(msg.contains("--to NEW.db"), "{msg}");
    // A file that is not a backup.
    let junk = cli.dir.path().join("junk.db");
    std::fs::write(&junk, vec![7u8; 8192]).expect("write");
    let msg = cli.err(
        &[
            "restore",
            junk.to_str().expect("utf8"),
            "--to",
            "/tmp/never.db",
        ],
        "",
        "corrupt",
    );
    assert!(msg.contains("not a usable Keywright backup"), "{msg}");
    assert!(!Path::new("/tmp/never.db").exists());

    // Over the live vault with --force: a copy of it is taken first.
    let live = cli.vault();
    let r = cli.ok(
        &[
            "restore",
            snap_s,
            "--to",
            live.to_str().expect("utf8"),
            "--force",
        ],
        "",
    );
    let copy = &r["replaced_backup"];
    assert_eq!(keys(copy), ["items", "path", "size", "taken_at"]);
    let copy_path = path_of(copy);
    assert_eq!(
        copy_path.parent(),
        Some(cli.dir.path().join("backups").as_path())
    );
    assert_eq!(cli.ok(&["list"], ""), before);
    let kept = cli.ok(&["--vault", copy_path.to_str().expect("utf8"), "list"], "");
    assert_eq!(names(&kept), ["GitHub CI", "Later"]);

    // The Trash's restore is unchanged.
    cli.ok(&["rm", "GitHub CI"], "");
    let r = cli.ok(&["restore", "GitHub CI"], "");
    assert_eq!(r["name"], "GitHub CI");
}

/// Rewrite the vault's record of its last backup as if it had been taken `ago` seconds
/// before now (and the change seen `seen_ago` seconds ago): the passage of time, for a
/// command-line test that cannot wait.
fn age_last_backup(db: &Path, ago: i64, seen_ago: Option<i64>) {
    let mut v = Vault::open(db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    let mut s: BackupState = v.backup_state().expect("state");
    let now = keywright_core::timefmt::now();
    s.at = Some(now - ago);
    if let Some(seen) = seen_ago {
        s.seen_at = Some(now - seen);
    }
    v.set_setting(backup::STATE_KEY, &serde_json::to_value(&s).expect("json"))
        .expect("write state");
}

#[test]
fn automatic_backups_after_changes() {
    let cli = Cli::new();
    cli.init();
    let dir = cli.dir.path().join("auto");
    let dir_s = dir.to_str().expect("utf8");
    let st = cli.ok(&["backup", "auto"], "");
    assert_eq!(
        keys(&st),
        ["auto", "backups", "default_folder", "folder", "last_backup"]
    );
    assert_eq!(st["auto"], false);
    assert_eq!(st["default_folder"], true);
    // Off: a change takes no backup anywhere.
    cli.ok(&["add", "api-key", "one"], "1\n");
    assert!(snapshots(&dir).is_empty());
    assert!(snapshots(&cli.dir.path().join("backups")).is_empty());

    // On: the first backup at once.
    let st = cli.ok(&["backup", "auto", "on", "--to", dir_s], "");
    assert_eq!(st["auto"], true);
    assert_eq!(st["folder"], dir_s);
    assert_eq!(st["default_folder"], false);
    assert_eq!(st["backups"], 1);
    assert_eq!(st["last_backup"]["items"], 1);
    assert_eq!(snapshots(&dir).len(), 1);

    // A change seconds after a backup waits for the vault to be quiet a minute.
    cli.ok(&["add", "api-key", "two"], "2\n");
    assert_eq!(snapshots(&dir).len(), 1);
    // A minute later any command (here a read) takes it.
    age_last_backup(&cli.vault(), 90, Some(70));
    cli.ok(&["list"], "");
    let snaps = snapshots(&dir);
    assert_eq!(snaps.len(), 2, "{snaps:?}");
    let newest = backup::list(&dir).expect("list")[0].path.clone();
    let listed = cli.ok(&["--vault", newest.to_str().expect("utf8"), "list"], "");
    assert_eq!(names(&listed), ["one", "two"]);

    // The first change after a quiet spell (last backup 10+ minutes old) at once.
    age_last_backup(&cli.vault(), 700, None);
    let (ok, _, err) = human(&cli, &["add", "api-key", "three"], "3\n");
    assert!(ok);
    assert_eq!(err, "", "a working automatic backup is silent");
    assert_eq!(snapshots(&dir).len(), 3);
    let st = cli.ok(&["backup", "auto"], "");
    assert_eq!(st["last_backup"]["items"], 3);

    // A folder that can no longer be written: a warning, never a failed command.
    std::fs::remove_dir_all(&dir).expect("rm");
    std::fs::write(&dir, "a file where the folder was").expect("write");
    age_last_backup(&cli.vault(), 700, None);
    let (ok, out, err) = human(&cli, &["add", "api-key", "four"], "4\n");
    assert!(ok, "{out} {err}");
    assert!(out.contains("Added four"), "{out}");
    assert!(
        err.contains("warning: the automatic backup failed") && err.contains("not a folder"),
        "{err}"
    );
    std::fs::remove_file(&dir).expect("rm");

    // Off again.
    let st = cli.ok(&["backup", "auto", "off"], "");
    assert_eq!(st["auto"], false);
    age_last_backup(&cli.vault(), 700, None);
    cli.ok(&["add", "api-key", "five"], "5\n");
    assert!(snapshots(&dir).is_empty());
    let msg = cli.err(
        &["backup", "auto", "off", "--to", dir_s],
        "",
        "invalid_input",
    );
    assert!(msg.contains("backup auto on --to DIR"), "{msg}");
}

/// kill -9 at any moment of a backup never leaves a file that is listed complete and does
/// not open.
#[cfg(unix)]
#[test]
fn kill_during_a_backup_never_leaves_a_complete_looking_broken_snapshot() {
    use std::os::unix::process::ExitStatusExt as _;

    let cli = Cli::new();
    let items = 6_000;
    {
        let created = new_vault(cli.dir.path());
        let mut v = created.vault;
        // About 20 MB of sealed rows: a backup takes long enough to be cut.
        let filler = "x".repeat(2_000);
        let news: Vec<NewItem> = (0..items)
            .map(|i| {
                let mut n = api_key(&format!("key {i:05}"), &format!("sk_{i}_{filler}"));
                n.secret.notes = filler.clone();
                n
            })
            .collect();
        v.add_batch(news).expect("add");
    }
    let dir = cli.dir.path().join("bk");
    let run = |kill_after: Option<Duration>| {
        let mut child = cli
            .std_cmd()
            .args(["backup", "--to"])
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        if let Some(d) = kill_after {
            std::thread::sleep(d);
            let _ = child.kill(); // SIGKILL
        }
        child.wait().expect("wait")
    };
    // One whole backup, to spread the kills over its length (not an assertion on time).
    let t = Instant::now();
    assert!(run(None).success());
    let whole = t.elapsed();

    let mut killed = 0;
    for i in 0..16u32 {
        let after = whole.mul_f64(f64::from(i) / 16.0) + Duration::from_millis(1);
        let status = run(Some(after));
        if status.signal() == Some(9) {
            killed += 1;
        }
        // Whatever is listed complete opens, passes the quick check and holds every item.
        for b in backup::list(&dir).expect("list") {
            let name = b
                .path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            assert!(b.complete, "{name} listed incomplete: {:?}", b.problem);
            assert_eq!(b.items, Some(items as u64), "{name}");
            let c = rusqlite::Connection::open_with_flags(
                &b.path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .expect("open");
            let check: String = c
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .expect("quick_check");
            assert_eq!(check, "ok", "{name}");
        }
        // Only hidden partial files besides complete snapshots.
        for f in files(&dir) {
            assert!(
                f.ends_with(".kwbak.db") || (f.starts_with('.') && f.contains(".partial")),
                "{f}"
            );
        }
    }
    assert!(
        killed >= 4,
        "only {killed} of 16 backups were killed mid-way"
    );

    // The newest complete snapshot unlocks and lists every item.
    let newest = &backup::list(&dir).expect("list")[0];
    let listed = cli.ok(
        &["--vault", newest.path.to_str().expect("utf8"), "list"],
        "",
    );
    assert_eq!(listed.as_array().expect("array").len(), items);
    // The next backup removes what killed ones left.
    assert!(run(None).success());
    assert!(
        files(&dir).iter().all(|f| f.ends_with(".kwbak.db")),
        "{:?}",
        files(&dir)
    );
}
