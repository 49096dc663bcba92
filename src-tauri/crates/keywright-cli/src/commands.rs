//! One function per subcommand: parse what clap gave, call the core, print.

use std::io::Write;

use keywright_core::credential::{ClientAuth, Grant, Kind, NewItem, OAuthConfig, Placement};
use keywright_core::crypto::kdf::KdfParams;
use keywright_core::vault::{Item, ItemPatch, KeyringOutcome, session};
use keywright_core::{CreateOptions, Error, Result, Vault, paths, timefmt};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::{
    AddArgs, AuthArg, Cli, Command, CommonFields, EditArgs, InitArgs, KeyringAction, KindArg,
    ListArgs, LogArgs, PasswdArgs, RekeyArgs, ShowArgs, UnlockArgs,
};
use crate::input::Input;
use crate::unlock::{notice, open_unlocked, open_unlocked_without_session, system_keyring};
use crate::{otp, output, tokens};

/// Longest session a user may ask for.
const MAX_SESSION_SECS: u64 = 30 * 86_400;

pub(crate) type Out<'a> = &'a mut dyn Write;

/// The outcome of writing to stdout: a closed pipe (`keywright list | head`) is not an error.
pub(crate) fn written(r: std::io::Result<()>) -> Result<()> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Io {
            action: "cannot write to",
            path: "stdout".into(),
            source: e,
        }),
    }
}

/// Human output: control characters and bidirectional controls in it are shown escaped
/// (see [`output::term_text`]), whatever text from the vault or outside it holds.
pub(crate) fn emit(out: Out<'_>, text: &str) -> Result<()> {
    written(writeln!(out, "{}", output::term_text(text)))
}

/// JSON output, as serialised (serde escapes control characters in strings).
pub(crate) fn emit_json(out: Out<'_>, v: &serde_json::Value) -> Result<()> {
    written(writeln!(out, "{v}"))
}

pub fn run(cli: Cli, out: Out<'_>) -> Result<()> {
    let Some(command) = cli.command else {
        return no_command(cli.vault.as_deref(), cli.json, out);
    };
    // The commands that read references use the vault a project file names, unless
    // --vault or KEYWRIGHT_VAULT says which.
    let project_vault = match (&command, &cli.vault) {
        (Command::Run(_) | Command::Env(_) | Command::Read(_) | Command::Inject(_), None) => {
            crate::refs::project_here()?.and_then(|p| p.vault)
        }
        _ => None,
    };
    let path = match project_vault {
        Some(p) if std::env::var_os(paths::VAULT_ENV).is_none_or(|v| v.is_empty()) => p,
        _ => paths::resolve_vault_path(cli.vault.as_deref())?,
    };
    let mut input = Input::new(cli.password_stdin);
    let json = cli.json;
    let folder = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let ctx = Ctx { path, json };
    let result = dispatch(command, &ctx, &mut input, out);
    // A vault opened read-only (its folder is not writable) refuses changes in SQLite's
    // words; say which folder and what to do.
    result.map_err(|e| {
        if e.is_sqlite_read_only() {
            Error::read_only(&folder, "a change")
        } else {
            e
        }
    })
}

