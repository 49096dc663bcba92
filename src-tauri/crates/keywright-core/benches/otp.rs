//! 2FA benchmarks: what the Codes view does each second (every 2FA item's current and next
//! code, seeds opened from the vault) on a 10k-item vault that holds 1,000 TOTP items, and
//! one code on its own. `cargo bench -p keywright-core --bench otp`.

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
    g.bench_function("codes_1000_totp_of_10k_items", |b| {
        b.iter(|| black_box(v.otp_codes(now).expect("codes").0.len()))
    });
    g.bench_function("one_totp_code", |b| {
        b.iter(|| black_box(v.totp(&one, now).expect("code")))
    });
    g.finish();
}

criterion_group!(otp, benches);
criterion_main!(otp);
