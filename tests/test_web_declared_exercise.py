"""A course's declared exercises as pages (``build-site --lessons``), in headless Chromium: for each, a
correct function passes, a declared mistake gets its author's hint, a wrong function gets feedback naming
the output, the case and the element with both values, their difference and ratio and the case's inputs,
and an endless loop is stopped, naming its line; no serious axe-core violation, Ctrl+Enter checks; code
saved under an earlier version of an exercise is kept and offered beside the new starter, and the last
verdict survives a reload.

One built site for the module, one page (one Pyodide boot) per exercise; the timeout is 3 s through the URL.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from crosscheck.paths import REPO
from crosscheck.site.build import build_site
from crosscheck.site.server import StaticServer
from python_core.codec import decode_array

pytestmark = pytest.mark.xdist_group("web_declared_exercise")
TIMEOUT_S = 3
COURSE = REPO / "examples" / "backprop-course"

DENSE_GAPS = {
    'todo("the derivative of the activation")': "self.output * (1.0 - self.output)",
    'todo("dWeights")': "self.inputs.T @ dZ",
    'todo("dBiases")': "np.sum(dZ, axis=0, keepdims=True)",
    'todo("dInputs, the gradient passed back")': "dZ @ self.weights.T",
}
MSE_GAPS = {
    'todo("the mean squared error")': "np.mean((predictions - targets) ** 2)",
    'todo("dPredictions")': "2.0 * (predictions - targets) / (samples * outputs)",
}


def fill(starter: str, gaps: dict[str, str]) -> str:
    for gap, answer in gaps.items():
        assert gap in starter, f"the starter no longer has the gap {gap}"
        starter = starter.replace(gap, answer)
    return starter


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("course") / "course"
    shutil.copytree(COURSE, folder, ignore=shutil.ignore_patterns("node_modules"))
    # The dense layer's exercise and the mean squared error's: softmax-ce's page is the same page (its
    # grading is tested natively); without it each build bundles and checks one file fewer.
    manifest = folder / "course.toml"
    text = manifest.read_text()
    start, end = text.index('[[exercise]]\nname = "softmax-ce"'), text.index('[[exercise]]\nname = "mse"')
    manifest.write_text(text[:start] + text[end:])
    return manifest


@pytest.fixture(scope="module")
def site(course, tmp_path_factory, verified_runtime) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(out, lessons=course)
    return out


@pytest.fixture(scope="module")
def server(site):
    with StaticServer(root=site, runtime_dir=site / "pyodide") as running:
        yield running


def open_exercise(lesson_pages, server, slug: str):
    page = lesson_pages.open(f"/pages/exercise-{slug}.html?timeout={TIMEOUT_S}", base_url=server.url, wait_python=False)
    page.evaluate("localStorage.clear()")
    lesson_pages.wait_python(page)
    return page


def check(page, code: str, keyboard: bool = False) -> dict:
    """Puts ``code`` in the editor and checks it, with the Check button or Ctrl+Enter in the editor."""
    page.evaluate("code => exercise.setCode(code)", code)
    page.evaluate("document.documentElement.dataset.exercise = 'stale'")
    if keyboard:
        page.focus(".cm-content")   # (a click at its middle would scroll the editor sideways to a long line's end)
        page.keyboard.press("Control+Enter")
    else:
        page.click("#check")
    page.wait_for_function("() => !['stale', 'checking'].includes(document.documentElement.dataset.exercise)",
                           timeout=60000)
    return page.evaluate("""() => ({
        state: document.documentElement.dataset.exercise,
        kind: document.getElementById('feedback').dataset.kind,
        title: document.querySelector('#feedback strong')?.textContent ?? '',
        text: document.getElementById('feedback').innerText,
        hint: document.querySelector('#feedback .hint')?.textContent ?? null,
        values: Object.fromEntries([...document.querySelectorAll('#feedback [data-value]')]
                                   .map(e => [e.dataset.value, e.textContent])),
        inputs: Object.fromEntries([...document.querySelectorAll('#feedback [data-input]')]
                                   .map(e => [e.dataset.input, e.textContent])),
        summary: document.querySelector('#feedback summary')?.textContent ?? null,
        marked: document.querySelectorAll('.cm-lint-marker-error').length,
        passed: document.querySelectorAll('#cases li.pass').length,
        cases: document.querySelectorAll('#cases li').length,
        result: exercise.lastResult,
    })""")


def lesson_case(site: Path, slug: str, k: int) -> dict[str, np.ndarray]:
    """A lesson case's inputs as the page got them (inputs only: the expected values are worked out here)."""
    described = json.loads((site / "pages" / "exercises" / f"{slug}.json").read_text())
    return {name: decode_array(wire) for name, wire in described["lessonCases"][k]["inputs"].items()}


