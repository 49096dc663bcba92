//! The `--json` shapes (a public contract, documented in the README) and human output.

use keywright_core::credential::{Kind, Placement};
use keywright_core::vault::Item;
use keywright_core::vault::versions::PreviousVersion;
use keywright_core::{Error, SecretFields, timefmt};
use serde::Serialize;
use serde_json::{Value, json};

/// Whether `c` must not reach a terminal as is: C0 controls, DEL and C1 controls (ESC
/// starts an escape sequence that can retitle the window, rewrite the screen or, in some
/// terminals, write files) and the bidirectional overrides and isolates (they reorder
/// the text shown around them).
fn unsafe_for_terminal(c: char) -> bool {
    c.is_control() || keywright_core::credential::is_bidi_control(c)
}

fn escape_chars<'a>(s: &'a str, keep: &[char]) -> std::borrow::Cow<'a, str> {
    if !s
        .chars()
        .any(|c| unsafe_for_terminal(c) && !keep.contains(&c))
    {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if unsafe_for_terminal(c) && !keep.contains(&c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Human output made safe for a terminal: every control character except `\n` and `\t`,
/// and every bidirectional control, is shown as a visible escape (`\u{1b}`). Items stored
/// before such characters were refused (and any text from outside) cannot inject escape
/// sequences. JSON output does not go through this: serde escapes control characters.
pub fn term_text(s: &str) -> std::borrow::Cow<'_, str> {
    escape_chars(s, &['\n', '\t'])
}

/// One field on one line (a name in a table): as [`term_text`], and `\n`, `\t` escaped too.
pub fn term_line(s: &str) -> std::borrow::Cow<'_, str> {
    escape_chars(s, &[])
}

/// `list --json` element: `{"id","name","kind","tags","url","expires_at","status"}`.
#[derive(Serialize)]
pub struct ItemSummary<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'static str,
    tags: &'a [String],
    url: Option<&'a str>,
    expires_at: Option<String>,
    status: &'static str,
}

impl<'a> ItemSummary<'a> {
    pub fn new(item: &'a Item, now: i64) -> Self {
        let ov = &item.overview;
        let exp = item.expiry(now);
        ItemSummary {
            id: &item.id,
            name: &ov.name,
            kind: ov.kind.as_str(),
            tags: &ov.tags,
            url: ov.url.as_deref(),
            expires_at: exp.expires_at.map(timefmt::rfc3339),
            status: exp.status.as_str(),
        }
    }
}

/// The summary as a JSON value.
pub fn item_summary(item: &Item, now: i64) -> Value {
    serde_json::to_value(ItemSummary::new(item, now)).unwrap_or(Value::Null)
}

/// A previous version's metadata: `{"id","created_at","purge_at"}` (RFC 3339), never the
/// value.
pub fn previous_json(p: &PreviousVersion) -> Value {
    json!({
        "id": p.id,
        "created_at": timefmt::rfc3339(p.created_at),
        "purge_at": timefmt::rfc3339(p.purge_at),
    })
}

/// `show --json`: the summary plus the item's other fields (`previous_versions`: what
/// `rotate` kept, metadata only); `secret` with `--reveal`.
pub fn item_detail(
    item: &Item,
    now: i64,
    secret: Option<&SecretFields>,
    previous: &[PreviousVersion],
) -> Value {
    let ov = &item.overview;
    let exp = item.expiry(now);
    let mut v = item_summary(item, now);
    let extra = json!({
        "username": ov.username,
        "issuer": ov.issuer,
        "placement": ov.placement,
        "oauth": ov.oauth,
        "otp": ov.otp,
        "rotate_every_days": ov.rotate_every_days,
        "rotation_due_at": exp.rotation_due_at.map(timefmt::rfc3339),
        "warn_days": ov.warn_days,
        "created_at": timefmt::rfc3339(ov.created_at),
        "updated_at": timefmt::rfc3339(ov.updated_at),
        "last_rotated_at": timefmt::rfc3339(ov.last_rotated_at),
        "snoozed_until": exp.snoozed_until.map(timefmt::rfc3339),
        "previous_versions": previous.iter().map(previous_json).collect::<Vec<_>>(),
    });
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
        if let Some(s) = secret {
            m.insert("secret".into(), secret_json(ov.kind, s));
            m.insert("notes".into(), json!(s.notes));
        }
    }
    v
}

