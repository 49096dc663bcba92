#!/usr/bin/env bash
# Benchmarks whose figures go into the README (never asserted in tests). Run on an idle
# machine: `bash scripts/bench.sh`. Criterion micro-benchmarks: `cargo bench -p keywright-core`.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
# Two builds: a target flag (--example) limits a build to that target.
cargo build -q --release --locked -p keywright-cli
cargo build -q --release --locked -p keywright-core --example make_vault
K=$target/release/keywright
MAKE=$target/release/examples/make_vault
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KEYWRIGHT_RUNTIME_DIR=$work/run
unset KEYWRIGHT_SESSION

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
for n in 1000 10000 100000; do
  echo benchpw | "$MAKE" "$work/v$n.db" "$n" 2>/dev/null
done

echo
echo "## Password unlock (Argon2id calibrated by init on this machine)"
export KEYWRIGHT_VAULT=$work/kdf.db
echo benchpw | "$K" init --password-stdin --no-keyring --json >"$work/init.json"
python3 -c 'import json,sys; k=json.load(open(sys.argv[1]))["kdf"]; print("calibrated: %s MiB x %s iterations" % (k["memory_mib"], k["iterations"]))' "$work/init.json"
echo "whole \`keywright list\` on an empty vault, unlocking with the password:"
hyperfine --warmup 1 -m 10 "echo benchpw | $K --password-stdin list" 2>/dev/null | grep -E 'Time'

for n in 1000 10000 100000; do
  export KEYWRIGHT_VAULT=$work/v$n.db
  eval "$(echo benchpw | "$K" unlock --password-stdin 2>/dev/null)"
  echo
  echo "## $n items, with a session (no KDF)"
  hyperfine -N --warmup 3 -m 20 --export-markdown "$work/h$n.md" \
    "$K list" "$K list --json" "$K show 'github staging 000013'" "$K list stripe prod" >/dev/null 2>&1
  tail -n +3 "$work/h$n.md" | sed "s|$target/release/||"
  /usr/bin/time -f "peak RSS of \`keywright list --json\`: %M KB" "$K" list --json >/dev/null
  if [ "$n" -eq 10000 ]; then
    echo
    echo "## 2FA on $n items (1,000 of them TOTP), with a session, against oathtool and pass"
    # pass (gpg-decrypting one file) stands for the "pass show" class of secret lookup.
    if ! command -v pass >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends pass >/dev/null
    fi
    export GNUPGHOME=$work/gnupg PASSWORD_STORE_DIR=$work/pass
    mkdir -m 700 -p "$GNUPGHOME"
    gpg --batch --quiet --passphrase '' --quick-gen-key bench@keywright.invalid default default never 2>/dev/null
    pass init bench@keywright.invalid >/dev/null
    echo JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP | pass insert -e bench/totp >/dev/null
    pass show bench/totp >/dev/null # starts gpg-agent before the timing
    echo -n JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP >"$work/seed"
    hyperfine -N --warmup 3 -m 30 --export-markdown "$work/otp.md" \
      "$K totp 'auth0 prod 000009'" "$K totp 'auth0 prod 000009' --json" \
      "oathtool --totp -b $(cat "$work/seed")" "pass show bench/totp" >/dev/null 2>&1
    tail -n +3 "$work/otp.md" | sed "s|$target/release/||"

    echo
    echo "## keywright token on $n items, token still valid (real OpenID provider on loopback)"
    (cd tests/oidc && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    exec 3< <(OIDC_ACCESS_TTL=3600 node tests/oidc/server.mjs --port 0 --no-stdin-watch)
    read -r line <&3
    oidc_pid=$(pgrep -n -f "tests/oidc/server.mjs" || true)
    issuer=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["issuer"])' "$line")
    echo kw-basic-secret | "$K" add oauth2 bench-oauth --issuer "$issuer" --client-id kw-basic \
      --scope read --audience urn:keywright:test-api >/dev/null
    "$K" token bench-oauth >/dev/null 2>&1
    hyperfine -N --warmup 3 -m 30 --export-markdown "$work/tok.md" \
      "$K token bench-oauth" "$K token bench-oauth --json" "pass show bench/totp" >/dev/null 2>&1
    tail -n +3 "$work/tok.md" | sed "s|$target/release/||"
    [ -n "$oidc_pid" ] && kill "$oidc_pid" 2>/dev/null || true
    exec 3<&-

    echo
    echo "## keywright request vs curl, same header, same loopback endpoint (httpbin under gunicorn)"
    hb_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    .venv/bin/gunicorn -b "127.0.0.1:$hb_port" -w 2 httpbin:app >/dev/null 2>&1 &
    hb_pid=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$hb_port/get" && break; sleep 0.1; done
    echo sk_bench_request_key | "$K" add api-key bench-key --header X-API-Key >/dev/null
    hyperfine -N --warmup 5 -m 40 --export-markdown "$work/req.md" \
      "$K request bench-key http://127.0.0.1:$hb_port/headers" \
      "curl -s -o /dev/null -H 'X-API-Key: sk_bench_request_key' http://127.0.0.1:$hb_port/headers" >/dev/null 2>&1
    tail -n +3 "$work/req.md" | sed "s|$target/release/||; s|http://127.0.0.1:$hb_port|URL|"
    kill "$hb_pid" 2>/dev/null || true
    gpgconf --kill gpg-agent 2>/dev/null || true
    unset GNUPGHOME PASSWORD_STORE_DIR
  fi
  unset KEYWRIGHT_SESSION
