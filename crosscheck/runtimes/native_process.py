"""The reference in a CPython child process (crosscheck/runtimes/native_child.py): the same code and
the same NumPy as NativeRuntime, so the same bits, but in an interpreter of its own that is thrown
away after a run. The pool uses it; a plain run keeps NativeRuntime (no process to start)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..paths import REPO
from .node.process import NodeProcessRuntime

NATIVE_CHILD = Path(__file__).resolve().parent / "native_child.py"


class NativeProcessRuntime(NodeProcessRuntime):
    name = "native"
    boot_timeout_default = 60.0

    def __init__(self, **timeouts) -> None:
        super().__init__(REPO, **timeouts)

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return None

    def command(self) -> list[str]:
        return [sys.executable, str(NATIVE_CHILD)]
