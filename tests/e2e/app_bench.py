#!/usr/bin/env python3
"""Desktop-app benchmark on a 10,000-item vault in the real window (WebKitGTK under Xvfb,
through WebKitWebDriver). Figures go into the README; nothing is asserted about time.

usage: app_bench.py APP_BINARY MAKE_VAULT [ITEMS] [KEYWRIGHT_CLI]

Measures: launch to the unlock screen; Unlock click to the listed items (includes the
vault's Argon2id, 46 MiB x 1 as make_vault sets it); idle memory of the whole app (the app
process and its WebKit web and network processes: RSS and PSS) 10 s after unlocking; and
search keystroke to updated list in the real webview (median and p95 of 40 keystrokes,
each query followed by clearing the box so that every keystroke changes the list).

With KEYWRIGHT_CLI, KeePassXC is measured too, under the same Xvfb, once the app has quit:
the same items exported by `keywright export keepassxc` and imported by `keepassxc-cli
import` into a .kdbx (KDBX 4, keepassxc-cli's defaults), opened with `keepassxc --pw-stdin`;
launch to its unlocked window (the title names the database), and its idle memory 10 s
later (RSS and PSS of its process tree), side by side with the app's.

The environment is passed on to the app. The app adds its memory settings to its own
environment when it starts (src-tauri/src/process_env.rs); to measure without them, or with
some of them only, set KEYWRIGHT_APP_ENV=1 and the variables wanted, e.g.
`KEYWRIGHT_APP_ENV=1 MALLOC_ARENA_MAX=2 app_bench.py ...`.

Memory is reported as PSS summed over the process tree (a shared page counts as its share),
split into the processes' own memory (anonymous) and mapped files (the libraries' pages),
per process, with the heaviest mappings: what the README's lever table is made from.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procs import find_by_exe, top_mappings, tree_memory  # noqa: E402
from webdriver import App, stop  # noqa: E402

PASSWORD = "benchpw"

# One keystroke: set the search box's value as typing would, dispatch `input`, and resolve
# when the list shows the expected first row and count, after the next painted frame.
KEYSTROKE_JS = """
const [q, done] = [arguments[0], arguments[arguments.length - 1]];
const box = document.querySelector('input[aria-label="Search items"]');
const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
const before = document.querySelector('.list-pane') ? document.querySelector('.list-pane').innerText : '';
const t0 = performance.now();
set.call(box, q);
box.dispatchEvent(new Event('input', {bubbles: true}));
// React renders a typed character synchronously: the DOM may be updated already.
let dom = document.querySelector('.list-pane').innerText !== before ? performance.now() - t0 : null;
const check = () => {
  const now = document.querySelector('.list-pane').innerText;
  if (now !== before) {
    if (dom === null) dom = performance.now() - t0;
    requestAnimationFrame(() => done([dom, performance.now() - t0]));
  } else if (performance.now() - t0 > 5000) {
    done(null);
  } else {
    requestAnimationFrame(check);
  }
};
check();
"""


def main():
    binary, make_vault = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
    cli = sys.argv[4] if len(sys.argv) > 4 else None
    work = tempfile.mkdtemp(prefix="keywright-bench-")
    vault = os.path.join(work, "vault.db")
    subprocess.run([make_vault, vault, str(n)], input=PASSWORD + "\n", text=True,
                   check=True, capture_output=True)
    app = App(binary, work, {"KEYWRIGHT_VAULT": vault, "DBUS_SESSION_BUS_ADDRESS": "disabled:"})
    results = {"items": n}
    try:
        t0 = time.monotonic()
        s = app.start()
        s.wait_text("Unlock", 60)
        pw = s.field("Master password")
        results["launch_to_unlock_screen_ms"] = round((time.monotonic() - t0) * 1000)
        s.send_keys(pw, PASSWORD)
        button = s.button("Unlock")
        t1 = time.monotonic()
        s.click(button)
        s.wait(
            "the listed items",
            lambda: any(f"{c} items" in s.body_text() for c in (n, f"{n:,}")),
            timeout=120,
        )
        results["unlock_click_to_list_ms"] = round((time.monotonic() - t1) * 1000)
        results["launch_to_unlocked_list_ms"] = (
            results["launch_to_unlock_screen_ms"] + results["unlock_click_to_list_ms"]
        )

        time.sleep(10)
        pids = find_by_exe(binary)
        assert pids, "the app process was not found"
        results.update(memory(pids[0]))

        words = ["s", "st", "str", "stri", "strip", "stripe", "stripe ", "stripe p",
                 "stripe pr", "stripe pro", "stripe prod", "g", "gi", "git", "gith",
                 "githu", "github", "github s", "github st", "github sta"]
        times, dom_times = [], []
        # Alternate each query with the empty one, so that every keystroke changes the list.
        for q in words:
            for query in (q, ""):
                t = s.execute_async(KEYSTROKE_JS, query)
                if isinstance(t, list):
                    dom_times.append(t[0])
                    times.append(t[1])

        def stats(xs):
            xs = sorted(xs)
            return {
                "samples": len(xs),
                "median": round(statistics.median(xs), 1),
                "p95": round(xs[min(len(xs) - 1, int(len(xs) * 0.95))], 1),
            }

        # To the list's DOM updated, and to the next painted frame after it.
        results["search_keystroke_to_dom_ms"] = stats(dom_times)
        results["search_keystroke_ms"] = stats(times)
        if cli:
            app.quit_app()
            results["keepassxc"] = keepassxc(cli, vault, work, app.display)
    finally:
        app.close()
    print(json.dumps(results, indent=2))


def memory(pid):
    """Idle memory of a process tree: RSS and PSS summed, PSS split into the processes' own
    (anonymous) memory and mapped files, per process, and the heaviest mappings."""
    mem = tree_memory(pid)

    def mb(kb):
        return round(kb / 1024, 1)

    return {
        "idle_rss_mb": mb(mem["rss_kb"]),
        "idle_pss_mb": mb(mem["pss_kb"]),
        "idle_pss_anon_mb": mb(mem["anon_kb"]),
        "idle_pss_file_mb": mb(mem["file_kb"]),
        "processes": [
            {"pid": p, "name": c, "rss_mb": mb(r), "pss_mb": mb(q), "pss_anon_mb": mb(a),
             "pss_file_mb": mb(f)}
            for p, c, r, q, a, f in mem["processes"]
        ],
        "heaviest_mappings_pss_mb": [[mb(kb), what] for kb, what in top_mappings(pid, 20)],
    }


def keepassxc(cli, vault, work, display):
    """KeePassXC with the same entries: launch to the unlocked database window, idle memory."""
    for tool in ("keepassxc", "keepassxc-cli", "xdotool"):
        if not shutil.which(tool):
            raise SystemExit(f"app_bench: {tool} is missing (apt-get install keepassxc xdotool)")
    xml = os.path.join(work, "items.xml")
    kdbx = os.path.join(work, "items.kdbx")
    env = {**os.environ, "KEYWRIGHT_VAULT": vault, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    subprocess.run([cli, "--password-stdin", "export", "keepassxc", "--out", xml],
                   input=PASSWORD + "\n" + PASSWORD + "\n", text=True, check=True,
                   capture_output=True, env=env)
    subprocess.run(["keepassxc-cli", "import", "-q", "-p", xml, kdbx],
                   input=PASSWORD + "\n" + PASSWORD + "\n", text=True, check=True,
                   capture_output=True)
    entries = subprocess.run(["keepassxc-cli", "ls", "-R", "-f", "-q", kdbx], input=PASSWORD + "\n",
                             text=True, capture_output=True, check=True).stdout
    home = os.path.join(work, "kpxc-home")
    os.makedirs(os.path.join(home, ".config", "keepassxc"), exist_ok=True)
    # No first-start questions, no update check, no tray: the database window only.
    with open(os.path.join(home, ".config", "keepassxc", "keepassxc.ini"), "w") as f:
        f.write("[General]\nConfigVersion=2\nUpdateCheckMessageShown=true\n"
                "[GUI]\nCheckForUpdates=false\nShowTrayIcon=false\nMinimizeOnStartup=false\n")
    kenv = {**os.environ, "DISPLAY": display, "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            "DBUS_SESSION_BUS_ADDRESS": "disabled:", "QT_QPA_PLATFORM": "xcb"}
    out = {"entries": sum(1 for line in entries.splitlines() if line and not line.endswith("/"))}
    t0 = time.monotonic()
    proc = subprocess.Popen(["keepassxc", "--pw-stdin", kdbx], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=kenv,
                            start_new_session=True, text=True)
    try:
        proc.stdin.write(PASSWORD + "\n")
        proc.stdin.close()
        # Unlocked: the window title names the database ("Keywright export - KeePassXC",
        # the name the XML gives it); locked, it says "[Locked]"; before, "KeePassXC".
        deadline = time.monotonic() + 120
        title = ""
        while time.monotonic() < deadline:
            r = subprocess.run(["xdotool", "search", "--name", "KeePassXC"], env=kenv,
                               capture_output=True, text=True)
            for wid in r.stdout.split():
                name = subprocess.run(["xdotool", "getwindowname", wid], env=kenv,
                                      capture_output=True, text=True).stdout.strip()
                if name.endswith(" - KeePassXC") and "Locked" not in name:
                    title = name
            if title:
                break
            time.sleep(0.05)
        if not title:
            raise AssertionError("KeePassXC did not show the unlocked database")
        out["launch_to_unlocked_list_ms"] = round((time.monotonic() - t0) * 1000)
        out["window_title"] = title
        time.sleep(10)
        out.update(memory(proc.pid))
    finally:
        stop(proc)
    return out


if __name__ == "__main__":
    main()