done

echo
echo "## Backup of the 10,000-item vault (snapshot through SQLite, checked, synced, renamed)"
export KEYWRIGHT_VAULT=$work/v10000.db
unset KEYWRIGHT_SESSION
mkdir -p "$work/bk"
# A snapshot needs no key: no unlock. --prepare empties the folder so each run writes one file.
hyperfine -N --warmup 2 -m 15 --prepare "rm -f $work/bk/keywright-*.kwbak.db" \
  --export-markdown "$work/bk.md" "$K backup --to $work/bk" >/dev/null 2>&1
tail -n +3 "$work/bk.md" | sed "s|$target/release/||; s|$work/|…/|g"
"$K" backup --to "$work/bk" --json >"$work/bk.json"
snap=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["path"])' "$work/bk.json")
echo "vault file: $(stat -c %s "$KEYWRIGHT_VAULT") bytes (+ $(stat -c %s "$KEYWRIGHT_VAULT-wal" 2>/dev/null || echo 0) in its -wal); snapshot: $(stat -c %s "$snap") bytes"
hyperfine -N --warmup 2 -m 15 --prepare "rm -f $work/restored.db" \
  --export-markdown "$work/rs.md" "$K restore $snap --to $work/restored.db" >/dev/null 2>&1
tail -n +3 "$work/rs.md" | sed "s|$target/release/||; s|$work/|…/|g"
/usr/bin/time -f "peak RSS of \`keywright backup\`: %M KB" "$K" backup --to "$work/bk" >/dev/null

echo
echo "## Import of a 10,000-entry KeePassXC database (.kdbx 4 made by keepassxc-cli) into a new vault"
if ! command -v keepassxc-cli >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends keepassxc >/dev/null
fi
python3 scripts/make-keepass-xml.py 10000 "$work/kp10k.xml"
for run in 1 2 3; do
  rm -f "$work/kp10k.kdbx" "$work/imp$run.db"*
  printf 'benchkdbx\nbenchkdbx\n' | /usr/bin/time -f "keepassxc-cli import of the XML (run $run): %e s, peak RSS %M KB" \
    keepassxc-cli import -q -p "$work/kp10k.xml" "$work/kp10k.kdbx" 2>&1 >/dev/null | grep -v password
  export KEYWRIGHT_VAULT=$work/imp$run.db
  echo benchpw | "$K" init --password-stdin --no-keyring --json >/dev/null
  printf 'benchpw\nbenchkdbx\n' | /usr/bin/time -f "keywright import kdbx, vault password (run $run): %e s, peak RSS %M KB" \
    "$K" --password-stdin --json import kdbx "$work/kp10k.kdbx" >"$work/imp.json"
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); print("  rows %d, added %d, invalid %d" % (len(v["rows"]), v["added"], v["invalid"]))' "$work/imp.json"
  export KEYWRIGHT_VAULT=$work/imp$run-s.db
  echo benchpw | "$K" init --password-stdin --no-keyring --json >/dev/null
  eval "$(echo benchpw | "$K" unlock --password-stdin 2>/dev/null)"
  printf 'benchpw\nbenchkdbx\n' | /usr/bin/time -f "keywright import kdbx, with a session (run $run): %e s, peak RSS %M KB" \
    "$K" --password-stdin --json import kdbx "$work/kp10k.kdbx" >/dev/null
  unset KEYWRIGHT_SESSION
done
