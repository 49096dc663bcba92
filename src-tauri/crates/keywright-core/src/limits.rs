//! Limits on what outside input may cost: the size of a secret, the length of a 2FA seed,
//! the bytes and entries of an import, the images read for QR codes and the key-derivation
//! costs an encrypted export may ask for. Input beyond a limit is refused at once, before
//! the expensive work, with a message naming the limit.
//!
//! Each limit is far above what a real user meets (the notes say what real data looks like)
//! and low enough to bound memory and time on a laptop.

/// Largest secret field of an item (value, access or refresh token, notes), in bytes
/// (UTF-8). API keys are < 200 bytes; large JWTs a few KiB.
pub const MAX_SECRET_BYTES: usize = 64 * 1024;

/// Longest 2FA seed, in base32 characters (spaces, dashes and `=` padding not counted):
/// 1024 characters = 640 bytes. Services issue 16 to 64 characters (80 to 320 bits).
pub const MAX_SEED_CHARS: usize = 1024;

/// Longest otpauth:// URI, in bytes (a seed at its limit with a long label and Ente's
/// tags and note fits many times over).
pub const MAX_OTPAUTH_URI_BYTES: usize = 64 * 1024;

/// Largest file (or stdin) an import reads, in bytes. An Aegis export of thousands of
/// entries is < 5 MB.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// Largest request body read from a file (`keywright request -d @FILE`): the same bound as
/// an import.
pub const MAX_REQUEST_BODY_BYTES: usize = MAX_IMPORT_BYTES;

/// Largest key file `keywright inspect --key-file` reads (a PEM key, a JWK or a JWKS of a
/// few dozen keys is < 100 KiB).
pub const MAX_KEY_FILE_BYTES: usize = 1024 * 1024;

/// Most entries one import reads: otpauth lines, JSON entries, or Google accounts over all
/// batches. Blank lines and `#` comments are not counted.
pub const MAX_IMPORT_ENTRIES: usize = 100_000;

/// Most files and folders an import reads from a folder (a Bruno collection). A large
/// collection has a few hundred requests.
pub const MAX_IMPORT_FILES: usize = 10_000;

/// Deepest folder an import reads inside a folder source (a Bruno collection), and deepest
/// folder nesting of a Postman or Insomnia collection.
pub const MAX_IMPORT_DEPTH: usize = 16;

/// Longest text a collection's `{{variables}}` may expand to (a URL, a header, a body), in
/// bytes: variables that refer to each other many times over cannot grow without bound.
pub const MAX_TEMPLATE_BYTES: usize = 1024 * 1024;

/// Most JSON values (objects, arrays, and the elements in them) an API-client export may
/// hold, counted before it is parsed: a file of millions of `[]` cannot cost gigabytes. A
/// collection of 10,000 requests holds about 500,000.
pub const MAX_JSON_VALUES: usize = 2_000_000;

/// How deep a collection's variables may refer to variables (`{{a}}` → `{{b}}` → …); a
/// loop is refused when it gets there.
pub const MAX_TEMPLATE_DEPTH: usize = 8;

/// Most accounts in one Google Authenticator migration payload (one QR code holds about
/// ten).
pub const MAX_MIGRATION_ACCOUNTS: usize = 1_000;

/// Largest `batch_size` of a Google Authenticator export (the number of QR codes in it);
/// `batch_index` must be below it.
pub const MAX_MIGRATION_BATCHES: i32 = 1_000;

/// Largest width or height of an image read for QR codes, in pixels; checked from the
/// image header before it is decoded. A phone screenshot is < 3000 px tall.
pub const MAX_QR_IMAGE_SIDE: u32 = 4096;

/// Largest image file read for QR codes, in bytes.
pub const MAX_QR_IMAGE_BYTES: usize = MAX_IMPORT_BYTES;

/// Most memory the image decoder may allocate for one QR image, in bytes (a
/// 4096 × 4096 image at 16-bit RGBA).
pub const MAX_QR_DECODE_ALLOC: u64 = 4096 * 4096 * 8;

/// Aegis: largest scrypt `N` (cost). Aegis uses 2^15.
pub const MAX_SCRYPT_N: u64 = 1 << 18;
/// Aegis: largest scrypt `r` (block size). Aegis uses 8.
pub const MAX_SCRYPT_R: u32 = 16;
/// Aegis: largest scrypt `p` (parallelism). Aegis uses 1.
pub const MAX_SCRYPT_P: u32 = 4;
/// Aegis: most memory scrypt may use, 128·N·r bytes (Aegis's own parameters need 32 MiB).
pub const MAX_SCRYPT_MEMORY_BYTES: u64 = 256 * 1024 * 1024;
/// Aegis: most scrypt work over all password slots, 128·N·r·p bytes summed (four times
/// the most one slot may use in memory; Aegis's own slot needs 32 MiB).
pub const MAX_SCRYPT_WORK_BYTES: u64 = 1024 * 1024 * 1024;
/// Aegis: most password slots tried (each one costs a scrypt run). Aegis writes one.
pub const MAX_AEGIS_PASSWORD_SLOTS: usize = 4;

