"""An author's own lesson files (--python / --js) on all five runtimes, from a folder outside the repo.

The lessons are copies of tests/lessons/ (a correct pair: CommonJS with require('mathjs') and a 1-D
dBiases in JS) and variants with one known mistake each, written to a temporary folder. The runtimes
are the session's, borrowed; every expected value comes from python_core or from the known mistake.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from crosscheck.author import Lesson, LessonError
from crosscheck.cli import main as cli_main
from crosscheck.parity.cases import lesson_cases
from crosscheck.parity.random_cases import random_cases
from crosscheck.parity.report import explain
from crosscheck.parity.runner import run_cases
from python_core import run_case

LESSONS = Path(__file__).parent / "lessons"
ALL = ["native", "pyodide-chromium", "pyodide-node", "js-chromium", "js-node"]
JS = ("js-chromium", "js-node")


@pytest.fixture(scope="module")
def cases():
    return lesson_cases() + random_cases(40, 0)


@pytest.fixture(scope="module")
def run_lesson(borrow_runtimes, cases):
    """Run the lesson on the example and 40 random cases (``few``: 10, enough to catch a mistake)."""
    def run(runtimes=ALL, few=False, **files):
        lent: dict = {}
        return run_cases(cases[:11] if few else cases, runtimes, make_runtime=borrow_runtimes(lent),
                         parallel=False, lesson=Lesson(**files))
    return run


def lesson_folder(tmp_path: Path, **edits) -> Path:
    """The correct pair copied to tmp_path, with (file, old, new) edits applied."""
    return copied_with(LESSONS, ("dense.py", "dense.js", "run_case_layout.py"), tmp_path, edits)


def copied_with(source: Path, names, tmp_path: Path, edits: dict) -> Path:
    """``names`` copied from ``source`` to tmp_path, with edits {file with "_" for ".": (old, new)} applied."""
    for name in names:
        shutil.copy(source / name, tmp_path / name)
    for name, (old, new) in edits.items():
        path = tmp_path / name.replace("_", ".")
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))
    return tmp_path


def failing(report, runtime):
    return {c["array"] for case in report["cases"] for c in case["comparisons"]
            if c["runtime"] == runtime and not c["ok"]}


def test_correct_pair_passes_on_all_five_runtimes(tmp_path, run_lesson, cases):
    folder = lesson_folder(tmp_path)
    report = run_lesson(python=folder / "dense.py", js=folder / "dense.js")
    assert report["ok"], explain(report)
    assert report["reference"] == "native"
    assert set(report["runtimes"]) == set(ALL)
    # the reference's numbers are python_core's (an independent implementation), within rounding
    for case, spec in zip(report["cases"], cases):
        expected = run_case(spec)
        for array, value in case["results"]["native"].items():
            np.testing.assert_allclose(value, expected[array], rtol=1e-12, atol=1e-15)
    # JS's 1-D dBiases is compared element by element and noted; Python's (1, n) is not
    notes = {(c["runtime"], c["array"]) for case in report["cases"] for c in case["comparisons"]
             if c.get("shape_note")}
    assert notes == {(r, "dBiases") for r in JS}
    assert report["files"] == {kind: {"path": str((folder / name).resolve()),
                                      "sha256": hashlib.sha256((folder / name).read_bytes()).hexdigest()}
                               for kind, name in (("python", "dense.py"), ("js", "dense.js"))}
    assert sorted(p.name for p in folder.iterdir()) == ["dense.js", "dense.py", "run_case_layout.py"]


def test_js_derivative_from_z_fails_naming_js_dweights(tmp_path, run_lesson):
    folder = lesson_folder(tmp_path, dense_js=("this.output.map((row) => row.map(this.activation.d))",
                                               "this.z.map((row) => row.map(this.activation.d))"))
    text = (folder / "dense.js").read_text().replace("this.output = z.map", "this.z = z;\n    this.output = z.map")
    (folder / "dense.js").write_text(text)
    report = run_lesson(python=folder / "dense.py", js=folder / "dense.js", few=True)
    assert not report["ok"]
    for runtime in JS:
        assert "dWeights" in failing(report, runtime)
        assert "output" not in failing(report, runtime)
    assert not failing(report, "pyodide-node") and not failing(report, "pyodide-chromium")
    assert "js-node dWeights[" in explain(report, limit=50) or "js-chromium dWeights[" in explain(report, limit=50)


def test_python_mean_of_dbiases_fails_on_random_cases_naming_dbiases(tmp_path, run_lesson):
    folder = lesson_folder(tmp_path, dense_py=("np.sum(dZ, axis=0, keepdims=True)", "np.mean(dZ, axis=0, keepdims=True)"))
    report = run_lesson(python=folder / "dense.py", js=folder / "dense.js", few=True)
    assert not report["ok"]
    for runtime in JS:  # the JS (correct) against the reference (the author's Python)
        assert failing(report, runtime) == {"dBiases"}
    bad_cases = {case["name"] for case in report["cases"] for c in case["comparisons"] if not c["ok"]}
    assert bad_cases and all(name.startswith("random") for name in bad_cases)  # batch 1: mean == sum
    for runtime in ("pyodide-node", "pyodide-chromium"):  # the same mistake in Pyodide agrees with it
        assert not failing(report, runtime)


def test_python_file_with_its_own_run_case_passes(tmp_path, run_lesson):
    folder = lesson_folder(tmp_path)
    report = run_lesson(python=folder / "run_case_layout.py", js=folder / "dense.js", few=True)
    assert report["ok"], explain(report)


def test_only_js_takes_js_node_as_reference(tmp_path, run_lesson):
    folder = lesson_folder(tmp_path)
    report = run_lesson(runtimes=["js-node", "js-chromium", "native"], js=folder / "dense.js", few=True)
    assert report["reference"] == "js-node" and report["ok"], explain(report)
    assert set(report["files"]) == {"js"}


BOOM_PY = """import numpy as np


