"""Runs a learner's ``DenseLayer`` on the exercise's cases and hands back what it computed.

The exercise page sends the learner's source and the cases (wire JSON); this module executes
the source in a fresh namespace, runs forward then backward on every case and returns the four
arrays of each, bit-exact on the wire. It computes no expected values: the page computes those
with the JavaScript reference on its own thread and compares there, so nothing the learner's
code does inside Python (patching NumPy, python_core, builtins) can touch the reference it is
checked against.

Errors are reported with the learner's own line number: a ``SyntaxError`` carries it, and any
other exception is traced back to the innermost frame that belongs to the learner's source.
"""

from __future__ import annotations

import json
import linecache
import sys
import traceback
from typing import Any

import numpy as np

from .cases import RESULT_ARRAYS
from .entries import entry_point
from .wire import decode_spec, encode_array

SOURCE_NAME = "<exercise>"


class Gap(NotImplementedError):
    """Raised by ``todo()``: a gap of the starter code that is still open."""


def todo(what: str) -> Any:
    """Marks a gap in the starter code; replace the call with your expression."""
    raise Gap(f"gap not filled in yet: {what}")


def _learner_line(exc: BaseException) -> int | None:
    """The line of the learner's source where ``exc`` was raised (innermost learner frame)."""
    if isinstance(exc, SyntaxError) and exc.filename == SOURCE_NAME:
        return exc.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == SOURCE_NAME:
            line = frame.lineno
    return line


def _error(exc: BaseException, stage: str) -> dict[str, Any]:
    if isinstance(exc, SyntaxError):
        message = exc.msg
    else:
        # `raise KeyboardInterrupt` or `raise ValueError()` carry no text: say what happened anyway.
        message = str(exc) or f"{type(exc).__name__} was raised (with no message)"
    # Only the learner's own frames: the harness's frames would only confuse them.
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SOURCE_NAME]
    return {"type": type(exc).__name__, "message": message, "line": _learner_line(exc), "stage": stage,
            "trace": [{"line": f.lineno, "function": f.name, "code": f.line or ""} for f in frames]}


def _as_result_array(name: str, value: Any) -> np.ndarray:
    if value is None:
        raise ValueError(f"self.{name} is None: backward() must set it")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"self.{name} is not an array of numbers ({type(value).__name__}): {exc}") from None
    # Returned with its own shape (a 1-D sum without keepdims stays 1-D): the page names the mismatch.
    return array


def _run_one(layer_class: type, spec: dict[str, Any]) -> dict[str, Any]:
    # Fresh arrays per case: the learner's layer may write into what it is given.
    weights = np.array(spec["weights"], dtype=np.float64)
    n_inputs, n_neurons = weights.shape
    # The activation is fixed by the starter code the page gave the learner, not passed here.
    layer = layer_class(n_inputs, n_neurons, weights=weights,
                        biases=np.array(spec["biases"], dtype=np.float64))
    output = layer.forward(np.array(spec["inputs"], dtype=np.float64))
    returned = layer.backward(np.array(spec["upstream"], dtype=np.float64))
    arrays = {"output": output, "dWeights": layer.dWeights, "dBiases": layer.dBiases, "dInputs": layer.dInputs}
    result = {k: encode_array(_as_result_array(k, arrays[k])) for k in RESULT_ARRAYS}
    returns_dinputs = returned is layer.dInputs or (
        returned is not None and np.shape(returned) == np.shape(layer.dInputs)
        and np.array_equal(np.asarray(returned, dtype=np.float64), np.asarray(layer.dInputs, dtype=np.float64)))
    return {"ok": True, "arrays": result, "returnsDInputs": bool(returns_dinputs)}


_MISSING = object()
_Snapshot = tuple[dict[str, Any], list[tuple[str, dict[str, Any], dict[str, Any]]]]


def _snapshot() -> _Snapshot:
    """``sys.modules`` and the namespaces learner code is likely to patch (NumPy's top level,
    builtins, json, python_core's modules), each copied shallowly."""
    names = ["numpy", "builtins", "json"] + [n for n in sys.modules if n == "python_core" or n.startswith("python_core.")]
    modules = [(name, sys.modules.get(name)) for name in names]
    modules = [(name, m) for name, m in modules if m is not None]
    return dict(sys.modules), [(name, vars(m), dict(vars(m))) for name, m in modules]


def _restore(snapshot: _Snapshot) -> None:
    """Puts back every name the snapshot saw that was rebound or deleted, and drops names added
    since, except submodules imported meanwhile.

    Those must stay: NumPy imports ``numpy.random`` lazily (its module ``__getattr__`` runs
    ``import numpy.random as random``), and once ``sys.modules`` holds the submodule, a parent
    without the attribute sends that import back into ``__getattr__``, endlessly. Modules imported
    during the check stay in ``sys.modules`` for the same reason; entries that were there before
    are put back if the learner's code replaced or removed them.
    """
    # Nothing here looks up a builtin or imports before builtins are back: they may be patched.
    saved_modules, namespaces = snapshot
    for name, module in saved_modules.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
    for module_name, live, saved in namespaces:
        for name in [k for k in live if k not in saved]:
            submodule = sys.modules.get(f"{module_name}.{name}")
            if submodule is not None:
                live[name] = submodule  # the real submodule, even if the learner rebound the name
            else:
                del live[name]
        for name, value in saved.items():
            if live.get(name, _MISSING) is not value:
                live[name] = value


@entry_point
def check(request: str) -> str:
    """Runs :func:`_check`, then puts back the module-level names the learner's code rebound in
    NumPy, builtins, json and python_core, so that one attempt's ``np.sum = np.mean`` does not
    leak into the next Check. Deeper patches (a class's attribute, a function's code, a NumPy
    submodule) are not undone: the check's verdict never depends on Python's state, since the
    page computes the expected values and compares them itself."""
    snapshot = _snapshot()
    try:
        return _check(request)
    finally:
        _restore(snapshot)


def _check(request: str) -> str:
    """``{"code": str, "cases": [wire spec, …]}`` → ``{"results": [...]} | {"error": {...}}`` as JSON.

    A syntax error, or an exception while the module body runs, stops everything (there is no
    class to test); an exception inside a case is reported for that case.
    """
    data = json.loads(request)
    code, cases = data["code"], data["cases"]
    namespace: dict[str, Any] = {"__name__": "exercise", "todo": todo}
    # Registered with linecache so that tracebacks quote the learner's lines.
    linecache.cache[SOURCE_NAME] = (len(code), None, code.splitlines(True), SOURCE_NAME)
    try:
        compiled = compile(code, SOURCE_NAME, "exec")
    except SyntaxError as exc:
        return json.dumps({"error": _error(exc, "compile")})
    try:
        exec(compiled, namespace)
    except BaseException as exc:  # the learner's module body: anything it raises (KeyboardInterrupt too) is theirs
        return json.dumps({"error": _error(exc, "load")})
    layer_class = namespace.get("DenseLayer")
    if not isinstance(layer_class, type):
        return json.dumps({"error": {"type": "NameError", "message": "the code must define a class DenseLayer",
                                     "line": None, "stage": "load", "trace": []}})
    results = []
    for case in cases:
        try:
            results.append(_run_one(layer_class, decode_spec(case)))
        except BaseException as exc:  # per case, anything the learner's code raises; the page reports the first
            results.append({"ok": False, "error": _error(exc, "run")})
    return json.dumps({"results": results})
