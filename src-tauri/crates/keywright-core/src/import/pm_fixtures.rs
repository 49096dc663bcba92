//! Test fixtures of the password-manager formats: Bitwarden password-protected exports
//! built from the documented primitives in the writing direction (PBKDF2 / Argon2id from
//! their crates, HKDF-Expand, AES-256-CBC, HMAC-SHA256 — not through the reader's own
//! functions), an unencrypted export in the shape Bitwarden's exporter writes, and `.1pux`
//! zips made with the zip crate's writer.

use std::io::{Cursor, Write as _};

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use hmac::{KeyInit as _, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::crypto::random_bytes;

/// The password of every encrypted fixture (not ASCII: Bitwarden hashes UTF-8).
pub const PASSWORD: &str = "corrëct horse battery staple";

/// RFC 6238's SHA-1 seed, `12345678901234567890`, in base32.
pub const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// A Stripe-shaped test key (recognised by its prefix).
pub fn stripe_key() -> String {
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc".to_owned()
}

/// A JWT that expires on 2100-01-01.
pub const JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMiLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

/// The key derivation of a fixture.
#[derive(Clone, Copy)]
pub enum Kdf {
    Pbkdf2(u32),
    Argon2id {
        iterations: u32,
        memory_mib: u32,
        parallelism: u32,
    },
}

/// Bitwarden's export key, written out from the spec: KDF, then HKDF-Expand "enc"/"mac".
fn export_keys(password: &str, salt: &str, kdf: Kdf) -> ([u8; 32], [u8; 32]) {
    let mut master = [0u8; 32];
    match kdf {
        Kdf::Pbkdf2(iterations) => {
            pbkdf2::pbkdf2_hmac::<Sha256>(
                password.as_bytes(),
                salt.as_bytes(),
                iterations,
                &mut master,
            );
        }
        Kdf::Argon2id {
            iterations,
            memory_mib,
            parallelism,
        } => {
            let params = argon2::Params::new(memory_mib * 1024, iterations, parallelism, Some(32))
                .expect("params");
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                .hash_password_into(
                    password.as_bytes(),
                    &Sha256::digest(salt.as_bytes()),
                    &mut master,
                )
                .expect("argon2");
        }
    }
    // HKDF-Expand (RFC 5869 §2.3) for one block: T(1) = HMAC(PRK, info ‖ 0x01).
    let expand = |info: &[u8]| -> [u8; 32] {
        let mut m = hmac::Hmac::<Sha256>::new_from_slice(&master).expect("key");
        m.update(info);
        m.update(&[1]);
        m.finalize().into_bytes().into()
    };
    (expand(b"enc"), expand(b"mac"))
}

/// A type-2 EncString: `2.b64(iv)|b64(AES-256-CBC(pkcs7))|b64(HMAC(iv ‖ ct))`.
pub fn enc_string(plaintext: &[u8], enc: &[u8; 32], mac: &[u8; 32]) -> String {
    let iv: [u8; 16] = random_bytes(16)
        .expect("random")
        .try_into()
        .expect("16 bytes");
    let padded_len = (plaintext.len() / 16 + 1) * 16;
    let mut buf = vec![0u8; padded_len];
    buf[..plaintext.len()].copy_from_slice(plaintext);
    let ct = cbc::Encryptor::<Aes256>::new(enc.into(), &iv.into())
        .encrypt_padded::<Pkcs7>(&mut buf, plaintext.len())
        .expect("pad")
        .to_vec();
    let mut m = hmac::Hmac::<Sha256>::new_from_slice(mac).expect("key");
    m.update(&iv);
    m.update(&ct);
    let tag = m.finalize().into_bytes();
    format!(
        "2.{}|{}|{}",
        B64.encode(iv),
        B64.encode(ct),
        B64.encode(tag)
    )
}

/// A password-protected export of `plain`, laid out as Bitwarden's `buildPasswordExport`.
pub fn bitwarden_protected(plain: &str, password: &str, kdf: Kdf) -> String {
    let salt = B64.encode(random_bytes(16).expect("random"));
    let (enc, mac) = export_keys(password, &salt, kdf);
    let validation = enc_string(b"5b6a4e1c-9c52-4c3e-8a4e-0a8d2c1f6b11", &enc, &mac);
    let data = enc_string(plain.as_bytes(), &enc, &mac);
    let mut doc = json!({
        "encrypted": true,
        "passwordProtected": true,
        "salt": salt,
        "encKeyValidation_DO_NOT_EDIT": validation,
        "data": data,
    });
    match kdf {
        Kdf::Pbkdf2(iterations) => {
            doc["kdfType"] = json!(0);
            doc["kdfIterations"] = json!(iterations);
        }
        Kdf::Argon2id {
            iterations,
            memory_mib,
            parallelism,
        } => {
            doc["kdfType"] = json!(1);
            doc["kdfIterations"] = json!(iterations);
            doc["kdfMemory"] = json!(memory_mib);
            doc["kdfParallelism"] = json!(parallelism);
        }
    }
    serde_json::to_string_pretty(&doc).expect("json")
}

/// One item as Bitwarden's exporter writes it (every key, in its order).
pub fn bw_item(kind: u8, name: &str, folder: Option<&str>, extra: Value) -> Value {
    let mut item = json!({
        "passwordHistory": null,
        "revisionDate": "2024-05-02T10:11:12.000Z",
        "creationDate": "2024-05-01T10:11:12.000Z",
        "deletedDate": null,
        "id": format!("0d7c3f7e-2f3b-4bb0-9f5e-{:012}", name.len()),
        "organizationId": null,
        "folderId": folder,
        "type": kind,
        "reprompt": 0,
        "name": name,
        "notes": null,
        "favorite": false,
        "fields": [],
        "collectionIds": null,
    });
    if let (Some(obj), Some(extra)) = (item.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            obj.insert(k.clone(), v.clone());
        }
    }
    item
}

