"""``crosscheck.check_lessons(...)``, the pytest face of ``check LESSONS.toml``: a correct course passes, a
buggy one fails with a message naming the check, the output, the runtime, the element and the smallest
failing case; the session's runtimes are booted once and lent; bad input is one line; nothing is
written into the course's folder unless asked. Native and js-node (the cheap ones)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import crosscheck
from crosscheck.paths import REPO

LESSONS = Path(__file__).parent / "lessons_check"
FAST = ["native", "js-node"]


def copy_of(tmp_path: Path, old: str | None = None, new: str | None = None) -> Path:
    for name in ("losses.py", "losses.js", "lessons.toml"):
        shutil.copy(LESSONS / name, tmp_path / name)
    if old is not None:
        js = tmp_path / "losses.js"
        assert old in js.read_text()
        js.write_text(js.read_text().replace(old, new))
    return tmp_path / "lessons.toml"


def case_files(folder: Path) -> set[Path]:
    return set(folder.glob("minimal-case-*.json"))


def test_a_correct_course_passes(tmp_path, crosscheck_pool):
    report = crosscheck.check_lessons(copy_of(tmp_path), random=20, seed=2, runtimes=FAST)
    assert report.ok, report.explain()
    assert report.verdict == ("CHECK OK: 3 checks on native, js-node; "
                              "NOT CHECKED: pyodide-chromium, pyodide-node, js-chromium")
    assert str(report) == report.explain() == report.verdict
    assert [c["name"] for c in report["checks"]] == ["mse", "softmax cross-entropy", "scale"]
    assert all(c["cases"] == 20 for c in report["checks"])
    assert "CHECK OK" in report.table()


def test_a_buggy_course_fails_naming_check_output_runtime_element_and_minimal_case(tmp_path, crosscheck_pool):
    # Dividing by the columns only: right for one row, wrong from two rows on.
    manifest = copy_of(tmp_path, "const n = predictions.length * predictions[0].length;",
                       "const n = predictions[0].length;")
    before = case_files(REPO)
    report = crosscheck.check_lessons(manifest, random=20, seed=5, runtimes=FAST, checks=["mse"])
    assert not report.ok
    entry = report.check("mse")
    assert entry["minimal_case"]["dims"] == {"batch": 2, "outputs": 1}
    message = report.explain()
    lines = message.splitlines()
    assert lines[-1] == "CHECK FAILED: 'mse' (1 of 1 checks)"
    figures = entry["outputs"]["loss"]["runtimes"]["js-node"]
    assert not figures["ok"]
    assert (f"check 'mse': js-node loss = {figures['worst_value']!r}, native gives {figures['worst_reference']!r}"
            in message)
    # An array output names its element as [row, column].
    grad = entry["outputs"]["dPredictions"]["runtimes"]["js-node"]
    at = "[" + ", ".join(map(str, grad["worst_index"])) + "]"
    assert f"check 'mse': js-node dPredictions{at} = " in message
    # The smallest case, with its dims and values, and what the runtimes give on it.
    predictions = entry["minimal_case"]["inputs"]["predictions"]
    assert f"  smallest failing case (dims batch=2, outputs=1): predictions = {json.dumps(predictions)}; " in message
    assert any(line.startswith("    there: js-node loss = ") for line in lines)
    assert str(report) == message
    # Nothing written into the course's folder, nor into the checkout.
    assert case_files(tmp_path) == set() and case_files(REPO) == before


def test_the_smallest_case_is_written_only_where_asked(tmp_path, crosscheck_pool):
    course = tmp_path / "course"
    course.mkdir()
    manifest = copy_of(course, "return { loss: loss / labels.length,",
                       "return { loss: (loss / labels.length) * (1 + 1e-6),")
    cases = tmp_path / "cases"
    report = crosscheck.check_lessons(manifest, random=6, runtimes=FAST, checks=["softmax cross-entropy"],
                                      case_dir=cases)
    assert not report.ok
    written = cases / "minimal-case-softmax-cross-entropy.json"
    assert report.check("softmax cross-entropy")["minimal_case_file"] == str(written) and written.is_file()
    assert f"    written to {written}" in report.explain()
    # The case file reruns that case alone.
    again = crosscheck.check_lessons(manifest, cases=[written], runtimes=FAST)
    assert not again.ok and again.check("softmax cross-entropy")["cases"] == 1


def test_the_session_runtimes_are_booted_once_and_lent(tmp_path, crosscheck_pool):
    manifest = copy_of(tmp_path)
    crosscheck.check_lessons(manifest, random=2, runtimes=FAST, checks=["scale"])
    node, child = crosscheck_pool.get("js-node"), crosscheck_pool.native_child()
    node_calls, child_calls = node.calls, child.calls
    report = crosscheck.check_lessons(manifest, random=2, runtimes=FAST, checks=["scale"])
    assert report.ok
    assert crosscheck_pool.get("js-node") is node and crosscheck_pool.native_child() is child
    assert (node.calls - node_calls, child.calls - child_calls) == (1, 1)  # one check, one call each


def test_a_process_the_authors_code_ended_is_booted_afresh(tmp_path, crosscheck_pool):
    folder = tmp_path
    manifest = copy_of(folder)
    py = folder / "losses.py"
    py.write_text(py.read_text().replace("def scale(x, factor):\n", "def scale(x, factor):\n    import os; os._exit(3)\n"))
    report = crosscheck.check_lessons(manifest, random=2, runtimes=FAST, checks=["scale"], shrink=False)
    assert not report.ok and report.check("scale")["runtimes"]["native"]["ran"] is False
    assert "check 'scale': native did not run: " in report.explain()
    shutil.copy(LESSONS / "losses.py", py)
    assert crosscheck.check_lessons(manifest, random=2, runtimes=FAST, checks=["scale"]).ok


@pytest.mark.parametrize("kwargs, message", [
    ({"runtimes": ["native", "js-nod"]}, "runtimes: unknown runtime(s) js-nod; known: "),
    ({"runtimes": ["native", "exact"]}, "runtimes: exact is the dense layer's correctly rounded reference"),
    ({"reference": "exact"}, "reference: exact is the dense layer's correctly rounded reference"),
    ({"checks": ["mse", "msee"]}, "checks: no check 'msee' (checks: mse, softmax cross-entropy, scale)"),
    ({"random": 0}, "no cases for 'mse', 'softmax cross-entropy', 'scale': random=0 and no case file for it"),
])
def test_bad_input_is_one_line(tmp_path, kwargs, message):
    with pytest.raises(ValueError) as info:
        crosscheck.check_lessons(copy_of(tmp_path), **{"runtimes": FAST, **kwargs})
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_manifest_error_names_file_check_and_key(tmp_path):
    manifest = copy_of(tmp_path)
    manifest.write_text(manifest.read_text().replace('range = [0, "classes"]', 'range = [0, "clases"]'))
    with pytest.raises(ValueError, match=r"lessons.toml: check 'softmax cross-entropy': inputs.labels.range"):
        crosscheck.check_lessons(manifest, runtimes=FAST)


def test_the_chromium_runtimes_are_the_sessions(tmp_path, crosscheck_pool):
    # Page runtimes are bound to the thread that made them: the run calls them from the test's own thread.
    manifest = copy_of(tmp_path)
    runtimes = ["native", "pyodide-chromium", "js-chromium"]
    report = crosscheck.check_lessons(manifest, random=4, runtimes=runtimes)
    assert report.ok, report.explain()
    assert all(e["runtimes"][r]["ran"] for e in report["checks"] for r in runtimes)
    pages = [crosscheck_pool.get(r) for r in runtimes[1:]]
    assert crosscheck.check_lessons(manifest, random=2, runtimes=runtimes, checks=["scale"]).ok
    assert all(crosscheck_pool.get(r) is page for r, page in zip(runtimes[1:], pages))  # not booted again
