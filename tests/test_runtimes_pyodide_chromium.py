"""python_core in Pyodide in headless Chromium, against the same code natively."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from crosscheck.parity.cases import LESSON_EXAMPLE
from crosscheck.parity.compare import Tolerance, compare_arrays
from crosscheck.paths import REPO
from crosscheck.runtimes import NativeRuntime, PyodideChromiumRuntime, RuntimeFailure
from crosscheck.site.server import StaticServer
from python_core import RESULT_ARRAYS


def test_pyodide_really_runs_in_the_browser(pyodide_chromium):
    versions = pyodide_chromium.versions()
    assert versions["platform"] == "emscripten" and versions["pyodide"] == "0.27.7"
    assert versions["numpy"] == np.__version__ and versions["browser"].startswith("Chromium")


def test_lesson_example_matches_native(pyodide_chromium):
    [browser] = pyodide_chromium.run([LESSON_EXAMPLE])
    [native] = NativeRuntime().run([LESSON_EXAMPLE])
    assert browser["ok"] and native["ok"]
    for name in RESULT_ARRAYS:
        stats = compare_arrays(browser["arrays"][name], native["arrays"][name], Tolerance())
        assert stats["ok"], (name, stats)
    # And both against the formulas written out for this one sample.
    x, W = np.array(LESSON_EXAMPLE["inputs"]), np.array(LESSON_EXAMPLE["weights"])
    b, g = np.array(LESSON_EXAMPLE["biases"]), np.array(LESSON_EXAMPLE["upstream"])
    a = 1 / (1 + np.exp(-(x @ W + b)))
    dz = g * a * (1 - a)
    np.testing.assert_allclose(browser["arrays"]["output"], a, rtol=1e-14)
    np.testing.assert_allclose(browser["arrays"]["dWeights"], x.T * dz, rtol=1e-14)
    np.testing.assert_allclose(browser["arrays"]["dBiases"], dz, rtol=1e-14)
    np.testing.assert_allclose(browser["arrays"]["dInputs"], dz @ W.T, rtol=1e-13)


BAD_SPECS = [
    ("nan weights", {"weights": [[0.1, float("nan"), 0.3], [0.4, 0.5, 0.6]]}, "ValueError"),
    ("inputs of the wrong width", {"inputs": [[0.5, -0.2, 0.7]]}, "ValueError"),
    ("unknown activation", {"activation": "softplus"}, "ValueError"),
    ("text in the upstream gradient", {"upstream": [["a", "b", "c"]]}, "TypeError"),
]


def test_bad_inputs_raise_the_same_python_errors_inside_pyodide(pyodide_chromium):
    # Text cannot travel as float64 bits, so that case goes as plain JSON lists through call_entry.
    specs = [dict(LESSON_EXAMPLE, **change) for _, change, _ in BAD_SPECS]
    native = NativeRuntime()
    request = json.dumps({"cases": [{k: v for k, v in s.items() if k != "name"} for s in specs]})
    browser = json.loads(pyodide_chromium.call_entry("python_core.wire:run_batch", request))["results"]
    reference = json.loads(native.call(request))["results"]
    for (label, _, error_type), got, want in zip(BAD_SPECS, browser, reference):
        assert not got["ok"], label
        assert got["error"]["type"] == want["error"]["type"] == error_type, label
        assert got["error"]["message"] == want["error"]["message"], label
        assert "Traceback" in got["error"]["traceback"] and "python_core" in got["error"]["traceback"]


def test_a_missing_runtime_file_is_a_failure_with_its_reason(tmp_path, chromium):
    # A lock file but no pyodide.mjs: the folder looks assembled, so the browser has to find out.
    (tmp_path / "pyodide-lock.json").write_text("{}")
    with StaticServer(runtime_dir=tmp_path) as empty:
        runtime = PyodideChromiumRuntime(server=empty, chromium=chromium, boot_timeout=60)
        with pytest.raises(RuntimeFailure) as info:
            runtime.start(lambda stage: None)
        runtime.close()
    assert "pyodide.mjs" in info.value.reason


# The CLI's table and JSON report over all five runtimes: tests/test_parity_report.py.


def test_cli_fails_when_a_runtime_cannot_run(tmp_path):
    report_path = tmp_path / "r.json"
    env = {**__import__("os").environ, "DENSE_PARITY_RUNTIME_DIR": str(tmp_path / "no-runtime-here")}
    proc = subprocess.run([sys.executable, "-m", "crosscheck", "--runtimes", "native,pyodide-chromium",
                           "--json", str(report_path)], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "PARITY FAILED" in proc.stdout and "DID NOT RUN" in proc.stdout and "not assembled" in proc.stdout
    report = json.loads(report_path.read_text())
    assert report["ok"] is False
    assert report["runtimes"]["pyodide-chromium"]["ok"] is False
    assert all(not c["ok"] for c in report["cases"][0]["comparisons"])