/// Ente Auth: largest Argon2id memory (`memLimit`), in bytes: libsodium's "sensitive"
/// limit, which Ente derives export keys with.
pub const MAX_ARGON2_MEMORY_BYTES: u64 = 1 << 30;
/// Ente Auth: most Argon2id passes (`opsLimit`). Ente doubles the passes each time it
/// halves the memory on a phone that cannot spare it: 4 at 1 GiB … 64 at 64 MiB.
pub const MAX_ARGON2_PASSES: u64 = 64;
/// Ente Auth: most Argon2id work, memory × passes, in bytes (1 GiB × 4 passes, the cost
/// of libsodium's "sensitive" preset and of every step down Ente takes from it).
pub const MAX_ARGON2_WORK_BYTES: u64 = 4 << 30;

/// Most elements of all the lists of one JSON export together (items, fields, URLs,
/// sections…), read by the password-manager imports (Bitwarden, 1Password): a vault of
/// 100,000 items with ten fields each. Reading stops at the first element over.
pub const MAX_IMPORT_LIST_ELEMENTS: usize = 1_000_000;

/// Bitwarden password-protected exports: most PBKDF2-SHA256 iterations, Bitwarden's own
/// maximum (its default is 600,000); below 5,000 is refused as Bitwarden refuses it.
pub const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;
/// Bitwarden: most Argon2id iterations, Bitwarden's own maximum (default 3, at least 2).
pub const MAX_BITWARDEN_ARGON2_ITERATIONS: u32 = 10;
/// Bitwarden: most Argon2id memory, in MiB: Bitwarden's own maximum, and
/// [`MAX_ARGON2_MEMORY_BYTES`] (default 64 MiB, at least 16).
pub const MAX_BITWARDEN_ARGON2_MEMORY_MIB: u32 = 1024;
/// Bitwarden: most Argon2id lanes, Bitwarden's own maximum (default 4).
pub const MAX_BITWARDEN_ARGON2_PARALLELISM: u32 = 16;

/// 1Password `.1pux`: most entries in the zip's central directory (checked from the
/// archive's end record before the directory is read). A `.1pux` holds
/// `export.attributes`, `export.data` and one file per document attachment.
pub const MAX_ZIP_ENTRIES: usize = 10_000;

/// Most snapshot files one backup folder may hold before `backup list` and retention refuse
/// it (retention keeps about 10 + 30 + one a month; a folder shared by many vaults over
/// years stays far below).
pub const MAX_BACKUP_FILES: usize = 10_000;
/// KeePass (`.kdbx`): most bytes of the decrypted, decompressed payload (the XML and, in
/// KDBX 4, the attachments before it). A KeePassXC database of 10,000 entries holds about
/// 15 MB of XML; the bound stops a small file that inflates to gigabytes.
pub const MAX_KDBX_PAYLOAD_BYTES: usize = 256 * 1024 * 1024;
/// KeePass: most AES-KDF rounds (KDBX 3.1 and 4). keepassxc-cli writes 1,000,000; the
/// "1 second" setting of KeePass or KeePassXC on a fast desktop asks for tens of millions.
/// At the limit the derivation takes about 10 s here.
pub const MAX_AES_KDF_ROUNDS: u64 = 500_000_000;
/// KeePass: most Argon2 lanes (KeePassXC sets the number of CPU threads).
pub const MAX_KDBX_ARGON2_LANES: u64 = 64;
/// KeePass: most Argon2 work, memory × iterations, in bytes. KeePassXC's default is 64 MiB
/// with the iterations that take 1 s on the machine that made the database (2 to about
/// 100); 32 GiB is KeePassXC's 1 s setting on a fast desktop several times over. The
/// memory itself is bounded by [`MAX_ARGON2_MEMORY_BYTES`].
pub const MAX_KDBX_ARGON2_WORK_BYTES: u64 = 32 << 30;
/// XML imports (KeePass): deepest nesting of elements (groups within groups).
pub const MAX_XML_DEPTH: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Kind, NewItem};

    #[test]
    fn a_secret_field_over_64_kib_is_refused_naming_the_field() {
        let at_limit = "k".repeat(MAX_SECRET_BYTES);
        NewItem::new(Kind::ApiKey, "Stripe", at_limit.as_str())
            .into_parts(0)
            .expect("64 KiB is accepted");
        let over = "k".repeat(MAX_SECRET_BYTES + 1);
        let e = NewItem::new(Kind::ApiKey, "Stripe", over.as_str())
            .into_parts(0)
            .expect_err("over");
        assert_eq!(e.kind(), "invalid_input");
        assert_eq!(
            e.to_string(),
            "Invalid secret value: is 65537 bytes long; the limit is 65536 bytes"
        );
        let mut notes = NewItem::new(Kind::ApiKey, "Stripe", "sk_live_1");
        notes.secret.notes = over.clone();
        let e = notes.into_parts(0).expect_err("notes");
        assert!(
            e.to_string().starts_with("Invalid notes: is 65537 bytes"),
            "{e}"
        );
    }

    #[test]
    fn a_50_mb_seed_is_refused_by_its_length() {
        let seed = "A".repeat(50_000_000);
        let e = NewItem::new(Kind::Totp, "GitHub", seed.as_str())
            .into_parts(0)
            .expect_err("long seed");
        // The secret-size check names the value; a seed within it is held to its own limit.
        assert!(e.to_string().contains("the limit is 65536 bytes"), "{e}");
        let seed = "A".repeat(2000);
        let e = NewItem::new(Kind::Totp, "GitHub", seed.as_str())
            .into_parts(0)
            .expect_err("long seed");
        assert_eq!(
            e.to_string(),
            "Invalid TOTP secret: is 2000 characters long; the limit is 1024"
        );
    }
}
