//! The KeePass database container (`.kdbx`), KDBX 3.1 and 4, opened with its password.
//!
//! The format (KeePass's `KdbxFile.Read.cs`, KeePassXC's `KdbxReader`/`Kdbx3Reader`/
//! `Kdbx4Reader`):
//!
//! ```text
//! 03 D9 A2 9A  67 FB 4B B5  minor:u16  major:u16        signature and version (LE)
//! header fields until id 0: id:u8, len:u16 (KDBX 3) or len:u32 (KDBX 4), data
//!   2 cipher UUID, 3 compression (0 none, 1 gzip), 4 master seed, 7 IV,
//!   KDBX 3: 5 transform seed, 6 AES-KDF rounds, 8 inner stream key, 9 stream start
//!           bytes, 10 inner stream id;
//!   KDBX 4: 11 KDF parameters (a VariantDictionary: $UUID, S, R / S, P, M, I, V)
//! composite key = SHA-256(SHA-256(password))        (no key file: out of scope)
//! transformed  = AES-KDF(composite) or Argon2d/Argon2id(composite, S, M, I, P, V)
//! master key   = SHA-256(master seed ‖ transformed)
//! KDBX 3: AES-256-CBC(master key, IV) over the rest; it starts with the 32 stream start
//!         bytes, then hashed blocks (index:u32, SHA-256:32, size:u32, data).
//! KDBX 4: SHA-256 and HMAC-SHA-256 of the header, then HMAC blocks (hmac:32, size:u32,
//!         data) keyed by SHA-512(index ‖ SHA-512(master seed ‖ transformed ‖ 0x01));
//!         their data decrypts (AES-256-CBC or ChaCha20) to an inner header (id:u8,
//!         len:u32: 1 stream id, 2 stream key, 3 attachment) and the XML.
//! payload: gzip when the compression flag is 1.
//! protected values in the XML: base64, XORed in document order with the inner stream
//!   (2 = Salsa20: key SHA-256(k), nonce E830094B97205D2A; 3 = ChaCha20: SHA-512(k) gives
//!   the key (32 bytes) and the nonce (12)).
//! ```
//!
//! Every primitive comes from a crate (aes, cbc, chacha20, salsa20, sha2, hmac, argon2,
//! flate2). The container is read here rather than by the `keepass` crate so that the
//! KDF costs are checked before any derivation, the inflated payload is bounded
//! ([`MAX_KDBX_PAYLOAD_BYTES`]: a small file cannot inflate to gigabytes), the XML is read
//! by the same bounded reader as the XML export, and the plaintext is wiped after use.

use std::io::Read;

use aes::Aes256;
use aes::cipher::{
    BlockCipherEncrypt, BlockModeDecrypt, KeyInit, KeyIvInit, StreamCipher, block_padding::Pkcs7,
};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::import::{Format, fail};
use crate::limits::{
    MAX_AES_KDF_ROUNDS, MAX_ARGON2_MEMORY_BYTES, MAX_KDBX_ARGON2_LANES, MAX_KDBX_ARGON2_WORK_BYTES,
    MAX_KDBX_PAYLOAD_BYTES,
};

const FORMAT: Format = Format::Kdbx;

const SIG1: [u8; 4] = [0x03, 0xd9, 0xa2, 0x9a];
const SIG2_KDBX: [u8; 4] = [0x67, 0xfb, 0x4b, 0xb5];
const SIG2_KDB1: [u8; 4] = [0x65, 0xfb, 0x4b, 0xb5];

const CIPHER_AES256: [u8; 16] = hex16("31c1f2e6bf714350be5805216afc5aff");
const CIPHER_CHACHA20: [u8; 16] = hex16("d6038a2b8b6f4cb5a524339a31dbb59a");
const CIPHER_TWOFISH: [u8; 16] = hex16("ad68f29f576f4bb9a36ad47af965346c");
const CIPHER_AES128: [u8; 16] = hex16("61ab05a1946441c38d743a563df8dd35");

