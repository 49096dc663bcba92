//! Sync benchmark (figures in the README): applying another device's fresh 10,000-item
//! vault (time and peak RSS of the joining process), and the sync folder's size after 10
//! edits of every item, before and after compaction, against the vault file.
//!
//! `cargo run --release -p keywright-core --example sync_bench -- [ITEMS]`

use std::path::{Path, PathBuf};
use std::time::Instant;

use keywright_core::crypto::kdf::KdfParams;
use keywright_core::vault::sync::JoinSecret;
use keywright_core::{CreateOptions, ItemPatch, Kind, NewItem, Vault};
use secrecy::SecretString;
use zeroize::Zeroizing;

fn pw() -> SecretString {
    SecretString::from("bench-password-1".to_owned())
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |k| k / 1024.0)
}

fn size(p: &Path) -> u64 {
    if p.is_dir() {
        std::fs::read_dir(p)
            .map(|rd| rd.flatten().map(|e| size(&e.path())).sum())
            .unwrap_or(0)
    } else {
        std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
    }
}

fn vault_size(db: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .map(|s| {
            let mut p = db.as_os_str().to_owned();
            p.push(s);
            size(&PathBuf::from(p))
        })
        .sum()
}

/// A random-looking key of `n` characters (keys do not compress; repeated text would).
fn key(seed: u64, n: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                    [(x % 62) as usize],
            )
        })
        .collect()
}

fn mib(b: u64) -> f64 {
    b as f64 / 1_048_576.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("join") {
        // The second device, in its own process: its peak RSS is the join's.
        let dir = PathBuf::from(&args[2]);
        let t = Instant::now();
        let (v, r) = Vault::sync_join(
            &dir.join("Sync"),
            &dir.join("b.db"),
            &JoinSecret::Password(pw()),
            None,
            Some("b"),
        )
        .expect("join");
        let el = t.elapsed();
        println!(
            "join: applied {} item(s) from {} file(s) in {:.2} s, peak RSS {:.0} MiB",
            v.item_count().expect("count"),
            r.files_read,
            el.as_secs_f64(),
            peak_rss_mib()
        );
        return;
    }
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let a_path = dir.join("a.db");
    let mut a = Vault::create(
        &a_path,
        &pw(),
        CreateOptions {
            kdf: Some(KdfParams::new_unchecked(19 * 1024, 2, 1)),
            keyring: None,
        },
    )
    .expect("create")
    .vault;
    let news: Vec<NewItem> = (0..n)
        .map(|i| {
            let mut item = NewItem::new(
                Kind::ApiKey,
                format!("service {i:05}"),
                format!("sk_live_{}", key(i as u64, 40)),
            );
            item.url = Some(format!("https://api{}.example.com/v1", i % 97));
            item.tags = vec![format!("team-{}", i % 13), "prod".into()];
            item
        })
        .collect();
    a.add_batch(news).expect("add");
    let t = Instant::now();
    let r = a.sync_init(&dir.join("Sync"), Some("a")).expect("init");
    println!(
        "{n} items: sync init wrote {} version(s) in {:.2} s; vault file {:.1} MiB, sync folder {:.1} MiB",
        r.sent,
        t.elapsed().as_secs_f64(),
        mib(vault_size(&a_path)),
        mib(size(&dir.join("Sync")))
    );
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .arg("join")
        .arg(dir)
        .output()
        .expect("join process");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // 10 edits of every item, a pass after each round of edits.
    let ids: Vec<String> = a
        .items()
        .expect("items")
        .iter()
        .map(|i| i.id.clone())
        .collect();
    let mut largest = 0;
    let mut compactions = 0;
    let t = Instant::now();
    for round in 0..10 {
        for (i, id) in ids.iter().enumerate() {
            a.update(
                id,
                ItemPatch {
                    value: Some(Zeroizing::new(format!(
                        "sk_live_{i:05}_r{round}_{}",
                        "Zq9".repeat(12)
                    ))),
                    ..ItemPatch::default()
                },
            )
            .expect("edit");
        }
        let before = size(&dir.join("Sync"));
        let r = a.sync_now().expect("sync");
        let after = size(&dir.join("Sync"));
        largest = largest.max(before).max(after);
        if r.compacted {
            compactions += 1;
            println!(
                "round {}: compacted: folder {:.1} MiB before the snapshot, {:.1} MiB after",
                round + 1,
                mib(before.max(after)),
                mib(after)
            );
        }
    }
    let vault = vault_size(&a_path);
    let folder = size(&dir.join("Sync"));
    println!(
        "10 edits of each of {n} items ({} passes, {:.1} s): vault file {:.1} MiB; sync folder at most {:.1} MiB ({:.2}x the vault), {:.1} MiB at the end ({:.2}x); {compactions} compaction(s)",
        10,
        t.elapsed().as_secs_f64(),
        mib(vault),
        mib(largest),
        largest as f64 / vault as f64,
        mib(folder),
        folder as f64 / vault as f64
    );
}
