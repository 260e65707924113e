"""The functions a host may call in python_core by name, and the one envelope for their errors.

Every host (native CPython through crosscheck's NativeRuntime, Pyodide in a page's worker or
under Node) calls ``call("python_core.module:function", argument)``: JSON text in, JSON text
out. Nothing but a function marked ``@entry_point`` can be reached this way. An exception the
function lets out comes back as ``{"ok": false, "error": {"type", "message", "traceback"}}``,
so a caller reads every failure the same way, whichever runtime it ran in.
"""

from __future__ import annotations

import functools
import importlib
import json
import traceback
from typing import Callable

# The modules whose entry points exist; imported on first use, so that importing python_core
# stays cheap and this module imports none of them at load time (they import it).
ENTRY_MODULES = ("python_core.wire", "python_core.training", "python_core.libm", "python_core.author",
                 "python_core.functions")
ENTRY_POINTS: dict[str, Callable[[str], str]] = {}


def error_record(exc: BaseException) -> dict[str, str]:
    return {"type": type(exc).__name__, "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc))}


def entry_point(function: Callable[[str], str]) -> Callable[[str], str]:
    """Register ``function`` (str → str) under "module:name", wrapped in the error envelope."""

    @functools.wraps(function)
    def enveloped(argument: str) -> str:
        try:
            return function(argument)
        except Exception as exc:  # reported to the host, whichever runtime this is
            return json.dumps({"ok": False, "error": error_record(exc)})

    ENTRY_POINTS[f"{function.__module__}:{function.__name__}"] = enveloped
    return enveloped


def _load() -> None:
    for module in ENTRY_MODULES:
        importlib.import_module(module)


def resolve(target: str) -> Callable[[str], str]:
    """The entry point named ``target``; LookupError naming the known ones when there is none."""
    _load()
    try:
        return ENTRY_POINTS[target]
    except (KeyError, TypeError):
        raise LookupError(f"{target!r} is not a python_core entry point; known: {', '.join(sorted(ENTRY_POINTS))}") \
            from None


def call(target: str, argument: str) -> str:
    return resolve(target)(argument)
