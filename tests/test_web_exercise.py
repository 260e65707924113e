"""The exercise page in headless Chromium: a correct backward() passes, each kind of wrong one
fails with the right message, errors name the learner's line, an endless loop is stopped, the
learner's work survives a reload, and the verdict cannot be forged from learner code (no
reference in its Python, a fresh Python per check, a reply channel it cannot reach).

One page (one Pyodide boot) serves the whole module; the timeout is set to 3 s through the URL
so that the endless-loop test stays short.
"""

from __future__ import annotations

import pytest

from crosscheck.site.exercise_answers import SIGMOID_GAPS as GAPS, fill

pytestmark = pytest.mark.xdist_group("web_exercise")  # under pytest -n, one worker opens the page once
TIMEOUT_S = 3


@pytest.fixture(scope="module")
def exercise(lesson_pages):
    page = lesson_pages.open(f"/pages/exercise.html?activation=sigmoid&timeout={TIMEOUT_S}")
    page.evaluate("localStorage.clear()")
    yield page
    page.close()


@pytest.fixture(scope="module")
def starter(exercise) -> str:
    code = exercise.evaluate("exercise.starter")
    assert all(gap in code for gap in GAPS), "the starter no longer has the four gaps this test fills"
    return code


@pytest.fixture(scope="module")
def solution(starter) -> str:
    return fill(starter)


def check(page, code: str) -> dict:
    """Puts ``code`` in the editor, presses Check, and returns what the page shows."""
    page.evaluate("code => exercise.setCode(code)", code)
    page.evaluate("document.documentElement.dataset.exercise = 'stale'")
    page.click("#check")
    page.wait_for_function("() => !['stale', 'checking'].includes(document.documentElement.dataset.exercise)",
                           timeout=60000)
    return page.evaluate("""() => ({
        state: document.documentElement.dataset.exercise,
        kind: document.getElementById('feedback').dataset.kind,
        title: document.querySelector('#feedback strong')?.textContent ?? '',
        text: document.getElementById('feedback').innerText,
        values: Object.fromEntries([...document.querySelectorAll('#feedback [data-value]')]
                                   .map(e => [e.dataset.value, e.textContent])),
        marked: [...document.querySelectorAll('.cm-lint-marker-error')].length,
    })""")


def line_of(code: str, text: str) -> int:
    return next(n for n, line in enumerate(code.splitlines(), 1) if text in line)


def test_no_serious_accessibility_violation(exercise, solution, lesson_pages):
    """axe-core, after load and after a check, at both widths."""
    lesson_pages.assert_accessible(exercise, "exercise after load")
    assert check(exercise, solution)["state"] == "passed"
    assert exercise.evaluate("document.activeElement.id") == "check"  # kept through the check (aria-disabled)
    lesson_pages.assert_accessible(exercise, "exercise after a check")


def test_the_starter_names_the_first_open_gap(exercise, starter, lesson_pages):
    lesson_pages.screenshot(exercise, "exercise-start-desktop")
    lesson_pages.screenshot(exercise, "exercise-start-phone", viewport=lesson_pages.PHONE)
    shown = check(exercise, starter)
    assert shown["state"] == "error"
    assert shown["title"] == f"A gap is still open on line {line_of(starter, 'dActivation = todo')}"
    assert "the derivative of the activation" in shown["text"]


def test_a_correct_solution_passes(exercise, solution, lesson_pages):
    shown = check(exercise, solution)
    assert shown["state"] == "passed" and shown["kind"] == "pass", shown
    assert "Correct" in shown["title"] and "all 5 cases" in shown["text"]
    assert exercise.locator("#cases li.pass").count() == 5
    lesson_pages.screenshot(exercise, "exercise-passed-desktop")
    lesson_pages.screenshot(exercise, "exercise-passed-phone", viewport=lesson_pages.PHONE)


def shown_state(page) -> str:
    page.wait_for_function("() => !['stale', 'checking'].includes(document.documentElement.dataset.exercise)",
                           timeout=60000)
    return page.evaluate("document.documentElement.dataset.exercise")


