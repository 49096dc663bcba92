//! Sync between vault files through a plain shared folder (no sync tool): the merge
//! rules end to end, refusals, compaction, joining and the password slots.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use super::sync::JoinSecret;
use super::*;
use crate::credential::{Kind, NewItem, OtpParams, OtpType};

const PW: &str = "pw-pw-pw-pw";

fn pw() -> SecretString {
    SecretString::from(PW.to_owned())
}

fn create(path: &Path) -> Vault {
    Vault::create(
        path,
        &pw(),
        CreateOptions {
            kdf: Some(KdfParams::new_unchecked(256, 1, 1)),
            keyring: None,
        },
    )
    .expect("create")
    .vault
}

fn join(dir: &Path, path: &Path) -> Vault {
    Vault::sync_join(dir, path, &JoinSecret::Password(pw()), None, Some("joiner"))
        .expect("join")
        .0
}

struct World {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    root: PathBuf,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("Sync");
        std::fs::create_dir(&dir).expect("mkdir");
        World {
            root: tmp.path().to_path_buf(),
            dir,
            _tmp: tmp,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(format!("{name}.db"))
    }
}

fn key(name: &str, value: &str) -> NewItem {
    NewItem::new(Kind::ApiKey, name, value)
}

/// The whole item state: every item with its overview, secret and saved requests, and
/// the revisions in force.
fn state(v: &mut Vault) -> String {
    let items: Vec<Item> = v.items().expect("items").to_vec();
    let mut out = String::new();
    for i in items {
        let s = v.open_secret(&i.id).expect("secret");
        let reqs = v.saved_requests(&i.id).expect("saved");
        out.push_str(&format!(
            "{} {} {} {}\n",
            i.id,
            serde_json::to_string(&i.overview).expect("test step"),
            serde_json::to_string(&s).expect("test step"),
            serde_json::to_string(&reqs).expect("test step")
        ));
    }
    // The Trash is each device's own (an item added and deleted elsewhere before this
    // device saw it never reaches this Trash): not compared.
    out.push_str(&format!("revisions {:?}\n", v.revisions().expect("revs")));
    out
}

fn names(v: &mut Vault) -> Vec<String> {
    v.items()
        .expect("items")
        .iter()
        .map(|i| i.overview.name.clone())
        .collect()
}

fn value(v: &mut Vault, name: &str) -> String {
    let id = v.find(name).expect("find").id;
    v.open_secret(&id).expect("secret").value.clone()
}

fn patch_value(v: &str) -> ItemPatch {
    ItemPatch {
        value: Some(Zeroizing::new(v.to_owned())),
        ..ItemPatch::default()
    }
}

#[test]
fn two_devices_add_edit_delete_and_converge() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.add(key("Stripe", "sk_a_1")).expect("test step");
    a.add(key("GitHub", "ghp_1")).expect("test step");
    let r = a.sync_init(&w.dir, Some("laptop")).expect("test step");
    assert_eq!(r.sent, 2);
    assert!(r.wrote.is_some());

    let mut b = join(&w.dir, &w.path("b"));
    assert_eq!(names(&mut b), vec!["GitHub", "Stripe"]);
    assert_eq!(value(&mut b, "Stripe"), "sk_a_1");

    // Edit on B reaches A.
    let id = b.find("Stripe").expect("test step").id;
    b.update(&id, patch_value("sk_b_2")).expect("test step");
    b.sync_now().expect("test step");
    let r = a.sync_now().expect("test step");
    assert_eq!(r.merged.updated, 1, "{r:?}");
    assert_eq!(value(&mut a, "Stripe"), "sk_b_2");

    // Add on A reaches B; delete on B reaches A (into its Trash, restorable).
    a.add(key("AWS", "AKIA")).expect("test step");
    a.sync_now().expect("test step");
    b.sync_now().expect("test step");
    assert_eq!(names(&mut b), vec!["AWS", "GitHub", "Stripe"]);
    b.trash("GitHub").expect("test step");
    b.sync_now().expect("test step");
    let r = a.sync_now().expect("test step");
    assert_eq!(r.merged.deleted, 1);
    assert_eq!(names(&mut a), vec!["AWS", "Stripe"]);
    assert_eq!(a.trash_items().expect("test step").items.len(), 1);

    // Both passes again: nothing changes, and both hold the same state.
    a.sync_now().expect("test step");
    b.sync_now().expect("test step");
    assert_eq!(state(&mut a), state(&mut b));
    let r = a.sync_now().expect("test step");
    assert_eq!(r.merged.changed(), 0);
    assert!(r.wrote.is_none(), "nothing new to write");
}

