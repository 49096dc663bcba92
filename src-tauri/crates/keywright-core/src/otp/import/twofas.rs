//! 2FAS backups (`.2fas`), as written by twofas/2fas-android (`BackupContent`,
//! `BackupService`, `BackupCipher`) and read by Aegis' `TwoFASImporter`:
//!
//! ```text
//! { "schemaVersion": 1..4, "services": [ {name, secret, otp: {account, issuer, digits,
//!   period, algorithm, counter, tokenType}, groupId, …} ], "groups": [ {id, name} ],
//!   "servicesEncrypted": "b64(ciphertext‖tag):b64(salt):b64(iv)",   // encrypted only
//!   "reference": "b64(ciphertext‖tag):b64(salt):b64(iv)" }           // encrypted only
//! ```
//! Encrypted: key = PBKDF2-HMAC-SHA256(password, salt, 10 000 iterations, 32 bytes);
//! `servicesEncrypted` is AES-256-GCM (96-bit IV, tag appended) of the `services` array as
//! JSON. `reference` encrypts a fixed text under the same key so the app can check a
//! password without the data; here a failed open of the services says the same.

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{
    Bounded, Entry, Format, Loose, RawAccount, SecretJson, aes_gcm_open, algorithm, base64_decode,
    digits, fail, json_error, not_this, opt_str, opt_u64, period, split_label,
};
use crate::credential::OtpType;
use crate::error::{Error, Result};

const FORMAT: Format = Format::TwoFas;
/// The newest schema this reader knows.
const MAX_SCHEMA: u64 = 4;
/// PBKDF2 iterations of the 2FAS backup key (fixed by the apps, not stored in the file, so
/// a file cannot raise this cost).
pub(super) const PBKDF2_ROUNDS: u32 = 10_000;

#[derive(Deserialize)]
struct Backup {
    #[serde(rename = "schemaVersion")]
    schema_version: Option<Loose>,
    services: Option<Bounded<Service>>,
    #[serde(rename = "servicesEncrypted")]
    services_encrypted: Option<String>,
    #[serde(default)]
    groups: Bounded<Group>,
}

