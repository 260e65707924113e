"""Comparing a runtime's results for a check with the reference's, for functions the harness knows nothing about.

The rule (docs/authors.md has the figures): per output, element by element,

    |a − ref| ≤ atol + rtol · max|ref|      (max over the output's whole array, finite elements)

with rtol 1e-10 and atol 1e-15 by default. The harness cannot know which terms were summed into an
element, so the array's own largest magnitude stands for them: a gradient element that cancels to
nearly nothing is held to the accuracy of the array it belongs to, not to its own tiny size. A
relative error of 1e-6 anywhere in the largest elements, or of 1e-6 · max|ref| in any element, fails.
The figures come from crosscheck.parity.compare (ULPs, the share of the tolerance used).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..parity.compare import Tolerance as ParityTolerance
from ..parity.compare import compare_arrays
from .cases import LessonCase
from .manifest import Check, ManifestError, Tolerance
from .run import RuntimeResult


def describe_rule(tol: Tolerance) -> str:
    if tol.exact:
        return "bit-identical"
    return f"|a−ref| ≤ {tol.atol:g} + {tol.rtol:g}·max|ref| per element"


def array_scale(reference: np.ndarray) -> float:
    finite = np.abs(reference[np.isfinite(reference)])
    return float(finite.max()) if finite.size else 0.0


def compare_output(value: np.ndarray, reference: np.ndarray, tol: Tolerance) -> dict[str, Any]:
    scale = array_scale(reference)
    stats = compare_arrays(value, reference, ParityTolerance(rtol=tol.rtol, atol=tol.atol, exact=tol.exact),
                           scale=np.full(reference.shape, scale))
    stats["scale"] = scale
    if tol.exact:
        stats["decided_by"] = "bit-identical"
    else:
        stats["decided_by"] = "atol" if tol.atol > tol.rtol * scale else "rtol·max|ref|"
    return stats


def error_summary(error: dict[str, Any], case: LessonCase) -> dict[str, Any]:
    out = {"case": case.label, "type": error.get("type"), "message": error.get("message")}
    if error.get("file"):
        out["file"], out["line"] = error["file"], error.get("line")
    out["traceback"] = error.get("traceback", "")
    return out


def case_differences(check: Check, reference: dict[str, Any], outcome: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per output of the reference (and any the runtime adds), the comparison of one case; a failed
    comparison has ok False and a reason when there is nothing to compare element by element."""
    if not reference["ok"]:
        return {}
    if not outcome["ok"]:
        return {name: {"ok": False, "reason": "raised"} for name in reference["outputs"]}
    out = {}
    for name, ref in reference["outputs"].items():
        value = outcome["outputs"].get(name)
        if value is None:
            given = ", ".join(outcome["outputs"]) or "nothing"
            out[name] = {"ok": False, "reason": f"no output {name!r} (it gives {given})"}
        else:
            out[name] = compare_output(value, ref, check.output_tolerance(name))
    for name in outcome["outputs"]:
        if name not in reference["outputs"]:
            out[name] = {"ok": False, "reason": f"output {name!r} is not among the reference's "
                                                f"({', '.join(reference['outputs'])})"}
    return out


def case_fails(check: Check, reference: dict[str, Any], outcome: dict[str, Any]) -> bool:
    if not reference["ok"]:
        return False  # nothing to hold the runtime to
    return any(not d["ok"] for d in case_differences(check, reference, outcome).values())


def check_declared_shapes(check: Check, cases: list[LessonCase], reference: RuntimeResult) -> None:
    """A shape in the manifest's outputs that the reference's result does not have is the manifest's
    fault, or the function's: one line, exit 2, before any runtime is blamed."""
    for case, outcome in zip(cases, reference.outcomes):
        if not outcome["ok"]:
            continue
        for name, spec in check.outputs.items():
            got = outcome["outputs"].get(name)
            if got is None:
                raise ManifestError(f"{check.manifest}: check {check.name!r}: outputs.{name}: the function's result has "
                                    f"no {name!r} (it gives {', '.join(outcome['outputs'])}; {reference.runtime}, "
                                    f"case {case.label})")
            if spec.shape is None:
                continue
            expected = tuple(case.dims[e] if isinstance(e, str) else e for e in spec.shape)
            if got.shape != expected:
                raise ManifestError(f"{check.manifest}: check {check.name!r}: outputs.{name}.shape: {list(spec.shape)} is "
                                    f"{expected} at dims {case.dims}, the function's result has {got.shape} "
                                    f"({reference.runtime}, case {case.label})")