const KDF_AES_KDBX3: [u8; 16] = hex16("c9d9f39a628a4460bf740d08c18a4fea");
const KDF_AES_KDBX4: [u8; 16] = hex16("7c02bb8279a74ac0927d114a00648238");
const KDF_ARGON2D: [u8; 16] = hex16("ef636ddf8c29444b91f7a9a403e30a0c");
const KDF_ARGON2ID: [u8; 16] = hex16("9e298b1956db4773b23dfc3ec6f0a1e6");

const SALSA20_NONCE: [u8; 8] = [0xe8, 0x30, 0x09, 0x4b, 0x97, 0x20, 0x5d, 0x2a];

/// A UUID written as 32 hex digits, at compile time.
const fn hex16(s: &str) -> [u8; 16] {
    let b = s.as_bytes();
    let mut out = [0u8; 16];
    let mut i = 0;
    while i < 16 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => panic!("not a hex digit"),
    }
}

/// The keystream that hides protected values in the XML, in document order.
pub enum InnerStream {
    Salsa20(Box<salsa20::Salsa20>),
    ChaCha20(Box<chacha20::ChaCha20>),
}

impl InnerStream {
    fn new(id: u32, key: &[u8]) -> Result<Self> {
        match id {
            2 => {
                let k = Sha256::digest(key);
                Ok(InnerStream::Salsa20(Box::new(salsa20::Salsa20::new(
                    &k,
                    &SALSA20_NONCE.into(),
                ))))
            }
            3 => {
                let h = Zeroizing::new(<[u8; 64]>::from(Sha512::digest(key)));
                let key: [u8; 32] = h[..32].try_into().map_err(|_| damaged("inner key"))?;
                let nonce: [u8; 12] = h[32..44].try_into().map_err(|_| damaged("inner key"))?;
                Ok(InnerStream::ChaCha20(Box::new(chacha20::ChaCha20::new(
                    &key.into(),
                    &nonce.into(),
                ))))
            }
            0 => Err(fail(
                FORMAT,
                "its protected values are not encrypted (inner stream 0), which KeePass never \
                 writes; the file is damaged",
            )),
            1 => Err(fail(
                FORMAT,
                "it protects values with ArcFour (a KeePass 2.0 database); open it in KeePassXC \
                 and save it again",
            )),
            n => Err(fail(FORMAT, format!("unknown inner stream cipher {n}"))),
        }
    }

    /// XOR the next `buf.len()` bytes of the keystream into `buf`.
    pub fn apply(&mut self, buf: &mut [u8]) {
        match self {
            InnerStream::Salsa20(c) => c.apply_keystream(buf),
            InnerStream::ChaCha20(c) => c.apply_keystream(buf),
        }
    }
}

/// A decrypted database: the XML, the stream of its protected values, and (KDBX 3.1) the
/// SHA-256 of the header its `Meta/HeaderHash` must match.
pub struct Opened {
    pub xml: Zeroizing<Vec<u8>>,
    pub stream: InnerStream,
    pub header_sha256: Option<[u8; 32]>,
    /// `3.1`, `4.0`, `4.1`: said in messages.
    pub version: String,
}

fn damaged(what: &str) -> Error {
    fail(FORMAT, format!("it is damaged or truncated ({what})"))
}

fn wrong_password() -> Error {
    Error::WrongImportPassword {
        format: FORMAT.display(),
    }
}

/// Bytes read one after the other, every read checked.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or_else(|| damaged(what))?;
        let s = self.data.get(self.pos..end).ok_or_else(|| damaged(what))?;
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }
}

fn le_u32(b: &[u8], what: &str) -> Result<u32> {
    let a: [u8; 4] = b.try_into().map_err(|_| damaged(what))?;
    Ok(u32::from_le_bytes(a))
}

