"""The lab page in headless Chromium: it shows exactly the numbers python_core computes natively,
its ULP column is right, its bits of error against the exact value are the host's, the cells whose
derivative lost their bits are flagged, and invalid edits are refused inline."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from crosscheck.parity.accuracy import bits_of_error
from crosscheck.parity.cases import LESSON_EXAMPLE
from crosscheck.parity.compare import ulp_distance
from crosscheck.runtimes.exact import ExactRuntime
from python_core import RESULT_ARRAYS, run_case
from python_core.facts import ACTIVATION_FACTS, FLAG_BITS_LOST, SATURATED_EXAMPLE

pytestmark = pytest.mark.xdist_group("web_lab")  # under pytest -n, one worker opens the lab once


def bits(x: float) -> str:
    return struct.pack(">d", x).hex()


def ulps(a: float, b: float) -> int:
    """ULP distance written out independently of the page: doubles as sign-folded integers."""
    def ordered(x: float) -> int:
        (n,) = struct.unpack(">q", struct.pack(">d", x))
        return -(n & 0x7FFFFFFFFFFFFFFF) if n < 0 else n
    return abs(ordered(a) - ordered(b))


# Every value the loading bar takes, recorded from the page's first script on.
RECORD_PROGRESS = """
window.progressSeen = [];
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector("#loading progress");
  new MutationObserver(() => progressSeen.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ["value"] });
});
"""


@pytest.fixture(scope="module")
def lab(lesson_pages):
    page = lesson_pages.open("/pages/lab.html", init_script=RECORD_PROGRESS)
    page.wait_for_function("() => document.documentElement.dataset.lab === 'done'")
    yield page
    page.close()


def shown_cells(page) -> list[dict]:
    return page.eval_on_selector_all("td.cell", """cells => cells.map(td => ({
        array: td.dataset.array, i: +td.dataset.i, j: +td.dataset.j, py: td.dataset.py, js: td.dataset.js,
        ulp: td.dataset.ulp, pyText: td.querySelector('.py').lastChild.textContent,
        ulpText: td.querySelector('.ulp').textContent, exact: td.dataset.exact,
        bitsPy: td.dataset.bitsPy, bitsJs: td.dataset.bitsJs, bitsText: td.querySelector('.bits')?.textContent,
        exactText: td.querySelector('.exact')?.lastChild.textContent,
        exactShown: !!td.querySelector('.exact') && getComputedStyle(td.querySelector('.exact')).display !== 'none',
        flagged: td.classList.contains('ill'), flag: td.querySelector('.cond')?.textContent}))""")


def run_and_wait(page, button: str = "#run") -> None:
    page.evaluate("document.documentElement.dataset.lab = 'stale'")
    page.click(button)
    page.wait_for_function("() => ['done', 'invalid', 'failed'].includes(document.documentElement.dataset.lab)")
    assert page.evaluate("document.documentElement.dataset.lab") == "done" or button == "#run"


def python_core_in_pyodide(pyodide_chromium, spec) -> dict[str, np.ndarray]:
    """The same case through the foundation's harness page: another path into Pyodide."""
    [result] = pyodide_chromium.run([spec])
    assert result["ok"], result
    return result["arrays"]


def test_the_loading_bar_moves_with_the_bytes_and_stages(lab):
    """Not stuck at one value while Pyodide's 10 MB core downloads: it moves with the bytes (2–50 %),
    then with the worker's stages, and never back."""
    seen = lab.evaluate("progressSeen")
    assert seen == sorted(seen), seen
    assert len({v for v in seen if 2 < v < 50}) >= 2, seen  # several points of the download
    assert any(v > 50 for v in seen), seen  # and the stages after it
    assert lab.get_attribute("#loading", "aria-busy") == "false"


