#!/usr/bin/env bash
# Installs what is missing, builds Keywright (release: the desktop app and the `keywright`
# CLI) and starts the desktop app on the default vault (~/.local/share/keywright/vault.db).
# The first build takes a while (Tauri and WebKitGTK bindings); later runs are quick.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
(cd ui && npm run --silent build)
cargo build --release --locked -p keywright-app -p keywright-cli
target=${CARGO_TARGET_DIR:-target}
echo "CLI: $target/release/keywright (copy it onto your PATH)"
exec "$target/release/keywright-app" "$@"
