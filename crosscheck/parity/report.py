"""Turn runtime outcomes into the comparison report (JSON) and a readable table."""

from __future__ import annotations

from typing import Any

from python_core import RESULT_ARRAYS

from .accuracy import EXACT, case_accuracy, format_accuracy, summarize_accuracy
from .cases import spec_for_report
from .compare import Tolerance, compare_arrays
from .contracts import Comparison, Report, ReportCase, RuntimeRun
from .error_bounds import term_magnitudes


def _failed_comparison(runtime: str, reference: str, array: str, reason: str) -> Comparison:
    return {"runtime": runtime, "reference": reference, "array": array, "max_abs_diff": None, "max_ulp": None,
            "worst_index": None, "bit_identical": False, "ok": False, "reason": reason}


def build_report(cases: list[dict[str, Any]], runs: list[RuntimeRun], reference: str,
                 tolerance: Tolerance) -> Report:
    """Every runtime's arrays for every case, compared with ``reference``'s. A runtime that did not
    run is in the report with its reason, and fails it."""
    by_name = {run.name: run for run in runs}
    ref_run = by_name[reference]
    report_cases: list[ReportCase] = []
    for index, case in enumerate(cases):
        results: dict[str, Any] = {}
        comparisons: list[Comparison] = []
        ref_outcome = ref_run.outcomes[index] if ref_run.ran else None
        scales = (term_magnitudes(case, ref_outcome["arrays"]["output"])
                  if ref_outcome is not None and ref_outcome["ok"] and not tolerance.exact else {})
        for run in runs:
            outcome = run.outcomes[index] if run.ran else None
            if outcome is None:
                results[run.name] = {"error": {"type": "RuntimeFailure", "message": run.reason}}
            else:
                results[run.name] = ({k: v.tolist() for k, v in outcome["arrays"].items()} if outcome["ok"]
                                     else {"error": outcome["error"]})
            if run.name == reference:
                continue
            for array in RESULT_ARRAYS:
                if outcome is None:
                    comparisons.append(_failed_comparison(run.name, reference, array,
                                                          f"{run.name} did not run: {run.reason}"))
                elif ref_outcome is None or not ref_outcome["ok"]:
                    why = ref_outcome["error"]["message"] if ref_outcome else ref_run.reason
                    comparisons.append(_failed_comparison(run.name, reference, array, f"{reference} failed: {why}"))
                elif not outcome["ok"]:
                    err = outcome["error"]
                    comparisons.append(_failed_comparison(run.name, reference, array,
                                                          f"{err['type']}: {err['message']}"))
                else:
                    stats = compare_arrays(outcome["arrays"][array], ref_outcome["arrays"][array], tolerance,
                                           scales.get(array))
                    comparisons.append({"runtime": run.name, "reference": reference, "array": array, **stats})
        entry: ReportCase = {"name": case.get("name", f"case-{index}"), "spec": spec_for_report(case),
                             "results": results, "comparisons": comparisons}
        if EXACT in by_name and by_name[EXACT].ran:  # accuracy beside parity: every runtime against the truth
            _add_accuracy(entry, {run.name: (run.outcomes[index]["arrays"] if run.ran and run.outcomes[index]["ok"]
                                             else None) for run in runs})
        report_cases.append(entry)
    compared = any(case["comparisons"] for case in report_cases)  # the reference alone proves nothing
    ok = compared and all(c["ok"] for case in report_cases for c in case["comparisons"]) and all(
        run.info.get("ok", False) for run in runs)
    accuracy = {"accuracy": summarize_accuracy(report_cases)} if EXACT in by_name else {}
    return {**accuracy, "ok": ok, "tolerance": {"rtol": tolerance.rtol, "atol": tolerance.atol, "exact": tolerance.exact,
                                    "relative_to": tolerance.relative_to, "rule": tolerance.describe()},
            "reference": reference, "cases": report_cases, "runtimes": {run.name: run.info for run in runs},
            "summary": summarize(report_cases, runs)}


def _add_accuracy(entry: ReportCase, arrays: dict[str, dict | None]) -> None:
    """The case's ``accuracy`` list, and the same fields on each comparison of that runtime and array."""
    if arrays.get(EXACT) is None:
        return
    entry["accuracy"] = case_accuracy(arrays, RESULT_ARRAYS)
    by_key = {(a["runtime"], a["array"]): a for a in entry["accuracy"]}
    for c in entry["comparisons"]:
        a = by_key.get((c["runtime"], c["array"]))
        if a is not None:
            c["ulp_vs_exact"], c["bits_error_vs_exact"] = a["ulp_vs_exact"], a["bits_error_vs_exact"]


