"""The mathematically exact layer: each result array correctly rounded to float64.

For a case's float64 inputs the layer's exact values are

    z        = inputs·weights + biases                         (a dyadic rational: exact integers)
    output   = f(z)                                            (f transcendental for sigmoid and tanh)
    dZ       = upstream ⊙ f'(z)                                (the TRUE derivative, from the exact z,
                                                                not from a rounded output)
    dWeights = inputsᵀ·dZ,  dBiases = Σ_batch dZ,  dInputs = dZ·weightsᵀ

and this module returns each of output, dWeights, dBiases, dInputs rounded once, to nearest-even.

How it is exact:

- every float64 is an integer times a power of two, so a whole array becomes Python integers over
  one common power of two (``to_dyadic``), and every sum of products (z, and all three products for
  linear and ReLU) is formed exactly by NumPy's object-dtype matmul on those integers;
- for sigmoid and tanh, f(z) and f'(z) are evaluated by mpmath from the exact z (mpmath takes its
  arguments exactly; the precision only governs the result) at a working precision p and again
  at 2p. The 2p value is used, with an error radius of its distance to the p value plus 2^(8−2p)
  of its size; the two evaluations must agree to within 2^(10−p) relatively or the case is redone
  at a higher precision. f' is written so that it never cancels: σ'(z) = q/(1+q)² with
  q = e^(−|z|), tanh'(z) = 4q/(1+q)² with q = e^(−2|z|);
- the products with dZ are then sums of exact dyadic numbers (each dZ element is the 2p-bit
  mpmath value times a float64): formed exactly, with the radii carried as |inputs|ᵀ·radius etc.
  Terms far below the largest (2^(−2400) of it, less at higher precision) are truncated, one
  unit each added to the radius;
- an element is accepted only when both ends of its interval round to the same float64 (a
  rigorous check of the correct rounding, given mpmath's accuracy at the working precision);
  otherwise the case is redone with p and the span doubled (up to ``MAX_PREC`` bits).

A result that is exactly zero is +0.0 (a mathematical zero has no sign); a result that is not zero
but rounds to zero carries its sign (seen by widening the span; past ``SETTLE_ZERO_PREC`` a value
still indistinguishable from zero is taken as the exact zero, +0.0). The ULP distance counts −0.0 and +0.0 as 0 apart.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import numpy as np
from mpmath.libmp import from_man_exp

from python_core import normalize_spec
from python_core.facts import RESULT_ARRAYS

START_PREC = 96
MAX_PREC = 6144
SPAN = 2400  # bits kept below the largest dZ term; smaller terms go into the radius
# At this precision the span is 9,600 bits, more than separates the largest and smallest nonzero
# products of float64 inputs with a slope that is not itself below 2^−3300 (σ' at |z| < 2,000).
SETTLE_ZERO_PREC = 384


class ExactnessError(RuntimeError):
    """The correct rounding could not be certified within MAX_PREC bits."""


# ---------------------------------------------------------------------------------------------
# dyadic numbers: value = N · 2^E with N a Python int

def to_dyadic(array: np.ndarray) -> tuple[np.ndarray, int]:
    """A float64 array as (object array of ints N, exponent E) with array == N·2^E exactly."""
    flat = np.ascontiguousarray(array, dtype=np.float64).ravel()
    if not np.all(np.isfinite(flat)):
        raise ValueError("exact: expected finite numbers")
    mant, expo = np.frexp(flat)
    ints = (mant * 2.0 ** 53).astype(np.int64)  # exact: |mant| < 1, 53 bits
    expo = expo.astype(np.int64) - 53
    nonzero = ints != 0
    e_min = int(expo[nonzero].min()) if nonzero.any() else 0
    out = np.empty(flat.shape, dtype=object)
    for i, (m, e) in enumerate(zip(ints.tolist(), expo.tolist())):
        out[i] = m << (e - e_min) if m else 0
    return out.reshape(np.shape(array)), e_min


def round_dyadic(n: int, e: int) -> float:
    """N·2^E rounded to the nearest float64, ties to even; ±inf beyond the range; subnormals exact."""
    if n == 0:
        return 0.0
    bits = abs(n).bit_length()
    if bits + e > 1025:  # |x| ≥ 2^1024
        return -math.inf if n < 0 else math.inf
    if bits + e < -1076:  # |x| < 2^-1076, below half the smallest subnormal
        return -0.0 if n < 0 else 0.0
    try:
        if e >= 0:
            return float(n << e)
        return n / (1 << -e)  # CPython's int true division is correctly rounded, subnormals included
    except OverflowError:
        return -math.inf if n < 0 else math.inf


def _round_array(ints: np.ndarray, e: int) -> np.ndarray:
    return np.array([round_dyadic(int(v), e) for v in ints.ravel()], dtype=np.float64).reshape(ints.shape)


def _same_float(a: float, b: float) -> bool:
    """Equal, and the same sign when zero: −0.0 and +0.0 are different results here."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _round_interval(center: np.ndarray, radius: np.ndarray, e: int, settle_zero: bool) -> tuple[np.ndarray, bool]:
    """Round center·2^e; certified when center±radius round to the same value everywhere.

    An interval around zero whose ends round to −0.0 and +0.0 holds either an exact zero (terms that
    cancel exactly, e.g. a batch row repeated with opposite upstream) or a value too small for its sign
    to be seen yet: more precision (a wider span) shows which, so it is uncertain until
    ``settle_zero``, past which no float64 product is left in the radius and it is the exact zero +0.0.
    """
    out = np.empty(center.shape, dtype=np.float64)
    ok = True
    for idx, (c, r) in enumerate(zip(center.ravel().tolist(), radius.ravel().tolist())):
        value = round_dyadic(c, e)
        if r:
            low, high = round_dyadic(c - r, e), round_dyadic(c + r, e)
            if not (low == value == high):
                ok = False
            elif not (_same_float(low, value) and _same_float(value, high)):
                if settle_zero:
                    value = 0.0
                else:
                    ok = False
        out.flat[idx] = value
    return out, ok