#[test]
fn concurrent_edits_keep_a_conflict_version_on_both_until_resolved() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.add(key("Stripe", "base")).expect("test step");
    a.sync_init(&w.dir, None).expect("test step");
    let mut b = join(&w.dir, &w.path("b"));
    let id = a.find("Stripe").expect("test step").id;

    // Neither sees the other's edit before making its own.
    a.update(&id, patch_value("from-a")).expect("test step");
    b.update(&id, patch_value("from-b")).expect("test step");
    a.sync_now().expect("test step");
    b.sync_now().expect("test step");
    let r = a.sync_now().expect("test step");
    assert_eq!(r.merged.conflicts, 1, "{r:?}");

    assert_eq!(state(&mut a), state(&mut b));
    let winner = value(&mut a, "Stripe");
    assert!(winner == "from-a" || winner == "from-b");
    let loser = if winner == "from-a" {
        "from-b"
    } else {
        "from-a"
    };
    for v in [&mut a, &mut b] {
        let c = v.conflicts().expect("test step");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].item_id, id);
        assert_eq!(c[0].versions.len(), 2);
        assert_eq!(c[0].versions.iter().filter(|x| x.kept).count(), 1);
        let lost = c[0].versions.iter().find(|x| !x.kept).expect("test step");
        let body = v
            .conflict_version(&id, &lost.id)
            .expect("test step")
            .expect("test step");
        assert_eq!(body.secret.value, loser, "the loser is kept, sealed");
    }

    // An edit of the winner keeps the conflict open.
    a.update(
        &id,
        ItemPatch {
            tags: Some(vec!["prod".into()]),
            ..ItemPatch::default()
        },
    )
    .expect("test step");
    a.sync_now().expect("test step");
    b.sync_now().expect("test step");
    assert_eq!(b.conflicts().expect("test step").len(), 1);

    // Keep the loser on B: both end with it, no conflict left.
    let c = b.conflicts().expect("test step");
    let lost = c[0]
        .versions
        .iter()
        .find(|x| !x.kept)
        .expect("test step")
        .id
        .clone();
    b.resolve_conflict(&id, &lost).expect("test step");
    assert_eq!(value(&mut b, "Stripe"), loser);
    b.sync_now().expect("test step");
    a.sync_now().expect("test step");
    assert_eq!(value(&mut a, "Stripe"), loser);
    assert!(a.conflicts().expect("test step").is_empty());
    assert!(b.conflicts().expect("test step").is_empty());
    assert_eq!(state(&mut a), state(&mut b));
    // A version id that is not one: a clear error.
    let e = a
        .resolve_conflict(&id, "nothing-1")
        .expect_err("should fail");
    assert!(e.to_string().contains("one version"), "{e}");
}