def test_the_keyboard_indents_like_python_checks_and_leaves(exercise, solution):
    """Typed as a learner types: Enter after a line of backward() keeps its 8 spaces, Shift+Tab and
    Tab move by 4, Ctrl+Enter checks (and adds no line), and Esc then Tab leaves for Check."""
    exercise.evaluate("code => exercise.setCode(code)", solution)
    line = next(text for text in solution.splitlines() if "self.dBiases =" in text)
    exercise.click(f".cm-line:has-text({line.strip()!r})")
    exercise.keyboard.press("End")
    exercise.keyboard.press("Enter")
    exercise.keyboard.type("unused = 0")
    exercise.keyboard.press("Enter")
    exercise.keyboard.press("Shift+Tab")
    exercise.keyboard.press("Tab")
    exercise.keyboard.type("twice = 1")
    exercise.evaluate("document.documentElement.dataset.exercise = 'stale'")
    exercise.keyboard.press("Control+Enter")
    assert shown_state(exercise) == "passed", exercise.inner_text("#feedback")
    indent = line[: len(line) - len(line.lstrip())]
    assert indent == " " * 8
    typed = solution.replace(line + "\n", f"{line}\n{indent}unused = 0\n{indent}twice = 1\n", 1)
    assert exercise.evaluate("exercise.getCode()") == typed  # and Ctrl+Enter added no line
    exercise.click(".cm-content")
    exercise.keyboard.press("Escape")
    exercise.keyboard.press("Tab")
    assert exercise.evaluate("document.activeElement.id") == "check"
    assert "Esc, then Tab" in exercise.inner_text("#editor-keys")


def test_a_wrong_indentation_gets_a_hint(exercise, solution):
    line = next(text for text in solution.splitlines() if "self.dBiases =" in text)
    code = solution.replace(line, "      " + line.lstrip())
    shown = check(exercise, code)
    assert shown["title"] == f"IndentationError on line {line_of(code, 'self.dBiases =')}", shown
    assert "steps of 4" in shown["text"]


def test_other_correct_formulations_pass(exercise, solution):
    """Written differently, rounded differently: still correct (the check is not bit-for-bit)."""
    code = (solution.replace("self.output * (1.0 - self.output)", "self.output - self.output ** 2")
            .replace("self.inputs.T @ dZ", "np.dot(self.inputs.T, dZ)")
            .replace("np.sum(dZ, axis=0, keepdims=True)", "dZ.sum(axis=0).reshape(1, -1)"))
    assert check(exercise, code)["state"] == "passed"


def test_np_random_in_one_check_does_not_break_the_next(exercise, solution):
    """The first use of np.random loads numpy.random into the worker's NumPy during a check;
    the next check, after the learner's patches are undone, must still reach it."""
    code = solution.replace("self.inputs = inputs ", "self.noise = np.random.default_rng(0).random()\n        self.inputs = inputs ")
    assert code != solution
    first, second = check(exercise, code), check(exercise, code)
    assert first["state"] == "passed", first
    assert second["state"] == "passed", second


def expected_gradients(page, array: str, i: int, j: int) -> float:
    """The expected value for the lesson example, computed here from the formulas, not from the page."""
    import numpy as np

    from crosscheck.parity.cases import LESSON_EXAMPLE as case

    x, w = np.array(case["inputs"]), np.array(case["weights"])
    a = 1 / (1 + np.exp(-(x @ w + np.array(case["biases"]))))
    dz = np.array(case["upstream"]) * a * (1 - a)
    return {"dWeights": x.T @ dz, "dBiases": dz.sum(0, keepdims=True), "dInputs": dz @ w.T}[array][i, j]


def test_a_wrong_derivative_names_dweights_and_its_first_wrong_element(exercise, solution, lesson_pages):
    shown = check(exercise, solution.replace("self.output * (1.0 - self.output)", "self.output"))
    assert shown["state"] == "value"
    assert shown["title"] == "dWeights is wrong in the lesson example"
    assert "First wrong element: dWeights[0][0]" in shown["text"]
    assert float(shown["values"]["expected"]) == pytest.approx(expected_gradients(exercise, "dWeights", 0, 0), rel=1e-12)
    # What the wrong code computes, worked out here: dZ = upstream * a instead of upstream * a(1 - a).
    import numpy as np

    from crosscheck.parity.cases import LESSON_EXAMPLE as case

    x, w = np.array(case["inputs"]), np.array(case["weights"])
    a = 1 / (1 + np.exp(-(x @ w + np.array(case["biases"]))))
    given = (x.T @ (np.array(case["upstream"]) * a))[0, 0]
    assert float(shown["values"]["given"]) == pytest.approx(given, rel=1e-12)
    expected = expected_gradients(exercise, "dWeights", 0, 0)
    assert float(shown["values"]["difference"].split()[0]) == pytest.approx(given - expected, rel=1e-9)
    assert float(shown["values"]["ratio"].split()[0]) == pytest.approx(given / expected, rel=1e-5)
    assert "derivative of the activation" in shown["text"]
    lesson_pages.screenshot(exercise, "exercise-wrong-desktop")
    lesson_pages.screenshot(exercise, "exercise-wrong-phone", viewport=lesson_pages.PHONE)