fn dispatch(command: Command, ctx: &Ctx, input: &mut Input, out: Out<'_>) -> Result<()> {
    match command {
        Command::Init(a) => init(ctx, a, input, out),
        Command::Unlock(a) => unlock(ctx, a, input, out),
        Command::Lock => lock(ctx, out),
        Command::Status => status(ctx, out),
        Command::Add(a) => add(ctx, a, input, out),
        Command::List(a) => list(ctx, a, input, out),
        Command::Show(a) => show(ctx, a, input, out),
        Command::Edit(a) => edit(ctx, a, input, out),
        Command::Rotate(a) => crate::rotate::rotate(ctx, a, input, out),
        Command::Snooze(a) => crate::rotate::snooze(ctx, a, input, out),
        Command::Rm(a) => crate::trash::rm(ctx, a, input, out),
        Command::Trash(a) => crate::trash::trash(ctx, a, input, out),
        Command::Restore(a) => crate::backup::restore(ctx, a, input, out),
        Command::Passwd(a) => passwd(ctx, a, input, out),
        Command::Rekey(a) => rekey(ctx, a, input, out),
        Command::Keyring(a) => keyring(ctx, a.action, input, out),
        Command::Log(a) => log(ctx, a, input, out),
        Command::Totp(a) => otp::totp(ctx, a, input, out),
        Command::Hotp(a) => otp::hotp(ctx, a, input, out),
        Command::Import(a) => crate::import::import(ctx, a, input, out),
        Command::Export(a) => crate::export::export(ctx, a, input, out),
        Command::Qr(a) => otp::qr(ctx, a, input, out),
        Command::ClipboardHold(a) => crate::clipboard::hold(a.seconds),
        Command::Inspect(a) => tokens::inspect(ctx, a, input, out),
        Command::Token(a) => tokens::token(ctx, a, input, out),
        Command::Renew(a) => tokens::renew(ctx, a, input, out),
        Command::Login(a) => tokens::login(ctx, a, input, out),
        Command::Expiring(a) => tokens::expiring(ctx, a, input, out),
        Command::Run(a) => tokens::run(ctx, a, input, out),
        Command::Request(a) => crate::request::request(ctx, a, input, out),
        Command::History(a) => crate::request::history(ctx, a, input, out),
        Command::Saved(a) => crate::request::saved(ctx, a, input, out),
        Command::Backup(a) => crate::backup::backup(ctx, a, input, out),
        Command::Sync(a) => crate::sync::sync(ctx, a, input, out),
        Command::Conflicts => crate::sync::conflicts(ctx, input, out),
        Command::Resolve(a) => crate::sync::resolve(ctx, a, input, out),
        Command::Merge(a) => crate::sync::merge(ctx, a, input, out),
        Command::Read(a) => crate::refs::read(ctx, a, input, out),
        Command::Inject(a) => crate::refs::inject(ctx, a, input, out),
        Command::Env(a) => crate::refs::env(ctx, a, input, out),
        Command::Completions(a) => crate::complete::registration(a.shell, out),
        Command::Man(a) => man_pages(&a.dir, out),
        Command::Scan(a) => crate::scan::scan(ctx, a, input, out),
    }
}

mod man {
    include!(concat!(env!("OUT_DIR"), "/man_pages.rs"));
}

/// `keywright __man DIR`: the manual pages made at build time, written into DIR.
fn man_pages(dir: &std::path::Path, out: Out<'_>) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Io {
        action: "cannot create",
        path: dir.to_owned(),
        source: e,
    })?;
    for (name, page) in man::PAGES {
        let path = dir.join(name);
        std::fs::write(&path, page).map_err(|e| Error::Io {
            action: "cannot write",
            path,
            source: e,
        })?;
    }
    emit(
        out,
        &format!("{} manual pages in {}", man::PAGES.len(), dir.display()),
    )
}

/// `keywright` alone: how to start when there is no vault yet, else the help.
fn no_command(explicit: Option<&std::path::Path>, json: bool, out: Out<'_>) -> Result<()> {
    let path = paths::resolve_vault_path(explicit)?;
    if path.exists() {
        use clap::CommandFactory as _;
        let help = Cli::command().render_help().to_string();
        return emit(out, help.trim_end());
    }
    if json {
        return emit_json(
            out,
            &json!({"vault": path, "exists": false, "next": "keywright init"}),
        );
    }
    emit(
        out,
        &format!(
            "Keywright keeps your API keys, tokens, OAuth clients and 2FA secrets in one \
             encrypted vault, and there is none yet at {}. Create it with `keywright init` \
             (it asks for a password and prints a recovery code to keep offline), then add a \
             key with `keywright add api-key \"Stripe live\"` (the value is read from a hidden \
             prompt, never the command line), list them with `keywright list`, and put them \
             in a command's environment with `keywright run --env STRIPE_KEY=\"Stripe live\" \
             -- CMD`. Another vault: --vault PATH or KEYWRIGHT_VAULT. Every command: \
             `keywright --help`.",
            path.display()
        ),
    )
}

pub(crate) struct Ctx {
    pub(crate) path: std::path::PathBuf,
    pub(crate) json: bool,
}

fn kdf_from_flags(memory: Option<u32>, iterations: Option<u32>) -> Result<Option<KdfParams>> {
    match (memory, iterations) {
        (Some(m), Some(t)) => KdfParams::new(m, t).map(Some),
        _ => Ok(None),
    }
}

