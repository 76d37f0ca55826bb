"""Driving the report app in a real browser: `nsw-doe app` on 127.0.0.1 and a headless Chromium through Playwright.

Chromium is Debian's (`make test` installs it with apt when missing); Playwright never downloads one. The browser
tests and `make bench` share these helpers.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page, Playwright

from nsw_doe.settings import PROJECT_ROOT
from tests.servers import free_port, running_server

# Debian's Chromium, or what NSW_DOE_CHROMIUM names (a laptop may point it at any Chromium).
CHROMIUM = os.environ.get("NSW_DOE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Headless as root in a container, with none of Chromium's own calls home (which a closed network refuses).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
LOCAL_HOSTS = {"127.0.0.1"}
# Opened at a page's URL, Streamlit's front end first asks for its health and host config under the page's path
# (a 404, logged as a console error) and then at the root: streamlit/streamlit#7074. Those two are not the app's.
STREAMLIT_PROBE = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")


@contextmanager
def serve_app(warehouse_dir: Path, startup_timeout: float = 60) -> Iterator[str]:
    """`nsw-doe app` on a free port of 127.0.0.1 over `warehouse_dir`, basemap off; yields its base URL."""
    port = free_port()
    env = {**os.environ, "NSW_DOE_WAREHOUSE_DIR": str(warehouse_dir), "NSW_DOE_BASEMAP": "off"}
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "nsw_doe.cli", "app", "--port", str(port)]
    with running_server(command, env, f"{url}/_stcore/health", startup_timeout):
        yield url


def launch_chromium(playwright: Playwright) -> Browser:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"No Chromium at {CHROMIUM}: install Debian's (apt-get install chromium; `make test` does) or set "
            "NSW_DOE_CHROMIUM to a Chromium binary."
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@dataclass
class PageProblems:
    """What went wrong in a page, as a browser sees it: console errors, uncaught errors, requests leaving
    127.0.0.1."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", self._request)
        return page

    def _console(self, message) -> None:
        if message.type == "error" and not STREAMLIT_PROBE.match(urlparse(message.location.get("url", "")).path):
            self.console_errors.append(f"{message.text} ({message.location})")

    def _request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and url.hostname not in LOCAL_HOSTS:
            self.external_requests.append(request.url)

    def __bool__(self) -> bool:
        return bool(self.console_errors or self.page_errors or self.external_requests)


# Streamlit marks its root with the script's state, but draws the script's elements after it says "notRunning", and
# charts and maps draw after that: a page is drawn when the script is done, no chart or map is still empty, and the
# page has not changed for QUIET_MS. Every page records the time of its latest change (ms since navigation started).
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
UNDRAWN = '[data-testid="stVegaLiteChart"]:not(:has(canvas, svg)), [data-testid="stDeckGlJsonChart"]:not(:has(canvas))'
QUIET_MS = 500
RECORD_CHANGES = """
window.__lastChange = performance.now();
new MutationObserver(() => { window.__lastChange = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""
DRAWN = f"""
() => !document.querySelector({UNDRAWN!r}) && performance.now() - window.__lastChange > {QUIET_MS}
"""


def new_page(browser: Browser) -> Page:
    """A tab in a fresh browser context (empty cache, no cookies) that records when its page last changed."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(RECORD_CHANGES)
    return context.new_page()


def now_ms(page: Page) -> float:
    return page.evaluate("performance.now()")


def wait_until_drawn(page: Page, timeout_ms: float = 30_000) -> float:
    """Wait until the page is drawn (see above); the time of its last change, in ms since navigation started."""
    page.wait_for_selector(SCRIPT_DONE, timeout=timeout_ms)
    page.wait_for_function(DRAWN, timeout=timeout_ms, polling=50)
    return page.evaluate("window.__lastChange")


def open_app_page(page: Page, url: str) -> float:
    """Load `url` and wait until it is drawn; the seconds from the start of navigation to its last change."""
    page.goto(url)
    return wait_until_drawn(page) / 1000


def screenshot(page: Page, path: Path) -> None:
    """The whole page as a PNG. Streamlit scrolls its main area inside the window, so the window is made as tall as
    the content first (then put back)."""
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]"
        ".map(e => e.scrollHeight), window.innerHeight)"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(height, 12_000)})
    wait_until_drawn(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path)
    page.set_viewport_size(VIEWPORT)


# axe-core, the accessibility checker, from the npm package the repository pins (package.json; `make axe` installs it).
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "best-practice"]
# Runs axe over the page, then marks each element it flags with the first allowed [rule, CSS selector] pair whose rule
# it broke and whose selector it matches (null when none does; an element inside a frame or shadow root never does).
AXE_RUN = """
async ([tags, allowed]) => {
    const {violations} = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    for (const violation of violations) {
        for (const node of violation.nodes) {
            const element = node.target.length === 1 ? document.querySelector(node.target[0]) : null;
            const entry = allowed.find(([rule, selector]) => rule === violation.id && element?.matches(selector));
            node.allowed_by = entry ? entry[1] : null;
        }
    }
    return violations;
}
"""


def axe_violations(page: Page, allowed: list[tuple[str, str]]) -> list[dict]:
    """axe-core's violations of WCAG 2 A and AA and of its best practices on the page as drawn now: one dict per rule
    broken (`id`, `impact`, `help`, `nodes`), each node with its `target` (CSS selectors) and `allowed_by`: the
    selector of the `allowed` (rule id, CSS selector) pair that excuses it, or None."""
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"No axe-core at {AXE_SCRIPT}: run `make axe` (npm ci) first; `make test` does.")
    page.add_script_tag(path=AXE_SCRIPT)
    return page.evaluate(AXE_RUN, [AXE_TAGS, [list(pair) for pair in allowed]])
