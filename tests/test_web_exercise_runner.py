"""The exercise's runner (web_demo/pages/exercise_runner.py) natively, no browser: it runs the
learner's class on the cases and reports errors at the learner's line. It stands alone: the
standard library and NumPy, nothing of dense-parity (the page's worker and ``grade`` load it
next to NumPy only)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from crosscheck.parity.cases import LESSON_EXAMPLE
from crosscheck.paths import WEB_DEMO
from python_core.wire import decode_array, encode_spec

RUNNER = WEB_DEMO / "pages" / "exercise_runner.py"
# As the page and grade put them beside the runner.
sys.modules.setdefault("wire_codec", importlib.import_module("python_core.codec"))
sys.modules.setdefault("layer_contract", importlib.import_module("python_core.layer_contract"))
_spec = importlib.util.spec_from_file_location("exercise_runner_under_test", RUNNER)
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

SOLUTION = (Path(__file__).parent / "lessons" / "exercise_solution.py").read_text()

BATCH_CASE = {"activation": "sigmoid", "weights": [[0.5, -1.0], [0.25, 2.0], [-0.75, 0.1]],
              "biases": [[0.1, -0.2]], "inputs": [[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]],
              "upstream": [[1.0, -0.5], [0.25, 2.0]]}


def check(code: str, *cases) -> dict:
    return json.loads(runner.run(json.dumps({"code": code, "cases": [encode_spec(c) for c in cases]})))


def test_a_correct_class_returns_the_lessons_arrays():
    reply = check(SOLUTION, LESSON_EXAMPLE, BATCH_CASE)
    for case, result in zip((LESSON_EXAMPLE, BATCH_CASE), reply["results"]):
        assert result["ok"] and result["returnsDInputs"]
        # Against the formulas written out here, not against the code under test.
        x, w, b, g = (np.array(case[k]) for k in ("inputs", "weights", "biases", "upstream"))
        a = 1 / (1 + np.exp(-(x @ w + b)))
        dz = g * a * (1 - a)
        expected = {"output": a, "dWeights": x.T @ dz, "dBiases": dz.sum(0, keepdims=True), "dInputs": dz @ w.T}
        for name, value in expected.items():
            np.testing.assert_allclose(decode_array(result["arrays"][name]), value, rtol=1e-13)


@pytest.mark.parametrize("code,kind,line,message", [
    ("x = (\n", "SyntaxError", 1, "never closed"),
    ("import numpy as np\n\n\ndef f():\n    return 1 / 0\n\n\nf()\n", "ZeroDivisionError", 5, "division by zero"),
    ("import numpy as np\n", "NameError", None, "must define a class DenseLayer"),
])
def test_errors_name_the_learners_line(code, kind, line, message):
    error = check(code, LESSON_EXAMPLE)["error"]
    assert error["type"] == kind and error["line"] == line and message in error["message"]


def test_an_error_in_backward_points_at_its_line_and_quotes_it():
    code = SOLUTION.replace("dZ @ self.weights.T", "dZ @ self.weights")
    [result] = check(code, BATCH_CASE)["results"]
    error = result["error"]
    lines = code.splitlines()
    assert error["type"] == "ValueError" and "matmul" in error["message"]
    assert lines[error["line"] - 1].strip() == "self.dInputs = dZ @ self.weights"
    assert error["trace"][-1] == {"line": error["line"], "function": "backward", "code": "self.dInputs = dZ @ self.weights"}


def test_an_open_gap_says_which():
    code = SOLUTION.replace("dZ.sum(axis=0, keepdims=True)", 'todo("dBiases")')
    [result] = check(code, LESSON_EXAMPLE)["results"]
    assert result["error"]["type"] == "Gap" and "dBiases" in result["error"]["message"]


def test_a_missing_array_is_named():
    code = SOLUTION.replace("self.dBiases = dZ.sum(axis=0, keepdims=True)", "pass")
    [result] = check(code, LESSON_EXAMPLE)["results"]
    assert not result["ok"] and "dBiases" in result["error"]["message"]


@pytest.mark.parametrize("where", ["module", "backward"])
def test_keyboard_interrupt_raised_by_learner_code_is_the_learners_error(where):
    if where == "module":
        code = SOLUTION + "\nraise KeyboardInterrupt\n"
    else:
        code = SOLUTION.replace("return self.dInputs", "raise KeyboardInterrupt")
    try:
        reply = check(code, LESSON_EXAMPLE)
    except KeyboardInterrupt:  # caught here, or it would stop the whole pytest run
        pytest.fail("the learner's KeyboardInterrupt escaped the check")
    if where == "module":
        error = reply["error"]
    else:
        [result] = reply["results"]
        assert not result["ok"]
        error = result["error"]
    assert error["type"] == "KeyboardInterrupt"
    assert code.splitlines()[error["line"] - 1].strip() == "raise KeyboardInterrupt"
    assert "KeyboardInterrupt" in error["message"]  # not an empty message


def test_the_runner_its_codec_and_its_contract_import_nothing_but_the_standard_library_and_numpy():
    """What the exercise's interpreter holds: no path from the learner's code to python_core's layer."""
    from python_core import codec, layer_contract

    beside = {"numpy", "__future__"}
    for path, allowed in ((RUNNER, beside | {"wire_codec", "layer_contract"}), (Path(codec.__file__), beside),
                          (Path(layer_contract.__file__), beside)):
        tree = ast.parse(path.read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.level == 0}
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level], path  # no relative import
        assert "numpy" in imported or path == RUNNER
        assert imported - allowed <= set(sys.stdlib_module_names), (path, imported)



