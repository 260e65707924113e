"""Runs a learner's function (a course's declared exercise) on the exercise's cases and hands back its results.

The counterpart of exercise_runner.py for exercises a course declares: the learner writes a check's
Python function (``softmax_cross_entropy(logits, labels)``, say) instead of the lesson's DenseLayer.
It is loaded where exercise_runner.py is, beside it and the wire's codec, with nothing else of
dense-parity: in the page's exercise worker (a fresh Pyodide per check) and in ``grade``'s contained
child CPython. It computes no expected values and judges nothing: the page judges the results
against the check's JavaScript function, ``grade`` against its Python function, each out of reach of
this interpreter.

Request ``{"code", "function", "args": [names], "cases": [{name: wire input}]}``, a wire input being a
wire array with ``"int": true`` for an integer input (shape [] is a scalar, given as a Python number).
Reply ``{"results": [{"ok": true, "outputs": {name: wire array}} | {"ok": false, "error"}]}``, or
``{"error"}`` when the code does not compile, fails as it loads, or defines no such function. A result
is a dict of named results or one result (named ``result``), each sent back with its own shape.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

import exercise_runner
from exercise_runner import _error, _not_real, load_learner_module  # the learner's module and errors, as in the layer exercise
from exercise_runner import watch_loops  # noqa: F401 (the worker takes it from here, so that it re-arms this module's loops)
from wire_codec import decode_array, encode_array

SINGLE_RESULT = "result"


def _input(obj: dict[str, Any]) -> Any:
    array = decode_array(obj)
    if obj.get("int"):
        array = array.astype(np.int64)
    return array.item() if array.shape == () else array


def _encode(name: str, value: Any) -> dict[str, Any]:
    if value is None:
        raise TypeError(f"result {name!r} is None (did the function return its results?)")
    # Real floats only: converting would drop an imaginary part or turn booleans into numbers that pass.
    if not isinstance(value, float) and (why := _not_real(f"result {name!r}", value)):
        raise TypeError(why)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"result {name!r} is not a number or an array of numbers ({type(value).__name__}: {exc})") from None
    wire = encode_array(array.reshape(-1))
    wire["shape"] = list(array.shape)   # a scalar keeps shape []
    return wire


def _outputs(out: Any) -> dict[str, dict[str, Any]]:
    if isinstance(out, dict):
        if not out:
            raise TypeError("the function returned an empty dict")
        return {str(k): _encode(str(k), v) for k, v in out.items()}
    return {SINGLE_RESULT: _encode(SINGLE_RESULT, out)}


def run(request: str) -> str:
    data = json.loads(request)
    name = data["function"]
    namespace, error = load_learner_module(data["code"])
    if error is not None:
        return json.dumps({"error": error})
    function = namespace.get(name)
    if not callable(function):
        return json.dumps({"error": {"type": "NameError", "message": f"the code must define a function {name}",
                                     "line": None, "stage": "load", "trace": []}})
    results = []
    for case in data["cases"]:
        exercise_runner.rearm_loops()   # (looked up each time: watch_loops sets it)
        try:
            args = [_input(case[arg]) for arg in data["args"]]
            results.append({"ok": True, "outputs": _outputs(function(*args))})
        except BaseException as exc:  # per case, anything the learner's code raises
            results.append({"ok": False, "error": _error(exc, "run")})
    return json.dumps({"results": results})


def main() -> None:
    """For ``grade``: the request on stdin, the reply on what was stdout when this started (the learner's
    prints go to stderr, so they cannot mix with the reply)."""
    import os
    import sys

    reply_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    reply = run(sys.stdin.read())
    with os.fdopen(reply_fd, "w") as out:
        out.write(reply)