#[test]
fn an_edit_beats_a_concurrent_delete_and_the_item_comes_back() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.add(key("Stripe", "base")).expect("test step");
    a.sync_init(&w.dir, None).expect("test step");
    let mut b = join(&w.dir, &w.path("b"));
    let id = a.find("Stripe").expect("test step").id;
    b.trash(&id).expect("test step");
    a.update(&id, patch_value("edited")).expect("test step");
    // The delete is made later than the edit, and still loses.
    b.sync_now().expect("test step");
    a.sync_now().expect("test step");
    b.sync_now().expect("test step");
    assert_eq!(value(&mut b, "Stripe"), "edited");
    assert!(b.trash_items().expect("test step").items.is_empty());
    let c = b.conflicts().expect("test step");
    assert_eq!(c.len(), 1);
    assert!(c[0].versions.iter().any(|v| v.deleted && !v.kept), "marked");
    assert_eq!(state(&mut a), state(&mut b));
}

#[test]
fn hotp_counters_merge_by_maximum_and_saved_requests_travel() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    let mut h = NewItem::new(Kind::Totp, "Bank", "JBSWY3DPEHPK3PXP");
    h.otp = Some(OtpParams {
        otp_type: OtpType::Hotp,
        ..OtpParams::default()
    });
    let item = a.add(h).expect("test step");
    a.sync_init(&w.dir, None).expect("test step");
    let mut b = join(&w.dir, &w.path("b"));
    // A hands out 3 codes, B one, while apart.
    for _ in 0..3 {
        a.next_hotp(&item.id).expect("test step");
    }
    b.next_hotp(&item.id).expect("test step");
    a.sync_now().expect("test step");
    b.sync_now().expect("test step");
    a.sync_now().expect("test step");
    for v in [&mut a, &mut b] {
        assert_eq!(
            v.open_secret(&item.id).expect("test step").counter,
            3,
            "the highest counter"
        );
    }
    let (_, c) = b.next_hotp(&item.id).expect("test step");
    assert_eq!(c, 3, "B's next code uses counter 3, never one A handed out");

    // A saved request reaches the other device with its item.
    let k = a.add(key("Api", "k")).expect("test step");
    let input: crate::probe::input::RequestInput = serde_json::from_value(
        serde_json::json!({"method": "GET", "url": "https://api.example.com/me"}),
    )
    .expect("test step");
    a.save_request(&k.id, "whoami", &input).expect("test step");
    a.sync_now().expect("test step");
    b.sync_now().expect("test step");
    let saved = b.saved_requests(&k.id).expect("test step");
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].name, "whoami");
}

#[test]
fn same_segments_in_any_order_give_identical_state() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.add(key("Shared", "0")).expect("test step");
    a.sync_init(&w.dir, None).expect("test step");
    let mut b = join(&w.dir, &w.path("b"));
    let mut c = join(&w.dir, &w.path("c"));
    let id = a.find("Shared").expect("test step").id;
    // Three devices change things apart, several passes each.
    for round in 0..3 {
        a.update(&id, patch_value(&format!("a{round}")))
            .expect("test step");
        a.add(key(&format!("A{round}"), "x")).expect("test step");
        a.sync_now().expect("test step");
        b.update(&id, patch_value(&format!("b{round}")))
            .expect("test step");
        b.add(key(&format!("B{round}"), "x")).expect("test step");
        b.sync_now().expect("test step");
        c.add(key(&format!("Same{round}"), "c")).expect("test step");
        c.sync_now().expect("test step");
    }
    // Two new devices join; one reads only after everything is there, the other in steps.
    let mut d = join(&w.dir, &w.path("d"));
    for v in [&mut a, &mut b, &mut c, &mut d] {
        v.sync_now().expect("test step");
    }
    for v in [&mut a, &mut b, &mut c, &mut d] {
        v.sync_now().expect("test step");
    }
    let s = state(&mut a);
    assert_eq!(s, state(&mut b));
    assert_eq!(s, state(&mut c));
    assert_eq!(s, state(&mut d));
}

