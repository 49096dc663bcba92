//! The token subcommands: `inspect`, `token`, `renew`, `login`, `expiring`, `run`.

use std::io::Read;
use std::process::Stdio;

use keywright_core::credential::Kind;
use keywright_core::expiry::Status;
use keywright_core::jwt::{self, Expect, Inspected, Verification, VerifyKey};
use keywright_core::oauth::{self, renew};
use keywright_core::vault::{Item, session};
use keywright_core::{Error, Result, Vault, net, timefmt};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::cli::{ExpiringArgs, InspectArgs, LoginArgs, NameArgs, RunArgs, TokenArgs, TokenField};
use crate::commands::{Ctx, Out, emit, emit_json};
use crate::input::Input;
use crate::output;
use crate::unlock::{notice, open_unlocked};

const DAY: i64 = 86_400;

/// Run an async core call on a runtime of this thread (the CLI is otherwise synchronous).
pub(crate) fn block_on<F: std::future::Future>(f: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            action: "start the async runtime for",
            path: "the network".into(),
            source: e,
        })?;
    Ok(rt.block_on(f))
}

fn opt_time(t: Option<i64>) -> Value {
    t.map_or(Value::Null, |t| Value::from(timefmt::rfc3339(t)))
}

/// A token's status from its `exp` alone (for tokens that are not items).
fn token_status(exp: Option<i64>, now: i64, warn_days: u32) -> Status {
    match exp {
        None => Status::Unknown,
        Some(t) if t <= now => Status::Expired,
        Some(t) if t.saturating_sub(now) <= i64::from(warn_days).saturating_mul(DAY) => {
            Status::Expiring
        }
        Some(_) => Status::Ok,
    }
}

pub fn inspect(ctx: &Ctx, a: InspectArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let from_stdin = a.name.as_deref().is_none_or(|n| n == "-");
    let now = timefmt::now();
    let needs_vault = !from_stdin || a.key_item.is_some();
    let mut vault = if needs_vault {
        Some(open_unlocked(&ctx.path, input)?)
    } else {
        None
    };
    let mut item: Option<Item> = None;
    let token: Zeroizing<String> = if from_stdin {
        // The rest of stdin (after the password line with --password-stdin), bounded.
        let s = input.rest()?;
        Zeroizing::new(s.trim().to_owned())
    } else {
        let v = vault.as_mut().ok_or(Error::Locked)?;
        let name = a.name.as_deref().unwrap_or_default();
        let it = v.find(name)?;
        let secret = v.open_secret(&it.id)?;
        let t = match (it.overview.kind, a.token) {
            (Kind::Oauth2, TokenField::Access) => secret.access_token.clone(),
            (Kind::Oauth2, TokenField::Refresh) => secret.refresh_token.clone(),
            (Kind::Bearer | Kind::ApiKey, TokenField::Access) => secret.value.clone(),
            (k, _) => {
                return Err(Error::InvalidInput {
                    field: "item".into(),
                    reason: format!(
                        "{:?} is {}; it holds no {} to inspect",
                        it.overview.name,
                        k,
                        if a.token == TokenField::Refresh {
                            "refresh token"
                        } else {
                            "token"
                        }
                    ),
                });
            }
        };
        if t.is_empty() {
            return Err(Error::InvalidInput {
                field: "item".into(),
                reason: format!("{:?} has no token stored yet", it.overview.name),
            });
        }
        item = Some(it);
        Zeroizing::new(t)
    };
    let ins = jwt::inspect(&token)?;
    let key = verify_key(&a, vault.as_mut(), &ins)?;
    let verified = key.as_ref().map(|k| {
        let expect = Expect {
            issuer: a.issuer.clone(),
            audience: a.audience.clone(),
        };
        jwt::verify(&token, &ins, k, &expect, now)
    });
    let warn = item
        .as_ref()
        .and_then(|i| i.overview.warn_days)
        .unwrap_or(keywright_core::expiry::DEFAULT_WARN_DAYS);
    let status = token_status(ins.expires_at, now, warn);
    let result = if ctx.json {
        emit_json(
            out,
            &json!({
                "header": ins.header,
                "claims": ins.claims,
                "expires_at": opt_time(ins.expires_at),
                "not_before": opt_time(ins.not_before),
                "issued_at": opt_time(ins.issued_at),
                "status": status.as_str(),
                "verified": verified,
            }),
        )
    } else {
        emit(out, &inspect_text(&ins, status, verified.as_ref(), now))
    };
    if let Some(v) = vault {
        v.close_for_exit();
    }
    result?;
    if let Some(v) = verified.filter(|v| !v.ok) {
        // The inspection is the output; a failed check is the exit code (1), as for any
        // verifier.
        let _ = out.flush();
        if !ctx.json {
            let why = v
                .checks
                .iter()
                .find(|c| !c.ok)
                .map_or("", |c| c.message.as_str());
            notice(&format!(
                "verification failed ({}): {why}",
                v.failed.as_deref().unwrap_or("")
            ));
        }
        std::process::exit(1);
    }
    Ok(())
}

