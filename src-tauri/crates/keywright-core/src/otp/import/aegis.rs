//! Aegis vault exports, as specified in beemdevelopment/Aegis `docs/vault.md`:
//!
//! ```text
//! { "version": 1,
//!   "header": { "slots": [...] | null, "params": { "nonce": hex, "tag": hex } | null },
//!   "db": { "version": 1..3, "entries": [...], "groups": [...] }   // plain
//!       | "base64 of AES-256-GCM(master key, db JSON)" }          // encrypted
//! ```
//! Password slots (type 1) hold the master key wrapped with AES-256-GCM under
//! `scrypt(password, salt, n, r, p)` (32 bytes); `key`, `nonce`, `tag` and `salt` are hex.
//! Biometric slots (type 2) need the phone's keystore and are skipped.

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use zeroize::Zeroizing;

use super::{
    Bounded, Entry, Format, Loose, RawAccount, SecretJson, aes_gcm_open, algorithm, base64_decode,
    digits, fail, hex_decode, json_error, not_this, opt_str, opt_u64, period,
};
use crate::credential::OtpType;
use crate::error::{Error, Result};
use crate::limits::{
    MAX_AEGIS_PASSWORD_SLOTS, MAX_SCRYPT_MEMORY_BYTES, MAX_SCRYPT_N, MAX_SCRYPT_P, MAX_SCRYPT_R,
    MAX_SCRYPT_WORK_BYTES,
};

const FORMAT: Format = Format::Aegis;
/// The newest content (`db`) version this reader knows: 3 added groups as UUIDs.
const MAX_DB_VERSION: u64 = 3;
/// Slot type of a password slot.
const SLOT_PASSWORD: u64 = 1;

/// The top level, with `db` only classified (its plain form is read by [`PlainFile`]).
#[derive(Deserialize)]
struct Outer {
    version: Option<Loose>,
    header: Option<Header>,
    #[serde(default)]
    db: DbShape,
}

#[derive(Deserialize)]
struct Header {
    slots: Option<Bounded<Slot>>,
    params: Option<CryptParams>,
}

#[derive(Deserialize)]
struct Slot {
    #[serde(rename = "type")]
    kind: u64,
    key: String,
    key_params: CryptParams,
    n: Option<u64>,
    r: Option<u32>,
    p: Option<u32>,
    salt: Option<String>,
}

#[derive(Deserialize)]
struct CryptParams {
    nonce: String,
    tag: String,
}

/// What `db` is, without reading a plain db's contents into memory twice.
#[derive(Default)]
enum DbShape {
    #[default]
    Missing,
    Encrypted(String),
    Plain,
    Other,
}

