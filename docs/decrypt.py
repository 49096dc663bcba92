#!/usr/bin/env python3
"""Independent decryptor for Keywright vaults, written from docs/vault-format.md alone.

Usage:
    python3 docs/decrypt.py VAULT.db  < password        # unlock with the password
    python3 docs/decrypt.py --recovery VAULT.db < code  # unlock with the recovery code

Prints every item (overview and secret), the previous values kept by "Mark rotated" and the
audit log as JSON on stdout.
Needs: pip install pynacl argon2-cffi   (libsodium's XChaCha20-Poly1305, reference Argon2)
"""

import base64
import hashlib
import hmac
import json
import sqlite3
import sys
import time
import unicodedata

from argon2.low_level import Type, hash_secret_raw
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt

BLOB_VERSION = 1


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def open_blob(key: bytes, ad: str, blob: bytes) -> bytes:
    if len(blob) < 1 + 24 + 16 or blob[0] != BLOB_VERSION:
        raise ValueError("not a version-1 sealed blob")
    nonce, ct = blob[1:25], blob[25:]
    return crypto_aead_xchacha20poly1305_ietf_decrypt(ct, ad.encode(), nonce, key)


def main() -> int:
    args = sys.argv[1:]
    recovery = "--recovery" in args
    args = [a for a in args if a != "--recovery"]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    secret = sys.stdin.readline().rstrip("\r\n")
    db = sqlite3.connect(f"file:{args[0]}?mode=ro", uri=True)
    (app_id,) = db.execute("PRAGMA application_id").fetchone()
    if app_id != 0x4B575254:
        raise SystemExit("not a Keywright vault")
    meta = dict(db.execute("SELECT key, value FROM meta"))
    vault_id = meta["vault_id"]
    slots = {row[0]: (json.loads(row[1]), row[2]) for row in db.execute("SELECT id, params, wrapped_key FROM slots")}

    if recovery:
        params, wrapped = slots["recovery"]
        canon = "".join(c for c in secret if not c.isspace() and c != "-").upper()
        code = base64.b32decode(canon + "=" * (-len(canon) % 8))
        if len(code) != 20:
            raise SystemExit("a recovery code has 20 bytes")
        kek = hkdf_sha256(code, base64.b64decode(params["salt"]), b"keywright/v1/recovery")
        slot_id = "recovery"
    else:
        params, wrapped = slots["password"]
        assert params["kdf"] == "argon2id"
        kek = hash_secret_raw(
            secret.encode(), base64.b64decode(params["salt"]),
            time_cost=params["iterations"], memory_cost=params["memory_kib"],
            parallelism=params["parallelism"], hash_len=32, type=Type.ID,
        )
        slot_id = "password"
    vk = open_blob(kek, f"keywright/v1/{vault_id}/slots/{slot_id}/vault-key", wrapped)

    check = open_blob(vk, f"keywright/v1/{vault_id}/meta/key_check/value", base64.b64decode(meta["key_check"]))
    assert check == b"keywright vault key check v1", "key check failed"

    salt = vault_id.encode()
    k_overview = hkdf_sha256(vk, salt, b"keywright/v1/overview")
    k_secret = hkdf_sha256(vk, salt, b"keywright/v1/secret")
    k_audit = hkdf_sha256(vk, salt, b"keywright/v1/audit")
    k_name = hkdf_sha256(vk, salt, b"keywright/v1/name-index")

    # name_mac's folding: meta.name_fold absent = 1 (lower-case), 2 = NFC, full case fold, NFC.
    fold_row = db.execute("SELECT value FROM meta WHERE key = 'name_fold'").fetchone()
    name_fold = int(fold_row[0]) if fold_row else 1

    def fold(name: str) -> str:
        if name_fold == 1:
            return name.strip().lower()
        nfc = unicodedata.normalize("NFC", name.strip())
        return unicodedata.normalize("NFC", nfc.casefold())

    items = []
    for item_id, name_mac, overview, secret_blob in db.execute("SELECT id, name_mac, overview, secret FROM items"):
        ov = json.loads(open_blob(k_overview, f"keywright/v1/{vault_id}/items/{item_id}/overview", overview))
        sec = json.loads(open_blob(k_secret, f"keywright/v1/{vault_id}/items/{item_id}/secret", secret_blob))
        expected_mac = hmac.new(k_name, fold(ov["name"]).encode(), hashlib.sha256).digest()
        items.append({"id": item_id, "overview": ov, "secret": sec, "name_mac_ok": expected_mac == name_mac})
    # The Trash (schema 7): the overview's AD binds the deletion time.
    trash = []
    has_trash = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'trash'").fetchone()
    for item_id, deleted_at, overview, secret_blob in (
        db.execute("SELECT id, deleted_at, overview, secret FROM trash") if has_trash else []
    ):
        ov = json.loads(open_blob(k_overview, f"keywright/v1/{vault_id}/trash/{item_id}/overview/{deleted_at}", overview))
        sec = json.loads(open_blob(k_secret, f"keywright/v1/{vault_id}/trash/{item_id}/secret", secret_blob))
        trash.append({"id": item_id, "deleted_at": deleted_at, "overview": ov, "secret": sec})
    # The sealed item count: {"items": N, "trash": M} (no "trash" before schema 7: 0).
    head = None
    if "item_head" in meta:
        head = json.loads(open_blob(k_overview, f"keywright/v1/{vault_id}/meta/item_head/value", base64.b64decode(meta["item_head"])))
    audit = [
        json.loads(open_blob(k_audit, f"keywright/v1/{vault_id}/audit/{ev_id}/event", blob))
        for ev_id, blob in db.execute("SELECT id, event FROM audit ORDER BY seq")
    ]
    # Schema 8: previous values kept by "Mark rotated" until purge_at (later rows are ignored).
    # A trashed item keeps its previous versions (their item_id is in `trash`, not `items`).
    previous = []
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'versions'").fetchone():
        now = int(time.time())
        for vid, item_id, created_at, purge_at, blob in db.execute(
            "SELECT id, item_id, created_at, purge_at, value FROM versions WHERE purge_at > ? ORDER BY created_at",
            (now,),
        ):
            ad = f"keywright/v1/{vault_id}/versions/{vid}/value/{item_id}/{purge_at}"
            value = json.loads(open_blob(k_secret, ad, blob))["value"]
            previous.append({"id": vid, "item_id": item_id, "created_at": created_at, "purge_at": purge_at, "value": value})
    json.dump(
        {"vault_id": vault_id, "items": items, "trash": trash, "item_head": head, "audit": audit,
         "previous_versions": previous},
        sys.stdout, indent=1, sort_keys=True,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
