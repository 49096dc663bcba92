//! Google Authenticator's "Transfer accounts" export:
//! `otpauth-migration://offline?data=<base64 protobuf, URL-encoded>`.
//!
//! The protobuf (as published by dim13/otpauth and qistoph/otp_export, from the app):
//! ```text
//! message MigrationPayload {
//!   repeated OtpParameters otp_parameters = 1;
//!   int32 version = 2; int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5;
//! }
//! message OtpParameters {
//!   bytes secret = 1; string name = 2; string issuer = 3;
//!   Algorithm algorithm = 4;  // 0 unspecified (SHA1), 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5
//!   DigitCount digits = 5;    // 0 unspecified (6), 1 SIX, 2 EIGHT
//!   OtpType type = 6;         // 0 unspecified (TOTP), 1 HOTP, 2 TOTP
//!   int64 counter = 7;
//! }
//! ```
//! A large export is several QR codes ("batches") sharing a `batch_id`, with
//! `batch_index` 0‥`batch_size`-1. Batches that are not in the import are reported.

use std::collections::BTreeMap;
use std::fmt;

use percent_encoding::percent_decode_str;
use prost::Message as _;
use zeroize::Zeroize;

use super::{Entry, Format, RawAccount, has_prefix_ci, not_this, split_label, too_many_entries};
use crate::credential::{OtpAlgorithm, OtpType};
use crate::error::Result;
use crate::limits::{MAX_IMPORT_ENTRIES, MAX_MIGRATION_ACCOUNTS, MAX_MIGRATION_BATCHES};

/// `MigrationPayload`.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub(super) struct MigrationPayload {
    #[prost(message, repeated, tag = "1")]
    pub otp_parameters: Vec<OtpParameters>,
    #[prost(int32, tag = "2")]
    pub version: i32,
    #[prost(int32, tag = "3")]
    pub batch_size: i32,
    #[prost(int32, tag = "4")]
    pub batch_index: i32,
    #[prost(int32, tag = "5")]
    pub batch_id: i32,
}

/// `OtpParameters`; the enums are kept as their numbers. The seed is wiped on drop.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub(super) struct OtpParameters {
    #[prost(bytes = "vec", tag = "1")]
    pub secret: Vec<u8>,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(string, tag = "3")]
    pub issuer: String,
    #[prost(int32, tag = "4")]
    pub algorithm: i32,
    #[prost(int32, tag = "5")]
    pub digits: i32,
    #[prost(int32, tag = "6")]
    pub otp_type: i32,
    #[prost(int64, tag = "7")]
    pub counter: i64,
}

/// `MigrationPayload` with the accounts only counted: [`Skipped`] is empty, so a payload
/// claiming millions of accounts is measured without storing any of them.
#[derive(Clone, PartialEq, prost::Message)]
struct PayloadShape {
    #[prost(message, repeated, tag = "1")]
    otp_parameters: Vec<Skipped>,
    #[prost(int32, tag = "3")]
    batch_size: i32,
    #[prost(int32, tag = "4")]
    batch_index: i32,
}

/// A message whose fields are all skipped.
#[derive(Clone, Copy, PartialEq, prost::Message)]
struct Skipped {}

impl Drop for OtpParameters {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl fmt::Debug for MigrationPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationPayload")
            .field("accounts", &self.otp_parameters.len())
            .field("batch_size", &self.batch_size)
            .field("batch_index", &self.batch_index)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for OtpParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpParameters")
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// One `otpauth-migration://` URI, read or not.
pub(super) struct Batch {
    /// Line or QR code number.
    position: usize,
    /// `line 3` or `QR code 2`.
    source: String,
    /// Whether the source is a QR code (labels then keep `QR code N`).
    in_qr: bool,
    payload: std::result::Result<MigrationPayload, String>,
}

impl Batch {
    /// Read the URI found at `position` (`source` names it in messages).
    pub(super) fn read(position: usize, source: String, uri: &str) -> Batch {
        Batch {
            position,
            in_qr: source.starts_with("QR"),
            source,
            payload: decode_uri(uri),
        }
    }

