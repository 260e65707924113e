"""Judging the submission's arrays against the reference: the rules, the messages and the hints
of the exercise page (web_demo/pages/exercise-check.mjs), in Python, so that ``grade`` gives
the feedback the page gives."""

from __future__ import annotations

from typing import Any

import numpy as np

from python_core.facts import EXERCISE_ATOL as ATOL, EXERCISE_RTOL as RTOL, RESULT_ARRAYS as ARRAYS
from python_core.wire import decode_array

from . import bounded_json
from .sandbox import MAX_REPLY_BYTES
GAP_OF = {"dWeights": 2, "dBiases": 3, "dInputs": 4}


def _close(given: float, expected: float) -> bool:
    return abs(given - expected) <= ATOL + RTOL * abs(expected)


def _shape_text(shape) -> str:
    return f"({', '.join(str(n) for n in shape)}{',' if len(shape) == 1 else ''})"


def exact_text(x: float) -> str:
    """Shortest text that parses back to the same double (the page's exactText)."""
    if x == 0 and np.signbit(x):
        return "-0"
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def first_difference(name: str, expected: np.ndarray, given: np.ndarray) -> dict[str, Any] | None:
    expected_shape = list(expected.shape)
    if list(given.shape) != expected_shape:
        return {"kind": "shape", "name": name, "expectedShape": expected_shape, "givenShape": list(given.shape)}
    rows, cols = expected_shape
    for i in range(rows):
        for j in range(cols):
            g, e = float(given[i, j]), float(expected[i, j])
            if not _close(g, e):
                return {"kind": "value", "name": name, "i": i, "j": j, "expected": e, "given": g}
    return None


def _ratio(given: float, expected: float) -> list[list[str]]:
    """[["ratio", …]] to six digits, as the page shows it; none where it is not a finite number."""
    if expected == 0 or not np.isfinite(given / expected):
        return []
    return [["ratio", f"{exact_text(float(f'{given / expected:.6g}'))} (given ÷ expected)"]]


def _shape_hint(d: dict[str, Any]) -> str:
    er, ec = d["expectedShape"]
    g = d["givenShape"]
    if len(g) == 1 and g[0] == ec and er == 1:
        return "It is 1-D: keep the batch axis, e.g. sum(axis=0, keepdims=True), so the shape is (1, n_neurons)."
    if len(g) == 2 and g[0] == ec and g[1] == er:
        return "It has the transposed shape: one of the factors of the product needs a transpose (.T), or they are in the wrong order."
    if len(g) == 2 and g[0] == 1 and g[1] == 1 and not (er == 1 and ec == 1):
        return "It is a single number: the sum runs over the batch only (axis=0), not over every element."
    return "Check the shapes: inputs is (batch, n_inputs), dZ is (batch, n_neurons), weights is (n_inputs, n_neurons)."


