"""Training parity: one runtime's per-epoch losses and final weights against another's, from the same initial bits."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..parity.compare import Tolerance, compare_arrays, ulp_distance


def training_parity(run: dict[str, Any], reference: dict[str, Any], tolerance: Tolerance) -> dict[str, Any]:
    """Per-epoch loss differences of ``run`` against ``reference``, and the final weights'."""
    a, ref = run["losses"], reference["losses"]
    stats = compare_arrays(a, ref, tolerance)
    out: dict[str, Any] = {"runtime": run["runtime"], "reference": reference["runtime"],
                           "tolerance": {"rtol": tolerance.rtol, "atol": tolerance.atol, "exact": tolerance.exact},
                           "epochs": int(ref.size), "losses": stats}
    if a.shape == ref.shape and a.size:
        abs_diff = np.abs(a - ref)
        rel = abs_diff / np.maximum(np.abs(ref), np.finfo(float).tiny)
        ulps = ulp_distance(a, ref)
        limit = tolerance.atol + tolerance.rtol * np.abs(ref)
        over = np.flatnonzero(abs_diff > limit) if not tolerance.exact else np.flatnonzero(ulps > 0)
        out["losses"].update({
            "worst_epoch": int(np.argmax(abs_diff)) + 1,
            "max_rel_diff": float(rel.max()),
            "identical_epochs": int(np.count_nonzero(ulps == 0)),
            "first_differing_epoch": int(np.flatnonzero(ulps)[0]) + 1 if np.any(ulps) else None,
            "epochs_over_tolerance": int(over.size),
            "first_epoch_over_tolerance": int(over[0]) + 1 if over.size else None,
            "max_ulp_by_decile": [int(ulps[i * ulps.size // 10:(i + 1) * ulps.size // 10].max(initial=0))
                                  for i in range(10)],
        })
    weights = [compare_arrays(w, r, tolerance) for w, r in zip(run["state"]["weights"], reference["state"]["weights"])]
    initial = [compare_arrays(w, r, Tolerance(exact=True))
               for w, r in zip(run["initial_state"]["weights"], reference["initial_state"]["weights"])]
    out["initial_weights_bit_identical"] = all(c["bit_identical"] for c in initial)
    rel = max(float(np.max(np.abs(w - r) / np.maximum(np.abs(r), np.finfo(float).tiny)))
              for w, r in zip(run["state"]["weights"], reference["state"]["weights"]))
    out["final_weights"] = {"max_abs_diff": max(c["max_abs_diff"] for c in weights),
                            "max_ulp": max(c["max_ulp"] for c in weights), "max_rel_diff": rel,
                            "ok": all(c["ok"] for c in weights)}
    same_classes = {}
    for split in ("train", "test"):
        if split in run and split in reference:
            same_classes[split] = bool(np.array_equal(run[split]["output"] >= 0.5, reference[split]["output"] >= 0.5))
    out["same_predicted_classes"] = same_classes
    # The verdict is the criterion, the loss curve, from the same starting bits (different
    # initial weights would make any agreement of the curves meaningless); the final weights are
    # reported beside it with their own verdict (they drift further than the loss: see the README).
    out["ok"] = bool(stats["ok"]) and out["initial_weights_bit_identical"]
    return out