#[test]
fn two_items_of_one_name_from_two_devices_both_stay() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.sync_init(&w.dir, None).expect("test step");
    let mut b = join(&w.dir, &w.path("b"));
    a.add(key("Twilio", "from-a")).expect("test step");
    b.add(key("Twilio", "from-b")).expect("test step");
    a.sync_now().expect("test step");
    b.sync_now().expect("test step");
    a.sync_now().expect("test step");
    assert_eq!(state(&mut a), state(&mut b));
    let n = names(&mut a);
    assert_eq!(n.len(), 2, "{n:?}");
    assert!(n.contains(&"Twilio".to_owned()));
}

#[test]
fn bad_files_are_refused_and_the_rest_still_merges() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.add(key("One", "1")).expect("test step");
    a.sync_init(&w.dir, None).expect("test step");
    let mut b = join(&w.dir, &w.path("b"));
    let a_dir = w
        .dir
        .join(a.vault_id())
        .join(a.device_id().expect("test step"));
    a.add(key("Two", "2")).expect("test step");
    a.sync_now().expect("test step");
    a.add(key("Three", "3")).expect("test step");
    a.sync_now().expect("test step");
    let files = crate::sync::folder::list_files(&a_dir).expect("test step");
    let second_last = &files[files.len() - 2];
    // Tamper with A's second-last file: refused, reported; the last one still merges.
    let good = std::fs::read(&second_last.path).expect("test step");
    let mut bad = good.clone();
    let n = bad.len() / 2;
    bad[n] ^= 0x40;
    std::fs::write(&second_last.path, &bad).expect("test step");
    let r = b.sync_now().expect("test step");
    assert_eq!(r.refused.len(), 1, "{r:?}");
    assert!(r.refused[0].contains("does not open"), "{:?}", r.refused);
    assert!(names(&mut b).contains(&"Three".to_owned()));
    assert!(!names(&mut b).contains(&"Two".to_owned()));
    // Put back (the sync tool delivers the good copy): it merges on the next pass.
    std::fs::write(&second_last.path, &good).expect("test step");
    let r = b.sync_now().expect("test step");
    assert!(r.refused.is_empty(), "{r:?}");
    assert!(names(&mut b).contains(&"Two".to_owned()));

    // A replayed file (an old segment copied under a new number): refused.
    let last = files.last().expect("test step");
    let replay = a_dir.join(crate::sync::folder::file_name(
        crate::sync::folder::FileKind::Segment,
        last.seq + 1,
    ));
    std::fs::copy(&files[0].path, &replay).expect("test step");
    let r = b.sync_now().expect("test step");
    assert_eq!(r.refused.len(), 1, "{r:?}");
    std::fs::remove_file(&replay).expect("test step");

    // A file of another vault put in A's folder: refused.
    let other_w = World::new();
    let mut other = create(&other_w.path("o"));
    other.add(key("Foreign", "f")).expect("test step");
    other.sync_init(&other_w.dir, None).expect("test step");
    let theirs = crate::sync::folder::list_files(
        &other_w
            .dir
            .join(other.vault_id())
            .join(other.device_id().expect("test step")),
    )
    .expect("test step");
    std::fs::copy(&theirs[0].path, &replay).expect("test step");
    let r = b.sync_now().expect("test step");
    assert_eq!(r.refused.len(), 1, "{r:?}");
    assert!(!names(&mut b).contains(&"Foreign".to_owned()));
    std::fs::remove_file(&replay).expect("test step");

    // A's folder rolled back to an older copy: refused as a whole.
    let files = crate::sync::folder::list_files(&a_dir).expect("test step");
    let oldest = files.first().expect("a file").seq;
    for f in &files {
        if f.seq > oldest {
            std::fs::remove_file(&f.path).expect("test step");
        }
    }
    let r = b.sync_now().expect("test step");
    assert!(r.refused.iter().any(|x| x.contains("went back")), "{r:?}");
}

