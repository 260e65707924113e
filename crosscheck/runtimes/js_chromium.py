"""The JavaScript reference DenseLayer in headless Chromium (and, through JsPageRuntime, in Firefox and WebKit): web_demo/harness/harness.html?runtime=js, through web_demo/lib/wire.mjs.

The page offers the same window.harness as the Pyodide page, so the driving (boot wait, timeouts,
diagnostics with missing files and page errors) is PageRuntime's. It needs the pages and
the bundled math.js, not the Pyodide runtime.
"""

from __future__ import annotations

from .base import RuntimeFailure
from .browser.page import ChromiumPageRuntime, PageRuntime

JS_MISSING = "the JavaScript reference is not built"
JS_HINT = "`node scripts/bundle-web.mjs`, or scripts/setup"


class JsPageRuntime(PageRuntime):
    page_path = "/harness/harness.html?runtime=js"
    label = "the JavaScript reference"
    language = "javascript"
    batch_target = "wire:runBatch"
    files_in = "pages"
    # The page's own modules are in git; a missing one shows in the server's 404s anyway.
    required_files = ("harness/harness.html", "harness/js-worker.mjs", "lib/js-entries.mjs", "lib/dense-layer.mjs",
                      "lib/network.mjs", "vendor/mathjs.mjs", "vendor/facts.mjs")
    missing_means = JS_MISSING
    missing_hint = JS_HINT

    def author_module_url(self, lesson) -> str:
        bundle = lesson.bundle()
        if self._server is None:
            raise RuntimeFailure(self.name, "not started")
        prefix = self._server.mount(bundle.folder)
        return f"{self._server.url}{prefix}{bundle.file.name}?v={bundle.version}"


class JsChromiumRuntime(JsPageRuntime, ChromiumPageRuntime):
    name = "js-chromium"
