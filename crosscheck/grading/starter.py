"""Whether an author's starter code can become a passing exercise: checked before ``build-site`` uses it.

A starter is the lesson's ``DenseLayer`` with gaps: calls to ``todo(...)``, which the exercise's runner
provides and which raise until the learner replaces them. Filling the gaps is the whole of what the
learner does, so a starter must

* be Python (it compiles),
* define ``class DenseLayer``,
* have at least one gap (a ``todo(...)`` call), and
* follow the lesson's DenseLayer contract up to its first gap: run as the exercise runs it, on the
  lesson example, it stops at a gap, not at an error before one (a constructor of another shape, a
  forward that fails) and not at the end (a check that never reaches a gap would grade the starter as
  it is).

The last is checked by running the starter exactly as ``grade`` runs a submission (the page's runner,
in a contained child CPython), so what it finds is what the learner would meet.
"""

from __future__ import annotations

import ast
from typing import Any

from python_core.facts import LESSON_EXAMPLE

from . import bounded_json
from .grade import DEFAULT_TIMEOUT_S, run_submission
from .sandbox import MAX_REPLY_BYTES

GAP_FUNCTION = "todo"


def _gap_count(tree: ast.AST) -> int:
    return sum(1 for node in ast.walk(tree) if isinstance(node, ast.Call)
               and isinstance(node.func, ast.Name) and node.func.id == GAP_FUNCTION)


def _where(error: dict[str, Any]) -> str:
    line = f" on line {error['line']}" if error.get("line") else ""
    return f"{error.get('type', 'Error')}{line}: {error.get('message', '')}"


def starter_problem(code: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> str | None:
    """What makes ``code`` unusable as the exercise's starter, in one line; None when it is usable."""
    try:
        tree = compile(code, "<starter>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return f"not Python: SyntaxError on line {exc.lineno}: {exc.msg}"
    except ValueError as exc:  # a NUL byte
        return f"not Python: {exc}"
    if not any(isinstance(node, ast.ClassDef) and node.name == "DenseLayer" for node in ast.walk(tree)):
        return "defines no class DenseLayer (the exercise checks the learner's DenseLayer)"
    gaps = _gap_count(tree)
    if not gaps:
        return (f"has no gap: a starter leaves at least one {GAP_FUNCTION}(...) call for the learner to replace "
                f"(e.g. self.dWeights = {GAP_FUNCTION}(\"dWeights\"))")
    case = {k: v for k, v in LESSON_EXAMPLE.items() if k != "name"}
    reply = run_submission(code, [case], timeout_s)
    if reply is None:
        return f"still running after {timeout_s:g} s on the lesson example (an endless loop?)"
    try:
        parsed = bounded_json.loads(reply, MAX_REPLY_BYTES)
        error = parsed["error"] if "error" in parsed else parsed["results"][0].get("error")
        ran_through = "error" not in parsed and parsed["results"][0]["ok"]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return "the exercise's runner gave no readable answer for it (does it replace json or NumPy?)"
    if ran_through:
        return (f"runs through the lesson example without reaching any of its {gaps} gap(s): the exercise would "
                "check it as it is, with nothing for the learner to fill")
    if not isinstance(error, dict):
        return "the exercise's runner gave no readable answer for it"
    if error.get("type") == "Gap":
        return None
    stage = {"compile": "does not compile", "load": "fails as it loads"}.get(error.get("stage"),
                                                                           "stops before reaching a gap")
    return (f"{stage} on the lesson example, as the exercise runs it (DenseLayer(n_inputs, n_neurons, "
            f"activation_name), weights and biases set, forward, backward): {_where(error)}")