#[test]
fn a_missing_or_read_only_folder_is_a_clear_error_and_local_work_goes_on() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.sync_init(&w.dir, None).expect("test step");
    let moved = w.root.join("Sync-elsewhere");
    std::fs::rename(&w.dir, &moved).expect("test step");
    a.add(key("Offline", "x")).expect("test step");
    let e = a.sync_now().expect_err("should fail");
    assert_eq!(e.kind(), "sync");
    assert!(e.to_string().contains("is not there"), "{e}");
    std::fs::rename(&moved, &w.dir).expect("test step");
    let r = a.sync_now().expect("test step");
    assert_eq!(
        r.sent, 1,
        "the offline change is written once the folder is back"
    );

    // Not writable (as root, permissions do not stop us: use a file where the folder
    // should be instead).
    let own = w
        .dir
        .join(a.vault_id())
        .join(a.device_id().expect("test step"));
    std::fs::remove_dir_all(&own).expect("test step");
    std::fs::write(&own, b"not a folder").expect("test step");
    a.add(key("Later", "x")).expect("test step");
    let e = a.sync_now().expect_err("should fail");
    assert!(e.to_string().to_lowercase().contains("sync folder"), "{e}");
    assert!(a.find("Later").is_ok(), "local work is kept");
}

#[test]
fn compaction_bounds_the_folder_and_a_new_device_joins_from_the_snapshot() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    for i in 0..200 {
        a.add(key(&format!("Key {i}"), &"v".repeat(200)))
            .expect("test step");
    }
    a.sync_init(&w.dir, None).expect("test step");
    let own = w
        .dir
        .join(a.vault_id())
        .join(a.device_id().expect("test step"));
    let mut compacted = false;
    for round in 0..12 {
        for i in 0..200 {
            let id = a.find(&format!("Key {i}")).expect("test step").id;
            a.update(&id, patch_value(&format!("{round}-{}", "w".repeat(200))))
                .expect("test step");
        }
        compacted |= a.sync_now().expect("test step").compacted;
    }
    assert!(compacted);
    let files = crate::sync::folder::list_files(&own).expect("test step");
    let total: u64 = files.iter().map(|f| f.len).sum();
    let snap = files
        .iter()
        .find(|f| f.kind == crate::sync::folder::FileKind::Snapshot)
        .expect("a snapshot");
    // Segments are compacted once they outweigh the snapshot (or 64 KiB, for small
    // vaults): the folder holds at most about twice the snapshot, plus one segment.
    let biggest = files.iter().map(|f| f.len).max().unwrap_or(0);
    assert!(
        total <= 2 * snap.len.max(64 * 1024) + biggest,
        "{total} bytes for a {}-byte snapshot",
        snap.len
    );
    let mut b = join(&w.dir, &w.path("b"));
    assert_eq!(state(&mut a), state(&mut b));
}

#[test]
fn a_password_change_reaches_the_other_devices_and_a_removed_device_stops_being_read() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.sync_init(&w.dir, None).expect("test step");
    let mut b = join(&w.dir, &w.path("b"));
    let new_pw = SecretString::from("a-new-password-1".to_owned());
    a.change_password(&new_pw, Some(KdfParams::new_unchecked(256, 1, 1)))
        .expect("test step");
    a.sync_now().expect("test step");
    let r = b.sync_now().expect("test step");
    assert!(
        r.notices.iter().any(|n| n.contains("password was changed")),
        "{r:?}"
    );
    drop(b);
    let mut b = Vault::open(&w.path("b")).expect("test step");
    assert!(b.unlock_with_password(&pw()).is_err());
    b.unlock_with_password(&new_pw).expect("test step");

    // A third device joins with the new password.
    let (mut c, _) = Vault::sync_join(
        &w.dir,
        &w.path("c"),
        &JoinSecret::Password(new_pw.clone()),
        None,
        None,
    )
    .expect("test step");
    // B removes C: C's changes are not read any more, on B nor (after B's pass) on A.
    let c_id = c.device_id().expect("test step");
    b.sync_remove_device(&c_id[..10]).expect("test step");
    b.sync_now().expect("test step");
    a.sync_now().expect("test step");
    c.add(key("From C", "x")).expect("test step");
    let e = c.sync_now();
    b.sync_now().expect("test step");
    a.sync_now().expect("test step");
    assert!(!names(&mut a).contains(&"From C".to_owned()));
    assert!(!names(&mut b).contains(&"From C".to_owned()));
    // C learns it was removed once it reads A's or B's files.
    let e = e.and_then(|_| c.sync_now()).expect_err("should fail");
    assert!(e.to_string().contains("removed"), "{e}");
    let st = a.sync_status().expect("test step");
    assert!(st.devices.iter().any(|d| d.id == c_id && d.removed));
}

