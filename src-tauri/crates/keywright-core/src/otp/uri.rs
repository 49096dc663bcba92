//! The otpauth:// Key Uri Format (Google Authenticator's wiki, also what Aegis, 2FAS, Ente
//! and KeePassXC read and write): parse and emit.
//!
//! `otpauth://TYPE/LABEL?secret=…&issuer=…&algorithm=…&digits=…&period=…&counter=…`
//! with TYPE `totp`, `hotp` or `steam` (Aegis) and LABEL `issuer:account` or `account`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use zeroize::Zeroizing;

use super::{OtpAccount, STEAM_DIGITS};
use crate::credential::{OtpAlgorithm, OtpParams, OtpType};
use crate::error::{Error, Result};
use crate::limits::MAX_OTPAUTH_URI_BYTES;

/// What is left readable when emitting labels and parameters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

const FIELD: &str = "otpauth URI";

/// What starts every message about a link that is not usable (an import's row shows the
/// rest: [`import`](super::import) strips it).
pub const BAD_LINK: &str = "This otpauth:// link ";

/// `This otpauth:// link <reason>.`
fn bad(reason: impl Into<String>) -> Error {
    sentence(format!("{BAD_LINK}{}.", reason.into()))
}

/// A message that is a whole sentence of its own.
fn sentence(text: String) -> Error {
    Error::InvalidInput {
        field: FIELD.into(),
        reason: text,
    }
}

/// Parse one otpauth:// URI. Messages say what is wrong and never repeat the secret.
pub fn parse(uri: &str) -> Result<OtpAccount> {
    let s = uri.trim();
    if s.len() > MAX_OTPAUTH_URI_BYTES {
        return Err(bad(format!(
            "is {} bytes long; the limit is {MAX_OTPAUTH_URI_BYTES} bytes",
            s.len()
        )));
    }
    let rest = strip_prefix_ci(s, "otpauth://").ok_or_else(|| {
        if strip_prefix_ci(s, "otpauth-migration://").is_some() {
            sentence(
                "This is a Google Authenticator export (otpauth-migration://), not one \
                 account's link: import it with Import… (format google-migration)."
                    .into(),
            )
        } else {
            sentence(
                "The text does not start with otpauth://. Paste the whole link, or the \
                 base32 secret alone."
                    .into(),
            )
        }
    })?;
    let rest = rest.split('#').next().unwrap_or_default();
    let (type_and_label, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (otp_type, label) = type_and_label
        .split_once('/')
        .unwrap_or((type_and_label, ""));
    let mut otp_type = match otp_type.to_ascii_lowercase().as_str() {
        "totp" => OtpType::Totp,
        "hotp" => OtpType::Hotp,
        "steam" => OtpType::Steam,
        "" => return Err(bad("has no type; use otpauth://totp/… or otpauth://hotp/…")),
        other => {
            return Err(bad(format!(
                "has an unknown type {other:?}; use totp, hotp or steam"
            )));
        }
    };
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| bad("has a label that is not valid UTF-8"))
    };
    // The issuer and account are separated by a literal or an encoded colon; a literal one
    // is split first, so an encoded colon inside the issuer survives.
    let (label_issuer, account) = match label.split_once(':') {
        Some((i, a)) => (clean(&decode(i)?), clean(&decode(a)?)),
        None => {
            let label = decode(label)?;
            match label.split_once(':') {
                Some((i, a)) => (clean(i), clean(a)),
                None => (None, clean(&label)),
            }
        }
    };

    let mut secret: Option<Zeroizing<String>> = None;
    let mut issuer = None;
    let mut algorithm = OtpAlgorithm::Sha1;
    let mut digits: Option<u8> = None;
    let mut period: u32 = 30;
    let mut counter: Option<u64> = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.to_ascii_lowercase().as_str() {
            "secret" => secret = Some(Zeroizing::new(v.into_owned())),
            "issuer" => issuer = clean(&v),
            "algorithm" => {
                algorithm = OtpAlgorithm::parse(&v).map_err(|_| {
                    bad(format!(
                        "has algorithm={:?}, which is not supported; use SHA1, SHA256 or SHA512",
                        v.as_ref()
                    ))
                })?;
            }
            "digits" => {
                digits = Some(v.trim().parse().map_err(|_| {
                    bad(format!(
                        "has digits={:?}, which is not a number",
                        v.as_ref()
                    ))
                })?);
            }
            "period" => {
                period = v.trim().parse().map_err(|_| {
                    bad(format!(
                        "has period={:?}, which is not a number of seconds",
                        v.as_ref()
                    ))
                })?;
            }
            "counter" => {
                counter = Some(v.trim().parse().map_err(|_| {
                    bad(format!(
                        "has counter={:?}, which is not a whole number",
                        v.as_ref()
                    ))
                })?);
            }
            // KeePassXC and some others mark Steam this way.
            "encoder" if v.eq_ignore_ascii_case("steam") => otp_type = OtpType::Steam,
            _ => {}
        }
    }
    let secret = secret.ok_or_else(|| bad("has no secret= parameter"))?;
    if otp_type == OtpType::Steam {
        digits = Some(STEAM_DIGITS);
        period = 30;
    }
    let params = OtpParams {
        otp_type,
        algorithm,
        digits: digits.unwrap_or(6),
        period,
    };
    let mut acc = OtpAccount::from_base32(&secret, params).map_err(|e| match e {
        Error::InvalidInput { field, reason } => {
            bad(format!("is not usable: {}", field_reason(&field, &reason)))
        }
        e => e,
    })?;
    acc.issuer = issuer.or(label_issuer);
    acc.account = account;
    if otp_type == OtpType::Hotp {
        acc.counter = counter.unwrap_or(0);
    }
    if acc.params.otp_type == OtpType::Steam && acc.issuer.is_none() {
        acc.issuer = Some("Steam".into());
    }
    Ok(acc)
}

