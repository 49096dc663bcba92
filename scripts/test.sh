#!/usr/bin/env bash
# Runs every Keywright test: formatting and lints, the UI's checks, the Rust suites (core
# units, CLI end to end, the real Secret Service), and the real app window under Xvfb.
#
# It runs inside a private D-Bus session with its own unlocked gnome-keyring (HOME of the
# keyring daemon is a temp dir), so it never touches your real keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [ -z "${KEYWRIGHT_TEST_IN_DBUS:-}" ]; then
  bash scripts/install-deps.sh
  export KEYWRIGHT_TEST_IN_DBUS=1
  exec dbus-run-session -- bash "$0" "$@"
fi

# CARGO_TARGET_DIR if set (.ci/run points it at a cache so clean-clone runs reuse builds),
# else the clone's own target/.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$CARGO_TARGET_DIR"
ARTIFACTS=${KEYWRIGHT_ARTIFACTS:-$ROOT/.ci/artifacts}
mkdir -p "$ARTIFACTS"

step() { printf '\n==> %s\n' "$*"; }

step "private Secret Service (gnome-keyring)"
KR_HOME=$(mktemp -d)
trap 'rm -rf "$KR_HOME"' EXIT
printf 'keywright-test' | HOME=$KR_HOME XDG_DATA_HOME=$KR_HOME/.local/share \
  gnome-keyring-daemon --unlock --components=secrets >/dev/null
# Wait until the daemon owns the Secret Service name before any client asks for it:
# a client that comes first makes D-Bus activate a second daemon with the real HOME,
# whose missing login keyring then needs a prompt ("result not returned from SS API").
for i in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q "boolean true" && break
  [ "$i" -eq 100 ] && { echo "test.sh: gnome-keyring never took org.freedesktop.secrets" >&2; exit 1; }
  sleep 0.1
done
# A fresh login keyring takes a moment before it accepts writes: wait until it does.
for i in $(seq 50); do
  if printf probe | secret-tool store --label=keywright-probe service keywright-probe username probe 2>/dev/null; then
    secret-tool clear service keywright-probe username probe 2>/dev/null || true
    break
  fi
  [ "$i" -eq 50 ] && { echo "test.sh: the private Secret Service never became writable" >&2; exit 1; }
  sleep 0.2
done
export KEYWRIGHT_REQUIRE_SECRET_SERVICE=1
# keepassxc-cli (installed by install-deps.sh) reads the KeePass XML export: never skipped here.
export KEYWRIGHT_REQUIRE_KEEPASSXC=1
# syncthing (installed by install-deps.sh) carries the sync folder: never skipped here.
export KEYWRIGHT_REQUIRE_SYNCTHING=1
export KEYWRIGHT_TEST_PYTHON=$ROOT/.venv/bin/python

step "UI: typecheck, lint, unit tests, build"
(cd ui && npm run --silent typecheck && npm run --silent lint && npm run --silent test && npm run --silent build)

step "UI in headless Chromium: every screen, 10,000 mocked items, search timing"
(cd ui && npm run --silent check:browser -- "$ARTIFACTS/browser")

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo deny: licences, banned crates, sources (deny.toml)"
cargo deny --locked check licenses bans sources

step "build: CLI and desktop app"
cargo build --workspace --locked

step "Rust tests: core, CLI end to end, real Secret Service"
cargo test --workspace --locked --lib --bins --tests 2>&1 | tee "$ARTIFACTS/cargo-test.log"
rust_passed=$(awk '/^test result:/ {s += $4} END {print s + 0}' "$ARTIFACTS/cargo-test.log")
rust_failed=$(awk '/^test result:/ {s += $6} END {print s + 0}' "$ARTIFACTS/cargo-test.log")

step "TypeScript bindings: what the Rust types generate is what is committed"
# ts-rs wrote ui/src/bindings/ during the tests above (keywright-ipc and keywright-core).
if ! git diff --quiet -- ui/src/bindings ||
    [ -n "$(git ls-files --others --exclude-standard -- ui/src/bindings)" ]; then
    git status --short -- ui/src/bindings
    echo "ui/src/bindings differs from the Rust types: run 'cargo test --workspace' and commit ui/src/bindings" >&2
    exit 1
fi
echo "ui/src/bindings is up to date"

step "desktop app: real window under Xvfb"
bash scripts/app-smoke.sh "$CARGO_TARGET_DIR/debug/keywright-app" "$ARTIFACTS" "$CARGO_TARGET_DIR/debug/keywright"

step "desktop app end to end: real window, WebKitWebDriver, real keyring and clipboard"
python3 tests/e2e/app_e2e.py "$CARGO_TARGET_DIR/debug/keywright-app" "$ARTIFACTS/e2e" \
  "$CARGO_TARGET_DIR/debug/keywright"

step "desktop app every day: every screen at 800x600, 1100x720, 1600x1000, light and dark; layout from element rects; keystroke benchmark"
python3 tests/e2e/app_screens.py "$CARGO_TARGET_DIR/debug/keywright-app" "$ARTIFACTS/screens" \
  "$CARGO_TARGET_DIR/debug/keywright"
step "packages: build the .deb and .rpm (release), install the .deb, use it, remove it"
bash scripts/package.sh
bash scripts/package-test.sh "$ARTIFACTS/package"
echo "screenshots in $ARTIFACTS (app-*.png), $ARTIFACTS/e2e, $ARTIFACTS/screens, $ARTIFACTS/browser and $ARTIFACTS/package"

step "all tests passed"
echo "rust: $rust_passed passed, $rust_failed failed"
