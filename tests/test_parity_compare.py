"""ULP distance and verdicts against values built bit by bit with nextafter and struct."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from crosscheck.parity.compare import Tolerance, compare_arrays, ulp_distance


def steps(x: float, n: int) -> float:
    for _ in range(n):
        x = float(np.nextafter(x, np.inf))
    return x


@pytest.mark.parametrize("x", [1.0, -3.5, 1e-300, 5e-324, 1.7e308, 0.1])
@pytest.mark.parametrize("n", [0, 1, 2, 17])
def test_ulp_distance_counts_representable_steps(x, n):
    y = steps(x, n) if np.isfinite(steps(x, n)) else x
    expected = n if y != x or n == 0 else 0
    assert int(ulp_distance(np.array([x]), np.array([y]))[0]) == expected


def test_zero_signs_are_zero_ulps_apart_and_zero_straddles_count_both_sides():
    assert int(ulp_distance(np.array([0.0]), np.array([-0.0]))[0]) == 0
    tiny = struct.unpack("<d", struct.pack("<q", 1))[0]  # the smallest subnormal, built from its bits
    assert int(ulp_distance(np.array([tiny]), np.array([-tiny]))[0]) == 2
    assert int(ulp_distance(np.array([1.0]), np.array([-1.0]))[0]) == 2 * struct.unpack("<q", struct.pack("<d", 1.0))[0]


def test_nan_against_number_is_maximal_and_nan_against_nan_is_zero():
    d = ulp_distance(np.array([np.nan, np.nan]), np.array([1.0, np.nan]))
    assert d[0] == np.iinfo(np.uint64).max and d[1] == 0


def test_compare_reports_worst_element_and_tolerance_verdicts():
    ref = np.array([[1.0, 2.0], [3.0, 4.0]])
    value = ref.copy()
    value[1, 0] = steps(3.0, 5)
    value[0, 1] = steps(2.0, 1)
    stats = compare_arrays(value, ref)
    assert stats["max_ulp"] == 5 and stats["worst_index"] == [1, 0]
    assert stats["max_abs_diff"] == pytest.approx(5 * np.spacing(3.0))
    assert stats["ok"] and not stats["bit_identical"]
    assert not compare_arrays(value, ref, Tolerance(exact=True))["ok"]
    far = ref.copy()
    far[0, 0] = 1.0 + 1e-9
    assert not compare_arrays(far, ref)["ok"]
    assert compare_arrays(far, ref, Tolerance(rtol=1e-8))["ok"]


def test_atol_governs_values_near_zero():
    ref = np.array([0.0])
    assert compare_arrays(np.array([1e-16]), ref)["ok"]
    assert not compare_arrays(np.array([1e-14]), ref)["ok"]


def test_exact_distinguishes_the_sign_of_zero_and_shapes_must_match():
    assert compare_arrays(np.array([-0.0]), np.array([0.0]))["ok"]
    assert not compare_arrays(np.array([-0.0]), np.array([0.0]), Tolerance(exact=True))["ok"]
    mismatch = compare_arrays(np.zeros((1, 2)), np.zeros((2, 1)))
    assert not mismatch["ok"] and "shape" in mismatch["reason"]


def test_a_run_of_the_reference_alone_is_not_parity(capsys):
    from crosscheck import cli
    from crosscheck.parity.cases import lesson_cases
    from crosscheck.parity.runner import run_cases

    assert cli.main(["--runtimes", "native"]) == 2
    assert "nothing to compare" in capsys.readouterr().err
    assert run_cases(lesson_cases(), ["native"])["ok"] is False
