"""Accuracy beside parity: how far each runtime is from the exact, correctly rounded result.

With the ``exact`` runtime in a run, every other runtime's arrays are measured against it:

    ulp_vs_exact         ULPs between the runtime's value and the correctly rounded exact value
    bits_error_vs_exact  log2(1 + ulp_vs_exact), Herbie's "bits of error" (0 when correctly
                         rounded, 1 for one ULP, 64 at most)

each as ``{"max", "mean"}`` over the array's elements. The summary names, per activation and
array, the runtime with the lowest mean bits of error over every element of every case (the
closest to the truth), with each runtime's mean and max beside it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .compare import ulp_distance

EXACT = "exact"


def bits_of_error(ulps: np.ndarray) -> np.ndarray:
    """log2(1 + ulps), element-wise, from the uint64 ULP distance (exact for the small counts)."""
    return np.log2(1.0 + ulps.astype(np.float64))


def accuracy_fields(value: np.ndarray, exact: np.ndarray) -> dict[str, Any]:
    """``ulp_vs_exact`` and ``bits_error_vs_exact`` (max and mean) of one array, plus the sums the
    summary pools (``n``, ``bits_sum``)."""
    value, exact = np.asarray(value, np.float64), np.asarray(exact, np.float64)
    if value.shape != exact.shape or value.size == 0:
        return {}
    ulps = ulp_distance(value, exact)
    bits = bits_of_error(ulps)
    return {"ulp_vs_exact": {"max": int(ulps.max()), "mean": float(ulps.astype(np.float64).mean())},
            "bits_error_vs_exact": {"max": float(bits.max()), "mean": float(bits.mean())},
            "elements": int(ulps.size)}


def case_accuracy(results: dict[str, dict[str, np.ndarray]], arrays: tuple[str, ...]) -> list[dict[str, Any]]:
    """One entry per runtime (not exact) and array: the runtime's accuracy against exact."""
    exact = results.get(EXACT)
    if exact is None:
        return []
    entries = []
    for runtime, per_array in results.items():
        if runtime == EXACT or per_array is None:
            continue
        for array in arrays:
            fields = accuracy_fields(per_array[array], exact[array])
            if fields:
                entries.append({"runtime": runtime, "array": array, **fields})
    return entries


def summarize_accuracy(report_cases: list[dict[str, Any]]) -> dict[str, Any]:
    """{activation: {array: {"closest": [runtime, …], "runtimes": {runtime: {mean_bits, max_bits,
    max_ulp, elements, exact_elements_share}}}}}, pooled over the cases' elements."""
    pooled: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for case in report_cases:
        activation = case["spec"]["activation"]
        for entry in case.get("accuracy", []):
            slot = pooled.setdefault(activation, {}).setdefault(entry["array"], {}).setdefault(
                entry["runtime"], {"n": 0, "bits_sum": 0.0, "max_bits": 0.0, "max_ulp": 0})
            n = entry["elements"]
            slot["n"] += n
            slot["bits_sum"] += entry["bits_error_vs_exact"]["mean"] * n
            slot["max_bits"] = max(slot["max_bits"], entry["bits_error_vs_exact"]["max"])
            slot["max_ulp"] = max(slot["max_ulp"], entry["ulp_vs_exact"]["max"])
    summary: dict[str, Any] = {}
    for activation, per_array in sorted(pooled.items()):
        for array, per_runtime in per_array.items():
            runtimes = {r: {"mean_bits": s["bits_sum"] / s["n"] if s["n"] else 0.0, "max_bits": s["max_bits"],
                            "max_ulp": s["max_ulp"], "elements": s["n"]} for r, s in per_runtime.items()}
            best = min(v["mean_bits"] for v in runtimes.values())
            closest = sorted(r for r, v in runtimes.items() if math.isclose(v["mean_bits"], best, rel_tol=1e-12,
                                                                             abs_tol=1e-15))
            summary.setdefault(activation, {})[array] = {"closest": closest, "runtimes": runtimes}
    return summary


def format_accuracy(summary: dict[str, Any]) -> str:
    """The table: per activation and array, the closest runtime(s) and every runtime's mean/max bits."""
    if not summary:
        return ""
    runtimes = sorted({r for per_array in summary.values() for e in per_array.values() for r in e["runtimes"]})
    rows = [("activation", "array", "closest to exact", *[f"{r} mean/max bits" for r in runtimes])]
    for activation, per_array in summary.items():
        for array, entry in per_array.items():
            cells = []
            for r in runtimes:
                v = entry["runtimes"].get(r)
                cells.append("—" if v is None else f"{v['mean_bits']:.4g} / {v['max_bits']:.3g}")
            rows.append((activation, array, ", ".join(entry["closest"]), *cells))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return ("accuracy against exact (bits of error = log2(1 + ULPs from the correctly rounded value)):\n"
            + "\n".join(lines))