    /// `batch 2 of 3` for multi-part exports (the numbers were bounded by [`decode_uri`]).
    fn part(&self) -> Option<String> {
        let p = self.payload.as_ref().ok()?;
        (p.batch_size > 1).then(|| {
            format!(
                "batch {} of {}",
                p.batch_index.saturating_add(1),
                p.batch_size
            )
        })
    }

    /// How many accounts it holds (0 if it could not be read).
    pub(super) fn accounts(&self) -> usize {
        self.payload.as_ref().map_or(0, |p| p.otp_parameters.len())
    }
}

/// The `otpauth-migration://` lines of a text (blank lines and `#` comments skipped).
pub(super) fn parse_text(text: &str) -> Result<Vec<Entry>> {
    let mut batches = Vec::new();
    let mut others = Vec::new();
    let (mut lines, mut accounts) = (0usize, 0usize);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let position = i + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        lines += 1;
        if lines > MAX_IMPORT_ENTRIES {
            return Err(too_many_entries(Format::GoogleMigration, "lines"));
        }
        if has_prefix_ci(line, "otpauth-migration://") {
            let batch = Batch::read(position, format!("line {position}"), line);
            accounts = accounts.saturating_add(batch.accounts());
            if accounts > MAX_IMPORT_ENTRIES {
                return Err(too_many_entries(Format::GoogleMigration, "accounts"));
            }
            batches.push(batch);
        } else {
            others.push(Entry {
                position,
                label: format!("line {position}"),
                account: Err("is not an otpauth-migration:// URI".into()),
            });
        }
    }
    if batches.is_empty() {
        return Err(not_this(
            Format::GoogleMigration,
            text.as_bytes(),
            "it has no otpauth-migration:// line (the text of Google Authenticator's \
             \"Transfer accounts\" QR codes)",
        ));
    }
    let mut entries = entries(Format::GoogleMigration, batches)?;
    entries.extend(others);
    entries.sort_by_key(|e| e.position);
    Ok(entries)
}

/// The accounts of all batches, plus an error entry for every batch of a multi-part export
/// that is not among them; refused as a whole beyond [`MAX_IMPORT_ENTRIES`] entries.
pub(super) fn entries(format: Format, batches: Vec<Batch>) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    // batch_id → (first position, batch_size, whether each index was seen)
    let mut groups: BTreeMap<i32, (usize, i32, Vec<bool>)> = BTreeMap::new();
    for batch in &batches {
        let payload = match &batch.payload {
            Ok(p) => p,
            Err(reason) => {
                out.push(Entry {
                    position: batch.position,
                    label: batch.source.clone(),
                    account: Err(reason.clone()),
                });
                continue;
            }
        };
        if payload.batch_size > 1 {
            // batch_size ≤ MAX_MIGRATION_BATCHES and 0 ≤ batch_index < batch_size
            // (check_shape).
            let size = usize::try_from(payload.batch_size).unwrap_or(0);
            let group = groups.entry(payload.batch_id).or_insert((
                batch.position,
                payload.batch_size,
                vec![false; size],
            ));
            if let Some(seen) = usize::try_from(payload.batch_index)
                .ok()
                .and_then(|i| group.2.get_mut(i))
            {
                *seen = true;
            }
        }
        let prefix = match (batch.in_qr, batch.part()) {
            (true, Some(part)) => format!("{}, {part}, ", batch.source),
            (false, Some(part)) => format!("{part}, "),
            (_, None) => format!("{}, ", batch.source),
        };
        for (k, params) in payload.otp_parameters.iter().enumerate() {
            out.push(Entry {
                position: batch.position,
                label: format!("{prefix}entry {}", k + 1),
                account: account(params),
            });
        }
    }
    let missing: usize = groups
        .values()
        .map(|(_, _, seen)| seen.iter().filter(|s| !**s).count())
        .sum();
    if out.len().saturating_add(missing) > MAX_IMPORT_ENTRIES {
        return Err(too_many_entries(
            format,
            "entries (accounts and missing QR codes)",
        ));
    }
    for (position, size, seen) in groups.into_values() {
        for (index, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
            out.push(Entry {
                position,
                label: format!("batch {} of {size}", index + 1),
                account: Err(format!(
                    "missing: this Google Authenticator export has {size} QR codes and \
                     number {} is not in this import; add it and import again",
                    index + 1
                )),
            });
        }
    }
    Ok(out)
}

