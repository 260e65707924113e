"""Any function of a course author's Python file, run on a batch of cases: natively and in Pyodide alike.

``run_function_batch`` takes ``{"source", "filename", "function", "args", "cases": [{name: wire input}]}``.
A wire input is a wire array (python_core.codec) with ``"int": true`` for an integer input; shape []
is a scalar. The function receives float64 ndarrays (int64 for integer inputs) and Python floats
and ints for scalars, positionally in the order of ``args``. It returns a dict of named results
or one result (named ``result``); each result (an array, a number, a nested list) goes back as a
float64 wire array with the shape it has, every bit kept.

The source runs as a module whose lines linecache knows (python_core.author.load_module), once per
call, so a traceback names the author's file and line, and no state is left from another call.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .author import author_error, load_module
from .codec import decode_array, encode_array
from .entries import entry_point
from .wire import runtime_versions

SINGLE_RESULT = "result"


class FunctionNotFound(LookupError):
    """The file defines no callable of that name: the manifest's fault, not a difference."""


def encode_result(array: np.ndarray) -> dict[str, Any]:
    """The wire array of any shape, () included (the codec's contiguous copy would make it (1,))."""
    wire = encode_array(array.reshape(-1))
    wire["shape"] = list(array.shape)
    return wire


def decode_input(obj: dict[str, Any]) -> Any:
    array = decode_array(obj)
    if obj.get("int"):
        array = array.astype(np.int64)
    if array.shape == ():
        return array.item()  # a Python float or int, as the manifest's scalar
    return array


def as_result(name: str, value: Any) -> np.ndarray:
    if value is None:
        raise TypeError(f"result {name!r} is None")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"result {name!r} is not a number or an array of numbers "
                        f"({type(value).__name__}: {exc})") from None
    return array


def named_results(out: Any) -> dict[str, np.ndarray]:
    if isinstance(out, dict):
        if not out:
            raise TypeError("the function returned an empty dict")
        return {str(k): as_result(str(k), v) for k, v in out.items()}
    return {SINGLE_RESULT: as_result(SINGLE_RESULT, out)}


@entry_point
def run_function_batch(request: str) -> str:
    """→ ``{"results": [{"ok": true, "outputs": {name: wire array}} | {"ok": false, "error"}], "versions"}``;
    a file that cannot be loaded, or that has no such function, fails the whole call
    (``{"ok": false, "error"}``, with ``"not_found": true`` for the latter)."""
    data = json.loads(request)
    source, filename, name = data["source"], data["filename"], data["function"]
    try:
        module = load_module(source, filename)
    except BaseException as exc:  # sys.exit() at the file's top level is the file's failure too
        return json.dumps({"ok": False, "error": author_error(exc, filename)})
    function = getattr(module, name, None)
    if not callable(function):
        what = "defines no" if function is None else f"has a {type(function).__name__}, not a function, named"
        error = {"type": "LookupError", "message": f"{filename} {what} {name!r}", "traceback": "", "not_found": True}
        return json.dumps({"ok": False, "error": error})
    results = []
    for case in data["cases"]:
        try:
            args = [decode_input(case[arg]) for arg in data["args"]]
            outputs = named_results(function(*args))
            results.append({"ok": True, "outputs": {k: encode_result(v) for k, v in outputs.items()}})
        except BaseException as exc:  # reported per case (sys.exit() too), with the author's file and line
            results.append({"ok": False, "error": author_error(exc, filename)})
    return json.dumps({"results": results, "versions": runtime_versions()})
