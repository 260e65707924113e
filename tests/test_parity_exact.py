"""The exact runtime against a second, independent computation at another precision.

The independent side does the whole layer in mpmath at 4,000 bits with the textbook formulas
(σ = 1/(1 + e^(−z)), σ' = σ(1 − σ), tanh' = 1 − tanh², plain loops for the sums), and rounds to
float64 through a 700-digit decimal string read by float() (the C library's correctly rounded
strtod): no integer arithmetic, no interval, no rounding code shared with crosscheck.parity.exact.
4,000 bits hold every cancellation these cases can produce (|z| ≤ 1,500 so e^(−2|z|) > 2^(−4,330)
is not needed to more than its leading bits beside 1).
"""

from __future__ import annotations

from decimal import Decimal, getcontext

import mpmath
import numpy as np
import pytest

from crosscheck.parity.compare import ulp_distance
from crosscheck.parity.exact import exact_case, round_dyadic

PREC = 4000


def _round(x: mpmath.mpf) -> float:
    return float(mpmath.nstr(x, 700, min_fixed=1, max_fixed=0)) if x else 0.0


def independent(spec: dict) -> dict[str, np.ndarray]:
    with mpmath.workprec(PREC):
        mp = lambda a: [[mpmath.mpf(float(v)) for v in row] for row in np.asarray(a, np.float64)]  # noqa: E731
        X, W, B, U = mp(spec["inputs"]), mp(spec["weights"]), mp(spec["biases"]), mp(spec["upstream"])
        n_b, n_i, n_o = len(X), len(W), len(W[0])
        Z = [[sum((X[r][k] * W[k][j] for k in range(n_i)), mpmath.mpf(0)) + B[0][j] for j in range(n_o)]
             for r in range(n_b)]
        act = spec["activation"]
        if act == "sigmoid":
            A = [[1 / (1 + mpmath.exp(-z)) for z in row] for row in Z]
            G = [[a * (1 - a) for a in row] for row in A]
        elif act == "tanh":
            A = [[mpmath.tanh(z) for z in row] for row in Z]
            G = [[1 - a * a for a in row] for row in A]
        elif act == "relu":
            A = [[z if z > 0 else mpmath.mpf(0) for z in row] for row in Z]
            G = [[mpmath.mpf(1) if z > 0 else mpmath.mpf(0) for z in row] for row in Z]
        else:
            A = Z
            G = [[mpmath.mpf(1)] * n_o for _ in range(n_b)]
        D = [[U[r][j] * G[r][j] for j in range(n_o)] for r in range(n_b)]
        dW = [[sum((X[r][i] * D[r][j] for r in range(n_b)), mpmath.mpf(0)) for j in range(n_o)] for i in range(n_i)]
        dB = [[sum((D[r][j] for r in range(n_b)), mpmath.mpf(0)) for j in range(n_o)]]
        dI = [[sum((D[r][j] * W[i][j] for j in range(n_o)), mpmath.mpf(0)) for i in range(n_i)] for r in range(n_b)]
        to = lambda m: np.array([[_round(v) for v in row] for row in m], dtype=np.float64)  # noqa: E731
        return {"output": to(A), "dWeights": to(dW), "dBiases": to(dB), "dInputs": to(dI)}


