//! Ente Auth exports, as documented in ente-io/ente `docs/docs/auth/migration/export.md`
//! and decrypted by its CLI (`cli/pkg/authenticator/decrypt.go`):
//!
//! - plain: a text file of otpauth:// URIs, one per line (Ente adds a `codeDisplay` JSON
//!   parameter with tags and a note);
//! - encrypted:
//!   ```text
//!   { "version": 1,
//!     "kdfParams": { "memLimit": bytes, "opsLimit": n, "salt": b64 },
//!     "encryptedData": b64, "encryptionNonce": b64 }
//!   ```
//!   key = Argon2id(password, salt, t = opsLimit, m = memLimit / 1024 KiB, p = 1), 32 bytes
//!   (libsodium's `crypto_pwhash`); the data is one libsodium
//!   `crypto_secretstream_xchacha20poly1305` message whose 24-byte header is
//!   `encryptionNonce`. Ente's CLI accepts the final tag or, from newer libsodium
//!   builds of the app, the message tag (0); so does this reader. The plaintext is the
//!   plain export.

use argon2::{Algorithm, Argon2, Params, Version};
use crypto_secretstream::{Header, Key, PullStream, Tag};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Entry, Format, base64_decode, fail, json_error, not_this, parse_lines, strip_bom};
use crate::error::{Error, Result};
use crate::limits::{MAX_ARGON2_MEMORY_BYTES, MAX_ARGON2_PASSES, MAX_ARGON2_WORK_BYTES};

const FORMAT: Format = Format::Ente;
/// Smallest Argon2 memory libsodium accepts (`crypto_pwhash_MEMLIMIT_MIN`).
const MIN_MEM_LIMIT: u64 = 8 * 1024;

#[derive(Deserialize)]
struct Export {
    version: Option<u64>,
    #[serde(rename = "kdfParams")]
    kdf_params: Option<KdfParams>,
    #[serde(rename = "encryptedData")]
    encrypted_data: Option<String>,
    #[serde(rename = "encryptionNonce")]
    encryption_nonce: Option<String>,
}

#[derive(Deserialize)]
struct KdfParams {
    #[serde(rename = "memLimit")]
    mem_limit: u64,
    #[serde(rename = "opsLimit")]
    ops_limit: u64,
    salt: String,
}

fn looks_like_json(data: &[u8]) -> bool {
    std::str::from_utf8(data).is_ok_and(|t| strip_bom(t).trim_start().starts_with('{'))
}

/// Whether this is the encrypted (JSON) export.
pub(super) fn is_encrypted(data: &[u8]) -> bool {
    looks_like_json(data)
        && serde_json::from_slice::<Export>(data).is_ok_and(|e| e.encrypted_data.is_some())
}

/// Read an Ente Auth export, plain or encrypted.
pub(super) fn parse(data: &[u8], password: Option<&SecretString>) -> Result<Vec<Entry>> {
    if !looks_like_json(data) {
        return parse_lines(FORMAT, super::text_of(FORMAT, data)?);
    }
    let export: Export = serde_json::from_slice(data).map_err(|e| {
        if e.is_data() && !super::is_too_many(&e) {
            not_this(FORMAT, data, "it is not an Ente Auth export")
        } else {
            not_this(FORMAT, data, &json_error(&e))
        }
    })?;
    let (Some(kdf), Some(ciphertext), Some(nonce)) = (
        export.kdf_params,
        export.encrypted_data,
        export.encryption_nonce,
    ) else {
        return Err(not_this(
            FORMAT,
            data,
            "it is not an Ente Auth export (no kdfParams, encryptedData and encryptionNonce)",
        ));
    };
    match export.version {
        Some(1) => {}
        Some(v) => {
            return Err(fail(
                FORMAT,
                format!("export version {v} is not supported (only version 1 is)"),
            ));
        }
        None => return Err(fail(FORMAT, "it has no \"version\"")),
    }
    // The cost is checked before the password is asked for.
    let params = argon2_params(kdf.mem_limit, kdf.ops_limit)?;
    let password = password.ok_or(Error::ImportPasswordNeeded {
        format: FORMAT.display(),
    })?;
    let key = derive_key(&kdf, params, password)?;
    let header = base64_decode(&nonce)
        .and_then(|n| Header::try_from(n.as_slice()).ok())
        .ok_or_else(|| fail(FORMAT, "encryptionNonce is not a 24-byte base64 header"))?;
    let mut buffer = Zeroizing::new(
        base64_decode(&ciphertext)
            .ok_or_else(|| fail(FORMAT, "encryptedData is not valid base64"))?,
    );
    let mut stream = PullStream::init(header, &Key::from(*key));
    let tag = stream
        .pull(&mut *buffer, &[])
        .map_err(|_| Error::WrongImportPassword {
            format: FORMAT.display(),
        })?;
    if !matches!(tag, Tag::Final | Tag::Message) {
        return Err(fail(
            FORMAT,
            "the encrypted data has an unexpected stream tag",
        ));
    }
    let text = std::str::from_utf8(&buffer)
        .map_err(|_| fail(FORMAT, "the decrypted export is not text (UTF-8)"))?;
    let text = strip_bom(text);
    if text.trim().is_empty() {
        // An export of an empty Ente Auth: nothing to import, but nothing wrong either.
        return Ok(Vec::new());
    }
    parse_lines(FORMAT, text)
}

