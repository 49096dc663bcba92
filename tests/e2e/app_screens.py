#!/usr/bin/env python3
"""The app as a daily tool, in its real window (WebKitGTK under Xvfb, WebKitWebDriver):
every screen at 800x600, 1100x720 and 1600x1000, light and dark, with its screenshot and a
layout check from element rects (no button past the window or its pane, no two buttons on
top of each other); a 2FA item's copy puts the *code* on the X clipboard (checked against
oathtool); a `keywright add` made while the window is open shows in it within 3 s with no
focus change; and the keystroke benchmark: Ctrl+K, three letters, Ctrl+C copies a 2FA code
(keystrokes counted, time from the last key to the copy measured in the page).

usage: app_screens.py APP_BINARY OUTDIR KEYWRIGHT_CLI

Uses its own vault (33 credentials of every kind, added by the CLI) and keyring service name.
Figures go to OUTDIR/screens.json.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from app_e2e import SHOWCASE, date_flag, oathtool  # noqa: E402
from webdriver import ELEMENT, App  # noqa: E402

PASSWORD = "screens master password"
CTRL = "\ue009"
ESC = "\ue00c"
SIZES = [(800, 600), (1100, 720), (1600, 1000)]

# More of a real developer's vault: 33 items with the showcase's 17.
EXTRA = [
    ("api-key", "Mailgun sending key", "key-mg01", ["--url", "https://api.mailgun.net/v3", "--tag", "email"]),
    ("api-key", "SendGrid marketing", "SG.abc", ["--url", "https://api.sendgrid.com", "--bearer", "--tag", "email"]),
    ("bearer", "Vercel deploy token", "vc_tok", ["--url", "https://api.vercel.com", "--tag", "ci", "--expires", "+40d"]),
    ("bearer", "Fly.io API token", "fo1_x", ["--url", "https://api.fly.io", "--tag", "infra", "--expires", "+200d"]),
    ("api-key", "Algolia admin key", "alg_admin", ["--url", "https://myapp.algolia.net", "--header", "X-Algolia-API-Key", "--tag", "search"]),
    ("api-key", "Mapbox public token", "pk.eyJ1", ["--url", "https://api.mapbox.com", "--query", "access_token", "--tag", "maps"]),
    ("basic", "Jenkins CI", "jenk1ns", ["--username", "deploy", "--url", "https://ci.example.com", "--tag", "ci"]),
    ("basic", "Artifactory reader", "artif4ct", ["--username", "reader", "--url", "https://artifacts.example.com", "--tag", "ci"]),
    ("oauth2", "Salesforce integration", "sf-secret", ["--client-id", "3MVG9abc", "--token-url", "https://login.salesforce.com/services/oauth2/token", "--tag", "crm"]),
    ("oauth2", "Auth0 machine client", "a0-secret", ["--client-id", "a0cli", "--issuer", "https://example.eu.auth0.com", "--scope", "read:users", "--tag", "auth"]),
    ("totp", "Amazon Web Services console", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", ["--otp-issuer", "Amazon Web Services", "--username", "ops-admin@example.com", "--tag", "infra"]),
    ("totp", "DigitalOcean 2FA", "JBSWY3DPEHPK3PXPJBSWY3DP", ["--otp-issuer", "DigitalOcean", "--username", "dev@example.com"]),
    ("totp", "Slack workspace 2FA", "MFRGGZDFMZTWQ2LKMFRGGZDF", ["--otp-issuer", "Slack", "--username", "dev@example.com"]),
    ("api-key", "Anthropic API key", "sk-ant-x", ["--url", "https://api.anthropic.com", "--header", "x-api-key", "--tag", "prod", "--tag", "ai"]),
    ("bearer", "Hugging Face token", "hf_abc", ["--url", "https://huggingface.co/api", "--tag", "ai", "--expires", "-10d"]),
    ("api-key", "Cloudflare API token", "cf_tok", ["--url", "https://api.cloudflare.com/client/v4", "--bearer", "--tag", "infra", "--rotate-every", "60d"]),
]

# A button whose rect leaves the window, or the box that clips it (a pane that scrolls or
# hides overflow), is cut off; two buttons whose rects cross are drawn on top of each other.
LAYOUT_CHECK = r"""
const W = window.innerWidth, H = window.innerHeight;
const vis = (e) => {
  const r = e.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  const st = getComputedStyle(e);
  // Inside a closed <details> nothing is drawn (WebKit still reports a rect).
  const d = e.closest('details');
  if (d && !d.open && !e.closest('summary')) return false;
  return st.visibility !== 'hidden' && st.display !== 'none' && !e.closest('[inert]');
};
const clipper = (e) => {
  for (let p = e.parentElement; p; p = p.parentElement) {
    const st = getComputedStyle(p);
    if (/(auto|scroll|hidden)/.test(st.overflowX)) return p;
  }
  return null;
};
const name = (e) => (e.getAttribute('aria-label') || e.innerText || e.title || e.tagName).trim().replace(/\s+/g, ' ').slice(0, 40);
// A sticky or fixed bar (a dialog's footer) is drawn over what scrolls under it, by design.
const floating = (e) => {
  for (let p = e; p; p = p.parentElement) {
    const pos = getComputedStyle(p).position;
    if (pos === 'sticky' || pos === 'fixed') return p;
  }
  return null;
};
const bad = [];
const boxes = [];
for (const e of document.querySelectorAll('button, [role=button], input:not([type=hidden]), select, textarea, [role=tab]')) {
  if (!vis(e)) continue;
  const r = e.getBoundingClientRect();
  // In a pane that scrolls vertically, what is below the fold is fine; sideways is not.
  if (r.left < -1 || r.right > W + 1) bad.push(`${name(e)}: x ${Math.round(r.left)}..${Math.round(r.right)} past the window (${W})`);
  if (r.top > H - 1) continue;
  const c = clipper(e);
  if (c) {
    const cr = c.getBoundingClientRect();
    if (r.right > cr.right + 1 || r.left < cr.left - 1) {
      bad.push(`${name(e)}: x ${Math.round(r.left)}..${Math.round(r.right)} cut by its pane (${Math.round(cr.left)}..${Math.round(cr.right)})`);
    }
    if (r.bottom <= cr.top + 1 || r.top >= cr.bottom - 1) continue;
    // Only the part its pane shows can cover (or be covered by) anything.
    const top = Math.max(r.top, cr.top), bottom = Math.min(r.bottom, cr.bottom);
    boxes.push([e, {left: r.left, right: r.right, top, bottom}]);
    continue;
  }
  boxes.push([e, r]);
}
for (let i = 0; i < boxes.length; i++) {
  for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    if (floating(a) !== floating(b)) continue;
    const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (w > 2 && h > 2) bad.push(`${name(a)} and ${name(b)} overlap`);
  }
}
return bad;
"""


def cli_env(env, token=None):
    e = {**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    if token:
        e["KEYWRIGHT_SESSION"] = token
    return e


def make_vault(cli, env):
    subprocess.run(
        [cli, "--password-stdin", "init", "--no-keyring", "--kdf-memory", "46", "--kdf-iterations", "1"],
        input=PASSWORD + "\n", capture_output=True, text=True, env=cli_env(env), check=True,
    )
    out = subprocess.run(
        [cli, "unlock", "--password-stdin", "--ttl", "1h"], input=PASSWORD + "\n",
        capture_output=True, text=True, env=cli_env(env), check=True,
    )
    token = out.stdout.strip().split("=", 1)[1]
    for kind, name, secret, flags in SHOWCASE + EXTRA:
        subprocess.run(
            [cli, "add", kind, name, *[date_flag(f) for f in flags]], input=secret + "\n",
            capture_output=True, text=True, env=cli_env(env, token), check=True,
        )
    # Synced with a second device, and one item changed on both before they synced: the
    # status bar's sync state, the Conflicts view and Settings → Sync have something to show.
    folder = tempfile.mkdtemp(prefix="kw-screens-sync-")
    desktop = os.path.join(tempfile.mkdtemp(prefix="kw-screens-desktop-"), "desktop.db")
    desk_env = {k: v for k, v in cli_env(env).items() if k != "KEYWRIGHT_VAULT"}

    def run(args, stdin="", on_desktop=False):
        if on_desktop:
            cmd = [cli, "--vault", desktop, "--password-stdin", *args]
            return subprocess.run(cmd, input=PASSWORD + "\n" + stdin, capture_output=True, text=True,
                                  env=desk_env, check=True)
        return subprocess.run([cli, *args], input=stdin, capture_output=True, text=True,
                              env=cli_env(env, token), check=True)

    run(["sync", "init", folder, "--name", "laptop"])
    run(["sync", "join", folder, "--name", "desktop"], on_desktop=True)
    run(["edit", "Stripe live", "--tag", "rotated-on-desktop"], on_desktop=True)
    run(["edit", "Stripe live", "--value-stdin"], "sk_live_rotated_on_laptop\n")
    run(["sync"])
    run(["sync"], on_desktop=True)
    run(["sync"])
    return token


def click_text(s, selector, starts):
    el = s.wait(
        f"{selector} starting {starts!r}",
        lambda: s.execute(
            "for (const e of document.querySelectorAll(arguments[0])) {"
            "  const r = e.getBoundingClientRect();"
            "  if (r.width > 0 && (e.innerText || '').trim().startsWith(arguments[1])) return e; }"
            "return null;", selector, starts),
    )
    s.click(el[ELEMENT])


def nav(s, label):
    """A sidebar entry; below 960 px the sidebar is a drawer opened by the menu button."""
    narrow = s.execute("return window.innerWidth < 960")
    if narrow:
        s.press("Show the sidebar")
    click_text(s, "[data-testid=sidebar] button", label)


def open_item(s, name):
    nav(s, "All items")
    search = s.field("Search items")
    s.clear(search)
    s.send_keys(search, name)
    click_text(s, "[data-testid=item-rows] [role=option]", name)
    s.wait(f"the detail of {name}", lambda: s.execute(
        "const h = document.querySelector('[data-testid=detail] h2'); return h ? h.textContent : ''") == name)


def screens(s):
    """(name, how to get there, how to leave) for every screen a user sees."""
    def item(name, tab=None):
        def go():
            open_item(s, name)
            if tab:
                click_text(s, "[data-testid=detail] [role=tab]", tab)
                s.el("[data-testid=request-console]")
        return go

    def view(label, marker):
        def go():
            nav(s, label)
            s.el(marker)
        return go

    def dialog(open_fn, text):
        def go():
            open_fn()
            s.wait_text(text)
        return go

    def rotate():
        open_item(s, "Datadog API key")
        s.press("Mark rotated")
        s.el("[data-testid=rotate-dialog]")

    def import_preview():
        # A .env file with secrets, a setting and a bad line, previewed in the app's Import.
        folder = tempfile.mkdtemp(prefix="shop-api-")
        env_file = os.path.join(folder, ".env")
        with open(env_file, "w") as f:
            f.write(
                "STRIPE_SECRET_KEY=sk_test_" + "Zx8" * 9 + "\n"
                "GITHUB_TOKEN=ghp_" + "a" * 36 + "\n"
                "SESSION_JWT=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2ln\n"
                "DATABASE_URL=postgres://shop:hunter22@db.internal.example:5432/shop\n"
                "PORT=3000\nNODE_ENV=production\nBROKEN=\"never closed\n"
            )
        s.press("Import")
        s.wait_text("Or type the path of a file")
        s.execute(
            "const sel = arguments[0];"
            "const set = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set;"
            "set.call(sel, 'dotenv'); sel.dispatchEvent(new Event('change', {bubbles: true}));",
            {ELEMENT: s.field("Format")},
        )
        s.type_into("Or type the path of a file or of a Bruno collection folder", env_file)
        s.press("Read")
        s.el("[data-testid=import-counts]")

    def settings_sync():
        s.press("Settings")
        s.wait_text("Lock after inactivity")
        # The section reads its state after the dialog opens: wait for it, then show it.
        s.el("[data-testid=sync-device]")
        s.execute("document.querySelector('[data-testid=sync]').scrollIntoView({block: 'start'})")

    def drawer():
        if s.execute("return window.innerWidth < 960"):
            s.press("Show the sidebar")
            s.el("[data-testid=sidebar].sidebar-drawer")

    return [
        ("items", item("Stripe live"), None),
        ("item-2fa", item("AWS root MFA"), None),
        ("item-oauth", item("Okta service client"), None),
        ("console", item("Stripe live", "Requests"), None),
        ("attention", view("Needs attention", "[data-testid=item-rows]"), None),
        ("codes", view("2FA codes", "[data-testid=codes-grid]"), None),
        ("timeline", view("Timeline", "[data-testid=timeline]"), None),
        ("requests", view("Requests", "[data-testid=requests-view]"), None),
        ("jwt", view("JWT debugger", "[data-testid=jwt-view]"), None),
        ("trash", view("Trash", "[data-testid=trash]"), None),
        ("conflicts", view("Conflicts", "[data-testid=conflicts]"), None),
        ("new-item", dialog(lambda: s.keys([CTRL, "n"]), "New item"), [ESC]),
        ("settings", dialog(lambda: s.press("Settings"), "Lock after inactivity"), [ESC]),
        ("settings-sync", settings_sync, [ESC]),
        ("rotate", rotate, [ESC]),
        ("shortcuts", dialog(lambda: s.press("Keyboard shortcuts"), "Copy its main secret"), [ESC]),
        ("import-env", import_preview, lambda: s.press("Cancel")),
        ("sidebar-drawer", drawer, [ESC]),
    ]


def tour(s, out, theme, problems):
    shots = 0
    for w, h in SIZES:
        s.set_size(w, h)
        for name, go, leave in screens(s):
            if name == "sidebar-drawer" and w >= 960:
                continue
            go()
            time.sleep(0.15)
            bad = s.execute(LAYOUT_CHECK)
            if leave is not None and name != "sidebar-drawer":
                # A dialog: the window behind is inert, draws no scrollbar over it, and the
                # dialog is not part of it.
                bad += s.execute(
                    "const root = document.getElementById('root'), o = document.querySelector('.overlay');"
                    "const bad = [];"
                    "if (!root.hasAttribute('inert')) bad.push('the window behind the dialog is not inert');"
                    "if (!o || root.contains(o)) bad.push('the dialog is inside the inert window');"
                    "for (const e of root.querySelectorAll('.sidebar, .rows, .detail-pane, .timeline-scroll')) {"
                    "  const st = getComputedStyle(e);"
                    "  if (st.overflowY !== 'hidden') bad.push(e.className + ' can scroll (a scrollbar) behind the dialog'); }"
                    "return bad;")
            for b in bad:
                problems.append(f"{theme} {w}x{h} {name}: {b}")
            s.screenshot(os.path.join(out, f"{name}-{w}x{h}-{theme}.png"))
            shots += 1
            if callable(leave):
                leave()
                time.sleep(0.1)
            elif leave:
                s.keys(leave)
                time.sleep(0.1)
            # Back to a known state: no dialog, no drawer.
            if s.execute("return !!document.querySelector('.overlay, .sidebar-drawer')"):
                s.keys([ESC])
                if s.execute("return !!document.querySelector('.sidebar-drawer')"):
                    s.click(s.el(".drawer-scrim"))
    return shots


def unlock(s):
    s.wait_text("Unlock", 60)
    s.type_into("Master password", PASSWORD)
    s.press("Unlock")
    s.el("[data-testid=item-rows]", 60)


def keystroke_bench(s, app, runs=10):
    """Ctrl+K, 'aws', Ctrl+C: the time from the Ctrl+C keydown to the copy done (Rust has
    set the clipboard when the command returns and the toast shows), measured in the page."""
    s.execute(
        "window.__kwT = [];"
        "document.addEventListener('keydown', (e) => {"
        "  if ((e.ctrlKey || e.metaKey) && e.key === 'c') window.__kwDown = performance.now(); }, true);"
        "new MutationObserver(() => {"
        "  const t = document.querySelector('[data-testid=toast]');"
        "  if (t && window.__kwDown && t.textContent.includes('Copied')) {"
        "    window.__kwT.push(performance.now() - window.__kwDown); window.__kwDown = 0; }"
        "}).observe(document.body, {subtree: true, childList: true, characterData: true});"
    )
    times = []
    keystrokes = 0
    for i in range(runs):
        # Dismiss the last toast so the next one is a new element.
        if s.execute("return !!document.querySelector('[data-testid=toast]')"):
            s.press("Dismiss")
        s.execute("document.activeElement && document.activeElement.blur()")
        seq = [[CTRL, "k"], ["a"], ["w"], ["s"], [CTRL, "c"]]
        for keys in seq:
            s.keys(keys)
        keystrokes = len(seq)
        s.wait("the toast", lambda: s.execute("return window.__kwT.length") > i, timeout=10)
        copied = app.clipboard()
        assert copied in oathtool("JBSWY3DPEHPK3PXP"), f"Ctrl+C put {copied!r} on the clipboard, not the AWS code"
        times.append(s.execute("return window.__kwT[arguments[0]]", i))
        s.keys([ESC])
    return keystrokes, times


def run(binary, out, cli, theme, env_theme, work, env, result, problems):
    app = App(binary, work, {**env, **env_theme}, screen="1700x1100")
    try:
        s = app.start()
        s.set_size(1100, 720)
        unlock(s)
        if theme == "light":
            print("app-screens: a 2FA item's page shows the live code; Copy code and Ctrl+C put the code "
                  "(not the seed) on the X clipboard", flush=True)
            open_item(s, "AWS root MFA")
            shown = s.wait("the live code", lambda: re.sub(r"\s", "", s.text(s.el("[data-testid=detail-code]"))))
            assert shown in oathtool("JBSWY3DPEHPK3PXP"), f"the page shows {shown}, oathtool disagrees"
            s.click(s.el("[data-testid=detail-copy-code]"))
            s.wait_text("Copied 2FA code")
            copied = app.clipboard()
            assert copied in oathtool("JBSWY3DPEHPK3PXP"), f"Copy code put {copied!r} on the clipboard"
            assert "JBSWY3DPEHPK3PXP" not in s.body_text(), "the seed is on the page"
            s.press("Dismiss")
            s.click(s.el("[data-testid=detail]"))
            s.keys([CTRL, "c"])
            s.wait_text("Copied 2FA code")
            copied = app.clipboard()
            assert copied in oathtool("JBSWY3DPEHPK3PXP"), f"clipboard holds {copied!r}, not the AWS code"

            print("app-screens: a CLI add shows in the open window within 3 s, no focus change", flush=True)
            open_item(s, "Stripe live")
            s.click(s.field("Search items"))
            s.keys([CTRL, "a"])
            s.keys(["\ue003"])  # Backspace: the whole list, Stripe live still open
            s.wait("the whole list", lambda: "33 items" in s.text(s.el("[data-testid=result-count]")))
            t0 = time.monotonic()
            subprocess.run(
                [cli, "add", "api-key", "Added while the app is open", "--tag", "cli"], input="k_live\n",
                capture_output=True, text=True, env=cli_env(env, result["token"]), check=True,
            )
            s.wait("the list to hold the new item",
                   lambda: "34 items" in s.text(s.el("[data-testid=result-count]")), timeout=3)
            result["outside_change_s"] = round(time.monotonic() - t0, 2)
            assert s.execute(
                "return [...document.querySelectorAll('[data-testid=item-rows] .row-name')]"
                ".some((e) => e.textContent === 'Added while the app is open')"
                " || document.querySelector('[data-testid=item-rows]').scrollTop > 0"
            ), "the new item is not in the list"
            assert s.execute("return document.querySelector('[data-testid=detail] h2').textContent") == "Stripe live", \
                "the open item changed"

            print("app-screens: keystroke benchmark", flush=True)
            keys, times = keystroke_bench(s, app)
            result["bench"] = {
                "keystrokes": keys,
                "copy_ms_median": round(statistics.median(times), 1),
                "copy_ms_max": round(max(times), 1),
                "runs": len(times),
            }
            print(f"app-screens:   {keys} keystrokes, last key to clipboard median "
                  f"{result['bench']['copy_ms_median']} ms (max {result['bench']['copy_ms_max']} ms)", flush=True)
        print(f"app-screens: every screen at {', '.join(f'{w}x{h}' for w, h in SIZES)} ({theme})", flush=True)
        result[f"screenshots_{theme}"] = tour(s, out, theme, problems)
    except Exception:
        try:
            if app.session:
                app.session.screenshot(os.path.join(out, f"screens-failure-{theme}.png"))
                print("app-screens: page text at failure:\n" + app.session.body_text()[:2000])
        except Exception:  # noqa: BLE001 - the original error matters more
            pass
        raise
    finally:
        app.close()


def main():
    binary, out, cli = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="keywright-screens-")
    env = {
        "KEYWRIGHT_VAULT": os.path.join(work, "vault", "vault.db"),
        "KEYWRIGHT_KEYRING_SERVICE": f"keywright-screens-{os.getpid()}",
        "XDG_DATA_HOME": os.path.join(work, "data"),
        "XDG_CACHE_HOME": os.path.join(work, "cache"),
        "XDG_CONFIG_HOME": os.path.join(work, "config"),
    }
    result = {"token": make_vault(cli, env)}
    problems = []
    run(binary, out, cli, "light", {"GTK_THEME": "Adwaita"}, work, env, result, problems)
    run(binary, out, cli, "dark", {"GTK_THEME": "Adwaita:dark"}, work, env, result, problems)
    del result["token"]
    with open(os.path.join(out, "screens.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"app-screens: {json.dumps(result)}", flush=True)
    if problems:
        print("app-screens: layout problems:\n  " + "\n  ".join(problems), flush=True)
        raise SystemExit(1)
    print("app-screens: OK", flush=True)


if __name__ == "__main__":
    t0 = time.monotonic()
    main()
    print(f"app-screens: done in {time.monotonic() - t0:.1f}s")
