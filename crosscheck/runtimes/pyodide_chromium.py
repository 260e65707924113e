"""python_core inside Pyodide, in a Web Worker of web_demo/harness.html, in headless Chromium."""

from __future__ import annotations

from typing import Any

from ..browser import BrowserUnavailable, Chromium
from ..server import StaticServer
from .base import Progress, Runtime, RuntimeFailure

BOOT_TIMEOUT_S = 180.0
RUN_TIMEOUT_S = 120.0


class PyodideChromiumRuntime(Runtime):
    name = "pyodide-chromium"
    page_path = "/harness.html"

    def __init__(self, server: StaticServer | None = None, chromium: Chromium | None = None,
                 boot_timeout: float = BOOT_TIMEOUT_S, run_timeout: float = RUN_TIMEOUT_S) -> None:
        # A server or browser handed in is shared and stays open; ones made here are closed here.
        self._server, self._own_server = server, server is None
        self._chromium, self._own_chromium = chromium, chromium is None
        self.boot_timeout, self.run_timeout = boot_timeout, run_timeout
        self.page = None
        self._page_errors: list[str] = []
        self._versions: dict[str, Any] = {}

    def start(self, progress: Progress) -> None:
        try:
            if self._server is None:
                self._server = StaticServer()
            if self._chromium is None:
                progress("launching Chromium")
                self._chromium = Chromium()
        except BrowserUnavailable as exc:
            raise RuntimeFailure(self.name, str(exc)) from exc
        runtime_dir = self._server.runtime_dir
        if not (runtime_dir / "pyodide-lock.json").exists():
            raise RuntimeFailure(self.name, f"the offline Pyodide runtime is not assembled in {runtime_dir} "
                                            f"(run `python -m crosscheck assemble`, or `make setup`)")
        self.page = self._chromium.new_page()
        self.page.on("pageerror", lambda err: self._page_errors.append(str(err)))
        self.page.expose_function("__harnessProgress", lambda stage, ms: progress(f"{stage}"))
        self.page.goto(self._server.url + self.page_path)
        try:
            self.page.wait_for_function("() => window.harness && window.harness.state !== 'booting'",
                                        timeout=self.boot_timeout * 1000, polling=100)
        except Exception as exc:
            raise RuntimeFailure(self.name, f"Pyodide did not boot within {self.boot_timeout:.0f} s"
                                            f"{self._diagnostics()}") from exc
        state = self.page.evaluate("() => ({state: harness.state, error: harness.error, versions: harness.versions})")
        if state["state"] != "ready":
            raise RuntimeFailure(self.name, f"Pyodide failed to boot: {state['error']}{self._diagnostics()}")
        self._versions = {**state["versions"], "browser": f"Chromium {self._chromium.version}"}

    def _diagnostics(self) -> str:
        notes = []
        if self._server is not None and self._server.missing:
            notes.append("missing files: " + ", ".join(sorted(set(self._server.missing))))
        if self._page_errors:
            notes.append("page errors: " + "; ".join(self._page_errors[-3:]))
        return (" (" + "; ".join(notes) + ")") if notes else ""

    def call(self, request: str) -> str:
        return self.call_entry("python_core.wire:run_batch", request)

    def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
        """Call ``target`` ("python_core.module:function", str → str) inside Pyodide."""
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
