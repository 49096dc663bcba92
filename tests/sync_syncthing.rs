//! Sync through the real Syncthing (Debian's `syncthing`): two and three devices on one
//! machine, each with its own vault file and its own Syncthing instance (`--home`, GUI and
//! REST on a loopback port, listening on `tcp://127.0.0.1:PORT`, discovery, relays and NAT
//! off, each other's device ID and address set over the REST API, one shared folder with
//! a short rescan and the file watcher on).
//!
//! Without `syncthing` on the PATH these tests say so and pass, unless
//! `KEYWRIGHT_REQUIRE_SYNCTHING=1` (scripts/test.sh sets it after installing it).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::cli_sync::{Dev, first_device, join, state};
use crate::common::*;

const FOLDER: &str = "keywright";

fn available() -> bool {
    let found = Command::new("syncthing")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("KEYWRIGHT_REQUIRE_SYNCTHING").as_deref() != Ok("1"),
            "syncthing is required (KEYWRIGHT_REQUIRE_SYNCTHING=1) but not installed"
        );
        eprintln!("syncthing is not installed: skipping (apt-get install syncthing)");
    }
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// One Syncthing instance.
struct Syncthing {
    id: String,
    gui: u16,
    listen: u16,
    key: String,
    child: Child,
}

impl Drop for Syncthing {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Syncthing {
    fn start(home: &Path) -> Syncthing {
        let out = Command::new("syncthing")
            .args(["generate", "--no-default-folder", "--home"])
            .arg(home)
            .output()
            .expect("syncthing generate");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let id = text
            .lines()
            .find_map(|l| l.split("Device ID: ").nth(1))
            .expect("device id")
            .trim()
            .to_owned();
        let (gui, listen) = (free_port(), free_port());
        let key = format!("kw-test-{gui}-{listen}");
        let cfg = home.join("config.xml");
        let mut xml = std::fs::read_to_string(&cfg).expect("config.xml");
        let swaps = [
            (
                "<address>127.0.0.1:8384</address>".to_owned(),
                format!("<address>127.0.0.1:{gui}</address>"),
            ),
            (
                "<listenAddress>default</listenAddress>".to_owned(),
                format!("<listenAddress>tcp://127.0.0.1:{listen}</listenAddress>"),
            ),
            (
                "<globalAnnounceEnabled>true</globalAnnounceEnabled>".to_owned(),
                "<globalAnnounceEnabled>false</globalAnnounceEnabled>".to_owned(),
            ),
            (
                "<localAnnounceEnabled>true</localAnnounceEnabled>".to_owned(),
                "<localAnnounceEnabled>false</localAnnounceEnabled>".to_owned(),
            ),
            (
                "<relaysEnabled>true</relaysEnabled>".to_owned(),
                "<relaysEnabled>false</relaysEnabled>".to_owned(),
            ),
            (
                "<natEnabled>true</natEnabled>".to_owned(),
                "<natEnabled>false</natEnabled>".to_owned(),
            ),
            (
                "<urAccepted>0</urAccepted>".to_owned(),
                "<urAccepted>-1</urAccepted>".to_owned(),
            ),
        ];
        for (from, to) in swaps {
            assert!(xml.contains(&from), "config.xml has no {from}");
            xml = xml.replacen(&from, &to, 1);
        }
        let start = xml.find("<apikey>").expect("apikey") + "<apikey>".len();
        let end = xml[start..].find("</apikey>").expect("apikey end") + start;
        xml.replace_range(start..end, &key);
        std::fs::write(&cfg, xml).expect("write config");
        let log = std::fs::File::create(home.join("syncthing.log")).expect("log");
        let child = Command::new("syncthing")
            .args(["serve", "--no-browser", "--no-restart", "--home"])
            .arg(home)
            .env("STNOUPGRADE", "1")
            .env("STNODEFAULTFOLDER", "1")
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("syncthing serve");
        let st = Syncthing {
            id,
            gui,
            listen,
            key,
            child,
        };
        let t = Instant::now();
        while st.try_rest("GET", "/rest/system/ping", None).is_none() {
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "syncthing did not start"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        st
    }

    fn try_rest(&self, method: &str, path: &str, body: Option<&Value>) -> Option<String> {
        let mut c = Command::new("curl");
        c.args(["-sf", "-X", method, "-H"])
            .arg(format!("X-API-Key: {}", self.key))
            .arg(format!("http://127.0.0.1:{}{path}", self.gui));
        if let Some(b) = body {
            c.args(["-H", "Content-Type: application/json", "--data-binary"])
                .arg(b.to_string());
        }
        let out = c.output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn rest(&self, method: &str, path: &str, body: Option<&Value>) -> String {
        self.try_rest(method, path, body)
            .unwrap_or_else(|| panic!("syncthing REST {method} {path} failed"))
    }

    fn add_device(&self, other: &Syncthing) {
        self.rest(
            "PUT",
            &format!("/rest/config/devices/{}", other.id),
            Some(&json!({
                "deviceID": other.id,
                "name": other.id[..7],
                "addresses": [format!("tcp://127.0.0.1:{}", other.listen)],
                "autoAcceptFolders": false,
            })),
        );
    }

    fn share(&self, dir: &Path, with: &[&Syncthing]) {
        let mut devices = vec![json!({ "deviceID": self.id })];
        devices.extend(with.iter().map(|d| json!({ "deviceID": d.id })));
        self.rest(
            "PUT",
            &format!("/rest/config/folders/{FOLDER}"),
            Some(&json!({
                "id": FOLDER,
                "label": FOLDER,
                "path": dir,
                "type": "sendreceive",
                "devices": devices,
                "rescanIntervalS": 2,
                "fsWatcherEnabled": true,
                "fsWatcherDelayS": 1,
            })),
        );
    }

    fn pause_all(&self) {
        self.rest("POST", "/rest/system/pause", None);
    }

    fn resume_all(&self) {
        self.rest("POST", "/rest/system/resume", None);
    }
}

/// `n` Syncthing instances, every one connected to every other, sharing one folder each.
fn mesh(root: &Path, n: usize) -> (Vec<Syncthing>, Vec<PathBuf>) {
    let nodes: Vec<Syncthing> = (0..n)
        .map(|i| Syncthing::start(&root.join(format!("st{i}"))))
        .collect();
    let dirs: Vec<PathBuf> = (0..n).map(|i| root.join(format!("Sync{i}"))).collect();
    for (i, a) in nodes.iter().enumerate() {
        std::fs::create_dir_all(&dirs[i]).expect("mkdir");
        for (j, b) in nodes.iter().enumerate() {
            if i != j {
                a.add_device(b);
            }
        }
        let others: Vec<&Syncthing> = nodes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, s)| s)
            .collect();
        a.share(&dirs[i], &others);
    }
    (nodes, dirs)
}

/// Sync `d` until `done` holds (Syncthing brings files in its own time).
fn until(d: &Dev<'_>, what: &str, done: impl Fn(&Dev<'_>) -> bool) -> Duration {
    let t = Instant::now();
    loop {
        let _ = d
            .cli
            .json(&["--vault", d.path.to_str().expect("utf8"), "sync"], "");
        if done(d) {
            return t.elapsed();
        }
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "{what}: not there after 90 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn wait_for_file(dir: &Path, name: &str) {
    let t = Instant::now();
    loop {
        // A name, or the end of one (".kws": any segment or snapshot).
        let found = crate::common::files_below(dir).iter().any(|p| {
            let file = p
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            file.ends_with(name) && !file.starts_with('.')
        });
        if found {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "{name} never reached {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn conflict_copies(dir: &Path) -> Vec<PathBuf> {
    crate::common::files_below(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".sync-conflict-"))
        .collect()
}

#[test]
fn three_devices_through_syncthing() {
    if !available() {
        return;
    }
    let cli = Cli::new();
    let (nodes, dirs) = mesh(cli.dir.path(), 3);
    let a = first_device(&cli, &dirs[0]);
    wait_for_file(&dirs[1], "keys.json");
    wait_for_file(&dirs[2], "keys.json");
    wait_for_file(&dirs[1], ".kws");
    wait_for_file(&dirs[2], ".kws");
    let b = join(&cli, &dirs[1], "desktop");
    let c = join(&cli, &dirs[2], "tablet");
    assert_eq!(b.value("Stripe"), "sk_live_first");
    assert_eq!(c.value("Stripe"), "sk_live_first");

    // Add on A: appears on B and C.
    a.ok(&["add", "api-key", "GitHub"], "ghp_through_syncthing\n");
    a.sync();
    until(&b, "add on A at B", |d| {
        d.names().contains(&"GitHub".to_owned())
    });
    until(&c, "add on A at C", |d| {
        d.names().contains(&"GitHub".to_owned())
    });
    // Edit on B: reaches A.
    b.ok(&["edit", "Stripe", "--value-stdin"], "edited on B\n");
    b.sync();
    until(&a, "edit on B at A", |d| d.value("Stripe") == "edited on B");
    // Delete on C: gone everywhere.
    until(&c, "edit on B at C", |d| d.value("Stripe") == "edited on B");
    c.ok(&["rm", "GitHub"], "");
    c.sync();
    until(&a, "delete on C at A", |d| {
        !d.names().contains(&"GitHub".to_owned())
    });
    until(&b, "delete on C at B", |d| {
        !d.names().contains(&"GitHub".to_owned())
    });

    // A and B edit the same item while their Syncthing is paused: after resume both
    // converge on the same winner, and the loser is a conflict version on both.
    nodes[0].pause_all();
    nodes[1].pause_all();
    a.ok(&["edit", "Stripe", "--value-stdin"], "offline A\n");
    b.ok(&["edit", "Stripe", "--value-stdin"], "offline B\n");
    a.sync();
    b.sync();
    nodes[0].resume_all();
    nodes[1].resume_all();
    let has_conflict = |d: &Dev<'_>| {
        d.ok(&["conflicts"], "")
            .as_array()
            .is_some_and(|l| l.len() == 1)
    };
    until(&a, "conflict at A", has_conflict);
    until(&b, "conflict at B", has_conflict);
    until(&c, "conflict at C", has_conflict);
    let winner = a.value("Stripe");
    assert!(winner == "offline A" || winner == "offline B", "{winner}");
    assert_eq!(b.value("Stripe"), winner);
    assert_eq!(a.ok(&["conflicts"], ""), b.ok(&["conflicts"], ""));
    until(&a, "A settled", |_| true);
    until(&b, "B settled", |_| true);
    until(&c, "C settled", |_| true);
    assert_eq!(state(&a), state(&b));
    assert_eq!(state(&a), state(&c));
    // Each device writes only its own files: Syncthing never made a conflict copy.
    for d in &dirs {
        assert!(conflict_copies(d).is_empty(), "{:?}", conflict_copies(d));
    }
}

#[test]
fn two_devices_through_syncthing() {
    if !available() {
        return;
    }
    let cli = Cli::new();
    let (_nodes, dirs) = mesh(cli.dir.path(), 2);
    let a = first_device(&cli, &dirs[0]);
    // The join reads keys.json first: Syncthing may bring the segment before it.
    wait_for_file(&dirs[1], "keys.json");
    wait_for_file(&dirs[1], ".kws");
    let b = join(&cli, &dirs[1], "desktop");
    b.ok(&["add", "api-key", "From B"], "b\n");
    b.sync();
    until(&a, "add on B at A", |d| {
        d.names().contains(&"From B".to_owned())
    });
    assert_eq!(a.value("From B"), "b");
    assert!(conflict_copies(&dirs[0]).is_empty());
}

/// Benchmark (not a timed test): from `keywright add` + `sync` on A to the item in
/// `keywright list` on B, through Syncthing on loopback, median of 10. Run with
/// `cargo test -p keywright-tests --test tests sync_syncthing::latency -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark: run by hand, figures go into the README"]
fn latency_add_on_a_to_list_on_b() {
    if !available() {
        return;
    }
    let cli = Cli::new();
    let (_nodes, dirs) = mesh(cli.dir.path(), 2);
    let a = first_device(&cli, &dirs[0]);
    // The join reads keys.json first: Syncthing may bring the segment before it.
    wait_for_file(&dirs[1], "keys.json");
    wait_for_file(&dirs[1], ".kws");
    let b = join(&cli, &dirs[1], "desktop");
    let mut times = Vec::new();
    for i in 0..10 {
        let name = format!("Latency {i}");
        let t = Instant::now();
        a.ok(&["add", "api-key", &name], "x\n");
        a.sync();
        until(&b, "latency", |d| d.names().contains(&name));
        times.push(t.elapsed());
    }
    times.sort();
    eprintln!(
        "add on A -> list on B through Syncthing: median {:.2} s, min {:.2} s, max {:.2} s",
        times[4].as_secs_f64(),
        times[0].as_secs_f64(),
        times[9].as_secs_f64()
    );
}
