#!/usr/bin/env python3
"""The real Keywright app, end to end, in its real window (WebKitGTK under Xvfb, driven
through WebKitWebDriver): first run with the real OS keyring, add an API key, reveal,
copy (the X clipboard holds it, then is cleared), edit, lock, wrong password, unlock with
the password and with the keyring, delete. Screenshots of each screen go to OUTDIR.

usage: app_e2e.py APP_BINARY OUTDIR [KEYWRIGHT_CLI]

With the CLI, a last phase fills the vault with a dozen realistic credentials through
`keywright add` (while the app has it open), locks and unlocks the window to re-read it,
and takes the screenshot the README shows (e2e-10-main.png); then the Codes view: its
codes checked against oathtool, click to copy (the X clipboard holds the code), and the
import wizard over pasted otpauth URIs (new, duplicate and invalid rows; the new code live);
then tokens: an OAuth2 client renewed at the real OpenID provider (tests/oidc) and its JWT
inspected, and the expiry timeline; then the request console against real httpbin and the
provider's test API (an echoed key redacted, a saved request, a rejected password, a rate
limit counting down).

Needs a session bus with a Secret Service (scripts/test.sh runs one); uses its own vault
file and keyring service name, so it never touches yours.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import ELEMENT, App  # noqa: E402

PASSWORD = "e2e master password"
CANARY = "sk_live_e2e_CANARY_7f3a9c"
CTRL = "\ue009"
DAY = 86400

# (kind, name, secret, extra CLI flags) for the showcase phase.
SHOWCASE = [
    ("api-key", "Stripe live", "sk_live_51Hx", ["--url", "https://api.stripe.com", "--header", "Authorization", "--tag", "prod", "--tag", "billing"]),
    ("api-key", "Stripe test", "sk_test_51Hx", ["--url", "https://api.stripe.com", "--tag", "staging", "--tag", "billing"]),
    ("bearer", "GitHub deploy token", "ghp_x1y2z3", ["--url", "https://api.github.com", "--tag", "ci", "--expires", "+5d"]),
    ("api-key", "OpenAI batch jobs", "sk-proj-abc", ["--url", "https://api.openai.com/v1", "--bearer", "--tag", "prod"]),
    ("oauth2", "Okta service client", "client-secret", ["--client-id", "0oa1b2c3", "--issuer", "https://example.okta.com", "--scope", "read", "--scope", "write", "--tag", "prod"]),
    ("basic", "Grafana admin", "hunter22", ["--username", "admin", "--url", "https://grafana.internal.example", "--tag", "infra"]),
    ("totp", "AWS root MFA", "JBSWY3DPEHPK3PXP", ["--otp-issuer", "AWS", "--username", "root@example.com", "--tag", "infra"]),
    ("api-key", "Datadog API key", "dd0123456789", ["--url", "https://api.datadoghq.eu", "--header", "DD-API-KEY", "--tag", "monitoring", "--rotate-every", "30d"]),
    ("bearer", "Sentry auth token", "sntrys_abc", ["--url", "https://sentry.io/api/0", "--tag", "monitoring", "--expires", "-2d"]),
    ("api-key", "Twilio SMS", "SK2b3c4d", ["--url", "https://api.twilio.com", "--query", "api_key", "--tag", "prod"]),
    ("totp", "GitHub 2FA", "GEZDGNBVGY3TQOJQ", ["--otp-issuer", "GitHub", "--username", "dev@example.com"]),
    ("basic", "Nexus deploy", "s3cr3t-pass", ["--username", "ci-bot", "--url", "https://nexus.example.com", "--tag", "ci"]),
    ("totp", "Cloudflare 2FA", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U", ["--otp-issuer", "Cloudflare", "--username", "ops@example.com", "--tag", "infra"]),
    ("totp", "Google Cloud 2FA", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU", ["--otp-issuer", "Google Cloud", "--username", "dev@example.com"]),
    ("totp", "npm publish 2FA", "ONSWG4TFOQYTEMZUGU3DOOBZ", ["--otp-issuer", "npm", "--username", "release-bot", "--tag", "ci"]),
    ("totp", "PyPI 2FA", "NBSWY3DPO5XXE3DEMFZWK3TU", ["--otp-issuer", "PyPI", "--username", "maintainer", "--digits", "8"]),
    ("totp", "Stripe dashboard 2FA", "GEZDGNBVGY3TQOJQGEZDGNBV", ["--otp-issuer", "Stripe", "--username", "finance@example.com", "--period", "60", "--tag", "billing"]),
]


def date_flag(v):
    """`+5d` / `-2d` relative to today, as the CLI's YYYY-MM-DD."""
    if re.fullmatch(r"[+-]\d+d", v):
        return time.strftime("%Y-%m-%d", time.gmtime(time.time() + int(v[:-1]) * DAY))
    return v


