//! Vault benchmarks: unlock without the KDF (open + session unlock + open every overview,
//! from the overview index, and right after a change when every item is opened one by one
//! and the index rebuilt), search, and lookup by name, on 1k / 10k / 100k items; the
//! automatic backup's check with nothing due, and a snapshot, on 10k items.
//! `cargo bench -p keywright-core`.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use keywright_core::crypto::kdf::KdfParams;
use keywright_core::vault::session;
use keywright_core::{CreateOptions, Vault};
use secrecy::SecretString;

#[path = "../examples/make_vault.rs"]
#[allow(dead_code)]
mod make_vault;

fn build(dir: &Path, n: usize) -> SecretString {
    let mut c = Vault::create(
        &dir.join("vault.db"),
        &SecretString::from("bench".to_owned()),
        CreateOptions {
            kdf: Some(KdfParams::new_unchecked(64, 1, 1)),
            keyring: None,
        },
    )
    .expect("create");
    for chunk in make_vault::items(n).chunks(5_000) {
        c.vault.add_batch(chunk.to_vec()).expect("add");
    }
    session::start(&c.vault, 3600, &dir.join("run")).expect("session")
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("vault");
    g.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let dir = tempfile::tempdir().expect("tmp");
        let token = build(dir.path(), n);
        let db = dir.path().join("vault.db");
        let run = dir.path().join("run");
        g.bench_with_input(BenchmarkId::new("unlock_without_kdf", n), &n, |b, _| {
            b.iter(|| {
                let mut v = Vault::open(&db).expect("open");
                session::unlock(&mut v, &token, &run).expect("unlock");
                black_box(v.items().expect("items").len())
            })
        });
        g.bench_with_input(BenchmarkId::new("unlock_after_change", n), &n, |b, _| {
            b.iter_batched(
                || {
                    // Any item change drops the overview index (a trigger does it).
                    rusqlite::Connection::open(&db)
                        .and_then(|c| {
                            c.execute("UPDATE items SET overview = overview WHERE rowid = 1", [])
                        })
                        .expect("touch");
                },
                |()| {
                    let mut v = Vault::open(&db).expect("open");
                    session::unlock(&mut v, &token, &run).expect("unlock");
                    black_box(v.items().expect("items").len())
                },
                criterion::BatchSize::PerIteration,
            )
        });
        let mut v = Vault::open(&db).expect("open");
        session::unlock(&mut v, &token, &run).expect("unlock");
        v.items().expect("warm");
        g.bench_with_input(BenchmarkId::new("search", n), &n, |b, _| {
            b.iter(|| black_box(v.search(black_box("stripe prod")).expect("search").len()))
        });
        g.bench_with_input(BenchmarkId::new("find_by_name", n), &n, |b, _| {
            b.iter(|| black_box(v.find(black_box("github staging 000013")).expect("find").id))
        });
    }
    g.finish();
}

/// What the app's watch (once a minute) and a CLI command that wrote pay when automatic
/// backups are on and nothing is due: the digest of the sealed rows, compared with the last
/// backup's. And a whole snapshot through the library.
fn backups(c: &mut Criterion) {
    let mut g = c.benchmark_group("backup");
    g.sample_size(10);
    let n = 10_000usize;
    let dir = tempfile::tempdir().expect("tmp");
    let token = build(dir.path(), n);
    let db = dir.path().join("vault.db");
    let mut v = Vault::open(&db).expect("open");
    session::unlock(&mut v, &token, &dir.path().join("run")).expect("unlock");
    v.set_backup_config(&keywright_core::vault::backup::BackupConfig {
        auto: true,
        folder: Some(dir.path().join("bk")),
    })
    .expect("config");
    let now = keywright_core::timefmt::now();
    v.maybe_auto_backup(now).expect("first backup");
    g.bench_with_input(BenchmarkId::new("auto_check_nothing_due", n), &n, |b, _| {
        b.iter(|| black_box(v.maybe_auto_backup(now + 30).expect("check")))
    });
    let out = dir.path().join("bench");
    g.bench_with_input(BenchmarkId::new("snapshot", n), &n, |b, _| {
        b.iter_batched(
            || {
                let _ = std::fs::remove_dir_all(&out);
            },
            |()| black_box(v.backup_now(Some(&out), now).expect("backup").size),
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(vault, benches, backups);
criterion_main!(vault);