def test_a_missing_transpose_is_reported_on_its_line(exercise, solution):
    code = solution.replace("self.inputs.T @ dZ", "self.inputs @ dZ")
    shown = check(exercise, code)
    assert shown["title"] == f"ValueError on line {line_of(code, 'self.dWeights = self.inputs @ dZ')} in the lesson example"
    assert "transpose" in shown["text"] and "matmul" in shown["text"]
    assert shown["marked"] == 1  # the editor marks that line


def test_a_missing_transpose_that_happens_to_fit_is_caught_by_the_values(exercise, solution):
    """dZ @ weights fits when weights is square (hidden case 3): then the values give it away."""
    code = solution.replace("dZ @ self.weights.T", "dZ @ self.weights if self.weights.shape[0] == self.weights.shape[1]"
                                                   " else dZ @ self.weights.T")
    shown = check(exercise, code)
    assert shown["title"].startswith("dInputs is wrong in hidden case 3 (batch of 2, 3 inputs → 3 neurons)"), shown
    assert "First wrong element: dInputs[" in shown["text"] and "expected" in shown["values"]


def test_a_mean_instead_of_a_sum_is_named(exercise, solution):
    shown = check(exercise, solution.replace("np.sum(dZ, axis=0, keepdims=True)", "np.mean(dZ, axis=0, keepdims=True)"))
    # The lesson example has a batch of one, where a mean is a sum: the first hidden case tells them apart.
    assert shown["title"] == "dBiases is wrong in hidden case 1 (batch of 3, 2 inputs → 3 neurons)", shown
    assert "First wrong element: dBiases[0][0]" in shown["text"]
    expected, given = float(shown["values"]["expected"]), float(shown["values"]["given"])
    assert given * 3 == pytest.approx(expected, rel=1e-12)
    assert "mean over the batch" in shown["text"] and "sum" in shown["text"]
    import numpy as np

    # The hidden case's inputs are shown: from them alone, the expected dBiases[0][0] is worked out here.
    shown_inputs = {name: np.array([[float(v) for v in row.split(",")] for row in text.splitlines()])
                    for name, text in exercise.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
                        '#feedback [data-input]')].map(e => [e.dataset.input, e.textContent]))""").items()}
    assert "hidden case 1" in exercise.inner_text("#feedback summary")
    assert shown_inputs["inputs"].shape == (3, 2) and shown_inputs["weights"].shape == (2, 3)
    a = 1 / (1 + np.exp(-(shown_inputs["inputs"] @ shown_inputs["weights"] + shown_inputs["biases"])))
    assert expected == pytest.approx((shown_inputs["dLossWrtLayerOutput"] * a * (1 - a)).sum(0)[0], rel=1e-12)


def test_a_sum_without_keepdims_is_a_shape_error(exercise, solution):
    shown = check(exercise, solution.replace("np.sum(dZ, axis=0, keepdims=True)", "np.sum(dZ, axis=0)"))
    assert shown["title"] == "dBiases has the wrong shape in the lesson example"
    assert "expected shape (1, 3), got (3,)" in shown["text"] and "keepdims=True" in shown["text"]


def test_a_syntax_error_shows_the_learners_line(exercise, solution, lesson_pages):
    code = solution.replace("return self.dInputs", "return self.dInputs)")
    shown = check(exercise, code)
    assert shown["title"] == f"SyntaxError on line {line_of(code, 'return self.dInputs)')}"
    assert shown["marked"] == 1
    lesson_pages.screenshot(exercise, "exercise-syntax-error-desktop")


def test_an_exception_shows_the_learners_line(exercise, solution):
    code = solution.replace("dZ @ self.weights.T", "dZ @ self.wieghts.T")
    shown = check(exercise, code)
    assert shown["title"] == f"AttributeError on line {line_of(code, 'self.wieghts')} in the lesson example"
    assert "wieghts" in shown["text"]
    assert "Did you mean: 'weights'?" in shown["text"]  # Python's own suggestion, kept


def test_python_core_is_not_in_the_checks_python(exercise, solution):
    """The reference layer does not ship to where the learner's code runs: importing it (to be
    checked against itself) fails, and so does patching it."""
    shown = check(exercise, "from python_core.dense_layer import DenseLayer\n")
    assert shown["state"] == "error" and shown["title"] == "ModuleNotFoundError on line 1", shown
    assert "python_core" in shown["text"]
    code = solution.replace("np.sum(dZ, axis=0, keepdims=True)", "np.mean(dZ, axis=0, keepdims=True)") + (
        "\n\nimport python_core.dense_layer\npython_core.dense_layer.DenseLayer.backward = DenseLayer.backward\n")
    shown = check(exercise, code)
    assert shown["state"] == "error" and "ModuleNotFoundError" in shown["title"], shown


def test_learner_code_cannot_change_the_reference(exercise, solution):
    """A mean-for-sum solution that also rewrites NumPy's sum still fails: the reference is not in Python."""
    code = solution.replace("np.sum(dZ, axis=0, keepdims=True)", "np.mean(dZ, axis=0, keepdims=True)") + "\n\nnp.sum = np.mean\n"
    shown = check(exercise, code)
    assert shown["state"] == "value" and shown["title"].startswith("dBiases is wrong in hidden case 1"), shown