fn secret_json(kind: Kind, s: &SecretFields) -> Value {
    match kind {
        Kind::ApiKey | Kind::Bearer | Kind::Basic | Kind::Totp => json!(s.value),
        Kind::Oauth2 => json!({
            "client_secret": s.value,
            "access_token": s.access_token,
            "refresh_token": s.refresh_token,
        }),
    }
}

/// `status:` of the human views: `ok (snoozed until …)` while a snooze hides a reminder.
pub fn status_text(e: &keywright_core::Expiry) -> String {
    match e.snoozed_until {
        Some(t) => format!(
            "{} (snoozed until {})",
            e.status.as_str(),
            timefmt::rfc3339(t)
        ),
        None => e.status.as_str().to_owned(),
    }
}

/// Human detail view.
/// `show --json`'s `"service"`, `"key_variant"` and `"test_url"`: what the key's shape says
/// (`null` when it is not a known shape).
pub fn add_recognized(v: &mut Value, r: Option<&keywright_core::recognize::Recognized>) {
    if let Value::Object(m) = v {
        m.insert("service".into(), json!(r.map(|r| r.service)));
        m.insert("key_variant".into(), json!(r.and_then(|r| r.variant)));
        m.insert("test_url".into(), json!(r.and_then(|r| r.test_url)));
    }
}

/// The detail text with a line saying what the key is, after the kind.
pub fn with_recognized(text: String, r: &keywright_core::recognize::Recognized) -> String {
    let line = match r.test_url {
        Some(url) => format!("  recognised:  {} (test it: GET {url})", r.label),
        None => format!("  recognised:  {}", r.label),
    };
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines.len().min(2);
    lines.insert(at, &line);
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

pub fn item_text(
    item: &Item,
    now: i64,
    secret: Option<&SecretFields>,
    previous: &[PreviousVersion],
) -> String {
    let ov = &item.overview;
    let exp = item.expiry(now);
    let mut lines = vec![
        format!("{} ({})", term_line(&ov.name), ov.kind),
        format!("  id:          {}", item.id),
    ];
    let mut field = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            // Notes keep their lines; every other field is one line.
            let v = if label == "notes:" {
                term_text(&v)
            } else {
                term_line(&v)
            };
            lines.push(format!("  {label:<12} {v}"));
        }
    };
    field("tags:", (!ov.tags.is_empty()).then(|| ov.tags.join(", ")));
    field("url:", ov.url.clone());
    field("username:", ov.username.clone());
    field("issuer:", ov.issuer.clone());
    field(
        "sent as:",
        ov.placement.as_ref().map(|p| match p {
            Placement::Header { name } => format!("header {name}"),
            Placement::Query { name } => format!("query parameter {name}"),
            Placement::Bearer => "Authorization: Bearer".into(),
        }),
    );
    if let Some(o) = &ov.oauth {
        field("client id:", Some(o.client_id.clone()));
        field("issuer:", o.issuer.clone());
        field("token url:", o.token_url.clone());
        field(
            "scopes:",
            (!o.scopes.is_empty()).then(|| o.scopes.join(" ")),
        );
        field("audience:", o.audience.clone());
    }
    if let Some(o) = &ov.otp {
        field(
            "otp:",
            Some(format!(
                "{:?} {:?} {} digits, {} s",
                o.otp_type, o.algorithm, o.digits, o.period
            )),
        );
    }
    field("status:", Some(status_text(&exp)));
    field("expires:", exp.expires_at.map(timefmt::rfc3339));
    field(
        "rotate:",
        ov.rotate_every_days.map(|d| {
            let due = exp
                .rotation_due_at
                .map(timefmt::rfc3339)
                .unwrap_or_default();
            format!("every {d} days (next by {due})")
        }),
    );
    field("updated:", Some(timefmt::rfc3339(ov.updated_at)));
    for p in previous {
        field(
            "previous:",
            Some(format!(
                "******** replaced {}, kept until {} (use --previous --reveal)",
                timefmt::rfc3339(p.created_at),
                timefmt::rfc3339(p.purge_at)
            )),
        );
    }
    match secret {
        Some(s) => {
            match ov.kind {
                Kind::Oauth2 => {
                    field("client secret:", Some(s.value.clone()));
                    field(
                        "access token:",
                        (!s.access_token.is_empty()).then(|| s.access_token.clone()),
                    );
                    field(
                        "refresh token:",
                        (!s.refresh_token.is_empty()).then(|| s.refresh_token.clone()),
                    );
                }
                _ => field("secret:", Some(s.value.clone())),
            }
            field("notes:", (!s.notes.is_empty()).then(|| s.notes.clone()));
        }
        None => field("secret:", Some("******** (use --reveal)".into())),
    }
    lines.join("\n")
}

