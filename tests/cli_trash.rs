//! The Trash from the command line: `rm` moves an item there, `restore` brings it back,
//! `rm --purge` and `trash empty` delete for good, and 30 days later it goes by itself.

use serde_json::Value;

use crate::common::*;
use crate::raw;

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Human output (no --json): (success, stdout, stderr).
fn human(cli: &Cli, args: &[&str]) -> (bool, String, String) {
    let out = cli
        .cmd()
        .arg("--password-stdin")
        .args(args)
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .expect("run keywright");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn rm_moves_to_the_trash_and_restore_brings_it_back_with_its_history() {
    let cli = Cli::new();
    cli.init();
    let id = cli.ok(
        &[
            "add",
            "api-key",
            "Stripe live",
            "--tag",
            "prod",
            "--expires",
            "2020-01-01",
        ],
        "sk_live_trash_1\n",
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    cli.ok(&["add", "api-key", "Other"], "sk_other\n");
    assert_eq!(names(&cli.ok(&["expiring"], "")), ["Stripe live"]);

    let (ok, out, _) = human(&cli, &["rm", "Stripe live"]);
    assert!(ok);
    assert_eq!(
        out.trim(),
        "Moved \u{201c}Stripe live\u{201d} to Trash. Restore it with \
         `keywright restore 'Stripe live'` within 30 days."
    );
    // Gone from every list; lookups say where it is.
    assert_eq!(names(&cli.ok(&["list"], "")), ["Other"]);
    let msg = cli.err(&["show", "Stripe live"], "", "not_found");
    assert!(msg.contains("in the Trash"), "{msg}");
    assert_eq!(cli.ok(&["expiring"], ""), Value::Array(vec![]));

    let trash = cli.ok(&["trash"], "");
    let rows = trash.as_array().expect("array");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        keys(&rows[0]),
        [
            "days_left",
            "deleted_at",
            "id",
            "kind",
            "name",
            "purge_at",
            "tags",
            "url"
        ]
    );
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["kind"], "api_key");
    assert_eq!(rows[0]["tags"], serde_json::json!(["prod"]));
    assert_eq!(rows[0]["days_left"], 30);
    let deleted = rows[0]["deleted_at"].as_str().expect("time");
    let purge = rows[0]["purge_at"].as_str().expect("time");
    assert!(
        deleted.ends_with('Z') && purge.ends_with('Z') && purge > deleted,
        "{trash}"
    );
    // The secret stays sealed in the file.
    for (_, bytes) in vault_bytes(&cli.vault()) {
        assert!(!contains(&bytes, b"sk_live_trash_1"));
    }

    // The name is free for a new item; the old one then comes back only under a new name.
    cli.ok(&["add", "api-key", "STRIPE LIVE"], "sk_live_trash_2\n");
    let msg = cli.err(&["restore", "stripe live"], "", "duplicate_name");
    assert!(
        msg.contains("\"Stripe live\"") && msg.contains("--as NEW_NAME"),
        "{msg}"
    );
    let r = cli.ok(&["restore", "stripe live", "--as", "Stripe old"], "");
    assert_eq!(keys(&r), ["name", "restored", "was"]);
    assert_eq!(r["restored"], id.as_str());
    assert_eq!(r["name"], "Stripe old");
    assert_eq!(r["was"], "Stripe live");
    let shown = cli.ok(&["show", "Stripe old", "--reveal"], "");
    assert_eq!(shown["secret"], "sk_live_trash_1");
    assert_eq!(shown["tags"], serde_json::json!(["prod"]));
    let log = cli.ok(&["log", "Stripe old"], "");
    let actions: Vec<&str> = log
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["add", "trash", "restore", "reveal"]);
    assert_eq!(cli.ok(&["trash"], ""), Value::Array(vec![]));

    // Unknown names are named.
    let msg = cli.err(&["restore", "nope"], "", "not_found");
    assert!(msg.contains("\"nope\""), "{msg}");
    let (ok, out, _) = human(&cli, &["restore", "Other"]);
    assert!(!ok, "{out}");
    // A plain restore prints what it did.
    cli.ok(&["rm", "Other"], "");
    let (ok, out, _) = human(&cli, &["restore", "other"]);
    assert!(ok);
    assert_eq!(out.trim(), "Restored \u{201c}Other\u{201d}.");
}

