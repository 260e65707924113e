"""The runtimes a case can run in, by the names the CLI and the report use."""

from .base import Runtime, RuntimeFailure
from .js_chromium import JsChromiumRuntime
from .js_node import JsNodeRuntime
from .native import NativeRuntime
from .pyodide_chromium import PyodideChromiumRuntime
from .pyodide_node import PyodideNodeRuntime

RUNTIMES: dict[str, type[Runtime]] = {
    cls.name: cls
    for cls in (NativeRuntime, PyodideChromiumRuntime, PyodideNodeRuntime, JsChromiumRuntime, JsNodeRuntime)
}
REFERENCE = NativeRuntime.name

__all__ = ["REFERENCE", "RUNTIMES", "JsChromiumRuntime", "JsNodeRuntime", "NativeRuntime", "PyodideChromiumRuntime",
           "PyodideNodeRuntime", "Runtime", "RuntimeFailure"]


def unavailable_reason(name: str) -> str | None:
    """Why runtime ``name`` cannot run on this machine, or None when it can (a cheap check: no boot)."""
    return RUNTIMES[name].unavailable_reason()


def available_runtimes() -> tuple[list[str], dict[str, str]]:
    """(runtimes that can run here, {runtime left out: why})."""
    reasons = {name: unavailable_reason(name) for name in RUNTIMES}
    return [n for n, why in reasons.items() if why is None], {n: why for n, why in reasons.items() if why}
