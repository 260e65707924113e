"""The JavaScript reference DenseLayer (web_demo/dense-layer.mjs) under Node.js, through web_demo/wire.mjs."""

from __future__ import annotations

from pathlib import Path

from ..paths import WEB_DEMO
from .node_process import NodeProcessRuntime


class JsNodeRuntime(NodeProcessRuntime):
    name = "js-node"
    script = "js_node.mjs"
    batch_target = "wire:runBatch"
    boot_timeout_default = 60.0
    required_files = ("dense-layer.mjs", "wire.mjs", "vendor/mathjs.mjs")
    missing_hint = "`node scripts/bundle-web.mjs` (or scripts/setup)"

    def __init__(self, web_demo: Path | str | None = None, **timeouts) -> None:
        super().__init__(Path(web_demo or WEB_DEMO), **timeouts)
