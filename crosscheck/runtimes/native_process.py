"""The reference in a CPython child process (crosscheck/runtimes/native_child.py): the same code and
the same NumPy as NativeRuntime, so the same bits, but in an interpreter of its own. The resident pool
uses it for native; NativeRuntime hands it an author's Python file (python_core's own layer stays
in-process there: no process to start)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..paths import REPO
from .node.process import NodeProcessRuntime

NATIVE_CHILD = Path(__file__).resolve().parent / "native_child.py"


class NativeProcessRuntime(NodeProcessRuntime):
    name = "native"
    process_label = "Python child process"
    boot_timeout_default = 60.0

    def __init__(self, **timeouts) -> None:
        super().__init__(REPO, **timeouts)

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return None

    def command(self) -> list[str]:
        return [sys.executable, str(NATIVE_CHILD)]