/// A login object as Bitwarden writes it.
pub fn bw_login(
    username: Option<&str>,
    password: Option<&str>,
    totp: Option<&str>,
    uris: &[&str],
) -> Value {
    json!({
        "fido2Credentials": [],
        "uris": uris.iter().map(|u| json!({"match": null, "uri": u})).collect::<Vec<_>>(),
        "username": username,
        "password": password,
        "totp": totp,
    })
}

/// A zip of `entries`, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// A `.1pux` around `export_data`, with the attributes file and one document, as 1Password
/// lays it out.
pub fn onepux(export_data: &[u8]) -> Vec<u8> {
    zip_of(&[
        (
            "export.attributes",
            br#"{"version": 3, "description": "1Password Unencrypted Export", "createdAt": 1700000000}"#,
        ),
        ("export.data", export_data),
        ("files/kh7cz5ri2vdajkl6nvivzi3mna__manual.pdf", b"%PDF-1.4 not read"),
    ])
}

/// A 1Password item.
pub fn op_item(category: &str, title: &str, details: Value, overview: Value) -> Value {
    let mut ov =
        json!({"subtitle": "", "title": title, "url": "", "ps": 0, "pbe": 0.0, "pgrng": false});
    if let (Some(o), Some(extra)) = (ov.as_object_mut(), overview.as_object()) {
        for (k, v) in extra {
            o.insert(k.clone(), v.clone());
        }
    }
    json!({
        "uuid": format!("{:0>26}", title.len()),
        "favIndex": 0,
        "createdAt": 1_700_000_000,
        "updatedAt": 1_700_000_500,
        "state": "active",
        "categoryUuid": category,
        "details": details,
        "overview": ov,
    })
}

/// A section field of a 1Password item.
pub fn op_field(title: &str, id: &str, value: Value) -> Value {
    json!({
        "title": title,
        "id": id,
        "value": value,
        "guarded": false,
        "multiline": false,
        "dontGenerate": false,
        "inputTraits": {"keyboard": "default", "correction": "default", "capitalization": "default"},
    })
}

/// `export.data` of one account with these vaults (name, items).
pub fn op_export(vaults: &[(&str, Vec<Value>)]) -> Vec<u8> {
    let vaults: Vec<Value> = vaults
        .iter()
        .map(|(name, items)| {
            json!({
                "attrs": {"uuid": format!("v{}", name.len()), "desc": "", "avatar": "", "name": name, "type": "P"},
                "items": items,
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "accounts": [{
            "attrs": {"accountName": "Dev", "name": "Dev", "avatar": "", "email": "dev@example.com",
                      "uuid": "ACCOUNTUUID", "domain": "https://my.1password.com/"},
            "vaults": vaults,
        }]
    }))
    .expect("json")
}