def compare_check(check: Check, cases: list[LessonCase], results: dict[str, RuntimeResult],
                  reference: str) -> dict[str, Any]:
    """The figures of every output on every runtime against ``reference``, the first error per runtime,
    and which cases fail on which runtime (for the shrinking)."""
    ref = results[reference]
    outputs: dict[str, dict[str, Any]] = {}
    errors: dict[str, dict[str, Any]] = {}
    failing: dict[str, list[int]] = {}
    if ref.ran:
        for index, outcome in enumerate(ref.outcomes):
            if not outcome["ok"]:
                errors.setdefault(reference, error_summary(outcome["error"], cases[index]))
                failing.setdefault(reference, []).append(index)
        names = list(dict.fromkeys(n for o in ref.outcomes if o["ok"] for n in o["outputs"]))
    else:
        names = []
    for name in names:
        tol = check.output_tolerance(name)
        outputs[name] = {"rule": describe_rule(tol), "rtol": tol.rtol, "atol": tol.atol, "exact": tol.exact,
                         "runtimes": {}}
    for runtime, result in results.items():
        if runtime == reference or not result.ran or not ref.ran:
            continue
        per_output: dict[str, dict[str, Any]] = {name: _empty_figures() for name in names}
        for index, (case, outcome) in enumerate(zip(cases, result.outcomes)):
            reference_outcome = ref.outcomes[index]
            if not outcome["ok"]:
                errors.setdefault(runtime, error_summary(outcome["error"], case))
            if not reference_outcome["ok"]:
                continue
            diffs = case_differences(check, reference_outcome, outcome)
            if any(not d["ok"] for d in diffs.values()):
                failing.setdefault(runtime, []).append(index)
            for name, stats in diffs.items():
                figures = per_output.setdefault(name, _empty_figures())
                _accumulate(figures, case, stats)
        for name, figures in per_output.items():
            outputs.setdefault(name, {"rule": describe_rule(check.output_tolerance(name)), "runtimes": {}})
            outputs[name]["runtimes"][runtime] = figures
    return {"outputs": outputs, "errors": errors, "failing": failing}


def _empty_figures() -> dict[str, Any]:
    return {"cases": 0, "bit_identical": 0, "ok": True, "tolerance_used": 0.0, "decided_by": None,
            "max_abs_diff": 0.0, "max_ulp": 0, "ulp_at_scale": 0.0, "worst_case": None, "worst_index": None,
            "worst_value": None, "worst_reference": None, "reason": None}


def _accumulate(figures: dict[str, Any], case: LessonCase, stats: dict[str, Any]) -> None:
    figures["cases"] += 1
    if "reason" in stats and stats.get("max_abs_diff") is None:  # nothing comparable: raised, missing, shape
        if figures["ok"]:
            figures.update(ok=False, reason=stats["reason"], worst_case=case.label, tolerance_used=float("inf"),
                           decided_by="shape" if "shape" in stats["reason"] else "error")
        return
    figures["bit_identical"] += int(stats["bit_identical"])
    if stats["max_abs_diff"] is not None and not np.isnan(stats["max_abs_diff"]):
        figures["max_abs_diff"] = max(figures["max_abs_diff"], stats["max_abs_diff"])
    figures["max_ulp"] = max(figures["max_ulp"], stats["max_ulp"] or 0)
    if not stats["ok"] and figures["ok"]:
        figures["ok"] = False
        figures["reason"] = "outside the tolerance"
    if figures["reason"] in (None, "outside the tolerance") and (
            figures["worst_case"] is None or (stats["tolerance_used"] or 0.0) > figures["tolerance_used"]):
        figures.update(tolerance_used=stats["tolerance_used"] or 0.0, worst_case=case.label,
                       worst_index=stats.get("worst_tolerance_index"), worst_value=stats.get("worst_value"),
                       worst_reference=stats.get("worst_reference"), ulp_at_scale=stats.get("ulp_at_scale"),
                       decided_by=stats["decided_by"])