/// The `list` table, written straight to `out` (10k rows is a normal vault).
pub fn table(out: &mut dyn std::io::Write, items: &[&Item], now: i64) -> std::io::Result<()> {
    let rows: Vec<[std::borrow::Cow<'_, str>; 5]> = items
        .iter()
        .map(|i| {
            let e = i.expiry(now);
            let tags = match i.overview.tags.as_slice() {
                [] => "".into(),
                [one] => term_line(one),
                many => term_line(&many.join(",")).into_owned().into(),
            };
            let expires = match e.expires_at {
                Some(t) => timefmt::rfc3339(t)
                    .get(..10)
                    .unwrap_or_default()
                    .to_owned()
                    .into(),
                None => "-".into(),
            };
            [
                term_line(&i.overview.name),
                i.overview.kind.as_str().into(),
                tags,
                expires,
                if e.snoozed_until.is_some() {
                    "ok (snoozed)".into()
                } else {
                    e.status.as_str().into()
                },
            ]
        })
        .collect();
    let head = ["NAME", "KIND", "TAGS", "EXPIRES", "STATUS"];
    let mut width = head.map(str::len);
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut line = String::with_capacity(256);
    let mut write_row = |cells: [&str; 5]| -> std::io::Result<()> {
        line.clear();
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            line.push_str(c);
            if i < 4 {
                let pad = w.saturating_sub(c.chars().count()) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", line.trim_end())
    };
    write_row(head)?;
    for r in &rows {
        write_row([&r[0], &r[1], &r[2], &r[3], &r[4]])?;
    }
    Ok(())
}

/// An extra line of advice for some errors.
pub fn hint(e: &Error) -> Option<&'static str> {
    match e {
        Error::Locked => Some(
            "unlock with `eval \"$(keywright unlock)\"`, enable the keyring slot, or pass \
             --password-stdin",
        ),
        Error::WrongPassword => {
            Some("forgot it? `keywright passwd --recovery` takes the recovery code")
        }
        Error::KeyringUnavailable { .. } => Some(
            "the vault still opens with its password; on Linux a Secret Service (GNOME Keyring, KWallet) must be running and unlocked",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(term_text("plain"), "plain");
        assert!(matches!(term_text("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(
            term_text("Evil\u{1b}]0;pwned\u{7}\nline 2\tcol"),
            "Evil\\u{1b}]0;pwned\\u{7}\nline 2\tcol"
        );
        assert_eq!(term_line("a\nb\tc"), "a\\u{a}b\\u{9}c");
        assert_eq!(
            term_line("\u{9b}31m \u{202e}txt.exe \u{7f}"),
            "\\u{9b}31m \\u{202e}txt.exe \\u{7f}"
        );
        // Non-ASCII text that is not a control stays as it is.
        assert_eq!(term_line("Straße 東京 café"), "Straße 東京 café");
    }
}
