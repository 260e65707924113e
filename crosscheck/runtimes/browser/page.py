"""A runtime living in a page of web_demo/ in a browser engine: Chromium, Firefox or WebKit.

The page exposes ``window.harness`` (web_demo/harness/harness.mjs, for either worker):
``state`` "booting" | "ready" | "failed", ``error``, ``versions``, and
``call(target, argument, timeoutMs)`` → string. The page runs the code in a Web Worker, so a
call that takes too long is stopped there (the worker is terminated and a fresh one boots), and
the page goes on answering.

What is the same in every engine lives here: the files checked before anything launches, the boot
wait, the diagnostics (the server's 404s, the page's errors), the versions. How an engine is
launched and spoken to is engines.py's, beside this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from python_core.facts import TIMEOUTS_S

from .chromium import BrowserUnavailable, Chromium
from .engines import ENGINES, ChromiumBrowser
from ...paths import RUNTIME_DIR, WEB_DEMO
from ...site.server import StaticServer
from ..base import Progress, Runtime, RuntimeFailure

BOOT_TIMEOUT_S = TIMEOUTS_S["boot"]
RUN_TIMEOUT_S = TIMEOUTS_S["run"]


# Beyond the page's own timeout (which stops the worker and answers), how long the host waits
# before it calls the browser itself stuck.
TRANSPORT_MARGIN_S = 30.0


class PageRuntime(Runtime):
    """Subclasses name the engine (a key of engines.ENGINES), the page, what runs in it (``label``,
    for the reasons), the call that runs a batch, and the files the page needs: under the served
    pages (``files_in = "pages"``) or under the runtime folder the server puts at /pyodide/
    (``files_in = "runtime"``)."""

    engine = "chromium"
    page_path = ""
    label = ""
    files_in = "pages"

    def __init__(self, server: StaticServer | None = None, browser=None, boot_timeout: float = BOOT_TIMEOUT_S,
                 run_timeout: float = RUN_TIMEOUT_S, browser_endpoint: str | None = None,
                 chromium: Chromium | None = None) -> None:
        # A server or browser handed in is shared and stays open; ones made here are closed here
        # (launched, or for Chromium reached at ``browser_endpoint``, a Playwright browser server).
        if chromium is not None:
            if self.engine != "chromium":
                raise ValueError(f"{self.name} runs in {ENGINES[self.engine].name}, not in the Chromium handed in")
            browser = ChromiumBrowser(chromium)
        if browser_endpoint and self.engine != "chromium":
            raise ValueError(f"{self.name}: --browser-endpoint serves Chromium only")
        self._server, self._own_server = server, server is None
        self._browser, self._own_browser = browser, browser is None
        self.browser_endpoint = browser_endpoint
        self.boot_timeout, self.run_timeout = boot_timeout, run_timeout
        self.page = None
        self._versions: dict[str, Any] = {}

    @classmethod
    def files_folder(cls, pages: Path, runtime_dir: Path) -> Path:
        return runtime_dir if cls.files_in == "runtime" else pages

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return ENGINES[cls.engine].unavailable_reason() or cls.missing_reason(cls.files_folder(WEB_DEMO, RUNTIME_DIR))

    def start(self, progress: Progress) -> None:
        engine = ENGINES[self.engine]
        if self._server is None:
            # on the checkout's stable port when free: the persistent profile's caches are keyed by the URL
            self._server = StaticServer(port=StaticServer.stable_port(self.name), any_port_if_taken=True)
        # Checked before the browser launches: a missing file is named, never waited on.
        folder = self.files_folder(self._server.root, self._server.runtime_dir)
        missing = self.missing_reason(folder) or self.integrity_reason(folder)
        if missing:
            raise RuntimeFailure(self.name, missing)
        try:
            if self._browser is None:
                if not self.browser_endpoint:
                    why = engine.unavailable_reason()
                    if why:
                        raise RuntimeFailure(self.name, why)
                progress(f"launching {engine.name}")
                # Chromium: a browser of its own, with this runtime's persistent profile, whose compiled
                # WebAssembly makes Pyodide's core boot faster from the second cold start on
                self._browser = (ChromiumBrowser(endpoint=self.browser_endpoint, profile=self.name)
                                 if self.engine == "chromium" else engine.launch())
            self.page = self._browser.new_page()
        except BrowserUnavailable as exc:
            raise RuntimeFailure(self.name, str(exc)) from exc
        if hasattr(self.page, "expose_progress"):
            self.page.expose_progress(progress)
        else:
            progress(f"loading {self.label} in {engine.name}")
        try:
            self.page.goto(self._server.url + self.page_path)
            self.page.wait_for("() => window.harness && window.harness.state !== 'booting'", self.boot_timeout)
        except TimeoutError as exc:
            raise RuntimeFailure(self.name, f"{self.label} did not boot within {self.boot_timeout:g} s"
                                            f"{self._diagnostics()}") from exc
        except Exception as exc:
            reason = exc.reason if isinstance(exc, RuntimeFailure) else str(exc).strip().split("\n")[0]
            raise RuntimeFailure(self.name, f"{engine.name} failed while {self.label} booted: {reason}"
                                            f"{self._diagnostics()}") from exc
        state = self.page.evaluate("() => ({state: harness.state, error: harness.error, versions: harness.versions})")
        if state["state"] != "ready":
            raise RuntimeFailure(self.name, f"{self.label} failed to boot: {state['error']}{self._diagnostics()}")
        self._versions = {**state["versions"], "browser": self._browser.version}

    def _diagnostics(self) -> str:
        notes = []
        if self._server is not None and self._server.missing:
            notes.append("missing files: " + self._server.missing.summary())
        errors = self.page.errors if self.page is not None else []
        if errors:
            notes.append("page errors: " + "; ".join(errors[-3:]))
        return (" (" + "; ".join(notes) + ")") if notes else ""

    def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
        """Call ``target`` (str → str) in the page's worker; RuntimeFailure with the reason when it fails."""
        if self.page is None:
            raise RuntimeFailure(self.name, "not started")
        ms = int((timeout or self.run_timeout) * 1000)
        try:
            return self.page.evaluate("([t, a, ms]) => window.harness.call(t, a, ms)", [target, argument, ms],
                                      timeout_s=ms / 1000 + TRANSPORT_MARGIN_S)
        except Exception as exc:
            message = (exc.reason if isinstance(exc, RuntimeFailure) else str(exc)).strip().split("\n")[0]
            raise RuntimeFailure(self.name, f"{target} failed: {message}{self._diagnostics()}") from exc

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        """Until the page's worker is up again (after a call that was stopped)."""
        self.page.wait_for("() => window.harness.state === 'ready'", timeout_s)

    def versions(self) -> dict[str, Any]:
        return dict(self._versions)

    def close(self) -> None:
        if self.page is not None:
            self.page.close()
            self.page = None
        if self._own_browser and self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._own_server and self._server is not None:
            self._server.close()
            self._server = None


class ChromiumPageRuntime(PageRuntime):
    """A page runtime in Chromium (what ``issubclass(cls, ChromiumPageRuntime)`` asks: Playwright, a
    browser endpoint, a persistent profile)."""

    engine = "chromium"
