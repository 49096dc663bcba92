//! `keywright import FORMAT FILE|-`: every format through one preview (new / duplicate /
//! invalid, each with its reason) and one transaction.

use std::io::{IsTerminal, Read};
use std::path::Path;

use keywright_core::credential::{Kind, OtpType};
use keywright_core::import::{self, Format, Options, Source};
use keywright_core::limits::MAX_IMPORT_BYTES;
use keywright_core::otp::{self as core_otp, import::Format as OtpFormat};
use keywright_core::vault::import::{Choice, ImportPlan, PlanStatus};
use keywright_core::{Error, Result};
use secrecy::SecretString;
use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::{ImportArgs, ImportFormatArg};
use crate::commands::{Ctx, Out, emit, emit_json};
use crate::input::Input;
use crate::unlock::open_unlocked;

fn format_of(f: ImportFormatArg) -> Format {
    match f {
        ImportFormatArg::Otpauth => Format::Otp(OtpFormat::Otpauth),
        ImportFormatArg::Qr => Format::Otp(OtpFormat::Qr),
        ImportFormatArg::GoogleMigration => Format::Otp(OtpFormat::GoogleMigration),
        ImportFormatArg::Aegis => Format::Otp(OtpFormat::Aegis),
        ImportFormatArg::TwoFas => Format::Otp(OtpFormat::TwoFas),
        ImportFormatArg::Ente => Format::Otp(OtpFormat::Ente),
        ImportFormatArg::Dotenv => Format::Dotenv,
        ImportFormatArg::Kdbx => Format::Kdbx,
        ImportFormatArg::KeepassXml => Format::KeepassXml,
        ImportFormatArg::KeepassCsv => Format::KeepassCsv,
        ImportFormatArg::Bitwarden => Format::Bitwarden,
        ImportFormatArg::OnePassword => Format::OnePassword,
        ImportFormatArg::Postman => Format::Postman,
        ImportFormatArg::Bruno => Format::Bruno,
        ImportFormatArg::Insomnia => Format::Insomnia,
        ImportFormatArg::Csv => Format::Csv,
    }
}