fn init(ctx: &Ctx, a: InitArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let kdf = kdf_from_flags(a.kdf_memory, a.kdf_iterations)?;
    if ctx.path.exists() {
        return Err(Error::VaultExists {
            path: ctx.path.clone(),
        });
    }
    let password = input.new_password()?;
    let (keyring, unavailable) = if a.no_keyring {
        (None, None)
    } else {
        match system_keyring() {
            Ok(kr) => (Some(kr), None),
            Err(e) => (None, Some(e.to_string())),
        }
    };
    let created = Vault::create(
        &ctx.path,
        &SecretString::from(password.to_string()),
        CreateOptions { kdf, keyring },
    )?;
    let keyring = match (created.keyring, unavailable) {
        (KeyringOutcome::NotRequested, Some(reason)) => KeyringOutcome::Unavailable(reason),
        (k, _) => k,
    };
    let (kr_state, kr_notice) = match &keyring {
        KeyringOutcome::Enabled => ("enabled", None),
        KeyringOutcome::NotRequested => ("not_requested", None),
        KeyringOutcome::Unavailable(r) => ("unavailable", Some(r.clone())),
    };
    if let Some(r) = &kr_notice {
        notice(&format!("{r}; this vault unlocks with its password only"));
    }
    let code = created.recovery_code.expose_secret();
    if ctx.json {
        return emit_json(
            out,
            &json!({
                "path": ctx.path,
                "vault_id": created.vault.vault_id(),
                "recovery_code": code,
                "keyring": kr_state,
                "keyring_notice": kr_notice,
                "kdf": {
                    "algorithm": "argon2id",
                    "memory_mib": created.kdf.memory_kib / 1024,
                    "iterations": created.kdf.iterations,
                    "parallelism": created.kdf.parallelism,
                },
            }),
        );
    }
    let kr_line = match &keyring {
        KeyringOutcome::Enabled => {
            "System keyring: enabled (unlocks without a password while you are logged in)"
        }
        KeyringOutcome::NotRequested => "System keyring: off (`keywright keyring enable` adds it)",
        KeyringOutcome::Unavailable(_) => {
            "System keyring: unavailable; the password unlocks the vault"
        }
    };
    emit(
        out,
        &format!(
            "Created vault at {}\n\nRecovery code (shown once; write it down and keep it offline):\n\n    {code}\n\n\
             It opens the vault if you forget the password: `keywright passwd --recovery`.\n{kr_line}\n\
             Argon2id: {} MiB, {} iteration(s)",
            ctx.path.display(),
            created.kdf.memory_kib / 1024,
            created.kdf.iterations
        ),
    )
}

fn unlock(ctx: &Ctx, a: UnlockArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let ttl = timefmt::parse_duration("ttl", &a.ttl)?;
    if ttl > MAX_SESSION_SECS {
        return Err(Error::InvalidInput {
            field: "ttl".into(),
            reason: "at most 30d".into(),
        });
    }
    let vault = if a.recovery {
        let mut v = Vault::open(&ctx.path)?;
        let code = if input.password_stdin() {
            input.line()?.unwrap_or_default()
        } else {
            input.secret("Recovery code: ", "recovery code")?
        };
        v.unlock_with_recovery(&code)?;
        v
    } else {
        open_unlocked_without_session(&ctx.path, input)?
    };
    let token = session::start(&vault, ttl, &session::session_dir()?)?;
    let expires = timefmt::rfc3339(timefmt::now().saturating_add(i64::try_from(ttl).unwrap_or(0)));
    let export = format!("export {}={}", session::SESSION_ENV, token.expose_secret());
    if ctx.json {
        emit_json(
            out,
            &json!({"session": token.expose_secret(), "expires_at": expires, "export": export}),
        )
    } else {
        eprintln!("keywright: unlocked until {expires}; `keywright lock` ends the session");
        emit(out, &export)
    }
}

fn lock(ctx: &Ctx, out: Out<'_>) -> Result<()> {
    let vault = Vault::open(&ctx.path)?;
    let n = session::end_all(&vault, &session::session_dir()?)?;
    if ctx.json {
        emit_json(out, &json!({"ended": n}))
    } else {
        emit(out, &format!("Locked ({n} session(s) ended)"))
    }
}

