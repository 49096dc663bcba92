//! 2FA on a real vault: codes checked against `oathtool` (an independent implementation),
//! HOTP counters that are never reused, imports planned and saved in one transaction.

use std::process::Command;

use keywright_core::credential::{Kind, NewItem, OtpAlgorithm, OtpParams, OtpType};
use keywright_core::import::Record;
use keywright_core::otp::{self, import::Entry, uri};
use keywright_core::vault::import::{Choice, PlanStatus};
use keywright_core::{Error, Vault};
use tempfile::tempdir;

use crate::common::{PASSWORD, new_vault, pw};

/// A small deterministic generator (xorshift) so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn oathtool(args: &[&str], secret_hex: &str) -> String {
    let out = Command::new("oathtool")
        .args(args)
        .arg(secret_hex)
        .output()
        .expect("oathtool is installed (scripts/install-deps.sh)");
    assert!(
        out.status.success(),
        "oathtool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn otp_item(name: &str, secret: &str, params: OtpParams) -> NewItem {
    let mut n = NewItem::new(Kind::Totp, name, secret);
    n.otp = Some(params);
    n
}

/// Random seeds (10 to 64 bytes) × SHA1/SHA256/SHA512 × 6/7/8 digits × periods × times,
/// each code compared with oathtool's.
#[test]
fn totp_matches_oathtool() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let algs = [
        (OtpAlgorithm::Sha1, "sha1"),
        (OtpAlgorithm::Sha256, "sha256"),
        (OtpAlgorithm::Sha512, "sha512"),
    ];
    for case in 0..60 {
        let len = 10 + rng.below(55) as usize;
        let seed: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let (alg, alg_name) = algs[case % 3];
        let digits = 6 + (case / 3 % 3) as u8;
        let period = [30u32, 60, 15, 45][case % 4];
        let t = 1_000_000_000 + rng.below(3_000_000_000) as i64;
        let params = OtpParams {
            otp_type: OtpType::Totp,
            algorithm: alg,
            digits,
            period,
        };
        let ours = otp::totp_at(&params, &seed, t).expect("code");
        let theirs = oathtool(
            &[
                &format!("--totp={alg_name}"),
                &format!("--digits={digits}"),
                &format!("--time-step-size={period}s"),
                &format!("--now=@{t}"),
            ],
            &hex(&seed),
        );
        assert_eq!(
            ours, theirs,
            "case {case}: {alg_name} {digits} digits {period}s at {t}, {len}-byte seed"
        );
    }
}

#[test]
fn hotp_matches_oathtool() {
    let mut rng = Rng(0x0dd_ba11);
    for case in 0..30 {
        let len = 10 + rng.below(30) as usize;
        let seed: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let digits = 6 + (case % 3) as u8;
        let counter = rng.below(1 << 40);
        let params = OtpParams {
            otp_type: OtpType::Hotp,
            digits,
            ..OtpParams::default()
        };
        let ours = otp::hotp(&params, &seed, counter).expect("hotp");
        let theirs = oathtool(
            &[
                &format!("--digits={digits}"),
                &format!("--counter={counter}"),
            ],
            &hex(&seed),
        );
        assert_eq!(ours, theirs, "case {case}: counter {counter}");
    }
}

/// The vault's codes for an 80-bit base32 seed equal oathtool's for the same seed.
#[test]
fn vault_codes_match_oathtool() {
    let dir = tempdir().expect("tmp");
    let mut v = new_vault(dir.path()).vault;
    let item = v
        .add(otp_item(
            "GitHub",
            "jbsw y3dp ehpk 3pxp",
            OtpParams::default(),
        ))
        .expect("add");
    assert_eq!(
        item.overview.rotate_every_days, None,
        "2FA seeds have no rotation reminder"
    );
    let t = 1_700_000_015;
    let code = v.totp(&item.id, t).expect("code");
    let theirs = oathtool(
        &["--totp", "--base32", &format!("--now=@{t}")],
        "JBSWY3DPEHPK3PXP",
    );
    assert_eq!(code.code.as_str(), theirs);
    assert_eq!(code.valid_until, 1_700_000_040);
    let next = oathtool(
        &["--totp", "--base32", "--now=@1700000040"],
        "JBSWY3DPEHPK3PXP",
    );
    assert_eq!(code.next_code.as_str(), next);

    let (views, damaged) = v.otp_codes(t).expect("codes");
    assert!(damaged.is_empty());
    assert_eq!(views.len(), 1);
    assert_eq!(
        views[0].timed.as_ref().map(|c| c.code.to_string()),
        Some(theirs)
    );
}

