//! `rotate`, `snooze`, `show --previous` and `list --sort`.

use keywright_core::expiry::{self, Status};
use keywright_core::vault::Item;
use keywright_core::{Error, Result, Vault, timefmt};
use serde_json::{Value, json};

use crate::cli::{RotateArgs, SnoozeArgs, SortArg};
use crate::commands::{Ctx, Out, emit, emit_json};
use crate::input::Input;
use crate::output;
use crate::unlock::open_unlocked;

fn parse_grace(s: &str) -> Result<u32> {
    match s.trim().to_ascii_lowercase().as_str() {
        "0" | "none" | "no" => Ok(0),
        _ => timefmt::parse_days("grace", s),
    }
}

/// `keywright rotate NAME [--grace DAYS]`.
pub fn rotate(ctx: &Ctx, a: RotateArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    // Check the flags before asking for anything.
    let grace = parse_grace(&a.grace)?;
    let mut vault = open_unlocked(&ctx.path, input)?;
    let item = vault.find(&a.name)?;
    let prompt = match item.overview.kind {
        keywright_core::Kind::ApiKey => "New API key: ",
        keywright_core::Kind::Bearer => "New token: ",
        keywright_core::Kind::Basic => "New password: ",
        keywright_core::Kind::Oauth2 => "New client secret: ",
        // Refused by the core with the reason, before any prompt.
        keywright_core::Kind::Totp => "",
    };
    if item.overview.kind == keywright_core::Kind::Totp {
        return Err(vault
            .rotate(&item.id, zeroize::Zeroizing::new(String::new()), grace)
            .err()
            .unwrap_or_else(|| Error::InvalidInput {
                field: "kind".into(),
                reason: "a 2FA item is not rotated".into(),
            }));
    }
    let value = input.secret(prompt, "new value")?;
    let r = vault.rotate(&item.id, value, grace)?;
    let now = timefmt::now();
    let e = r.item.expiry(now);
    if ctx.json {
        let mut v = output::item_summary(&r.item, now);
        v["last_rotated_at"] = json!(timefmt::rfc3339(r.item.overview.last_rotated_at));
        v["rotation_due_at"] = json!(e.rotation_due_at.map(timefmt::rfc3339));
        v["previous"] = r
            .previous
            .as_ref()
            .map_or(Value::Null, output::previous_json);
        emit_json(out, &v)
    } else {
        let name = &r.item.overview.name;
        let mut text = format!("Rotated {name}: the new value is in use.");
        match &r.previous {
            Some(p) => text.push_str(&format!(
                "\nThe previous value stays readable until {} ({}); \
                 `keywright show {:?} --previous --reveal` prints it. Then it is deleted.",
                timefmt::rfc3339(p.purge_at),
                timefmt::relative(p.purge_at, now),
                name
            )),
            None => text.push_str("\nThe previous value was not kept (no grace period)."),
        }
        if let Some(t) = e.rotation_due_at {
            text.push_str(&format!(
                "\nNext rotation reminder: {}.",
                timefmt::rfc3339(t)
            ));
        }
        emit(out, &text)
    }
}

/// `keywright snooze NAME --days N`.
pub fn snooze(ctx: &Ctx, a: SnoozeArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let item = vault.find(&a.name)?;
    let item = vault.snooze(&item.id, a.days)?;
    let now = timefmt::now();
    let e = item.expiry(now);
    let until = item.overview.snoozed_until.unwrap_or(now);
    if ctx.json {
        let mut v = output::item_summary(&item, now);
        v["snoozed_until"] = json!(timefmt::rfc3339(until));
        v["rotation_due_at"] = json!(e.rotation_due_at.map(timefmt::rfc3339));
        emit_json(out, &v)
    } else {
        let mut text = format!(
            "Snoozed {} until {}: its rotation reminder and expiry notice are hidden until then.",
            item.overview.name,
            timefmt::rfc3339(until)
        );
        if let Some(x) = e.expires_at.filter(|x| *x < until) {
            text.push_str(&format!(
                "\nIt still expires {} ({}): a snooze does not change that.",
                timefmt::rfc3339(x),
                timefmt::relative(x, now)
            ));
        }
        emit(out, &text)
    }
}

/// `keywright show NAME --previous [--reveal]`.
pub fn show_previous(
    ctx: &Ctx,
    vault: &mut Vault,
    item: &Item,
    reveal: bool,
    out: Out<'_>,
) -> Result<()> {
    let name = &item.overview.name;
    if reveal {
        let (p, value) = vault.reveal_previous(&item.id, None)?;
        if ctx.json {
            let mut prev = output::previous_json(&p);
            prev["secret"] = json!(value.as_str());
            emit_json(out, &json!({"id": item.id, "name": name, "previous": prev}))
        } else {
            emit(
                out,
                &format!(
                    "{}\n  previous:    {}\n  replaced:    {}\n  kept until:  {}",
                    output::term_line(name),
                    output::term_line(&value),
                    timefmt::rfc3339(p.created_at),
                    timefmt::rfc3339(p.purge_at)
                ),
            )
        }
    } else {
        let list = vault.previous_versions(&item.id)?;
        if ctx.json {
            let prev: Vec<Value> = list.iter().map(output::previous_json).collect();
            emit_json(
                out,
                &json!({"id": item.id, "name": name, "previous_versions": prev}),
            )
        } else if list.is_empty() {
            emit(
                out,
                &format!(
                    "{} has no previous value: none was kept when it was rotated, or its \
                     grace period has ended.",
                    output::term_line(name)
                ),
            )
        } else {
            let mut text = output::term_line(name).into_owned();
            for p in &list {
                text.push_str(&format!(
                    "\n  previous:    ******** replaced {}, kept until {}",
                    timefmt::rfc3339(p.created_at),
                    timefmt::rfc3339(p.purge_at)
                ));
            }
            text.push_str("\n  (--reveal prints the newest one; recorded in the audit log)");
            emit(out, &text)
        }
    }
}

/// Order rows for `list --sort`: by name (as stored: the core keeps the list by name),
/// by what needs the user first, or by the last change.
pub fn sort(items: &mut [&Item], by: SortArg, now: i64) {
    match by {
        SortArg::Name => {}
        SortArg::Updated => {
            items.sort_by_key(|i| std::cmp::Reverse(i.overview.updated_at));
        }
        SortArg::Expiry => {
            // Expired and refused first (even without a date), then by the next date;
            // items with no date last. Ties keep the name order (the sort is stable).
            items.sort_by_cached_key(|i| {
                let e = i.expiry(now);
                let due = expiry::next_due(&e);
                match e.status {
                    Status::Expired | Status::ReauthRequired => (0, due.unwrap_or(i64::MIN)),
                    _ => match due {
                        Some(t) => (1, t),
                        None => (2, 0),
                    },
                }
            });
        }
    }
}