fn le_u64(b: &[u8], what: &str) -> Result<u64> {
    let a: [u8; 8] = b.try_into().map_err(|_| damaged(what))?;
    Ok(u64::from_le_bytes(a))
}

fn arr32(b: &[u8], what: &str) -> Result<[u8; 32]> {
    b.try_into().map_err(|_| damaged(what))
}

/// How the password becomes the key, with costs already checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Kdf {
    Aes {
        seed: [u8; 32],
        rounds: u64,
    },
    Argon2 {
        id: bool,
        salt: Vec<u8>,
        memory_kib: u32,
        iterations: u32,
        lanes: u32,
        version: argon2::Version,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cipher {
    Aes256,
    ChaCha20,
}

struct Header {
    major: u16,
    minor: u16,
    cipher: Cipher,
    gzip: bool,
    master_seed: Vec<u8>,
    iv: Vec<u8>,
    kdf: Kdf,
    // KDBX 3.1
    stream_key: Option<Vec<u8>>,
    start_bytes: Option<[u8; 32]>,
    stream_id: Option<u32>,
    /// The header's bytes (signature included).
    len: usize,
}

/// Whether the data starts like a KeePass database (any version).
pub fn looks_like_kdbx(data: &[u8]) -> bool {
    data.starts_with(&SIG1)
}

fn cipher_of(uuid: &[u8]) -> Result<Cipher> {
    if uuid == CIPHER_AES256 {
        Ok(Cipher::Aes256)
    } else if uuid == CIPHER_CHACHA20 {
        Ok(Cipher::ChaCha20)
    } else if uuid == CIPHER_TWOFISH || uuid == CIPHER_AES128 {
        Err(fail(
            FORMAT,
            format!(
                "it is encrypted with {}, which Keywright does not read; in KeePassXC choose \
                 Database → Database Security → Encryption Settings → AES 256-bit or ChaCha20, \
                 save, and import it again",
                if uuid == CIPHER_TWOFISH {
                    "Twofish"
                } else {
                    "AES 128-bit"
                }
            ),
        ))
    } else {
        Err(fail(FORMAT, "its cipher is not one KeePass writes"))
    }
}

/// Read the outer header; the KDF's costs are checked here, before anything is derived.
fn header(data: &[u8]) -> Result<Header> {
    if data.len() < 12 || !data.starts_with(&SIG1) {
        return Err(fail(FORMAT, "it is not a KeePass database (.kdbx)"));
    }
    if data[4..8] == SIG2_KDB1 {
        return Err(fail(
            FORMAT,
            "it is a KeePass 1 database (.kdb); open it in KeePassXC, save it as .kdbx, and \
             import that",
        ));
    }
    if data[4..8] != SIG2_KDBX {
        return Err(fail(FORMAT, "it is not a KeePass 2 database (.kdbx)"));
    }
    let mut c = Cursor { data, pos: 8 };
    let minor = c.u16("version")?;
    let major = c.u16("version")?;
    if major != 3 && major != 4 {
        return Err(fail(
            FORMAT,
            format!(
                "KDBX version {major}.{minor} is not supported (Keywright reads KDBX 3.1 and 4)"
            ),
        ));
    }
    let mut cipher = None;
    let mut gzip = None;
    let mut master_seed = None;
    let mut iv = None;
    let mut kdf = None;
    let mut transform_seed = None;
    let mut rounds = None;
    let mut stream_key = None;
    let mut start_bytes = None;
    let mut stream_id = None;
    loop {
        let id = c.u8("header")?;
        let len = if major == 3 {
            usize::from(c.u16("header")?)
        } else {
            c.u32("header")? as usize
        };
        let v = c.take(len, "header")?;
        match id {
            0 => break,
            1 => {}
            2 => cipher = Some(cipher_of(v)?),
            3 => {
                gzip = Some(match le_u32(v, "compression flag")? {
                    0 => false,
                    1 => true,
                    n => return Err(fail(FORMAT, format!("unknown compression {n}"))),
                })
            }
            4 => master_seed = Some(v.to_vec()),
            5 if major == 3 => transform_seed = Some(arr32(v, "transform seed")?),
            6 if major == 3 => rounds = Some(le_u64(v, "AES-KDF rounds")?),
            7 => iv = Some(v.to_vec()),
            8 if major == 3 => stream_key = Some(v.to_vec()),
            9 if major == 3 => start_bytes = Some(arr32(v, "stream start bytes")?),
            10 if major == 3 => stream_id = Some(le_u32(v, "inner stream id")?),
            11 if major == 4 => kdf = Some(kdf_of_dictionary(v)?),
            // Public custom data (12) and anything newer: not needed to read the entries.
            _ => {}
        }
    }
    let missing = |what: &str| fail(FORMAT, format!("its header has no {what}"));
    let cipher = cipher.ok_or_else(|| missing("cipher"))?;
    let iv = iv.ok_or_else(|| missing("encryption IV"))?;
    let iv_len = match cipher {
        Cipher::Aes256 => 16,
        Cipher::ChaCha20 => 12,
    };
    if iv.len() != iv_len {
        return Err(damaged("encryption IV"));
    }
    let kdf = if major == 3 {
        let seed = transform_seed.ok_or_else(|| missing("transform seed"))?;
        let rounds = rounds.ok_or_else(|| missing("AES-KDF rounds"))?;
        check_aes_rounds(rounds)?;
        Kdf::Aes { seed, rounds }
    } else {
        kdf.ok_or_else(|| missing("key derivation parameters"))?
    };
    Ok(Header {
        major,
        minor,
        cipher,
        gzip: gzip.ok_or_else(|| missing("compression flag"))?,
        master_seed: master_seed.ok_or_else(|| missing("master seed"))?,
        iv,
        kdf,
        stream_key,
        start_bytes,
        stream_id,
        len: c.pos,
    })
}

fn check_aes_rounds(rounds: u64) -> Result<()> {
    if rounds > MAX_AES_KDF_ROUNDS {
        return Err(fail(
            FORMAT,
            format!(
                "its key derivation asks for {rounds} AES-KDF rounds; Keywright accepts at most \
                 {MAX_AES_KDF_ROUNDS} (lower the decryption time in KeePassXC's Database \
                 Security settings)"
            ),
        ));
    }
    Ok(())
}

/// The KDF of a KDBX 4 header's VariantDictionary, its costs checked.
pub fn kdf_of_dictionary(v: &[u8]) -> Result<Kdf> {
    let mut c = Cursor { data: v, pos: 0 };
    let version = c.u16("KDF parameters")?;
    if version >> 8 != 1 {
        return Err(fail(
            FORMAT,
            format!("its KDF parameters have an unknown version {version:#06x}"),
        ));
    }
    let mut uuid = None;
    let mut salt = None;
    let mut rounds = None;
    let mut memory = None;
    let mut iterations = None;
    let mut lanes = None;
    let mut argon_version = None;
    loop {
        let ty = c.u8("KDF parameters")?;
        if ty == 0 {
            break;
        }
        let klen = c.u32("KDF parameters")? as usize;
        let key = c.take(klen, "KDF parameters")?;
        let vlen = c.u32("KDF parameters")? as usize;
        let val = c.take(vlen, "KDF parameters")?;
        let int = |what| -> Result<u64> {
            match ty {
                0x04 => le_u32(val, what).map(u64::from),
                0x05 => le_u64(val, what),
                _ => Err(damaged(what)),
            }
        };
        match key {
            b"$UUID" => uuid = Some(val.to_vec()),
            b"S" => salt = Some(val.to_vec()),
            b"R" => rounds = Some(int("AES-KDF rounds")?),
            b"M" => memory = Some(int("Argon2 memory")?),
            b"I" => iterations = Some(int("Argon2 iterations")?),
            b"P" => lanes = Some(int("Argon2 parallelism")?),
            b"V" => argon_version = Some(int("Argon2 version")?),
            b"K" | b"A" if !val.is_empty() => {
                return Err(fail(
                    FORMAT,
                    "its Argon2 uses a secret key or associated data, which KeePass and \
                     KeePassXC never write",
                ));
            }
            _ => {}
        }
    }
    let uuid = uuid.ok_or_else(|| fail(FORMAT, "its KDF parameters name no KDF"))?;
    let missing = |what: &str| fail(FORMAT, format!("its KDF parameters have no {what}"));
    if uuid == KDF_AES_KDBX4 || uuid == KDF_AES_KDBX3 {
        let rounds = rounds.ok_or_else(|| missing("rounds"))?;
        check_aes_rounds(rounds)?;
        let seed = arr32(&salt.ok_or_else(|| missing("seed"))?, "AES-KDF seed")?;
        return Ok(Kdf::Aes { seed, rounds });
    }
    let id = if uuid == KDF_ARGON2ID {
        true
    } else if uuid == KDF_ARGON2D {
        false
    } else {
        return Err(fail(
            FORMAT,
            "its key derivation function is not one KeePass writes",
        ));
    };
    let memory = memory.ok_or_else(|| missing("Argon2 memory"))?;
    let iterations = iterations.ok_or_else(|| missing("Argon2 iterations"))?;
    let lanes = lanes.ok_or_else(|| missing("Argon2 parallelism"))?;
    let version = match argon_version.ok_or_else(|| missing("Argon2 version"))? {
        0x10 => argon2::Version::V0x10,
        0x13 => argon2::Version::V0x13,
        v => return Err(fail(FORMAT, format!("unknown Argon2 version {v:#x}"))),
    };
    check_argon2(memory, iterations, lanes)?;
    let salt = salt.ok_or_else(|| missing("Argon2 salt"))?;
    Ok(Kdf::Argon2 {
        id,
        salt,
        memory_kib: u32::try_from(memory / 1024).unwrap_or(u32::MAX),
        iterations: u32::try_from(iterations).unwrap_or(u32::MAX),
        lanes: u32::try_from(lanes).unwrap_or(u32::MAX),
        version,
    })
}

/// Argon2 costs within Keywright's limits: memory up to [`MAX_ARGON2_MEMORY_BYTES`], lanes up
/// to [`MAX_KDBX_ARGON2_LANES`], memory × iterations up to [`MAX_KDBX_ARGON2_WORK_BYTES`].
pub fn check_argon2(memory: u64, iterations: u64, lanes: u64) -> Result<()> {
    if memory < 8 * 1024 || iterations == 0 || lanes == 0 {
        return Err(fail(
            FORMAT,
            format!(
                "invalid Argon2 parameters (memory {memory} bytes, {iterations} iterations, \
                 {lanes} lanes)"
            ),
        ));
    }
    if memory > MAX_ARGON2_MEMORY_BYTES {
        return Err(fail(
            FORMAT,
            format!(
                "its Argon2 asks for {} MiB of memory; Keywright accepts at most {} MiB",
                memory >> 20,
                MAX_ARGON2_MEMORY_BYTES >> 20
            ),
        ));
    }
    if lanes > MAX_KDBX_ARGON2_LANES {
        return Err(fail(
            FORMAT,
            format!(
                "its Argon2 asks for {lanes} lanes; Keywright accepts at most \
                 {MAX_KDBX_ARGON2_LANES}"
            ),
        ));
    }
    if memory
        .checked_mul(iterations)
        .is_none_or(|w| w > MAX_KDBX_ARGON2_WORK_BYTES)
    {
        return Err(fail(
            FORMAT,
            format!(
                "its Argon2 asks for {} MiB × {iterations} iterations; Keywright accepts at \
                 most {} GiB of work (lower the decryption time in KeePassXC's Database \
                 Security settings)",
                memory >> 20,
                MAX_KDBX_ARGON2_WORK_BYTES >> 30
            ),
        ));
    }
    Ok(())
}

/// The composite key of a password-only database: SHA-256 over the SHA-256 of the
/// password (UTF-8). An empty password means no password at all (KeePassXC's "no
/// password" databases): SHA-256 of nothing.
fn composite_key(password: &SecretString) -> Zeroizing<[u8; 32]> {
    let pw = password.expose_secret();
    let mut h = Sha256::new();
    if !pw.is_empty() {
        h.update(Zeroizing::new(<[u8; 32]>::from(Sha256::digest(pw.as_bytes()))).as_ref());
    }
    Zeroizing::new(h.finalize().into())
}

fn transform(kdf: &Kdf, composite: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>> {
    match kdf {
        Kdf::Aes { seed, rounds } => {
            let cipher = Aes256::new(seed.into());
            let mut blocks = [
                aes::Block::try_from(&composite[..16]).map_err(|_| damaged("key"))?,
                aes::Block::try_from(&composite[16..]).map_err(|_| damaged("key"))?,
            ];
            cipher.encrypt_with_backend(AesRounds {
                blocks: &mut blocks,
                rounds: *rounds,
            });
            let mut h = Sha256::new();
            h.update(blocks[0]);
            h.update(blocks[1]);
            for b in &mut blocks {
                zeroize::Zeroize::zeroize(b.as_mut_slice());
            }
            Ok(Zeroizing::new(h.finalize().into()))
        }
        Kdf::Argon2 {
            id,
            salt,
            memory_kib,
            iterations,
            lanes,
            version,
        } => {
            let params = argon2::Params::new(*memory_kib, *iterations, *lanes, Some(32))
                .map_err(|e| fail(FORMAT, format!("invalid Argon2 parameters: {e}")))?;
            let alg = if *id {
                argon2::Algorithm::Argon2id
            } else {
                argon2::Algorithm::Argon2d
            };
            let mut out = Zeroizing::new([0u8; 32]);
            argon2::Argon2::new(alg, *version, params)
                .hash_password_into(composite, salt, out.as_mut())
                .map_err(|e| fail(FORMAT, format!("key derivation failed: {e}")))?;
            Ok(out)
        }
    }
}

/// AES-KDF's rounds run inside one call of the cipher's backend (AES-NI when the CPU has
/// it), not one call per block.
struct AesRounds<'a> {
    blocks: &'a mut [aes::Block; 2],
    rounds: u64,
}

impl aes::cipher::BlockSizeUser for AesRounds<'_> {
    type BlockSize = aes::cipher::consts::U16;
}

