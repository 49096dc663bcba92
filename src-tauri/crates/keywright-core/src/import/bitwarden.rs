//! Bitwarden's JSON exports, as its clients write and read them (bitwarden/clients):
//!
//! - unencrypted: `{"encrypted": false, "folders": [{id, name}], "items": [item]}`; an
//!   organisation's export has `"collections": [{id, name}]` and `collectionIds` on its
//!   items. The item shape is `libs/common/src/models/export/cipher.export.ts` (with
//!   `login.export.ts`, `login-uri.export.ts`, `field.export.ts`): `type` 1 login
//!   `{username, password, totp, uris: [{uri, match}]}`, 2 secure note, 3 card, 4 identity,
//!   5 SSH key, 6 bank account, 7 driver's licence, 8 passport
//!   (`libs/common/src/vault/enums/cipher-type.ts`); `fields: [{name, value, type}]` with
//!   type 0 text, 1 hidden, 2 boolean, 3 linked; `notes`, `folderId`, `deletedDate`.
//! - password-protected: `{"encrypted": true, "passwordProtected": true, "salt",
//!   "kdfType", "kdfIterations", "kdfMemory", "kdfParallelism",
//!   "encKeyValidation_DO_NOT_EDIT", "data"}`, written by
//!   `libs/tools/export/vault-export/vault-export-core/src/services/base-vault-export.service.ts`
//!   (`buildPasswordExport`) and read by
//!   `libs/importer/src/importers/bitwarden/bitwarden-password-protected-importer.ts`:
//!   key = `stretchKey(deriveKeyFromPassword(password, salt, kdf))`
//!   (`libs/common/src/key-management/crypto/key-generation/default-key-generation.service.ts`),
//!   where the KDF is PBKDF2-HMAC-SHA256 (kdfType 0) over the salt *text* as given, or
//!   Argon2id v1.3 (kdfType 1; memory in MiB) over SHA-256 of the salt text
//!   (bitwarden/sdk-internal `crates/bitwarden-crypto/src/keys/kdf.rs`), 32 bytes; the
//!   stretch is HKDF-Expand-SHA256 with info `enc` and `mac`, 32 bytes each
//!   (`crates/bitwarden-crypto/src/keys/utils.rs`). `encKeyValidation_DO_NOT_EDIT` and
//!   `data` are EncStrings of type 2, `2.b64(iv)|b64(ciphertext)|b64(mac)`: AES-256-CBC with
//!   PKCS#7 under the enc key, HMAC-SHA256 under the mac key over `iv ‖ ciphertext`
//!   (`crates/bitwarden-crypto/src/enc_string/symmetric.rs`); `data` opens to the
//!   unencrypted export. The validation string is opened first: a wrong password is told
//!   apart from a damaged file. The KDF parameters are held to the bounds Bitwarden itself
//!   accepts on import (`libs/importer/src/importers/bitwarden/password-protected-kdf-config.ts`),
//!   checked before any key is derived.
//! - account-restricted (`"encrypted": true` without `passwordProtected`): encrypted with
//!   the exporting account's own key; only that account can open it.
//!
//! Each item becomes: a login with a user name → basic auth (URL = its first web URI); a
//! login without one → an API key (a bearer token when it is a JWT); its `totp` → a 2FA
//! item of its own named "<item> 2FA"; hidden fields (and fields named like a key or holding
//! a recognised key) → API keys named "<item> <field>"; text and boolean fields → the notes.
//! Folders and collections become tags. Cards, identities, SSH keys and other personal
//! records, secure notes without a key, and items in the trash are listed with the reason
//! they are not imported.

use aes::Aes256;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
use hkdf::Hkdf;
use hmac::{KeyInit as _, Mac};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::pm::{self, Entry, List, Text, json_error};
use super::{Format, Options, Record, fail};
use crate::error::{Error, Result};
use crate::limits::{
    MAX_ARGON2_MEMORY_BYTES, MAX_BITWARDEN_ARGON2_ITERATIONS, MAX_BITWARDEN_ARGON2_MEMORY_MIB,
    MAX_BITWARDEN_ARGON2_PARALLELISM, MAX_PBKDF2_ITERATIONS,
};