def test_the_dense_layer_exercise(lesson_pages, server, site):
    index = (site / "pages" / "index.html").read_text()
    assert 'href="./exercise-dense-sigmoid.html"' in index and 'href="./exercise-mse.html"' in index
    page = open_exercise(lesson_pages, server, "dense-sigmoid")
    lesson_pages.assert_accessible(page, "declared exercise after load")
    starter = page.evaluate("exercise.starter")
    assert "class DenseLayer" in starter and "def dense_sigmoid" in starter
    solution = fill(starter, DENSE_GAPS)
    shown = check(page, solution, keyboard=True)   # Ctrl+Enter in the editor
    assert shown["state"] == "passed" and shown["passed"] == shown["cases"] == 7, shown   # 3 lesson + 4 hidden cases
    assert page.evaluate("exercise.getCode()") == solution   # and Ctrl+Enter added no line
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "check"
    lesson_pages.assert_accessible(page, "declared exercise after a check")
    result = shown["result"]
    assert result["exercise"] == "dense-sigmoid" and result["verified"] is False
    assert result["version"] == page.evaluate("exercise.version") and len(result["version"]) == 16
    assert result["score"] == result["max_score"] == 7 and len(result["tests"]) == 7
    lesson_pages.screenshot(page, "declared-exercise-passed-desktop")
    # A declared mistake: its author's hint (the lesson's hint, kept).
    shown = check(page, solution.replace("np.sum(dZ, axis=0, keepdims=True)", "np.mean(dZ, axis=0, keepdims=True)"))
    assert shown["state"] == "mistake" and "sum over the batch" in shown["hint"], shown
    assert shown["result"]["score"] < shown["result"]["max_score"]
    # A wrong function, no declared mistake: the output, the case, the element, expected and given.
    shown = check(page, solution.replace("self.inputs.T @ dZ", "self.inputs.T @ dZ * 1.5"))
    assert shown["state"] == "value" and shown["hint"] is None, shown
    assert shown["title"] == "dWeights is wrong in lesson case 1 (batch=1, features=1, neurons=1)"
    assert "First wrong element: dWeights[0][0]" in shown["text"]
    x = lesson_case(site, "dense-sigmoid", 0)
    a = 1 / (1 + np.exp(-(x["inputs"] @ x["weights"] + x["biases"])))
    expected = (x["inputs"].T @ (x["dLossWrtLayerOutput"] * a * (1 - a)))[0, 0]
    assert float(shown["values"]["expected"]) == pytest.approx(expected, rel=1e-12)
    assert float(shown["values"]["given"]) == pytest.approx(1.5 * expected, rel=1e-12)
    assert float(shown["values"]["difference"].split()[0]) == pytest.approx(0.5 * expected, rel=1e-9)
    assert float(shown["values"]["ratio"].split()[0]) == pytest.approx(1.5, rel=1e-5)
    # The failing case's inputs, exact: the page's text parses back to the case's own numbers.
    assert shown["summary"] == "The inputs of lesson case 1 (batch=1, features=1, neurons=1)"
    for name, array in x.items():
        shown_rows = [[float(v) for v in row.split(",")] for row in shown["inputs"][name].splitlines()]
        assert np.array_equal(np.array(shown_rows).reshape(array.shape), array), name
    lesson_pages.screenshot(page, "declared-exercise-wrong-desktop")
    lesson_pages.screenshot(page, "declared-exercise-wrong-phone", viewport=lesson_pages.PHONE)
    assert page.errors == []
    page.close()


