//! Slots: the vault key wrapped once per unlock method (the LUKS / Aegis model).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::crypto::kdf::KdfParams;
use crate::crypto::{self, Key};
use crate::error::{Error, Result};

pub const PASSWORD: &str = "password";
pub const RECOVERY: &str = "recovery";
pub const KEYRING: &str = "keyring";

/// Parameters stored (as JSON) with each slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kdf", rename_all = "kebab-case")]
pub enum SlotParams {
    /// Password slot: KEK = Argon2id(password, salt).
    Argon2id {
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        /// Base64 (standard, padded) of 32 random bytes.
        salt: String,
    },
    /// Recovery slot: KEK = HKDF-SHA256(salt, recovery code bytes, "keywright/v1/recovery").
    HkdfSha256 { salt: String },
    /// Keyring slot: KEK = the 32 random bytes stored in the OS keyring under
    /// (service, account).
    Keyring { service: String, account: String },
}

impl SlotParams {
    pub fn salt(&self) -> Result<Vec<u8>> {
        let s = match self {
            SlotParams::Argon2id { salt, .. } | SlotParams::HkdfSha256 { salt } => salt,
            SlotParams::Keyring { .. } => return Ok(Vec::new()),
        };
        B64.decode(s)
            .map_err(|_| Error::corrupt("slot salt is not base64"))
    }

    pub fn kdf(&self) -> Option<KdfParams> {
        match *self {
            SlotParams::Argon2id {
                memory_kib,
                iterations,
                parallelism,
                ..
            } => Some(KdfParams::new_unchecked(
                memory_kib,
                iterations,
                parallelism,
            )),
            _ => None,
        }
    }
}

/// A slot as stored.
#[derive(Debug, Clone)]
pub struct Slot {
    pub id: String,
    pub params: SlotParams,
    pub wrapped_key: Vec<u8>,
    pub created_at: i64,
}

/// Associated data of a slot's wrapped key.
pub fn slot_ad(vault_id: &str, slot_id: &str) -> Vec<u8> {
    format!("keywright/v1/{vault_id}/slots/{slot_id}/vault-key").into_bytes()
}

/// New password slot parameters with a fresh salt.
pub fn password_params(kdf: KdfParams) -> Result<SlotParams> {
    Ok(SlotParams::Argon2id {
        memory_kib: kdf.memory_kib,
        iterations: kdf.iterations,
        parallelism: kdf.parallelism,
        salt: B64.encode(crypto::random_bytes(32)?),
    })
}

/// New recovery slot parameters with a fresh salt.
pub fn recovery_params() -> Result<SlotParams> {
    Ok(SlotParams::HkdfSha256 {
        salt: B64.encode(crypto::random_bytes(32)?),
    })
}

/// Derive the key-encryption key of a password slot.
pub fn password_kek(params: &SlotParams, password: &[u8]) -> Result<Key> {
    let kdf = params
        .kdf()
        .ok_or_else(|| Error::corrupt("password slot has no Argon2id parameters"))?;
    kdf.check_bounds()
        .map_err(|e| Error::corrupt(format!("password slot: {e}")))?;
    kdf.derive(password, &params.salt()?)
}

/// Recovery codes: 160 random bits as 32 base32 characters in groups of four.
pub fn new_recovery_code() -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(crypto::random_bytes(20)?);
    let b32 = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&bytes));
    let mut out = String::with_capacity(39);
    for (i, c) in b32.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    Ok(Zeroizing::new(out))
}

/// Derive the key-encryption key of the recovery slot from a code as the user typed it
/// (any case, dashes and spaces ignored).
pub fn recovery_kek(params: &SlotParams, code: &str) -> Result<Key> {
    let canon: Zeroizing<String> = Zeroizing::new(
        code.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    let bytes = Zeroizing::new(
        data_encoding::BASE32_NOPAD
            .decode(canon.as_bytes())
            .map_err(|_| Error::WrongRecoveryCode)?,
    );
    if bytes.len() != 20 {
        return Err(Error::WrongRecoveryCode);
    }
    Ok(crypto::hkdf(
        &bytes,
        &params.salt()?,
        "keywright/v1/recovery",
    ))
}
