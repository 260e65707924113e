"""`check` through the runtimes: a correct pair passes, a relative error of 1e-6 fails, the failing case
shrinks to its smallest (a bug that needs two rows shrinks to two rows), the case file reruns, errors name
the author's file and line, and the JSON report has its shape. Native, js-node and pyodide-node here;
one test runs the Chromium runtimes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crosscheck.cli import main as cli_main
from test_author import copied_with

LESSONS = Path(__file__).parent / "lessons_check"
FAST = "native,js-node"


def folder_with(tmp_path: Path, **edits) -> Path:
    """tests/lessons_check copied to tmp_path, with (file, old, new) edits applied."""
    return copied_with(LESSONS, ("losses.py", "losses.js", "lessons.toml"), tmp_path, edits)


def run_check(capsys, folder: Path, *options: str) -> tuple[int, str, dict]:
    report = folder / "report.json"
    code = cli_main(["check", str(folder / "lessons.toml"), "--json", str(report), "--case-dir", str(folder),
                     *options])
    out = capsys.readouterr().out
    return code, out, (json.loads(report.read_text()) if report.exists() else {})


def entry(report: dict, name: str) -> dict:
    return next(c for c in report["checks"] if c["name"] == name)


def test_correct_pair_passes_with_json_shape(tmp_path, capsys):
    code, out, report = run_check(capsys, folder_with(tmp_path), "--runtimes", "native,js-node,pyodide-node",
                                  "--random", "30", "--seed", "4")
    assert code == 0, out
    assert report["ok"] is True and report["verdict"] in out
    assert report["verdict"] == ("CHECK OK: 3 checks on native, js-node, pyodide-node; "
                                 "NOT CHECKED: pyodide-chromium, js-chromium")
    softmax = entry(report, "softmax cross-entropy")
    assert softmax["ok"] and softmax["cases"] == 30 and "minimal_case" not in softmax
    assert {k: v["ran"] for k, v in softmax["runtimes"].items()} == {"native": True, "js-node": True,
                                                                    "pyodide-node": True}
    assert set(softmax["outputs"]) == {"loss", "dLogits"}
    figures = softmax["outputs"]["dLogits"]["runtimes"]["js-node"]
    assert figures["cases"] == 30 and figures["ok"] and 0 <= figures["tolerance_used"] < 1e-2
    assert softmax["outputs"]["dLogits"]["rule"].startswith("|a−ref| ≤ 1e-15 + 1e-10·max|ref|")
    assert {"max_abs_diff", "max_ulp", "ulp_at_scale", "worst_case", "bit_identical", "decided_by"} <= set(figures)
    assert softmax["files"]["js"]["function"] == "softmaxCrossEntropy" and len(softmax["files"]["js"]["sha256"]) == 64


def test_relative_error_of_1e6_fails_and_shrinks_to_the_smallest_dims(tmp_path, capsys):
    folder = folder_with(tmp_path, losses_js=("return { loss: loss / labels.length,",
                                              "return { loss: (loss / labels.length) * (1 + 1e-6),"))
    code, out, report = run_check(capsys, folder, "--runtimes", FAST, "--random", "20", "--check",
                                  "softmax cross-entropy")
    assert code == 1 and "CHECK FAILED: 'softmax cross-entropy'" in out
    softmax = entry(report, "softmax cross-entropy")
    js = softmax["outputs"]["loss"]["runtimes"]["js-node"]
    assert not js["ok"] and js["tolerance_used"] > 1000  # 1e-6 against rtol 1e-10
    assert softmax["outputs"]["dLogits"]["runtimes"]["js-node"]["ok"]
    # Any case shows the bug, so the smallest has every dimension at its minimum.
    assert softmax["minimal_case"]["dims"] == {"batch": 1, "classes": 2}
    assert set(softmax["minimal_case"]["inputs"]) == {"logits", "labels"}
    case_file = Path(softmax["minimal_case_file"])
    assert case_file.parent == folder and "smallest failing case" in out
    # The case file reruns that case alone, and still fails; with the bug fixed it passes.
    code, out, report = run_check(capsys, folder, "--runtimes", FAST, "--case", str(case_file), "--no-shrink")
    assert code == 1 and [c["name"] for c in report["checks"]] == ["softmax cross-entropy"]
    assert report["checks"][0]["cases"] == 1
    shutil.copy(LESSONS / "losses.js", folder / "losses.js")
    code, out, report = run_check(capsys, folder, "--runtimes", FAST, "--case", str(case_file))
    assert code == 0, out


def test_bug_that_needs_two_rows_shrinks_to_two_rows(tmp_path, capsys):
    # Dividing by the columns only: right for one row, wrong from two rows on.
    folder = folder_with(tmp_path, losses_js=("const n = predictions.length * predictions[0].length;",
                                              "const n = predictions[0].length;"))
    code, out, report = run_check(capsys, folder, "--runtimes", FAST, "--random", "25", "--check", "mse")
    assert code == 1
    mse = entry(report, "mse")
    assert mse["minimal_case"]["dims"] == {"batch": 2, "outputs": 1}
    assert len(mse["minimal_case"]["inputs"]["predictions"]) == 2
    for value in sum(mse["minimal_case"]["inputs"]["predictions"] + mse["minimal_case"]["inputs"]["targets"], []):
        assert -3.0 <= value <= 3.0 and value == round(value, 4)  # simpler values, within the range


def test_errors_name_the_authors_file_and_line(tmp_path, capsys):
    folder = folder_with(tmp_path,
                         losses_js=("function scale(x, factor) {\n", "function scale(x, factor) {\n  if (x.length > 2) throw new RangeError('too long');\n"),
                         losses_py=("def scale(x, factor):\n", "def scale(x, factor):\n    assert x.size < 4, 'four'\n"))
    code, out, report = run_check(capsys, folder, "--runtimes", FAST, "--random", "12", "--check", "scale")
    assert code == 1
    scale = entry(report, "scale")
    js_line = (folder / "losses.js").read_text().splitlines().index("  if (x.length > 2) throw new RangeError('too long');") + 1
    assert scale["errors"]["js-node"]["file"] == str(folder / "losses.js")
    assert scale["errors"]["js-node"]["line"] == js_line
    py_line = (folder / "losses.py").read_text().splitlines().index("    assert x.size < 4, 'four'") + 1
    assert scale["errors"]["native"]["line"] == py_line and scale["errors"]["native"]["type"] == "AssertionError"
    assert f"(losses.py" not in out or f"line {py_line}" in out
    # The reference raising is what shrinks: its smallest case has four elements.
    assert scale["minimal_case"]["dims"] == {"n": 4}


def test_declared_output_shape_the_result_lacks_exits_2(tmp_path, capsys):
    folder = folder_with(tmp_path, lessons_toml=('outputs.loss = { shape = [] }', 'outputs.loss = { shape = ["batch"] }'))
    code = cli_main(["check", str(folder / "lessons.toml"), "--runtimes", FAST, "--random", "3", "--case-dir", str(folder)])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 2 and "check 'softmax cross-entropy': outputs.loss.shape" in err and "has ()" in err


def test_browser_runtimes(tmp_path, capsys):
    code, out, report = run_check(capsys, folder_with(tmp_path), "--runtimes", "pyodide-chromium,js-chromium",
                                  "--random", "6")
    assert code == 0, out
    assert all(entry(report, "mse")["runtimes"][r]["ran"] for r in ("native", "pyodide-chromium", "js-chromium"))