/// The Argon2id parameters of the file, within Keywright's limits: memLimit from 8 KiB to
/// [`MAX_ARGON2_MEMORY_BYTES`], opsLimit from 1 to [`MAX_ARGON2_PASSES`], and memLimit ×
/// opsLimit up to [`MAX_ARGON2_WORK_BYTES`]. Checked before any key derivation.
pub(super) fn argon2_params(mem: u64, ops: u64) -> Result<Params> {
    if mem < MIN_MEM_LIMIT || ops == 0 {
        return Err(fail(
            FORMAT,
            format!(
                "invalid key derivation limits (memLimit {mem} bytes, opsLimit {ops}; libsodium \
                 needs at least {MIN_MEM_LIMIT} bytes and 1 pass)"
            ),
        ));
    }
    if mem > MAX_ARGON2_MEMORY_BYTES {
        return Err(fail(
            FORMAT,
            format!(
                "its Argon2 memLimit asks for {} MiB; Keywright accepts at most {} MiB",
                mem >> 20,
                MAX_ARGON2_MEMORY_BYTES >> 20
            ),
        ));
    }
    if ops > MAX_ARGON2_PASSES {
        return Err(fail(
            FORMAT,
            format!(
                "its Argon2 opsLimit asks for {ops} passes; Keywright accepts at most \
                 {MAX_ARGON2_PASSES}"
            ),
        ));
    }
    // Both are bounded above, so the product cannot overflow; checked all the same.
    if mem
        .checked_mul(ops)
        .is_none_or(|w| w > MAX_ARGON2_WORK_BYTES)
    {
        return Err(fail(
            FORMAT,
            format!(
                "its Argon2 limits (memLimit {} MiB × opsLimit {ops}) ask for more work than \
                 Keywright accepts ({} MiB × 4 passes at most)",
                mem >> 20,
                MAX_ARGON2_WORK_BYTES >> 22
            ),
        ));
    }
    let m_kib = u32::try_from(mem / 1024).unwrap_or(u32::MAX);
    let t = u32::try_from(ops).unwrap_or(u32::MAX);
    Params::new(m_kib, t, 1, Some(32))
        .map_err(|e| fail(FORMAT, format!("invalid key derivation parameters: {e}")))
}

/// libsodium `crypto_pwhash` (Argon2id v1.3, one lane) with the file's checked limits.
fn derive_key(
    kdf: &KdfParams,
    params: Params,
    password: &SecretString,
) -> Result<Zeroizing<[u8; 32]>> {
    let salt = base64_decode(&kdf.salt).ok_or_else(|| fail(FORMAT, "the salt is not base64"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.expose_secret().as_bytes(), &salt, key.as_mut())
        .map_err(|e| fail(FORMAT, format!("key derivation failed: {e}")))?;
    Ok(key)
}