impl aes::cipher::BlockCipherEncClosure for AesRounds<'_> {
    fn call<B: aes::cipher::BlockCipherEncBackend<BlockSize = Self::BlockSize>>(self, backend: &B) {
        let [a, b] = self.blocks;
        for _ in 0..self.rounds {
            backend.encrypt_block(a.into());
            backend.encrypt_block(b.into());
        }
    }
}

fn master_key(seed: &[u8], transformed: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(seed);
    h.update(transformed);
    Zeroizing::new(h.finalize().into())
}

/// Decrypt `buf` in place with the outer cipher; returns the plaintext's length.
fn decrypt(cipher: Cipher, key: &[u8; 32], iv: &[u8], buf: &mut [u8]) -> Result<usize> {
    match cipher {
        Cipher::Aes256 => {
            let d = cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
                .map_err(|_| damaged("encryption IV"))?;
            // A wrong key shows as bad padding in KDBX 3.1 (KDBX 4 checked the HMAC first).
            let n = d
                .decrypt_padded::<Pkcs7>(buf)
                .map_err(|_| wrong_password())?
                .len();
            Ok(n)
        }
        Cipher::ChaCha20 => {
            let mut c = chacha20::ChaCha20::new_from_slices(key, iv)
                .map_err(|_| damaged("encryption IV"))?;
            c.apply_keystream(buf);
            Ok(buf.len())
        }
    }
}

