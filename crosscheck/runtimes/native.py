"""python_core in this CPython process: the reference every other runtime is compared with."""

from __future__ import annotations

import platform
import sys

import numpy as np

from python_core.wire import run_batch

from .base import Runtime


class NativeRuntime(Runtime):
    name = "native"

    def call(self, request: str) -> str:
        return run_batch(request)

    def versions(self) -> dict[str, str]:
        return {"python": platform.python_version(), "numpy": np.__version__, "platform": sys.platform}