def hard_cases(seed: int, count: int) -> list[dict]:
    """Small random layers with saturated units, results that underflow to subnormals, exact zeros."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        act = ("sigmoid", "tanh", "relu", "linear")[i % 4]
        n_i, n_o, n_b = (int(v) for v in rng.integers(1, 6, 3))
        W = rng.standard_normal((n_i, n_o)) * 10.0 ** rng.uniform(-3, 1)
        b = rng.standard_normal((1, n_o)) * 10.0 ** rng.uniform(-3, 1)
        X = rng.standard_normal((n_b, n_i)) * 10.0 ** rng.uniform(-3, 1)
        U = rng.standard_normal((n_b, n_o)) * 10.0 ** rng.uniform(-3, 1)
        kind = i // 4 % 4
        if kind == 1:  # saturation: |z| up to about 1,000
            b = rng.choice([-1.0, 1.0], (1, n_o)) * 10.0 ** rng.uniform(1, 3, (1, n_o))
        elif kind == 2:  # products deep in the subnormal range
            X *= 1e-160
            U *= 1e-155
        elif kind == 3:  # exact zeros: zero columns with ±0 bias, zero rows
            W[:, rng.random(n_o) < 0.5] = 0.0
            b[0, rng.random(n_o) < 0.5] = rng.choice([0.0, -0.0])
            X[rng.random(n_b) < 0.5, :] = 0.0
        cases.append({"activation": act, "weights": W, "biases": b, "inputs": X, "upstream": U})
    return cases


def test_round_dyadic_is_correctly_rounded_against_decimal_strtod():
    getcontext().prec = 2000
    rng = np.random.default_rng(5)
    checked = 0
    for _ in range(3000):
        bits = int(rng.integers(1, 200))
        n = int(rng.integers(1, 2 ** 62)) << max(0, bits - 62) | int(rng.integers(0, 2))
        if rng.random() < 0.5:
            n = -n
        e = int(rng.integers(-1200, 900)) - n.bit_length()
        expected = float(str(Decimal(n) * Decimal(2) ** e))
        assert round_dyadic(n, e) == expected, (n, e)
        checked += 1
    # exact ties at the subnormal/normal boundary and in the middle of the range, to even
    for n, e in ((3, -1075), (1, -1075), (5, -1076), ((1 << 53) + 1, -53), ((1 << 53) + 3, -53)):
        assert round_dyadic(n, e) == float(str(Decimal(n) * Decimal(2) ** e))
    assert checked == 3000


@pytest.mark.parametrize("seed", [1, 2])
def test_exact_agrees_with_an_independent_high_precision_computation(seed):
    cases = hard_cases(seed, 32)
    total = same = 0
    worst = 0
    for spec in cases:
        got, want = exact_case(spec), independent(spec)
        for array in want:
            ulps = ulp_distance(got[array], want[array])
            total += ulps.size
            same += int((ulps == 0).sum())
            worst = max(worst, int(ulps.max()))
    assert worst <= 1, worst
    assert same >= 0.99 * total, (same, total)


def test_the_hard_cases_reach_saturation_subnormals_and_exact_zeros():
    outs = [exact_case(spec) for spec in hard_cases(1, 32)]
    flat = np.concatenate([v.ravel() for o in outs for v in o.values()])
    tiny = np.abs(flat[(flat != 0)]).min()
    assert tiny < 2.2250738585072014e-308  # a subnormal result
    assert (flat == 0).any()
    sat = [o["output"] for o, s in zip(outs, hard_cases(1, 32)) if s["activation"] in ("sigmoid", "tanh")]
    assert any((np.abs(o) == 1.0).any() or (o == 0).any() for o in sat)  # saturated units


def signs(a: np.ndarray) -> np.ndarray:
    return np.copysign(1.0, a)


def test_a_value_too_small_for_float64_keeps_its_sign():
    """dWeights[0][1] of this case is about −1.9e−869: it rounds to −0.0, a sign seen only past the
    2,400-bit span the first precision keeps (the independent computation at 4,000 bits sees it too)."""
    spec = hard_cases(1, 86)[85]
    got, want = exact_case(spec), independent(spec)
    assert want["dWeights"][0][1] == 0.0 and signs(want["dWeights"])[0][1] == -1.0  # the case still is one
    for array in want:
        np.testing.assert_array_equal(signs(got[array]), signs(want[array]), err_msg=array)


def test_terms_that_cancel_exactly_give_plus_zero_not_an_error():
    """A batch row repeated with opposite upstream: dWeights and dBiases are exactly zero, whatever the
    precision, so the interval straddles zero for ever; it settles as +0.0 (a mathematical zero)."""
    spec = {"activation": "sigmoid", "weights": [[0.25], [-1.5]], "biases": [[0.125]],
            "inputs": [[0.3, -0.7], [0.3, -0.7]], "upstream": [[0.5], [-0.5]]}
    got = exact_case(spec)
    for array in ("dWeights", "dBiases"):
        assert (got[array] == 0.0).all() and (signs(got[array]) == 1.0).all(), (array, got[array])