fn status(ctx: &Ctx, out: Out<'_>) -> Result<()> {
    let mut vault = match Vault::open(&ctx.path) {
        Ok(v) => v,
        Err(Error::NoVault { .. }) => {
            return if ctx.json {
                emit_json(out, &json!({"path": ctx.path, "state": "none"}))
            } else {
                emit(
                    out,
                    &format!(
                        "No vault at {} (create one with `keywright init`)",
                        ctx.path.display()
                    ),
                )
            };
        }
        Err(e) => return Err(e),
    };
    session::sweep(&vault);
    // Why a session set in this shell does not unlock (expired, ended, damaged).
    let session_problem = std::env::var(session::SESSION_ENV)
        .ok()
        .filter(|t| !t.is_empty())
        .and_then(|t| {
            session::session_dir()
                .and_then(|d| session::unlock(&mut vault, &SecretString::from(t), &d))
                .err()
        });
    let state = if vault.is_unlocked() {
        "unlocked"
    } else {
        "locked"
    };
    let count = vault.item_count()?;
    let kdf = vault.password_kdf();
    if ctx.json {
        return emit_json(
            out,
            &json!({
                "path": ctx.path,
                "state": state,
                "vault_id": vault.vault_id(),
                "items": count,
                "slots": vault.slot_ids(),
                "schema_version": vault.schema_version(),
                "session_error": session_problem.as_ref().map(|e| json!({"kind": e.kind(), "message": e.to_string()})),
                "kdf": kdf.map(|k| json!({"memory_mib": k.memory_kib / 1024, "iterations": k.iterations, "parallelism": k.parallelism})),
            }),
        );
    }
    let session_line = session_problem
        .map(|e| format!("\nSession: {e}"))
        .unwrap_or_default();
    emit(
        out,
        &format!(
            "Vault:   {}\nState:   {state}\nItems:   {count}\nSlots:   {}{session_line}",
            ctx.path.display(),
            vault.slot_ids().join(", ")
        ),
    )
}

fn kind_of(k: KindArg) -> Kind {
    match k {
        KindArg::ApiKey => Kind::ApiKey,
        KindArg::Bearer => Kind::Bearer,
        KindArg::Oauth2 => Kind::Oauth2,
        KindArg::Basic => Kind::Basic,
        KindArg::Totp => Kind::Totp,
    }
}

fn placement(c: &CommonFields) -> Option<Placement> {
    if c.bearer {
        Some(Placement::Bearer)
    } else if let Some(h) = &c.header {
        Some(Placement::Header {
            name: h.trim().to_owned(),
        })
    } else {
        c.query.as_ref().map(|q| Placement::Query {
            name: q.trim().to_owned(),
        })
    }
}

fn parse_expires(s: &str) -> Result<Option<i64>> {
    if s.trim().eq_ignore_ascii_case("never") {
        Ok(None)
    } else {
        timefmt::parse_date("expires", s).map(Some)
    }
}

fn parse_rotate(s: &str) -> Result<u32> {
    if matches!(s.trim().to_ascii_lowercase().as_str(), "never" | "off") {
        Ok(0)
    } else {
        timefmt::parse_days("rotate-every", s)
    }
}

