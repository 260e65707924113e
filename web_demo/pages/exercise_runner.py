"""Runs a learner's ``DenseLayer`` on the exercise's cases and hands back what it computed.

This file and the two put beside it are the whole of what the exercise loads besides NumPy: the
page's exercise worker (exercise-worker.mjs) fetches them into a fresh Pyodide, and ``python -m
crosscheck grade`` runs them in a sandbox that holds only them, the standard library and NumPy.
It needs the standard library, NumPy, the wire's codec (python_core/codec.py, put beside it as
``wire_codec``) and the lesson's DenseLayer contract (python_core/layer_contract.py, put beside
it as ``layer_contract``), nothing else of dense-parity: no reference layer and no checker are
within reach of the learner's code. It computes no expected values and judges nothing; it runs
every case through the learner's class by the contract (the same code that runs an author's
``--python`` file) and returns the four arrays of each, bit-exact on the wire (base64 of
little-endian float64, through that codec), and whether backward() returned dInputs; an array that is not of real floats (complex, boolean, integer,
object) is reported as an error, not converted. The page
(or ``grade``) compares them with a reference computed where this code cannot reach it.

Each check runs in an interpreter of its own (a new worker, a new process), so whatever the
learner's code patches here ends with that check.

In the page's worker, ``watch_loops`` reports which loop of the learner's code was entered last, so
that a check stopped at its time limit can name the loop that never ended.

Errors are reported with the learner's own line number: a ``SyntaxError`` carries it, and any
other exception is traced back to the innermost frame that belongs to the learner's source.
"""

from __future__ import annotations

import json
import linecache
import re
import sys
import traceback
from typing import Any

import numpy as np
from layer_contract import RESULT_ARRAYS, run_layer  # python_core/layer_contract.py, the lesson's contract
from wire_codec import decode_array, encode_array  # python_core/codec.py, the one wire codec

SOURCE_NAME = "<exercise>"
SPEC_ARRAYS = ("weights", "biases", "inputs", "upstream")   # in run_layer's order


class Gap(NotImplementedError):
    """Raised by ``todo()``: a gap of the starter code that is still open."""


def todo(what: str) -> Any:
    """Marks a gap in the starter code; replace the call with your expression."""
    raise Gap(f"gap not filled in yet: {what}")


def _line_at(code: Any, offset: int) -> int | None:
    for start, end, line in code.co_lines():
        if start <= offset < end:
            return line
    return None


def _no_rearm() -> None:
    pass


rearm_loops = _no_rearm   # called by the runners as each case starts (watch_loops makes it do something)


def watch_loops(report: Any) -> None:
    """From now on, calls ``report(line)`` the first time each loop of the learner's source goes round
    (in each case), with the loop's first line: when a check is stopped at its time limit, the last
    report names the loop that never ended (its first turn is the last new place the code reached).

    Python 3.12's sys.monitoring, on backward jumps only: each place reports once and is then
    switched off (DISABLE), and so is every place in any other file, so the code then runs at full
    speed, with no per-line hook. A line that never ends by itself (one long call into NumPy) is named only
    through the loop around it, if any. Before Python 3.12 nothing is reported.
    """
    global rearm_loops
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is None:
        return
    tool = monitoring.PROFILER_ID
    try:
        monitoring.use_tool_id(tool, "exercise loops")
    except ValueError:  # the tool id is taken: no report, the check runs as without
        return

    entered = False   # whether a loop of the learner's was reported since the last re-arming

    def on_jump(code: Any, offset: int, destination: int) -> Any:
        nonlocal entered
        if code.co_filename == SOURCE_NAME:
            entered = True
            # The loop's first line: a `for` jumps back up to it, a `while` from it (3.12 repeats the test below).
            lines = [n for n in (_line_at(code, offset), _line_at(code, destination)) if n]
            try:
                if lines:
                    report(min(lines))
            except Exception:  # noqa: BLE001 (a report is a courtesy: it never becomes the learner's error)
                pass
        return monitoring.DISABLE

    def rearm() -> None:
        # A loop that ended in one case may be the endless one in the next. Only after a learner's loop: the
        # re-arming makes every place switched off report once more, NumPy's and the runner's too.
        nonlocal entered
        if entered:
            entered = False
            monitoring.restart_events()

    monitoring.register_callback(tool, monitoring.events.JUMP, on_jump)
    monitoring.set_events(tool, monitoring.events.JUMP)
    rearm_loops = rearm


def _learner_line(exc: BaseException) -> int | None:
    """The line of the learner's source where ``exc`` was raised (innermost learner frame)."""
    if isinstance(exc, SyntaxError) and exc.filename == SOURCE_NAME:
        return exc.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == SOURCE_NAME:
            line = frame.lineno
    return line


def _suggestion(exc: BaseException, message: str) -> str:
    """Python's own "Did you mean: 'weights'?", which its traceback printing adds (AttributeError,
    NameError, ImportError) and str(exc) leaves out; "" when there is none."""
    try:
        shown = "".join(traceback.format_exception_only(exc))
    except Exception:  # learner code may have broken what formatting uses: the message stands alone
        return ""
    match = re.search(r"\. Did you mean: '[^'\n]*'\?", shown)
    return match.group(0) if match and match.group(0) not in message else ""


