"""The three browser engines a page can run in, behind one small interface shaped like Playwright's.

A page runtime (page.py, beside this file), the session pool and the tests see only this:

    engine = ENGINES["firefox"]          # "chromium", "firefox" or "webkit"
    engine.unavailable_reason()          # None, or why it cannot run here (nothing is launched)
    browser = engine.launch()            # BrowserUnavailable, with what to install, when it cannot
    browser.version                      # "Chromium 1…", "Firefox 1…", "WebKitGTK 2…"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)                       # returns once the load event fired
    page.evaluate("(arg) => …", arg)     # a function's source and one JSON argument; promises awaited
                                         # (timeout_s=: how long the host waits for the browser)
    page.wait_for("(arg) => …", timeout_s, arg)   # until truthy; TimeoutError when it is not
    page.errors                          # uncaught page errors seen so far (where the driver reports them)
    page.close(); browser.close()

How each engine is driven stays here:

- Chromium: Playwright (chromium.py), in this process. Its pages also offer Playwright's own API.
- Firefox: Debian's firefox-esr over WebDriver BiDi by puppeteer-core, in a Node child process
  (crosscheck/runtimes/node/firefox_driver.mjs) spoken to in the line-delimited JSON of protocol.mjs
  by NodeProcessRuntime's process handling. Playwright drives only its own patched Firefox builds,
  which cannot be downloaded offline, and Debian has no geckodriver.
- WebKit: WebKitGTK's MiniBrowser through WebKitWebDriver (Debian's webkit2gtk-driver), by Selenium,
  on a private Xvfb display, since MiniBrowser has no headless mode.

The Firefox and WebKit transports are not bound to a thread (a lock serialises each browser's
requests), so their runtimes may boot side by side; Playwright's objects stay on their thread.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
import warnings
from typing import Any, Callable

from ...paths import NODE_MODULES
from ..base import RuntimeFailure
from .chromium import BrowserUnavailable, Chromium, chromium_path, find_browser

FIREFOX_ENV = "DENSE_PARITY_FIREFOX"
FIREFOX_NAMES = ("firefox-esr", "firefox")
WEBKIT_DRIVER_ENV = "DENSE_PARITY_WEBKIT_DRIVER"
MINIBROWSER_ENV = "DENSE_PARITY_MINIBROWSER"
MINIBROWSER_PATHS = ("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                     "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                     "/usr/libexec/webkit2gtk-4.1/MiniBrowser")
# How long the host waits for a browser to open a page or load one: a safeguard against a hung
# browser, well beyond what a busy machine takes.
OPEN_TIMEOUT_S = 120.0
EVALUATE_TIMEOUT_S = 600.0
# In-page polling of a predicate, as Playwright's wait_for_function(polling=100) does.
POLL_MS = 100


def _executable(path: str | None) -> bool:
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def _configured(env: str) -> str | None:
    """$env when set: the path, which must be an executable file."""
    value = os.environ.get(env)
    if value and not _executable(value):
        raise BrowserUnavailable(f"{env}={value} is not an executable file")
    return value or None


def _reason(check: Callable[[], Any]) -> str | None:
    try:
        check()
    except BrowserUnavailable as exc:
        return str(exc)
    return None


def _waiter(predicate: str) -> str:
    """A function of (arg, timeoutMs) that resolves once ``predicate(arg)`` is truthy, polled in the page."""
    return f"""([arg, timeoutMs]) => new Promise((resolve, reject) => {{
        const predicate = ({predicate});
        const until = Date.now() + timeoutMs;
        const poll = () => {{
            let value = false;
            try {{ value = predicate(arg); }} catch (err) {{ /* not yet: the page is still loading */ }}
            if (value) return resolve(true);
            if (Date.now() > until) return reject(new Error("wait_for: TimeoutError"));
            setTimeout(poll, {POLL_MS});
        }};
        poll();
    }})"""


# --- Chromium (Playwright, in this process) ------------------------------------------------------

class PlaywrightPage:
    """The interface over a Playwright page; everything else of Playwright's page passes through."""

    def __init__(self, page) -> None:
        self.raw = page
        self.errors: list[str] = []
        page.on("pageerror", lambda err: self.errors.append(str(err)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    def goto(self, url: str) -> None:
        self.raw.goto(url)

    def expose_progress(self, callback: Callable[[str], None]) -> None:
        self.raw.expose_function("__harnessProgress", lambda stage, ms: callback(stage))

    def evaluate(self, source: str, arg: Any = None, timeout_s: float | None = None) -> Any:
        return self.raw.evaluate(source, arg)  # Playwright waits as long as the page takes

    def wait_for(self, predicate: str, timeout_s: float, arg: Any = None) -> None:
        try:
            self.raw.wait_for_function(predicate, arg=arg, timeout=timeout_s * 1000, polling=POLL_MS)
        except Exception as exc:
            raise TimeoutError(f"{predicate} not true within {timeout_s:g} s") from exc

    def close(self) -> None:
        self.raw.close()


class ChromiumBrowser:
    """A Chromium (chromium.Chromium) behind the interface; one handed in stays open on close()."""

    def __init__(self, chromium: Chromium | None = None, endpoint: str | None = None, profile: str | None = None) -> None:
        self._own = chromium is None
        self.chromium = chromium or Chromium(endpoint, profile=profile)
        self.version = f"Chromium {self.chromium.version}"

    def new_page(self, viewport: dict | None = None) -> PlaywrightPage:
        return PlaywrightPage(self.chromium.new_page(**({"viewport": viewport} if viewport else {})))

    def close(self) -> None:
        if self._own:
            self.chromium.close()


class ChromiumEngine:
    name, key = "Chromium", "chromium"

    @staticmethod
    def unavailable_reason() -> str | None:
        return _reason(chromium_path)

    @staticmethod
    def launch() -> ChromiumBrowser:
        return ChromiumBrowser()


# --- Firefox (puppeteer-core over WebDriver BiDi, in a Node child process) ---------------------

def firefox_path() -> str:
    return find_browser(FIREFOX_ENV, FIREFOX_NAMES, "Firefox", "firefox-esr")


def _firefox_prerequisites() -> None:
    from ..node.process import node_path

    firefox_path()
    if node_path() is None:
        raise BrowserUnavailable("no `node` on PATH (Firefox is driven from Node by puppeteer-core)")
    if not (NODE_MODULES / "puppeteer-core" / "package.json").exists():
        raise BrowserUnavailable(f"puppeteer-core is not installed in {NODE_MODULES}; run scripts/setup (npm ci)")


class FirefoxPage:
    def __init__(self, browser: "FirefoxBrowser", page_id: str) -> None:
        self._browser, self._id = browser, page_id

    def _op(self, op: str, timeout_s: float, **fields) -> Any:
        return self._browser.op(op, timeout_s, page=self._id, **fields)

    @property
    def errors(self) -> list[str]:
        try:
            return self._op("errors", 10.0)
        except RuntimeFailure:
            return []

    def goto(self, url: str) -> None:
        self._op("goto", OPEN_TIMEOUT_S, url=url, timeoutMs=int(OPEN_TIMEOUT_S * 1000))

    def evaluate(self, source: str, arg: Any = None, timeout_s: float | None = None) -> Any:
        return self._op("evaluate", timeout_s or EVALUATE_TIMEOUT_S, source=source, arg=arg)

    def wait_for(self, predicate: str, timeout_s: float, arg: Any = None) -> None:
        try:
            self.evaluate(_waiter(predicate), [arg, int(timeout_s * 1000)], timeout_s + 30)
        except RuntimeFailure as exc:
            if "wait_for: TimeoutError" in exc.reason:
                raise TimeoutError(f"{predicate} not true within {timeout_s:g} s") from exc
            raise

    def close(self) -> None:
        try:
            self._op("close", 30.0)
        except RuntimeFailure:
            pass  # the browser is gone already


class FirefoxBrowser:
    """One firefox-esr, launched and driven by crosscheck/runtimes/node/firefox_driver.mjs.

    Requests are multiplexed on the driver's pipe: each carries an id and its answer is handed to the
    thread that waits for it, so a page waiting for its Pyodide does not hold up another page's calls.
    """

    def __init__(self) -> None:
        from ..node.process import NodeProcessRuntime

        _firefox_prerequisites()
        executable = firefox_path()

        class FirefoxDriver(NodeProcessRuntime):
            name = "firefox driver"
            script = "firefox_driver.mjs"

            def script_args(self) -> list[str]:
                return [executable]

            def _kill(self) -> None:
                # SIGTERM first: puppeteer then closes Firefox, which a killed Node would orphan.
                if self.process is not None:
                    self.process.terminate()
                    try:
                        self.process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        pass
                super()._kill()

        self._driver = FirefoxDriver(NODE_MODULES, boot_timeout=OPEN_TIMEOUT_S)
        try:
            self._driver.start(lambda stage: None)
        except RuntimeFailure as exc:
            self._driver.close()
            raise BrowserUnavailable(f"could not launch {executable}: {exc.reason}") from exc
        self.version = self._driver.versions()["browser"]
        self._write = threading.Lock()
        self._waiting: dict[int, queue.Queue] = {}
        self._ids = itertools.count(1)
        self._gone = False
        threading.Thread(target=self._dispatch, name="firefox-driver-answers", daemon=True).start()

    def _dispatch(self) -> None:
        from ..node.process import _EOF

        while True:
            message = self._driver._lines.get()
            if message is _EOF:
                self._gone = True
                for waiting in list(self._waiting.values()):
                    waiting.put(None)
                return
            waiting = self._waiting.pop(message.get("id"), None)
            if waiting is not None:
                waiting.put(message)

    def op(self, op: str, timeout_s: float, **fields) -> Any:
        target = f"page:{op}"
        request_id, answer = next(self._ids), queue.Queue(maxsize=1)
        self._waiting[request_id] = answer
        try:
            with self._write:
                if self._gone or self._driver.process is None:
                    raise RuntimeFailure("firefox", f"{target}: the driver is gone{self._driver._diagnostics()}")
                self._driver.process.stdin.write(json.dumps({"id": request_id, "op": "call", "target": target,
                                                             "argument": json.dumps(fields)}) + "\n")
                self._driver.process.stdin.flush()
        except OSError as exc:
            self._waiting.pop(request_id, None)
            raise RuntimeFailure("firefox", f"{target}: the driver is gone ({exc}){self._driver._diagnostics()}") from exc
        try:
            message = answer.get(timeout=timeout_s)
        except queue.Empty:
            self._waiting.pop(request_id, None)
            raise RuntimeFailure("firefox", f"{target} did not finish within {timeout_s:g} s") from None
        if message is None:
            raise RuntimeFailure("firefox", f"{target}: the driver exited{self._driver._diagnostics()}")
        if not message["ok"]:
            err = message["error"]
            raise RuntimeFailure("firefox", f"{target} failed: {err['type']}: {err['message']}")
        return json.loads(message["value"])

    def new_page(self, viewport: dict | None = None) -> FirefoxPage:
        return FirefoxPage(self, self.op("new", OPEN_TIMEOUT_S, viewport=viewport))

    def close(self) -> None:
        self._driver.close()


class FirefoxEngine:
    name, key = "Firefox", "firefox"

    @staticmethod
    def unavailable_reason() -> str | None:
        return _reason(_firefox_prerequisites)

    @staticmethod
    def launch() -> FirefoxBrowser:
        return FirefoxBrowser()


# --- WebKit (WebKitWebDriver and MiniBrowser, by Selenium, on Xvfb) ---------------------------

def webkit_paths() -> tuple[str, str]:
    """(WebKitWebDriver, MiniBrowser), or BrowserUnavailable saying what to install."""
    driver = _configured(WEBKIT_DRIVER_ENV) or shutil.which("WebKitWebDriver")
    if not driver:
        raise BrowserUnavailable("no WebKitWebDriver on PATH. Install Debian's `webkit2gtk-driver` "
                                 f"(apt-get install webkit2gtk-driver xvfb) or set {WEBKIT_DRIVER_ENV}")
    browser = _configured(MINIBROWSER_ENV) or next((p for p in MINIBROWSER_PATHS if _executable(p)), None)
    if not browser:
        raise BrowserUnavailable(f"no WebKitGTK MiniBrowser (looked in {', '.join(MINIBROWSER_PATHS)}). Install "
                                 f"Debian's `webkit2gtk-driver` (apt-get install webkit2gtk-driver xvfb) or set {MINIBROWSER_ENV}")
    return driver, browser


def _webkit_prerequisites() -> None:
    webkit_paths()
    if not shutil.which("Xvfb"):
        raise BrowserUnavailable("no Xvfb on PATH; MiniBrowser needs a display. Install Debian's `xvfb` "
                                 "(apt-get install xvfb)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        raise BrowserUnavailable("the Python package selenium is not installed: pip install 'dense-parity[webkit]' "
                                 "(in a checkout, scripts/setup)") from None


class Xvfb:
    """A private X display for MiniBrowser."""

    def __init__(self) -> None:
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen([shutil.which("Xvfb") or "Xvfb", "-displayfd", str(write), "-nolisten", "tcp",
                                             "-screen", "0", "1280x1024x24"], pass_fds=(write,),
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # written once the display accepts clients: no waiting on the clock
        if not number:
            self.close()
            raise BrowserUnavailable("Xvfb exited without opening a display")
        self.display = f":{number}"

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# The function's source becomes code of the script (no eval in the page), its argument travels as a
# WebDriver argument, and the outcome comes back as a value, so a rejection keeps its message.
_WEBKIT_EVALUATE = """const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (%s)(arguments[0]))
  .then(value => done({ok: true, value: value === undefined ? null : value}),
        err => done({ok: false, error: `${err && err.name}: ${err && err.message}`}));"""


class WebKitPage:
    """One WebDriver session (one MiniBrowser window) per page."""

    def __init__(self, browser: "WebKitBrowser", viewport: dict | None = None) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        options = Options()
        options.binary_location = browser.minibrowser
        options.add_argument("--automation")
        service = Service(executable_path=browser.driver, env={**os.environ, "DISPLAY": browser.display})
        try:
            with warnings.catch_warnings():
                # Selenium 4.51's own WebKitGTK driver uses an argument it has deprecated; not ours to fix.
                warnings.simplefilter("ignore", DeprecationWarning)
                self.driver = webdriver.WebKitGTK(options=options, service=service)
        except Exception as exc:
            raise BrowserUnavailable(f"could not start {browser.driver} with {browser.minibrowser}: "
                                     f"{str(exc).strip().splitlines()[0]}") from exc
        self._lock = threading.Lock()
        if viewport:
            self.driver.set_window_size(viewport["width"], viewport["height"])
        self.capabilities = self.driver.capabilities
        self.errors: list[str] = []  # WebKitWebDriver reports no page errors; the server's 404s still show

    def goto(self, url: str) -> None:
        with self._lock:
            self.driver.set_page_load_timeout(OPEN_TIMEOUT_S)
            self.driver.get(url)

    def evaluate(self, source: str, arg: Any = None, timeout_s: float | None = None) -> Any:
        with self._lock:
            self.driver.set_script_timeout(timeout_s or EVALUATE_TIMEOUT_S)
            outcome = self.driver.execute_async_script(_WEBKIT_EVALUATE % source, arg)
        if not outcome["ok"]:
            raise RuntimeError(outcome["error"])
        return outcome["value"]

    def wait_for(self, predicate: str, timeout_s: float, arg: Any = None) -> None:
        try:
            self.evaluate(_waiter(predicate), [arg, int(timeout_s * 1000)], timeout_s + 30)
        except RuntimeError as exc:
            if "wait_for: TimeoutError" in str(exc):
                raise TimeoutError(f"{predicate} not true within {timeout_s:g} s") from exc
            raise

    def close(self) -> None:
        driver, self.driver = self.driver, None
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass  # MiniBrowser is gone already


class WebKitBrowser:
    def __init__(self) -> None:
        _webkit_prerequisites()
        self.driver, self.minibrowser = webkit_paths()
        self._xvfb = Xvfb()
        self.display = self._xvfb.display
        self._pages: list[WebKitPage] = []
        try:
            first = self.new_page()
        except Exception:
            self._xvfb.close()
            raise
        caps = first.capabilities
        self.version = f"WebKitGTK {caps.get('browserVersion', '?')}"
        self._spare: WebKitPage | None = first  # the next new_page(): a session costs a MiniBrowser launch

    def new_page(self, viewport: dict | None = None) -> WebKitPage:
        spare, self._spare = getattr(self, "_spare", None), None
        if spare is not None:
            if viewport:
                spare.driver.set_window_size(viewport["width"], viewport["height"])
            return spare
        page = WebKitPage(self, viewport)
        self._pages.append(page)
        return page

    def close(self) -> None:
        for page in self._pages:
            page.close()
        self._pages.clear()
        self._xvfb.close()


class WebKitEngine:
    name, key = "WebKit", "webkit"

    @staticmethod
    def unavailable_reason() -> str | None:
        return _reason(_webkit_prerequisites)

    @staticmethod
    def launch() -> WebKitBrowser:
        return WebKitBrowser()


ENGINES = {engine.key: engine for engine in (ChromiumEngine, FirefoxEngine, WebKitEngine)}