/// The import file, or stdin for `-`: at most `MAX_IMPORT_BYTES` are read, and a larger
/// source is refused without reading it all (`/dev/zero` and endless pipes included).
fn read_source(format: Format, file: &str, input: &mut Input) -> Result<Zeroizing<Vec<u8>>> {
    if file == "-" {
        // With --password-stdin, the password line(s) came first; the rest is the file.
        return input.rest_bytes();
    }
    let io = |e: std::io::Error| Error::Io {
        action: "cannot read",
        path: file.into(),
        source: e,
    };
    let f = std::fs::File::open(file).map_err(io)?;
    if f.metadata().map_err(io)?.is_dir() {
        return Err(import::fail(
            format,
            format!("{file} is a folder; give the export file"),
        ));
    }
    let mut buf = Zeroizing::new(Vec::new());
    f.take(MAX_IMPORT_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(io)?;
    import::check_size(format, buf.len())?;
    Ok(buf)
}

pub fn import(ctx: &Ctx, a: ImportArgs, input: &mut Input, out: Out<'_>) -> Result<()> {
    let format = format_of(a.format);
    if a.map.is_some() && format != Format::Csv {
        return Err(Error::InvalidInput {
            field: "--map".into(),
            reason: "is for csv imports only".into(),
        });
    }
    if a.prefix.is_some() && format != Format::Dotenv {
        return Err(Error::InvalidInput {
            field: "--prefix".into(),
            reason: "is for dotenv imports only".into(),
        });
    }
    if !a.envs.is_empty() && format != Format::Postman {
        return Err(Error::InvalidInput {
            field: "--env".into(),
            reason: "is for postman imports only (a Bruno collection's environments are in \
                     its folder, an Insomnia export holds its own)"
                .into(),
        });
    }
    let mut vault = open_unlocked(&ctx.path, input)?;
    // With --password-stdin the line after the vault password is the export's password
    // (for the formats that can be encrypted); then, with FILE = -, the file itself.
    let mut password: Option<SecretString> = if input.password_stdin() && format.can_be_encrypted()
    {
        input.line()?.map(|l| SecretString::from(l.to_string()))
    } else {
        None
    };
    let folder = a.file != "-" && Path::new(&a.file).is_dir();
    let data = if folder && format.reads_folders() {
        Zeroizing::new(Vec::new())
    } else {
        read_source(format, &a.file, input)?
    };
    // A KeePass database always has a password; other exports say whether they have one.
    let needs_password = format == Format::Kdbx || import::is_encrypted(format, &data);
    if password.is_none() && needs_password {
        if std::io::stdin().is_terminal() && a.file != "-" {
            let p =
                Input::prompt_hidden(&format!("Password of the {} export: ", format.display()))?;
            password = Some(SecretString::from(p.to_string()));
        } else {
            return Err(Error::ImportPasswordNeeded {
                format: format.display(),
            });
        }
    }
    let opts = Options {
        password,
        tags: a.tags.clone(),
        project: a.prefix.clone(),
        path: (a.file != "-").then(|| a.file.clone().into()),
        map: a.map.clone(),
        environments: a.envs.clone(),
    };
    let source = if folder && format.reads_folders() {
        Source::Dir(Path::new(&a.file))
    } else {
        Source::Bytes(&data)
    };
    let records = import::parse(format, source, &opts)?;
    drop(data);
    let plan = vault.plan_import(records)?;
    if a.strict
        && let Some(e) = plan.first_invalid()
    {
        return Err(Error::InvalidInput {
            field: format!("{} (--strict: nothing was imported)", e_field(&e)),
            reason: e_reason(&e),
        });
    }
    let added = if a.dry_run {
        Vec::new()
    } else {
        let choice = if a.all {
            Choice::AllNew
        } else {
            Choice::Offered
        };
        vault.apply_import(&plan, choice)?
    };
    report(ctx, format, &plan, a.dry_run, &added, out)
}

fn e_field(e: &Error) -> String {
    match e {
        Error::InvalidInput { field, .. } => field.clone(),
        _ => "entry".into(),
    }
}

fn e_reason(e: &Error) -> String {
    match e {
        Error::InvalidInput { reason, .. } => reason.clone(),
        e => e.to_string(),
    }
}

fn status_name(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::New => "new",
        PlanStatus::Duplicate => "duplicate",
        PlanStatus::Invalid => "invalid",
    }
}

fn type_name(t: OtpType) -> &'static str {
    match t {
        OtpType::Totp => "totp",
        OtpType::Hotp => "hotp",
        OtpType::Steam => "steam",
    }
}

/// What a reference percent-encodes in a name: what would end the name or start a query.
const REF_ENCODE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b'/')
    .add(b'%')
    .add(b'?')
    .add(b'#');

/// A reference to an item's secret, as `keywright read`/`inject` will take it.
fn reference(name: &str) -> String {
    let enc = percent_encoding::utf8_percent_encode(name, REF_ENCODE);
    format!("keywright://{enc}/secret")
}