def _error(exc: BaseException, stage: str) -> dict[str, Any]:
    if isinstance(exc, SyntaxError):
        message = exc.msg
    else:
        # `raise KeyboardInterrupt` or `raise ValueError()` carry no text: say what happened anyway.
        message = str(exc) or f"{type(exc).__name__} was raised (with no message)"
        message += _suggestion(exc, message)
    # Only the learner's own frames: the runner's frames would only confuse them.
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SOURCE_NAME]
    return {"type": type(exc).__name__, "message": message, "line": _learner_line(exc), "stage": stage,
            "trace": [{"line": f.lineno, "function": f.name, "code": f.line or ""} for f in frames]}


# What an array of another kind holds, for the message: the contract's conversion to float64 would
# drop an imaginary part, and turn booleans, integers or numeric text into numbers that might pass.
_KINDS = {"c": "complex numbers", "b": "booleans", "i": "integers", "u": "integers", "O": "Python objects",
          "U": "text", "S": "bytes", "V": "records", "M": "dates", "m": "time spans"}


def _not_real(name: str, value: Any) -> str | None:
    """Why ``value`` (what the layer gave for ``name``) is not an array of real floats, or None."""
    if value is None:
        return None  # the contract names what is missing
    try:
        kind = np.asarray(value).dtype
    except Exception:  # noqa: BLE001 (anything that does not make an array: the contract reports it)
        return None
    if kind.kind == "f":
        return None
    return (f"{name} is an array of {_KINDS.get(kind.kind, kind.name)} ({kind.name}); every array must hold real "
            "floating-point numbers (float64)")


def _recording(layer_class: type, seen: dict[str, Any]) -> type:
    """``layer_class`` with what forward() and backward() return, and the layer itself, kept in ``seen``."""
    class Recorded(layer_class):  # type: ignore[misc, valid-type]
        def forward(self, inputs):
            seen["layer"] = self
            seen["output"] = super().forward(inputs)
            return seen["output"]

        def backward(self, dLossWrtLayerOutput):
            seen["dInputs"] = super().backward(dLossWrtLayerOutput)
            return seen["dInputs"]

    Recorded.__name__, Recorded.__qualname__ = layer_class.__name__, layer_class.__qualname__
    return Recorded


def _run_one(layer_class: type, spec: dict[str, Any]) -> dict[str, Any]:
    # The activation is the exercise's: the starter's layer computes it, and the contract passes its name.
    seen: dict[str, Any] = {}
    run = run_layer(_recording(layer_class, seen), spec["activation"], *(decode_array(spec[k]) for k in SPEC_ARRAYS))
    layer = seen.get("layer")
    given = {"output": seen.get("output"), "dWeights": getattr(layer, "dWeights", None),
             "dBiases": getattr(layer, "dBiases", None),
             "dInputs": seen["dInputs"] if seen.get("dInputs") is not None else getattr(layer, "dInputs", None)}
    for name in RESULT_ARRAYS:
        problem = _not_real(name, given[name])
        if problem:
            raise TypeError(problem)
    # Returned with its own shape (a 1-D sum without keepdims stays 1-D): the judge names the mismatch.
    return {"ok": True, "arrays": {k: encode_array(run.arrays[k]) for k in RESULT_ARRAYS},
            "returnsDInputs": run.returns_dinputs}


def load_learner_module(code: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The learner's module run as ``exercise`` (with ``todo``): its namespace, or the error that stopped it
    (a syntax error, or anything its body raised)."""
    namespace: dict[str, Any] = {"__name__": "exercise", "todo": todo}
    # Registered with linecache so that tracebacks quote the learner's lines.
    linecache.cache[SOURCE_NAME] = (len(code), None, code.splitlines(True), SOURCE_NAME)
    try:
        compiled = compile(code, SOURCE_NAME, "exec")
    except SyntaxError as exc:
        return namespace, _error(exc, "compile")
    try:
        exec(compiled, namespace)
    except BaseException as exc:  # the learner's module body: anything it raises (KeyboardInterrupt too) is theirs
        return namespace, _error(exc, "load")
    return namespace, None


def run(request: str) -> str:
    """``{"code": str, "cases": [wire spec, …]}`` → ``{"results": [...]} | {"error": {...}}`` as JSON.

    A syntax error, or an exception while the module body runs, stops everything (there is no
    class to test); an exception inside a case is reported for that case.
    """
    data = json.loads(request)
    cases = data["cases"]
    namespace, error = load_learner_module(data["code"])
    if error is not None:
        return json.dumps({"error": error})
    layer_class = namespace.get("DenseLayer")
    if not isinstance(layer_class, type):
        return json.dumps({"error": {"type": "NameError", "message": "the code must define a class DenseLayer",
                                     "line": None, "stage": "load", "trace": []}})
    results = []
    for case in cases:
        rearm_loops()
        try:
            results.append(_run_one(layer_class, case))
        except BaseException as exc:  # per case, anything the learner's code raises; the judge reports the first
            results.append({"ok": False, "error": _error(exc, "run")})
    return json.dumps({"results": results})


def main() -> None:
    """For ``grade``: the request on stdin, the reply on what was stdout when this started.

    The learner's own prints go to stderr, so they cannot mix with the reply.
    """
    import os

    reply_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    request = sys.stdin.read()
    reply = run(request)
    with os.fdopen(reply_fd, "w") as out:
        out.write(reply)


if __name__ == "__main__":
    main()