def test_no_serious_accessibility_violation(lab, lesson_pages):
    """axe-core, after load and after a run, at both widths."""
    lesson_pages.assert_accessible(lab, "lab after load")
    run_and_wait(lab)
    lesson_pages.assert_accessible(lab, "lab after a run")


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh", "linear"])
def test_lab_shows_exactly_the_python_numbers(lab, lesson_pages, pyodide_chromium, activation):
    """Every Python cell is exactly the float64 python_core computes (bits and shown text), it is
    the native number or within the parity tolerance of it, and the ULP column is right."""
    lab.select_option("#activation", activation)
    run_and_wait(lab)
    spec = {**LESSON_EXAMPLE, "activation": activation}
    native = run_case(spec)
    in_pyodide = python_core_in_pyodide(pyodide_chromium, spec)
    cells = shown_cells(lab)
    assert len(cells) == sum(native[name].size for name in RESULT_ARRAYS)
    differ_from_native = []
    for cell in cells:
        name, i, j = cell["array"], cell["i"], cell["j"]
        where = f"{activation} {name}[{i}][{j}]"
        value = float(in_pyodide[name][i, j])
        # The bits the page holds, and the text it shows, are both exactly NumPy's float64.
        assert cell["py"] == bits(value), where
        assert float(cell["pyText"]) == value and bits(float(cell["pyText"])) == bits(value), where
        # Native CPython gives the same number, or one within the harness's tolerance: native NumPy
        # multiplies through OpenBLAS (fused multiply-adds), Pyodide's NumPy without BLAS.
        reference = float(native[name][i, j])
        if bits(reference) != bits(value):
            differ_from_native.append((where, ulps(reference, value)))
            assert abs(value - reference) <= 1e-15 + 1e-12 * abs(reference), where
        # The ULP column is the distance between the Python bits and the JavaScript bits.
        js = struct.unpack(">d", bytes.fromhex(cell["js"]))[0]
        assert int(cell["ulp"]) == ulps(value, js) and cell["ulpText"] == f"{ulps(value, js)} ULP", where
    # Where the platforms round a sum differently, it is the last bit, never more.
    assert all(n == 1 for _, n in differ_from_native), differ_from_native
    worst = max(int(c["ulp"]) for c in cells)
    verdict = lab.get_attribute("#verdict", "data-verdict")
    assert verdict == ("identical" if worst == 0 else "agree"), (verdict, worst)
    assert lab.errors == []
    if activation == "sigmoid":
        lesson_pages.screenshot(lab, "lab-desktop")
        lesson_pages.screenshot(lab, "lab-phone", viewport=lesson_pages.PHONE)


def test_the_lesson_example_has_no_flag_and_is_correctly_rounded_in_python(lab):
    run_and_wait(lab, "#example")
    cells = shown_cells(lab)
    assert not any(c["flagged"] for c in cells)
    assert max(float(c["bitsPy"]) for c in cells) <= 1  # at most one ULP from the truth
    assert "Against the exact value: Python at most" in lab.inner_text("#accuracy")


def _bits_text(b: float) -> str:
    return str(int(b)) if b == int(b) else f"{b:.1f}"


def test_saturated_units_are_one_click_away_with_their_bits_of_error_and_flags(lab, lesson_pages):
    """The button loads the facts' saturated case; every cell's bits of error, Python's and JavaScript's,
    are those the host computes with the `exact` runtime and accuracy.py from the same float64s; the
    flag is on exactly the gradient cells that lose ≥ 10 bits (here all of them to 1 − a²)."""
    run_and_wait(lab, "#saturated")
    lab.check("#show-exact")
    spec = {k: v for k, v in SATURATED_EXAMPLE.items() if k != "name"}
    assert lab.input_value("#activation") == spec["activation"] == "tanh"
    assert lab.input_value("#field-weights") == "4, 6, -2\n-2.5, 18.5, -5"
    with ExactRuntime() as exact_runtime:
        [outcome] = exact_runtime.run([spec])
    assert outcome["ok"], outcome
    truth = outcome["arrays"]
    cells = shown_cells(lab)
    assert len(cells) == sum(truth[name].size for name in RESULT_ARRAYS)
    losing, flagged = set(), set()
    for cell in cells:
        name, i, j = cell["array"], cell["i"], cell["j"]
        where = f"{name}[{i}][{j}]"
        exact = np.array([truth[name][i, j]])
        shown_exact = np.frombuffer(bytes.fromhex(cell["exact"]), ">f8").astype(np.float64)
        assert ulp_distance(shown_exact, exact)[0] == 0, where
        assert float(cell["exactText"]) == shown_exact[0] and cell["exactShown"], where
        host_bits = {}
        for who in ("py", "js"):
            value = np.frombuffer(bytes.fromhex(cell[who]), ">f8").astype(np.float64)
            host_bits[who] = float(bits_of_error(ulp_distance(value, exact))[0])
            shown = float(cell["bits" + who.capitalize()])
            assert abs(shown - host_bits[who]) <= 1e-12 * max(1.0, host_bits[who]), (where, who, shown, host_bits)
        assert cell["bitsText"] == f"bits of error: py {_bits_text(host_bits['py'])} · js {_bits_text(host_bits['js'])}"
        if name != "output" and max(host_bits.values()) >= FLAG_BITS_LOST:
            losing.add((name, i, j))
        if cell["flagged"]:
            flagged.add((name, i, j))
            facts = ACTIVATION_FACTS["tanh"]
            assert cell["flag"] == (f"⚠ {round(max(host_bits.values()))} bits lost: the unit saturates, so "
                                    f"{facts['derivative_from_output']} cancels; well-conditioned: "
                                    f"{facts['well_conditioned_derivative']}"), where
    # z = 6 and 7.75 saturate column 0 and row 0 of dZ; z = 29.5's dZ is swamped in its column
    assert flagged == losing == {("dWeights", 0, 0), ("dWeights", 1, 0), ("dBiases", 0, 0), ("dInputs", 0, 0),
                                 ("dInputs", 0, 1)}
    assert f"5 cells marked ⚠ where the lesson's derivative lost ≥ {FLAG_BITS_LOST} bits" in lab.inner_text("#accuracy")
    assert lab.errors == []
    lesson_pages.screenshot(lab, "lab-saturated-desktop")
    lesson_pages.screenshot(lab, "lab-saturated-phone", viewport=lesson_pages.PHONE)
    # At phone width the page itself does not scroll sideways; the tables scroll in their own boxes.
    lab.set_viewport_size(lesson_pages.PHONE)
    try:
        assert lab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        lab.set_viewport_size(lesson_pages.DESKTOP)
        lab.uncheck("#show-exact")