@pytest.fixture(scope="module")
def mse_page(lesson_pages, server):
    page = open_exercise(lesson_pages, server, "mse")
    yield page
    page.close()


def test_the_mse_exercise_its_solution_and_an_endless_loop(mse_page, lesson_pages):
    page = mse_page
    solution = fill(page.evaluate("exercise.starter"), MSE_GAPS)
    assert page.is_hidden("#solution")
    shown = check(page, solution.replace("2.0 * (predictions", "(predictions"))
    assert shown["state"] == "mistake" and "the factor 2 is missing" in shown["hint"], shown
    assert "Checks so far: 1 (the solution shows after 5)" in page.inner_text("#attempts")
    lesson_pages.screenshot(page, "declared-exercise-mistake-desktop")
    lesson_pages.screenshot(page, "declared-exercise-mistake-phone", viewport=lesson_pages.PHONE)
    shown = check(page, solution.replace("    samples, outputs", "      samples, outputs"))
    assert shown["title"].startswith("IndentationError on line") and "steps of 4" in shown["hint"], shown
    endless = solution.replace("    samples, outputs", "    while True:\n        pass\n    samples, outputs")
    page.wait_for_function("() => document.documentElement.dataset.spare === 'ready'", timeout=60000)
    shown = check(page, endless)
    loop = next(n for n, line in enumerate(endless.splitlines(), 1) if "while True" in line)
    assert shown["state"] == "timeout" and shown["title"] == f"Stopped after {TIMEOUT_S} s: it was running the loop on line {loop}"
    assert shown["marked"] == 1, shown
    assert page.evaluate("exercise.getCode()") == endless
    lesson_pages.wait_python(page)
    shown = check(page, solution)
    assert shown["state"] == "passed", shown
    assert page.is_visible("#solution") and "def mean_squared_error" in page.text_content("#solution-code")
    assert page.errors == []


def test_code_saved_under_an_earlier_version_is_kept_and_offered(mse_page, lesson_pages, course, site):
    """Last: the last verdict survives a reload; then the exercise changes (a hint's text), the site is built
    again, and the page says so."""
    page = mse_page
    page.reload()   # (the verdict shows before Python is up: no wait for it)
    page.wait_for_function("() => window.exercise !== undefined")
    assert page.evaluate("document.getElementById('feedback').dataset.restored") == "same-code"
    assert page.inner_text("#feedback strong").startswith("Correct!") and page.locator("#cases li.pass").count() > 0
    mine = page.evaluate("exercise.starter").replace("import numpy as np", "import numpy as np  # my work")
    page.evaluate("code => exercise.setCode(code)", mine)
    old_version = page.evaluate("exercise.version")
    course.write_text(course.read_text().replace("the factor 2 is missing", "the factor 2 has gone missing"))
    build_site(site, lessons=course)
    page.reload()
    page.wait_for_function("() => window.exercise !== undefined")
    assert page.evaluate("exercise.version") != old_version
    assert page.is_visible("#version-notice") and "changed since you saved" in page.inner_text("#version-notice")
    assert page.evaluate("exercise.getCode()") == page.evaluate("exercise.starter")   # the new starter, and both offered
    lesson_pages.screenshot(page, "declared-exercise-old-version-desktop")
    page.click("#use-saved")
    assert page.evaluate("exercise.getCode()") == mine and page.is_hidden("#version-notice")
    # Saved under the new version now, and the earlier version's copy is gone: the next visit restores it, no notice.
    saved = page.evaluate("() => Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('dense-parity/exercise/mse/'))"
                          ".map(k => [k, localStorage.getItem(k)]))")
    assert saved == {f"dense-parity/exercise/mse/{page.evaluate('exercise.version')}": mine}
    assert not page.evaluate(f"Object.keys(localStorage).filter(k => k.startsWith('dense-parity/verdict/mse/{old_version}'))")