/// Read all of `r` into wiped memory, refusing more than `limit` bytes.
fn read_bounded(mut r: impl Read, limit: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::new());
    let mut chunk = Zeroizing::new(vec![0u8; 64 * 1024]);
    loop {
        let n = r
            .read(&mut chunk)
            .map_err(|e| fail(FORMAT, format!("its compressed data is damaged ({e})")))?;
        if n == 0 {
            return Ok(out);
        }
        if out.len() + n > limit {
            return Err(fail(
                FORMAT,
                format!(
                    "its content inflates to more than {} MiB, the most Keywright reads from a \
                     KeePass database",
                    limit >> 20
                ),
            ));
        }
        if out.capacity() < out.len() + n {
            // Grown by hand so that the old buffer is wiped, not freed with the plaintext.
            let mut bigger =
                Zeroizing::new(Vec::with_capacity((out.len() + n).max(2 * out.capacity())));
            bigger.extend_from_slice(&out);
            out = bigger;
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

/// The payload, inflated when the header says gzip, bounded by `limit`.
pub fn inflate(payload: &[u8], gzip: bool, limit: usize) -> Result<Zeroizing<Vec<u8>>> {
    if gzip {
        read_bounded(flate2::read::GzDecoder::new(payload), limit)
    } else {
        read_bounded(payload, limit)
    }
}

/// Open a `.kdbx` with its password: the XML and the stream of its protected values.
pub fn open(data: &[u8], password: &SecretString) -> Result<Opened> {
    let h = header(data)?;
    let composite = composite_key(password);
    let transformed = transform(&h.kdf, &composite)?;
    let version = format!("{}.{}", h.major, h.minor);
    if h.major == 3 {
        open3(data, &h, &transformed, version)
    } else {
        open4(data, &h, &transformed, version)
    }
}

fn open3(data: &[u8], h: &Header, transformed: &[u8; 32], version: String) -> Result<Opened> {
    let key = master_key(&h.master_seed, transformed);
    let body = data.get(h.len..).unwrap_or_default();
    if body.is_empty() || body.len() % 16 != 0 && h.cipher == Cipher::Aes256 {
        return Err(damaged("its encrypted data is cut short"));
    }
    let mut buf = Zeroizing::new(body.to_vec());
    let n = decrypt(h.cipher, &key, &h.iv, &mut buf)?;
    let plain = &buf[..n];
    let start = h
        .start_bytes
        .ok_or_else(|| fail(FORMAT, "its header has no stream start bytes"))?;
    if plain.len() < 32 || plain[..32] != start {
        return Err(wrong_password());
    }
    // Hashed blocks: index, SHA-256, size, data; the last has size 0.
    let mut c = Cursor {
        data: &plain[32..],
        pos: 0,
    };
    let mut payload = Zeroizing::new(Vec::with_capacity(plain.len()));
    let mut index = 0u32;
    loop {
        let i = c.u32("block")?;
        if i != index {
            return Err(damaged("blocks out of order"));
        }
        let hash = c.take(32, "block")?;
        let size = c.u32("block")? as usize;
        if size == 0 {
            break;
        }
        let block = c.take(size, "block")?;
        if Sha256::digest(block).as_slice() != hash {
            return Err(damaged("a block does not match its hash"));
        }
        payload.extend_from_slice(block);
        index = index.wrapping_add(1);
    }
    let xml = inflate(&payload, h.gzip, MAX_KDBX_PAYLOAD_BYTES)?;
    let stream = InnerStream::new(
        h.stream_id.unwrap_or(2),
        h.stream_key
            .as_deref()
            .ok_or_else(|| fail(FORMAT, "its header has no inner stream key"))?,
    )?;
    let header_sha256 = Sha256::digest(&data[..h.len]).into();
    Ok(Opened {
        xml,
        stream,
        header_sha256: Some(header_sha256),
        version,
    })
}

type HmacSha256 = Hmac<Sha256>;

fn block_key(index: u64, hmac_key: &[u8; 64]) -> Zeroizing<[u8; 64]> {
    let mut h = Sha512::new();
    h.update(index.to_le_bytes());
    h.update(hmac_key);
    Zeroizing::new(h.finalize().into())
}

fn open4(data: &[u8], h: &Header, transformed: &[u8; 32], version: String) -> Result<Opened> {
    let header_bytes = &data[..h.len];
    let mut c = Cursor { data, pos: h.len };
    let sha = c.take(32, "header hash")?;
    if Sha256::digest(header_bytes).as_slice() != sha {
        return Err(damaged("its header does not match its hash"));
    }
    let hmac_key: Zeroizing<[u8; 64]> = {
        let mut hh = Sha512::new();
        hh.update(&h.master_seed);
        hh.update(transformed);
        hh.update([1u8]);
        Zeroizing::new(hh.finalize().into())
    };
    let header_mac = c.take(32, "header HMAC")?;
    let mut mac =
        <HmacSha256 as hmac::KeyInit>::new_from_slice(&block_key(u64::MAX, &hmac_key)[..])
            .map_err(|_| damaged("key"))?;
    mac.update(header_bytes);
    if mac.verify_slice(header_mac).is_err() {
        return Err(wrong_password());
    }
    // HMAC blocks: hmac, size, data; the last has size 0.
    let mut ciphertext = Zeroizing::new(Vec::with_capacity(c.rest().len()));
    let mut index = 0u64;
    loop {
        let tag = c.take(32, "block")?;
        let size_bytes = c.take(4, "block")?;
        let size = le_u32(size_bytes, "block")? as usize;
        let block = c.take(size, "block")?;
        let mut mac =
            <HmacSha256 as hmac::KeyInit>::new_from_slice(&block_key(index, &hmac_key)[..])
                .map_err(|_| damaged("key"))?;
        mac.update(&index.to_le_bytes());
        mac.update(size_bytes);
        mac.update(block);
        if mac.verify_slice(tag).is_err() {
            return Err(damaged("a block does not match its HMAC"));
        }
        if size == 0 {
            break;
        }
        ciphertext.extend_from_slice(block);
        index += 1;
    }
    let key = master_key(&h.master_seed, transformed);
    let n = decrypt(h.cipher, &key, &h.iv, &mut ciphertext)?;
    let payload = inflate(&ciphertext[..n], h.gzip, MAX_KDBX_PAYLOAD_BYTES)?;
    drop(ciphertext);
    // Inner header: stream id, stream key, attachments (skipped), end.
    let mut c = Cursor {
        data: &payload,
        pos: 0,
    };
    let mut stream_id = None;
    let mut stream_key: Option<Zeroizing<Vec<u8>>> = None;
    loop {
        let id = c.u8("inner header")?;
        let len = c.u32("inner header")? as usize;
        let v = c.take(len, "inner header")?;
        match id {
            0 => break,
            1 => stream_id = Some(le_u32(v, "inner stream id")?),
            2 => stream_key = Some(Zeroizing::new(v.to_vec())),
            _ => {}
        }
    }
    let stream = InnerStream::new(
        stream_id.ok_or_else(|| fail(FORMAT, "its inner header has no stream id"))?,
        &stream_key.ok_or_else(|| fail(FORMAT, "its inner header has no stream key"))?,
    )?;
    let xml = Zeroizing::new(c.rest().to_vec());
    drop(payload);
    Ok(Opened {
        xml,
        stream,
        header_sha256: None,
        version,
    })
}

#[cfg(test)]
pub(crate) fn header_kdf(data: &[u8]) -> Result<Kdf> {
    header(data).map(|h| h.kdf)
}