#[test]
fn joining_with_a_wrong_password_or_an_empty_folder_says_so() {
    let w = World::new();
    let e = Vault::sync_join(
        &w.dir,
        &w.path("b"),
        &JoinSecret::Password(pw()),
        None,
        None,
    )
    .expect_err("should fail");
    assert!(e.to_string().contains("holds no Keywright vault"), "{e}");
    let mut a = create(&w.path("a"));
    a.sync_init(&w.dir, None).expect("test step");
    let e = Vault::sync_join(
        &w.dir,
        &w.path("b"),
        &JoinSecret::Password(SecretString::from("wrong-wrong".to_owned())),
        None,
        None,
    )
    .expect_err("should fail");
    assert_eq!(e.kind(), "wrong_password");
    assert!(!w.path("b").exists(), "no half-made vault is left");
}

#[test]
fn merge_another_copy_of_the_vault_keeps_both_sides() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.add(key("Shared", "base")).expect("add");
    a.add(key("Untouched", "u")).expect("add");
    // A copy made by hand (a backup, or a file carried to a machine that was offline).
    drop(a);
    std::fs::copy(w.path("a"), w.path("copy")).expect("copy");
    let mut a = Vault::open(&w.path("a")).expect("open");
    a.unlock_with_password(&pw()).expect("unlock");
    let mut copy = Vault::open(&w.path("copy")).expect("open");
    copy.unlock_with_password(&pw()).expect("unlock");
    let id = a.find("Shared").expect("find").id;
    copy.add(key("Only in copy", "c")).expect("add");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    copy.update(&id, patch_value("copy's edit")).expect("edit");
    a.update(&id, patch_value("a's edit")).expect("edit");
    drop(copy);

    // The preview changes nothing.
    let before = state(&mut a);
    let p = a.merge_file(&w.path("copy"), true).expect("preview");
    assert_eq!(p.added, 1, "{p:?}");
    assert_eq!(p.conflicts, 1, "{p:?}");
    assert_eq!(before, state(&mut a));

    let r = a.merge_file(&w.path("copy"), false).expect("merge");
    assert_eq!(r, p, "the preview said what the merge did");
    assert_eq!(value(&mut a, "Only in copy"), "c");
    assert_eq!(value(&mut a, "Untouched"), "u");
    let c = a.conflicts().expect("conflicts");
    assert_eq!(c.len(), 1, "both edits of Shared are kept: {c:?}");
    let values: Vec<String> = c[0]
        .versions
        .iter()
        .map(|v| {
            a.conflict_version(&id, &v.id)
                .expect("version")
                .expect("live")
                .secret
                .value
                .clone()
        })
        .collect();
    assert!(values.contains(&"a's edit".to_owned()) && values.contains(&"copy's edit".to_owned()));
    // Merging the same file again adds nothing.
    let again = a.merge_file(&w.path("copy"), false).expect("merge again");
    assert_eq!(again.changed(), 0, "{again:?}");
    assert_eq!(again.conflicts, 0, "{again:?}");

    // Another vault is refused by name.
    let mut other = create(&w.path("other"));
    other.add(key("X", "x")).expect("add");
    drop(other);
    let e = a
        .merge_file(&w.path("other"), false)
        .expect_err("another vault");
    assert!(e.to_string().contains("another vault"), "{e}");
}