/// The Codes view's reads keep the sealed seeds between calls: an edit here, a change
/// made by another process, a deletion and an HOTP step must all show at the next read.
#[test]
fn codes_follow_every_change() {
    let dir = tempdir().expect("tmp");
    let created = new_vault(dir.path());
    let path = created.vault.path().to_owned();
    let mut v = created.vault;
    let a = v
        .add(otp_item("A", "JBSWY3DPEHPK3PXP", OtpParams::default()))
        .expect("add");
    let hp = OtpParams {
        otp_type: OtpType::Hotp,
        ..OtpParams::default()
    };
    let h = v.add(otp_item("H", "GEZDGNBVGY3TQOJQ", hp)).expect("add");
    let t = 1_700_000_015;
    let code_of = |v: &mut Vault, id: &str| {
        let (views, _) = v.otp_codes(t).expect("codes");
        views
            .iter()
            .find(|x| x.item.id == id)
            .map(|x| (x.timed.as_ref().map(|c| c.code.to_string()), x.counter))
    };
    let want = |b32: &str| oathtool(&["--totp", "--base32", &format!("--now=@{t}")], b32);
    assert_eq!(
        code_of(&mut v, &a.id),
        Some((Some(want("JBSWY3DPEHPK3PXP")), None))
    );
    assert_eq!(
        code_of(&mut v, &a.id),
        Some((Some(want("JBSWY3DPEHPK3PXP")), None))
    );
    // An edit of the seed through this handle.
    let patch = keywright_core::ItemPatch {
        value: Some(zeroize::Zeroizing::new("KRSXG5CTMVRXEZLU".to_owned())),
        ..Default::default()
    };
    v.update(&a.id, patch).expect("edit");
    assert_eq!(
        code_of(&mut v, &a.id),
        Some((Some(want("KRSXG5CTMVRXEZLU")), None))
    );
    // An edit by another process (another connection).
    let mut other = Vault::open(&path).expect("open");
    other.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    let patch = keywright_core::ItemPatch {
        value: Some(zeroize::Zeroizing::new("MFRGGZDFMZTWQ2LK".to_owned())),
        ..Default::default()
    };
    other.update(&a.id, patch).expect("edit elsewhere");
    assert_eq!(
        code_of(&mut v, &a.id),
        Some((Some(want("MFRGGZDFMZTWQ2LK")), None))
    );
    // HOTP: the counter shown follows the code handed out.
    assert_eq!(code_of(&mut v, &h.id), Some((None, Some(0))));
    other.next_hotp(&h.id).expect("hotp");
    assert_eq!(code_of(&mut v, &h.id), Some((None, Some(1))));
    v.next_hotp(&h.id).expect("hotp");
    assert_eq!(code_of(&mut v, &h.id), Some((None, Some(2))));
    // A deleted item is gone.
    other.delete(&a.id).expect("delete");
    assert_eq!(code_of(&mut v, &a.id), None);
}

