"""The runtimes a case can run in, by the names the CLI and the report use."""

from .base import Runtime, RuntimeFailure
from .native import NativeRuntime
from .pyodide_chromium import PyodideChromiumRuntime

RUNTIMES: dict[str, type[Runtime]] = {
    NativeRuntime.name: NativeRuntime,
    PyodideChromiumRuntime.name: PyodideChromiumRuntime,
}
REFERENCE = NativeRuntime.name

__all__ = ["REFERENCE", "RUNTIMES", "NativeRuntime", "PyodideChromiumRuntime", "Runtime", "RuntimeFailure"]
