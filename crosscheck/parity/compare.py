"""Array comparison in absolute terms and in units in the last place (ULP).

The ULP distance between two float64 values is how many representable doubles lie between
them: map each bit pattern to a signed integer that increases with the value (so that −0.0
and +0.0 both map to 0) and subtract.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from python_core.facts import DEFAULT_ATOL, DEFAULT_RTOL

# A tolerance this loose accepts an error in the third significant digit: a wrong gradient (twice too
# large, a missing term) passes. Used only when asked for (--loose), and then named by the verdict.
LOOSE_TOLERANCE = 1e-3


def is_loose(rtol: float, atol: float, exact: bool = False) -> bool:
    return not exact and (rtol >= LOOSE_TOLERANCE or atol >= LOOSE_TOLERANCE)


def loose_words(rtol: float, atol: float) -> str:
    """How a verdict names a loose tolerance: ``loose: rtol 1, atol 0``."""
    return f"loose: rtol {rtol:g}, atol {atol:g}"


def loose_note(tolerance: dict) -> str:
    """`` (loose: rtol 1, atol 0)`` for a report's loose ``tolerance`` (rtol, atol, exact), else ""."""
    rtol, atol = tolerance.get("rtol", 0), tolerance.get("atol", 0)
    return f" ({loose_words(rtol, atol)})" if is_loose(rtol, atol, tolerance.get("exact", False)) else ""


@dataclass(frozen=True)
class Tolerance:
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    exact: bool = False  # bit identity: every bit, the sign of zero included
    # "terms": rtol applies to max(|ref|, the magnitude of the terms summed into it) (crosscheck.parity.error_bounds);
    # "result": to |ref| alone, which fails correct runtimes wherever a sum cancels.
    relative_to: str = "terms"
    # A (n,) array where the reference's is (1, n), or the reverse: the same numbers, compared element by
    # element and noted (the default), or a failure naming both shapes.
    strict_shapes: bool = False

    def describe(self, author_reference: bool = False) -> str:
        """The rule in one line; ``author_reference``: the reference ran an author's file, whose own
        terms the harness cannot know, so the scale also takes the array's largest magnitude."""
        if self.exact:
            return "bit-identical"
        if self.relative_to == "result":
            scale = "|ref|"
        elif author_reference:
            scale = "max(|ref|, Σ|terms| with the derivative's factor ≥ 1, max|ref| over the array)"
        else:
            scale = "max(|ref|, Σ|terms|)"
        return f"|a−ref| ≤ {self.atol:g} + {self.rtol:g}·{scale}"


