"""The JavaScript reference DenseLayer (web_demo/lib/dense-layer.mjs) under Node.js, through web_demo/lib/wire.mjs."""

from __future__ import annotations

from pathlib import Path

from python_core.facts import TIMEOUTS_S

from ..paths import WEB_DEMO
from .js_chromium import JS_HINT, JS_MISSING
from .node.process import NodeProcessRuntime


class JsNodeRuntime(NodeProcessRuntime):
    name = "js-node"
    script = "js_node.mjs"
    language = "javascript"
    batch_target = "wire:runBatch"
    default_folder = WEB_DEMO
    boot_timeout_default = TIMEOUTS_S["boot_js"]
    required_files = ("lib/js-entries.mjs", "lib/dense-layer.mjs", "lib/network.mjs", "vendor/mathjs.mjs",
                      "vendor/facts.mjs")
    missing_means = JS_MISSING
    missing_hint = JS_HINT

    def author_module_url(self, lesson) -> str:
        bundle = lesson.bundle()
        return f"{bundle.file.as_uri()}?v={bundle.version}"

    def __init__(self, web_demo: Path | str | None = None, **timeouts) -> None:
        super().__init__(Path(web_demo or self.default_folder), **timeouts)