const FORMAT: Format = Format::Bitwarden;

/// Bitwarden's import floors (`password-protected-kdf-config.ts`): fewer PBKDF2 iterations,
/// or smaller Argon2id parameters, are refused by Bitwarden too.
pub(super) const MIN_PBKDF2_ITERATIONS: u32 = 5_000;
const MIN_ARGON2_ITERATIONS: u32 = 2;
const MIN_ARGON2_MEMORY_MIB: u32 = 16;

// Bitwarden's largest Argon2 memory is within Keywright's limit for any Argon2 import.
const _: () =
    assert!(MAX_BITWARDEN_ARGON2_MEMORY_MIB as u64 * 1024 * 1024 <= MAX_ARGON2_MEMORY_BYTES);

/// The top of every Bitwarden JSON export.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Export {
    encrypted: Text,
    password_protected: Text,
    salt: Text,
    kdf_type: Text,
    kdf_iterations: Text,
    kdf_memory: Text,
    kdf_parallelism: Text,
    #[serde(rename = "encKeyValidation_DO_NOT_EDIT")]
    enc_key_validation: Text,
    data: Text,
    folders: Option<List<Group>>,
    collections: Option<List<Group>>,
    items: Option<List<Item>>,
}

/// A folder or a collection.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Group {
    id: Text,
    name: Text,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Item {
    #[serde(rename = "type")]
    kind: Text,
    name: Text,
    notes: Text,
    folder_id: Text,
    collection_ids: Option<List<Text>>,
    deleted_date: Text,
    fields: Option<List<Field>>,
    login: Option<Login>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Field {
    name: Text,
    value: Text,
    #[serde(rename = "type")]
    kind: Text,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Login {
    username: Text,
    password: Text,
    totp: Text,
    uris: Option<List<Uri>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Uri {
    uri: Text,
}

fn is_true(t: &Text) -> bool {
    t.get().is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

/// The top-level keys only, for [`is_encrypted`].
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Flags {
    encrypted: Text,
    password_protected: Text,
}

/// Whether `data` is a password-protected Bitwarden export.
pub(super) fn is_encrypted(data: &[u8]) -> bool {
    let text = std::str::from_utf8(data).map(|s| s.strip_prefix('\u{feff}').unwrap_or(s));
    text.ok()
        .and_then(|t| pm::budgeted(|| serde_json::from_str::<Flags>(t).ok()))
        .is_some_and(|f| is_true(&f.encrypted) && is_true(&f.password_protected))
}

/// Read a Bitwarden JSON export; `opts.password` opens a password-protected one.
pub(super) fn parse(text: &str, opts: &Options) -> Result<Vec<Record>> {
    let export = read_export(text)?;
    if is_true(&export.encrypted) {
        if !is_true(&export.password_protected) {
            return Err(fail(
                FORMAT,
                "it is an account-restricted encrypted export, which only the Bitwarden account \
                 that made it can open; in Bitwarden, export again with the file type \
                 \"Password protected\" (or as unencrypted .json)",
            ));
        }
        let password = opts.password.as_ref();
        let plaintext = decrypt(&export, password)?;
        drop(export);
        let inner = std::str::from_utf8(&plaintext)
            .map_err(|_| fail(FORMAT, "the decrypted export is not text (UTF-8)"))?;
        let inner_export =
            read_export(inner.strip_prefix('\u{feff}').unwrap_or(inner)).map_err(|e| match e {
                Error::ImportFailed { reason, .. } => {
                    fail(FORMAT, format!("the decrypted export: {reason}"))
                }
                e => e,
            })?;
        if is_true(&inner_export.encrypted) {
            return Err(fail(
                FORMAT,
                "the decrypted export is itself encrypted; export from Bitwarden again",
            ));
        }
        return records(inner_export);
    }
    records(export)
}

fn read_export(text: &str) -> Result<Export> {
    let export: Export =
        pm::budgeted(|| serde_json::from_str(text)).map_err(|e| fail(FORMAT, json_error(&e)))?;
    if export.items.is_none() && !is_true(&export.encrypted) {
        return Err(fail(
            FORMAT,
            "it is not a Bitwarden JSON export (it has no \"items\")",
        ));
    }
    Ok(export)
}

// ---------------------------------------------------------------------------------------
// The password-protected export

/// The key derivation a password-protected export asks for, within the bounds Bitwarden
/// accepts (checked before the password is asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kdf {
    Pbkdf2 {
        iterations: u32,
    },
    Argon2id {
        iterations: u32,
        memory_mib: u32,
        parallelism: u32,
    },
}

fn param(t: &Text, what: &str) -> Result<Option<u32>> {
    let n = t.number(what).map_err(|r| fail(FORMAT, r))?;
    n.map(|n| u32::try_from(n).map_err(|_| fail(FORMAT, format!("{what} {n} is out of range"))))
        .transpose()
}

fn bounded(what: &str, n: Option<u32>, min: u32, max: u32, unit: &str) -> Result<u32> {
    let Some(n) = n else {
        return Err(fail(
            FORMAT,
            format!("it is password-protected but has no {what}"),
        ));
    };
    if n < min || n > max {
        return Err(fail(
            FORMAT,
            format!(
                "its {what} is {n}{unit}; Bitwarden writes, and Keywright reads, {min} to \
                 {max}{unit}"
            ),
        ));
    }
    Ok(n)
}

impl Kdf {
    fn of(export: &Export) -> Result<Kdf> {
        match param(&export.kdf_type, "kdfType")? {
            Some(0) => Ok(Kdf::Pbkdf2 {
                iterations: bounded(
                    "kdfIterations (PBKDF2)",
                    param(&export.kdf_iterations, "kdfIterations")?,
                    MIN_PBKDF2_ITERATIONS,
                    MAX_PBKDF2_ITERATIONS,
                    "",
                )?,
            }),
            Some(1) => Ok(Kdf::Argon2id {
                iterations: bounded(
                    "kdfIterations (Argon2id)",
                    param(&export.kdf_iterations, "kdfIterations")?,
                    MIN_ARGON2_ITERATIONS,
                    MAX_BITWARDEN_ARGON2_ITERATIONS,
                    "",
                )?,
                memory_mib: bounded(
                    "kdfMemory (Argon2id)",
                    param(&export.kdf_memory, "kdfMemory")?,
                    MIN_ARGON2_MEMORY_MIB,
                    MAX_BITWARDEN_ARGON2_MEMORY_MIB,
                    " MiB",
                )?,
                parallelism: bounded(
                    "kdfParallelism (Argon2id)",
                    param(&export.kdf_parallelism, "kdfParallelism")?,
                    1,
                    MAX_BITWARDEN_ARGON2_PARALLELISM,
                    "",
                )?,
            }),
            Some(other) => Err(fail(
                FORMAT,
                format!(
                    "its kdfType {other} is not one Bitwarden uses (0 = PBKDF2-SHA256, \
                     1 = Argon2id)"
                ),
            )),
            None => Err(fail(FORMAT, "it is password-protected but has no kdfType")),
        }
    }
}

/// A 256-bit key, wiped on drop.
type Key = Zeroizing<[u8; 32]>;
/// The export's encryption key and MAC key.
type ExportKeys = (Key, Key);

/// Bitwarden's export key: the KDF of the password and the salt text, stretched with
/// HKDF-Expand-SHA256 into a 32-byte encryption key and a 32-byte MAC key.
pub(super) fn derive_keys(password: &[u8], salt: &str, kdf: Kdf) -> Result<ExportKeys> {
    let master = kdf_key(password, salt, kdf)?;
    stretch(&master)
}

/// The 32-byte key of the KDF (Bitwarden's `KdfDerivedKeyMaterial`).
pub(super) fn kdf_key(password: &[u8], salt: &str, kdf: Kdf) -> Result<Zeroizing<[u8; 32]>> {
    let mut key = Zeroizing::new([0u8; 32]);
    match kdf {
        Kdf::Pbkdf2 { iterations } => {
            pbkdf2::pbkdf2_hmac::<Sha256>(password, salt.as_bytes(), iterations, key.as_mut());
        }
        Kdf::Argon2id {
            iterations,
            memory_mib,
            parallelism,
        } => {
            let params = argon2::Params::new(
                memory_mib.saturating_mul(1024),
                iterations,
                parallelism,
                Some(32),
            )
            .map_err(|e| fail(FORMAT, format!("invalid Argon2id parameters: {e}")))?;
            let salt_hash = Sha256::digest(salt.as_bytes());
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                .hash_password_into(password, &salt_hash, key.as_mut())
                .map_err(|e| fail(FORMAT, format!("key derivation failed: {e}")))?;
        }
    }
    Ok(key)
}

/// HKDF-Expand-SHA256 of the KDF key with info `enc` and `mac` (Bitwarden's `stretchKey`).
pub(super) fn stretch(key: &[u8; 32]) -> Result<ExportKeys> {
    let hk = Hkdf::<Sha256>::from_prk(key)
        .map_err(|_| fail(FORMAT, "key derivation failed (HKDF key length)"))?;
    let mut enc = Zeroizing::new([0u8; 32]);
    let mut mac = Zeroizing::new([0u8; 32]);
    hk.expand(b"enc", enc.as_mut())
        .and_then(|()| hk.expand(b"mac", mac.as_mut()))
        .map_err(|_| fail(FORMAT, "key derivation failed (HKDF output length)"))?;
    Ok((enc, mac))
}

/// Why an EncString cannot be opened.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Open {
    /// Not a type-2 EncString, or not its encoding: the file is damaged or not Bitwarden's.
    Malformed(String),
    /// The MAC does not match: a wrong key, or changed data.
    BadMac,
}

/// Open a type-2 EncString `2.b64(iv)|b64(ct)|b64(mac)`: the MAC is checked (in constant
/// time) before anything is decrypted.
pub(super) fn open_enc_string(
    s: &str,
    enc_key: &[u8; 32],
    mac_key: &[u8; 32],
) -> std::result::Result<Zeroizing<Vec<u8>>, Open> {
    use base64::Engine as _;
    let s = s.trim();
    let (kind, rest) = s
        .split_once('.')
        .ok_or_else(|| Open::Malformed("it is not an EncString (no type)".into()))?;
    if kind != "2" {
        return Err(Open::Malformed(format!(
            "it is encrypted with EncString type {:?}; Keywright reads type 2 \
             (AES-256-CBC + HMAC-SHA256), which Bitwarden's password-protected exports use",
            pm::short(kind, 8)
        )));
    }
    let parts: Vec<&str> = rest.splitn(4, '|').collect();
    let [iv, ct, mac] = parts[..] else {
        return Err(Open::Malformed(
            "its EncString does not have the three parts iv|data|mac".into(),
        ));
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let decode = |p: &str, what: &str| {
        b64.decode(p.trim())
            .map_err(|_| Open::Malformed(format!("the EncString's {what} is not valid base64")))
    };
    let (iv, ct, mac) = (decode(iv, "IV")?, decode(ct, "data")?, decode(mac, "MAC")?);
    if iv.len() != 16 {
        return Err(Open::Malformed(format!(
            "the EncString's IV has {} bytes; AES-CBC needs 16",
            iv.len()
        )));
    }
    if mac.len() != 32 {
        return Err(Open::Malformed(format!(
            "the EncString's MAC has {} bytes; HMAC-SHA256 gives 32",
            mac.len()
        )));
    }
    let mut m = hmac::Hmac::<Sha256>::new_from_slice(mac_key)
        .map_err(|_| Open::Malformed("invalid MAC key".into()))?;
    m.update(&iv);
    m.update(&ct);
    m.verify_slice(&mac).map_err(|_| Open::BadMac)?;
    let mut buf = Zeroizing::new(ct);
    let len = cbc::Decryptor::<Aes256>::new_from_slices(enc_key, &iv)
        .map_err(|_| Open::Malformed("invalid key or IV length".into()))?
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| Open::Malformed("the decrypted data has invalid padding".into()))?
        .len();
    buf.truncate(len);
    Ok(buf)
}

/// Open a password-protected export: the KDF bounds, then the password, then the
/// validation string, then the data.
fn decrypt(export: &Export, password: Option<&SecretString>) -> Result<Zeroizing<Vec<u8>>> {
    let (Some(salt), Some(validation), Some(data)) = (
        export.salt.raw(),
        export.enc_key_validation.get(),
        export.data.get(),
    ) else {
        let missing = [
            ("salt", export.salt.raw().is_none()),
            (
                "encKeyValidation_DO_NOT_EDIT",
                export.enc_key_validation.get().is_none(),
            ),
            ("data", export.data.get().is_none()),
        ]
        .iter()
        .filter(|(_, m)| *m)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ");
        return Err(fail(
            FORMAT,
            format!("it is password-protected but has no {missing}"),
        ));
    };
    // The cost is checked before the password is asked for.
    let kdf = Kdf::of(export)?;
    let password = password.ok_or(Error::ImportPasswordNeeded {
        format: FORMAT.display(),
    })?;
    let (enc, mac) = derive_keys(password.expose_secret().as_bytes(), salt, kdf)?;
    match open_enc_string(validation, &enc, &mac) {
        Ok(_) => {}
        Err(Open::BadMac) => {
            return Err(Error::WrongImportPassword {
                format: FORMAT.display(),
            });
        }
        Err(Open::Malformed(why)) => {
            return Err(fail(
                FORMAT,
                format!("encKeyValidation_DO_NOT_EDIT cannot be read: {why}"),
            ));
        }
    }
    open_enc_string(data, &enc, &mac).map_err(|e| match e {
        Open::BadMac => fail(
            FORMAT,
            "the password is right but the encrypted data was changed or damaged (its MAC \
             does not match)",
        ),
        Open::Malformed(why) => fail(FORMAT, format!("the encrypted data cannot be read: {why}")),
    })
}

// ---------------------------------------------------------------------------------------
// Items

/// What a type of item is, for those Keywright does not import.
fn not_a_credential(kind: i64) -> Option<&'static str> {
    Some(match kind {
        3 => "a payment card",
        4 => "an identity",
        6 => "a bank account",
        7 => "a driver's licence",
        8 => "a passport",
        _ => return None,
    })
}

fn records(export: Export) -> Result<Vec<Record>> {
    let folders = export.folders.unwrap_or_default();
    let collections = export.collections.unwrap_or_default();
    let group_name = |groups: &[Group], id: &str| {
        groups
            .iter()
            .find(|g| g.id.get() == Some(id))
            .and_then(|g| g.name.get())
            .and_then(pm::tag_of)
    };
    let mut out = Vec::new();
    for (i, item) in export.items.unwrap_or_default().0.into_iter().enumerate() {
        let position = i + 1;
        let label = format!("item {position}");
        let name = item
            .name
            .get()
            .map(|n| pm::short(n, crate::credential::MAX_NAME_LEN))
            .unwrap_or_else(|| format!("Bitwarden item {position}"));
        let quoted = format!("{:?}", pm::short(&name, 60));
        if item.deleted_date.get().is_some() {
            out.push(Record::invalid(
                position,
                label,
                format!("{quoted} is in Bitwarden's trash (deleted there); not imported"),
            ));
            continue;
        }
        let kind = match item.kind.number("type") {
            Ok(Some(k)) => k,
            Ok(None) => {
                out.push(Record::invalid(position, label, "has no \"type\""));
                continue;
            }
            Err(reason) => {
                out.push(Record::invalid(position, label, reason));
                continue;
            }
        };
        if let Some(what) = not_a_credential(kind) {
            out.push(Record::invalid(
                position,
                label,
                format!(
                    "{quoted} is {what}: Keywright keeps developer credentials (API keys, \
                     tokens, logins, 2FA codes)"
                ),
            ));
            continue;
        }
        if kind == 5 {
            out.push(Record::invalid(
                position,
                label,
                format!("{quoted} is an SSH key: Keywright does not keep SSH keys"),
            ));
            continue;
        }
        if kind != 1 && kind != 2 {
            out.push(Record::invalid(
                position,
                label,
                format!("{quoted} has an item type ({kind}) this Keywright does not know"),
            ));
            continue;
        }
        let mut entry = Entry::new(position, name);
        if let Some(tag) = item.folder_id.get().and_then(|id| group_name(&folders, id)) {
            entry.tags.push(tag);
        }
        for id in pm::slice(&item.collection_ids) {
            if let Some(tag) = id.get().and_then(|id| group_name(&collections, id))
                && !entry.tags.iter().any(|t| t.eq_ignore_ascii_case(&tag))
            {
                entry.tags.push(tag);
            }
        }
        let fields = pm::slice(&item.fields);
        if kind == 1 {
            if let Some(notes) = item.notes.raw() {
                entry.notes.text(notes);
            }
            let login = item.login.unwrap_or_default();
            entry.username = login.username.get().map(str::to_owned);
            entry.secret = login.password.raw().map(|p| Zeroizing::new(p.to_owned()));
            let mut other_uris = Vec::new();
            for u in pm::slice(&login.uris) {
                let Some(u) = u.uri.get() else { continue };
                match (&entry.url, pm::web_url(u)) {
                    (None, Some(url)) => entry.url = Some(url),
                    _ => other_uris.push(u.to_owned()),
                }
            }
            if let Some(totp) = login.totp.get() {
                entry.otp.push(Zeroizing::new(totp.to_owned()));
            }
            entry.no_secret = Some(format!(
                "{quoted} is a login with no password: nothing to keep"
            ));
            read_fields(&mut entry, fields);
            for u in other_uris {
                entry.notes.field("URL", &u);
            }
        } else {
            // A secure note that is a key and nothing else (its text is "sk_live_…").
            let body = item.notes.get().unwrap_or_default();
            if !fields.iter().any(is_secret_field)
                && !body.contains(char::is_whitespace)
                && pm::recognised(body)
            {
                entry.secret = Some(Zeroizing::new(body.to_owned()));
            } else if let Some(notes) = item.notes.raw() {
                entry.notes.text(notes);
            }
            read_fields(&mut entry, fields);
            entry.no_secret = Some(format!(
                "{quoted} is a secure note with no key in it (no hidden field, and its text \
                 is not a key)"
            ));
        }
        out.extend(entry.records());
    }
    Ok(out)
}

/// Whether a custom field holds a secret: a hidden field, or a text field named like a
/// key (`API key`, `token`) or holding a recognised key, in one word.
fn is_secret_field(f: &Field) -> bool {
    let Some(value) = f.value.get() else {
        return false;
    };
    match f.kind.number("type").ok().flatten() {
        Some(1) => true,
        Some(0) | None => {
            !value.contains(char::is_whitespace)
                && (pm::secret_name(f.name.get().unwrap_or_default()) || pm::recognised(value))
        }
        _ => false,
    }
}

/// Custom fields: secret ones (see [`is_secret_field`]) become items of their own; text
/// and boolean ones go to the notes; linked ones (which only point at the user name or
/// password) are skipped.
fn read_fields(entry: &mut Entry, fields: &[Field]) {
    for f in fields {
        let name = f.name.get().unwrap_or_default();
        let Some(value) = f.value.raw() else {
            continue;
        };
        if is_secret_field(f) {
            entry
                .secret_fields
                .push((name.to_owned(), Zeroizing::new(value.to_owned())));
        } else if f.kind.number("type").ok().flatten() != Some(3) {
            entry.notes.field(name, value);
        }
    }
}