def _value_hint(d, expected: dict[str, np.ndarray], given: dict[str, np.ndarray], batch: int, wrong_names) -> str:
    rows = expected[d["name"]]
    flat_expected = rows.ravel()
    flat_given = given[d["name"]].ravel()
    if len(wrong_names) == 3 and "output" not in wrong_names:
        return ("All three gradients are off while the output is right, so dZ is wrong: check gap 1, the derivative "
                "of the activation (written with a = self.output).")
    if batch > 1 and all(_close(flat_given[k] * batch, e) for k, e in enumerate(flat_expected)):
        return (f"The values are {batch} times too small, and the batch has {batch} rows: this looks like a mean over "
                "the batch. The gradient is the sum over the batch (each sample adds its own share).")
    r, c = rows.shape
    if r == c and all(_close(flat_given[(k % c) * c + k // c], e) for k, e in enumerate(flat_expected)):
        return "It is the transpose of the expected array: a factor needs a transpose (.T), or the factors are in the wrong order."
    if d["name"] in GAP_OF:
        return f"Look at gap {GAP_OF[d['name']]}, where {d['name']} is set."
    return "The output comes from forward(), which the exercise gives you: was it changed?"


def _error_feedback(error: dict[str, Any], where: str) -> dict[str, Any]:
    line = f" on line {error['line']}" if error.get("line") else ""
    title = f"A gap is still open{line}" if error["type"] == "Gap" else f"{error['type']}{line}{where}"
    out = {"passed": False, "kind": "error", "line": error.get("line") or None, "title": title,
           "detail": error.get("message", ""), "hint": None,
           "values": [[f"line {f['line']}", f"{f['code']}   (in {f['function']})"]
                      for f in error.get("trace") or [] if f.get("code")]}
    message = str(error.get("message", ""))
    if error["type"] == "SyntaxError":
        out["hint"] = ("Python could not read the code: look at that line and the one before it (a missing bracket, "
                       "colon or indentation).")
    if error["type"] in ("IndentationError", "TabError"):
        out["hint"] = ("Python reads the indentation: every line of a block starts with the same spaces, in steps of 4 "
                       "(backward's body at 8), and no tab characters mixed with spaces. Tab and Enter in the editor "
                       "indent by 4 spaces.")
    if any(s in message for s in ("matmul", "not aligned", "could not be broadcast", "mismatch in its core dimension")):
        out["hint"] = ("The shapes do not fit for this product: one of the operands probably needs a transpose (.T). "
                       "inputs is (batch, n_inputs), dZ is (batch, n_neurons), weights is (n_inputs, n_neurons).")
    if error["type"] == "Gap":
        out["hint"] = "Replace the todo(...) call with your expression."
    return out


def _reply_problem(labels: list[str], reply: Any) -> tuple[str | None, list[dict[str, np.ndarray]] | None]:
    """What is wrong with the reply's form (or None), and each ok result's decoded arrays."""
    if not isinstance(reply, dict):
        return "the reply is not a JSON object", None
    if "error" in reply:
        ok = isinstance(reply["error"], dict) and isinstance(reply["error"].get("type"), str)
        return (None if ok else "its error has no type"), None
    results = reply.get("results")
    if not isinstance(results, list):
        return "it has no list of results", None
    if len(results) != len(labels):
        return f"it has {len(results)} result{'' if len(results) == 1 else 's'} for {len(labels)} cases", None
    decoded = []
    for label, result in zip(labels, results):
        if not isinstance(result, dict) or not isinstance(result.get("ok"), bool):
            return f"the result for {label} says neither ok nor failed", None
        if not result["ok"]:
            if not isinstance(result.get("error"), dict) or not isinstance(result["error"].get("type"), str):
                return f"the failure in {label} has no error", None
            decoded.append({})
            continue
        arrays = {}
        for name in ARRAYS:
            try:
                arrays[name] = decode_array(result["arrays"][name])
            except Exception:  # any malformed entry: the reply cannot be judged
                return f"{name} is missing or unreadable in the result for {label}", None
        decoded.append(arrays)
    return None, decoded


def judge(labels: list[str], batches: list[int], expected: list[dict[str, np.ndarray]],
          reply_text: str | bytes) -> dict[str, Any]:
    """labels/batches/expected per case; reply_text: the runner's JSON, untrusted (read with bounded size and
    depth). → the page's feedback object {passed, kind, title, detail, values, hint, line, caseResults[, array, element]}."""
    try:
        reply = bounded_json.loads(reply_text, MAX_REPLY_BYTES)
    except (ValueError, TypeError):
        reply = None
    problem, decoded = _reply_problem(labels, reply)
    if problem:
        return {"passed": False, "kind": "reply", "line": None, "title": "The check got an incomplete answer from Python",
                "detail": f"Your code ran, but what came back cannot be judged: {problem}.", "values": [],
                "hint": "Does your code replace part of json or NumPy (or the check itself)? Leave those as they are.",
                "caseResults": []}
    if "error" in reply:
        return {**_error_feedback(reply["error"], ""), "caseResults": []}
    case_results, failure = [], None
    for k, (label, result) in enumerate(zip(labels, reply["results"])):
        if failure:
            case_results.append({"label": label, "passed": None})
            continue
        if not result["ok"]:
            failure = _error_feedback(result["error"], f" in {label}")
            case_results.append({"label": label, "passed": False})
            continue
        given = decoded[k]
        differences = [d for d in (first_difference(n, expected[k][n], given[n]) for n in ARRAYS) if d]
        if differences:
            d = differences[0]
            wrong = [x["name"] for x in differences]
            if d["kind"] == "shape":
                failure = {"passed": False, "kind": "shape", "title": f"{d['name']} has the wrong shape in {label}",
                           "detail": f"expected shape {_shape_text(d['expectedShape'])}, got {_shape_text(d['givenShape'])}",
                           "values": [], "hint": _shape_hint(d)}
            else:
                failure = {"passed": False, "kind": "value", "title": f"{d['name']} is wrong in {label}",
                           "detail": f"First wrong element: {d['name']}[{d['i']}][{d['j']}]",
                           "values": [["expected", exact_text(d["expected"])], ["given", exact_text(d["given"])],
                                      ["difference", f"{exact_text(d['given'] - d['expected'])} (given − expected)"],
                                      *_ratio(d["given"], d["expected"])],
                           "hint": _value_hint(d, expected[k], given, batches[k], wrong)}
            failure["array"] = d["name"]
            failure["element"] = [d["i"], d["j"]] if d["kind"] == "value" else None
            if len(wrong) > 1:
                failure["also"] = wrong[1:]
            case_results.append({"label": label, "passed": False})
            continue
        if not result.get("returnsDInputs"):
            failure = {"passed": False, "kind": "return", "title": "Almost: backward() must return the gradient passed back",
                       "detail": "Every array is right, but backward() does not return self.dInputs.", "values": [],
                       "hint": "End backward() with: return self.dInputs"}
            case_results.append({"label": label, "passed": False})
            continue
        case_results.append({"label": label, "passed": True})
    if failure:
        return {"line": None, **failure, "caseResults": case_results}
    return {"passed": True, "kind": "pass", "title": "Correct! backward() passes every check",
            "detail": f"output, dWeights, dBiases and dInputs match the reference in all {len(labels)} cases.",
            "values": [], "hint": None, "line": None, "caseResults": case_results}
