//! `keywright rotate`, `snooze`, `show --previous` and `list --sort`, end to end.

use keywright_core::timefmt;

use crate::common::*;

const DAY: i64 = 86_400;

fn at(s: &serde_json::Value) -> i64 {
    timefmt::parse_date("test", s.as_str().expect("a date")).expect("RFC 3339")
}

fn date_in(days: i64) -> String {
    timefmt::rfc3339(timefmt::now() + days * DAY)
}

#[test]
fn rotate_keeps_the_previous_value_readable_for_the_grace_period() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "api-key", "Stripe", "--rotate-every", "30d"],
        "sk_old_CANARY\n",
    );
    let r = cli.ok(&["rotate", "Stripe", "--grace", "7d"], "sk_new_456\n");
    assert_eq!(
        keys(&r),
        [
            "expires_at",
            "id",
            "kind",
            "last_rotated_at",
            "name",
            "previous",
            "rotation_due_at",
            "status",
            "tags",
            "url"
        ]
    );
    let prev = &r["previous"];
    assert_eq!(keys(prev), ["created_at", "id", "purge_at"]);
    assert_eq!(at(&prev["purge_at"]) - at(&prev["created_at"]), 7 * DAY);
    assert_eq!(
        at(&r["rotation_due_at"]) - at(&r["last_rotated_at"]),
        30 * DAY,
        "the reminder restarts from the rotation"
    );
    assert_eq!(r["status"], "ok");

    // The current value is the new one; the detail lists the previous one without its value.
    let shown = cli.ok(&["show", "Stripe", "--reveal"], "");
    assert_eq!(shown["secret"], "sk_new_456");
    let detail = cli.ok(&["show", "Stripe"], "");
    assert!(!detail.to_string().contains("sk_old_CANARY"), "{detail}");
    assert_eq!(detail["previous_versions"][0], *prev);
    assert_eq!(detail["snoozed_until"], serde_json::Value::Null);
    let listed = cli.ok(&["show", "Stripe", "--previous"], "");
    assert!(!listed.to_string().contains("sk_old_CANARY"), "{listed}");
    assert_eq!(listed["previous_versions"], serde_json::json!([prev]));

    // --previous --reveal prints it, and the audit log says so.
    let old = cli.ok(&["show", "Stripe", "--previous", "--reveal"], "");
    assert_eq!(keys(&old), ["id", "name", "previous"]);
    assert_eq!(old["previous"]["secret"], "sk_old_CANARY");
    assert_eq!(old["previous"]["id"], prev["id"]);
    let log = cli.ok(&["log", "Stripe"], "");
    let events = log.as_array().expect("events");
    let last = events.last().expect("an event");
    assert_eq!(
        (&last["action"], &last["detail"]),
        (&"reveal".into(), &"previous value".into())
    );
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "change" && e["detail"] == "rotated, secret"),
        "{log}"
    );

    // Human output: masked, with its end.
    let text = cli
        .cmd()
        .args(["--password-stdin", "show", "Stripe"])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).expect("utf-8");
    assert!(text.contains("previous:    ******** replaced"), "{text}");
    assert!(!text.contains("sk_old_CANARY"), "{text}");
}

#[test]
fn rotate_refuses_what_it_cannot_do_and_says_why() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "GitHub"], "ghp_one\n");
    let same = cli.err(&["rotate", "GitHub"], "ghp_one\n", "invalid_input");
    assert!(
        same.contains("same as the current value of \"GitHub\""),
        "{same}"
    );
    let hours = cli.err(
        &["rotate", "GitHub", "--grace", "2h"],
        "x\n",
        "invalid_input",
    );
    assert!(
        hours.contains("\"2h\" is not a whole number of days"),
        "{hours}"
    );
    let long = cli.err(
        &["rotate", "GitHub", "--grace", "400d"],
        "x\n",
        "invalid_input",
    );
    assert!(long.contains("400 days is too long"), "{long}");
    let empty = cli.err(&["rotate", "GitHub"], "\n", "invalid_input");
    assert!(empty.contains("empty"), "{empty}");
    cli.ok(
        &["add", "totp", "AWS MFA", "--issuer", "Amazon"],
        "JBSWY3DPEHPK3PXP\n",
    );
    let totp = cli.err(
        &["rotate", "AWS MFA"],
        "JBSWY3DPEHPK3PXQ\n",
        "invalid_input",
    );
    assert!(totp.contains("2FA"), "{totp}");
    // Nothing changed on the refusals.
    assert_eq!(
        cli.ok(&["show", "GitHub", "--reveal"], "")["secret"],
        "ghp_one"
    );
    // No grace period: nothing kept.
    let r = cli.ok(&["rotate", "GitHub", "--grace", "none"], "ghp_two\n");
    assert_eq!(r["previous"], serde_json::Value::Null);
    let none = cli.err(
        &["show", "GitHub", "--previous", "--reveal"],
        "",
        "invalid_input",
    );
    assert!(
        none.contains("\"GitHub\" has no previous version"),
        "{none}"
    );
    assert_eq!(
        cli.ok(&["show", "GitHub", "--reveal"], "")["secret"],
        "ghp_two"
    );
}

