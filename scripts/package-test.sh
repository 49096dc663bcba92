#!/usr/bin/env bash
# Installs the .deb that scripts/package.sh made, on this machine, as a user would; uses it;
# removes it; and checks the user's vault is untouched. Inspects the .rpm's file list
# against the .deb's.
#
#   bash scripts/package-test.sh [OUTDIR]      # screenshots into OUTDIR
#
# Needs root or sudo (apt-get). Uses CARGO_TARGET_DIR if set, else target/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=${1:-${KEYWRIGHT_ARTIFACTS:-$root/.ci/artifacts}/package}
mkdir -p "$out"
out=$(cd "$out" && pwd)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

step() { printf '\n==> %s\n' "$*"; }
die() { echo "package-test: FAIL: $*" >&2; exit 1; }

deb=$(ls -t "$target"/release/bundle/deb/*.deb 2>/dev/null | head -n 1)
rpmf=$(ls -t "$target"/release/bundle/rpm/*.rpm 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "no .deb in $target/release/bundle/deb (run scripts/package.sh)"
[ -n "$rpmf" ] || die "no .rpm in $target/release/bundle/rpm (run scripts/package.sh)"
pkg=$(dpkg-deb -f "$deb" Package)
echo "deb: $deb ($(du -h "$deb" | cut -f1), package $pkg $(dpkg-deb -f "$deb" Version))"
echo "rpm: $rpmf ($(du -h "$rpmf" | cut -f1))"

step "the .deb's control fields"
depends=$(dpkg-deb -f "$deb" Depends)
recommends=$(dpkg-deb -f "$deb" Recommends)
echo "Depends: $depends"
echo "Recommends: $recommends"
case "$depends" in *libwebkit2gtk-4.1-0*) ;; *) die "Depends lacks WebKitGTK: $depends" ;; esac
case "$recommends" in *gnome-keyring*) ;; *) die "Recommends lacks gnome-keyring: $recommends" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/keywright-package.XXXXXX")
installed=""
cleanup() {
    local rc=$?
    if [ -n "$installed" ]; then
        $SUDO apt-get remove -y -q "$pkg" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT

step "apt-get install ./$(basename "$deb")"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    die "$pkg is already installed on this machine; remove it first"
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "$deb" >/dev/null
installed=1
for f in /usr/bin/keywright /usr/share/man/man1/keywright.1.gz \
    /usr/share/man/man1/keywright-run.1.gz /usr/share/bash-completion/completions/keywright \
    /usr/share/zsh/vendor-completions/_keywright /usr/share/fish/vendor_completions.d/keywright.fish; do
    [ -f "$f" ] || die "not installed: $f"
done
desktop=$(dpkg -L "$pkg" | grep '^/usr/share/applications/.*\.desktop$' | head -n 1)
[ -n "$desktop" ] || die "no desktop entry in the package"
icons=$(dpkg -L "$pkg" | grep -c '^/usr/share/icons/hicolor/.*\.png$' || true)
[ "$icons" -ge 1 ] || die "no icons in the package"
echo "desktop entry: $desktop; $icons icons"
grep -E '^(Name|Exec|Icon|Categories)=' "$desktop"

step "the installed CLI"
export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share XDG_CONFIG_HOME=$work/home/.config \
    KEYWRIGHT_RUNTIME_DIR=$work/run
mkdir -p "$HOME"
unset KEYWRIGHT_VAULT KEYWRIGHT_SESSION
version=$(keywright --version)
echo "$version"
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
case "$version" in *"($commit)"*) ;; *) die "keywright --version does not name commit $commit: $version" ;; esac
command -v keywright | grep -q '^/usr/bin/keywright$' || die "keywright is not /usr/bin/keywright"
printf 'package-test-pw\npackage-test-pw\n' |
    keywright --password-stdin init --no-keyring --kdf-memory 46 --kdf-iterations 1 >/dev/null
printf 'package-test-pw\nsk_test_package_4242424242\n' |
    keywright --password-stdin add api-key "Package test" >/dev/null
list=$(printf 'package-test-pw\n' | keywright --password-stdin --json list)
case "$list" in *'"Package test"'*) ;; *) die "list: $list" ;; esac
vault=$XDG_DATA_HOME/keywright/vault.db
[ -f "$vault" ] || die "the vault is not at the default path $vault"
before=$(sha256sum "$vault" | cut -d' ' -f1)
echo "init, add, list: ok (vault $vault)"
gzip -dc /usr/share/man/man1/keywright-read.1.gz | grep -q 'keywright://' || die "man page"

step "the app from its desktop entry under Xvfb (first run), then with the vault"
exec_line=$(grep -m1 '^Exec=' "$desktop" | cut -d= -f2- | sed -E 's/ %[a-zA-Z]//g')
app=$(command -v "${exec_line%% *}") || die "the desktop entry's Exec is not on the PATH: $exec_line"
echo "Exec=$exec_line -> $app"
bash scripts/app-smoke.sh "$app" "$out" /usr/bin/keywright

step "apt-get remove $pkg"
sync
$SUDO apt-get remove -y -q "$pkg" >/dev/null
installed=""
[ ! -e /usr/bin/keywright ] || die "/usr/bin/keywright is still there"
[ ! -e "$app" ] || die "$app is still there"
[ -f "$vault" ] || die "the vault is gone after the package was removed"
after=$(sha256sum "$vault" | cut -d' ' -f1)
[ "$before" = "$after" ] || die "the vault changed when the package was removed"
echo "removed; the vault is untouched ($after)"

step "the .rpm: the same files as the .deb"
if ! command -v rpm >/dev/null; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends rpm >/dev/null 2>&1 || true
fi
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $NF}' | sed -E 's|^\.?/?|/|' | sort >"$work/deb.files"
if command -v rpm >/dev/null; then
    rpm -qlp "$rpmf" 2>/dev/null | sort >"$work/rpm.files"
    if ! diff -u "$work/deb.files" "$work/rpm.files"; then
        # The doc and changelog files are Debian's own; everything else must match.
        grep -v '^/usr/share/doc/' "$work/deb.files" >"$work/deb.cmp"
        grep -v '^/usr/share/doc/' "$work/rpm.files" >"$work/rpm.cmp"
        diff -u "$work/deb.cmp" "$work/rpm.cmp" || die "the .rpm and the .deb hold different files"
    fi
    echo "rpm -qlp: $(wc -l <"$work/rpm.files") files, the .deb's"
    rpm -qp --requires "$rpmf" 2>/dev/null | grep -i webkit || die "the .rpm does not require WebKitGTK"
else
    echo "rpm is not installable here: the .rpm was built but not inspected"
fi
echo
echo "package-test: OK"