fn add(ctx: &Ctx, a: AddArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let kind = kind_of(a.kind);
    let c = &a.common;
    let place = placement(c);
    if place.is_some() && kind != Kind::ApiKey {
        return Err(Error::InvalidInput {
            field: "placement".into(),
            reason: "--header, --query and --bearer apply to api-key items only".into(),
        });
    }
    // Check what can be checked before asking for any secret.
    let expires_at = c
        .expires
        .as_deref()
        .map(parse_expires)
        .transpose()?
        .flatten();
    let rotate = c.rotate_every.as_deref().map(parse_rotate).transpose()?;
    let warn = c
        .warn
        .as_deref()
        .map(|w| timefmt::parse_days("warn", w))
        .transpose()?;
    if kind != Kind::Totp
        && (a.digits.is_some()
            || a.period.is_some()
            || a.algorithm.is_some()
            || a.otp_type.is_some()
            || a.counter.is_some()
            || a.otp_issuer.is_some())
    {
        return Err(Error::InvalidInput {
            field: "2FA options".into(),
            reason: "--digits, --period, --algorithm, --type, --counter and --otp-issuer apply \
                     to totp items only"
                .into(),
        });
    }
    // Check the 2FA flags before asking for the secret.
    let otp_flags = if kind == Kind::Totp {
        Some(otp::OtpFlags::from_args(&a)?)
    } else {
        None
    };
    if kind != Kind::Oauth2 && a.grant.is_some() {
        return Err(Error::InvalidInput {
            field: "grant".into(),
            reason: "--grant applies to oauth2 items only".into(),
        });
    }
    let grant = a.grant.as_deref().map(Grant::parse).transpose()?;
    let oauth = (kind == Kind::Oauth2).then(|| OAuthConfig {
        client_id: a.client_id.clone().unwrap_or_default(),
        issuer: (kind == Kind::Oauth2).then(|| a.issuer.clone()).flatten(),
        token_url: a.token_url.clone(),
        auth: match a.auth {
            AuthArg::Basic => ClientAuth::Basic,
            AuthArg::Post => ClientAuth::Post,
        },
        scopes: a.scopes.clone(),
        audience: a.audience.clone(),
        grant,
        ..OAuthConfig::default()
    });
    let mut vault = open_unlocked(&ctx.path, input)?;
    let prompt = match kind {
        Kind::ApiKey => "API key: ",
        Kind::Bearer => "Token: ",
        Kind::Basic => "Password: ",
        Kind::Oauth2 => "Client secret (empty for a public client): ",
        Kind::Totp => "2FA secret (base32) or otpauth:// URI: ",
    };
    let value = input.secret(prompt, "secret value")?;
    let mut new = match &otp_flags {
        Some(flags) => flags.new_item(&a.name, &value, c.username.as_deref())?,
        None => {
            let mut new = NewItem::new(kind, a.name.clone(), value.as_str());
            new.username = c.username.clone();
            new
        }
    };
    new.tags.extend(c.tags.iter().cloned());
    new.url = c.url.clone();
    new.placement = place;
    new.oauth = oauth;
    new.expires_at = expires_at;
    new.rotate_every_days = rotate;
    new.warn_days = warn;
    if c.notes_stdin {
        new.secret.notes = input.rest()?.to_string();
    }
    let item = vault.add(new)?;
    if ctx.json {
        emit_json(out, &output::item_summary(&item, timefmt::now()))
    } else {
        emit(
            out,
            &format!("Added {} ({})", item.overview.name, item.overview.kind),
        )
    }
}

fn report_tampered(vault: &mut Vault) -> Result<()> {
    if let Some(problem) = vault.item_count_problem()? {
        notice(&format!("warning: {problem}"));
    }
    for t in vault.tampered()? {
        notice(&format!(
            "warning: item {} failed its integrity check and is not listed ({})",
            t.id, t.reason
        ));
    }
    Ok(())
}

fn list(ctx: &Ctx, a: ListArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    report_tampered(&mut vault)?;
    let now = timefmt::now();
    let kind = a.kind.map(kind_of);
    let query = a.query.join(" ");
    let mut items: Vec<&Item> = vault
        .search(&query)?
        .into_iter()
        .filter(|i| kind.is_none_or(|k| i.overview.kind == k))
        .filter(|i| {
            a.tag.as_deref().is_none_or(|t| {
                i.overview
                    .tags
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(t.trim()))
            })
        })
        .collect();
    crate::rotate::sort(&mut items, a.sort, now);
    let result = if ctx.json {
        let list: Vec<_> = items
            .iter()
            .map(|i| output::ItemSummary::new(i, now))
            .collect();
        written(serde_json::to_writer(&mut *out, &list).map_err(std::io::Error::from))
            .and_then(|()| emit(out, ""))
    } else if items.is_empty() {
        emit(out, "No items.")
    } else {
        written(output::table(out, &items, now))
    };
    vault.close_for_exit();
    result
}

fn show(ctx: &Ctx, a: ShowArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let item = vault.find(&a.name)?;
    if a.previous {
        return crate::rotate::show_previous(ctx, &mut vault, &item, a.reveal, out);
    }
    let previous = vault.previous_versions(&item.id)?;
    let secret = if a.reveal {
        Some(vault.reveal(&item.id)?)
    } else {
        None
    };
    // What the key is, from its shape (never sent anywhere): API keys and tokens only.
    let recognized = if matches!(item.overview.kind, Kind::ApiKey | Kind::Bearer) {
        keywright_core::recognize::recognize(&vault.open_secret(&item.id)?.value)
    } else {
        None
    };
    let now = timefmt::now();
    if ctx.json {
        let mut v = output::item_detail(&item, now, secret.as_ref(), &previous);
        output::add_recognized(&mut v, recognized.as_ref());
        emit_json(out, &v)
    } else {
        let mut text = output::item_text(&item, now, secret.as_ref(), &previous);
        if let Some(r) = &recognized {
            text = output::with_recognized(text, r);
        }
        emit(out, &text)
    }
}

