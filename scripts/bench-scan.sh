#!/usr/bin/env bash
# `keywright scan` throughput against `grep -rF -f patterns.txt` over the same tree with the
# same values (README, Benchmarks → Leak scan).
#
#   scripts/bench-scan.sh [TREE...]     default TREE: the cargo target dir
#
# Makes a vault of ITEMS (default 10000) API keys with random 40-character values (one
# `keywright import dotenv`), writes the same values to patterns.txt, and times with hyperfine
# (--warmup 1, page cache warm for both):
#   - keywright scan TREE            (with a session: no key derivation in the timing)
#   - LC_ALL=C grep -rF  -f patterns.txt TREE
#   - LC_ALL=C grep -rIF -f patterns.txt TREE   (-I skips binary files, as keywright does)
#   - keywright scan EMPTY_DIR       (the fixed cost: open the vault, 10k secrets, build)
# and prints MB/s for each (the tree's bytes in regular files / mean time).
#
# grep searches the plain values only; keywright searches each value in every form
# (plain, JSON-escaped, URL-encoded, base64 in two alphabets at three alignments: about 7
# needles per value here, since random alphanumeric values have no JSON or URL form of
# their own), so it does more work per byte than grep.
#
# Needs: cargo, hyperfine, GNU grep. Uses CARGO_TARGET_DIR if set.
set -euo pipefail

cd "$(dirname "$0")/.."
ITEMS=${ITEMS:-10000}
RUNS=${RUNS:-5}
target=${CARGO_TARGET_DIR:-target}
if [ "$#" -eq 0 ]; then
    set -- "$target"
fi

cargo build --release -p keywright-cli >&2
kw="$(cd "$target" && pwd)/release/keywright"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KEYWRIGHT_VAULT="$work/vault.db"
export KEYWRIGHT_RUNTIME_DIR="$work/run"
export KEYWRIGHT_KEYRING_SERVICE=keywright-bench
unset KEYWRIGHT_SESSION
password="bench-scan-password-$$"

# ITEMS random values, each with a prefix of a common key shape.
# (`head` closes the pipe early: not a failure here.)
(
    set +o pipefail
    head -c $((ITEMS * 60)) /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | fold -w 32 |
        head -n "$ITEMS" |
        awk 'BEGIN { split("sk_live_ ghp_ xoxb- AKIA", p, " ") } { print p[NR % 4 + 1] $0 }'
) >"$work/patterns.txt"
if [ "$(wc -l <"$work/patterns.txt")" -ne "$ITEMS" ]; then
    echo "could not generate $ITEMS values" >&2
    exit 1
fi
awk '{ printf "BENCH_KEY_%05d=%s\n", NR, $0 }' "$work/patterns.txt" >"$work/bench.env"

printf '%s\n' "$password" |
    "$kw" init --password-stdin --no-keyring --kdf-memory 46 --kdf-iterations 1 >/dev/null
printf '%s\n' "$password" |
    "$kw" --password-stdin --json import dotenv "$work/bench.env" --all >"$work/import.json"
KEYWRIGHT_SESSION=$(printf '%s\n' "$password" | "$kw" --password-stdin --json unlock |
    sed -n 's/.*"session":"\([^"]*\)".*/\1/p')
export KEYWRIGHT_SESSION
items=$("$kw" --json status | sed -n 's/.*"items":\([0-9]*\).*/\1/p')
echo "vault: $items items; patterns.txt: $(wc -l <"$work/patterns.txt") values" >&2
mkdir "$work/empty"
# The same needles keywright searches, for grep too: each value and its base64 forms (both
# alphabets, three alignments, only the characters that depend on the value alone, as
# keywright-core/src/scan.rs makes them; these alphanumeric values have no JSON or URL
# form of their own).
python3 - "$work/patterns.txt" "$work/patterns-all.txt" <<'PY'
import base64, sys
out = []
for v in open(sys.argv[1], "rb").read().split():
    out.append(v)
    for enc in (base64.b64encode, base64.urlsafe_b64encode):
        for k in range(3):
            e = enc(b"\0" * k + v).rstrip(b"=")
            start, end = -(-8 * k // 6), (8 * (k + len(v))) // 6
            if end - start >= 8:
                out.append(e[start:end])
seen = set()
with open(sys.argv[2], "wb") as f:
    for n in out:
        if n not in seen:
            seen.add(n)
            f.write(n + b"\n")
PY
echo "patterns-all.txt: $(wc -l <"$work/patterns-all.txt") needles (the values and their forms)" >&2

mbps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }

for tree in "$@"; do
    bytes=$(find "$tree" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    files=$(find "$tree" -type f | wc -l)
    text_bytes=$(LC_ALL=C grep -rlIF -e "" "$tree" | tr '\n' '\0' | xargs -0 -r cat | wc -c)
    echo
    echo "== $tree: $files files, $(mbps "$bytes" 1) MB ($(mbps "$text_bytes" 1) MB in text files)"
    "$kw" scan "$tree" >/dev/null || true
    hyperfine --warmup 1 --runs "$RUNS" -i -N --style basic \
        --export-json "$work/h.json" \
        -n "keywright scan" "$kw scan $tree" \
        -n "grep -rF" "env LC_ALL=C grep -rF -f $work/patterns.txt $tree" \
        -n "grep -rIF" "env LC_ALL=C grep -rIF -f $work/patterns.txt $tree" \
        -n "keywright scan (empty dir: fixed cost)" "$kw scan $work/empty" \
        -n "grep -rIF, every form" "env LC_ALL=C grep -rIF -f $work/patterns-all.txt $tree" >&2
    field() { sed -n "s/.*\"$1\": *\([0-9.e-]*\).*/\1/p" "$work/h.json" | sed -n "$2p"; }
    fixed=$(field mean 4)
    names=("keywright scan" "grep -rF" "grep -rIF" "" "grep -rIF, all forms")
    for i in 1 2 3 5; do
        mean=$(field mean "$i")
        min=$(field min "$i")
        printf '%-16s mean %6.3f s = %5s MB/s   min %6.3f s = %5s MB/s' "${names[i - 1]}" \
            "$mean" "$(mbps "$bytes" "$mean")" "$min" "$(mbps "$bytes" "$min")"
        if [ "$i" -eq 1 ]; then
            printf '   (fixed cost %.3f s: the scan itself %s MB/s)' "$fixed" \
                "$(mbps "$bytes" "$(awk -v m="$mean" -v f="$fixed" 'BEGIN { print m - f }')")"
        fi
        echo
    done
done
