//! 2FA benchmarks on a 10k-item vault that holds 1,000 TOTP items: what the Codes view
//! reads (every 2FA item's current and next code), warm and right after a write; and one
//! code on its own. `cargo bench -p keywright-core --bench otp`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use keywright_core::crypto::kdf::KdfParams;
use keywright_core::{CreateOptions, Vault, timefmt};
use secrecy::SecretString;

#[path = "../examples/make_vault.rs"]
#[allow(dead_code)]
mod make_vault;

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let mut created = Vault::create(
        &dir.path().join("vault.db"),
        &SecretString::from("bench".to_owned()),
        CreateOptions {
            kdf: Some(KdfParams::new_unchecked(64, 1, 1)),
            keyring: None,
        },
    )
    .expect("create");
    for chunk in make_vault::items(10_000).chunks(5_000) {
        created.vault.add_batch(chunk.to_vec()).expect("add");
    }
    let mut v = created.vault;
    let now = timefmt::now();
    let (views, damaged) = v.otp_codes(now).expect("codes");
    assert_eq!((views.len(), damaged.len()), (1_000, 0));
    let one = views[0].item.id.clone();

    let mut g = c.benchmark_group("otp");
    g.sample_size(20);
    // What the Codes view reads at each period's end: the sealed seeds kept from the last
    // read (no write since), opened and computed on every core.
    g.bench_function("codes_1000_totp_of_10k_items", |b| {
        b.iter(|| black_box(v.otp_codes(now).expect("codes").0.len()))
    });
    // The first read after a change to the vault: the seeds are read from SQLite again.
    g.bench_function("codes_1000_totp_after_a_write", |b| {
        b.iter_custom(|iters| {
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..iters {
                v.record_use(&one, "bench").expect("write");
                let t = std::time::Instant::now();
                black_box(v.otp_codes(now).expect("codes").0.len());
                spent += t.elapsed();
            }
            spent
        })
    });
    g.bench_function("one_totp_code", |b| {
        b.iter(|| black_box(v.totp(&one, now).expect("code")))
    });
    g.finish();
}

criterion_group!(otp, benches);
criterion_main!(otp);
