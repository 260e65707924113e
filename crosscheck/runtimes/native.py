"""python_core in this CPython process: the reference every other runtime is compared with.

An author's Python file is the exception: it runs in a CPython child of its own (NativeProcessRuntime),
one per call, so that its sys.exit(), os._exit(), hang or prints cannot end or garble the harness's
process, or leave state behind for the next call.
"""

from __future__ import annotations

import platform
import sys

import numpy as np

from python_core import entries

from .base import Runtime, RuntimeFailure

# The targets that run an author's file (crosscheck.author.lesson.PYTHON_TARGET, crosscheck.lessons.run).
AUTHOR_TARGETS = ("python_core.author:run_author_batch", "python_core.functions:run_function_batch")


class NativeRuntime(Runtime):
    name = "native"
    in_process = True

    def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
        if target in AUTHOR_TARGETS:
            return self._call_in_child(target, argument, timeout)
        # In this process: no timeout can stop it, and none is needed for the harness's own code.
        try:
            function = entries.resolve(target)
        except LookupError as exc:
            raise RuntimeFailure(self.name, str(exc)) from None
        return function(argument)

    def _call_in_child(self, target: str, argument: str, timeout: float | None) -> str:
        from .native_process import NativeProcessRuntime

        child = NativeProcessRuntime()
        try:
            child.start(lambda stage: None)
            return child.call_entry(target, argument, timeout)
        finally:
            child.close()

    def versions(self) -> dict[str, str]:
        return {"python": platform.python_version(), "numpy": np.__version__, "platform": sys.platform}