def summarize(report_cases: list[ReportCase], runs: list[RuntimeRun]) -> dict[str, dict[str, Any]]:
    """Per runtime: cases run, arrays compared, bit-identical and failed arrays, and the worst ULP with where."""
    summary: dict[str, dict[str, Any]] = {}
    for run in runs:
        ran = sum(1 for o in run.outcomes if o["ok"]) if run.ran else 0
        summary[run.name] = {"cases": len(report_cases), "cases_run": ran}
    for index, case in enumerate(report_cases):
        for c in case["comparisons"]:
            s = summary[c["runtime"]]
            s["arrays"] = s.get("arrays", 0) + 1
            s["bit_identical_arrays"] = s.get("bit_identical_arrays", 0) + int(c["bit_identical"])
            s["failed_arrays"] = s.get("failed_arrays", 0) + int(not c["ok"])
            s["ok_only_relative_to_terms"] = s.get("ok_only_relative_to_terms", 0) + int(
                c["ok"] and not c.get("ok_relative_to_result", True))
            if c["max_ulp"] is not None and c["max_ulp"] > s.get("worst_ulp", -1):
                s["worst_ulp"] = c["max_ulp"]
                s["worst"] = {"case": case["name"], "case_index": index, "array": c["array"],
                              "index": c["worst_index"], "max_abs_diff": c["max_abs_diff"]}
    return summary


def _fmt_abs(value: float | None) -> str:
    return "—" if value is None else ("0" if value == 0 else f"{value:.3g}")


def summary_line(runtime: str, s: dict[str, Any], reference: str) -> str:
    head = f"{runtime}: {s['cases_run']}/{s['cases']} cases ran"
    if runtime == reference:
        return head + " (the reference)"
    if "arrays" not in s:
        return head
    line = f"{head}, {s['bit_identical_arrays']}/{s['arrays']} arrays bit-identical"
    if s.get("failed_arrays"):
        line += f", {s['failed_arrays']} out of tolerance"
    if s.get("ok_only_relative_to_terms"):
        line += f" ({s['ok_only_relative_to_terms']} within rtol of their terms' magnitude, not of the result)"
    if "worst" in s:
        w = s["worst"]
        where = f" ({w['array']} of {w['case']}" + (f" at {w['index']}" if w["index"] is not None else "") + ")"
        line += f", worst {s['worst_ulp']} ULP" + (where if s["worst_ulp"] else "")
    return line


def format_table(report: dict[str, Any]) -> str:
    """One row per runtime and array, worst over all cases; then versions, then a summary line per runtime."""
    rows = [("runtime", "array", "cases", "bit-identical", "max abs diff", "max ULP", "worst case", "verdict")]
    worst: dict[tuple[str, str], dict[str, Any]] = {}
    for case in report["cases"]:
        for c in case["comparisons"]:
            w = worst.setdefault((c["runtime"], c["array"]),
                                 {"cases": 0, "same": 0, "abs": 0.0, "ulp": 0, "ok": True, "where": "", "why": ""})
            w["cases"] += 1
            w["same"] += int(c["bit_identical"])
            w["ok"] &= c["ok"]
            if c["max_ulp"] is None:
                w["abs"], w["ulp"] = None, None
                w["why"] = w["why"] or c.get("reason", "")
            elif w["ulp"] is not None:
                w["abs"] = max(w["abs"], c["max_abs_diff"])
                if c["max_ulp"] > w["ulp"]:
                    w["ulp"] = c["max_ulp"]
                    w["where"] = f"{case['name']} {c['worst_index']}"
    for (runtime, array), w in worst.items():
        verdict = "ok" if w["ok"] else "FAIL"
        rows.append((runtime, array, str(w["cases"]), f"{w['same']}/{w['cases']}", _fmt_abs(w["abs"]),
                     "—" if w["ulp"] is None else str(w["ulp"]), w["where"] or "—", verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    tol = report["tolerance"]
    lines.append("")
    lines.append(f"reference: {report['reference']}; tolerance: "
                 + ("bit-identical" if tol["exact"] else f"rtol {tol['rtol']:g}, atol {tol['atol']:g}: "
                    + tol.get("rule", "")))
    for runtime, info in report["runtimes"].items():
        if info.get("ok"):
            detail = ", ".join(f"{k} {v}" for k, v in info.items()
                               if k not in ("ok", "platform", "round_trips", "boot_s", "total_s"))
            timing = f" [{info['round_trips']} round-trip(s), boot {info['boot_s']:.1f} s, total {info['total_s']:.1f} s]" \
                if "boot_s" in info else ""
            lines.append(f"  {runtime}: {detail}{timing}")
        else:
            lines.append(f"  {runtime}: DID NOT RUN: {info.get('error')}")
    lines.append("")
    lines.append("summary:")
    for runtime, s in report.get("summary", {}).items():
        info = report["runtimes"].get(runtime, {})
        lines.append("  " + (summary_line(runtime, s, report["reference"]) if info.get("ok")
                             else f"{runtime}: FAILED: {info.get('error')}"
                             + (f" ({s['cases_run']}/{s['cases']} cases ran before it failed)" if s["cases_run"] else "")))
    if report.get("accuracy"):
        lines.append("")
        lines.append(format_accuracy(report["accuracy"]))
    lines.append("PARITY OK" if report["ok"] else "PARITY FAILED")
    return "\n".join(lines)
