//! `rm` (to the Trash, or for good with --purge), `trash` (list, `empty`) and `restore`.

use std::io::IsTerminal as _;

use keywright_core::vault::TrashedItem;
use keywright_core::vault::trash::KEEP_DAYS;
use keywright_core::{Error, Result, Vault, timefmt};
use serde_json::json;

use crate::cli::{RestoreArgs, RmArgs, TrashAction, TrashArgs};
use crate::commands::{Ctx, Out, emit, emit_json, written};
use crate::input::Input;
use crate::output::{term_line, term_text};
use crate::unlock::{notice, open_unlocked};

/// `name` as one shell word, for a command the user can paste (`keywright restore NAME`).
pub(crate) fn shell_word(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./:@+%,=".contains(c));
    if plain {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', r"'\''"))
    }
}

fn trashed_json(t: &TrashedItem, now: i64) -> serde_json::Value {
    let ov = &t.overview;
    json!({
        "id": t.id,
        "name": ov.name,
        "kind": ov.kind.as_str(),
        "tags": ov.tags,
        "url": ov.url,
        "deleted_at": timefmt::rfc3339(t.deleted_at),
        "purge_at": timefmt::rfc3339(t.purge_at()),
        "days_left": t.days_left(now),
    })
}

fn moved_text(name: &str) -> String {
    format!(
        "Moved \u{201c}{name}\u{201d} to Trash. Restore it with `keywright restore {}` within \
         {KEEP_DAYS} days.",
        shell_word(name)
    )
}

/// `keywright rm NAME [--purge]`.
pub fn rm(ctx: &Ctx, a: RmArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut v = open_unlocked(&ctx.path, input)?;
    let found = v.find(&a.name);
    match found {
        Ok(item) if a.purge => {
            v.delete(&item.id)?;
            deleted_for_good(ctx, out, &item.id, Some(item.name()))
        }
        Ok(item) => {
            let t = v.trash(&item.id)?;
            if ctx.json {
                emit_json(out, &rm_json(&t, false))
            } else {
                emit(out, &moved_text(t.name()))
            }
        }
        // A damaged item (it fails its integrity check) cannot be sealed into the Trash:
        // it is removed for good, as before the Trash.
        Err(Error::Tampered { item, .. }) => {
            v.delete(&item)?;
            if ctx.json {
                emit_json(out, &json!({"deleted": item, "name": null, "trash": false}))
            } else {
                emit(
                    out,
                    &format!(
                        "Deleted damaged item {item} permanently (it cannot be opened, so it \
                         cannot go to the Trash)."
                    ),
                )
            }
        }
        Err(Error::InTrash { .. }) => {
            let t = v.find_in_trash(&a.name)?;
            if a.purge {
                v.purge(&t.id)?;
                return deleted_for_good(ctx, out, &t.id, Some(t.name()));
            }
            // Already there: nothing to do; say how to delete it for good.
            if ctx.json {
                emit_json(out, &rm_json(&t, true))
            } else {
                emit(
                    out,
                    &format!(
                        "\u{201c}{}\u{201d} is already in the Trash (purged {}). \
                         `keywright rm --purge {}` deletes it for good.",
                        t.name(),
                        &timefmt::rfc3339(t.purge_at())[..10],
                        shell_word(t.name())
                    ),
                )
            }
        }
        Err(Error::NotFound { .. }) if a.purge => {
            // An id of a damaged row in the Trash.
            match v.purge(&a.name) {
                Ok(()) => deleted_for_good(ctx, out, a.name.trim(), None),
                Err(_) => Err(Error::NotFound { name: a.name }),
            }
        }
        Err(e) => Err(e),
    }
}

fn rm_json(t: &TrashedItem, already: bool) -> serde_json::Value {
    let mut v = json!({
        "deleted": t.id,
        "name": t.overview.name,
        "trash": true,
        "deleted_at": timefmt::rfc3339(t.deleted_at),
        "purge_at": timefmt::rfc3339(t.purge_at()),
    });
    if already && let Some(m) = v.as_object_mut() {
        m.insert("already_in_trash".into(), json!(true));
    }
    v
}

fn deleted_for_good(ctx: &Ctx, out: Out<'_>, id: &str, name: Option<&str>) -> Result<()> {
    if ctx.json {
        return emit_json(out, &json!({"deleted": id, "name": name, "trash": false}));
    }
    match name {
        Some(name) => emit(out, &format!("Deleted \u{201c}{name}\u{201d} permanently.")),
        None => emit(out, &format!("Deleted item {id} permanently.")),
    }
}

/// `keywright trash [empty [--yes]]`.
pub fn trash(ctx: &Ctx, a: TrashArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut v = open_unlocked(&ctx.path, input)?;
    match a.action {
        None => list(ctx, &mut v, out),
        Some(TrashAction::Empty(e)) => empty(ctx, &mut v, e.yes, out),
    }
}

