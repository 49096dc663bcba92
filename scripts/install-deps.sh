#!/usr/bin/env bash
# Installs what Keywright needs to build, run and test on Debian/Ubuntu, and only what is
# missing: system packages (Tauri's WebKitGTK stack, Xvfb, gnome-keyring, oathtool,
# chromium, ...) and the UI's npm packages. Safe to run again: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  # Tauri 2 on Linux (see shared FACTS / tauri.app prerequisites)
  libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config
  # The real window under Xvfb, screenshots, WebDriver
  xvfb xauth dbus-x11 x11-utils webkit2gtk-driver imagemagick
  # The real Secret Service for the keyring slot, and its CLI
  gnome-keyring libsecret-tools dbus
  # Second TOTP implementation, browser for UI checks, benchmark timer
  oathtool chromium hyperfine python3-venv xdotool xclip
  # keepassxc-cli: the real KeePassXC reads the KeePass XML export in the tests
  keepassxc
  # openssl: AES-256-CBC for the Bitwarden password-protected export fixtures (tests/fixtures)
  openssl
  # The real file-sync engine the sync tests carry the vault's sync folder with; git for the
  # git-repository recipe
  syncthing git
  # rpm: the package test reads the .rpm's file list (rpm -qlp)
  rpm
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${missing[@]}"
fi

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "install-deps: $tool is required (Rust via rustup, Node.js 20+)" >&2; exit 1; }
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "install-deps: Node.js 20 or newer is required (found $(node --version))" >&2
  exit 1
fi

# cargo-deny for the licence, ban and source policy (deny.toml); built from crates.io once.
if ! command -v cargo-deny >/dev/null || ! cargo-deny --version | grep -q '^cargo-deny 0\.20\.'; then
  echo "install-deps: installing cargo-deny 0.20 (a few minutes, once)"
  env -u CARGO_TARGET_DIR cargo install cargo-deny --locked --version '^0.20' --quiet
fi

# UI packages, exactly as locked.
if [ -f ui/package-lock.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
# The test OpenID provider (oidc-provider) for the OAuth integration tests, exactly as locked.
if [ -f tests/oidc/package-lock.json ]; then
  if [ ! -d tests/oidc/node_modules ] || [ tests/oidc/package-lock.json -nt tests/oidc/node_modules/.package-lock.json ]; then
    (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
# The real API clients (Postman's newman, Bruno's bru) that run the collections the import
# tests write, exactly as locked.
if [ -f tests/clients/package-lock.json ]; then
  if [ ! -d tests/clients/node_modules ] || [ tests/clients/package-lock.json -nt tests/clients/node_modules/.package-lock.json ]; then
    (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
# Python for the independent vault decryptor (docs/decrypt.py) and the test peers;
# httpbin under gunicorn is the real HTTP peer of the test-request tests.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import nacl, argon2, httpbin, gunicorn' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check pynacl argon2-cffi httpbin gunicorn
fi
echo "install-deps: all dependencies present"
