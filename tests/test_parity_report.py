"""The comparison and its report: ULPs, worst index, bit identity, the tolerance rule, the summary."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from crosscheck.parity.cases import LESSON_EXAMPLE
from crosscheck.parity.compare import Tolerance, compare_arrays
from crosscheck.parity.error_bounds import term_magnitudes
from crosscheck.paths import REPO
from crosscheck.parity.random_cases import random_cases
from crosscheck.parity.contracts import RuntimeRun
from crosscheck.parity.report import build_report, format_table
from crosscheck.runtimes import NativeRuntime
from python_core import RESULT_ARRAYS, get_activation, run_case


def test_worst_index_ulps_and_bit_identity():
    ref = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    value = ref.copy()
    value[1, 2] = np.nextafter(np.nextafter(6.0, 7.0), 7.0)   # 2 ULP above
    value[0, 1] = np.nextafter(2.0, 3.0)                        # 1 ULP above
    stats = compare_arrays(value, ref)
    assert (stats["max_ulp"], stats["worst_index"], stats["bit_identical"], stats["ok"]) == (2, [1, 2], False, True)
    assert stats["max_abs_diff"] == value[1, 2] - 6.0
    assert compare_arrays(value, ref, Tolerance(exact=True))["ok"] is False
    assert compare_arrays(-0.0 * ref, 0.0 * ref, Tolerance(exact=True))["ok"] is False   # the sign of zero counts
    assert compare_arrays(ref.copy(), ref, Tolerance(exact=True))["ok"] is True


def sequential(case, rotated: bool = True) -> dict[str, np.ndarray]:
    """The layer again with every sum in an honest order the test controls: left to right, or a rotation of it."""
    x, w, b, u = (np.asarray(case[k], float) for k in ("inputs", "weights", "biases", "upstream"))
    def matmul(p, q):
        out = np.zeros((p.shape[0], q.shape[1]))
        for i in range(p.shape[0]):
            for j in range(q.shape[1]):
                acc = 0.0
                for k in [*range(1, p.shape[1]), 0] if rotated else range(p.shape[1]):
                    acc += p[i, k] * q[k, j]
                out[i, j] = acc
        return out
    a = get_activation(case["activation"])(matmul(x, w) + b)
    dz = u * get_activation(case["activation"]).derivative(a)
    return {"output": a, "dWeights": matmul(x.T, dz), "dBiases": matmul(np.ones((1, len(x))), dz),
            "dInputs": matmul(dz, w.T)}


def test_the_term_rule_admits_honest_reorderings_and_refuses_real_errors():
    # A different summation order must pass, a 1e-9 slip must not.
    # The first case cancels on purpose: 1e8 − 1e8 + 0.001 loses digits in one order and not in another.
    # Which order the BLAS takes depends on its kernel (OPENBLAS_CORETYPE), so the cancellation is shown
    # between two orders the test computes itself; the BLAS's own order is only required to pass.
    cancelling = {"name": "cancelling", "activation": "linear", "weights": [[1e8], [-1e8], [1e-3]],
                  "biases": [[0.0]], "inputs": [[1.0, 1.0, 1.0]], "upstream": [[1.0]]}
    cases = [cancelling] + [c for c in random_cases(60, seed=4) if c["inputs"].size * c["weights"].shape[1] < 4000]
    admitted_only_by_terms = 0
    for case in cases:
        ref = run_case(case)
        other = sequential(case)
        scales = term_magnitudes(case, ref["output"])
        left_to_right = sequential(case, rotated=False)
        for name in ref:
            stats = compare_arrays(other[name], ref[name], Tolerance(), scales[name])
            assert stats["ok"], (case["name"], name, stats)
            stats = compare_arrays(other[name], left_to_right[name], Tolerance(), scales[name])
            assert stats["ok"], (case["name"], name, stats)
            admitted_only_by_terms += not stats["ok_relative_to_result"]
            wrong = ref[name].copy()
            index = np.unravel_index(np.argmax(scales[name]), wrong.shape)
            wrong[index] += 1e-9 * max(scales[name][index], abs(ref[name][index])) + 1e-12  # atol is 1e-15
            assert not compare_arrays(wrong, ref[name], Tolerance(), scales[name])["ok"], (case["name"], name)
    assert admitted_only_by_terms > 0  # the cases do cancel: the rule is being exercised


def test_report_fields_table_and_summary_lines():
    cases = random_cases(4, seed=8)
    native = NativeRuntime().run(cases)
    shifted = [{"ok": True, "arrays": {k: v.copy() for k, v in o["arrays"].items()}} for o in native]
    shifted[2]["arrays"]["dInputs"].flat[0] = np.nextafter(shifted[2]["arrays"]["dInputs"].flat[0], np.inf)
    runs = [RuntimeRun("native", native, {"ok": True}),
            RuntimeRun("other", shifted, {"ok": True, "round_trips": 1, "boot_s": 0.1, "total_s": 0.2})]
    report = build_report(cases, runs, "native", Tolerance())
    assert report["ok"]
    comparison = next(c for c in report["cases"][2]["comparisons"] if c["array"] == "dInputs")
    assert comparison["max_ulp"] == 1 and comparison["worst_index"] == [0, 0] and not comparison["bit_identical"]
    summary = report["summary"]["other"]
    assert (summary["cases_run"], summary["arrays"], summary["bit_identical_arrays"], summary["worst_ulp"]) == (4, 16, 15, 1)
    lines = format_table(report).splitlines()
    assert lines[-1] == "PARITY OK"
    # The headline is the fraction of the tolerance used, at the element closest to failing, and the
    # ULPs at that element's own scale (max(|ref|, its terms' magnitude)); the raw ULPs stay in the JSON.
    ref = native[2]["arrays"]["dInputs"].flat[0]
    magnitude = max(abs(ref), term_magnitudes(cases[2], native[2]["arrays"]["output"])["dInputs"].flat[0])
    diff = abs(np.nextafter(ref, np.inf) - ref)
    assert summary["worst_tolerance_used"] == diff / (1e-15 + 1e-12 * magnitude)
    assert summary["worst_by_tolerance"]["ulp_at_scale"] == diff / np.spacing(magnitude)
    assert lines[-2] == (f"  other: 4/4 cases ran, 15/16 arrays bit-identical, worst "
                         f"{summary['worst_tolerance_used']:.2g} of the tolerance (dInputs of {cases[2]['name']} at "
                         f"[0, 0]: {diff / np.spacing(magnitude):.3g} ULP at its scale)")
    exact = build_report(cases, runs, "native", Tolerance(exact=True))
    assert not exact["ok"] and format_table(exact).splitlines()[-1] == "PARITY FAILED"


def test_the_cli_runs_all_five_runtimes_in_parallel(tmp_path):
    # The done-when command, scaled down: every runtime, random cases, JSON with every result.
    out = tmp_path / "r.json"
    result = subprocess.run([sys.executable, "-m", "crosscheck", "--runtimes",
                             "native,pyodide-chromium,pyodide-node,js-chromium,js-node", "--random", "12",
                             "--seed", "11", "--batch-size", "5", "--json", str(out), "--json-values", "full"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    runtimes = ["native", "pyodide-chromium", "pyodide-node", "js-chromium", "js-node"]
    assert list(report["runtimes"]) == runtimes and all(report["runtimes"][r]["round_trips"] == 3 for r in runtimes)
    assert len(report["cases"]) == 13 and report["cases"][0]["name"] == "lesson-example"
    for case in report["cases"]:
        assert set(case["results"]) == set(runtimes)
        assert len(case["comparisons"]) == 16  # 4 runtimes × 4 arrays, each against native
    lines = result.stdout.splitlines()
    start = lines.index("summary:") + 1
    assert lines[start + 5] == "PARITY OK"
    summary_lines = lines[start:start + 5]
    assert [line.split(":")[0].strip() for line in summary_lines] == runtimes
    # The table: a row per runtime and array; progress on stderr while booting.
    for runtime in runtimes[1:]:
        for array in RESULT_ARRAYS:
            assert any(line.split()[:2] == [runtime, array] and line.split()[-1] == "ok" for line in lines), result.stdout
    assert "loading Pyodide" in result.stderr
    # The report: the case's spec, each comparison's fields, what each runtime was.
    lesson = report["cases"][0]
    assert set(lesson["spec"]) == {"activation", "weights", "biases", "inputs", "upstream"}
    for c in lesson["comparisons"]:
        assert {"runtime", "reference", "array", "max_abs_diff", "max_ulp", "ok"} <= set(c)
        assert c["reference"] == "native" and c["ok"]
    assert report["runtimes"]["pyodide-chromium"]["pyodide"] == "0.27.7"
    assert report["runtimes"]["pyodide-chromium"]["platform"] == "emscripten"
    assert report["runtimes"]["native"]["numpy"] == np.__version__
    # Results in the report are the exact floats: they parse back to the native bits.
    native = NativeRuntime().run([LESSON_EXAMPLE])[0]["arrays"]
    for name in RESULT_ARRAYS:
        assert np.array(lesson["results"]["native"][name]).tobytes() == native[name].tobytes()