class DenseLayer:
    def __init__(self, n_inputs, n_neurons, activation_name):
        pass

    def forward(self, inputs):
        return inputs @ self.weights

    def backward(self, up):
        raise NotImplementedError("backward is the exercise")
"""
BOOM_JS = """import * as math from "mathjs";
export class DenseLayer {
  constructor(a, b, act) { this.act = act; }
  forward(inputs) {
    return math.multiply(inputs, this.weights);
  }
  backward(up) {
    throw new Error("not written yet");
  }
}
"""


def test_an_exception_comes_back_with_the_authors_file_line_and_message(tmp_path, borrow_runtimes):
    (tmp_path / "boom.py").write_text(BOOM_PY)
    (tmp_path / "boom.js").write_text(BOOM_JS)
    report = run_cases(lesson_cases(), ALL, make_runtime=borrow_runtimes({}), parallel=False,
                       lesson=Lesson(python=tmp_path / "boom.py", js=tmp_path / "boom.js"))
    results = report["cases"][0]["results"]
    for runtime in ("native", "pyodide-node", "pyodide-chromium"):
        err = results[runtime]["error"]
        assert (err["file"], err["line"], err["message"]) == (str(tmp_path / "boom.py"), 12, "backward is the exercise")
    for runtime in JS:
        err = results[runtime]["error"]
        assert (err["file"], err["line"], err["message"]) == (str(tmp_path / "boom.js"), 8, "not written yet")
        assert f"{tmp_path / 'boom.js'}:8" in err["traceback"]


def test_python_import_that_pyodide_lacks_names_the_module(tmp_path, borrow_runtimes):
    (tmp_path / "needs_sklearn.py").write_text("import sklearn\n" + BOOM_PY)  # natively installed, not in Pyodide
    report = run_cases(lesson_cases(), ["native", "pyodide-node"], make_runtime=borrow_runtimes({}),
                       parallel=False, lesson=Lesson(python=tmp_path / "needs_sklearn.py"))
    assert not report["runtimes"]["pyodide-node"]["ok"]
    assert "No module named 'sklearn'" in report["runtimes"]["pyodide-node"]["error"]


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    (tmp_path / "lesson.js").write_text("const _ = require('lodash');\nmodule.exports = {};\n")
    assert cli_main(["--js", str(tmp_path / "lesson.js")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and '"lodash"' in err and "lesson.js" in err
    assert cli_main(["--python", str(tmp_path / "missing.py")]) == 2
    assert "missing.py: no such file" in capsys.readouterr().err
    with pytest.raises(LessonError):
        Lesson()


def test_python_is_checked_as_strictly_as_js_before_anything_runs(tmp_path, capsys, monkeypatch):
    import crosscheck.parity.runner as runner

    def refuse(*args, **kwargs):
        raise AssertionError("a runtime was started for a lesson that cannot be used")

    monkeypatch.setattr(runner, "run_cases", refuse)
    (tmp_path / "broken.py").write_text("import numpy as np\n\nclass DenseLayer:\n    def forward(self, x)\n        pass\n")
    (tmp_path / "latin1.py").write_bytes("# café\n".encode("latin-1"))
    (tmp_path / "latin1.js").write_bytes("// café\n".encode("latin-1"))
    (tmp_path / "folder.py").mkdir()
    expected = [(("--python", "broken.py"), "broken.py:4: SyntaxError"),
                (("--python", "folder.py"), "folder.py: is a folder"),
                (("--python", "latin1.py"), "latin1.py: not UTF-8 text"),
                (("--js", "latin1.js"), "latin1.js: not UTF-8 text")]
    for (flag, name), message in expected:
        code = cli_main([flag, str(tmp_path / name), "--runtimes", "native,js-node"])
        captured = capsys.readouterr()
        assert code == 2 and captured.out == "", (name, captured)
        assert len(captured.err.strip().splitlines()) == 1 and message in captured.err, captured.err
        assert "Traceback" not in captured.err and flag in captured.err
    with pytest.raises(LessonError, match="is a folder"):
        Lesson(js=tmp_path)


def test_check_on_the_session_runtimes_explains_the_element_and_values(tmp_path):
    import crosscheck

    folder = lesson_folder(tmp_path, dense_py=("np.sum(dZ, axis=0, keepdims=True)", "np.mean(dZ, axis=0, keepdims=True)"))
    good = crosscheck.check(python=LESSONS / "dense.py", js=LESSONS / "dense.js", random=5,
                            runtimes=["native", "js-node", "pyodide-node"])
    assert good.ok, good.explain()
    bad = crosscheck.check(python=folder / "dense.py", js=folder / "dense.js", random=5,
                           runtimes=["native", "js-node"])
    assert not bad.ok
    message = bad.explain()
    line = next(line for line in message.splitlines() if "js-node dBiases[" in line)
    case = next(c for c in bad["cases"] if any(not x["ok"] for x in c["comparisons"]))
    comp = next(x for x in case["comparisons"] if not x["ok"])
    i, j = comp["worst_index"]
    expected = float(np.asarray(case["results"]["native"]["dBiases"])[i, j])
    value = float(np.asarray(case["results"]["js-node"]["dBiases"]).reshape(1, -1)[i, j])
    assert f"case {case['name']!r}" in line and repr(value) in line and repr(expected) in line


def test_build_site_with_the_authors_js_and_starter(tmp_path):
    import json
    import subprocess

    from crosscheck.runtimes.node.process import node_path
    from crosscheck.site.build import build_site
    from python_core.facts import LESSON_EXAMPLE

    folder = lesson_folder(tmp_path)
    starter = folder / "starter.py"
    shutil.copy(LESSONS / "dense_starter.py", starter)   # the lesson's layer with the author's own gaps
    out = tmp_path / "site"
    manifest = build_site(out, "cdn", js=folder / "dense.js", starter=starter)
    assert manifest["author"]["js"] == {"name": "dense.js",
                                        "sha256": hashlib.sha256((folder / "dense.js").read_bytes()).hexdigest()}
    assert manifest["author"]["starter"] == {"name": "starter.py", "sha256": hashlib.sha256(starter.read_bytes()).hexdigest()}
    for page in ("lab.mjs", "exercise.mjs"):
        assert 'from "../lib/author-layer.mjs"' in (out / "pages" / page).read_text()
    spec = {k: v for k, v in LESSON_EXAMPLE.items() if k != "name"}
    script = (f"const m = await import({json.dumps((out / 'lib' / 'author-layer.mjs').as_uri())});"
              f"const s = await import({json.dumps((out / 'pages' / 'exercise-starter.mjs').as_uri())});"
              f"console.log(JSON.stringify({{arrays: m.runCase({json.dumps(spec)}), starter: s.starterCode('sigmoid')}}));")
    done = subprocess.run([node_path(), "--input-type=module", "-e", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["starter"] == starter.read_text()
    expected = run_case(spec)
    for name, value in got["arrays"].items():  # the 1-D dBiases comes to the pages as one row
        assert np.asarray(value).shape == expected[name].shape
        np.testing.assert_allclose(value, expected[name], rtol=1e-12, atol=1e-15)


def test_cli_exit_codes_0_on_parity_1_on_differences(tmp_path, capsys):
    folder = lesson_folder(tmp_path, dense_py=("np.sum(dZ, axis=0, keepdims=True)", "np.mean(dZ, axis=0, keepdims=True)"))
    good = ["--python", str(LESSONS / "dense.py"), "--js", str(LESSONS / "dense.js"), "--runtimes", "native,js-node"]
    assert cli_main(good + ["--random", "5", "--json", str(tmp_path / "r.json")]) == 0
    table = capsys.readouterr().out
    assert "PARITY OK" in table and f"python file: {LESSONS / 'dense.py'}" in table
    assert "note: js-node dBiases: shape (" in table
    import json
    assert json.loads((tmp_path / "r.json").read_text())["files"]["js"]["path"] == str(LESSONS / "dense.js")
    bad = ["--python", str(folder / "dense.py"), "--js", str(folder / "dense.js"), "--runtimes", "native,js-node"]
    assert cli_main(bad + ["--random", "5"]) == 1
    assert "PARITY FAILED" in capsys.readouterr().out


def test_a_vector_against_a_row_is_compared_element_by_element_and_other_shapes_fail():
    from crosscheck.parity.compare import compare_arrays

    row = np.array([[1.0, 2.0, 3.0]])
    same = compare_arrays(np.array([1.0, 2.0, 3.0]), row)
    assert same["ok"] and same["bit_identical"] and "(3,)" in same["shape_note"] and "(1, 3)" in same["shape_note"]
    off = compare_arrays(np.array([1.0, 2.5, 3.0]), row)
    assert not off["ok"] and off["worst_index"] == [0, 1]
    column = compare_arrays(np.array([[1.0], [2.0], [3.0]]), row)
    assert not column["ok"] and "(3, 1)" in column["reason"] and "(1, 3)" in column["reason"]
    assert "shape_note" not in compare_arrays(row, row)
