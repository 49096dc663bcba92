#!/usr/bin/env python3
"""Independent cross-check fixtures for Keywright's authenticator imports.

Writes, next to this script:
- aegis_encrypted.json: an Aegis vault encrypted as beemdevelopment/Aegis docs/vault.md
  describes (scrypt + AES-256-GCM), made with the `cryptography` package;
- ente_encrypted.json: an Ente Auth encrypted export as ente-io/ente
  docs/docs/auth/migration/export.md and its CLI describe (libsodium crypto_pwhash
  Argon2id + crypto_secretstream_xchacha20poly1305), made with PyNaCl (libsodium itself).

The password of both files is "test". The KDF costs are lowered (scrypt N = 2^12, Argon2id
8 MiB / 2 passes) so the Rust tests stay fast; the files store them, as the real apps do.
The Ente stream message uses the "message" tag (0), which newer libsodium builds of the app
write and Ente's CLI accepts; the Rust fixtures cover the "final" tag.

Run from the repository root: .venv/bin/python src-tauri/crates/keywright-core/src/otp/testdata/gen_fixtures.py
(needs: pip install cryptography pynacl). The output is random (keys, salts, nonces);
the Rust test `otp::import::tests::python_fixtures_open` pins the decrypted content.
"""

import base64
import json
import os
import uuid
from pathlib import Path

import nacl.bindings as sodium
import nacl.pwhash.argon2id as argon2id
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

PASSWORD = b"test"
HERE = Path(__file__).resolve().parent


def aes_gcm(key: bytes, plaintext: bytes) -> tuple[bytes, bytes, bytes]:
    """(nonce, ciphertext, tag) — Aegis stores the tag apart from the ciphertext."""
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext, None)
    return nonce, sealed[:-16], sealed[-16:]


def aegis() -> None:
    work = "a9e8f1c2-5d1e-4c7f-9b1a-2f3e4d5c6b7a"
    db = {
        "version": 3,
        "entries": [
            {
                "type": "totp",
                "uuid": str(uuid.uuid4()),
                "name": "alice@example.com",
                "issuer": "GitHub",
                "note": "cross-check",
                "favorite": False,
                "icon": None,
                "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "period": 30},
                "groups": [work],
            },
            {
                "type": "hotp",
                "uuid": str(uuid.uuid4()),
                "name": "bob",
                "issuer": "Bank",
                "note": "",
                "favorite": False,
                "icon": None,
                "info": {
                    "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                    "algo": "SHA256",
                    "digits": 8,
                    "counter": 12,
                },
                "groups": [],
            },
            {
                "type": "steam",
                "uuid": str(uuid.uuid4()),
                "name": "gamer",
                "issuer": "Steam",
                "note": "",
                "favorite": False,
                "icon": None,
                "info": {
                    "secret": "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
                    "algo": "SHA1",
                    "digits": 5,
                    "period": 30,
                },
                "groups": [],
            },
        ],
        "groups": [{"uuid": work, "name": "Work"}],
        "icons_optimized": True,
    }
    n, r, p = 2**12, 8, 1
    salt = os.urandom(32)
    kek = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(PASSWORD)
    master_key = AESGCM.generate_key(bit_length=256)
    slot_nonce, wrapped, slot_tag = aes_gcm(kek, master_key)
    db_nonce, db_ct, db_tag = aes_gcm(master_key, json.dumps(db, indent=4).encode())
    vault = {
        "version": 1,
        "header": {
            "slots": [
                {
                    "type": 1,
                    "uuid": str(uuid.uuid4()),
                    "key": wrapped.hex(),
                    "key_params": {"nonce": slot_nonce.hex(), "tag": slot_tag.hex()},
                    "n": n,
                    "r": r,
                    "p": p,
                    "salt": salt.hex(),
                    "repaired": True,
                    "is_backup": False,
                }
            ],
            "params": {"nonce": db_nonce.hex(), "tag": db_tag.hex()},
        },
        "db": base64.b64encode(db_ct).decode(),
    }
    (HERE / "aegis_encrypted.json").write_text(json.dumps(vault, indent=4) + "\n")


def ente() -> None:
    display = "%7B%22pinned%22%3Afalse%2C%22trashed%22%3Afalse%2C%22tags%22%3A%5B%22Work%22%5D%7D"
    text = (
        "otpauth://totp/GitHub:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub"
        f"&algorithm=SHA1&digits=6&period=30&codeDisplay={display}\n"
        "otpauth://totp/Cloud:carol?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&issuer=Cloud"
        "&algorithm=SHA512&digits=8&period=60\n"
    )
    ops_limit, mem_limit = 2, 8 * 1024 * 1024
    salt = os.urandom(argon2id.SALTBYTES)
    key = argon2id.kdf(32, PASSWORD, salt, opslimit=ops_limit, memlimit=mem_limit)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    ciphertext = sodium.crypto_secretstream_xchacha20poly1305_push(
        state, text.encode(), None, sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
    )
    export = {
        "version": 1,
        "kdfParams": {
            "memLimit": mem_limit,
            "opsLimit": ops_limit,
            "salt": base64.b64encode(salt).decode(),
        },
        "encryptedData": base64.b64encode(ciphertext).decode(),
        "encryptionNonce": base64.b64encode(header).decode(),
    }
    (HERE / "ente_encrypted.json").write_text(json.dumps(export) + "\n")


if __name__ == "__main__":
    aegis()
    ente()
