"""A course author's own Python layer, run on the harness's cases: natively and in Pyodide alike.

``run_author_batch`` takes ``{"source", "filename", "cases": [wire spec, …]}``. The source is run
as a module whose ``__file__`` is the author's file name, and whose lines linecache knows, so a
traceback shows the author's file and line in every runtime. Each case then runs either through
the module's ``run_case(spec)`` (the escape hatch, preferred when present) or by the lesson's
DenseLayer contract (python_core/layer_contract.py, which the exercise's runner follows too).

Arrays come back with the shapes the author's code gives them (a (n,) dBiases stays (n,)); the
host compares shapes, not this module.
"""

from __future__ import annotations

import json
import linecache
import sys
import traceback
import types
from typing import Any

import numpy as np

from .cases import normalize_spec
from .entries import entry_point, error_record
from .facts import RESULT_ARRAYS
from .layer_contract import run_layer
from .wire import decode_spec, encode_array, runtime_versions

MODULE_NAME = "dense_parity_author_lesson"


def author_location(exc: BaseException, filename: str) -> dict[str, Any] | None:
    """The innermost frame of the traceback that lies in the author's file: {file, line}."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            found = {"file": filename, "line": frame.lineno}
    if found is None and isinstance(exc, SyntaxError) and exc.filename == filename:
        found = {"file": filename, "line": exc.lineno}
    return found


def author_error(exc: BaseException, filename: str) -> dict[str, Any]:
    record: dict[str, Any] = error_record(exc)
    where = author_location(exc, filename)
    if where:
        record.update(where)
    return record


def load_module(source: str, filename: str) -> types.ModuleType:
    """Run the author's source as a module named after nothing of the harness's."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = filename
    sys.modules[MODULE_NAME] = module  # dataclasses and friends look their module up there
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
    finally:
        sys.modules.pop(MODULE_NAME, None)
    return module


def _as_array(name: str, value: Any) -> np.ndarray:
    if value is None:
        raise TypeError(f"{name}: the author's layer gave None")
    return np.asarray(value, dtype=np.float64)


def run_one(module: types.ModuleType, spec: dict[str, Any]) -> dict[str, np.ndarray]:
    spec = normalize_spec(spec)
    run_case = getattr(module, "run_case", None)
    if callable(run_case):
        out = run_case({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in spec.items()})
        if not isinstance(out, dict):
            raise TypeError(f"run_case returned {type(out).__name__}, expected a dict with {list(RESULT_ARRAYS)}")
        missing = [k for k in RESULT_ARRAYS if k not in out]
        if missing:
            raise KeyError(f"run_case's result lacks {missing}; it needs {list(RESULT_ARRAYS)}")
        return {k: _as_array(k, out[k]) for k in RESULT_ARRAYS}
    layer_class = getattr(module, "DenseLayer", None)
    if layer_class is None:
        raise LookupError("the file defines neither a DenseLayer class nor a run_case(spec) function")
    return run_layer(layer_class, spec["activation"], spec["weights"], spec["biases"], spec["inputs"],
                     spec["upstream"]).arrays


@entry_point
def run_author_batch(request: str) -> str:
    """``{"source", "filename", "cases"}`` → the wire response of python_core.wire.run_batch. A file that
    cannot be loaded fails the whole call (``{"ok": false, "error"}`` with the author's file and line)."""
    data = json.loads(request)
    source, filename = data["source"], data["filename"]
    try:
        module = load_module(source, filename)
    except BaseException as exc:  # sys.exit() or KeyboardInterrupt in the author's file is the file's failure too
        return json.dumps({"ok": False, "error": author_error(exc, filename)})
    results = []
    for case in data["cases"]:
        try:
            arrays = run_one(module, decode_spec(case))
            results.append({"ok": True, "arrays": {k: encode_array(arrays[k]) for k in RESULT_ARRAYS}})
        except BaseException as exc:  # reported per case (sys.exit() too), with the author's file and line
            results.append({"ok": False, "error": author_error(exc, filename)})
    return json.dumps({"results": results, "versions": runtime_versions()})
