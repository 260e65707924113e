"""crosscheck.check() (and so the pytest plugin, which runs it on the session's runtimes) never drops a
runtime that cannot run here in silence: as the CLI, it is DID NOT RUN and fails the report, unless the
caller opts in (allow_missing=True, or a runtimes list), and then the verdict names what was not checked.

Chromium is made unavailable through DENSE_PARITY_CHROMIUM, the Pyodide folder by pointing
pyodide-node at an empty folder: native and js-node are left, the cheap ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import crosscheck
from crosscheck.runtimes import PyodideNodeRuntime

LESSON = Path(__file__).parent / "lessons" / "dense.py"
MISSING = ["pyodide-chromium", "pyodide-node", "js-chromium"]


@pytest.fixture
def only_native_and_js_node(monkeypatch, tmp_path):
    monkeypatch.setenv("DENSE_PARITY_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setattr(PyodideNodeRuntime, "default_folder", tmp_path / "no-runtime")
    monkeypatch.delenv(crosscheck.checking.RUNTIMES_ENV, raising=False)


def test_a_runtime_that_cannot_run_fails_check_by_default(only_native_and_js_node):
    report = crosscheck.check(python=LESSON)
    assert not report.ok
    assert report.verdict == "PARITY FAILED"
    for name in MISSING:
        assert report["runtimes"][name]["ok"] is False and report["runtimes"][name]["did_not_run"] is True
        assert f"{name} failed: cannot run here: " in report.explain()
    assert report["runtimes"]["js-node"]["ok"] is True


def test_allow_missing_leaves_them_out_and_the_verdict_names_them(only_native_and_js_node):
    report = crosscheck.check(python=LESSON, allow_missing=True)
    assert report.ok
    assert list(report.not_checked) == MISSING
    assert all(why.startswith("skipped with allow_missing: ") for why in report.not_checked.values())
    assert report.verdict == ("PARITY OK for js-node only (against native); NOT CHECKED: "
                              "pyodide-chromium, pyodide-node, js-chromium; python_core in Pyodide was not checked")
    assert report.explain() == report.verdict
    assert set(report["runtimes"]) == {"native", "js-node"}


def test_a_runtimes_list_names_what_it_left_out(only_native_and_js_node):
    report = crosscheck.check(python=LESSON, runtimes=["native", "js-node"])
    assert report.ok
    assert report.not_checked == {name: "not named in runtimes" for name in MISSING}
    assert report.verdict.startswith("PARITY OK for js-node only (against native); NOT CHECKED: ")


def test_a_named_runtime_that_cannot_run_fails(only_native_and_js_node):
    report = crosscheck.check(python=LESSON, runtimes=["native", "js-node", "js-chromium"])
    assert not report.ok and report["runtimes"]["js-chromium"]["did_not_run"] is True


def test_nothing_left_to_compare_is_refused(only_native_and_js_node):
    with pytest.raises(ValueError, match="nothing to compare: native is the reference and no other runtime can run: "
                                         ".*; pyodide-node: skipped with allow_missing: the offline Pyodide runtime"):
        crosscheck.check(python=LESSON, runtimes=["native", "pyodide-node"], allow_missing=True)
