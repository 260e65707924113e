"""Trust in a run's verdict: nothing left out is counted as agreeing (issue 9, finding 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from crosscheck.paths import REPO
from crosscheck.parity.contracts import RuntimeRun
from crosscheck.runtimes import RUNTIMES

ALL = [name for name, cls in RUNTIMES.items() if cls.default]   # the default set: every runtime but opt-in ones
LEFT_OUT = ["pyodide-chromium", "pyodide-node", "js-chromium"]   # what needs Chromium or the Pyodide folder


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crosscheck", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def no_browser_no_runtime(tmp_path) -> dict:
    return {"DENSE_PARITY_RUNTIME_DIR": str(tmp_path / "nonexistent"),
            "DENSE_PARITY_CHROMIUM": str(tmp_path / "no-chromium")}


def test_a_default_run_that_cannot_run_every_runtime_fails_and_names_them(tmp_path):
    out = tmp_path / "r.json"
    result = run_cli("--json", str(out), env=no_browser_no_runtime(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PARITY OK" not in result.stdout and result.stdout.splitlines()[-2] == "PARITY FAILED"
    report = json.loads(out.read_text())
    assert list(report["runtimes"]) == ALL and report["ok"] is False
    for name in LEFT_OUT:
        info = report["runtimes"][name]
        assert info["ok"] is False and info["did_not_run"] is True
        assert f"  {name}: DID NOT RUN: cannot run here: " in result.stdout
        # every array of that runtime is a row of the table, with the verdict DID NOT RUN
        rows = [line for line in result.stdout.splitlines() if line.startswith(name + " ")]
        assert len(rows) == 4 and all(row.endswith("DID NOT RUN") for row in rows), rows
    assert "no-chromium is not an executable" in report["runtimes"]["js-chromium"]["error"]
    assert "not assembled" in report["runtimes"]["pyodide-node"]["error"]
    assert report["runtimes"]["js-node"]["ok"] is True
    assert "note:" not in result.stderr


def test_a_named_runtime_that_cannot_run_fails_the_run(tmp_path):
    result = run_cli("--runtimes", "native,js-node,pyodide-node", env=no_browser_no_runtime(tmp_path))
    assert result.returncode == 1 and "pyodide-node: DID NOT RUN" in result.stdout, result.stdout + result.stderr


def test_skip_unavailable_says_what_was_and_was_not_checked(tmp_path):
    out = tmp_path / "r.json"
    result = run_cli("--skip-unavailable", "--json", str(out), env=no_browser_no_runtime(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    verdict = result.stdout.splitlines()[-2]
    checked, not_checked = verdict.removeprefix("PARITY OK for ").split(" only (against native); NOT CHECKED: ")
    assert "js-node" in checked.split(", ") and not set(LEFT_OUT) & set(checked.split(", ")), verdict
    assert not_checked.startswith(", ".join(LEFT_OUT)), verdict
    assert verdict.endswith("; python_core in Pyodide was not checked"), verdict
    report = json.loads(out.read_text())
    assert report["checked"] == checked.split(", ") and "js-node" in report["runtimes"]
    assert list(report["not_checked"])[:3] == LEFT_OUT and not set(LEFT_OUT) & set(report["runtimes"])
    assert all(why.startswith("skipped with --skip-unavailable: ") for why in report["not_checked"].values())
    for name in LEFT_OUT:
        assert f"  {name}: NOT CHECKED: skipped with --skip-unavailable" in result.stdout


def test_runtimes_not_named_are_listed_as_not_checked(tmp_path):
    out = tmp_path / "r.json"
    result = run_cli("--runtimes", "native,js-node", "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-2].startswith("PARITY OK for js-node only")
    assert json.loads(out.read_text())["not_checked"] == {n: "not named in --runtimes" for n in ALL
                                                         if n not in ("native", "js-node")}


# --- finding 8: the headline number -----------------------------------------------------------

import numpy as np  # noqa: E402

from crosscheck.parity.compare import Tolerance, compare_arrays  # noqa: E402
from crosscheck.parity.report import build_report, format_table  # noqa: E402


def test_near_zero_elements_of_opposite_sign_are_not_the_headline():
    # Two elements that should both be about 0 (terms of magnitude 1) differ by 4e-15 across zero: a
    # raw ULP count of ~8.5e18, yet they use 4e-15 / (1e-15 + 1e-12) ≈ 0.004 of the tolerance. A
    # third element, 1.5e-10 off at scale 100, is the one closest to failing: 1.5e-10 / (1e-15 + 1e-10).
    ref = np.array([-1e-15, 100.0, 0.5])
    value = np.array([3e-15, 100.0 + 1.5e-10, 0.5])
    scale = np.array([1.0, 100.0, 0.5])
    stats = compare_arrays(value, ref, Tolerance(), scale)
    assert stats["max_ulp"] > 8e18 and stats["worst_index"] == [0]        # the raw count, kept in the JSON
    assert stats["worst_tolerance_index"] == [1] and not stats["ok"]
    assert stats["tolerance_used"] == abs(value[1] - ref[1]) / (1e-15 + 1e-12 * 100.0) > 1
    assert stats["ulp_at_scale"] == abs(value[1] - ref[1]) / 2.0 ** -46   # ULP of 100 is 2^-46
    assert stats["sign_differs"] == 1 and stats["worst_sign_differs"] is False


def test_signs_that_differ_and_nan_are_shown_as_such():
    ref = np.array([[-1e-15, 2.0]])
    value = np.array([[3e-15, 2.0]])
    case = {"name": "c", "activation": "linear", "weights": [[1.0, 1.0]], "biases": [[0.0, 0.0]],
            "inputs": [[1.0]], "upstream": [[1.0, 1.0]]}
    arrays = {k: ref.copy() for k in ("output", "dWeights", "dBiases", "dInputs")}
    shifted = {k: v.copy() for k, v in arrays.items()}
    shifted["dBiases"] = value
    report = build_report([case], [RuntimeRun("native", [{"ok": True, "arrays": arrays}], {"ok": True}),
                                   RuntimeRun("other", [{"ok": True, "arrays": shifted}], {"ok": True})],
                          "native", Tolerance(relative_to="result"))
    text = format_table(report)
    assert "+3e-15 vs -1e-15, signs differ" in text and "8494732470134602711" not in text, text
    assert report["summary"]["other"]["sign_differs_elements"] == 1
    # |a-ref| = 4e-15 against atol 1e-15 + 1e-12·1e-15: 4 times the tolerance.
    assert report["summary"]["other"]["worst_tolerance_used"] == 4e-15 / (1e-15 + 1e-12 * 1e-15)
    nan = compare_arrays(np.array([np.nan, 1.0]), np.array([1.0, 1.0]))
    assert nan["tolerance_used"] == float("inf") and nan["ulp_at_scale"] is None and not nan["ok"]
