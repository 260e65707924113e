"""Turn runtime outcomes into the comparison report (JSON) and a readable table."""

from __future__ import annotations

from typing import Any

from python_core import RESULT_ARRAYS

from .cases import spec_for_report
from .compare import Tolerance, compare_arrays


def _failed_comparison(runtime: str, reference: str, array: str, reason: str) -> dict[str, Any]:
    return {"runtime": runtime, "reference": reference, "array": array, "max_abs_diff": None, "max_ulp": None,
            "worst_index": None, "bit_identical": False, "ok": False, "reason": reason}


def build_report(cases: list[dict[str, Any]], outcomes: dict[str, list[dict] | str], reference: str,
                 runtime_info: dict[str, dict[str, Any]], tolerance: Tolerance) -> dict[str, Any]:
    """``outcomes[runtime]`` is that runtime's list of per-case outcomes, or the reason it did not run."""
    report_cases = []
    for index, case in enumerate(cases):
        results: dict[str, Any] = {}
        comparisons: list[dict[str, Any]] = []
        ref_outcome = outcomes[reference][index] if isinstance(outcomes[reference], list) else None
        for runtime, per_case in outcomes.items():
            if isinstance(per_case, str):
                results[runtime] = {"error": {"type": "RuntimeFailure", "message": per_case}}
            else:
                outcome = per_case[index]
                results[runtime] = ({k: v.tolist() for k, v in outcome["arrays"].items()} if outcome["ok"]
                                    else {"error": outcome["error"]})
            if runtime == reference:
                continue
            for array in RESULT_ARRAYS:
                if isinstance(per_case, str):
                    comparisons.append(_failed_comparison(runtime, reference, array, f"{runtime} did not run: {per_case}"))
                elif ref_outcome is None or not ref_outcome["ok"]:
                    why = ref_outcome["error"]["message"] if ref_outcome else outcomes[reference]
                    comparisons.append(_failed_comparison(runtime, reference, array, f"{reference} failed: {why}"))
                elif not per_case[index]["ok"]:
                    err = per_case[index]["error"]
                    comparisons.append(_failed_comparison(runtime, reference, array,
                                                          f"{err['type']}: {err['message']}"))
                else:
                    stats = compare_arrays(per_case[index]["arrays"][array], ref_outcome["arrays"][array], tolerance)
                    comparisons.append({"runtime": runtime, "reference": reference, "array": array, **stats})
        report_cases.append({"name": case.get("name", f"case-{index}"), "spec": spec_for_report(case),
                             "results": results, "comparisons": comparisons})
    ok = all(c["ok"] for case in report_cases for c in case["comparisons"]) and all(
        info.get("ok", False) for info in runtime_info.values())
    return {"ok": ok, "tolerance": {"rtol": tolerance.rtol, "atol": tolerance.atol, "exact": tolerance.exact},
            "reference": reference, "cases": report_cases, "runtimes": runtime_info}


def _fmt_abs(value: float | None) -> str:
    return "—" if value is None else ("0" if value == 0 else f"{value:.3g}")


def format_table(report: dict[str, Any]) -> str:
    """One row per runtime and array, worst over all cases; one line per runtime that did not run."""
    rows = [("runtime", "array", "cases", "max abs diff", "max ULP", "verdict")]
    worst: dict[tuple[str, str], dict[str, Any]] = {}
    for case in report["cases"]:
        for c in case["comparisons"]:
            w = worst.setdefault((c["runtime"], c["array"]), {"cases": 0, "abs": 0.0, "ulp": 0, "ok": True, "why": ""})
            w["cases"] += 1
            w["ok"] &= c["ok"]
            if c["max_ulp"] is None:
                w["abs"], w["ulp"] = None, None
                w["why"] = w["why"] or c.get("reason", "")
            elif w["ulp"] is not None:
                w["abs"] = max(w["abs"], c["max_abs_diff"])
                w["ulp"] = max(w["ulp"], c["max_ulp"])
    for (runtime, array), w in worst.items():
        verdict = "ok" if w["ok"] else "FAIL"
        rows.append((runtime, array, str(w["cases"]), _fmt_abs(w["abs"]), "—" if w["ulp"] is None else str(w["ulp"]),
                     verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    tol = report["tolerance"]
    lines.append("")
    lines.append(f"reference: {report['reference']}; tolerance: "
                 + ("bit-identical" if tol["exact"] else f"rtol {tol['rtol']:g}, atol {tol['atol']:g}"))
    for runtime, info in report["runtimes"].items():
        if info.get("ok"):
            detail = ", ".join(f"{k} {v}" for k, v in info.items() if k not in ("ok", "platform"))
            lines.append(f"  {runtime}: {detail}")
        else:
            lines.append(f"  {runtime}: DID NOT RUN: {info.get('error')}")
    lines.append("PARITY OK" if report["ok"] else "PARITY FAILED")
    return "\n".join(lines)