/// Decode the `data` parameter of an `otpauth-migration://offline?data=…` URI.
fn decode_uri(uri: &str) -> std::result::Result<MigrationPayload, String> {
    let query = uri.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let data = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("data="))
        .ok_or("has no data= parameter")?;
    // Percent-decoding by hand, not as a form: '+' is a base64 character here, and a space
    // is what a '+' became when someone form-decoded it on the way.
    let data = zeroize::Zeroizing::new(
        percent_decode_str(data)
            .decode_utf8()
            .map_err(|_| "its data= parameter is not valid text")?
            .replace(' ', "+"),
    );
    let bytes = zeroize::Zeroizing::new(
        super::base64_decode(&data).ok_or("its data= parameter is not valid base64")?,
    );
    let damaged = || {
        "its data is not a Google Authenticator export (the protobuf is damaged or truncated)"
            .to_owned()
    };
    // The numbers the file controls are checked before the accounts are decoded.
    let shape = PayloadShape::decode(bytes.as_slice()).map_err(|_| damaged())?;
    check_shape(&shape)?;
    MigrationPayload::decode(bytes.as_slice()).map_err(|_| damaged())
}

/// At most [`MAX_MIGRATION_ACCOUNTS`] accounts; `batch_size` 0 (absent: one batch) or
/// 1..=[`MAX_MIGRATION_BATCHES`], and `batch_index` below it.
fn check_shape(shape: &PayloadShape) -> std::result::Result<(), String> {
    let accounts = shape.otp_parameters.len();
    if accounts > MAX_MIGRATION_ACCOUNTS {
        return Err(format!(
            "holds {accounts} accounts; Keywright reads at most {MAX_MIGRATION_ACCOUNTS} per \
             migration code"
        ));
    }
    let (size, index) = (shape.batch_size, shape.batch_index);
    if !(0..=MAX_MIGRATION_BATCHES).contains(&size) {
        return Err(format!(
            "claims to be one of {size} QR codes (batch_size); a Google Authenticator export \
             has 1 to {MAX_MIGRATION_BATCHES}"
        ));
    }
    if index < 0 || index >= size.max(1) {
        return Err(format!(
            "claims to be QR code number {} of {} (batch_index out of range)",
            i64::from(index) + 1,
            size.max(1)
        ));
    }
    Ok(())
}

fn account(p: &OtpParameters) -> std::result::Result<super::OtpAccount, String> {
    let algorithm = match p.algorithm {
        0 | 1 => OtpAlgorithm::Sha1,
        2 => OtpAlgorithm::Sha256,
        3 => OtpAlgorithm::Sha512,
        4 => {
            return Err(
                "unsupported algorithm MD5; Keywright supports SHA1, SHA256 and SHA512".into(),
            );
        }
        n => return Err(format!("unknown algorithm (code {n})")),
    };
    let digits = match p.digits {
        0 | 1 => 6,
        2 => 8,
        n => return Err(format!("unknown number of digits (code {n})")),
    };
    let otp_type = match p.otp_type {
        0 | 2 => OtpType::Totp,
        1 => OtpType::Hotp,
        n => return Err(format!("unsupported type (code {n})")),
    };
    let counter =
        u64::try_from(p.counter).map_err(|_| format!("counter {} is negative", p.counter))?;
    let issuer = Some(p.issuer.trim()).filter(|i| !i.is_empty());
    let (label_issuer, account) = split_label(&p.name, issuer);
    let secret = zeroize::Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&p.secret));
    RawAccount {
        secret: &secret,
        otp_type,
        algorithm,
        digits,
        period: 30,
        counter,
        issuer: issuer.or(label_issuer),
        account: Some(account),
        tags: Vec::new(),
        notes: None,
    }
    .build()
}
