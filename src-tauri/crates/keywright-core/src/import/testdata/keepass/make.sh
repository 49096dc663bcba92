#!/usr/bin/env bash
# Makes the KeePass fixtures of keywright-core's import tests from source.xml with the real
# keepassxc-cli (Debian's keepassxc 2.7). Password of every database: keywright-test.
#   kdbx3.kdbx   KDBX 3.1 (keepassxc-cli writes 3.1 with AES-KDF when nothing needs 4)
#   kdbx4.kdbx   KDBX 4.0 (the same entries with an entry CustomData item, which needs 4)
#   export.xml   keepassxc-cli export -f xml of kdbx4.kdbx
#   export.csv   keepassxc-cli export -f csv of kdbx4.kdbx
# kdbx4-argon2id-chacha20.kdbx is made by make-pykeepass.py (PyPI pykeepass).
set -euo pipefail
cd "$(dirname "$0")"
PW=keywright-test
rm -f kdbx3.kdbx kdbx4.kdbx
printf '%s\n%s\n' "$PW" "$PW" | keepassxc-cli import -q -p source.xml kdbx3.kdbx
sed 's|<String><Key>Title</Key><Value>Service JWT</Value></String>|<CustomData><Item><Key>keywright</Key><Value>test</Value></Item></CustomData>&|' \
  source.xml >"${TMPDIR:-/tmp}/kw-source4.xml"
printf '%s\n%s\n' "$PW" "$PW" | keepassxc-cli import -q -p "${TMPDIR:-/tmp}/kw-source4.xml" kdbx4.kdbx
rm -f "${TMPDIR:-/tmp}/kw-source4.xml"
printf '%s\n' "$PW" | keepassxc-cli export -q -f xml kdbx4.kdbx >export.xml
printf '%s\n' "$PW" | keepassxc-cli export -q -f csv kdbx4.kdbx >export.csv
xxd -l 12 kdbx3.kdbx
xxd -l 12 kdbx4.kdbx