impl<'de> Deserialize<'de> for DbShape {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DbShape;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object or a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<DbShape, E> {
                Ok(DbShape::Encrypted(v.to_owned()))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<DbShape, E> {
                Ok(DbShape::Missing)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<DbShape, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(DbShape::Plain)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<DbShape, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(DbShape::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<DbShape, E> {
                Ok(DbShape::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<DbShape, E> {
                Ok(DbShape::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<DbShape, E> {
                Ok(DbShape::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<DbShape, E> {
                Ok(DbShape::Other)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct PlainFile {
    db: Db,
}

#[derive(Deserialize)]
struct Db {
    version: Option<u64>,
    entries: Bounded<AegisEntry>,
    #[serde(default)]
    groups: Bounded<Group>,
}

#[derive(Deserialize)]
struct Group {
    uuid: String,
    name: String,
}

#[derive(Deserialize)]
struct AegisEntry {
    #[serde(rename = "type")]
    kind: Option<Loose>,
    name: Option<Loose>,
    issuer: Option<Loose>,
    note: Option<Loose>,
    info: Option<Info>,
    groups: Option<Loose>,
    group: Option<Loose>,
}

#[derive(Deserialize)]
struct Info {
    #[serde(default)]
    secret: SecretJson,
    algo: Option<Loose>,
    digits: Option<Loose>,
    period: Option<Loose>,
    counter: Option<Loose>,
}

/// Whether the export is password-encrypted.
pub(super) fn is_encrypted(data: &[u8]) -> bool {
    serde_json::from_slice::<Outer>(data).is_ok_and(|o| matches!(o.db, DbShape::Encrypted(_)))
}

/// Read an Aegis export; `password` opens an encrypted one.
pub(super) fn parse(data: &[u8], password: Option<&SecretString>) -> Result<Vec<Entry>> {
    let outer: Outer = serde_json::from_slice(data).map_err(|e| {
        if e.is_data() && !super::is_too_many(&e) {
            not_this(FORMAT, data, "it is not an Aegis export")
        } else {
            not_this(FORMAT, data, &json_error(&e))
        }
    })?;
    let (Some(header), false) = (outer.header, matches!(outer.db, DbShape::Missing)) else {
        return Err(not_this(
            FORMAT,
            data,
            "it is not an Aegis export (no \"header\" and \"db\")",
        ));
    };
    match outer.version.as_ref().map(Loose::as_u64) {
        Some(Some(1)) => {}
        Some(Some(v)) => {
            return Err(fail(
                FORMAT,
                format!("vault file version {v} is not supported (only version 1 is)"),
            ));
        }
        _ => return Err(fail(FORMAT, "it has no valid \"version\"")),
    }
    let db: Db = match outer.db {
        DbShape::Plain => {
            let file: PlainFile =
                serde_json::from_slice(data).map_err(|e| fail(FORMAT, json_error(&e)))?;
            file.db
        }
        DbShape::Encrypted(ciphertext) => {
            let plaintext = decrypt(&header, &ciphertext, password)?;
            serde_json::from_slice(&plaintext)
                .map_err(|e| fail(FORMAT, format!("the decrypted vault: {}", json_error(&e))))?
        }
        DbShape::Missing | DbShape::Other => {
            return Err(fail(FORMAT, "\"db\" is neither a vault nor encrypted data"));
        }
    };
    match db.version {
        Some(v) if v > MAX_DB_VERSION => {
            return Err(fail(
                FORMAT,
                format!(
                    "vault content version {v} is newer than this Keywright reads (up to \
                     {MAX_DB_VERSION}); export again from an older Aegis or update Keywright"
                ),
            ));
        }
        _ => {}
    }
    Ok(db
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| Entry {
            position: i + 1,
            label: format!("entry {}", i + 1),
            account: account(e, &db.groups),
        })
        .collect())
}

/// The decrypted `db` bytes: the master key from the first password slot the password
/// opens, then the content.
fn decrypt(
    header: &Header,
    ciphertext: &str,
    password: Option<&SecretString>,
) -> Result<Zeroizing<Vec<u8>>> {
    let (Some(slots), Some(params)) = (&header.slots, &header.params) else {
        return Err(fail(
            FORMAT,
            "the vault is encrypted but its header has no slots",
        ));
    };
    let password_slots: Vec<&Slot> = slots.iter().filter(|s| s.kind == SLOT_PASSWORD).collect();
    if password_slots.is_empty() {
        return Err(fail(
            FORMAT,
            "it has no password slot (only biometric unlock, which works on that phone only); \
             export it from Aegis with a password",
        ));
    }
    if password_slots.len() > MAX_AEGIS_PASSWORD_SLOTS {
        return Err(fail(
            FORMAT,
            format!(
                "it has {} password slots; Keywright tries at most {MAX_AEGIS_PASSWORD_SLOTS}",
                password_slots.len()
            ),
        ));
    }
    // Every slot's cost is checked before the password is asked for or any scrypt runs.
    let costs = password_slots
        .iter()
        .map(|s| scrypt_params(s))
        .collect::<Result<Vec<_>>>()?;
    let work = costs
        .iter()
        .try_fold(0u64, |sum, (_, w)| sum.checked_add(*w))
        .filter(|w| *w <= MAX_SCRYPT_WORK_BYTES);
    if work.is_none() {
        return Err(fail(
            FORMAT,
            format!(
                "its password slots ask for more scrypt work in all (128·N·r·p summed) than \
                 Keywright accepts ({} MiB)",
                MAX_SCRYPT_WORK_BYTES >> 20
            ),
        ));
    }
    let password = password.ok_or(Error::ImportPasswordNeeded {
        format: FORMAT.display(),
    })?;
    let mut master_key = None;
    for (slot, (params, _)) in password_slots.into_iter().zip(&costs) {
        if let Some(key) = open_slot(slot, params, password)? {
            master_key = Some(key);
            break;
        }
    }
    let master_key = master_key.ok_or(Error::WrongImportPassword {
        format: FORMAT.display(),
    })?;
    let nonce = hex_field(&params.nonce, "header nonce")?;
    let mut sealed = base64_decode(ciphertext)
        .ok_or_else(|| fail(FORMAT, "the encrypted vault is not valid base64"))?;
    sealed.extend_from_slice(&hex_field(&params.tag, "header tag")?);
    aes_gcm_open(&master_key[..], &nonce, &sealed).ok_or_else(|| {
        fail(
            FORMAT,
            "the password is right but the vault content fails its integrity check (the file \
             is damaged)",
        )
    })
}

/// The scrypt parameters of a password slot, within Keywright's limits: N a power of two
/// up to [`MAX_SCRYPT_N`], r up to [`MAX_SCRYPT_R`], p up to [`MAX_SCRYPT_P`] and 128·N·r
/// bytes of memory up to [`MAX_SCRYPT_MEMORY_BYTES`]. Checked before any scrypt runs.
/// Returns them with their work, 128·N·r·p.
fn scrypt_params(slot: &Slot) -> Result<(scrypt::Params, u64)> {
    let (Some(n), Some(r), Some(p)) = (slot.n, slot.r, slot.p) else {
        return Err(fail(FORMAT, "a password slot lacks its scrypt parameters"));
    };
    if !n.is_power_of_two() || n < 2 || r == 0 || p == 0 {
        return Err(fail(
            FORMAT,
            format!("a password slot has invalid scrypt parameters (N={n}, r={r}, p={p})"),
        ));
    }
    let over = |name: &str, value: u64, cap: u64| {
        fail(
            FORMAT,
            format!(
                "its scrypt parameter {name}={value} is above Keywright's limit of {cap} \
                 (Aegis uses N=32768, r=8, p=1)"
            ),
        )
    };
    let memory = n
        .checked_mul(u64::from(r))
        .and_then(|x| x.checked_mul(128))
        .filter(|m| *m <= MAX_SCRYPT_MEMORY_BYTES);
    if memory.is_none() {
        return Err(fail(
            FORMAT,
            format!(
                "its scrypt parameters (N={n}, r={r}) ask for {} MiB; Keywright accepts at most \
                 {} MiB",
                (u128::from(n) * u128::from(r) * 128) >> 20,
                MAX_SCRYPT_MEMORY_BYTES >> 20
            ),
        ));
    }
    if n > MAX_SCRYPT_N {
        return Err(over("N", n, MAX_SCRYPT_N));
    }
    if r > MAX_SCRYPT_R {
        return Err(over("r", r.into(), MAX_SCRYPT_R.into()));
    }
    if p > MAX_SCRYPT_P {
        return Err(over("p", p.into(), MAX_SCRYPT_P.into()));
    }
    let log_n = u8::try_from(n.trailing_zeros()).unwrap_or(u8::MAX);
    let params = scrypt::Params::new(log_n, r, p)
        .map_err(|_| fail(FORMAT, "a password slot has invalid scrypt parameters"))?;
    // Each factor is bounded above, so this cannot overflow.
    let work = memory.unwrap_or(u64::MAX).saturating_mul(u64::from(p));
    Ok((params, work))
}

/// The master key if `password` opens this slot; `None` if it does not.
fn open_slot(
    slot: &Slot,
    params: &scrypt::Params,
    password: &SecretString,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let Some(salt) = &slot.salt else {
        return Err(fail(FORMAT, "a password slot lacks its scrypt salt"));
    };
    let salt = hex_field(salt, "slot salt")?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(
        password.expose_secret().as_bytes(),
        &salt,
        params,
        key.as_mut(),
    )
    .map_err(|_| fail(FORMAT, "scrypt failed"))?;
    let nonce = hex_field(&slot.key_params.nonce, "slot nonce")?;
    let mut sealed = hex_field(&slot.key, "slot key")?;
    sealed.extend_from_slice(&hex_field(&slot.key_params.tag, "slot tag")?);
    Ok(aes_gcm_open(&key[..], &nonce, &sealed))
}

fn hex_field(s: &str, what: &str) -> Result<Vec<u8>> {
    hex_decode(s).ok_or_else(|| fail(FORMAT, format!("the {what} is not hex")))
}

/// One entry as an account.
fn account(e: &AegisEntry, groups: &[Group]) -> std::result::Result<super::OtpAccount, String> {
    let kind = opt_str(e.kind.as_ref(), "type")?.ok_or("has no type")?;
    let otp_type = match kind.to_ascii_lowercase().as_str() {
        "totp" => OtpType::Totp,
        "hotp" => OtpType::Hotp,
        "steam" => OtpType::Steam,
        other => {
            return Err(format!(
                "unsupported type {other}; Keywright supports totp, hotp and steam"
            ));
        }
    };
    let info = e.info.as_ref().ok_or("has no \"info\"")?;
    let mut tags = Vec::new();
    match &e.groups {
        Some(Loose::List(ids)) => {
            for id in ids {
                // Like Aegis, a group id the vault does not define is dropped.
                if let Some(g) = groups.iter().find(|g| g.uuid.eq_ignore_ascii_case(id)) {
                    tags.push(g.name.clone());
                }
            }
        }
        // Before content version 3, an entry had one group by name.
        _ => {
            if let Some(name) = opt_str(e.group.as_ref(), "group")? {
                tags.push(name.to_owned());
            }
        }
    }
    RawAccount {
        secret: info.secret.text()?,
        otp_type,
        algorithm: algorithm(opt_str(info.algo.as_ref(), "algo")?)?,
        digits: digits(opt_u64(info.digits.as_ref(), "digits")?, 6)?,
        period: period(opt_u64(info.period.as_ref(), "period")?)?,
        counter: opt_u64(info.counter.as_ref(), "counter")?.unwrap_or(0),
        issuer: opt_str(e.issuer.as_ref(), "issuer")?,
        account: opt_str(e.name.as_ref(), "name")?,
        tags,
        notes: opt_str(e.note.as_ref(), "note")?,
    }
    .build()
}
