"""A small W3C WebDriver client (stdlib only) and the harness that runs the real Keywright
window under Xvfb through WebKitWebDriver (Debian `webkit2gtk-driver`).

WebKitWebDriver starts the app binary itself when `TAURI_WEBVIEW_AUTOMATION=true` is set
(see FACTS.md); the app inherits the driver's environment, which is how a test points it
at its own vault and keyring service.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class WebDriverError(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_xvfb(log, screen="1280x800"):
    for n in range(90, 190):
        if os.path.exists(f"/tmp/.X{n}-lock") or os.path.exists(f"/tmp/.X11-unix/X{n}"):
            continue
        proc = subprocess.Popen(
            ["Xvfb", f":{n}", "-screen", "0", f"{screen}x24", "-nolisten", "tcp"],
            stdout=log, stderr=log, start_new_session=True,
        )
        for _ in range(100):
            if proc.poll() is not None:
                break
            if subprocess.run(["xdpyinfo", "-display", f":{n}"], capture_output=True).returncode == 0:
                return proc, f":{n}"
            time.sleep(0.1)
        stop(proc)
    raise RuntimeError("could not start Xvfb on any display :90..:190")


def stop(proc, grace=3.0):
    """Stop a process and its whole process group (it was started in a new session)."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


class Session:
    def __init__(self, url, session_id, display=None):
        self.url = url
        self.id = session_id
        self.display = display

    # --- protocol -------------------------------------------------------------------
    def _call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}/session/{self.id}{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.load(r).get("value")
        except urllib.error.HTTPError as e:
            try:
                v = json.load(e).get("value", {})
            except Exception:  # noqa: BLE001 - any undecodable error body
                v = {}
            raise WebDriverError(f"{method} {path}: {v.get('error')}: {v.get('message')}") from None

    def execute(self, script, *args):
        return self._call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def execute_async(self, script, *args):
        return self._call("POST", "/execute/async", {"script": script, "args": list(args)})

    def find_all(self, css):
        return [e[ELEMENT] for e in self._call("POST", "/elements", {"using": "css selector", "value": css})]

    def click(self, el):
        self._call("POST", f"/element/{el}/click", {})

    def send_keys(self, el, text):
        self._call("POST", f"/element/{el}/value", {"text": text})

    def clear(self, el):
        self._call("POST", f"/element/{el}/clear", {})

    def text(self, el):
        return self._call("GET", f"/element/{el}/text")

    def screenshot(self, path):
        """The window as X shows it. WebKitWebDriver's own /screenshot needs accelerated
        compositing, which the app turns off (src-tauri/src/lib.rs), so the picture comes
        from the X server: what a user would see."""
        # Let the last DOM change paint first: two animation frames.
        self.execute_async(
            "const done = arguments[arguments.length - 1];"
            "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"
        )
        if self.display is None:
            png = base64.b64decode(self._call("GET", "/screenshot"))
            with open(path, "wb") as f:
                f.write(png)
            return path
        rect = self._call("GET", "/window/rect")
        view = self.execute("return [window.innerWidth, window.innerHeight]")
        # The window rect includes no decorations under Xvfb (no window manager); crop to
        # the webview's size from the window's top-left corner.
        x, y = int(rect.get("x", 0)), int(rect.get("y", 0))
        w, h = int(view[0]), int(view[1])
        subprocess.run(
            ["import", "-display", self.display, "-window", "root",
             "-crop", f"{w}x{h}+{x}+{y}", "+repage", path],
            check=True, capture_output=True, timeout=30,
        )
        return path

    def set_size(self, width, height):
        """Resize the window; returns the webview's inner size once it has taken it."""
        self._call("POST", "/window/rect", {"x": 0, "y": 0, "width": width, "height": height})
        return self.wait(
            f"a {width}x{height} window",
            lambda: self.execute(
                "return window.innerWidth === arguments[0] && window.innerHeight === arguments[1]"
                " ? [window.innerWidth, window.innerHeight] : null", width, height),
            timeout=10,
        )

    def delete(self):
        try:
            req = urllib.request.Request(f"{self.url}/session/{self.id}", method="DELETE")
            urllib.request.urlopen(req, timeout=20).read()
        except Exception:  # noqa: BLE001 - best effort at teardown
            pass

    # --- waiting helpers ----------------------------------------------------------------
    def wait(self, what, fn, timeout=20.0, interval=0.1):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = fn()
                if last:
                    return last
            except WebDriverError as e:
                last = e
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")

    def body_text(self):
        return self.execute("return document.body ? document.body.innerText : ''") or ""

    def wait_text(self, text, timeout=20.0):
        return self.wait(f"text {text!r}", lambda: text in self.body_text(), timeout)

    def wait_no_text(self, text, timeout=20.0):
        return self.wait(f"no text {text!r}", lambda: text not in self.body_text(), timeout)

    def el(self, css, timeout=20.0):
        """The first visible element matching `css`."""
        def find():
            for e in self.find_all(css):
                if self.execute("const r = arguments[0].getBoundingClientRect(); return r.width > 0 && r.height > 0;", {ELEMENT: e}):
                    return e
            return None
        return self.wait(f"element {css!r}", find, timeout)

    def button(self, label, timeout=20.0):
        """The visible enabled button whose text or aria-label is `label`."""
        script = (
            "const want = arguments[0];"
            "for (const b of document.querySelectorAll('button, [role=button], a')) {"
            "  const t = (b.getAttribute('aria-label') || b.innerText || '').trim();"
            "  const r = b.getBoundingClientRect();"
            "  if (t === want && r.width > 0 && r.height > 0 && !b.disabled) return b;"
            "}"
            "return null;"
        )
        found = self.wait(f"button {label!r}", lambda: self.execute(script, label), timeout)
        return found[ELEMENT]

    def press(self, label, timeout=20.0):
        self.click(self.button(label, timeout))

    def field(self, label, timeout=20.0):
        """The visible input/textarea/select labelled `label` (label text or aria-label)."""
        script = (
            "const want = arguments[0];"
            "const vis = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };"
            "const texty = e => e.tagName !== 'INPUT' || !['radio', 'checkbox'].includes(e.type);"
            "const name = l => (l.innerText || '').trim().split('\\n')[0].replace(/ \\*$/, '').trim();"
            "const hits = [];"
            "for (const l of document.querySelectorAll('label')) {"
            "  if (name(l) !== want) continue;"
            "  const c = l.control || l.querySelector('input,textarea,select');"
            "  if (c && vis(c)) hits.push(c);"
            "}"
            "for (const e of document.querySelectorAll('input,textarea,select')) {"
            "  if ((e.getAttribute('aria-label') || '') === want && vis(e)) hits.push(e);"
            "}"
            "return hits.find(texty) || hits[0] || null;"
        )
        found = self.wait(f"field {label!r}", lambda: self.execute(script, label), timeout)
        return found[ELEMENT]

    def type_into(self, label, text):
        el = self.field(label)
        self.clear(el)
        self.send_keys(el, text)
        return el

    def keys(self, keys):
        """Send keys to the focused element (W3C actions), e.g. ["\\ue009", "l"] for Ctrl+L."""
        down = [{"type": "keyDown", "value": k} for k in keys]
        up = [{"type": "keyUp", "value": k} for k in reversed(keys)]
        self._call("POST", "/actions", {"actions": [{"type": "key", "id": "kb", "actions": down + up}]})
        self._call("DELETE", "/actions")


class App:
    """Xvfb + WebKitWebDriver + the app binary, torn down completely by close()."""

    def __init__(self, binary, workdir, env_extra, screen="1280x800"):
        self.binary = os.path.abspath(binary)
        self.workdir = workdir
        self.log = open(os.path.join(workdir, "e2e-processes.log"), "ab")
        self.xvfb, self.display = start_xvfb(self.log, screen)
        self.port = free_port()
        env = dict(os.environ)
        env.update(env_extra)
        env.update({
            "DISPLAY": self.display,
            "TAURI_WEBVIEW_AUTOMATION": "true",
            "NO_AT_BRIDGE": "1",
        })
        self.env = env
        self.driver = subprocess.Popen(
            ["WebKitWebDriver", f"--port={self.port}"],
            stdout=self.log, stderr=self.log, env=env, start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.url}/status", timeout=1).read()
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        self.session = None

    def start(self):
        body = {"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {"binary": self.binary, "args": []},
        }}}
        last = None
        for _ in range(2):  # FACTS.md: retry session creation once
            try:
                req = urllib.request.Request(
                    f"{self.url}/session", data=json.dumps(body).encode(), method="POST",
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(req, timeout=90) as r:
                    v = json.load(r)["value"]
                self.session = Session(self.url, v["sessionId"], self.display)
                return self.session
            except Exception as e:  # noqa: BLE001 - retried once, then raised
                last = e
                time.sleep(1)
        raise RuntimeError(f"could not start a WebDriver session: {last}")

    def quit_app(self):
        if self.session:
            self.session.delete()
            self.session = None

    def clipboard(self):
        """The X clipboard's text, or None when it holds none."""
        r = subprocess.run(
            ["xclip", "-selection", "clipboard", "-o"],
            env={**os.environ, "DISPLAY": self.display}, capture_output=True, timeout=10,
        )
        return r.stdout.decode() if r.returncode == 0 else None

    def close(self):
        self.quit_app()
        stop(self.driver)
        stop(self.xvfb)
        # WebKit helpers can outlive the driver (FACTS.md): kill ours by their display.
        if shutil.which("pkill"):
            subprocess.run(["pkill", "-f", f"WebKitWebDriver --port={self.port}"], capture_output=True)
        self.log.close()
