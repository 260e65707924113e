"""A runtime living in a page of web_demo/ in headless Chromium, driven through Playwright.

The page exposes ``window.harness`` (web_demo/harness/harness.mjs, for either worker):
``state`` "booting" | "ready" | "failed", ``error``, ``versions``, and
``call(target, argument, timeoutMs)`` → string. The page runs the code in a Web Worker, so a
call that takes too long is stopped there (the worker is terminated and a fresh one boots), and
the page goes on answering.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from python_core.facts import TIMEOUTS_S

from .chromium import BrowserUnavailable, Chromium, chromium_path
from ...paths import RUNTIME_DIR, WEB_DEMO
from ...site.server import StaticServer
from ..base import Progress, Runtime, RuntimeFailure

BOOT_TIMEOUT_S = TIMEOUTS_S["boot"]
RUN_TIMEOUT_S = TIMEOUTS_S["run"]


class ChromiumPageRuntime(Runtime):
    """Subclasses name the page, what runs in it (``label``, for the reasons), the call that runs a
    batch, and the files the page needs: under the served pages (``files_in = "pages"``) or under
    the runtime folder the server puts at /pyodide/ (``files_in = "runtime"``)."""

    page_path = ""
    label = ""
    files_in = "pages"

    def __init__(self, server: StaticServer | None = None, chromium: Chromium | None = None,
                 boot_timeout: float = BOOT_TIMEOUT_S, run_timeout: float = RUN_TIMEOUT_S,
                 browser_endpoint: str | None = None) -> None:
        # A server or browser handed in is shared and stays open; ones made here are closed here
        # (launched, or reached at ``browser_endpoint``, a Playwright browser server).
        self._server, self._own_server = server, server is None
        self._chromium, self._own_chromium = chromium, chromium is None
        self.browser_endpoint = browser_endpoint
        self.boot_timeout, self.run_timeout = boot_timeout, run_timeout
        self.page = None
        self._page_errors: list[str] = []
        self._versions: dict[str, Any] = {}

    @classmethod
    def files_folder(cls, pages: Path, runtime_dir: Path) -> Path:
        return runtime_dir if cls.files_in == "runtime" else pages

    @classmethod
    def unavailable_reason(cls) -> str | None:
        try:
            chromium_path()
        except BrowserUnavailable as exc:
            return str(exc)
        return cls.missing_reason(cls.files_folder(WEB_DEMO, RUNTIME_DIR))

    def start(self, progress: Progress) -> None:
        if self._server is None:
            # on the checkout's stable port when free: the persistent profile's caches are keyed by the URL
            self._server = StaticServer(port=StaticServer.stable_port(self.name), any_port_if_taken=True)
        # Checked before Chromium launches: a missing file is named, never waited on.
        folder = self.files_folder(self._server.root, self._server.runtime_dir)
        missing = self.missing_reason(folder) or self.integrity_reason(folder)
        if missing:
            raise RuntimeFailure(self.name, missing)
        try:
            if self._chromium is None:
                progress("launching Chromium")
                # a browser of its own: with this runtime's persistent profile, whose compiled
                # WebAssembly makes Pyodide's core boot faster from the second cold start on
                self._chromium = Chromium(self.browser_endpoint, profile=self.name)
        except BrowserUnavailable as exc:
            raise RuntimeFailure(self.name, str(exc)) from exc
        self.page = self._chromium.new_page()
        self.page.on("pageerror", lambda err: self._page_errors.append(str(err)))
        self.page.expose_function("__harnessProgress", lambda stage, ms: progress(f"{stage}"))
        self.page.goto(self._server.url + self.page_path)
        try:
            self.page.wait_for_function("() => window.harness && window.harness.state !== 'booting'",
                                        timeout=self.boot_timeout * 1000, polling=100)
        except Exception as exc:
            raise RuntimeFailure(self.name, f"{self.label} did not boot within {self.boot_timeout:g} s"
                                            f"{self._diagnostics()}") from exc
        state = self.page.evaluate("() => ({state: harness.state, error: harness.error, versions: harness.versions})")
        if state["state"] != "ready":
            raise RuntimeFailure(self.name, f"{self.label} failed to boot: {state['error']}{self._diagnostics()}")
        self._versions = {**state["versions"], "browser": f"Chromium {self._chromium.version}"}

    def _diagnostics(self) -> str:
        notes = []
        if self._server is not None and self._server.missing:
            notes.append("missing files: " + ", ".join(sorted(set(self._server.missing))))
        if self._page_errors:
            notes.append("page errors: " + "; ".join(self._page_errors[-3:]))
        return (" (" + "; ".join(notes) + ")") if notes else ""

    def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
        """Call ``target`` (str → str) in the page's worker; RuntimeFailure with the reason when it fails."""
        if self.page is None:
            raise RuntimeFailure(self.name, "not started")
        ms = int((timeout or self.run_timeout) * 1000)
        try:
            return self.page.evaluate("([t, a, ms]) => window.harness.call(t, a, ms)", [target, argument, ms])
        except Exception as exc:
            message = str(exc).split("\n")[0]
            raise RuntimeFailure(self.name, f"{target} failed: {message}{self._diagnostics()}") from exc

    def versions(self) -> dict[str, Any]:
        return dict(self._versions)

    def close(self) -> None:
        if self.page is not None:
            self.page.close()
            self.page = None
        if self._own_chromium and self._chromium is not None:
            self._chromium.close()
            self._chromium = None
        if self._own_server and self._server is not None:
            self._server.close()
            self._server = None
