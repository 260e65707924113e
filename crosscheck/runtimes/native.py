"""python_core in this CPython process: the reference every other runtime is compared with."""

from __future__ import annotations

import platform
import sys

import numpy as np

from python_core import entries

from .base import Runtime, RuntimeFailure


class NativeRuntime(Runtime):
    name = "native"
    in_process = True

    def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
        # In this process: no timeout can stop it, and none is needed for the harness's own code.
        try:
            function = entries.resolve(target)
        except LookupError as exc:
            raise RuntimeFailure(self.name, str(exc)) from None
        return function(argument)

    def versions(self) -> dict[str, str]:
        return {"python": platform.python_version(), "numpy": np.__version__, "platform": sys.platform}
