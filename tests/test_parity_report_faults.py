"""What the report says when things go wrong: the author's errors and shape mismatches in the CLI's
output, a buggy author file agreeing with itself across runtimes, results of any shape, a reference
that did not run, --strict-shapes, and a --json report that grows with what failed.

Expected values come from the lesson files themselves (the line of the typo, the shapes they return),
from python_core's layer, or from the other runtime; never from the code under test.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crosscheck.author import Lesson
from crosscheck.parity.cases import lesson_cases, load_case_file
from crosscheck.parity.compare import Tolerance, compare_arrays
from crosscheck.parity.contracts import RuntimeRun
from crosscheck.parity.explain import explain_report, format_explanation
from crosscheck.parity.random_cases import random_cases
from crosscheck.parity.report import build_report, explain, for_json, format_table
from crosscheck.parity.runner import run_cases
from crosscheck.parity.tally import ValuesOmitted, format_tally, tally
from crosscheck.paths import REPO
from python_core import RESULT_ARRAYS, run_case

LESSONS = Path(__file__).parent / "lessons"


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crosscheck", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# --- 1. the author's errors and the shapes' reasons are printed --------------------------------------

def test_cli_prints_the_authors_error_with_file_and_line():
    typo = LESSONS / "dense_typo.js"
    result = cli("--python", str(LESSONS / "dense.py"), "--js", str(typo), "--runtimes", "native,js-node",
                 "--random", "3")
    assert result.returncode == 1, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    at = lines.index("errors (each runtime's first of each kind):")
    assert lines[at + 1] == (f"  js-node: TypeError: math.dotMultply is not a function ({typo.resolve()}, line "
                             f"{line_of(typo, 'math.dotMultply(')}): on 4 of 4 case(s), first lesson-example")
    assert "  js-node: 0/4 cases ran, 4 raised an error (see errors)" in lines
    assert not any("out of tolerance" in line for line in lines)


def test_table_prints_shape_reasons_and_escapes_what_comes_from_outside():
    case = {**lesson_cases()[0], "name": "evil\x1b[2J\nname\u202e"}
    good = {k: np.asarray(v) for k, v in run_case(case).items()}
    transposed = {**good, "dWeights": good["dWeights"].T.copy()}
    raised = {"ok": False, "error": {"type": "ValueError", "message": "bad\x1b[31m\nthing", "traceback": ""}}
    runs = [RuntimeRun("native", [{"ok": True, "arrays": good}], {"ok": True}),
            RuntimeRun("other", [{"ok": True, "arrays": transposed}], {"ok": True}),
            RuntimeRun("third", [raised], {"ok": True})]
    table = format_table(build_report([case], runs, "native", Tolerance()))
    shape = good["dWeights"].shape
    assert (f"  other dWeights: shape {shape[::-1]} differs from the reference's {shape}: in 1 case(s), "
            "first evil\\x1b[2J\\nname\\u202e") in table.splitlines()
    assert "  third: ValueError: bad\\x1b[31m\\nthing: on 1 of 1 case(s), first evil\\x1b[2J\\nname\\u202e" in table
    assert "\x1b" not in table and "\u202e" not in table


# --- 2. a file compared with itself agrees, whatever it computes --------------------------------------

def test_buggy_author_file_agrees_with_itself_across_native_and_pyodide_node(borrow_runtimes):
    # The upstream gradient forgotten: dZ is the derivative alone. Native and Pyodide run the same file.
    cases = lesson_cases() + random_cases(40, 0)
    report = run_cases(cases, ["native", "pyodide-node"], make_runtime=borrow_runtimes({}), parallel=False,
                       lesson=Lesson(python=LESSONS / "dense_no_upstream.py"))
    assert report["ok"], explain(report)
    assert report["tolerance"]["scale"] == "terms and array"
    # the bug is real: the file's dInputs are not the lesson's (python_core's) on the random cases
    differs = [not np.allclose(case["results"]["native"]["dInputs"], run_case(spec)["dInputs"], rtol=1e-6)
               for case, spec in zip(report["cases"], cases)]
    assert sum(differs) > 20
    # and Pyodide's numbers do differ from native's somewhere: the tolerance is being exercised
    assert any(not c["bit_identical"] for case in report["cases"] for c in case["comparisons"])


def test_the_harness_layer_against_a_buggy_author_reference_still_fails():
    # The widened scale is for a file against itself; the lesson's layer against the buggy file differs.
    cases = random_cases(6, 3)
    bad = Lesson(python=LESSONS / "dense_no_upstream.py")
    from crosscheck.runtimes.native import NativeRuntime
    with NativeRuntime() as runtime:
        author = runtime.run(cases, bad)
        lesson = runtime.run(cases)
    report = build_report(cases, [RuntimeRun("native", author, {"ok": True}),
                                  RuntimeRun("lesson", lesson, {"ok": True})], "native", Tolerance(),
                          author_reference=True)
    assert not report["ok"]


# --- 3. results of any shape never crash the comparison -----------------------------------------------

ODD = {"scalar": np.float64(1.5).reshape(()), "1-D": np.arange(3.0), "3-D": np.zeros((1, 3, 1)),
       "empty": np.zeros((0,)), "empty 2-D": np.zeros((0, 3)), "transposed": np.zeros((3, 2)), "as given": None}


@pytest.mark.parametrize("tolerance", [Tolerance(), Tolerance(exact=True), Tolerance(relative_to="result"),
                                       Tolerance(strict_shapes=True)], ids=["terms", "exact", "result", "strict"])
def test_any_result_shape_is_a_reported_failure_never_a_crash(tolerance):
    case = lesson_cases()[0]
    good = {k: np.asarray(v) for k, v in run_case(case).items()}
    for (ref_kind, ref_value), (kind, value) in itertools.product(ODD.items(), repeat=2):
        for array in RESULT_ARRAYS:
            ref = {**good, **({array: ref_value} if ref_value is not None else {})}
            other = {**good, **({array: value} if value is not None else {})}
            for author_reference in (False, True):
                report = build_report([case], [RuntimeRun("native", [{"ok": True, "arrays": ref}], {"ok": True}),
                                               RuntimeRun("other", [{"ok": True, "arrays": other}], {"ok": True})],
                                      "native", tolerance, author_reference=author_reference)
                format_table(report), explain(report), format_tally(tally(report))
                format_explanation(explain_report(report).as_json())
                c = next(c for c in report["cases"][0]["comparisons"] if c["array"] == array)
                ref_shape, shape = np.shape(ref[array]), np.shape(other[array])
                if not tolerance.strict_shapes and (ref_shape == (1, *shape) or shape == (1, *ref_shape)) \
                        and len(ref_shape + shape) == 3:
                    continue  # (n,) against (1, n): compared element by element (another test)
                if ref_shape != shape:
                    assert not c["ok"] and c["failure"] == "shape", (ref_kind, kind, array, c)
                    assert c["reason"].startswith(f"shape {shape} differs from the reference's {ref_shape}"), c


def test_odd_shapes_from_an_authors_run_case_fail_with_reasons(borrow_runtimes):
    cases = [{**random_cases(1, 0)[0], "activation": a} for a in ("sigmoid", "relu", "tanh")]
    report = run_cases(cases, ["native", "js-node"], make_runtime=borrow_runtimes({}), parallel=False,
                       lesson=Lesson(python=LESSONS / "odd_shapes.py"))
    assert not report["ok"]
    reasons = {c["reason"] for case in report["cases"] for c in case["comparisons"] if c.get("failure") == "shape"}
    assert reasons and all("differs from the reference's" in r for r in reasons)
    assert "shapes (arrays not compared):" in format_table(report)


# --- 4. a reference that did not run is said, not counted -------------------------------------------

def test_a_reference_that_did_not_run_is_said_in_the_summary_and_verdict(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('the file cannot load')\n")
    result = cli("--python", str(broken), "--runtimes", "native,js-node", "--random", "2")
    assert result.returncode == 1, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert "  js-node: 3/3 cases ran; not compared: the reference native did not run" in lines
    assert not any("out of tolerance" in line for line in lines)
    assert lines[-1].startswith("PARITY FAILED: the reference native did not run: ")
    assert "RuntimeError: the file cannot load" in lines[-1]


def test_exact_runs_as_the_reference_of_an_authors_javascript():
    report = run_cases(lesson_cases(), ["js-node"], reference="exact", lesson=Lesson(js=LESSONS / "dense.js"),
                       progress=lambda name: (lambda stage: None))
    assert report["runtimes"]["exact"]["ok"], report["runtimes"]["exact"]
    assert report["ok"], explain(report)


# --- 5. the mathjs that was bundled is the one named -------------------------------------------------

def test_the_report_names_the_authors_own_mathjs(tmp_path, borrow_runtimes):
    package = tmp_path / "node_modules" / "mathjs"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"name": "mathjs", "version": "14.9.1", "main": "index.js"}')
    # a stand-in with the few functions the lesson calls, so that the bundle is the author's package
    (package / "index.js").write_text("""