#[test]
fn rekey_stops_syncing_with_the_old_folder_and_a_new_folder_carries_everything() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.add(key("From A", "a")).expect("add");
    a.sync_init(&w.dir, None).expect("init");
    let mut b = join(&w.dir, &w.path("b"));
    b.add(key("From B", "b")).expect("add");
    let id = b.find("From A").expect("find").id;
    b.update(&id, patch_value("b's edit")).expect("edit");
    a.update(&id, patch_value("a's edit")).expect("edit");
    b.sync_now().expect("sync");
    a.sync_now().expect("sync");
    assert_eq!(a.conflicts().expect("conflicts").len(), 1);
    // A device was lost: A takes a new vault key.
    a.rekey(&pw(), Some(KdfParams::new_unchecked(256, 1, 1)), None)
        .expect("rekey");
    let e = a.sync_now().expect_err("no folder after a rekey");
    assert!(e.to_string().contains("sync init"), "{e}");
    // The conflict versions were sealed again with the new key.
    let c = a.conflicts().expect("conflicts");
    assert_eq!(c.len(), 1);
    for v in &c[0].versions {
        assert!(a.conflict_version(&id, &v.id).expect("opens").is_some());
    }
    // A new folder: a new device joins it and gets everything, B's items too.
    let dir2 = w.root.join("Sync2");
    a.sync_init(&dir2, None).expect("init 2");
    let (mut c, _) = Vault::sync_join(&dir2, &w.path("c"), &JoinSecret::Password(pw()), None, None)
        .expect("join the new folder");
    assert_eq!(names(&mut c), vec!["From A", "From B"]);
    assert_eq!(c.conflicts().expect("conflicts").len(), 1);
    assert_eq!(state(&mut a), state(&mut c));
    // The old folder's files do not open with the new key.
    let _ = b.sync_now();
    assert!(!names(&mut b).is_empty());
}

/// Three real vault files, random operations (add, edit, delete, HOTP step, restore from
/// the Trash, resolve) and random sync passes, several seeds: after everyone syncs twice,
/// all three hold identical state, and no HOTP counter value was handed out twice by a
/// device that had seen it used.
#[test]
fn random_operations_and_passes_on_three_vaults_converge() {
    for seed in [7u64, 1_234, 99_991] {
        let w = World::new();
        let mut devs = vec![create(&w.path("d0"))];
        devs[0].add(key("seed", "0")).expect("add");
        devs[0].sync_init(&w.dir, None).expect("init");
        devs.push(join(&w.dir, &w.path("d1")));
        devs.push(join(&w.dir, &w.path("d2")));
        let mut x = seed;
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut issued: Vec<std::collections::BTreeSet<(String, u64)>> =
            vec![Default::default(); 3];
        for step in 0..120 {
            let d = usize::try_from(rnd(3)).expect("small");
            let v = &mut devs[d];
            let items: Vec<Item> = v.items().expect("items").to_vec();
            match rnd(8) {
                0 | 1 => {
                    let mut n =
                        NewItem::new(Kind::Totp, format!("item {step}"), "JBSWY3DPEHPK3PXP");
                    if rnd(2) == 0 {
                        n.otp = Some(OtpParams {
                            otp_type: OtpType::Hotp,
                            ..OtpParams::default()
                        });
                    }
                    v.add(n).expect("add");
                }
                2 if !items.is_empty() => {
                    let i = &items[usize::try_from(rnd(items.len() as u64)).expect("i")];
                    v.update(
                        &i.id,
                        ItemPatch {
                            notes: Some(Zeroizing::new(format!("edit {step} on {d}"))),
                            ..ItemPatch::default()
                        },
                    )
                    .expect("edit");
                }
                3 if !items.is_empty() => {
                    let i = &items[usize::try_from(rnd(items.len() as u64)).expect("i")];
                    v.trash(&i.id).expect("trash");
                }
                4 if !items.is_empty() => {
                    let i = &items[usize::try_from(rnd(items.len() as u64)).expect("i")];
                    if i.overview.otp.is_some_and(|o| o.otp_type == OtpType::Hotp) {
                        let (_, c) = v.next_hotp(&i.id).expect("hotp");
                        assert!(
                            issued[d].insert((i.id.clone(), c)),
                            "device {d} handed out counter {c} of {} again",
                            i.id
                        );
                    }
                }
                5 => {
                    let t = v.trash_items().expect("trash").items;
                    if let Some(t) = t.first() {
                        let _ = v.restore(&t.id, Some(&format!("back {step}")));
                    }
                }
                6 => {
                    let c = v.conflicts().expect("conflicts");
                    if let Some(c) = c.first() {
                        let pick =
                            &c.versions[usize::try_from(rnd(c.versions.len() as u64)).expect("i")];
                        v.resolve_conflict(&c.item_id, &pick.id).expect("resolve");
                    }
                }
                _ => {
                    v.sync_now().expect("pass");
                    // What this device has now seen handed out (the counters in force).
                    for i in v.items().expect("items").to_vec() {
                        let c = v.open_secret(&i.id).expect("secret").counter;
                        for n in 0..c {
                            issued[d].insert((i.id.clone(), n));
                        }
                    }
                }
            }
        }
        for _ in 0..2 {
            for v in &mut devs {
                v.sync_now().expect("final pass");
            }
        }
        let s0 = state(&mut devs[0]);
        assert_eq!(s0, state(&mut devs[1]), "seed {seed}");
        assert_eq!(s0, state(&mut devs[2]), "seed {seed}");
    }
}