/// The otpauth:// URI of an account (what a phone app scans).
pub fn to_uri(acc: &OtpAccount) -> Zeroizing<String> {
    let enc = |s: &str| utf8_percent_encode(s, COMPONENT).to_string();
    let kind = match acc.params.otp_type {
        OtpType::Totp => "totp",
        OtpType::Hotp => "hotp",
        OtpType::Steam => "steam",
    };
    let issuer = acc.issuer.as_deref().filter(|s| !s.is_empty());
    // Phone apps want an account name: the issuer stands in when there is none.
    let account = acc
        .account
        .as_deref()
        .filter(|a| !a.is_empty())
        .or(issuer)
        .unwrap_or_default();
    let label = match issuer {
        Some(i) => format!("{}:{}", enc(i), enc(account)),
        None => enc(account),
    };
    let mut uri = format!("otpauth://{kind}/{label}?secret={}", acc.secret.as_str());
    if let Some(i) = issuer {
        uri.push_str("&issuer=");
        uri.push_str(&enc(i));
    }
    if acc.params.otp_type != OtpType::Steam {
        let alg = match acc.params.algorithm {
            OtpAlgorithm::Sha1 => "SHA1",
            OtpAlgorithm::Sha256 => "SHA256",
            OtpAlgorithm::Sha512 => "SHA512",
        };
        uri.push_str(&format!("&algorithm={alg}&digits={}", acc.params.digits));
    }
    match acc.params.otp_type {
        OtpType::Totp => uri.push_str(&format!("&period={}", acc.params.period)),
        OtpType::Hotp => uri.push_str(&format!("&counter={}", acc.counter)),
        OtpType::Steam => {}
    }
    Zeroizing::new(uri)
}

/// A core check's field and reason as one phrase: `secret contains '1'…`.
fn field_reason(field: &str, reason: &str) -> String {
    let field = field.replace("TOTP secret", "secret");
    let reason = reason.trim_end_matches('.');
    if reason.starts_with(|c: char| c.is_uppercase() || c == '"') {
        reason.to_owned()
    } else {
        format!("{field} {reason}")
    }
}

fn clean(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}