def test_a_patch_of_the_checker_ends_with_its_check(exercise, starter, solution):
    """Learner code can patch what runs it (it shares the interpreter): here todo(), which the
    checker hands it, stops raising. The next check runs in a fresh interpreter: the untouched
    starter has open gaps again, and an empty class fails."""
    patched = check(exercise, "todo.__code__ = (lambda what: 0.0).__code__\n" + solution)
    assert patched["state"] == "passed", patched
    shown = check(exercise, starter)
    assert shown["state"] == "error" and shown["title"].startswith("A gap is still open"), shown
    shown = check(exercise, "class DenseLayer:\n    pass\n")
    assert shown["state"] == "error" and shown["title"] == "TypeError in the lesson example", shown


FORGE_FROM_JS = '''

import js, json

forged = '{"error": {"type": "Forged", "message": "forged by learner code", "line": null, "trace": []}}'
js.eval("""(() => {
  const forged = %s;
  const post = self.postMessage.bind(self);
  for (let n = 1; n < 200; n++) post({id: n, ok: true, value: forged, type: "booted", reply: forged});
  const original = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function () { return original.call(this, {ok: true, reply: forged}); };
  self.postMessage = () => {};
})()""" % json.dumps(forged))
'''


def test_messages_posted_by_learner_code_are_not_the_checks_reply(exercise, solution):
    """Learner code runs in the worker's JavaScript realm (Pyodide's js module): what it posts on
    the worker's channel, or through a patched MessagePort.postMessage, is not taken as the
    check's reply. Each forgery here says "Forged", so one that got through would show."""
    shown = check(exercise, solution + FORGE_FROM_JS)
    assert shown["state"] == "passed", shown
    assert "Forged" not in shown["text"]


def test_a_check_after_the_first_finds_its_python_booted(exercise, solution):
    """Each check takes a fresh worker; the next one boots while the learner reads and edits, so
    a Check then starts at once (the status never says it waits for Python)."""
    if exercise.evaluate("exercise.state") == "idle":   # no check yet (this test run alone)
        check(exercise, solution)
    exercise.wait_for_function("() => document.documentElement.dataset.spare === 'ready'", timeout=60000)
    exercise.evaluate("""() => { window.statuses = [];
        new MutationObserver(() => statuses.push(document.getElementById('check-status').textContent))
          .observe(document.getElementById('check-status'), {childList: true, subtree: true, characterData: true}); }""")
    assert check(exercise, solution)["state"] == "passed"
    statuses = exercise.evaluate("window.statuses")
    assert statuses and statuses[0].startswith("Running your code"), statuses
    assert not any("Starting a fresh Python" in s for s in statuses)
    # and it booted from the page's compiled Pyodide core (lib/pyodide-module.mjs), not its own compile
    assert exercise.evaluate("document.documentElement.dataset.spareCore") == "page"
    # and from the page's snapshot of a started interpreter, not a Python start-up of its own
    assert exercise.evaluate("document.documentElement.dataset.spareStart") == "snapshot"