#[test]
fn purge_empty_and_the_sealed_count() {
    let cli = Cli::new();
    cli.init();
    for n in ["A", "B", "C"] {
        cli.ok(&["add", "api-key", n], "sk\n");
    }
    let a = cli.ok(&["rm", "A"], "");
    assert_eq!(
        keys(&a),
        ["deleted", "deleted_at", "name", "purge_at", "trash"]
    );
    cli.ok(&["rm", "B"], "");
    let c = cli.ok(&["rm", "--purge", "C"], "");
    assert_eq!(keys(&c), ["deleted", "name", "trash"]);
    assert_eq!(c["trash"], false);
    assert_eq!(names(&cli.ok(&["trash"], "")), ["B", "A"]);
    // Again: already there, nothing changes.
    let again = cli.ok(&["rm", "A"], "");
    assert_eq!(again["already_in_trash"], true);
    let (_, out, _) = human(&cli, &["rm", "a"]);
    assert!(
        out.contains("already in the Trash") && out.contains("rm --purge A"),
        "{out}"
    );
    // --purge takes an item out of the Trash for good.
    cli.ok(&["rm", "--purge", "A"], "");
    assert_eq!(names(&cli.ok(&["trash"], "")), ["B"]);
    cli.err(&["restore", "A"], "", "not_found");

    // No terminal to ask on: --yes is required, and nothing is deleted without it.
    let msg = cli.err(&["trash", "empty"], "", "invalid_input");
    assert!(msg.contains("--yes") && msg.contains("1 item(s)"), "{msg}");
    assert_eq!(names(&cli.ok(&["trash"], "")), ["B"]);
    assert_eq!(
        cli.ok(&["trash", "empty", "--yes"], ""),
        serde_json::json!({"purged": 1})
    );
    assert_eq!(cli.ok(&["trash"], ""), Value::Array(vec![]));
    let (ok, out, _) = human(&cli, &["trash"]);
    assert!(ok);
    assert_eq!(out.trim(), "The Trash is empty.");
    let log = cli.ok(&["log", "B"], "");
    let last = log.as_array().and_then(|a| a.last()).expect("event");
    assert_eq!(last["action"], "purge");
    assert_eq!(last["detail"], "the Trash was emptied");

    // Through all of it the sealed count agrees: no warning.
    let (ok, _, err) = human(&cli, &["list"]);
    assert!(ok);
    assert!(!err.contains("outside Keywright"), "{err}");
    // A row deleted from the Trash with SQL is still noticed.
    cli.ok(&["add", "api-key", "D"], "sk\n");
    let d = cli.ok(&["rm", "D"], "")["deleted"]
        .as_str()
        .expect("id")
        .to_owned();
    raw::exec(&cli.vault(), &format!("DELETE FROM trash WHERE id = '{d}'"));
    let (_, _, err) = human(&cli, &["list"]);
    assert!(
        err.contains("1 item(s) were removed from the Trash outside Keywright"),
        "{err}"
    );
}

#[test]
fn the_trash_lists_for_people_and_restores_one_of_two_by_id() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "Dup"], "one\n");
    let first = cli.ok(&["rm", "Dup"], "")["deleted"]
        .as_str()
        .expect("id")
        .to_owned();
    cli.ok(&["add", "totp", "Dup"], "JBSWY3DPEHPK3PXP\n");
    let second = cli.ok(&["rm", "Dup"], "")["deleted"]
        .as_str()
        .expect("id")
        .to_owned();
    let (ok, out, _) = human(&cli, &["trash"]);
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("PURGED IN") && lines[0].contains("ID"),
        "{out}"
    );
    assert!(
        lines[1].contains("totp") && lines[1].contains("30 days") && lines[1].contains(&second),
        "{out}"
    );
    assert!(
        lines[2].contains("api_key") && lines[2].contains(&first),
        "{out}"
    );
    assert!(out.contains("2 item(s)"), "{out}");
    let msg = cli.err(&["restore", "dup"], "", "invalid_input");
    assert!(msg.contains(&first) && msg.contains(&second), "{msg}");
    let r = cli.ok(&["restore", &first], "");
    assert_eq!(r["restored"], first.as_str());
    assert_eq!(cli.ok(&["show", "Dup", "--reveal"], "")["secret"], "one");
    // Now only one is left: its name finds it.
    let msg = cli.err(&["restore", "Dup"], "", "duplicate_name");
    assert!(msg.contains("\"Dup\""), "{msg}");
    cli.ok(&["restore", "Dup", "--as", "Dup 2FA"], "");
    assert_eq!(
        cli.ok(&["totp", "Dup 2FA"], "")["code"]
            .as_str()
            .map(str::len),
        Some(6)
    );
}

/// On the first command 30 days after an item went to the Trash, it is purged for good.
#[test]
fn an_item_30_days_in_the_trash_is_purged_when_the_vault_is_opened() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "Old"], "sk_old\n");
    cli.ok(&["add", "api-key", "Young"], "sk_young\n");
    cli.ok(&["rm", "Young"], "");
    // Trashed 30 days and a minute ago, through the library (the CLI has no clock to set).
    {
        let mut v = keywright_core::Vault::open(&cli.vault()).expect("open");
        v.unlock_with_password(&pw(PASSWORD)).expect("unlock");
        let now = keywright_core::timefmt::now();
        v.trash_at("Old", now - 30 * 86_400 - 60).expect("trash");
    }
    assert_eq!(names(&cli.ok(&["trash"], "")), ["Young"]);
    let log = cli.ok(&["log", "Old"], "");
    let last = log.as_array().and_then(|a| a.last()).expect("event");
    assert_eq!(last["action"], "purge");
    assert_eq!(last["detail"], "30 days in the Trash");
    assert_eq!(raw::count(&cli.vault(), "trash"), 1);
    let (_, _, err) = human(&cli, &["list"]);
    assert!(!err.contains("outside Keywright"), "{err}");
}