#[test]
fn hotp_advances_and_persists() {
    let dir = tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut v = new_vault(dir.path()).vault;
    let params = OtpParams {
        otp_type: OtpType::Hotp,
        ..OtpParams::default()
    };
    // RFC 4226's seed, base32 of "12345678901234567890".
    let mut n = otp_item("Bank", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", params);
    n.secret.counter = 5;
    let item = v.add(n).expect("add");
    let (c5, n5) = v.next_hotp(&item.id).expect("5");
    assert_eq!((c5.as_str(), n5), ("254676", 5));
    let (c6, n6) = v.next_hotp(&item.id).expect("6");
    assert_eq!((c6.as_str(), n6), ("287922", 6));
    drop(v);
    // Another process (a fresh open) continues where this one stopped.
    let mut v = Vault::open(&db).expect("open");
    v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
    let (c7, n7) = v.next_hotp(&item.id).expect("7");
    assert_eq!((c7.as_str(), n7), ("162583", 7));
    let (views, _) = v.otp_codes(0).expect("codes");
    assert_eq!(views[0].counter, Some(8));
    // A TOTP item is refused by next_hotp, an HOTP item by totp.
    let t = v
        .add(otp_item("T", "JBSWY3DPEHPK3PXP", OtpParams::default()))
        .expect("totp item");
    assert!(v.next_hotp(&t.id).is_err());
    assert!(v.totp(&item.id, 0).is_err());
}

/// A code is handed out only after its counter's increment committed. When the commit
/// cannot happen (another writer holds the database), no code comes out and the counter is
/// unchanged; the next successful call issues the code for that same unused counter.
#[test]
fn hotp_never_issues_a_code_it_could_not_commit() {
    let dir = tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    let mut v = new_vault(dir.path()).vault;
    let params = OtpParams {
        otp_type: OtpType::Hotp,
        ..OtpParams::default()
    };
    let item = v
        .add(otp_item("Bank", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", params))
        .expect("add");
    let (c0, _) = v.next_hotp(&item.id).expect("0");
    assert_eq!(c0.as_str(), "755224");

    let blocker = rusqlite::Connection::open(&db).expect("second connection");
    blocker
        .execute_batch("BEGIN IMMEDIATE")
        .expect("hold the write lock");
    let started = std::time::Instant::now();
    let err = v.next_hotp(&item.id).expect_err("locked");
    assert!(matches!(err, Error::Database(_)), "{err}");
    assert!(
        started.elapsed().as_secs() >= 4,
        "waited for the busy timeout"
    );
    blocker.execute_batch("ROLLBACK").expect("release");

    let (c1, n1) = v.next_hotp(&item.id).expect("1");
    assert_eq!(
        (c1.as_str(), n1),
        ("287082", 1),
        "counter 1 was never issued before"
    );
}

fn entries(lines: &[&str]) -> Vec<Record> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| Entry {
            position: i + 1,
            label: format!("line {}", i + 1),
            account: uri::parse(l).map_err(|e| e.to_string()),
        })
        .map(Record::from)
        .collect()
}

#[test]
fn import_plan_flags_duplicates_and_invalid_then_saves_atomically() {
    let dir = tempdir().expect("tmp");
    let mut v = new_vault(dir.path()).vault;
    let mut existing = otp_item("GitHub", "JBSWY3DPEHPK3PXP", OtpParams::default());
    existing.issuer = Some("GitHub".into());
    v.add(existing).expect("existing");
    // Same name as the first new entry will want, different seed: gets "… 2".
    v.add(crate::common::api_key("AWS (root)", "k"))
        .expect("name taken");

    let plan = v
        .plan_import(entries(&[
            "otpauth://totp/GitHub:alice?secret=jbswy3dpehpk3pxp&issuer=GitHub",
            "otpauth://totp/AWS:root?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "otpauth://totp/Bad:x?secret=NOT-BASE32-1",
            "otpauth://hotp/Bank:me?secret=MFRGGZDFMZTWQ2LK&counter=3",
            "otpauth://totp/AWS:again?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        ]))
        .expect("plan");
    let st: Vec<PlanStatus> = plan.rows.iter().map(|r| r.status).collect();
    assert_eq!(
        st,
        [
            PlanStatus::Duplicate,
            PlanStatus::New,
            PlanStatus::Invalid,
            PlanStatus::New,
            PlanStatus::Duplicate
        ]
    );
    assert_eq!(plan.rows[0].duplicate_of.as_deref(), Some("GitHub"));
    assert_eq!(plan.rows[1].name.as_deref(), Some("AWS (root) 2"));
    assert!(
        plan.rows[2]
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("'1'"),
        "{:?}",
        plan.rows[2].reason
    );
    assert_eq!(plan.rows[4].duplicate_of.as_deref(), Some("AWS (root) 2"));
    assert!(
        plan.first_invalid()
            .is_some_and(|e| e.to_string().contains("line 3"))
    );

    let added = v.apply_import(&plan, Choice::Offered).expect("apply");
    assert_eq!(added.len(), 2);
    let bank = v.find("Bank (me)").expect("bank");
    assert_eq!(bank.overview.otp.map(|p| p.otp_type), Some(OtpType::Hotp));
    let (_, counter) = v.next_hotp(&bank.id).expect("hotp");
    assert_eq!(counter, 3, "the imported counter is kept");
    // Importing the same file again adds nothing.
    let again = v
        .plan_import(entries(&[
            "otpauth://totp/AWS:root?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        ]))
        .expect("plan");
    assert_eq!(again.count(PlanStatus::Duplicate), 1);
}

/// Issue 13 item 12: control characters from an import never reach the vault; the entry
/// is reported as invalid with the field and the character, the others are imported.
#[test]
fn import_refuses_control_characters_by_entry() {
    let dir = tempdir().expect("tmp");
    let mut v = new_vault(dir.path()).vault;
    let plan = v
        .plan_import(entries(&[
            "otpauth://totp/Evil:%1B%5D0%3Bx%07?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Evil%1B%5B2J",
            "otpauth://totp/Bidi:a%E2%80%AEb?secret=MFRGGZDFMZTWQ2LK",
            "otpauth://totp/Fine:alice?secret=MFRGGZDFMZTWQ2LKMFRGGZDF",
        ]))
        .expect("plan");
    let st: Vec<PlanStatus> = plan.rows.iter().map(|r| r.status).collect();
    assert_eq!(
        st,
        [
            PlanStatus::Invalid,
            PlanStatus::Invalid,
            PlanStatus::Invalid,
            PlanStatus::New
        ]
    );
    let reasons: Vec<&str> = plan
        .rows
        .iter()
        .map(|r| r.reason.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(reasons[0], "account contains a control character (U+001B)");
    assert_eq!(reasons[1], "issuer contains a control character (U+001B)");
    assert_eq!(
        reasons[2],
        "account contains a bidirectional override (U+202E)"
    );
    let added = v.apply_import(&plan, Choice::Offered).expect("apply");
    assert_eq!(added.len(), 1);
    assert_eq!(v.items().expect("items").len(), 1);
}

#[test]
fn accounts_export_round_trip_and_password_check() {
    let dir = tempdir().expect("tmp");
    let mut v = new_vault(dir.path()).vault;
    let mut n = otp_item("Slack", "JBSWY3DPEHPK3PXP", OtpParams::default());
    n.issuer = Some("Slack".into());
    n.username = Some("me@corp".into());
    let item = v.add(n).expect("add");
    let acc = v.otp_account(&item.id).expect("account");
    let u = uri::to_uri(&acc);
    assert_eq!(
        u.as_str(),
        "otpauth://totp/Slack:me@corp?secret=JBSWY3DPEHPK3PXP&issuer=Slack&algorithm=SHA1&digits=6&period=30"
    );
    assert_eq!(v.otp_accounts_audited("export").expect("all").len(), 1);
    let log = v.audit_log(Some(&item.id)).expect("log");
    assert!(
        log.iter().any(|e| e.detail.as_deref() == Some("export")),
        "the export is in the audit log"
    );
    assert!(matches!(
        v.verify_password(&pw("nope")),
        Err(Error::WrongPassword)
    ));
    v.verify_password(&pw(PASSWORD)).expect("right password");
}