fn edit(ctx: &Ctx, a: EditArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let c = &a.common;
    let expires = c.expires.as_deref().map(parse_expires).transpose()?;
    let rotate = c.rotate_every.as_deref().map(parse_rotate).transpose()?;
    let warn = c
        .warn
        .as_deref()
        .map(|w| timefmt::parse_days("warn", w))
        .transpose()?;
    let mut vault = open_unlocked(&ctx.path, input)?;
    let item = vault.find(&a.name)?;
    let place = placement(c);
    if place.is_some() && item.overview.kind != Kind::ApiKey {
        return Err(Error::InvalidInput {
            field: "placement".into(),
            reason: "--header, --query and --bearer apply to api-key items only".into(),
        });
    }
    let mut patch = ItemPatch {
        name: a.new_name.clone(),
        url: c
            .url
            .clone()
            .map(|u| Some(u).filter(|u| !u.trim().is_empty())),
        username: c
            .username
            .clone()
            .map(|u| Some(u).filter(|u| !u.trim().is_empty())),
        placement: place,
        expires_at: expires,
        rotate_every_days: rotate,
        warn_days: warn.map(Some),
        ..ItemPatch::default()
    };
    if !c.tags.is_empty() || !a.untag.is_empty() || a.replace_tags {
        let mut tags = if a.replace_tags {
            Vec::new()
        } else {
            item.overview.tags.clone()
        };
        tags.extend(c.tags.iter().cloned());
        tags.retain(|t| {
            !a.untag
                .iter()
                .any(|u| u.trim().eq_ignore_ascii_case(t.trim()))
        });
        patch.tags = Some(tags);
    }
    if a.value_stdin {
        patch.value = Some(input.secret("New secret value: ", "secret value")?);
    }
    if c.notes_stdin {
        patch.notes = Some(input.rest()?);
    }
    let updated = vault.update(&item.id, patch)?;
    if ctx.json {
        emit_json(out, &output::item_summary(&updated, timefmt::now()))
    } else {
        emit(out, &format!("Updated {}", updated.overview.name))
    }
}

fn passwd(ctx: &Ctx, a: PasswdArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let kdf = kdf_from_flags(a.kdf_memory, a.kdf_iterations)?;
    let mut vault = Vault::open(&ctx.path)?;
    vault.auto_backup_on_close(crate::backup::report_auto);
    if a.recovery {
        let code = if input.password_stdin() || !std::io::IsTerminal::is_terminal(&std::io::stdin())
        {
            input.line()?.unwrap_or_default()
        } else {
            Input::prompt_hidden("Recovery code: ")?
        };
        vault.unlock_with_recovery(&code)?;
    } else {
        let current = input.password("Current vault password: ")?;
        vault.unlock_with_password(&SecretString::from(current.to_string()))?;
    }
    let new: Zeroizing<String> = input.new_password()?;
    vault.change_password(&SecretString::from(new.to_string()), kdf)?;
    if ctx.json {
        emit_json(out, &json!({"changed": true}))
    } else {
        emit(
            out,
            "Password changed. Every session was ended (run `keywright unlock` again); the \
             keyring slot keeps working.",
        )
    }
}

