"""Accuracy beside parity (the exact runtime in a run), ``--reference exact``, and ``probe-libm``."""

from __future__ import annotations

import json
import math
import struct
from decimal import Decimal, getcontext

import mpmath
import numpy as np

from crosscheck.cli import main as cli_main
from crosscheck.parity.cases import lesson_cases
from crosscheck.parity.libm import PYTHON_TARGET, JS_TARGET, draw_arguments
from crosscheck.parity.random_cases import random_cases
from crosscheck.parity.runner import run_cases


def ordered(x: float) -> int:
    """A float's place on the number line, from its bits (−0.0 and +0.0 both 0)."""
    (i,) = struct.unpack("<q", struct.pack("<d", x))
    return -(i & 0x7FFFFFFFFFFFFFFF) if i < 0 else i


def ulps(a: float, b: float) -> int:
    return abs(ordered(a) - ordered(b))


def _cases():
    return lesson_cases() + random_cases(8, 5)


def test_every_comparison_carries_its_accuracy_against_exact_and_the_summary_names_the_closest():
    cases = _cases()
    report = run_cases(cases, ["native", "exact"], parallel=False)
    assert report["reference"] == "native"
    for case in report["cases"]:
        exact = case["results"]["exact"]
        native = case["results"]["native"]
        by_array = {a["array"]: a for a in case["accuracy"] if a["runtime"] == "native"}
        for array, entry in by_array.items():
            d = [ulps(float(x), float(y)) for x, y in zip(np.ravel(native[array]), np.ravel(exact[array]))]
            bits = [math.log2(1 + u) for u in d]
            assert entry["ulp_vs_exact"]["max"] == max(d)
            assert math.isclose(entry["bits_error_vs_exact"]["mean"], sum(bits) / len(bits), rel_tol=1e-12,
                                abs_tol=1e-15)
            assert math.isclose(entry["bits_error_vs_exact"]["max"], max(bits))
        # the exact runtime compared with native: the same fields on the comparison
        for c in case["comparisons"]:
            assert c["runtime"] == "exact" and "ulp_vs_exact" not in c  # exact is not measured against itself
    acc = report["accuracy"]
    assert set(acc) == {c["activation"] for c in cases}
    for per_array in acc.values():
        for entry in per_array.values():
            assert entry["closest"] == ["native"]  # the only runtime measured


def test_reference_exact_puts_the_fields_on_the_comparisons():
    report = run_cases(_cases(), ["native", "exact"], reference="exact", parallel=False)
    assert report["reference"] == "exact"
    comparisons = [c for case in report["cases"] for c in case["comparisons"]]
    assert {c["runtime"] for c in comparisons} == {"native"}
    for c in comparisons:
        assert c["ulp_vs_exact"]["max"] == c["max_ulp"]  # the reference is the truth


def test_the_cli_prints_the_closest_runtime_table(tmp_path, capsys):
    path = tmp_path / "r.json"
    code = cli_main(["--runtimes", "native,exact", "--random", "4", "--seed", "2", "--json", str(path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "closest to exact" in out and "native mean/max bits" in out
    assert "accuracy" in json.loads(path.read_text())


def cr_exp(x: float) -> float:
    getcontext().prec = 80
    return float(str(Decimal(x).exp()))  # Decimal's exp is correctly rounded to 80 digits


def test_probe_libm_counts_what_is_not_correctly_rounded(tmp_path, capsys):
    path = tmp_path / "libm.json"
    code = cli_main(["probe-libm", "--runtimes", "native,exact", "--samples", "600", "--seed", "3",
                     "--json", str(path)])
    assert code == 0
    rows = {(r["runtime"], r["function"]): r for r in json.loads(path.read_text())["rows"]}
    x, _ = draw_arguments(600, 3)
    expected = sum(1 for v in x.tolist() if math.exp(v) != cr_exp(v))
    assert rows[("native", "math.exp")]["not_correctly_rounded"] == expected
    expected_np = sum(1 for v, e in zip(x.tolist(), np.exp(x).tolist()) if e != cr_exp(v))
    assert rows[("native", "numpy.exp")]["not_correctly_rounded"] == expected_np
    with mpmath.workprec(300):
        tanh_cr = [float(mpmath.nstr(mpmath.tanh(mpmath.mpf(v)), 60)) if v else v for v in x.tolist()]
    assert rows[("native", "math.tanh")]["not_correctly_rounded"] == sum(
        1 for v, t in zip(x.tolist(), tanh_cr) if math.tanh(v) != t)
    assert rows[("exact", "exact.exp")]["not_correctly_rounded"] == 0
    assert "not correctly rounded" in capsys.readouterr().out


def test_the_entry_points_answer_in_each_language(js_node, pyodide_node):
    x, _ = draw_arguments(200, 1)
    from python_core.wire import decode_array, encode_array

    request = json.dumps({"x": encode_array(x)})
    js = json.loads(js_node.call_entry(JS_TARGET, request))
    py = json.loads(pyodide_node.call_entry(PYTHON_TARGET, request))
    assert set(js) >= {"Math.exp", "Math.tanh"} and set(py) >= {"numpy.exp", "numpy.tanh", "math.exp", "math.tanh"}
    for reply, key in ((js, "Math.exp"), (py, "numpy.exp")):
        got = decode_array(reply[key])
        assert max(ulps(g, cr_exp(v)) for g, v in zip(got.tolist(), x.tolist())) <= 1  # faithful at worst