def detail_title(s):
    """The open item's name. (Read from the DOM: WebKitWebDriver's element text leaves out
    a heading with `overflow: hidden`, though it is on screen.)"""
    return s.execute("const h = document.querySelector('[data-testid=detail] h2'); return h ? h.textContent : null")


def cli_show(cli, env, name):
    """The item as `keywright show --json` reads it from the vault file."""
    run_env = {**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    out = subprocess.run(
        [cli, "--password-stdin", "--json", "show", name], input=PASSWORD + "\n",
        capture_output=True, text=True, env=run_env, check=True,
    )
    return json.loads(out.stdout)


def fill_with_cli(cli, env):
    run_env = {**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    unlock = subprocess.run(
        [cli, "unlock", "--password-stdin"], input=PASSWORD + "\n",
        capture_output=True, text=True, env=run_env, check=True,
    )
    token = unlock.stdout.strip().split("=", 1)[1]
    run_env["KEYWRIGHT_SESSION"] = token
    for kind, name, secret, flags in SHOWCASE:
        flags = [date_flag(f) for f in flags]
        subprocess.run(
            [cli, "add", kind, name, *flags], input=secret + "\n",
            capture_output=True, text=True, env=run_env, check=True,
        )
    subprocess.run([cli, "lock"], capture_output=True, env=run_env, check=False)


def oathtool(secret, digits=6, offsets=(-30, 0, 30)):
    """The codes oathtool (an independent implementation) gives around now."""
    now = int(time.time())
    out = set()
    for off in offsets:
        r = subprocess.run(
            ["oathtool", "--totp", "-b", f"--digits={digits}", f"--now=@{now + off}", "-"],
            input=secret, capture_output=True, text=True, check=True,
        )
        out.add(r.stdout.strip())
    return out


def card_code(s, name):
    """The shown code of the card whose item is `name` (spaces removed), or None."""
    text = s.execute(
        "for (const c of document.querySelectorAll('[data-testid=codes-grid] .code-card')) {"
        "  if ((c.title === arguments[0] || c.title.endsWith(' · ' + arguments[0]))) return c.querySelector('[data-testid=code-value]').innerText; }"
        "return null;",
        name,
    )
    return None if text is None else re.sub(r"\s", "", text)


def codes_phase(s, app, shot, step):
    step("Codes view: live codes agree with oathtool; a click copies the code")
    s.keys([CTRL, "2"])
    s.wait_text("2FA codes")
    aws = s.wait("the AWS card's code", lambda: card_code(s, "AWS root MFA") or None)
    assert aws in oathtool("JBSWY3DPEHPK3PXP"), f"AWS card shows {aws}, oathtool disagrees"
    gh = card_code(s, "GitHub 2FA")
    assert gh in oathtool("GEZDGNBVGY3TQOJQ"), f"GitHub card shows {gh}, oathtool disagrees"
    card = s.execute(
        "for (const c of document.querySelectorAll('.code-card')) if (c.title === 'AWS root MFA' || c.title.endsWith(' · AWS root MFA')) return c;"
    )
    s.click(card[ELEMENT])
    s.wait_text("Copied 2FA code")
    copied = app.clipboard()
    assert copied in oathtool("JBSWY3DPEHPK3PXP"), f"clipboard holds {copied!r}, not the AWS code"
    shot(s, "e2e-11-codes.png")

    step("import: pasted otpauth URIs previewed (new, duplicate, invalid), imported, live")
    s.press("Import\u2026")
    s.wait_text("Import 2FA codes")
    pasted = "\n".join([
        "otpauth://totp/Fastly:ops@example.com?secret=KRSXG5CTMVRXEZLUKN2XAZLSNF2GK3TU&issuer=Fastly&digits=8",
        "otpauth://totp/GitHub:dev@example.com?secret=GEZDGNBVGY3TQOJQ&issuer=GitHub",
        "otpauth://totp/Broken:me?secret=not-base32!",
    ])
    # A paste, as the clipboard would deliver it (WebDriver typing drops the newlines).
    area = s.field("Or paste otpauth:// URIs, an otpauth-migration:// link or an export\u2019s JSON")
    s.execute(
        "const el = arguments[0];"
        "const set = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;"
        "set.call(el, arguments[1]); el.dispatchEvent(new Event('input', {bubbles: true}));",
        {ELEMENT: area}, pasted,
    )
    s.press("Preview")
    s.wait_text("1 new")
    counts = s.text(s.el("[data-testid=import-counts]"))
    assert "1 duplicate" in counts and "1 invalid" in counts, counts
    shot(s, "e2e-12-import-preview.png")
    s.press("Import 1")
    s.wait_text("Added 1 code")
    s.press("Show codes")
    s.wait_no_text("Import 2FA codes")
    fastly = s.wait(
        "the imported Fastly card",
        lambda: s.execute(
            "for (const c of document.querySelectorAll('.code-card'))"
            "  if (c.innerText.includes('Fastly')) return c.querySelector('[data-testid=code-value]').innerText;"
            "return null;"
        ),
    )
    fastly = re.sub(r"\s", "", fastly)
    assert fastly in oathtool("KRSXG5CTMVRXEZLUKN2XAZLSNF2GK3TU", digits=8), f"Fastly shows {fastly}"


def import_phase(s, shot, step, cli, env):
    """The app's Import of every format: a .env file by its typed path, previewed with a
    setting offered unticked, the ticked rows imported, then seen in the list and by the
    CLI; a recognised key says what it is."""
    step("import: a .env file by path; settings unticked; the items and what a key is")
    project = tempfile.mkdtemp(prefix="billing-api-")
    env_file = os.path.join(project, ".env")
    stripe = "sk_test_" + "Qw3" * 9
    with open(env_file, "w") as f:
        whsec = "whsec_" + "a1" * 12
        f.write(f"# billing\nexport STRIPE_SECRET={stripe}\nPORT=8080\nWEBHOOK_SIGNING_SECRET='{whsec}'\n")
    s.keys([CTRL, "1"])
    s.press("Import")
    s.wait_text("Or type the path of a file")
    s.execute(
        "const sel = arguments[0];"
        "const set = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set;"
        "set.call(sel, 'dotenv'); sel.dispatchEvent(new Event('change', {bubbles: true}));",
        {ELEMENT: s.field("Format")},
    )
    s.wait_text("Project tag")
    s.type_into("Project tag", "billing")
    s.type_into("Or type the path of a file or of a Bruno collection folder", env_file)
    s.press("Read")
    s.wait_text("3 new")
    assert "1 new entry left unticked" in s.body_text(), s.body_text()[:1500]
    assert "looks like a setting, not a secret" in s.body_text()
    assert stripe not in s.execute("return document.body.innerHTML;"), "a secret reached the window"
    shot(s, "e2e-12b-import-env.png")
    s.press("Import 2")
    s.wait_text("Added 2 items")
    s.press("Show items")
    s.wait("the STRIPE_SECRET detail", lambda: detail_title(s) == "STRIPE_SECRET")
    s.wait_text("Stripe test secret key")
    assert s.button("Test this key"), "no Test this key"
    shown = cli_show(cli, env, "STRIPE_SECRET")
    assert shown["service"] == "stripe" and shown["key_variant"] == "test", shown
    assert "billing" in shown["tags"], shown["tags"]
    run_env = {**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    out = subprocess.run(
        [cli, "--password-stdin", "--json", "show", "PORT"], input=PASSWORD + "\n",
        capture_output=True, text=True, env=run_env,
    )
    assert out.returncode != 0 and '"not_found"' in out.stdout, ("the unticked setting was imported", out.stdout)


def tokens_phase(s, app, shot, step, cli, env):
    """Renew and inspect an OAuth2 client against the real OpenID provider (tests/oidc),
    then the expiry timeline."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    oidc = subprocess.Popen(
        ["node", os.path.join(root, "tests", "oidc", "server.mjs"), "--port", "0", "--stdin-watch"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={**os.environ, "OIDC_ACCESS_TTL": "600"}, text=True,
    )
    try:
        issuer = json.loads(oidc.stdout.readline())["issuer"]
        step("tokens: Renew an OAuth2 client at a real OpenID provider, inspect its JWT")
        run_env = {**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
        subprocess.run(
            [cli, "--password-stdin", "add", "oauth2", "Billing API", "--issuer", issuer,
             "--client-id", "kw-basic", "--scope", "read", "--audience", "urn:keywright:test-api",
             "--tag", "prod"],
            input=PASSWORD + "\nkw-basic-secret\n", capture_output=True, text=True, env=run_env, check=True,
        )
        s.keys([CTRL, "1"])
        s.keys([CTRL, "l"])
        s.type_into("Master password", PASSWORD)
        s.press("Unlock")
        s.wait_text("Billing API")
        row = s.execute(
            "for (const e of document.querySelectorAll('[role=option]')) {"
            "  if ((e.innerText || '').startsWith('Billing API')) return e; }"
            "return null;"
        )
        assert row, "no list row for Billing API"
        s.click(row[ELEMENT])
        s.wait("the token panel", lambda: s.find_all("[data-testid=token-panel]"))
        s.execute("document.querySelector('[data-testid=token-panel]').scrollIntoView({block: 'center'});")
        s.press("Renew")
        s.wait_text("Renewed with the client credentials", 30)
        # Centre the panel: scrolled in at the very bottom, the status bar covers its buttons.
        s.execute("document.querySelector('[data-testid=token-panel]').scrollIntoView({block: 'center'});")
        s.press("Inspect token")
        s.wait("the decoded claims", lambda: "urn:keywright:test-api" in s.text(s.el("[data-testid=inspector]")))
        countdown = s.text(s.el("[data-testid=token-countdown]"))
        assert countdown.startswith("Expires in 9 min") or countdown.startswith("Expires in 10 min"), countdown
        html = s.execute("return document.documentElement.outerHTML")
        assert "eyJ" not in html, "the access token reached the window"
        s.execute("document.querySelector('[data-testid=token-panel]').scrollIntoView({block: 'center'});")
        shot(s, "e2e-13-token.png")

        step("the expiry timeline")
        nav = s.execute(
            "for (const b of document.querySelectorAll('nav button')) {"
            "  if ((b.innerText || '').startsWith('Timeline')) return b; }"
            "return null;"
        )
        assert nav, "no Timeline in the sidebar"
        s.click(nav[ELEMENT])
        tl_el = s.el("[data-testid=timeline]")
        s.wait("the timeline's groups", lambda: "needs attention now" in s.text(tl_el).lower())
        # textContent: WebDriver's element text leaves out the ellipsised names.
        tl = s.execute("return arguments[0].textContent", {ELEMENT: tl_el})
        assert "Sentry auth token" in tl and "expired" in tl, tl
        assert "GitHub deploy token" in tl, tl
        shot(s, "e2e-14-timeline.png")
        requests_phase(s, shot, step, cli, env, oidc_api=issuer.rstrip("/") + "/api")
    finally:
        oidc.kill()
        oidc.wait()


KEY_CANARY = "sk_live_e2e_REQUEST_4b1d"


def set_value(s, el, value):
    """Set an input's value as React sees it (send_keys would type into what is there)."""
    s.execute(
        "const el = arguments[0], v = arguments[1];"
        "const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;"
        "Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);"
        "el.dispatchEvent(new Event('input', {bubbles: true}));",
        {ELEMENT: el}, value,
    )


def select_item(s, name):
    # Beside the request console the list folds away; one click brings it back.
    back = s.execute("return document.querySelector('.pane-back button')")
    if back:
        s.click(back[ELEMENT])
        s.el("[data-testid=item-rows]")
    row = s.execute(
        "for (const e of document.querySelectorAll('[role=option]')) {"
        "  if ((e.innerText || '').startsWith(arguments[0])) return e; }"
        "return null;", name,
    )
    assert row, f"no list row for {name}"
    s.click(row[ELEMENT])
    s.wait(f"the {name} detail", lambda: detail_title(s) == name)


def diagnosis(s):
    return s.execute("const d = document.querySelector('[data-testid=diagnosis]'); return d ? d.textContent : '';")


def requests_phase(s, shot, step, cli, env, oidc_api):
    """The request console against real httpbin and the provider's test API: send with an
    API key (its echo redacted), a rejected password with its fix-it button, a rate limit
    counting down, a saved request, the history."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    py = os.environ.get("KEYWRIGHT_TEST_PYTHON", os.path.join(root, ".venv", "bin", "python"))
    gunicorn = os.path.join(os.path.dirname(py), "gunicorn")
    from webdriver import free_port  # noqa: E402
    port = free_port()
    hb = subprocess.Popen(
        [gunicorn, "-b", f"127.0.0.1:{port}", "-w", "2", "httpbin:app"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        run_env = {**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
        for args, secret in (
            (["api-key", "httpbin key", "--header", "X-API-Key", "--url", base, "--tag", "staging"], KEY_CANARY),
            (["basic", "httpbin basic", "--username", "u", "--url", base], "not-the-password"),
        ):
            subprocess.run(
                [cli, "--password-stdin", "add", *args],
                input=PASSWORD + "\n" + secret + "\n", capture_output=True, text=True, env=run_env, check=True,
            )
        for _ in range(50):
            try:
                import socket
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        s.keys([CTRL, "1"])
        s.keys([CTRL, "l"])
        s.type_into("Master password", PASSWORD)
        s.press("Unlock")
        s.wait_text("httpbin key")

        step("requests: send with an API key to real httpbin; its echo is redacted")
        select_item(s, "httpbin key")
        s.click(s.el("[role=tablist][aria-label='Item view'] [role=tab]:nth-child(2)"))
        console = s.el("[data-testid=request-console]")
        url = s.field("URL")
        assert s.execute("return arguments[0].value", {ELEMENT: url}) == base, "the item's URL is not the default"
        set_value(s, url, base + "/headers")
        s.press("+ Add header")
        set_value(s, s.field("Header 1 name"), "X-Trace")
        set_value(s, s.field("Header 1 value"), "e2e-42")
        s.press("Send")
        s.wait("the diagnosis", lambda: diagnosis(s).startswith("OK"), 30)
        body = s.execute("return document.querySelector('[data-testid=response-body]').textContent")
        assert '"X-Trace": "e2e-42"' in body, body
        assert '"X-Api-Key": "[redacted]"' in body, body
        html = s.execute("return document.documentElement.outerHTML")
        assert KEY_CANARY not in html, "the API key reached the window"
        status = s.text(s.el("[data-testid=response-status]"))
        assert status == "200 OK", status
        shot(s, "e2e-15-request.png")

        step("requests: save it, then it is sent again from its chip")
        s.press("Save…")
        set_value(s, s.field("Saved request name"), "Echo headers")
        s.press("Save")
        s.wait("the saved chip", lambda: "Echo headers" in s.text(console))
        set_value(s, s.field("URL"), base + "/status/418")
        s.press("Send")
        s.wait("a client error", lambda: diagnosis(s).startswith("Request refused"), 30)
        chip = s.execute(
            "for (const b of document.querySelectorAll('.saved-open')) {"
            "  if ((b.textContent || '').includes('Echo headers')) return b; }"
            "return null;"
        )
        s.click(chip[ELEMENT])
        assert s.execute("return arguments[0].value", {ELEMENT: s.field("URL")}) == base + "/headers"
        s.press("Send")
        s.wait("OK again", lambda: diagnosis(s).startswith("OK"), 30)
        rows = s.execute("return document.querySelectorAll('[data-testid=request-history] tbody tr').length")
        assert rows == 3, rows

        step("requests: a wrong password is named, with its fix")
        select_item(s, "httpbin basic")
        s.wait("the console", lambda: s.find_all("[data-testid=request-console]"))
        set_value(s, s.field("URL"), base + "/basic-auth/u/p")
        s.press("Send")
        s.wait("the rejection", lambda: diagnosis(s).startswith("Credential rejected"), 30)
        s.button("Edit password")
        shot(s, "e2e-16-rejected.png")

        step("requests: a rate limit counts down to Retry now (the provider's test API)")
        select_item(s, "Billing API")
        s.wait("the console", lambda: s.find_all("[data-testid=request-console]"))
        set_value(s, s.field("URL"), oidc_api + "/limited")
        s.press("Send")
        s.wait("the rate limit", lambda: diagnosis(s).startswith("Rate limited"), 30)
        btn = s.el("[data-testid=retry-countdown]")
        label = s.text(btn)
        assert re.fullmatch(r"Retry in [123] s", label), label
        assert s.execute("return arguments[0].disabled", {ELEMENT: btn}), "Retry is enabled during the wait"
        shot(s, "e2e-17-rate-limited.png")
        s.wait("the countdown's end", lambda: s.text(s.el("[data-testid=retry-countdown]")) == "Retry now", 10)
        set_value(s, s.field("URL"), oidc_api + "/resource")
        s.press("Send")
        s.wait("the token accepted", lambda: diagnosis(s).startswith("OK"), 30)
        assert "eyJ" not in s.execute("return document.documentElement.outerHTML"), "a token reached the window"

        step("requests: the view across credentials, failed only, opens the console")
        nav = s.execute(
            "for (const b of document.querySelectorAll('nav button')) {"
            "  if ((b.innerText || '').startsWith('Requests')) return b; }"
            "return null;"
        )
        assert nav, "no Requests in the sidebar"
        s.click(nav[ELEMENT])
        view = s.el("[data-testid=requests-view]")
        s.wait("the sent requests", lambda: "6 sent · 3 failed" in s.text(view))
        text = s.execute("return arguments[0].textContent", {ELEMENT: view})
        assert "httpbin basic" in text and "Billing API" in text and "Rate limited" in text, text
        assert KEY_CANARY not in s.execute("return document.documentElement.outerHTML")
        shot(s, "e2e-18-requests-view.png")
        s.execute("arguments[0].click()", {ELEMENT: s.field("Failed only")})
        s.wait("failed only", lambda: s.execute(
            "return document.querySelectorAll('[data-testid=requests-view] tbody tr').length") == 3)
        # A click on a table row: WebKitWebDriver calls a <tr> not interactable.
        s.execute("arguments[0].click()", {ELEMENT: s.el("[data-testid=requests-view] tbody tr")})
        s.wait("the console of the failed one", lambda: s.find_all("[data-testid=request-console]"))
    finally:
        hb.kill()
        hb.wait()



def sync_phase(s, shot, step, cli, env):
    """Sync in the real window: Settings → Sync starts syncing through a folder; a second
    device (the CLI on its own vault file) joins and adds an item, which the open window
    shows by itself (the app's background pass); both change one item before syncing: the
    status bar counts the conflict, the Conflicts view shows both versions, and Keep this
    one on the other device's version wins on both devices."""
    step("sync: Settings → Sync starts syncing; another device's item appears by itself")
    folder = tempfile.mkdtemp(prefix="kw-sync-")
    s.press("Settings")
    s.wait_text("Lock after inactivity")
    s.type_into("Folder", folder)
    s.press("Start syncing")
    s.wait("the sync folder in Settings", lambda: folder in (s.execute(
        "const e = document.querySelector('[data-testid=sync-dir]'); return e ? e.innerText : '';") or ""))
    shot(s, "e2e-30-settings-sync.png")
    s.keys(["\ue00c"])
    s.wait_no_text("Lock after inactivity")
    s.wait("the status bar's sync state", lambda: "Synced" in (s.execute(
        "const e = document.querySelector('[data-testid=sync-status]'); return e ? e.innerText : '';") or ""))

    other = os.path.join(tempfile.mkdtemp(prefix="kw-desktop-"), "desktop.db")
    run_env = {**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    run_env.pop("KEYWRIGHT_VAULT", None)

    def on_desktop(args, stdin=""):
        out = subprocess.run(
            [cli, "--vault", other, "--password-stdin", "--json", *args],
            input=PASSWORD + "\n" + stdin, capture_output=True, text=True, env=run_env,
        )
        assert out.returncode == 0, (args, out.stdout, out.stderr)
        return json.loads(out.stdout)

    on_desktop(["sync", "join", folder, "--name", "desktop"])
    on_desktop(["add", "api-key", "Added on the desktop"], "k_from_desktop\n")
    on_desktop(["sync"])
    # No reload, no focus change: the app's pass (every 10 s) merges it and the list follows.
    s.wait_text("Added on the desktop", timeout=40)
    assert "k_from_desktop" not in s.execute("return document.documentElement.outerHTML")

    step("sync: one item changed on both devices before syncing: a conflict; Keep this one")
    on_desktop(["edit", "Added on the desktop", "--value-stdin"], "changed on the desktop\n")
    mine = {**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    out = subprocess.run(
        [cli, "--password-stdin", "edit", "Added on the desktop", "--value-stdin"],
        input=PASSWORD + "\nchanged on the laptop\n", capture_output=True, text=True, env=mine,
    )
    assert out.returncode == 0, out.stderr
    on_desktop(["sync"])
    s.wait("the conflict in the status bar", lambda: s.execute(
        "const b = document.querySelector('[data-testid=sync-status] .sync-conflicts');"
        "return b ? b.innerText : null;"), timeout=40)
    click = s.execute("return document.querySelector('[data-testid=sync-status] .sync-conflicts')")
    s.click(click[ELEMENT])
    s.el("[data-testid=conflicts]")
    s.wait_text("Added on the desktop")
    versions = s.find_all("[data-testid=conflict-version]")
    assert len(versions) == 2, f"{len(versions)} versions shown"
    assert "changed on the" not in s.execute("return document.documentElement.outerHTML"), "a value reached the page"
    shot(s, "e2e-31-conflicts.png")
    keep = s.execute(
        "for (const b of document.querySelectorAll('[data-testid=conflict-version] button')) {"
        "  if ((b.getAttribute('aria-label') || '').includes('from desktop')) return b; }"
        "return null;"
    )
    assert keep, "no Keep this one for the desktop's version"
    s.click(keep[ELEMENT])
    s.wait_text("No conflicts")
    on_desktop(["sync"])
    shown = on_desktop(["show", "Added on the desktop", "--reveal"])
    assert shown["secret"] == "changed on the desktop", shown["secret"]
    assert on_desktop(["conflicts"]) == [], "the desktop still has the conflict"
    out = subprocess.run(
        [cli, "--password-stdin", "--json", "show", "Added on the desktop", "--reveal"],
        input=PASSWORD + "\n", capture_output=True, text=True, env=mine,
    )
    assert json.loads(out.stdout)["secret"] == "changed on the desktop", out.stdout

def main():
    binary, out = sys.argv[1], sys.argv[2]
    cli = sys.argv[3] if len(sys.argv) > 3 else None
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="keywright-e2e-")
    vault = os.path.join(work, "vault", "vault.db")
    env = {
        "KEYWRIGHT_VAULT": vault,
        "KEYWRIGHT_KEYRING_SERVICE": f"keywright-e2e-{os.getpid()}",
        "XDG_DATA_HOME": os.path.join(work, "data"),
        "XDG_CACHE_HOME": os.path.join(work, "cache"),
        "XDG_CONFIG_HOME": os.path.join(work, "config"),
    }
    app = App(binary, work, env)
    step_no = [0]

    def step(name):
        step_no[0] += 1
        print(f"app-e2e: {step_no[0]:2d}. {name}", flush=True)

    def shot(s, name):
        path = s.screenshot(os.path.join(out, name))
        print(f"app-e2e:     screenshot {path}", flush=True)

    try:
        s = app.start()

        step("first run: create the vault with the system keyring")
        s.wait_text("Create vault", 60)
        assert not os.path.exists(vault), "showing the first-run screen created a file"
        shot(s, "e2e-01-first-run.png")
        s.type_into("Master password", PASSWORD)
        s.type_into("Confirm password", PASSWORD)
        s.press("Create vault")
        s.wait_text("Save your recovery code", 60)
        code = s.text(s.el("[data-testid=recovery-code]")).replace("\n", "").replace(" ", "")
        assert len(code) >= 32, f"recovery code looks wrong: {code!r}"
        assert "could not be used" not in s.body_text(), s.body_text()
        shot(s, "e2e-02-recovery-code.png")
        s.click(s.field("I have saved my recovery code"))
        s.press("Continue to the vault")
        s.wait_text("Add your first credential")
        assert os.path.exists(vault)
        shot(s, "e2e-03-empty-vault.png")

        step("settings: clear the clipboard after 10 s")
        s.press("Settings")
        s.wait_text("Lock after inactivity")
        sel = s.field("Clear copied secrets after")
        s.execute(
            "const el = arguments[0], v = arguments[1];"
            "const set = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set;"
            "set.call(el, v); el.dispatchEvent(new Event('change', {bubbles: true}));",
            {"element-6066-11e4-a52e-4f735466cecf": sel}, "10",
        )
        s.wait_text("Saved")
        # About: this build's version and git commit (the checkout the app was built from).
        about = s.wait("Settings → About", lambda: s.execute(
            "const a = document.querySelector('[data-testid=about]'); return a ? a.textContent : null"))
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=os.path.dirname(os.path.abspath(__file__)),
            capture_output=True, text=True, check=False,
        ).stdout.strip()
        assert re.fullmatch(r"AboutKeywright \d+\.\d+\.\d+\S* · commit \S+", about), about
        assert not head or about.endswith(head), f"{about!r} is not commit {head}"
        shot(s, "e2e-04-settings.png")
        s.keys(["\ue00c"])  # Escape closes the dialog
        s.wait_no_text("Clear copied secrets after")

        step("add an API key")
        s.press("New item")
        s.wait_text("Add item")
        s.type_into("Name", "Stripe live")
        s.type_into("API key", CANARY)
        s.type_into("URL", "https://api.stripe.com")
        s.type_into("Tags", "prod, billing")
        s.press("Add item")
        s.wait(
            "the new item in the detail pane",
            lambda: s.find_all("[data-testid=detail]") and "Stripe live" in s.body_text(),
        )
        assert CANARY not in s.body_text(), "the secret is shown before Reveal"
        assert CANARY not in s.execute("return document.documentElement.outerHTML")
        shot(s, "e2e-05-item.png")

        step("reveal, then hide")
        s.press("Reveal API key")
        s.wait_text(CANARY)
        shot(s, "e2e-06-revealed.png")
        s.press("Hide API key")
        s.wait_no_text(CANARY)
        assert CANARY not in s.execute("return document.documentElement.outerHTML")

        step("copy: the clipboard holds the key, then is cleared")
        s.press("Copy API key")
        s.wait_text("Copied")
        assert app.clipboard() == CANARY, "clipboard does not hold the copied key"
        assert CANARY not in s.execute("return document.documentElement.outerHTML")
        shot(s, "e2e-07-copied.png")
        s.wait("the clipboard to be cleared", lambda: app.clipboard() != CANARY, timeout=30)

        step("the secret reference: shown, copied through Rust, and read by `keywright read`")
        reference = s.execute("return document.querySelector('[data-testid=reference]').textContent")
        assert reference == "keywright://Stripe live/secret", reference
        s.press("Copy reference")
        s.wait("the reference on the clipboard", lambda: app.clipboard() == reference)
        if cli:
            run_env = {**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
            read = subprocess.run(
                [cli, "--password-stdin", "read", "-n", app.clipboard()], input=PASSWORD + "\n",
                capture_output=True, text=True, env=run_env, check=True,
            )
            assert read.stdout == CANARY, "keywright read of the copied reference"

        step("edit the name")
        s.press("Edit")
        s.wait_text("Save changes")
        s.type_into("Name", "Stripe (live)")
        s.press("Save changes")
        s.wait_text("Stripe (live)")
        s.wait_no_text("Save changes")

        step("lock, then a wrong password")
        s.keys([CTRL, "l"])
        s.wait_text("Unlock with system keyring")
        assert "Stripe" not in s.body_text(), "items visible while locked"
        s.type_into("Master password", "not the password")
        s.press("Unlock")
        s.wait_text("Wrong password")
        shot(s, "e2e-08-wrong-password.png")

        step("unlock with the password")
        s.type_into("Master password", PASSWORD)
        s.press("Unlock")
        s.wait_text("Stripe (live)")

        step("lock, unlock with the system keyring")
        s.keys([CTRL, "l"])
        s.press("Unlock with system keyring")
        s.wait_text("Stripe (live)")
        s.wait_no_text("Unlock with system keyring")

        step("delete to the Trash, with confirmation; Undo brings it back; delete again")
        s.click(s.el("[data-testid=detail]"))
        s.press("Delete")
        s.wait_text("Move to Trash")
        shot(s, "e2e-09-delete-confirm.png")
        s.press("Move to Trash")
        s.wait_text("Add your first credential")
        s.el("[data-testid=undo-toast]")
        s.press("Undo")
        s.wait_text("Stripe (live)")
        s.click(s.el("[data-testid=detail]"))
        s.press("Delete")
        s.press("Move to Trash")
        s.wait_text("Add your first credential")

        step("the secret never reached the vault file in clear")
        for suffix in ("", "-wal", "-shm"):
            p = vault + suffix
            if os.path.exists(p):
                with open(p, "rb") as f:
                    assert CANARY.encode() not in f.read(), f"{p} holds the key in clear"

        if cli:
            step("showcase: a dozen credentials added by the CLI, seen after lock/unlock")
            fill_with_cli(cli, env)
            s.keys([CTRL, "l"])
            s.type_into("Master password", PASSWORD)
            s.press("Unlock")
            s.wait_text("Okta service client")
            s.wait_text(f"{len(SHOWCASE)} items")
            row = s.execute(
                "for (const e of document.querySelectorAll('[role=option], li, .row, button')) {"
                "  if ((e.innerText || '').startsWith('GitHub deploy token')) return e; }"
                "return null;"
            )
            assert row, "no list row for GitHub deploy token"
            s.click(row[ELEMENT])
            s.wait(
                "the GitHub detail",
                lambda: detail_title(s) == "GitHub deploy token",
            )
            shot(s, "e2e-10-main.png")

            step("edit: an untouched expiry keeps its exact time; an unreadable date is refused")
            before = cli_show(cli, env, "GitHub deploy token")
            assert before["expires_at"].endswith("T00:00:00Z"), before["expires_at"]
            s.press("Edit")
            s.wait_text("Save changes")
            s.type_into("Tags", "ci, rotated")
            s.press("Save changes")
            s.wait_no_text("Save changes")
            after = cli_show(cli, env, "GitHub deploy token")
            assert after["tags"] == ["ci", "rotated"], after["tags"]
            assert after["expires_at"] == before["expires_at"], (before["expires_at"], after["expires_at"])
            s.press("Edit")
            s.wait_text("Save changes")
            s.type_into("Expires on", "13/45/2026")
            s.press("Save changes")
            s.wait_text('"13/45/2026" is not a date')
            s.keys(["\ue00c"])  # Escape: the typed date is not thrown away without asking
            s.wait_text("Discard changes?")
            s.press("Discard")
            s.wait_no_text("Save changes")
            assert cli_show(cli, env, "GitHub deploy token")["expires_at"] == before["expires_at"]

            codes_phase(s, app, shot, step)
            import_phase(s, shot, step, cli, env)
            tokens_phase(s, app, shot, step, cli, env)
            sync_phase(s, shot, step, cli, env)
        print("app-e2e: OK", flush=True)
    except Exception:
        try:
            if app.session:
                app.session.screenshot(os.path.join(out, "e2e-failure.png"))
                print("app-e2e: page text at failure:\n" + app.session.body_text()[:2000])
        except Exception:  # noqa: BLE001 - the original error matters more
            pass
        raise
    finally:
        app.close()


if __name__ == "__main__":
    t0 = time.monotonic()
    main()
    print(f"app-e2e: done in {time.monotonic() - t0:.1f}s")
