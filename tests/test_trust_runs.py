"""Trust in a run's verdict: nothing left out is counted as agreeing (issue 9, finding 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from crosscheck.paths import REPO

ALL = ["native", "pyodide-chromium", "pyodide-node", "js-chromium", "js-node"]
LEFT_OUT = ["pyodide-chromium", "pyodide-node", "js-chromium"]


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
    assert verdict == ("PARITY OK for js-node only (against native); NOT CHECKED: pyodide-chromium, pyodide-node, "
                       "js-chromium; python_core in Pyodide was not checked"), verdict
    report = json.loads(out.read_text())
    assert list(report["runtimes"]) == ["native", "js-node"] and report["checked"] == ["js-node"]
    assert list(report["not_checked"]) == LEFT_OUT
    assert all(why.startswith("skipped with --skip-unavailable: ") for why in report["not_checked"].values())
    for name in LEFT_OUT:
        assert f"  {name}: NOT CHECKED: skipped with --skip-unavailable" in result.stdout


def test_runtimes_not_named_are_listed_as_not_checked(tmp_path):
    out = tmp_path / "r.json"
    result = run_cli("--runtimes", "native,js-node", "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-2].startswith("PARITY OK for js-node only")
    assert json.loads(out.read_text())["not_checked"] == {n: "not named in --runtimes" for n in LEFT_OUT}
