"""python_core.exercise natively (no browser): it runs the learner's class on the cases, reports
errors at the learner's line, and undoes what learner code patches."""

from __future__ import annotations

import json

import numpy as np
import pytest

import python_core.cases
from crosscheck.parity.cases import LESSON_EXAMPLE
from python_core import exercise
from python_core.wire import decode_array, encode_spec

SOLUTION = """import numpy as np


class DenseLayer:
    def __init__(self, n_inputs, n_neurons, weights=None, biases=None):
        self.weights, self.biases = weights, biases

    def forward(self, inputs):
        self.inputs = inputs
        self.output = 1.0 / (1.0 + np.exp(-(inputs @ self.weights + self.biases)))
        return self.output

    def backward(self, dLossWrtLayerOutput):
        dZ = dLossWrtLayerOutput * self.output * (1.0 - self.output)
        self.dWeights = self.inputs.T @ dZ
        self.dBiases = dZ.sum(axis=0, keepdims=True)
        self.dInputs = dZ @ self.weights.T
        return self.dInputs
"""

BATCH_CASE = {"activation": "sigmoid", "weights": [[0.5, -1.0], [0.25, 2.0], [-0.75, 0.1]],
              "biases": [[0.1, -0.2]], "inputs": [[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]],
              "upstream": [[1.0, -0.5], [0.25, 2.0]]}


def check(code: str, *cases) -> dict:
    return json.loads(exercise.check(json.dumps({"code": code, "cases": [encode_spec(c) for c in cases]})))


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


def test_patches_by_learner_code_are_undone():
    code = SOLUTION + "\nnp.sum = np.mean\nimport python_core.cases\npython_core.cases.run_case = None\n"
    original_sum, original_run_case = np.sum, python_core.cases.run_case
    check(code, LESSON_EXAMPLE)
    assert np.sum is original_sum and python_core.cases.run_case is original_run_case


USES_RANDOM = SOLUTION.replace("self.weights, self.biases = weights, biases",
                               "self.weights, self.biases = weights, biases\n        np.random.default_rng(0).random()")


@pytest.mark.parametrize("first", [
    USES_RANDOM,                                                    # loads numpy.random
    SOLUTION + "\nimport numpy.random\nnp.random = None\n",       # loads it and hides it
], ids=["uses", "imports-and-rebinds"])
def test_np_random_still_works_in_the_checks_after_one_that_loaded_it(first):
    """NumPy loads numpy.random on first use; undoing one check's patches must not cut it off
    from the next. Run in a fresh interpreter: in this one something may have loaded it already."""
    import subprocess
    import sys

    script = f"""
import json, sys
from python_core import exercise
from python_core.wire import encode_spec
request = lambda code: json.dumps({{"code": code, "cases": [encode_spec({LESSON_EXAMPLE!r})]}})
assert "numpy.random" not in sys.modules
for code in ({first!r}, {USES_RANDOM!r}, {USES_RANDOM!r}):
    print(exercise.check(request(code)))
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    replies = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(replies) == 3
    for reply in replies:
        [result] = reply["results"]
        assert result["ok"], result
    # The same layer on the same case gives the same numbers every time.
    assert replies[0] == replies[1] == replies[2]


def test_json_dumps_replaced_by_learner_code_is_put_back():
    """Python cannot stop code from forging its own reply (the page refuses an incomplete one:
    see test_pages_exercise.py); the patch must not outlive the check, though."""
    original = json.dumps
    forged = check("import json\njson.dumps = lambda *a, **k: '{\"results\": []}'\nclass DenseLayer: pass\n",
                   LESSON_EXAMPLE, BATCH_CASE)
    assert forged == {"results": []}
    assert json.dumps is original
    assert len(check(SOLUTION, LESSON_EXAMPLE, BATCH_CASE)["results"]) == 2


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


def test_deleted_names_builtins_and_sys_modules_entries_are_put_back():
    import builtins
    import sys

    code = SOLUTION + ("\nimport builtins, sys\ndel np.mean\nbuiltins.object = None\nbuiltins.print = None\n"
                       "sys.modules['numpy'] = None\nsys.modules['json'] = None\nnp.added_by_learner = 1\n")
    original = np.mean, builtins.object, builtins.print, sys.modules["numpy"], sys.modules["json"]
    check(code, LESSON_EXAMPLE)
    assert (np.mean, builtins.object, builtins.print, sys.modules["numpy"], sys.modules["json"]) == original
    assert not hasattr(np, "added_by_learner")
    assert check(SOLUTION, LESSON_EXAMPLE)["results"][0]["ok"]
