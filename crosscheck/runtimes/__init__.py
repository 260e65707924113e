"""The runtimes a case can run in, by the names the CLI and the report use, and how to make one."""

from __future__ import annotations

from .base import Runtime, RuntimeFailure
from .browser.page import ChromiumPageRuntime, PageRuntime
from .exact import ExactRuntime
from .firefox_webkit import JsFirefoxRuntime, JsWebKitRuntime, PyodideFirefoxRuntime, PyodideWebKitRuntime
from .js_chromium import JsChromiumRuntime
from .js_node import JsNodeRuntime
from .native import NativeRuntime
from .pyodide_chromium import PyodideChromiumRuntime
from .pyodide_node import PyodideNodeRuntime

RUNTIMES: dict[str, type[Runtime]] = {
    cls.name: cls
    for cls in (NativeRuntime, PyodideChromiumRuntime, PyodideNodeRuntime, JsChromiumRuntime, JsNodeRuntime,
                PyodideFirefoxRuntime, JsFirefoxRuntime, PyodideWebKitRuntime, JsWebKitRuntime, ExactRuntime)
}
REFERENCE = NativeRuntime.name
PYTHON_RUNTIMES = tuple(name for name, cls in RUNTIMES.items() if cls.language == "python")

__all__ = ["PYTHON_RUNTIMES", "REFERENCE", "RUNTIMES", "ExactRuntime", "JsChromiumRuntime", "JsFirefoxRuntime",
           "JsNodeRuntime", "JsWebKitRuntime", "NativeRuntime", "PageRuntime", "PyodideChromiumRuntime",
           "PyodideFirefoxRuntime", "PyodideNodeRuntime", "PyodideWebKitRuntime", "Runtime", "RuntimeFailure",
           "available_runtimes", "make_runtime", "unavailable_reason"]


def make_runtime(name: str, boot_timeout: float | None = None, run_timeout: float | None = None,
                 browser_endpoint: str | None = None) -> Runtime:
    """A runtime by name, with the timeouts given (native runs in this process and takes none);
    the browser runtimes reach their browser at ``browser_endpoint`` when one is given."""
    if name not in RUNTIMES:
        raise ValueError(f"unknown runtime {name!r}; known: {', '.join(RUNTIMES)}")
    cls = RUNTIMES[name]
    if cls.in_process:
        return cls()
    options = {k: v for k, v in (("boot_timeout", boot_timeout), ("run_timeout", run_timeout)) if v is not None}
    if browser_endpoint and issubclass(cls, ChromiumPageRuntime):
        options["browser_endpoint"] = browser_endpoint
    return cls(**options)


def unavailable_reason(name: str) -> str | None:
    """Why runtime ``name`` cannot run on this machine, or None when it can (a cheap check: no boot)."""
    return RUNTIMES[name].unavailable_reason()


def available_runtimes() -> tuple[list[str], dict[str, str]]:
    """(runtimes that can run here, {runtime left out: why})."""
    reasons = {name: unavailable_reason(name) for name, cls in RUNTIMES.items() if cls.default}
    return [n for n, why in reasons.items() if why is None], {n: why for n, why in reasons.items() if why}