def test_lab_agrees_with_the_chain_rule_written_out(lab):
    """The numbers shown are also the lesson's formulas, not only whatever python_core returns."""
    run_and_wait(lab, "#example")
    x, w = np.array(LESSON_EXAMPLE["inputs"]), np.array(LESSON_EXAMPLE["weights"])
    b, g = np.array(LESSON_EXAMPLE["biases"]), np.array(LESSON_EXAMPLE["upstream"])
    a = 1 / (1 + np.exp(-(x @ w + b)))
    dz = g * a * (1 - a)
    expected = {"output": a, "dWeights": x.T @ dz, "dBiases": dz.sum(0, keepdims=True), "dInputs": dz @ w.T}
    for cell in shown_cells(lab):
        assert float(cell["pyText"]) == pytest.approx(expected[cell["array"]][cell["i"], cell["j"]], rel=1e-13)


INVALID_EDITS = [
    ("weights", "0.1, abc, 0.3\n0.4, 0.5, 0.6", "row 1, column 2: “abc” is not a number"),
    ("inputs", "NaN, 0.5", "NaN is not allowed"),
    ("biases", "0.1, 0.2", "biases must be 1 × 3"),
    ("inputs", "0.5, -0.2, 0.7", "each row of inputs needs 2 numbers"),
    ("upstream", "0.1, 0.2, 0.3\n0.4, 0.5, 0.6", "the upstream gradient must be 1 × 3"),
    ("weights", "1, 2, 3\n4, 5", "row 2 has 2 numbers but row 1 has 3"),
    ("biases", "", "enter at least one row of numbers"),
]


@pytest.mark.parametrize("field,text,message", INVALID_EDITS, ids=[m.split(":")[0][:28] for *_, m in INVALID_EDITS])
def test_invalid_edit_is_refused_inline(lab, lesson_pages, field, text, message):
    run_and_wait(lab, "#example")
    lab.fill(f"#field-{field}", text)
    lab.wait_for_function("() => document.documentElement.dataset.lab === 'invalid'")
    error = lab.inner_text(f"#error-{field}")
    assert message in error
    assert lab.get_attribute(f"#field-{field}", "aria-invalid") == "true"
    # Only the field at fault is marked; the page is still all there, with no stack trace.
    others = [f for f in ("weights", "biases", "inputs", "upstream") if f != field]
    assert all(lab.inner_text(f"#error-{f}") == "" for f in others)
    assert lab.get_attribute("#verdict", "data-verdict") == "failed"
    assert "Fix the highlighted field" in lab.inner_text("#verdict")
    assert lab.locator("td.cell").count() == 0 and lab.is_visible("#run")
    assert lab.inner_text("#accuracy") == ""  # the line about the cleared results goes with them
    assert lab.errors == []
    if field == "weights" and "abc" in text:
        lesson_pages.screenshot(lab, "lab-invalid-desktop")
        lesson_pages.screenshot(lab, "lab-invalid-phone", viewport=lesson_pages.PHONE)
    # Mending the field brings the results back.
    run_and_wait(lab, "#example")
    assert lab.inner_text(f"#error-{field}") == ""


def test_edited_case_with_a_batch_shows_the_python_numbers(lab, pyodide_chromium):
    spec = {"activation": "tanh", "weights": [[0.3, -1.2], [2.5, 0.7], [-0.4, 0.1]], "biases": [[0.05, -0.3]],
            "inputs": [[1.0, 2.0, -1.5], [0.25, -0.75, 3.0], [1e-3, 7.0, -2.0]],
            "upstream": [[0.5, -1.0], [2.0, 0.125], [-0.3, 0.9]]}
    lab.select_option("#activation", "tanh")
    for field in ("weights", "biases", "inputs", "upstream"):
        lab.fill(f"#field-{field}", "\n".join(", ".join(repr(v) for v in row) for row in spec[field]))
    run_and_wait(lab)
    native, in_pyodide = run_case(spec), python_core_in_pyodide(pyodide_chromium, spec)
    cells = shown_cells(lab)
    assert len(cells) == sum(native[name].size for name in RESULT_ARRAYS) == 3 * 2 + 3 * 2 + 2 + 3 * 3
    for cell in cells:
        value = float(in_pyodide[cell["array"]][cell["i"], cell["j"]])
        assert cell["py"] == bits(value)
        assert value == pytest.approx(float(native[cell["array"]][cell["i"], cell["j"]]), rel=1e-12, abs=1e-15)