fn report(
    ctx: &Ctx,
    format: Format,
    plan: &ImportPlan,
    dry_run: bool,
    added: &[keywright_core::Item],
    out: Out<'_>,
) -> Result<()> {
    let (new, dup, bad, unticked) = (
        plan.count(PlanStatus::New),
        plan.count(PlanStatus::Duplicate),
        plan.count(PlanStatus::Invalid),
        plan.unselected(),
    );
    let added_names: std::collections::HashSet<&str> = added.iter().map(|i| i.name()).collect();
    if ctx.json {
        let rows: Vec<_> = plan
            .rows
            .iter()
            .map(|r| {
                let otp = r.otp();
                json!({
                    "position": r.position,
                    "label": r.label,
                    "status": status_name(r.status),
                    "kind": r.kind().map(Kind::as_str),
                    "name": r.name,
                    "selected": r.status == PlanStatus::New && r.selected,
                    "imported": r.name.as_deref().is_some_and(|n| added_names.contains(n)),
                    "issuer": r.issuer(),
                    "account": r.username(),
                    "url": r.item.as_ref().and_then(|i| i.url.clone()),
                    "tags": r.item.as_ref().map(|i| i.tags.clone()).unwrap_or_default(),
                    "type": otp.map(|p| type_name(p.otp_type)),
                    "digits": otp.map(|p| p.digits),
                    "period": otp.map(|p| core_otp::period_of(&p)),
                    "requests": r.requests.len(),
                    "hint": r.hint,
                    "reason": r.reason,
                    "duplicate_of": r.duplicate_of,
                })
            })
            .collect();
        return emit_json(
            out,
            &json!({
                "format": format.name(),
                "dry_run": dry_run,
                "rows": rows,
                "new": new,
                "duplicates": dup,
                "invalid": bad,
                "unselected": unticked,
                "added": added.len(),
            }),
        );
    }
    let mut text = String::new();
    for r in &plan.rows {
        let what = match r.status {
            PlanStatus::New => {
                let mut s = format!(
                    "{} ({})",
                    r.name.clone().unwrap_or_default(),
                    r.kind().map(Kind::as_str).unwrap_or_default()
                );
                if !r.requests.is_empty() {
                    s.push_str(&format!(
                        ", {} saved request{}",
                        r.requests.len(),
                        if r.requests.len() == 1 { "" } else { "s" }
                    ));
                }
                if let Some(h) = &r.hint {
                    s.push_str(&format!(" — {h}"));
                }
                s
            }
            PlanStatus::Duplicate => format!(
                "already in the vault as {:?}",
                r.duplicate_of.clone().unwrap_or_default()
            ),
            PlanStatus::Invalid => r.reason.clone().unwrap_or_default(),
        };
        let status = match r.status {
            PlanStatus::New if !r.selected => "unticked",
            s => status_name(s),
        };
        text.push_str(&format!(
            "{:<22} {:<9}  {what}\n",
            crate::output::term_line(&r.label),
            status
        ));
    }
    let noun = |n: usize| match (format.is_otp(), n) {
        (true, 1) => "code",
        (true, _) => "codes",
        (false, 1) => "item",
        (false, _) => "items",
    };
    if dry_run {
        text.push_str(&format!(
            "Dry run: {new} new, {dup} duplicate, {bad} invalid; nothing was saved."
        ));
        if unticked > 0 {
            text.push_str(&format!(
                " {unticked} look like settings, not secrets, and would be left out (--all \
                 imports them too)."
            ));
        }
    } else {
        // A .env or CSV file is not an export of some app.
        let source = match format {
            Format::Dotenv => "the .env file".to_owned(),
            Format::Csv => "the CSV file".to_owned(),
            Format::Kdbx => "the KeePass database".to_owned(),
            _ => format!("the {} export", format.display()),
        };
        text.push_str(&format!(
            "Imported {} {} from {source}; skipped {dup} duplicate and {bad} invalid.",
            added.len(),
            noun(added.len()),
        ));
        if unticked > 0 && added.len() < new {
            text.push_str(&format!(
                " Left out {} that look like settings, not secrets (--all imports them too).",
                new - added.len()
            ));
        }
        if format == Format::Dotenv && !added.is_empty() {
            // Until `keywright inject` lands: the references a committed template would use.
            text.push_str("\nIn a template of this .env file, the values would be:");
            for r in &plan.rows {
                if let Some(name) = r.name.as_deref().filter(|n| added_names.contains(n)) {
                    let var = r.label.split(' ').next().unwrap_or(name);
                    text.push_str(&format!("\n  {var}={}", reference(name)));
                }
            }
        }
    }
    emit(out, &text)
}
