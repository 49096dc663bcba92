"""Makes the KeePass fixtures that keepassxc-cli cannot write, with PyPI's pykeepass (an
independent KDBX implementation): KDBX 4 with Argon2d/Argon2id, ChaCha20 and no
compression, and a KDBX 3.1 re-written by pykeepass. Password: keywright-test.

    python3 -m venv /tmp/pk && /tmp/pk/bin/pip install pykeepass==4.2.0
    /tmp/pk/bin/python make-pykeepass.py
"""
import os

from pykeepass import PyKeePass, create_database

PW = "keywright-test"
HERE = os.path.dirname(os.path.abspath(__file__))


def fill(kp):
    work = kp.add_group(kp.root_group, "Work")
    e = kp.add_entry(work, "GitHub", "alice", "correct & horse <3", url="https://github.com/login",
                     notes="Work account.", otp="otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub")
    e.set_custom_property("API Token", "ghp_0123456789abcdefghijABCDEFGHIJ012345", protect=True)
    e.set_custom_property("Env", "prod")
    e.save_history()
    e.password = "a newer password"
    kp.add_entry(kp.root_group, "Stripe", "", "sk_live_51Hx0TestKeyForKeywrightImport00")


def variant(name, kdf, cipher, compress=True, argon_version=0x13):
    path = os.path.join(HERE, name)
    kp = create_database(path, password=PW)
    fill(kp)
    dyn = kp.kdbx.header.value.dynamic_header
    dyn.cipher_id.data = cipher
    dyn.encryption_iv.data = os.urandom(12 if cipher == "chacha20" else 16)
    if not compress:
        dyn.compression_flags.data.compression = False
    params = dyn.kdf_parameters.data.dict
    uuids = {"argon2": b"\xefcm\xdf\x8c)DK\x91\xf7\xa9\xa4\x03\xe3\n\x0c",
             "argon2id": b"\x9e)\x8b\x19V\xdbGs\xb2=\xfc>\xc6\xf0\xa1\xe6"}
    params["$UUID"].value = uuids[kdf]
    params["M"].value = 1024 * 1024  # 1 MiB: quick in the tests
    params["I"].value = 2
    params["P"].value = 2
    params["V"].value = argon_version
    kp.save()
    kp = PyKeePass(path, password=PW)
    print(name, kp.version, kp.encryption_algorithm, kp.kdf_algorithm, len(kp.entries))


variant("pykeepass-argon2d-aes.kdbx", "argon2", "aes256")
variant("pykeepass-argon2id-chacha20.kdbx", "argon2id", "chacha20", compress=False)
kp = PyKeePass(os.path.join(HERE, "kdbx3.kdbx"), password=PW)
# pykeepass re-writes the header but keeps the old Meta/HeaderHash: KeePassXC refuses
# the result ("Header doesn't match hash"), and so must Keywright.
kp.save(os.path.join(HERE, "pykeepass-kdbx3-stale-header-hash.kdbx"))