def test_equal_infinities_count_as_agreeing(lab, pyodide_chromium):
    """A linear layer whose z overflows: both runtimes give the same ±inf, which is agreement
    (inf − inf is NaN, so a plain |a − b| rule would call it a difference)."""
    spec = {"activation": "linear", "weights": [[1e308, 1.0]], "biases": [[0.0, 0.0]],
            "inputs": [[10.0], [-10.0]], "upstream": [[1.0, 2.0], [0.5, 1.0]]}
    lab.select_option("#activation", "linear")
    for field in ("weights", "biases", "inputs", "upstream"):
        lab.fill(f"#field-{field}", "\n".join(", ".join(repr(v) for v in row) for row in spec[field]))
    run_and_wait(lab)
    in_pyodide = python_core_in_pyodide(pyodide_chromium, spec)
    infinite = [(0, 0), (1, 0)]
    assert [float(in_pyodide["output"][i, j]) for i, j in infinite] == [float("inf"), float("-inf")]
    cells = {(c["array"], c["i"], c["j"]): c for c in shown_cells(lab)}
    for i, j in infinite:
        cell = cells["output", i, j]
        assert cell["py"] == cell["js"] == bits(float(in_pyodide["output"][i, j]))
        assert cell["ulp"] == "0" and cell["ulpText"] == "0 ULP"
    assert lab.locator("td.ufar").count() == 0
    assert lab.get_attribute("#verdict", "data-verdict") in ("identical", "agree")
    assert "differ" not in lab.inner_text("#verdict")


def test_url_parameters_set_the_case_and_bad_ones_are_explained(lesson_pages):
    """Read before Python is needed, so these pages are closed without waiting for it."""
    import json
    from urllib.parse import quote

    spec = {"weights": [[1.5], [-2.0]], "biases": [[0.25]], "inputs": [[1.0, 2.0], [3.0, 4.0]],
            "upstream": [[1.0], [-1.0]]}
    page = lesson_pages.open(f"/pages/lab.html?activation=relu&case={quote(json.dumps(spec))}", wait_python=False)
    try:
        assert page.input_value("#activation") == "relu"
        assert page.input_value("#field-inputs") == "1, 2\n3, 4"
        assert page.input_value("#field-weights") == "1.5\n-2"
        assert page.inner_text("#problems") == ""
        # Before Python is up: the JavaScript column is there, and the loading bar says what is loading.
        if page.evaluate("document.documentElement.dataset.python") == "booting":
            assert "Loading Python" in page.inner_text("#loading")
            lesson_pages.screenshot(page, "lab-loading-desktop")
    finally:
        page.close()
    page = lesson_pages.open("/pages/lab.html?case=saturated", wait_python=False)
    try:  # the saturated case by name, as the button loads it
        assert page.input_value("#activation") == "tanh" and page.input_value("#field-biases") == "0.5, -1, 0.1"
        assert page.inner_text("#problems") == ""
    finally:
        page.close()
    bad = {**spec, "biases": [[0.25, 1.0]]}
    page = lesson_pages.open(f"/pages/lab.html?activation=softmax&case={quote(json.dumps(bad))}", wait_python=False)
    try:
        problems = page.inner_text("#problems")
        assert "URL parameter case is not a usable case (biases: expected shape (1, 1), got (1, 2))" in problems
        assert "activation=softmax is not one of sigmoid, relu, tanh, linear" in problems
        assert page.input_value("#field-inputs") == "0.5, -0.2"  # the lesson example instead
        assert page.errors == []
    finally:
        page.close()


def test_landing_page_links_the_pages_and_forwards_page_parameters(lesson_pages):
    page = lesson_pages.open("/pages/index.html", wait_python=False)
    try:
        assert page.get_attribute("a[href='./lab.html']", "href") and page.get_attribute("a[href='./exercise.html']", "href")
        lesson_pages.screenshot(page, "index-desktop")
        lesson_pages.screenshot(page, "index-phone", viewport=lesson_pages.PHONE)
        page.goto(lesson_pages.server.url + "/pages/index.html?page=nonsense")
        assert "page=nonsense is not a page here" in page.inner_text("#problems")
        page.goto(lesson_pages.server.url + "/pages/index.html?page=lab&activation=tanh")
        page.wait_for_url("**/lab.html?activation=tanh")
        assert page.input_value("#activation") == "tanh"
    finally:
        page.close()