fn rekey(ctx: &Ctx, a: RekeyArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = Vault::open(&ctx.path)?;
    vault.auto_backup_on_close(crate::backup::report_auto);
    // The password (or the recovery code) itself: no session or keyring rekeys a vault.
    let password: Zeroizing<String> = if a.recovery {
        let code = if input.password_stdin() || !std::io::IsTerminal::is_terminal(&std::io::stdin())
        {
            input.line()?.unwrap_or_default()
        } else {
            Input::prompt_hidden("Recovery code: ")?
        };
        vault.unlock_with_recovery(&code)?;
        input.new_password()?
    } else {
        let pw = input.password("Vault password: ")?;
        vault.unlock_with_password(&SecretString::from(pw.to_string()))?;
        pw
    };
    let kr = if vault.has_keyring_slot() {
        match system_keyring() {
            Ok(kr) => Some(kr),
            Err(e) => {
                notice(&format!("{e}"));
                None
            }
        }
    } else {
        None
    };
    let r = vault.rekey(&SecretString::from(password.to_string()), None, kr.as_ref())?;
    let (kr_state, kr_notice) = match &r.keyring {
        KeyringOutcome::Enabled => ("replaced", None),
        KeyringOutcome::NotRequested => ("none", None),
        KeyringOutcome::Unavailable(reason) => ("removed", Some(reason.clone())),
    };
    if let Some(n) = &kr_notice {
        notice(n);
    }
    for (table, id) in &r.tampered {
        notice(&format!(
            "warning: {table} {id} failed its integrity check and was left as it is"
        ));
    }
    let code = r.recovery_code.expose_secret();
    if ctx.json {
        let tampered: Vec<_> = r
            .tampered
            .iter()
            .map(|(t, id)| json!({"table": t, "id": id}))
            .collect();
        return emit_json(
            out,
            &json!({
                "recovery_code": code,
                "items": r.items,
                "audit_events": r.audit_events,
                "requests": r.requests,
                "saved_requests": r.saved_requests,
                "settings": r.settings,
                "trash": r.trash,
                "versions": r.versions,
                "tampered": tampered,
                "sessions_ended": r.sessions_ended,
                "keyring": kr_state,
                "keyring_notice": kr_notice,
            }),
        );
    }
    emit(
        out,
        &format!(
            "Rekeyed: {} item(s) re-encrypted under a new vault key; {} session(s) ended; \
             keyring slot: {kr_state}.\n\nNew recovery code (shown once; the old one no longer \
             works):\n\n    {code}\n",
            r.items, r.sessions_ended
        ),
    )
}

fn keyring(ctx: &Ctx, action: KeyringAction, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    match action {
        KeyringAction::Enable => {
            let kr = system_keyring()?;
            match vault.enable_keyring(&kr)? {
                KeyringOutcome::Unavailable(reason) => Err(Error::KeyringUnavailable { reason }),
                _ => {
                    if ctx.json {
                        emit_json(out, &json!({"keyring": "enabled"}))
                    } else {
                        emit(out, "System keyring slot enabled.")
                    }
                }
            }
        }
        KeyringAction::Disable => {
            let kr = system_keyring().ok();
            let note = vault.disable_keyring(kr.as_ref())?;
            if let Some(n) = &note {
                notice(n);
            }
            if ctx.json {
                emit_json(out, &json!({"keyring": "disabled", "notice": note}))
            } else {
                emit(
                    out,
                    "System keyring slot removed; the vault unlocks with its password.",
                )
            }
        }
    }
}

fn log(ctx: &Ctx, a: LogArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let events = match &a.name {
        None => vault.audit_log(None)?,
        Some(name) => match vault.find(name) {
            Ok(item) => vault.audit_log(Some(&item.id))?,
            // A deleted item (or one in the Trash): match its events by the name they
            // recorded.
            Err(Error::NotFound { .. } | Error::InTrash { .. }) => {
                let all = vault.audit_log(None)?;
                let wanted = keywright_core::vault::normalize_name(name);
                let ids: Vec<String> = all
                    .iter()
                    .filter(|e| keywright_core::vault::normalize_name(&e.item_name) == wanted)
                    .map(|e| e.item_id.clone())
                    .collect();
                if ids.is_empty() {
                    return Err(Error::NotFound { name: name.clone() });
                }
                all.into_iter()
                    .filter(|e| ids.contains(&e.item_id))
                    .collect()
            }
            Err(e) => return Err(e),
        },
    };
    if ctx.json {
        let list: Vec<_> = events
            .iter()
            .map(|e| {
                json!({"at": timefmt::rfc3339(e.at), "action": e.action, "item_id": e.item_id,
                       "item_name": e.item_name, "actor": e.actor, "detail": e.detail})
            })
            .collect();
        return emit_json(out, &serde_json::Value::Array(list));
    }
    let lines: Vec<String> = events
        .iter()
        .map(|e| {
            let action = serde_json::to_value(e.action)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let actor = serde_json::to_value(e.actor)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            format!(
                "{}  {action:<7} {}  ({actor}){}",
                timefmt::rfc3339(e.at),
                output::term_line(&e.item_name),
                e.detail
                    .as_deref()
                    .map(|d| format!("  {d}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    emit(
        out,
        &if lines.is_empty() {
            "No events.".into()
        } else {
            lines.join("\n")
        },
    )
}