fn verify_key(
    a: &InspectArgs,
    vault: Option<&mut Vault>,
    ins: &Inspected,
) -> Result<Option<VerifyKey>> {
    if let Some(path) = &a.key_file {
        let bytes = crate::input::read_file_limited(
            path,
            keywright_core::limits::MAX_KEY_FILE_BYTES,
            "cannot read the key file",
        )?;
        return jwt::key_from_material(bytes, ins)
            .map(Some)
            .map_err(|reason| Error::InvalidInput {
                field: "key file".into(),
                reason,
            });
    }
    if let Some(name) = &a.key_item {
        let v = vault.ok_or(Error::Locked)?;
        let it = v.find(name)?;
        let secret = v.open_secret(&it.id)?;
        return Ok(Some(VerifyKey::Secret(Zeroizing::new(
            secret.value.as_bytes().to_vec(),
        ))));
    }
    let jwks_url = match (&a.jwks, &a.issuer) {
        (Some(u), _) => Some(u.clone()),
        (None, Some(issuer)) => Some(block_on(async {
            jwt::issuer_jwks_uri(&net::auth_client()?, issuer).await
        })??),
        (None, None) => None,
    };
    let Some(url) = jwks_url else {
        return Ok(None);
    };
    let set = block_on(async { jwt::fetch_jwks(&net::auth_client()?, &url).await })??;
    Ok(Some(VerifyKey::Jwks(set)))
}

fn when(t: i64, now: i64) -> String {
    let local = timefmt::local(t)
        .map(|l| format!(" · local {l}"))
        .unwrap_or_default();
    format!(
        "{}{local} · {}",
        timefmt::rfc3339(t),
        timefmt::relative(t, now)
    )
}

fn inspect_text(
    ins: &Inspected,
    status: Status,
    verified: Option<&Verification>,
    now: i64,
) -> String {
    let mut s = String::new();
    s.push_str(&format!("Header  {}\n", ins.header));
    s.push_str("Claims\n");
    let width = ins
        .claims
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in &ins.claims {
        let shown = match (k.as_str(), v.as_i64()) {
            ("exp" | "nbf" | "iat" | "auth_time", Some(t)) => format!("{t} ({})", when(t, now)),
            _ => match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
        };
        s.push_str(&format!("  {k:<width$}  {shown}\n"));
    }
    s.push_str(&format!(
        "Status  {} ({})",
        status.as_str(),
        jwt::describe_expiry(ins.expires_at, now)
    ));
    if let Some(v) = verified {
        s.push_str(&format!("\nVerified  {}", if v.ok { "yes" } else { "NO" }));
        for c in &v.checks {
            s.push_str(&format!(
                "\n  {:<9}  {}  {}",
                c.check,
                if c.ok { "ok  " } else { "FAIL" },
                c.message
            ));
        }
    }
    s
}

fn token_json(t: &renew::Token, with_token: bool) -> Value {
    let mut v = json!({
        "token_type": t.token_type,
        "expires_at": opt_time(t.expires_at),
        "renewed": t.renewed,
    });
    if with_token {
        v["access_token"] = Value::from(t.access_token.as_str());
    }
    v
}

