"""``probe-libm``: how often each runtime's exp and tanh are not correctly rounded.

The arguments (``draw_arguments``), as the README's measurement drew them: N float64 values, a fifth
each from U(−745, 709), U(−20, 20), U(−1, 1), 1e-3·N(0, 1) and 1e-10·N(0, 1), with NumPy's PCG64
from one seed. Each runtime evaluates them through ``call_entry``: Python runtimes call
``python_core.libm:probe_libm`` (numpy.exp/tanh, which the layer uses, and the C library's
math.exp/tanh), JavaScript runtimes ``wire:probeLibm`` (Math.exp/Math.tanh). Every result is
compared bit for bit with the correctly rounded value (mpmath at 160 bits, confirmed at 320).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from python_core.wire import decode_array, encode_array

from .explain import correctly_rounded

PYTHON_TARGET = "python_core.libm:probe_libm"
JS_TARGET = "wire:probeLibm"
RANGES = ("U(-745, 709)", "U(-20, 20)", "U(-1, 1)", "1e-3·N(0,1)", "1e-10·N(0,1)")


def draw_arguments(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(arguments, which of RANGES each came from)."""
    rng = np.random.default_rng(seed)
    per = [count // 5 + (1 if i < count % 5 else 0) for i in range(5)]
    parts = [rng.uniform(-745, 709, per[0]), rng.uniform(-20, 20, per[1]), rng.uniform(-1, 1, per[2]),
             1e-3 * rng.standard_normal(per[3]), 1e-10 * rng.standard_normal(per[4])]
    return np.concatenate(parts), np.repeat(np.arange(5), per)


def correct_values(x: np.ndarray) -> dict[str, np.ndarray]:
    return {fn: np.array([correctly_rounded(fn, float(v)) for v in x.tolist()], dtype=np.float64)
            for fn in ("exp", "tanh")}


def exact_libm_json(request: str) -> str:
    """The exact runtime's answer: the correctly rounded values themselves."""
    x = decode_array(json.loads(request)["x"])
    cr = correct_values(x)
    return json.dumps({"exact.exp": encode_array(cr["exp"]), "exact.tanh": encode_array(cr["tanh"])})


def target_for(runtime_cls) -> str:
    return JS_TARGET if runtime_cls.language == "javascript" else PYTHON_TARGET


def tally_libm(results: dict[str, dict[str, np.ndarray]], correct: dict[str, np.ndarray],
               ranges: np.ndarray) -> list[dict[str, Any]]:
    """One row per runtime and function: how many results are not correctly rounded, overall and per range."""
    from .compare import ulp_distance

    rows = []
    for runtime, per_fn in results.items():
        for name, values in per_fn.items():
            fn = "exp" if name.endswith("exp") else "tanh"
            ulps = ulp_distance(values, correct[fn])
            wrong = ulps != 0
            rows.append({"runtime": runtime, "function": name, "samples": int(values.size),
                         "not_correctly_rounded": int(wrong.sum()), "share": float(wrong.mean()),
                         "max_ulp": int(ulps.max()),
                         "share_by_range": {RANGES[i]: float(wrong[ranges == i].mean()) for i in range(len(RANGES))}})
    return rows


def format_libm(rows: list[dict[str, Any]]) -> str:
    table = [("runtime", "function", "samples", "not correctly rounded", "share", "max ULP", *RANGES)]
    for r in rows:
        table.append((r["runtime"], r["function"], str(r["samples"]), str(r["not_correctly_rounded"]),
                      f"{100 * r['share']:.3f} %", str(r["max_ulp"]),
                      *(f"{100 * r['share_by_range'][k]:.2f} %" for k in RANGES)))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