#[derive(Deserialize)]
struct Group {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct Service {
    name: Option<Loose>,
    #[serde(default)]
    secret: SecretJson,
    otp: Option<Otp>,
    #[serde(rename = "groupId")]
    group_id: Option<Loose>,
}

/// `otp.link` (the whole otpauth URI, with the secret) is deliberately not read.
#[derive(Deserialize)]
struct Otp {
    account: Option<Loose>,
    label: Option<Loose>,
    issuer: Option<Loose>,
    digits: Option<Loose>,
    period: Option<Loose>,
    algorithm: Option<Loose>,
    counter: Option<Loose>,
    #[serde(rename = "tokenType")]
    token_type: Option<Loose>,
}

/// Whether the backup is password-encrypted.
pub(super) fn is_encrypted(data: &[u8]) -> bool {
    serde_json::from_slice::<Backup>(data)
        .is_ok_and(|b| b.services_encrypted.is_some_and(|s| !s.trim().is_empty()))
}

/// Read a 2FAS backup; `password` opens an encrypted one.
pub(super) fn parse(data: &[u8], password: Option<&SecretString>) -> Result<Vec<Entry>> {
    let backup: Backup = serde_json::from_slice(data).map_err(|e| {
        if e.is_data() && !super::is_too_many(&e) {
            not_this(FORMAT, data, "it is not a 2FAS backup")
        } else {
            not_this(FORMAT, data, &json_error(&e))
        }
    })?;
    let encrypted = backup
        .services_encrypted
        .as_deref()
        .filter(|s| !s.trim().is_empty());
    let Some(schema) = backup.schema_version.as_ref() else {
        return Err(not_this(
            FORMAT,
            data,
            "it is not a 2FAS backup (no \"schemaVersion\")",
        ));
    };
    if backup.services.is_none() && encrypted.is_none() {
        return Err(not_this(
            FORMAT,
            data,
            "it is not a 2FAS backup (no \"services\")",
        ));
    }
    match schema.as_u64() {
        Some(v) if (1..=MAX_SCHEMA).contains(&v) => {}
        Some(v) => {
            return Err(fail(
                FORMAT,
                format!(
                    "backup schema version {v} is not supported (this Keywright reads 1 to \
                     {MAX_SCHEMA})"
                ),
            ));
        }
        None => return Err(fail(FORMAT, "\"schemaVersion\" is not a number")),
    }
    let services: Bounded<Service> = match encrypted {
        Some(sealed) => {
            let password = password.ok_or(Error::ImportPasswordNeeded {
                format: FORMAT.display(),
            })?;
            let plaintext = decrypt(sealed, password)?;
            serde_json::from_slice(&plaintext).map_err(|e| {
                fail(
                    FORMAT,
                    format!("the decrypted services: {}", json_error(&e)),
                )
            })?
        }
        None => backup.services.unwrap_or_default(),
    };
    Ok(services
        .iter()
        .enumerate()
        .map(|(i, s)| Entry {
            position: i + 1,
            label: format!("entry {}", i + 1),
            account: account(s, &backup.groups),
        })
        .collect())
}

/// Open `b64(ciphertext‖tag):b64(salt):b64(iv)`.
fn decrypt(sealed: &str, password: &SecretString) -> Result<Zeroizing<Vec<u8>>> {
    // At most 4 pieces: a string of a million colons is not split a million times.
    let parts: Vec<&str> = sealed.trim().splitn(4, ':').collect();
    let [data, salt, iv] = parts[..] else {
        let count = if parts.len() > 3 {
            "more than 3".to_owned()
        } else {
            parts.len().to_string()
        };
        return Err(fail(
            FORMAT,
            format!("\"servicesEncrypted\" has {count} parts; expected data:salt:iv"),
        ));
    };
    let decode = |s: &str, what: &str| {
        base64_decode(s)
            .ok_or_else(|| fail(FORMAT, format!("the encrypted {what} is not valid base64")))
    };
    let (data, salt, iv) = (
        decode(data, "data")?,
        decode(salt, "salt")?,
        decode(iv, "IV")?,
    );
    if iv.len() != 12 {
        return Err(fail(
            FORMAT,
            format!("the IV has {} bytes; AES-GCM needs 12", iv.len()),
        ));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<Sha256>(
        password.expose_secret().as_bytes(),
        &salt,
        PBKDF2_ROUNDS,
        key.as_mut(),
    );
    aes_gcm_open(&key[..], &iv, &data).ok_or(Error::WrongImportPassword {
        format: FORMAT.display(),
    })
}

/// One service as an account.
fn account(s: &Service, groups: &[Group]) -> std::result::Result<super::OtpAccount, String> {
    let otp = s.otp.as_ref().ok_or("has no \"otp\" settings")?;
    let otp_type = match opt_str(otp.token_type.as_ref(), "tokenType")? {
        None => OtpType::Totp,
        Some(t) => match t.to_ascii_uppercase().as_str() {
            "TOTP" => OtpType::Totp,
            "HOTP" => OtpType::Hotp,
            "STEAM" => OtpType::Steam,
            other => {
                return Err(format!(
                    "unsupported type {other}; Keywright supports TOTP, HOTP and STEAM"
                ));
            }
        },
    };
    // The name is what the app shows (the user may have edited it); the otpauth issuer is
    // the fallback.
    let otp_issuer = opt_str(otp.issuer.as_ref(), "issuer")?;
    let issuer = opt_str(s.name.as_ref(), "name")?.or(otp_issuer);
    let account = match opt_str(otp.account.as_ref(), "account")? {
        Some(a) => Some(a),
        None => opt_str(otp.label.as_ref(), "label")?.map(|l| split_label(l, otp_issuer).1),
    };
    let tags = match opt_str(s.group_id.as_ref(), "groupId")? {
        Some(id) => groups
            .iter()
            .filter(|g| g.id == id)
            .map(|g| g.name.clone())
            .collect(),
        None => Vec::new(),
    };
    RawAccount {
        secret: s.secret.text()?,
        otp_type,
        algorithm: algorithm(opt_str(otp.algorithm.as_ref(), "algorithm")?)?,
        digits: digits(opt_u64(otp.digits.as_ref(), "digits")?, 6)?,
        period: period(opt_u64(otp.period.as_ref(), "period")?)?,
        counter: opt_u64(otp.counter.as_ref(), "counter")?.unwrap_or(0),
        issuer,
        account,
        tags,
        notes: None,
    }
    .build()
}
