#!/usr/bin/env python3
"""Drives headless Chromium through the demo app like a newcomer: sign in, connect Salesforce if needed, fetch
Salesforce contacts; stops the moment the first record is on the page.

Talks W3C WebDriver to Debian's chromedriver with the standard library only (no Selenium, nothing to download).
Prints one line per click and, last, "first records after N clicks". Exit code 0 when records were shown.

    STOPWATCH_USER=ada STOPWATCH_PASSWORD=... stopwatch-browser.py APP_URL SCREENSHOT_DIR

The password comes from the environment, never from the command line.
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
MAX_CLICKS = 5
ENTER = "\ue007"
TIMEOUT_SECONDS = 90


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self, profile):
        self.port = free_port()
        self.driver = subprocess.Popen([CHROMEDRIVER, f"--port={self.port}"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 20
        while True:
            try:
                self.call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.time() > deadline:
                    raise SystemExit("stopwatch: chromedriver did not start within 20 s")
                time.sleep(0.2)
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,900", f"--user-data-dir={profile}"]
        answer = self.call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}})
        self.session = f"/session/{answer['sessionId']}"

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response).get("value")
        except urllib.error.HTTPError as e:
            value = json.load(e).get("value", {})
            raise WebDriverError(value.get("error", str(e.code)), value.get("message", "")[:200]) from None

    def open(self, url):
        self.call("POST", self.session + "/url", {"url": url})

    def find(self, css):
        found = self.call("POST", self.session + "/elements", {"using": "css selector", "value": css})
        return [f[ELEMENT] for f in found]

    def click(self, element):
        self.call("POST", f"{self.session}/element/{element}/click", {})

    def type(self, element, text):
        self.call("POST", f"{self.session}/element/{element}/value", {"text": text})

    def url(self):
        return self.call("GET", self.session + "/url")

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.call("GET", self.session + "/screenshot")))

    def quit(self):
        try:
            self.call("DELETE", self.session)
        except (WebDriverError, urllib.error.URLError):
            pass
        self.driver.terminate()
        self.driver.wait(10)


class WebDriverError(Exception):
    pass


# What a newcomer clicks on each page, first match wins: the app's own buttons, Keycloak's login form (typed, see
# fill_login), Keycloak's "link your account?" question, the Salesforce (sandbox) consent page's Allow.
STEPS = [
    ("tr.record", None),
    ("#connect-salesforce", "Connect Salesforce"),
    ("#reconnect-salesforce", "Reconnect Salesforce"),
    ("#fetch-salesforce", "Fetch my Salesforce contacts"),
    ("#sign-in", "Sign in"),
    ("#kc-login", "LOGIN"),
    ("#kc-continue", "Continue (Keycloak asks: link your account with Salesforce?)"),
    ("#allow", "Allow (on the Salesforce consent page)"),
]


def fill_login(browser, typed):
    """Types into Keycloak's login page what the person types: the username (a page of its own when the realm has
    organizations: identity-first), then the password, each ended with Enter. Typing is not counted as a click."""
    user, password = os.environ.get("STOPWATCH_USER"), os.environ.get("STOPWATCH_PASSWORD")
    if not user or not password:
        raise SystemExit("stopwatch: Keycloak asks for a login; set STOPWATCH_USER and STOPWATCH_PASSWORD")
    passwords = browser.find("#password")
    if passwords:
        if "password" in typed:
            return None  # typed once already: a refusal stays on the page, and the run times out with a screenshot
        typed.add("password")
        browser.type(passwords[0], password + ENTER)
        return "typed the password, Enter"
    usernames = browser.find("#username")
    if not usernames or "username" in typed:
        return None
    typed.add("username")
    browser.call("POST", f"{browser.session}/element/{usernames[0]}/clear", {})
    browser.type(usernames[0], user + ENTER)
    return f"typed {user}, Enter"


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    app_url, shots = sys.argv[1], sys.argv[2]
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"stopwatch: {tool} is missing; install it with: apt-get install chromium chromium-driver")
    os.makedirs(shots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="stopwatch-chromium-")
    browser = Browser(profile)
    clicks = 0
    last = None
    typed = set()
    try:
        browser.open(app_url)
        deadline = time.time() + TIMEOUT_SECONDS
        while time.time() < deadline:
            action = None
            for css, label in STEPS:
                try:
                    found = browser.find(css)
                except WebDriverError:
                    found = []
                if found:
                    action = (found[0], label, css)
                    break
            if action is None:
                time.sleep(0.1)
                continue
            element, label, css = action
            if label is None:
                browser.screenshot(os.path.join(shots, f"{clicks + 1:02d}-records.png"))
                print(f"first records after {clicks} clicks")
                return 0
            if (label, browser.url()) == last:
                time.sleep(0.1)  # the same button on the same page: the click is still under way
                continue
            if label == "LOGIN":
                browser.screenshot(os.path.join(shots, f"{clicks + 1:02d}-login-{len(typed)}.png"))
                done = fill_login(browser, typed)
                if done:
                    print(f"  {done} (Keycloak's login page)", flush=True)
                time.sleep(0.2)
                continue
            browser.screenshot(os.path.join(shots, f"{clicks + 1:02d}-before-click.png"))
            clicks += 1
            if clicks > MAX_CLICKS:
                raise SystemExit(f"stopwatch: no records after {MAX_CLICKS} clicks (last page {browser.url()})")
            print(f"click {clicks}: {label}", flush=True)
            try:
                browser.click(element)
            except WebDriverError as e:
                print(f"  (click not taken: {e}; trying again)", flush=True)
                clicks -= 1
                continue
            last = (label, browser.url())
        browser.screenshot(os.path.join(shots, "timeout.png"))
        raise SystemExit(f"stopwatch: no records within {TIMEOUT_SECONDS} s (last page {browser.url()})")
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
