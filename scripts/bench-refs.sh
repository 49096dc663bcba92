#!/usr/bin/env bash
# Secret references on a 10,000-item vault with a session: what `keywright run --env-file`
# with 20 references adds to running the command bare, and `read`/`inject`/`env --check`.
# Figures go into the README (never asserted in tests): `bash scripts/bench-refs.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release --locked -p keywright-cli
cargo build -q --release --locked -p keywright-core --example make_vault
K=$target/release/keywright
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KEYWRIGHT_RUNTIME_DIR=$work/run KEYWRIGHT_VAULT=$work/v.db
unset KEYWRIGHT_SESSION
echo benchpw | "$target/release/examples/make_vault" "$KEYWRIGHT_VAULT" 10000 2>/dev/null
eval "$(echo benchpw | "$K" unlock --password-stdin 2>/dev/null)"

# 20 API keys of the vault (make_vault: items with i % 5 in {0, 1} are API keys), spread
# over the whole vault, as references in a .env template; two plain values beside them.
python3 - "$work" <<'PY'
import sys
svc = ["stripe", "github", "aws", "openai", "twilio", "sendgrid", "datadog", "sentry",
       "slack", "auth0", "cloudflare", "pagerduty"]
envs = ["prod", "staging", "dev", "ci"]
name = lambda i: f"{svc[i % 12]} {envs[(i // 12) % 4]} {i:06}"
ids = [i - (i % 5) for i in range(0, 10000, 500)][:20]
with open(f"{sys.argv[1]}/refs.env", "w") as f:
    f.write("PORT=3000\nAPI_URL=https://api.example.test\n")
    for n, i in enumerate(ids):
        f.write(f"KEY_{n}=keywright://{name(i)}/secret\n")
with open(f"{sys.argv[1]}/one.tpl", "w") as f:
    f.write(f"key: {{{{ keywright://{name(ids[0])}/secret }}}}\n")
print(f"{len(ids)} references, e.g. keywright://{name(ids[0])}/secret")
PY
"$K" run --env-file "$work/refs.env" -- sh -c 'test -n "$KEY_19"' || { echo "refs do not resolve" >&2; exit 1; }

echo "machine: $(nproc) cores, $(uname -sr)"
hyperfine -N --warmup 5 -m 40 --export-markdown "$work/run.md" \
  "true" \
  "$K run --env-file $work/refs.env -- true" \
  "$K run --no-masking --env-file $work/refs.env -- true" \
  "$K read 'keywright:/$(sed -n 3p "$work/refs.env" | cut -d/ -f2-)'" \
  "$K inject -i $work/one.tpl" \
  "$K env --check --env-file $work/refs.env" >/dev/null 2>&1
tail -n +3 "$work/run.md" | sed "s|$target/release/||; s|$work/|…/|g"
/usr/bin/time -f "peak RSS of \`keywright run --env-file\` (20 references): %M KB" \
  "$K" run --env-file "$work/refs.env" -- true