pub fn token(ctx: &Ctx, a: TokenArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let mode = if a.renew {
        renew::Mode::Force
    } else {
        renew::Mode::IfNeeded
    };
    let http = net::LazyClient::default();
    let t = block_on(renew::access_token(&mut vault, &http, &a.name, mode))??;
    vault.record_use(&t.item.id, "access_token (keywright token)")?;
    if t.renewed {
        notice(&format!(
            "renewed {} ({}){}",
            t.item.overview.name,
            t.grant.unwrap_or("renewal"),
            t.expires_at
                .map(|e| format!("; expires {}", timefmt::relative(e, timefmt::now())))
                .unwrap_or_default()
        ));
    }
    if ctx.json {
        emit_json(out, &token_json(&t, true))
    } else {
        emit(out, &t.access_token)
    }
}

fn renewed_text(t: &renew::Token, verb: &str) -> String {
    let now = timefmt::now();
    format!(
        "{verb} {} ({}){}",
        t.item.overview.name,
        t.grant.unwrap_or("stored token"),
        t.expires_at
            .map(|e| format!("; the access token expires {}", timefmt::relative(e, now)))
            .unwrap_or_default()
    )
}

fn outcome_json(t: &renew::Token) -> Value {
    let now = timefmt::now();
    let mut v = token_json(t, false);
    v["name"] = Value::from(t.item.overview.name.as_str());
    v["grant"] = t.grant.map_or(Value::Null, Value::from);
    v["status"] = Value::from(t.item.expiry(now).status.as_str());
    v
}

pub fn renew(ctx: &Ctx, a: NameArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let http = net::LazyClient::default();
    let t = block_on(renew::access_token(
        &mut vault,
        &http,
        &a.name,
        renew::Mode::Force,
    ))??;
    if ctx.json {
        emit_json(out, &outcome_json(&t))
    } else {
        emit(out, &renewed_text(&t, "Renewed"))
    }
}

pub fn login(ctx: &Ctx, a: LoginArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let mut vault = open_unlocked(&ctx.path, input)?;
    let no_browser = a.no_browser;
    let open = move |url: &str| -> Result<()> {
        if no_browser {
            eprintln!("Open this URL in a browser to log in:\n  {url}");
            return Ok(());
        }
        eprintln!("Opening the browser to log in. If it does not open, visit:\n  {url}");
        if let Err(e) = oauth::loopback::open_browser(url) {
            notice(&format!("{e}; open the URL above yourself"));
        }
        Ok(())
    };
    let show = |d: &renew::DevicePrompt| {
        match &d.verification_uri_complete {
            Some(full) => eprintln!(
                "To log in, visit {}\nand enter the code  {}\n(or open {full})",
                d.verification_uri, d.user_code
            ),
            None => eprintln!(
                "To log in, visit {}\nand enter the code  {}",
                d.verification_uri, d.user_code
            ),
        }
        eprintln!(
            "Waiting for the login (the code expires {})…",
            timefmt::relative(timefmt::now().saturating_add(d.expires_in), timefmt::now())
        );
    };
    let via = if a.device {
        renew::LoginVia::Device(&show)
    } else {
        renew::LoginVia::Browser(&open)
    };
    let http = net::auth_client()?;
    let t = block_on(renew::login(&mut vault, &http, &a.name, via))??;
    if ctx.json {
        emit_json(out, &outcome_json(&t))
    } else {
        emit(out, &renewed_text(&t, "Logged in"))
    }
}

/// Why an item is on the timeline, and when it is due.
fn due(item: &Item, now: i64, within: i64) -> Option<(i64, &'static str)> {
    let e = item.expiry(now);
    let horizon = now.saturating_add(within);
    match e.status {
        Status::ReauthRequired => Some((e.expires_at.unwrap_or(now).min(now), "needs a new login")),
        Status::Expired => Some((e.expires_at.unwrap_or(now), "expired")),
        Status::RotationDue => Some((e.rotation_due_at.unwrap_or(now), "rotation due")),
        _ => {
            let exp = e
                .expires_at
                .filter(|t| *t <= horizon)
                .map(|t| (t, "expires"));
            // A snoozed reminder comes back when the snooze ends; an expiry stays.
            let rot = e
                .rotation_due_at
                .map(|t| e.snoozed_until.map_or(t, |s| t.max(s)))
                .filter(|t| *t <= horizon)
                .map(|t| (t, "rotation due"));
            match (exp, rot) {
                (Some(x), Some(r)) => Some(if x.0 <= r.0 { x } else { r }),
                (x, r) => x.or(r),
            }
        }
    }
}