const zeros = (r, c) => Array.from({ length: r }, () => new Array(c).fill(0));
exports.zeros = zeros;
exports.random = ([r, c]) => zeros(r, c);
exports.transpose = (a) => a[0].map((_, j) => a.map((row) => row[j]));
exports.dotMultiply = (a, b) => a.map((row, i) => row.map((v, j) => v * b[i][j]));
exports.sum = (a) => a[0].map((_, j) => a.reduce((acc, row) => acc + row[j], 0));
exports.multiply = (a, b) => typeof a === "number" ? b.map((row) => row.map((v) => a * v))
  : a.map((row) => b[0].map((_, j) => row.reduce((acc, v, t) => acc + v * b[t][j], 0)));
""")
    (tmp_path / "dense.js").write_text((LESSONS / "dense.js").read_text())
    lesson = Lesson(js=tmp_path / "dense.js")
    report = run_cases(lesson_cases(), ["js-node", "native"], make_runtime=borrow_runtimes({}), parallel=False,
                       lesson=lesson)
    assert report["runtimes"]["js-node"]["mathjs"] == "14.9.1 (bundled with the js file)"
    harness = json.loads((REPO / "node_modules" / "mathjs" / "package.json").read_text())["version"]
    assert harness != "14.9.1" and harness not in format_table(report).split("js-node:")[1].splitlines()[0]


# --- 6. --strict-shapes ------------------------------------------------------------------------------

def test_strict_shapes_fails_a_vector_where_a_row_is_expected():
    row = np.array([[1.0, 2.0, 3.0]])
    loose = compare_arrays(row.ravel(), row)
    assert loose["ok"] and "shape_note" in loose
    strict = compare_arrays(row.ravel(), row, Tolerance(strict_shapes=True))
    assert not strict["ok"] and strict["reason"] == "shape (3,) differs from the reference's (1, 3) (--strict-shapes)"


def test_strict_shapes_on_the_cli(tmp_path):
    args = ["--python", str(LESSONS / "dense.py"), "--js", str(LESSONS / "dense.js"), "--runtimes", "native,js-node"]
    assert cli(*args).returncode == 0
    strict = cli(*args, "--strict-shapes")
    assert strict.returncode == 1
    assert "  js-node dBiases: shape (3,) differs from the reference's (1, 3) (--strict-shapes): in 1 case(s), " \
           "first lesson-example" in strict.stdout.splitlines()


# --- 7. a report grows with what failed ---------------------------------------------------------------

def test_json_report_keeps_the_values_of_failing_cases_only():
    cases = lesson_cases() + random_cases(12, 5)
    reference = [{"ok": True, "arrays": {k: np.asarray(v) for k, v in run_case(c).items()}} for c in cases]
    other = [{"ok": True, "arrays": {k: v.copy() for k, v in o["arrays"].items()}} for o in reference]
    other[3]["arrays"]["dInputs"].flat[0] += 1.0  # one case differs
    other[5] = {"ok": False, "error": {"type": "TypeError", "message": "x", "traceback": ""}}  # one raises
    runs = [RuntimeRun("native", reference, {"ok": True}), RuntimeRun("other", other, {"ok": True})]
    report = build_report(cases, runs, "native", Tolerance())
    full = len(json.dumps(for_json(report, "full")))
    failing = for_json(report, "failing")
    size = len(json.dumps(failing))
    passing_only = for_json(build_report(cases, [runs[0], RuntimeRun("other", reference, {"ok": True})],
                                         "native", Tolerance()), "failing")
    # every passing case keeps its comparisons but no numbers: far smaller than the full report
    assert size < full / 3 and len(json.dumps(passing_only)) < size
    kept = [case["name"] for case in failing["cases"] if not case.get("values_omitted")]
    assert kept == [cases[3]["name"]]
    assert failing["cases"][5]["results"]["other"]["error"]["type"] == "TypeError"
    assert "weights" in failing["cases"][5]["spec"] and failing["cases"][4].get("spec_omitted")
    # what reads reports: explain still names the failing element; tally asks for the flag
    assert "dInputs[0, 0]" in explain(failing) and "gives" in explain(failing)
    with pytest.raises(ValuesOmitted, match="--json-values full"):
        tally(failing)
    assert explain_report(failing).as_json()["omitted_cases"] == len(cases) - 1
    tally(for_json(report, "full"))


def test_cli_report_size_tally_explain_and_rerun(tmp_path):
    small, full = tmp_path / "small.json", tmp_path / "full.json"
    base = ["--runtimes", "native,js-node", "--random", "8"]
    assert cli(*base, "--json", str(small)).returncode == 0
    assert cli(*base, "--json", str(full), "--json-values", "full").returncode == 0
    assert small.stat().st_size * 5 < full.stat().st_size
    refused = cli("tally", str(small))
    assert refused.returncode == 2 and "--json-values full" in refused.stderr and "Traceback" not in refused.stderr
    assert cli("tally", str(full)).returncode == 0
    assert cli("explain", str(small)).returncode == 2
    assert cli("explain", str(full)).returncode == 0
    assert len(load_case_file(full)) == 9