def test_the_answers_refuse_a_starter_without_their_gaps():
    from crosscheck.site.exercise_answers import fill

    with pytest.raises(ValueError, match="no longer has the gap"):
        fill("class DenseLayer: pass")


def test_a_backward_that_only_sets_self_dinputs_is_read_and_flagged():
    """The lenient reading: the arrays are judged, and the page's hint asks for the return."""
    code = SOLUTION.replace("return self.dInputs", "pass")
    [result] = check(code, LESSON_EXAMPLE)["results"]
    assert result["ok"] and result["returnsDInputs"] is False
    [reference] = check(SOLUTION, LESSON_EXAMPLE)["results"]
    assert result["arrays"] == reference["arrays"]


def test_the_return_value_is_dinputs():
    """backward()'s return value is dInputs, whatever self.dInputs holds."""
    code = SOLUTION.replace("return self.dInputs", "return 2 * self.dInputs")
    [doubled] = check(code, BATCH_CASE)["results"]
    [reference] = check(SOLUTION, BATCH_CASE)["results"]
    assert doubled["returnsDInputs"]
    np.testing.assert_array_equal(decode_array(doubled["arrays"]["dInputs"]),
                                  2 * decode_array(reference["arrays"]["dInputs"]))


def test_the_lessons_file_runs_the_same_in_the_exercise_and_as_an_authors_file():
    """One contract: the lesson's --python file gives the same bits through the exercise's runner as through
    python_core.author (which runs an author's file natively and in Pyodide)."""
    from python_core.author import run_author_batch

    lesson = Path(__file__).parent / "lessons" / "dense.py"
    cases = [encode_spec(c) for c in (LESSON_EXAMPLE, BATCH_CASE)]
    exercise = json.loads(runner.run(json.dumps({"code": lesson.read_text(), "cases": cases})))["results"]
    author = json.loads(run_author_batch(json.dumps({"source": lesson.read_text(), "filename": str(lesson),
                                                     "cases": cases})))["results"]
    for mine, theirs in zip(exercise, author):
        assert mine["ok"] and theirs["ok"] and mine["returnsDInputs"]
        assert mine["arrays"] == theirs["arrays"]


def test_the_contracts_arrays_are_the_facts():
    from python_core.facts import RESULT_ARRAYS
    from python_core.layer_contract import RESULT_ARRAYS as CONTRACT_ARRAYS

    assert CONTRACT_ARRAYS == tuple(RESULT_ARRAYS)