fn list(ctx: &Ctx, v: &mut Vault, out: Out<'_>) -> Result<()> {
    let now = timefmt::now();
    let trash = v.trash_items()?;
    for d in &trash.damaged {
        notice(&format!(
            "warning: item {} in the Trash failed its integrity check and is not listed ({}); \
             `keywright rm --purge {}` deletes it",
            d.id, d.reason, d.id
        ));
    }
    if ctx.json {
        let list: Vec<_> = trash.items.iter().map(|t| trashed_json(t, now)).collect();
        return emit_json(out, &serde_json::Value::Array(list));
    }
    if trash.items.is_empty() {
        return emit(out, "The Trash is empty.");
    }
    // Two items of one name: show ids, which `restore` takes.
    let mut folded: Vec<String> = trash
        .items
        .iter()
        .map(|t| keywright_core::vault::normalize_name(t.name()))
        .collect();
    folded.sort();
    let with_ids = folded.windows(2).any(|w| w[0] == w[1]);
    let rows: Vec<Vec<String>> = trash
        .items
        .iter()
        .map(|t| {
            let left = t.days_left(now);
            let mut r = vec![
                term_line(t.name()).into_owned(),
                t.overview.kind.as_str().to_owned(),
                timefmt::rfc3339(t.deleted_at)
                    .get(..16)
                    .unwrap_or_default()
                    .replace('T', " "),
                if left == 1 {
                    "1 day".to_owned()
                } else {
                    format!("{left} days")
                },
            ];
            if with_ids {
                r.push(t.id.clone());
            }
            r
        })
        .collect();
    let mut head = vec!["NAME", "KIND", "DELETED (UTC)", "PURGED IN"];
    if with_ids {
        head.push("ID");
    }
    let mut width: Vec<usize> = head.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[&str]| -> String {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(&width).enumerate() {
            l.push_str(c);
            if i + 1 < cells.len() {
                l.extend(std::iter::repeat_n(
                    ' ',
                    w.saturating_sub(c.chars().count()) + 2,
                ));
            }
        }
        l.trim_end().to_owned()
    };
    let mut text = vec![line(&head)];
    for r in &rows {
        text.push(line(&r.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    written((|| -> std::io::Result<()> {
        for l in &text {
            writeln!(out, "{l}")?;
        }
        Ok(())
    })())?;
    emit(
        out,
        &format!(
            "\n{} item(s). `keywright restore NAME` brings one back; `keywright trash empty` \
             deletes them all for good.",
            trash.items.len()
        ),
    )
}

fn empty(ctx: &Ctx, v: &mut Vault, yes: bool, out: Out<'_>) -> Result<()> {
    let n = v.trash_count()?;
    if n == 0 {
        return if ctx.json {
            emit_json(out, &json!({"purged": 0}))
        } else {
            emit(out, "The Trash is empty.")
        };
    }
    if !yes {
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return Err(Error::InvalidInput {
                field: "confirmation".into(),
                reason: format!(
                    "emptying the Trash deletes {n} item(s) for good; add --yes to confirm \
                     (there is no terminal to ask on)"
                ),
            });
        }
        eprint!(
            "{}",
            term_text(&format!(
                "Delete the {n} item(s) in the Trash for good? This cannot be undone. [y/N] "
            ))
        );
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| Error::Io {
                action: "cannot read the answer from",
                path: "stdin".into(),
                source: e,
            })?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            return emit(out, "Nothing was deleted.");
        }
    }
    let purged = v.empty_trash()?;
    if ctx.json {
        emit_json(out, &json!({"purged": purged}))
    } else {
        emit(
            out,
            &format!("Emptied the Trash: {purged} item(s) deleted for good."),
        )
    }
}

/// `keywright restore NAME [--as NEW_NAME]`.
pub fn restore(ctx: &Ctx, a: RestoreArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut v = open_unlocked(&ctx.path, input)?;
    let t = v.find_in_trash(&a.name)?;
    let item = v.restore(&t.id, a.as_name.as_deref())?;
    let was = (item.name() != t.name()).then(|| t.name().to_owned());
    if ctx.json {
        return emit_json(
            out,
            &json!({"restored": item.id, "name": item.name(), "was": was}),
        );
    }
    match was {
        Some(was) => emit(
            out,
            &format!(
                "Restored \u{201c}{was}\u{201d} as \u{201c}{}\u{201d}.",
                item.name()
            ),
        ),
        None => emit(out, &format!("Restored \u{201c}{}\u{201d}.", item.name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_paste_back_as_one_argument() {
        assert_eq!(shell_word("stripe-live"), "stripe-live");
        assert_eq!(shell_word("Stripe live"), "'Stripe live'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("$(rm -rf x)"), "'$(rm -rf x)'");
        assert_eq!(shell_word(""), "''");
    }
}