/// The app's background pass and a `keywright sync --watch` on one vault file at once: no
/// file of this device is lost or written twice, and a new device gets every item.
#[test]
fn two_processes_syncing_one_vault_lose_nothing() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.sync_init(&w.dir, None).expect("init");
    drop(a);
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let path = w.path("a");
            std::thread::spawn(move || {
                let mut v = Vault::open(&path).expect("open");
                v.unlock_with_password(&pw()).expect("unlock");
                for i in 0..60 {
                    v.add(key(&format!("t{t} item {i}"), "x")).expect("add");
                    v.sync_now().expect("pass");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    let mut b = join(&w.dir, &w.path("b"));
    assert_eq!(names(&mut b).len(), 120, "{:?}", names(&mut b));
}

#[test]
fn merging_an_older_copy_does_not_bring_back_what_was_deleted_since() {
    let w = World::new();
    let mut a = create(&w.path("a"));
    a.add(key("Gone", "g")).expect("add");
    a.add(key("Kept", "k")).expect("add");
    drop(a);
    std::fs::copy(w.path("a"), w.path("old")).expect("copy");
    let mut a = Vault::open(&w.path("a")).expect("open");
    a.unlock_with_password(&pw()).expect("unlock");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let gone = a.find("Gone").expect("find").id;
    a.delete(&gone).expect("delete for good");
    let r = a.merge_file(&w.path("old"), false).expect("merge");
    assert_eq!(names(&mut a), vec!["Kept"], "{r:?}");
    assert_eq!(r.added, 0);

    // An item the other copy changed after it was deleted here comes back (an edit beats a
    // delete), with the deletion kept as a conflict version.
    let mut old = Vault::open(&w.path("old")).expect("open");
    old.unlock_with_password(&pw()).expect("unlock");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let id = old.find("Gone").expect("find").id;
    old.update(&id, patch_value("changed later")).expect("edit");
    drop(old);
    let r = a.merge_file(&w.path("old"), false).expect("merge");
    assert_eq!(r.added, 1, "{r:?}");
    assert_eq!(value(&mut a, "Gone"), "changed later");
    assert_eq!(a.conflicts().expect("conflicts").len(), 1);
}
