"""``python -m crosscheck tally REPORT.json``: where runtimes agree bit for bit, and where they do not.

Reads a report written by ``python -m crosscheck … --json`` and compares every pair of runtimes
(not only each against native) per activation and per array: how many arrays are bit-identical,
the largest ULP distance, and how many elements differ only in the sign of a zero. This is the
tool behind the README's measured findings.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import numpy as np

from python_core import RESULT_ARRAYS

from .compare import _row_and_vector, ulp_distance
from .report import VALUES_FLAG, omitted_cases


class ValuesOmitted(ValueError):
    """The report lacks the values a tool needs (written without --json-values full)."""


def tally(report: dict[str, Any]) -> dict[tuple[str, str, str, str], dict[str, int]]:
    """{(runtime a, runtime b, activation, array): {arrays, identical, equal, max_ulp, signed_zero, shape_differs}}.

    ``identical`` counts arrays equal bit for bit, ``equal`` arrays equal as numbers (±0 aside),
    ``signed_zero`` the elements that are zero in both but with different signs, and ``shape_differs``
    the arrays of two shapes (a transposed gradient, say), counted in ``arrays`` but in neither
    ``identical`` nor ``equal``: not compared, and never taken for agreement."""
    omitted = omitted_cases(report)
    if omitted:
        raise ValuesOmitted(f"{omitted} of the report's {len(report['cases'])} cases were written without their "
                            f"values (only failing cases keep them); tally compares every pair of runtimes on "
                            f"every case: write the report with {VALUES_FLAG}")
    runtimes = [name for name, info in report["runtimes"].items() if info.get("ok")]
    counts: dict[tuple[str, str, str, str], dict[str, int]] = defaultdict(
        lambda: {"arrays": 0, "identical": 0, "equal": 0, "max_ulp": 0, "signed_zero": 0, "shape_differs": 0})
    for case in report["cases"]:
        activation = case["spec"]["activation"]
        for a, b in itertools.combinations(runtimes, 2):
            ra, rb = case["results"].get(a, {}), case["results"].get(b, {})
            if "error" in ra or "error" in rb:
                continue
            for array in RESULT_ARRAYS:
                x, y = np.asarray(ra[array], np.float64), np.asarray(rb[array], np.float64)
                entry = counts[(a, b, activation, array)]
                entry["arrays"] += 1
                if x.shape != y.shape and _row_and_vector(x.shape, y.shape):
                    x, y = x.reshape(-1), y.reshape(-1)  # (n,) against (1, n): the same numbers, as compare does
                if x.shape != y.shape:
                    entry["shape_differs"] += 1
                    continue
                same_bits = x.view(np.int64) == y.view(np.int64)
                entry["identical"] += int(same_bits.all())
                entry["equal"] += int((x == y).all())  # equal as numbers: +0.0 == -0.0
                entry["signed_zero"] += int(((x == 0) & (y == 0) & ~same_bits).sum())
                entry["max_ulp"] = max(entry["max_ulp"], int(ulp_distance(x, y).max()) if x.size else 0)
    return counts


def format_tally(counts: dict[tuple[str, str, str, str], dict[str, int]]) -> str:
    rows = [("runtime pair", "activation", "array", "bit-identical", "equal but ±0", "max ULP", "±0 elements")]
    for (a, b, activation, array), e in sorted(counts.items()):
        rows.append((f"{a} ~ {b}", activation, array, f"{e['identical']}/{e['arrays']}",
                     str(e["equal"] - e["identical"]), str(e["max_ulp"]), str(e["signed_zero"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    # One line per pair: the activations for which every array was bit-identical.
    lines.append("")
    pairs = sorted({(a, b) for a, b, _, _ in counts})
    for a, b in pairs:
        identical: dict[str, bool] = {}
        equal: dict[str, bool] = {}
        for (pa, pb, activation, _), e in counts.items():
            if (pa, pb) == (a, b):
                identical[activation] = identical.get(activation, True) and e["identical"] == e["arrays"]
                equal[activation] = equal.get(activation, True) and e["equal"] == e["arrays"]
        same = sorted(k for k, v in identical.items() if v)
        up_to_zero = sorted(k for k, v in equal.items() if v and not identical[k])
        line = f"{a} ~ {b}: bit-identical for " + (", ".join(same) if same else "no activation")
        if up_to_zero:
            line += f"; equal but for the sign of zeros for {', '.join(up_to_zero)}"
        lines.append(line)
    differ = [(key, e["shape_differs"]) for key, e in sorted(counts.items()) if e.get("shape_differs")]
    if differ:
        lines.append("")
        lines.append(f"not compared: {sum(n for _, n in differ)} array pairs of two shapes (counted in the "
                     "arrays, never as identical): "
                     + ", ".join(f"{a} ~ {b} {activation} {array} ×{n}" for (a, b, activation, array), n in differ))
    return "\n".join(lines)
