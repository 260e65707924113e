"""python_core inside Pyodide under Node.js, from the same offline runtime folder the pages load."""

from __future__ import annotations

from pathlib import Path

from ..paths import RUNTIME_DIR
from .node.process import NodeProcessRuntime
from .pyodide_chromium import PYODIDE_FILES, PYODIDE_HINT, PYODIDE_MISSING, pyodide_integrity_reason


class PyodideNodeRuntime(NodeProcessRuntime):
    name = "pyodide-node"
    script = "pyodide_node.mjs"

    default_folder = RUNTIME_DIR
    required_files = PYODIDE_FILES
    missing_means = PYODIDE_MISSING
    missing_hint = PYODIDE_HINT

    @classmethod
    def integrity_reason(cls, folder):
        return pyodide_integrity_reason(folder)

    def __init__(self, runtime_dir: Path | str | None = None, **timeouts) -> None:
        super().__init__(Path(runtime_dir or self.default_folder), **timeouts)