#[test]
fn snooze_hides_a_notice_but_not_the_expiry() {
    let cli = Cli::new();
    cli.init();
    cli.ok(
        &["add", "bearer", "Deploy", "--expires", &date_in(3)],
        "tok\n",
    );
    cli.ok(
        &["add", "bearer", "Gone", "--expires", &date_in(-1)],
        "tok\n",
    );
    cli.ok(&["add", "bearer", "Plain"], "tok\n");
    assert_eq!(cli.ok(&["show", "Deploy"], "")["status"], "expiring");
    let s = cli.ok(&["snooze", "Deploy", "--days", "7"], "");
    assert_eq!(s["status"], "ok");
    let until = at(&s["snoozed_until"]);
    assert!((until - (timefmt::now() + 7 * DAY)).abs() < 60, "{s}");
    let shown = cli.ok(&["show", "Deploy"], "");
    assert_eq!(shown["status"], "ok");
    assert_eq!(shown["snoozed_until"], s["snoozed_until"]);
    assert_eq!(
        shown["expires_at"], s["expires_at"],
        "the expiry is unchanged"
    );
    // `expiring` still lists the expiry itself: it is a fact, not a reminder.
    let exp = cli.ok(&["expiring"], "");
    assert_eq!(exp[0]["name"], "Gone");
    assert!(
        exp.as_array()
            .expect("rows")
            .iter()
            .any(|r| r["name"] == "Deploy")
    );
    let gone = cli.err(&["snooze", "Gone", "--days", "7"], "", "invalid_input");
    assert!(gone.contains("\"Gone\" has expired"), "{gone}");
    let plain = cli.err(&["snooze", "Plain", "--days", "7"], "", "invalid_input");
    assert!(
        plain.contains("no rotation reminder or expiry to snooze"),
        "{plain}"
    );
    let zero = cli.err(&["snooze", "Deploy", "--days", "0"], "", "invalid_input");
    assert!(zero.contains("1 to 365 days"), "{zero}");
}

#[test]
fn list_sorts_by_name_expiry_or_last_change() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "alpha"], "a\n");
    cli.ok(
        &["add", "api-key", "Bravo", "--expires", &date_in(30)],
        "b\n",
    );
    cli.ok(
        &["add", "api-key", "charlie", "--expires", &date_in(3)],
        "c\n",
    );
    cli.ok(
        &["add", "api-key", "Delta", "--expires", &date_in(-2)],
        "d\n",
    );
    cli.ok(&["add", "api-key", "echo", "--rotate-every", "10d"], "e\n");
    let names = |args: &[&str]| -> Vec<String> {
        cli.ok(args, "")
            .as_array()
            .expect("list")
            .iter()
            .map(|i| i["name"].as_str().expect("name").to_owned())
            .collect()
    };
    assert_eq!(
        names(&["list"]),
        ["alpha", "Bravo", "charlie", "Delta", "echo"]
    );
    assert_eq!(names(&["list", "--sort", "name"]), names(&["list"]));
    assert_eq!(
        names(&["list", "--sort", "expiry"]),
        ["Delta", "charlie", "echo", "Bravo", "alpha"]
    );
    // The shape of a row is the same whatever the order.
    let rows = cli.ok(&["list", "--sort", "expiry"], "");
    assert_eq!(
        keys(&rows[0]),
        ["expires_at", "id", "kind", "name", "status", "tags", "url"]
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    cli.ok(&["edit", "alpha", "--tag", "x"], "");
    assert_eq!(names(&["list", "--sort", "updated"])[0], "alpha");
    let bad = cli
        .cmd()
        .args(["--password-stdin", "list", "--sort", "size"])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8_lossy(&bad).contains("possible values: name, expiry, updated"),
        "{}",
        String::from_utf8_lossy(&bad)
    );
}

#[test]
fn rekey_reseals_the_previous_value() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "api-key", "K"], "old-value\n");
    cli.ok(&["rotate", "K", "--grace", "30d"], "new-value\n");
    // A trashed item's previous value is kept with it, re-sealed by the rekey too.
    cli.ok(&["add", "api-key", "T"], "t-old\n");
    cli.ok(&["rotate", "T", "--grace", "30d"], "t-new\n");
    cli.ok(&["rm", "T"], "");
    let msg = cli.err(&["show", "T", "--previous", "--reveal"], "", "not_found");
    assert!(msg.contains("is in the Trash"), "{msg}");
    let r = cli.ok(&["rekey"], "");
    assert_eq!((&r["versions"], &r["trash"]), (&2.into(), &1.into()));
    assert_eq!(r["tampered"], serde_json::json!([]));
    let old = cli.ok(&["show", "K", "--previous", "--reveal"], "");
    assert_eq!(old["previous"]["secret"], "old-value");
    cli.ok(&["restore", "T"], "");
    let old = cli.ok(&["show", "T", "--previous", "--reveal"], "");
    assert_eq!(old["previous"]["secret"], "t-old");
    // Deleted for good, it takes its previous value with it.
    cli.ok(&["rm", "T", "--purge"], "");
    let r = cli.ok(&["rekey"], "");
    assert_eq!((&r["versions"], &r["trash"]), (&1.into(), &0.into()));
}