def _ordered(x: np.ndarray) -> np.ndarray:
    bits = np.ascontiguousarray(x, dtype=np.float64).view(np.int64)
    return np.where(bits < 0, np.int64(np.iinfo(np.int64).min) - bits, bits)


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise ULP distance as uint64; NaN against anything but NaN is the maximum uint64."""
    oa, ob = _ordered(a), _ordered(b)
    # Two's-complement subtraction in uint64 is exact for any true distance below 2**64.
    ua, ub = oa.astype(np.uint64), ob.astype(np.uint64)
    dist = np.where(oa >= ob, ua - ub, ub - ua)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    dist = np.where(nan_a & nan_b, np.uint64(0), dist)
    return np.where(nan_a ^ nan_b, np.iinfo(np.uint64).max, dist)


SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)


def tolerance_used(abs_diff: np.ndarray, same: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Per element, |a − ref| / allowed: 0 where equal, 1 at the edge of the tolerance, inf where
    nothing is allowed but the values differ (or one is NaN and the other is not)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        used = np.where(same, 0.0, abs_diff / allowed)
    return np.where(np.isnan(used), np.inf, used)


def ulps_at_scale(abs_diff: np.ndarray, magnitude: np.ndarray) -> np.ndarray:
    """|a − ref| in units of the last place of the element's own magnitude (at least the smallest
    normal double), rather than the count of doubles between a and ref, which explodes near zero:
    between +3e-15 and −1e-15 lie ~8.5e18 doubles, yet both are 0 to within 2 ULP of 1."""
    with np.errstate(over="ignore", invalid="ignore"):
        return abs_diff / np.spacing(np.maximum(magnitude, SMALLEST_NORMAL))


def shape_mismatch(reason: str) -> dict:
    """A comparison that could not be made element by element: a failure, with why."""
    return {"max_abs_diff": None, "max_ulp": None, "worst_index": None, "bit_identical": False, "ok": False,
            "tolerance_used": None, "ulp_at_scale": None, "worst_tolerance_index": None, "sign_differs": 0,
            "reason": reason}


def _as_float_array(value) -> np.ndarray | None:
    try:
        return np.asarray(value, np.float64)
    except (TypeError, ValueError):
        return None


def compare_arrays(value: np.ndarray, reference: np.ndarray, tolerance: Tolerance = Tolerance(),
                   scale: np.ndarray | None = None) -> dict:
    """max_abs_diff, max_ulp, worst_index (by ULP), bit_identical and ok for one array pair; and the
    element closest to failing: ``tolerance_used`` (max |a − ref| / (atol + rtol·scale), ≤ 1 passes),
    ``worst_tolerance_index``, ``ulp_at_scale`` there (|a − ref| in ULPs of that element's magnitude,
    max(|ref|, the magnitude of its terms)), its ``worst_value``/``worst_reference``, and
    ``sign_differs`` (elements of opposite sign that are not equal, so ±0 aside).

    ``scale`` (the magnitude of the terms behind each element) widens rtol's reference when
    tolerance.relative_to is "terms"; ``ok_relative_to_result`` says whether |ref| alone would do.
    Any pair of shapes is taken (scalars, empty arrays, any number of dimensions): two that differ are
    a failure whose ``reason`` names both, never an exception.
    """
    value_in, reference_in = value, reference
    value, reference = _as_float_array(value), _as_float_array(reference)
    if value is None or reference is None:
        which = "the value" if value is None else "the reference"
        bad = value_in if value is None else reference_in
        return shape_mismatch(f"{which} is not an array of numbers ({type(bad).__name__})")
    note = None
    if value.shape != reference.shape and _row_and_vector(value.shape, reference.shape):
        if tolerance.strict_shapes:
            return shape_mismatch(f"shape {value.shape} differs from the reference's {reference.shape} "
                                  "(--strict-shapes)")
        # A gradient of shape (n,) against (1, n) (math.js's sum(…, 0) gives a vector): the same
        # numbers, compared element by element, and the difference of shape noted.
        note = f"shape {value.shape} compared element by element with the reference's {reference.shape}"
        value = value.reshape(reference.shape)
    if value.shape != reference.shape:
        return shape_mismatch(f"shape {value.shape} differs from the reference's {reference.shape}")
    bit_identical = bool(np.array_equal(value.view(np.int64), reference.view(np.int64)))
    if value.size == 0:
        return {"max_abs_diff": 0.0, "max_ulp": 0, "worst_index": None, "bit_identical": True, "ok": True,
                "tolerance_used": 0.0, "ulp_at_scale": 0.0, "worst_tolerance_index": None, "sign_differs": 0,
                **({"shape_note": note} if note else {})}
    same = (value == reference) | (np.isnan(value) & np.isnan(reference))
    with np.errstate(invalid="ignore"):
        abs_diff = np.where(same, 0.0, np.abs(value - reference))
    ulps = ulp_distance(value, reference)
    worst = np.unravel_index(int(np.argmax(ulps)), ulps.shape)
    result_magnitude = np.abs(reference)
    magnitude = result_magnitude
    if scale is not None and tolerance.relative_to == "terms":
        scale = _as_float_array(scale)
        if scale is not None and scale.shape != reference.shape and scale.size == reference.size:
            scale = scale.reshape(reference.shape)  # a (n,) reference, (1, n) terms
        # Terms of another shape than the reference's (an author's array the layer cannot give) say
        # nothing of its elements: |ref| alone then.
        if scale is not None and scale.shape == reference.shape:
            magnitude = np.maximum(result_magnitude, scale)
    with np.errstate(invalid="ignore"):
        ok_result = bool(np.all(same | (abs_diff <= tolerance.atol + tolerance.rtol * result_magnitude)))
        ok_terms = bool(np.all(same | (abs_diff <= tolerance.atol + tolerance.rtol * magnitude)))
    ok = bit_identical if tolerance.exact else ok_terms
    max_abs = float(np.nanmax(abs_diff)) if not np.isnan(abs_diff).all() else float("nan")
    used = tolerance_used(abs_diff, same, tolerance.atol + tolerance.rtol * magnitude)
    closest = np.unravel_index(int(np.argmax(used)), used.shape)
    at_scale = ulps_at_scale(abs_diff[closest], np.maximum(magnitude[closest], result_magnitude[closest]))
    with np.errstate(invalid="ignore"):
        opposite = (np.signbit(value) != np.signbit(reference)) & ~same & ~np.isnan(value) & ~np.isnan(reference)
    stats = {"max_abs_diff": max_abs, "max_ulp": int(ulps[worst]), "worst_index": [int(i) for i in worst],
            "bit_identical": bit_identical, "ok": ok, "ok_relative_to_result": ok_result,
            "tolerance_used": float(used[closest]),
            "ulp_at_scale": None if np.isnan(at_scale) else float(at_scale),
            "worst_tolerance_index": [int(i) for i in closest],
            "worst_value": float(value[closest]), "worst_reference": float(reference[closest]),
            "worst_sign_differs": bool(opposite[closest]), "sign_differs": int(opposite.sum())}
    if note:
        stats["shape_note"] = note
    return stats


def array_scale(reference: np.ndarray) -> np.ndarray:
    """The array's largest finite magnitude, for every element: the normwise scale of an array whose
    terms are unknown (an author's file may compute anything; its rounding scales with what it sums,
    which is at least what its largest element shows)."""
    reference = np.abs(np.asarray(reference, np.float64))
    finite = reference[np.isfinite(reference)]
    return np.full(reference.shape, float(finite.max()) if finite.size else 0.0)


def _row_and_vector(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """(n,) against (1, n), either way round."""
    return (len(a) == 1 and b == (1, a[0])) or (len(b) == 1 and a == (1, b[0]))
