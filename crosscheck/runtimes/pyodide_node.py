"""python_core inside Pyodide under Node.js, from the same offline runtime folder the pages load."""

from __future__ import annotations

from pathlib import Path

from ..paths import RUNTIME_DIR
from .node_process import NodeProcessRuntime


class PyodideNodeRuntime(NodeProcessRuntime):
    name = "pyodide-node"
    script = "pyodide_node.mjs"
    batch_target = "python_core.wire:run_batch"
    boot_timeout_default = 180.0
    # What loadPyodide and loadPackage("dense-parity") read.
    required_files = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
    missing_hint = "`python -m crosscheck assemble` (or scripts/setup)"

    def __init__(self, runtime_dir: Path | str | None = None, **timeouts) -> None:
        super().__init__(Path(runtime_dir or RUNTIME_DIR), **timeouts)
