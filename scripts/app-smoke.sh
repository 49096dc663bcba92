#!/usr/bin/env bash
# Smoke test of the real desktop app under Xvfb.
#
#   scripts/app-smoke.sh APP_BINARY OUTDIR [KEYWRIGHT_CLI]
#
# With the CLI it goes on: makes a vault with three items, starts the app again (locked
# screen: OUTDIR/app-locked.png), types the password and Enter with xdotool, and waits for
# the window to change (OUTDIR/app-unlocked.png).
# Starts Xvfb on a free display, launches the app with KEYWRIGHT_VAULT pointing to a fresh
# (non-existent) vault path and private XDG dirs, waits for its window and for a painted
# screenshot (an unpainted webview is one flat colour), saves OUTDIR/app-no-vault.png,
# checks the window title is "Keywright" and that looking at the vault did not create it.
# Stops exactly the processes it started (Xvfb, the app and the WebKit helper processes
# the app spawned). Exits non-zero with a message on any failure.
set -euo pipefail

TIMEOUT=${SMOKE_TIMEOUT:-120}
EXPECTED_TITLE=Keywright
MIN_COLOURS=20

die() {
    echo "app-smoke: FAIL: $*" >&2
    exit 1
}

[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: $0 APP_BINARY OUTDIR [KEYWRIGHT_CLI]" >&2; exit 2; }
cli=""
[ $# -lt 3 ] || cli=$(realpath -e "$3" 2>/dev/null) || die "no such file: $3"
app=$(realpath -e "$1" 2>/dev/null) || die "no such file: $1"
[ -x "$app" ] || die "not an executable: $app"
mkdir -p "$2"
out=$(realpath "$2")
for tool in Xvfb xwininfo xprop xdpyinfo import convert; do
    command -v "$tool" >/dev/null || die "missing tool: $tool (apt: xvfb x11-utils imagemagick)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/keywright-smoke.XXXXXX")
xvfb_pid=""
app_pid=""
helpers=""   # descendants of the app seen while it ran (WebKitWebProcess, WebKitNetworkProcess)

descendants() { # PID -> all descendant PIDs, one per line
    local child
    for child in $(pgrep -P "$1" 2>/dev/null || true); do
        echo "$child"
        descendants "$child"
    done
}

note_helpers() {
    [ -n "$app_pid" ] || return 0
    local p
    for p in $(descendants "$app_pid"); do
        case " $helpers " in *" $p "*) ;; *) helpers="$helpers $p" ;; esac
    done
}

