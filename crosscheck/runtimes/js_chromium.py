"""The JavaScript reference DenseLayer in headless Chromium: web_demo/js-harness.html, through web_demo/wire.mjs.

The page offers the same window.harness as the Pyodide page, so the driving (boot wait, timeouts,
diagnostics with missing files and page errors) is PyodideChromiumRuntime's, unchanged.
"""

from __future__ import annotations

from .base import RuntimeFailure
from .pyodide_chromium import PyodideChromiumRuntime


class JsChromiumRuntime(PyodideChromiumRuntime):
    name = "js-chromium"
    page_path = "/js-harness.html"

    def call(self, request: str) -> str:
        return self.call_entry("wire:runBatch", request)

    def start(self, progress) -> None:
        try:
            super().start(progress)
        except RuntimeFailure as exc:
            # The shared driver words its failures for Pyodide; this page runs the JavaScript reference.
            raise RuntimeFailure(self.name, exc.reason.replace("Pyodide", "the JavaScript reference")) from exc