pub fn expiring(ctx: &Ctx, a: ExpiringArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let within = i64::try_from(timefmt::parse_duration("within", &a.within)?).unwrap_or(i64::MAX);
    let mut vault = open_unlocked(&ctx.path, input)?;
    let now = timefmt::now();
    let mut rows: Vec<(i64, &'static str, Item)> = vault
        .items()?
        .iter()
        .filter_map(|i| due(i, now, within).map(|(t, why)| (t, why, i.clone())))
        .collect();
    rows.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then_with(|| x.2.overview.name.cmp(&y.2.overview.name))
    });
    let result = if ctx.json {
        let list: Vec<Value> = rows
            .iter()
            .map(|(t, why, item)| {
                let mut v = output::item_summary(item, now);
                v["due_at"] = Value::from(timefmt::rfc3339(*t));
                v["reason"] = Value::from(*why);
                v
            })
            .collect();
        emit_json(out, &Value::Array(list))
    } else if rows.is_empty() {
        emit(
            out,
            &format!("Nothing expires or is due within {}.", a.within),
        )
    } else {
        let width = rows
            .iter()
            .map(|r| r.2.overview.name.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        let mut text = format!("{:<15}  {:<20}  {:<width$}  WHY", "STATUS", "DUE", "NAME");
        for (t, why, item) in &rows {
            let status = item.expiry(now).status.as_str();
            let when = if *t <= now && *why == "needs a new login" {
                "now".to_owned()
            } else {
                timefmt::relative(*t, now)
            };
            text.push_str(&format!(
                "\n{status:<15}  {when:<20}  {:<width$}  {why}",
                item.overview.name
            ));
        }
        emit(out, &text)
    };
    vault.close_for_exit();
    result
}

/// Shown in place of a secret in `run`'s output.
const MASK: &[u8] = b"<concealed by keywright>";

/// Copies `from` to `to`, replacing every occurrence of a secret with MASK. Holds back the
/// last (longest − 1) bytes of each read until more arrives, so a secret split across two
/// reads is still found.
fn mask_stream(mut from: impl Read, mut to: impl std::io::Write, secrets: &[Zeroizing<Vec<u8>>]) {
    let keep = secrets
        .iter()
        .map(|s| s.len())
        .max()
        .unwrap_or(1)
        .saturating_sub(1);
    let mut pending: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::new());
    let mut buf = Zeroizing::new(vec![0u8; 8192]);
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => 0,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        let mut outb = Vec::with_capacity(pending.len());
        let mut i = 0;
        let limit = if n == 0 {
            pending.len()
        } else {
            pending.len().saturating_sub(keep)
        };
        'scan: while i < limit {
            for s in secrets {
                if pending[i..].starts_with(s) {
                    outb.extend_from_slice(MASK);
                    i += s.len();
                    continue 'scan;
                }
            }
            // A secret that may begin here but is not complete yet: wait for more bytes.
            if n != 0 && secrets.iter().any(|s| s.starts_with(&pending[i..])) {
                break;
            }
            outb.push(pending[i]);
            i += 1;
        }
        pending.drain(..i);
        if to.write_all(&outb).and_then(|()| to.flush()).is_err() {
            return;
        }
        if n == 0 {
            return;
        }
    }
}

/// The variables `keywright run` removes from the child's environment: every `KEYWRIGHT_*`
/// one (the session token with its file opens the whole vault; the others point at it),
/// except `KEYWRIGHT_SESSION` when `--pass-session` asks for it.
fn child_env_removals(
    vars: impl Iterator<Item = std::ffi::OsString>,
    pass_session: bool,
) -> Vec<std::ffi::OsString> {
    vars.filter(|k| {
        let k = k.to_string_lossy();
        k.starts_with("KEYWRIGHT_") && !(pass_session && k == session::SESSION_ENV)
    })
    .collect()
}