def _align(parts: list[tuple[np.ndarray, int]]) -> tuple[list[np.ndarray], int]:
    """Bring (ints, exponent) pairs to their smallest exponent."""
    e = min(p[1] for p in parts)
    return [p[0] * (1 << (p[1] - e)) if p[1] != e else p[0] for p in parts], e


def _abs(a: np.ndarray) -> np.ndarray:
    return np.abs(a).astype(object)


# ---------------------------------------------------------------------------------------------
# the transcendental activations, from an exact z

def _mpf_exact(n: int, e: int) -> mpmath.mpf:
    """N·2^E as an mpf, exactly (mpf((n, e)) would round to the working precision)."""
    return mpmath.mp.make_mpf(from_man_exp(n, e)) if n else mpmath.mpf(0)


def activation_values(name: str, n: int, e: int, prec: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(f(z), f'(z)) for z = N·2^E at ``prec`` bits, both formed without cancellation.

    −|z| and −2|z| are built exactly (mpmath's unary minus and abs would round z first)."""
    with mpmath.workprec(prec):
        if name == "sigmoid":
            q = mpmath.exp(_mpf_exact(-abs(n), e))       # e^(−|z|) ≤ 1
            value = 1 / (1 + q) if n >= 0 else q / (1 + q)  # σ(|z|), or σ(−|z|) = q/(1+q)
            slope = q / (1 + q) ** 2                      # σ(z)σ(−z)
        elif name == "tanh":
            value = mpmath.tanh(_mpf_exact(n, e))
            q = mpmath.exp(_mpf_exact(-abs(n), e + 1))   # e^(−2|z|)
            slope = 4 * q / (1 + q) ** 2                  # sech²(z)
        else:
            raise ValueError(f"exact: no exact form for the activation {name!r} (docs/architecture.md, "
                             f"adding an activation, step 4)")
    return value, slope


def _mp_to_dyadic(x: mpmath.mpf) -> tuple[int, int]:
    """An mpf as (N, E), exactly."""
    sign, man, exp, _ = x._mpf_
    if not man:
        return 0, 0
    return (-int(man) if sign else int(man)), int(exp)


def _radius(lo: mpmath.mpf, hi: mpmath.mpf, prec: int) -> tuple[int, int]:
    """An upper bound of hi's error, as (N, E): twice (|hi − lo| + 2^(8−2p)|hi|), plus one unit."""
    with mpmath.workprec(64):
        r = 2 * (abs(hi - lo) + abs(hi) * mpmath.ldexp(1, 8 - 2 * prec))
    n, e = _mp_to_dyadic(r)
    return (n + 1, e) if n else (0, 0)


def _certified(n: int, e: int, rn: int, re_: int) -> tuple[float, bool]:
    """round(N·2^E), and whether every value within RN·2^RE of it rounds the same."""
    value = round_dyadic(n, e)
    if not rn:
        return value, True
    k = min(e, re_)
    c, r = n << (e - k), rn << (re_ - k)
    return value, round_dyadic(c - r, k) == value == round_dyadic(c + r, k)


# ---------------------------------------------------------------------------------------------

def exact_case(spec: Any) -> dict[str, np.ndarray]:
    """The four result arrays, each element the correctly rounded exact value."""
    spec = normalize_spec(spec)
    prec = START_PREC
    while True:
        result = _exact_case_at(spec, prec)
        if result is not None:
            return result
        prec *= 2
        if prec > MAX_PREC:
            raise ExactnessError(f"exact: correct rounding not certified within {MAX_PREC} bits")


def _exact_case_at(spec: dict[str, Any], prec: int) -> dict[str, np.ndarray] | None:
    name = spec["activation"]
    X, ex = to_dyadic(spec["inputs"])
    W, ew = to_dyadic(spec["weights"])
    B, eb = to_dyadic(spec["biases"])
    U, eu = to_dyadic(spec["upstream"])
    (XW, Bz), ez = _align([(X @ W, ex + ew), (B, eb)])
    Z = XW + Bz  # z = Z·2^ez exactly, shape (batch, out)

    if name in ("linear", "relu"):
        if name == "linear":
            out_ints, D = Z, U
        else:
            positive = np.vectorize(lambda v: v > 0, otypes=[bool])(Z)
            out_ints = np.where(positive, Z, 0).astype(object)
            D = np.where(positive, U, 0).astype(object)
        output = _round_array(out_ints, ez)
        R = np.zeros(D.shape, dtype=object)
        ed = eu
    else:
        shape = Z.shape
        outputs = np.empty(shape, dtype=np.float64)
        d_terms: list[tuple[int, int]] = []
        r_terms: list[tuple[int, int]] = []
        ok = True
        for idx in np.ndindex(shape):
            zn = int(Z[idx])
            u = int(U[idx])
            if zn == 0:  # z exactly 0: f and f' are exact (σ: 1/2, 1/4; tanh: 0, 1), no radius
                (v_n, v_e), (s_n, s_e) = ((1, -1), (1, -2)) if name == "sigmoid" else ((0, 0), (1, 0))
                outputs[idx] = round_dyadic(v_n, v_e)
                d_terms.append((u * s_n, eu + s_e))
                r_terms.append((0, 0))
                continue
            lo_v, lo_s = activation_values(name, zn, ez, prec)
            hi_v, hi_s = activation_values(name, zn, ez, 2 * prec)
            # the two precisions must agree to within what p bits promise, or p is raised
            with mpmath.workprec(64):
                for lo, hi in ((lo_v, hi_v), (lo_s, hi_s)):
                    if hi and abs(lo - hi) > abs(hi) * mpmath.ldexp(1, 10 - prec):
                        return None
            value, certain = _certified(*_mp_to_dyadic(hi_v), *_radius(lo_v, hi_v, prec))
            ok &= certain
            outputs[idx] = value
            s_n, s_e = _mp_to_dyadic(hi_s)
            sr_n, sr_e = _radius(lo_s, hi_s, prec)
            # dZ = upstream · slope, exactly (a float64 times a dyadic), and its radius
            d_terms.append((u * s_n, eu + s_e))
            r_terms.append((abs(u) * sr_n, eu + sr_e))
        if not ok:
            return None
        output = outputs
        D, R, ed = _common_scale(d_terms, r_terms, shape, SPAN * prec // START_PREC)

    # the three products and the bias sum, exact on integers; radii alongside
    results = {"output": output}
    absX, absW = _abs(X), _abs(W)
    for array, center, radius, e in (
            ("dWeights", X.T @ D, absX.T @ R, ex + ed),
            ("dBiases", D.sum(axis=0, keepdims=True), R.sum(axis=0, keepdims=True), ed),
            ("dInputs", D @ W.T, R @ absW.T, ed + ew)):
        rounded, ok = _round_interval(np.asarray(center, dtype=object), np.asarray(radius, dtype=object), e,
                                      settle_zero=prec >= SETTLE_ZERO_PREC)
        if not ok:
            return None
        results[array] = rounded
    return results


def _common_scale(d_terms: list[tuple[int, int]], r_terms: list[tuple[int, int]],
                  shape: tuple[int, ...], span: int) -> tuple[np.ndarray, np.ndarray, int]:
    """dZ and its radius as integers over one power of two. Terms more than SPAN bits below the
    largest are truncated toward zero; each truncation adds one unit to that element's radius."""
    tops = [n.bit_length() + e for n, e in d_terms + r_terms if n]
    if not tops:
        return np.zeros(shape, dtype=object), np.zeros(shape, dtype=object), 0
    low = min(e for n, e in d_terms + r_terms if n)
    e_common = max(low, max(tops) - span)
    D = np.empty(len(d_terms), dtype=object)
    R = np.empty(len(d_terms), dtype=object)
    for i, ((dn, de), (rn, re_)) in enumerate(zip(d_terms, r_terms)):
        d, d_lost = _shift(dn, de - e_common)
        r, r_lost = _shift(rn, re_ - e_common)
        D[i] = d
        R[i] = r + d_lost + r_lost + (1 if r_lost else 0)
    return D.reshape(shape), R.reshape(shape), e_common


def _shift(n: int, k: int) -> tuple[int, int]:
    """(n·2^k truncated toward zero, 1 if anything was lost else 0)."""
    if k >= 0:
        return n << k, 0
    m = abs(n) >> -k
    lost = int((m << -k) != abs(n))
    return (m if n >= 0 else -m), lost


def run_batch(request: str) -> str:
    """python_core.wire.run_batch's contract, with the exact arrays: JSON request in, JSON response out."""
    import json

    from python_core.wire import decode_spec, encode_array, error_record

    results = []
    for case in json.loads(request)["cases"]:
        try:
            arrays = exact_case(decode_spec(case))
            results.append({"ok": True, "arrays": {k: encode_array(arrays[k]) for k in RESULT_ARRAYS}})
        except Exception as exc:  # reported per case, as every runtime does
            results.append({"ok": False, "error": error_record(exc)})
    return json.dumps({"results": results, "versions": versions()})


def versions() -> dict[str, str]:
    import platform

    return {"python": platform.python_version(), "mpmath": mpmath.__version__, "method": "exact, correctly rounded"}