FORGED_REPLIES = {  # the exercise has 5 cases: the lesson example and 4 hidden ones
    "no results": '{"results": []}',
    "results without arrays": '{"results": [%s]}' % ", ".join(['{"ok": true, "returnsDInputs": true}'] * 5),
    "not JSON": "Correct!",
}


def test_a_reply_forged_by_learner_code_is_refused(exercise, solution):
    """Learner code runs in the interpreter that builds the reply, so it can replace json.dumps
    and make the reply say anything: the page judges only a full set of arrays, one per case."""
    for what, forged in FORGED_REPLIES.items():
        code = f"import json\njson.dumps = lambda *a, **k: {forged!r}\n\n\nclass DenseLayer:\n    pass\n"
        shown = check(exercise, code)
        assert shown["state"] == "reply" and shown["kind"] == "reply", (what, shown)
        assert shown["title"] == "The check got an incomplete answer from Python", (what, shown)
        assert "Correct" not in shown["text"] and "json" in shown["text"], (what, shown)
        assert exercise.locator("#cases li.pass").count() == 0, what
    # The next check runs in a fresh interpreter, with the real json.dumps: it is judged normally.
    assert check(exercise, solution)["state"] == "passed"


def test_keyboard_interrupt_raised_by_learner_code_names_its_line(exercise, solution):
    code = solution.replace("return self.dInputs", "raise KeyboardInterrupt")
    shown = check(exercise, code)
    assert shown["title"] == f"KeyboardInterrupt on line {line_of(code, 'raise KeyboardInterrupt')} in the lesson example", shown
    assert "KeyboardInterrupt was raised" in shown["text"] and "runtime is broken" not in shown["text"]
    assert shown["marked"] == 1


def test_an_endless_loop_is_stopped_and_the_page_answers_clicks(exercise, solution, starter, lesson_pages):
    # A loop that ends before the endless one, and another inside it: the endless one is named.
    code = solution.replace("return self.dInputs", "for k in range(3):\n            pass\n"
                            "        while True:\n            for k in range(2):\n                pass")
    # How soon after TIMEOUT_S the stop comes is a figure for `bench`, not an assertion here.
    exercise.wait_for_function("() => document.documentElement.dataset.spare === 'ready'", timeout=60000)
    shown = check(exercise, code)
    assert shown["state"] == "timeout", shown
    # The worker said which loop it entered last: the endless one.
    assert shown["title"] == f"Stopped after {TIMEOUT_S} s: it was running the loop on line {line_of(code, 'while True')}"
    assert "worker was stopped" in shown["text"] and "your code is kept" in shown["text"]
    assert shown["marked"] == 1  # and the editor marks it
    assert exercise.evaluate("exercise.getCode()") == code  # nothing lost
    lesson_pages.screenshot(exercise, "exercise-timeout-desktop")
    # The page answers at once, while a fresh worker boots: Reset puts the starter back.
    exercise.click("#reset")
    assert exercise.evaluate("exercise.getCode()") == starter
    # And once the new worker is up, checking works again.
    lesson_pages.wait_python(exercise)
    assert check(exercise, solution)["state"] == "passed"
    assert exercise.errors == []


def test_code_and_verdict_survive_a_reload_and_reset_brings_the_starter_back(exercise, solution, starter):
    """Last in the module: the reload starts a new Pyodide, which the checks above no longer need."""
    mine = solution.replace("import numpy as np", "import numpy as np  # my work")
    assert check(exercise, mine)["state"] == "passed"
    exercise.reload()
    exercise.wait_for_function("() => window.exercise !== undefined")
    assert exercise.evaluate("exercise.getCode()") == mine
    assert "restored" in exercise.inner_text("#saved")
    # and so does the last verdict, said to be of this very code
    assert exercise.evaluate("document.getElementById('feedback').dataset.restored") == "same-code"
    assert exercise.inner_text("#feedback strong").startswith("Correct!")
    assert exercise.locator("#cases li.pass").count() == 5
    exercise.click("#reset")
    assert exercise.evaluate("exercise.getCode()") == starter
    # Ctrl+Z undoes the reset: nothing is lost by pressing it.
    exercise.click(".cm-content")
    exercise.keyboard.press("Control+z")
    assert exercise.evaluate("exercise.getCode()") == mine
    exercise.click("#reset")
    exercise.reload()
    exercise.wait_for_function("() => window.exercise !== undefined")
    assert exercise.evaluate("exercise.getCode()") == starter