stop() { # PID...: TERM, wait up to 5 s, then KILL
    local p left i
    [ $# -gt 0 ] || return 0
    kill -TERM "$@" 2>/dev/null || true
    for i in $(seq 50); do
        left=""
        for p in "$@"; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
}

cleanup() {
    local rc=$?
    note_helpers
    [ -z "$app_pid" ] || echo "app-smoke: stopping the app ($app_pid), its helpers (${helpers# }) and Xvfb"
    # The helpers first (they would be re-parented when the app goes), then the app, then X.
    # shellcheck disable=SC2086
    stop $helpers
    [ -n "$app_pid" ] && stop "$app_pid"
    [ -n "$app_pid" ] && wait "$app_pid" 2>/dev/null || true
    [ -n "$xvfb_pid" ] && stop "$xvfb_pid"
    [ -n "$xvfb_pid" ] && wait "$xvfb_pid" 2>/dev/null || true
    local p
    for p in $helpers $app_pid $xvfb_pid; do
        if kill -0 "$p" 2>/dev/null; then
            echo "app-smoke: FAIL: process $p is still running after cleanup" >&2
            [ $rc -ne 0 ] || rc=1
        fi
    done
    if [ $rc -ne 0 ] && [ -s "$work/app.log" ]; then
        echo "app-smoke: last lines of the app's output:" >&2
        tail -n 20 "$work/app.log" >&2
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a display of our own -------------------------------------------------------------
display=""
for n in $(seq 90 190); do
    [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
    Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 100); do
        kill -0 "$xvfb_pid" 2>/dev/null || break
        if xdpyinfo -display ":$n" >/dev/null 2>&1; then display=":$n"; break; fi
        sleep 0.1
    done
    [ -n "$display" ] && break
    stop "$xvfb_pid"; wait "$xvfb_pid" 2>/dev/null || true; xvfb_pid=""
done
[ -n "$display" ] || die "could not start Xvfb on any display :90..:190"
echo "app-smoke: Xvfb on $display (pid $xvfb_pid)"

# --- the app, on a vault path and private XDG dirs -------------------------------------
# No session bus: without one, GLib would autolaunch `dbus-launch` and an accessibility
# bus, daemons that leave the app's process tree and outlive this script. These screens
# need neither (the OS keyring is only asked when the user clicks for it).
vault="$work/vault/vault.db"
mkdir -p "$work/home" "$work/data" "$work/config" "$work/cache" "$work/runtime"
chmod 700 "$work/runtime"

find_window() { # the mapped top-level window whose _NET_WM_PID is the app's
    local id
    for id in $(xwininfo -display "$display" -root -children 2>/dev/null |
        awk '/^ +0x[0-9a-f]+/ {print $1}'); do
        xprop -display "$display" -id "$id" _NET_WM_PID 2>/dev/null |
            grep -qx "_NET_WM_PID(CARDINAL) = $app_pid" || continue
        xwininfo -display "$display" -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable' ||
            continue
        echo "$id"
        return 0
    done
    return 1
}

shot="$work/shot.png"
launch() { # start the app on $vault and wait for a painted window ($wid, $shot)
    DISPLAY=$display KEYWRIGHT_VAULT=$vault \
        DBUS_SESSION_BUS_ADDRESS=disabled: NO_AT_BRIDGE=1 \
        XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache \
        XDG_RUNTIME_DIR=$work/runtime \
        "$app" >"$work/app.log" 2>&1 &
    app_pid=$!
    echo "app-smoke: app started (pid $app_pid), KEYWRIGHT_VAULT=$vault"
    local deadline=$((SECONDS + TIMEOUT)) started=$SECONDS
    wid=""
    colours=0
    while :; do
        kill -0 "$app_pid" 2>/dev/null || die "the app exited before painting its window"
        note_helpers
        [ -n "$wid" ] || wid=$(find_window || true)
        if [ -n "$wid" ] && import -display "$display" -window "$wid" "$shot" 2>/dev/null; then
            colours=$(convert "$shot" -format %k info: 2>/dev/null || echo 0)
            [ "$colours" -gt "$MIN_COLOURS" ] && break
        fi
        [ $SECONDS -lt $deadline ] ||
            die "no painted window after ${TIMEOUT}s (window: ${wid:-none}, colours: $colours)"
        sleep 0.25
    done
    echo "app-smoke: window $wid painted ($colours colours) after $((SECONDS - started))s"
}

quit_app() { # stop the app and the WebKit helpers it started
    note_helpers
    # shellcheck disable=SC2086
    stop $helpers
    stop "$app_pid"
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
    helpers=""
}

save() { # save $shot as OUTDIR/$1 (small PNG)
    convert "$shot" -strip -define png:compression-level=9 "$out/$1"
    echo "app-smoke: screenshot $out/$1 ($(stat -c %s "$out/$1") bytes)"
}

# --- 1. no vault yet ---------------------------------------------------------------------
launch
title=$(xprop -display "$display" -id "$wid" _NET_WM_NAME 2>/dev/null |
    sed -n 's/^_NET_WM_NAME([^)]*) = "\(.*\)"$/\1/p')
[ -n "$title" ] || title=$(xprop -display "$display" -id "$wid" WM_NAME 2>/dev/null |
    sed -n 's/^WM_NAME([^)]*) = "\(.*\)"$/\1/p')
[ "$title" = "$EXPECTED_TITLE" ] || die "window title is '$title', expected '$EXPECTED_TITLE'"
[ ! -e "$vault" ] || die "the app created $vault just by showing its status"
save app-no-vault.png
echo "app-smoke: OK: title '$title', no vault created"

# --- 2. a vault made by the CLI: locked, then unlocked by typing the password -----------
if [ -n "$cli" ]; then
    quit_app
    password="smoke test password"
    printf '%s\n' "$password" | KEYWRIGHT_VAULT=$vault KEYWRIGHT_RUNTIME_DIR=$work/runtime \
        DBUS_SESSION_BUS_ADDRESS=disabled: \
        "$cli" init --password-stdin --no-keyring --kdf-memory 46 --kdf-iterations 1 >/dev/null
    for i in 1 2 3; do
        printf '%s\nsmoke-secret-%s\n' "$password" "$i" | KEYWRIGHT_VAULT=$vault \
            "$cli" --password-stdin add api-key "Smoke $i" >/dev/null
    done
    before=$(sha256sum "$vault")
    launch
    save app-locked.png
    cp "$shot" "$work/locked.png"
    command -v xdotool >/dev/null || die "missing tool: xdotool (apt: xdotool)"
    DISPLAY=$display xdotool windowactivate --sync "$wid" 2>/dev/null ||
        DISPLAY=$display xdotool windowfocus --sync "$wid"
    DISPLAY=$display xdotool type --delay 20 "$password"
    DISPLAY=$display xdotool key Return
    # Wait for the window to change, then for it to settle.
    changed=""
    deadline=$((SECONDS + 30))
    prev=""
    while [ $SECONDS -lt $deadline ]; do
        sleep 0.5
        import -display "$display" -window "$wid" "$shot" 2>/dev/null || continue
        diff=$(compare -metric AE "$work/locked.png" "$shot" null: 2>&1 || true)
        sum=$(md5sum <"$shot")
        if [ "${diff%% *}" != "0" ] && [ "$sum" = "$prev" ]; then changed=1; break; fi
        prev=$sum
    done
    [ -n "$changed" ] || die "typing the password and Enter did not change the window"
    save app-unlocked.png
    [ "$(sha256sum "$vault")" = "$before" ] || echo "app-smoke: note: the vault file changed on unlock"
    echo "app-smoke: OK: locked and unlocked screens captured"
fi
