//! Test fixtures: encrypted exports built from each format's documented primitives (the
//! same crates, used in the writing direction), so the readers are tested against the
//! specs rather than against themselves.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_secretstream::aead::rand_core::{self, CryptoRng, RngCore};
use crypto_secretstream::{Key, PushStream, Tag};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use prost::Message as _;
use serde_json::{Value, json};
use sha2::Sha256;

use super::google::{MigrationPayload, OtpParameters};
use crate::crypto::{hex, random_bytes};

/// The password of every encrypted fixture.
pub const PASSWORD: &str = "correct horse battery staple";

fn random(n: usize) -> Vec<u8> {
    random_bytes(n).expect("OS random generator")
}

/// AES-256-GCM seal; returns (ciphertext, tag).
fn aes_gcm_seal(key: &[u8], nonce: &[u8], plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let cipher = Aes256Gcm::new_from_slice(key).expect("32-byte key");
    let nonce = Nonce::<Aes256Gcm>::try_from(nonce).expect("12-byte nonce");
    let mut sealed = cipher.encrypt(&nonce, plaintext).expect("seal");
    let tag = sealed.split_off(sealed.len() - 16);
    (sealed, tag)
}

/// An encrypted Aegis vault around `db`: a random master key, wrapped in a password slot
/// with scrypt(N = 2^`log_n`, r = 8, p = 1), plus a biometric slot the reader must skip.
pub fn aegis_encrypted(db: &Value, password: &str, log_n: u8) -> String {
    let master_key = random(32);
    let salt = random(32);
    let mut kek = [0u8; 32];
    let params = scrypt::Params::new(log_n, 8, 1).expect("scrypt params");
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut kek).expect("scrypt");
    let slot_nonce = random(12);
    let (wrapped, slot_tag) = aes_gcm_seal(&kek, &slot_nonce, &master_key);
    let biometric_nonce = random(12);
    let (bio_key, bio_tag) = aes_gcm_seal(&random(32), &biometric_nonce, &master_key);
    let db_nonce = random(12);
    let (db_ct, db_tag) = aes_gcm_seal(&master_key, &db_nonce, db.to_string().as_bytes());
    json!({
        "version": 1,
        "header": {
            "slots": [
                {
                    "type": 2,
                    "uuid": "5b6a4e1c-9c52-4c3e-8a4e-0a8d2c1f6b11",
                    "key": hex(&bio_key),
                    "key_params": { "nonce": hex(&biometric_nonce), "tag": hex(&bio_tag) }
                },
                {
                    "type": 1,
                    "uuid": "0d7c3f7e-2f3b-4bb0-9f5e-8a0a3b1a6c22",
                    "key": hex(&wrapped),
                    "key_params": { "nonce": hex(&slot_nonce), "tag": hex(&slot_tag) },
                    "n": 1u64 << log_n,
                    "r": 8,
                    "p": 1,
                    "salt": hex(&salt),
                    "repaired": true,
                    "is_backup": false
                }
            ],
            "params": { "nonce": hex(&db_nonce), "tag": hex(&db_tag) }
        },
        "db": B64.encode(db_ct)
    })
    .to_string()
}

/// 2FAS's password-check text (`BackupContent.Reference` in twofas/2fas-android).
const TWOFAS_REFERENCE: &str = "tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6mtsy92R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidXQCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd";

/// An encrypted 2FAS backup (schema 4) of `services`: PBKDF2-HMAC-SHA256 (10 000
/// rounds, 256-byte salt) and AES-256-GCM, laid out `data‖tag:salt:iv` in base64.
pub fn twofas_encrypted(services: &Value, groups: &Value, password: &str) -> String {
    let salt = random(256);
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        password.as_bytes(),
        &salt,
        super::twofas::PBKDF2_ROUNDS,
        &mut key,
    );
    let seal = |plaintext: &[u8]| {
        let iv = random(12);
        let (mut ct, tag) = aes_gcm_seal(&key, &iv, plaintext);
        ct.extend_from_slice(&tag);
        format!(
            "{}:{}:{}",
            B64.encode(ct),
            B64.encode(&salt),
            B64.encode(iv)
        )
    };
    json!({
        "services": [],
        "groups": groups,
        "updatedAt": 1_702_934_782_660u64,
        "schemaVersion": 4,
        "appVersionCode": 5_000_009,
        "appVersionName": "5.1.0",
        "appOrigin": "android",
        "servicesEncrypted": seal(services.to_string().as_bytes()),
        "reference": seal(TWOFAS_REFERENCE.as_bytes()),
    })
    .to_string()
}

/// The OS generator behind rand_core 0.6's traits, which `PushStream::init` takes.
struct OsRng;

impl RngCore for OsRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        crate::crypto::fill_random(dest).expect("OS random generator");
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for OsRng {}

/// Ente Auth's encrypted export of `text`: Argon2id(memLimit bytes, opsLimit passes, one
/// lane) and one secretstream message with the final tag.
pub fn ente_encrypted(text: &str, password: &str, mem_limit: u32, ops_limit: u32) -> String {
    let salt = random(16);
    let params = argon2::Params::new(mem_limit / 1024, ops_limit, 1, Some(32)).expect("params");
    let mut key = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(password.as_bytes(), &salt, &mut key)
        .expect("argon2");
    let (header, mut stream) = PushStream::init(OsRng, &Key::from(key));
    let mut buffer = text.as_bytes().to_vec();
    stream.push(&mut buffer, &[], Tag::Final).expect("push");
    json!({
        "version": 1,
        "kdfParams": { "memLimit": mem_limit, "opsLimit": ops_limit, "salt": B64.encode(salt) },
        "encryptedData": B64.encode(buffer),
        "encryptionNonce": B64.encode(header.as_ref()),
    })
    .to_string()
}

/// A Google Authenticator account for [`google_uri`].
pub fn google_account(
    secret: &[u8],
    name: &str,
    issuer: &str,
    algorithm: i32,
    digits: i32,
    otp_type: i32,
    counter: i64,
) -> OtpParameters {
    OtpParameters {
        secret: secret.to_vec(),
        name: name.into(),
        issuer: issuer.into(),
        algorithm,
        digits,
        otp_type,
        counter,
    }
}

/// `otpauth-migration://offline?data=…` of one batch, encoded as Google does: protobuf,
/// standard base64, percent-encoded.
pub fn google_uri(
    accounts: Vec<OtpParameters>,
    batch_size: i32,
    batch_index: i32,
    batch_id: i32,
) -> String {
    let payload = MigrationPayload {
        otp_parameters: accounts,
        version: 1,
        batch_size,
        batch_index,
        batch_id,
    };
    let data = B64.encode(payload.encode_to_vec());
    format!(
        "otpauth-migration://offline?data={}",
        utf8_percent_encode(&data, NON_ALPHANUMERIC)
    )
}
