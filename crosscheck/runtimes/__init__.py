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
    from ..browser import BrowserUnavailable, chromium_path
    from .js_node import REQUIRED_FILES as JS_FILES
    from .node_process import node_path
    from .pyodide_node import REQUIRED_FILES as PYODIDE_FILES
    from ..paths import RUNTIME_DIR, WEB_DEMO

    if name == REFERENCE:
        return None
    if name.endswith("-chromium"):
        try:
            chromium_path()
        except BrowserUnavailable as exc:
            return str(exc)
    elif node_path() is None:
        return "no `node` on PATH"
    folder, files = (RUNTIME_DIR, PYODIDE_FILES) if name.startswith("pyodide") else (WEB_DEMO, JS_FILES)
    missing = [f for f in files if not (folder / f).exists()]
    return f"{folder} lacks {', '.join(missing)}" if missing else None


def available_runtimes() -> tuple[list[str], dict[str, str]]:
    """(runtimes that can run here, {runtime left out: why})."""
    reasons = {name: unavailable_reason(name) for name in RUNTIMES}
    return [n for n, why in reasons.items() if why is None], {n: why for n, why in reasons.items() if why}
