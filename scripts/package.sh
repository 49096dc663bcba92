#!/usr/bin/env bash
# Builds Keywright's release packages with Tauri's bundler: a .deb and an .rpm, each with
# the desktop app, the `keywright` CLI on the PATH, the desktop entry and icons, the manual
# pages and the shell completions. (No AppImage: its bundler downloads its tools while it
# builds, which cannot work offline.)
#
#   bash scripts/package.sh            # -> $CARGO_TARGET_DIR (or target/)/release/bundle/{deb,rpm}/
#
# Needs what scripts/install-deps.sh installs (Rust, Node, the WebKitGTK stack). Uses
# CARGO_TARGET_DIR if set, else target/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
mkdir -p "$target"
target=$(cd "$target" && pwd)
export CARGO_TARGET_DIR=$target

step() { printf '\n==> %s\n' "$*"; }

step "UI (vite build)"
(cd ui && npm run --silent build)

step "the CLI (release)"
cargo build --release --locked -p keywright-cli
kw=$target/release/keywright

step "manual pages and shell completions"
stage=$target/package-stage
rm -rf "$stage"
mkdir -p "$stage/man" "$stage/completions"
"$kw" __man "$stage/man" >/dev/null
gzip -9n "$stage"/man/*.1
# The completion scripts call back `keywright` by name (it is on the PATH once installed):
# generated with this binary first on the PATH so that they say so.
for shell in bash zsh fish; do
  PATH="$target/release:$PATH" "$kw" completions "$shell" >"$stage/completions/keywright.$shell"
  if grep -q "$target" "$stage/completions/keywright.$shell"; then
    echo "package.sh: the $shell completion names the build folder" >&2
    exit 1
  fi
done

# What goes into both packages besides the app (Tauri's `files`: destination -> source).
overlay=$stage/tauri.package.json
python3 - "$stage" "$kw" "$overlay" <<'PY'
import json, os, sys
stage, kw, out = sys.argv[1:]
files = {"/usr/bin/keywright": kw}
for page in sorted(os.listdir(f"{stage}/man")):
    files[f"/usr/share/man/man1/{page}"] = f"{stage}/man/{page}"
files["/usr/share/bash-completion/completions/keywright"] = f"{stage}/completions/keywright.bash"
files["/usr/share/zsh/vendor-completions/_keywright"] = f"{stage}/completions/keywright.zsh"
files["/usr/share/fish/vendor_completions.d/keywright.fish"] = f"{stage}/completions/keywright.fish"
config = {
    "bundle": {
        "linux": {
            "deb": {
                "section": "utils",
                # WebKitGTK and GTK come from Tauri's own list; the Secret Service (the OS
                # keyring slot) is recommended: the vault opens with its password without it.
                "recommends": ["gnome-keyring"],
                "files": files,
            },
            "rpm": {
                "recommends": ["gnome-keyring"],
                "files": files,
            },
        }
    }
}
json.dump(config, open(out, "w"), indent=2)
PY

step "the app and the packages (tauri build --bundles deb,rpm)"
ui/node_modules/.bin/tauri build --bundles deb,rpm --config "$overlay"

step "packages"
ls -l "$target"/release/bundle/deb/*.deb "$target"/release/bundle/rpm/*.rpm