pub fn run(ctx: &Ctx, a: RunArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    // What the environment names is read and checked before the vault is opened.
    let source = crate::refs::run_env(&a)?;
    let mut vault = open_unlocked(&ctx.path, input)?;
    let mut resolver = keywright_core::refs::Resolver::new("keywright run");
    let resolved = crate::refs::resolve_vars(&mut vault, &mut resolver, &source.vars)?;
    resolver.record(&mut vault)?;
    drop(resolver);
    drop(vault);
    let (prog, args) = a.command.split_first().ok_or_else(|| Error::InvalidInput {
        field: "command".into(),
        reason: "give the command to run after --".into(),
    })?;
    let mut cmd = std::process::Command::new(prog);
    cmd.args(args);
    for var in child_env_removals(std::env::vars_os().map(|(k, _)| k), a.pass_session) {
        cmd.env_remove(var);
    }
    for v in &resolved {
        cmd.env(&v.name, v.value.as_str());
    }
    // Short values (a 6-digit code) are masked too: they are what a log must not show.
    // Plain values of an env file and non-secret fields (a user name, a URL) are not.
    let mut secrets: Vec<Zeroizing<Vec<u8>>> = resolved
        .iter()
        .flat_map(|v| v.secrets.iter())
        .filter(|v| !v.is_empty())
        .map(|v| Zeroizing::new(v.as_bytes().to_vec()))
        .collect();
    // Longest first, so a value that contains another is masked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    drop(resolved);
    let code = if a.no_masking || secrets.is_empty() {
        cmd.status()
    } else {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        match cmd.spawn() {
            Ok(mut child) => {
                let so = child.stdout.take();
                let se = child.stderr.take();
                std::thread::scope(|s| {
                    if let Some(e) = se {
                        let secrets = &secrets;
                        s.spawn(move || mask_stream(e, std::io::stderr(), secrets));
                    }
                    // Stdout is this thread's (main holds its lock): masked here.
                    if let Some(o) = so {
                        mask_stream(o, &mut *out, &secrets);
                    }
                    child.wait()
                })
            }
            Err(e) => Err(e),
        }
    }
    .map_err(|e| Error::Io {
        action: "cannot run",
        path: prog.into(),
        source: e,
    })?;
    let _ = ctx;
    let _ = out.flush();
    std::process::exit(exit_code(code));
}

/// The child's exit code as ours (128 + signal when it was killed, as shells do).
fn exit_code(s: std::process::ExitStatus) -> i32 {
    if let Some(c) = s.code() {
        return c;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            return 128 + sig;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(input: &[u8], secrets: &[&str], chunk: usize) -> String {
        struct Chunked<'a>(&'a [u8], usize);
        impl Read for Chunked<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let s: Vec<Zeroizing<Vec<u8>>> = secrets
            .iter()
            .map(|x| Zeroizing::new(x.as_bytes().to_vec()))
            .collect();
        let mut out = Vec::new();
        mask_stream(Chunked(input, chunk), &mut out, &s);
        String::from_utf8(out).expect("utf8")
    }

    /// Issue 13 item 8: a token's `exp` anywhere in i64 gives a status, never an overflow.
    #[test]
    fn token_status_at_the_edges() {
        assert_eq!(token_status(Some(i64::MAX), i64::MIN, 7), Status::Ok);
        assert_eq!(token_status(Some(i64::MIN), i64::MAX, 7), Status::Expired);
        assert_eq!(token_status(Some(10), 5, u32::MAX), Status::Expiring);
        assert_eq!(token_status(None, 0, 7), Status::Unknown);
    }

    #[test]
    fn masks_secrets_split_across_reads() {
        let text = b"token=eyJsecret123 and again eyJsecret123; code 123456.";
        for chunk in [1, 2, 3, 5, 7, 64] {
            let m = masked(text, &["eyJsecret123", "123456"], chunk);
            assert_eq!(
                m,
                "token=<concealed by keywright> and again <concealed by keywright>; code <concealed by keywright>.",
                "chunk {chunk}"
            );
        }
        // A prefix of a secret at the very end is printed as it is.
        assert_eq!(
            masked(b"ends with eyJsec", &["eyJsecret123"], 4),
            "ends with eyJsec"
        );
    }
}
