"""python_core inside Pyodide under Node.js, from the same offline runtime folder the pages load."""

from __future__ import annotations

from pathlib import Path

from ..paths import RUNTIME_DIR
from .node.process import NodeProcessRuntime
from .pyodide_chromium import PyodideFolder


class PyodideNodeRuntime(PyodideFolder, NodeProcessRuntime):
    name = "pyodide-node"
    script = "pyodide_node.mjs"
    default_folder = RUNTIME_DIR

    def __init__(self, runtime_dir: Path | str | None = None, **timeouts) -> None:
        super().__init__(Path(runtime_dir or self.default_folder), **timeouts)
