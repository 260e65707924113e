"""Turn runtime outcomes into the comparison report (JSON) and a readable table."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from python_core import RESULT_ARRAYS

from .accuracy import EXACT, case_accuracy, format_accuracy, summarize_accuracy
from .cases import spec_for_report
from .compare import Tolerance, array_scale, compare_arrays, loose_note
from .contracts import Comparison, Report, ReportCase, RuntimeRun
from .error_bounds import term_magnitudes
from ..runtimes.base import describe_error


# Why a comparison could not be made, in its "failure" field: the runtime never ran, the reference
# failed on the case, the runtime raised an error on it, or its array has another shape.
DID_NOT_RUN, REFERENCE_FAILED, ERROR, SHAPE = "did not run", "reference failed", "error", "shape"


def _failed_comparison(runtime: str, reference: str, array: str, reason: str, failure: str) -> Comparison:
    return {"runtime": runtime, "reference": reference, "array": array, "max_abs_diff": None, "max_ulp": None,
            "worst_index": None, "bit_identical": False, "ok": False, "reason": reason, "failure": failure,
            "tolerance_used": None, "ulp_at_scale": None, "worst_tolerance_index": None, "sign_differs": 0,
            **({"did_not_run": True} if failure == DID_NOT_RUN else {})}


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def printable(text: Any) -> str:
    """Text from outside the harness (a case name, an author's message) made safe for a terminal: control
    characters, line breaks and bidirectional overrides shown as escapes, never obeyed."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def build_report(cases: list[dict[str, Any]], runs: list[RuntimeRun], reference: str,
                 tolerance: Tolerance, not_checked: dict[str, str] | None = None,
                 author_reference: bool = False) -> Report:
    """Every runtime's arrays for every case, compared with ``reference``'s. A runtime that did not
    run is in the report with its reason, and fails it. ``not_checked``: runtimes left out of the run
    on purpose, with why; listed, never counted as agreeing. ``author_reference``: the reference ran an
    author's file, so the tolerance's scale also takes each array's own largest magnitude (docs/parity.md)."""
    by_name = {run.name: run for run in runs}
    ref_run = by_name[reference]
    report_cases: list[ReportCase] = []
    for index, case in enumerate(cases):
        results: dict[str, Any] = {}
        comparisons: list[Comparison] = []
        ref_outcome = ref_run.outcomes[index] if ref_run.ran else None
        scales = (_scales(case, ref_outcome["arrays"], author_reference)
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
                                                          f"{run.name} did not run: {run.reason}", DID_NOT_RUN))
                elif ref_outcome is None or not ref_outcome["ok"]:
                    why = describe_error(ref_outcome["error"]) if ref_outcome else ref_run.reason
                    comparisons.append(_failed_comparison(run.name, reference, array, f"{reference} failed: {why}",
                                                          REFERENCE_FAILED))
                elif not outcome["ok"]:
                    err = outcome["error"]
                    comparisons.append(_failed_comparison(run.name, reference, array, describe_error(err), ERROR))
                else:
                    stats = compare_arrays(outcome["arrays"][array], ref_outcome["arrays"][array], tolerance,
                                           scales.get(array))
                    if stats["max_abs_diff"] is None:
                        stats["failure"] = SHAPE
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
                                    "relative_to": tolerance.relative_to, "strict_shapes": tolerance.strict_shapes,
                                    "scale": "terms and array" if author_reference else "terms",
                                    "rule": tolerance.describe(author_reference)},
            "reference": reference, "cases": report_cases, "runtimes": {run.name: run.info for run in runs},
            "checked": [run.name for run in runs if run.name != reference and run.info.get("ok")],
            "not_checked": dict(not_checked or {}),
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


def _scales(case: dict[str, Any], arrays: dict[str, np.ndarray], author_reference: bool) -> dict[str, np.ndarray]:
    """Per array, the scale rtol multiplies. The terms' magnitudes (crosscheck.parity.error_bounds) bound
    the rounding of the lesson's formula; when the reference is an author's file, which may compute
    something else (a factor left out, another one put in) whose terms the harness cannot know, the
    derivative's factor is bounded by max(|upstream|, 1) and the array's own largest magnitude is taken
    too, so that the file agrees with itself in another runtime whatever of the layer it gets wrong. An array of a shape the case cannot give gets no terms (|ref| alone, and the
    comparison names the shapes when they differ)."""
    try:
        with np.errstate(all="ignore"):
            scales = dict(term_magnitudes(case, arrays["output"], "unknown" if author_reference else "known"))
    except (ValueError, IndexError, TypeError, KeyError):
        scales = {}
    # a (n,) array where the layer gives (1, n) (math.js's sums) takes the same terms, reshaped
    scales = {name: np.reshape(value, np.shape(arrays[name])) for name, value in scales.items()
              if name in arrays and np.size(value) == np.size(arrays[name])}
    if author_reference:
        for name, reference in arrays.items():
            own = array_scale(reference)
            scales[name] = np.maximum(scales[name], own) if name in scales else own
    return scales


def summarize(report_cases: list[ReportCase], runs: list[RuntimeRun]) -> dict[str, dict[str, Any]]:
    """Per runtime: cases run, cases that raised an error, arrays compared, bit-identical and failed arrays
    (``failed_arrays``: every array that did not pass; of them, ``out_of_tolerance_arrays`` were compared
    and differ, ``shape_mismatches`` have another shape than the reference's, ``not_compared_arrays`` could
    not be compared: the runtime or the reference failed on the case); the element closest to
    failing (``worst_tolerance_used`` and ``worst_by_tolerance``, with its ULPs at its own scale); the
    count of elements whose sign differs from the reference; and the raw worst ULP distance with where."""
    summary: dict[str, dict[str, Any]] = {}
    for run in runs:
        ran = sum(1 for o in run.outcomes if o["ok"]) if run.ran else 0
        summary[run.name] = {"cases": len(report_cases), "cases_run": ran,
                             "cases_failed": (len(run.outcomes) - ran) if run.ran else 0}
    for index, case in enumerate(report_cases):
        for c in case["comparisons"]:
            s = summary[c["runtime"]]
            s["arrays"] = s.get("arrays", 0) + 1
            s["bit_identical_arrays"] = s.get("bit_identical_arrays", 0) + int(c["bit_identical"])
            s["failed_arrays"] = s.get("failed_arrays", 0) + int(not c["ok"])
            failure = c.get("failure")
            if failure == SHAPE:
                s["shape_mismatches"] = s.get("shape_mismatches", 0) + 1
            elif failure is not None:
                s["not_compared_arrays"] = s.get("not_compared_arrays", 0) + 1
                if failure == REFERENCE_FAILED:
                    s["reference_failed_arrays"] = s.get("reference_failed_arrays", 0) + 1
            elif not c["ok"]:
                s["out_of_tolerance_arrays"] = s.get("out_of_tolerance_arrays", 0) + 1
            s["ok_only_relative_to_terms"] = s.get("ok_only_relative_to_terms", 0) + int(
                c["ok"] and not c.get("ok_relative_to_result", True))
            s["sign_differs_elements"] = s.get("sign_differs_elements", 0) + int(c.get("sign_differs") or 0)
            if c["max_ulp"] is not None and c["max_ulp"] > s.get("worst_ulp", -1):
                s["worst_ulp"] = c["max_ulp"]
                s["worst"] = {"case": case["name"], "case_index": index, "array": c["array"],
                              "index": c["worst_index"], "max_abs_diff": c["max_abs_diff"]}
            used = c.get("tolerance_used")
            if used is not None and used > s.get("worst_tolerance_used", -1.0):
                s["worst_tolerance_used"] = used
                s["worst_by_tolerance"] = {
                    "case": case["name"], "case_index": index, "array": c["array"],
                    "index": c["worst_tolerance_index"], "tolerance_used": used, "ulp_at_scale": c["ulp_at_scale"],
                    "value": c.get("worst_value"), "reference": c.get("worst_reference"),
                    "sign_differs": c.get("worst_sign_differs", False)}
    return summary


def _fmt_abs(value: float | None) -> str:
    return "—" if value is None else ("0" if value == 0 else f"{value:.3g}")


def fmt_used(used: float | None) -> str:
    """The fraction of the tolerance used: 0, 0.0021, 0.97, 1.3 (over: fails), inf."""
    if used is None:
        return "—"
    if used == 0:
        return "0"
    return "inf" if used == float("inf") else f"{used:.2g}"


def fmt_ulps(ulps: float | None) -> str:
    if ulps is None:
        return "—"
    if ulps == 0:
        return "0"
    return f"{ulps:.3g}" if ulps < 1e6 else f"{ulps:.1e}"


def describe_element(value: float | None, reference: float | None, sign_differs: bool) -> str:
    """How the worst element differs, when the ULPs alone would mislead: a NaN, or opposite signs."""
    if value is None or reference is None:
        return ""
    if (value != value) != (reference != reference):
        return f"{value:.3g} vs {reference:.3g}, NaN against a number"
    if sign_differs:
        return f"{value:+.3g} vs {reference:+.3g}, signs differ"
    return ""


def summary_line(runtime: str, s: dict[str, Any], reference: str, reference_ran: bool = True) -> str:
    """The runtime's line under ``summary:``. Arrays that could not be compared (the runtime raised an
    error, the reference failed, another shape) are said as such, never counted as out of tolerance."""
    head = f"{runtime}: {s['cases_run']}/{s['cases']} cases ran"
    if runtime == reference:
        return head + " (the reference)" + (f", {s['cases_failed']} raised an error (see errors)"
                                            if s.get("cases_failed") else "")
    if s.get("cases_failed"):
        head += f", {s['cases_failed']} raised an error (see errors)"
    if not reference_ran:
        return head + f"; not compared: the reference {reference} did not run"
    if "arrays" not in s:
        return head
    not_compared = s.get("not_compared_arrays", 0)
    shapes = s.get("shape_mismatches", 0)
    compared = s["arrays"] - not_compared - shapes
    line = f"{head}, {s['bit_identical_arrays']}/{compared} arrays bit-identical" if compared else head
    if s.get("out_of_tolerance_arrays"):
        line += f", {s['out_of_tolerance_arrays']} out of tolerance"
    if shapes:
        line += f", {shapes} of another shape than the reference's (see shapes)"
    if s.get("reference_failed_arrays"):
        line += f", {s['reference_failed_arrays']} not compared: {reference} failed on their case"
    if s.get("ok_only_relative_to_terms"):
        line += f" ({s['ok_only_relative_to_terms']} within rtol of their terms' magnitude, not of the result)"
    if "worst_by_tolerance" in s:
        w = s["worst_by_tolerance"]
        line += f", worst {fmt_used(w['tolerance_used'])} of the tolerance"
        if w["tolerance_used"]:
            where = f"{w['array']} of {printable(w['case'])}" + (f" at {w['index']}" if w["index"] is not None else "")
            detail = describe_element(w["value"], w["reference"], w["sign_differs"])
            line += (f" ({where}: {fmt_ulps(w['ulp_at_scale'])} ULP at its scale"
                     + (f"; {detail}" if detail else "") + ")")
    if s.get("sign_differs_elements"):
        line += f", {s['sign_differs_elements']} element(s) of opposite sign to the reference"
    return line


def _indented(text: Any, indent: str = "      ") -> str:
    """A multi-line message from outside (a runtime's failure with its traceback), each line escaped."""
    return ("\n" + indent).join(printable(line) for line in str(text).splitlines() or [""])


def first_errors(report: dict[str, Any]) -> list[str]:
    """Per runtime, the first error of each kind (its type) that the runtime raised on a case, with the
    author's file and line when known, and on how many cases it was raised. A runtime's own failure (it
    could not start or finish) is said on its line below the table, not here."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for case in report["cases"]:
        for runtime, result in case["results"].items():
            err = result.get("error") if isinstance(result, dict) else None
            if not isinstance(err, dict) or err.get("type") == "RuntimeFailure":
                continue
            entry = found.setdefault((runtime, str(err.get("type"))), {"error": err, "case": case["name"], "cases": 0})
            entry["cases"] += 1
    total = len(report["cases"])
    return [f"  {runtime}: {printable(describe_error(e['error']))}: on {e['cases']} of {total} case(s), "
            f"first {printable(e['case'])}" for (runtime, _), e in found.items()]


def shape_reasons(report: dict[str, Any]) -> list[str]:
    """Per runtime and array, why its array could not be compared with the reference's (the shapes)."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for case in report["cases"]:
        for c in case["comparisons"]:
            if c.get("failure") == SHAPE:
                entry = found.setdefault((c["runtime"], c["array"], c.get("reason", "")), {"case": case["name"], "cases": 0})
                entry["cases"] += 1
    return [f"  {runtime} {array}: {printable(reason)}: in {e['cases']} case(s), first {printable(e['case'])}"
            for (runtime, array, reason), e in found.items()]


def format_table(report: dict[str, Any]) -> str:
    """One row per runtime and array, worst over all cases (the element closest to failing); then
    versions, then a summary line per runtime. Raw ULP distances are in the JSON."""
    rows = [("runtime", "array", "cases", "bit-identical", "tol used", "ULP at scale", "max abs diff",
             "worst case", "verdict")]
    worst: dict[tuple[str, str], dict[str, Any]] = {}
    for case in report["cases"]:
        for c in case["comparisons"]:
            w = worst.setdefault((c["runtime"], c["array"]),
                                 {"cases": 0, "same": 0, "abs": 0.0, "used": 0.0, "ulps": 0.0, "ok": True,
                                  "where": "", "why": "", "did_not_run": True})
            w["cases"] += 1
            w["did_not_run"] = w["did_not_run"] and bool(c.get("did_not_run"))
            w["same"] += int(c["bit_identical"])
            w["ok"] &= c["ok"]
            used = c.get("tolerance_used")
            if c["max_abs_diff"] is None or used is None:
                w["abs"], w["used"], w["ulps"] = None, None, None
                w["why"] = w["why"] or c.get("reason", "")
            elif w["used"] is not None:
                w["abs"] = max(w["abs"], c["max_abs_diff"])
                if used > w["used"]:
                    w["used"], w["ulps"] = used, c["ulp_at_scale"]
                    detail = describe_element(c.get("worst_value"), c.get("worst_reference"),
                                              c.get("worst_sign_differs", False))
                    w["where"] = (f"{printable(case['name'])} {c['worst_tolerance_index']}"
                                  + (f" ({detail})" if detail else ""))
    for (runtime, array), w in worst.items():
        verdict = "ok" if w["ok"] else ("DID NOT RUN" if w["did_not_run"] else "FAIL")
        rows.append((runtime, array, str(w["cases"]), "—" if w["did_not_run"] else f"{w['same']}/{w['cases']}",
                     fmt_used(w["used"]),
                     fmt_ulps(w["ulps"]) if w["used"] is not None else "—", _fmt_abs(w["abs"]),
                     w["where"] or "—", verdict))
    not_checked = report.get("not_checked") or {}
    for runtime in not_checked:
        rows.append((runtime, "—", "0") + ("—",) * (len(rows[0]) - 4) + ("NOT CHECKED",))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    errors, shapes = first_errors(report), shape_reasons(report)
    if errors:
        lines += ["", "errors (each runtime's first of each kind):", *errors]
    if shapes:
        lines += ["", "shapes (arrays not compared):", *shapes]
    tol = report["tolerance"]
    lines.append("")
    lines.append(f"reference: {report['reference']}; tolerance: "
                 + ("bit-identical" if tol["exact"] else f"rtol {tol['rtol']:g}, atol {tol['atol']:g}: "
                    + tol.get("rule", "")))
    lines.append("tol used: max |a−ref| / (atol + rtol·scale) over the elements (above 1 fails); ULP at scale: "
                 "|a−ref| in units of the last place of that element's magnitude")
    for runtime, info in report["runtimes"].items():
        if info.get("ok"):
            detail = ", ".join(f"{k} {v}" for k, v in info.items()
                               if k not in ("ok", "platform", "round_trips", "boot_s", "total_s"))
            timing = f" [{info['round_trips']} round-trip(s), boot {info['boot_s']:.1f} s, total {info['total_s']:.1f} s]" \
                if "boot_s" in info else ""
            lines.append(f"  {runtime}: {printable(detail)}{timing}")
        else:
            lines.append(f"  {runtime}: DID NOT RUN: {_indented(info.get('error'))}")
    for runtime, why in not_checked.items():
        lines.append(f"  {runtime}: NOT CHECKED: {why}")
    noted: dict[tuple[str, str], list[str]] = {}
    for case in report["cases"]:
        for c in case["comparisons"]:
            if c.get("shape_note"):
                noted.setdefault((c["runtime"], c["array"]), []).append(c["shape_note"])
    for (runtime, array), notes in noted.items():
        more = f" (and in {len(notes) - 1} more case(s))" if len(notes) > 1 else ""
        lines.append(f"  note: {runtime} {array}: {notes[0]}{more}")
    for kind, f in report.get("files", {}).items():
        lines.append(f"  {kind} file: {printable(f['path'])} (sha256 {f['sha256']})")
    lines.append("")
    lines.append("summary:")
    reference_ran = bool(report["runtimes"].get(report["reference"], {}).get("ok"))
    for runtime, s in report.get("summary", {}).items():
        info = report["runtimes"].get(runtime, {})
        reason = printable(str(info.get("error")).splitlines()[0] if info.get("error") else "")
        lines.append("  " + (summary_line(runtime, s, report["reference"], reference_ran) if info.get("ok")
                             else f"{runtime}: DID NOT RUN: {reason}" if info.get("did_not_run")
                             else f"{runtime}: FAILED: {reason}"
                             + (f" ({s['cases_run']}/{s['cases']} cases ran before it failed)" if s["cases_run"] else "")))
    for runtime, why in not_checked.items():
        lines.append(f"  {runtime}: NOT CHECKED ({why})")
    if report.get("accuracy"):
        lines.append("")
        lines.append(format_accuracy(report["accuracy"]))
    lines.append(verdict_line(report))
    return "\n".join(lines)


def verdict_line(report: dict[str, Any]) -> str:
    """PARITY OK only when every runtime ran and agreed and none was left out; a run that left
    runtimes out says which were checked and which were not, never an unqualified PARITY OK."""
    if not report["ok"]:
        reference = report["reference"]
        info = report["runtimes"].get(reference, {})
        if not info.get("ok"):  # nothing was compared: no runtime's figures mean anything
            why = str(info.get("error") or "").splitlines()
            return (f"PARITY FAILED: the reference {reference} did not run"
                    + (f": {printable(why[0])}" if why else ""))
        return "PARITY FAILED"
    loose = loose_note(report.get("tolerance") or {})
    not_checked = report.get("not_checked") or {}
    if not not_checked:
        return "PARITY OK" + loose
    checked = report.get("checked") or [r for r in report["runtimes"] if r != report["reference"]]
    line = (f"PARITY OK for {', '.join(checked)} only (against {report['reference']}); "
            f"NOT CHECKED: {', '.join(not_checked)}")
    if not any(r.startswith("pyodide") for r in checked):
        line += "; python_core in Pyodide was not checked"
    return line + loose


VALUES_FLAG = "--json-values full"


def for_json(report: dict[str, Any], values: str = "failing") -> dict[str, Any]:
    """The report as ``--json`` writes it. ``values="full"``: as it is. ``"failing"``: the file grows with
    what failed, not with every value. Every case keeps its comparisons (every figure of the verdict)
    and its runtimes' errors; a case where a runtime's numbers differ from the reference's (out of
    tolerance, or of another shape) keeps every value, for `explain`; a case that failed only by an
    error keeps its spec (to rerun it: a report is a case file) but not the runtimes' numbers; a case
    that passed keeps neither (``spec_omitted``: its spec's shapes only)."""
    if values == "full":
        return {**report, "values": "full"}
    if values != "failing":
        raise ValueError(f"json values: expected 'failing' or 'full', got {values!r}")
    cases = []
    for case in report["cases"]:
        failed = [c for c in case["comparisons"] if not c["ok"]]
        if any(c.get("failure") in (None, SHAPE) for c in failed):
            cases.append(case)
            continue
        results = {r: ({"error": res["error"]} if isinstance(res, dict) and "error" in res else {"ok": True})
                   for r, res in case["results"].items()}
        entry = {**case, "results": results, "values_omitted": True}
        if not failed:
            spec = case["spec"]
            entry["spec"] = {"activation": spec.get("activation"),
                             "shapes": {k: list(np.shape(v)) for k, v in spec.items() if k != "activation"}}
            entry["spec_omitted"] = True
        cases.append(entry)
    return {**report, "values": "failing", "cases": cases}


def omitted_cases(report: dict[str, Any]) -> int:
    """How many cases of a report read from a file have no values (written without --json-values full)."""
    return sum(1 for case in report["cases"] if case.get("values_omitted"))


def _element(values: Any, shape_like: list[Any] | None, index: list[int] | None) -> float | None:
    """The element at ``index`` (of the reference's shape), or None when the values cannot give it."""
    try:
        array = np.asarray(values, dtype=np.float64)
        if shape_like is not None:
            ref = np.asarray(shape_like, dtype=np.float64)
            if array.size == ref.size:
                array = array.reshape(ref.shape)
        return float(array[tuple(index)]) if index is not None else None
    except (TypeError, ValueError, IndexError):
        return None


def explain(report: dict[str, Any], limit: int = 5) -> str:
    """Why the report fails, one line per failing comparison (at most ``limit``): the case, the runtime,
    the array, the element and both values; or the runtime that did not run and why."""
    if report["ok"]:
        return "parity holds"
    lines = []
    for runtime, info in report["runtimes"].items():
        if not info.get("ok"):
            lines.append(f"{runtime} failed: {_indented(info.get('error'), '  ')}")
    failing = [(case, c) for case in report["cases"] for c in case["comparisons"] if not c["ok"]]
    reference = report["reference"]
    said: set[tuple[str, str]] = set()
    for case, c in failing[:limit]:
        runtime, array = c["runtime"], c["array"]
        if c.get("worst_index") is None:
            if (case["name"], c.get("reason", "")) not in said:  # one line for a case's one error
                said.add((case["name"], c.get("reason", "")))
                lines.append(f"case {printable(case['name'])!r}: {runtime} {array}: {printable(c.get('reason'))}")
            continue
        ref_values = case["results"].get(reference, {}).get(array)
        value = _element(case["results"].get(runtime, {}).get(array), ref_values, c["worst_index"])
        expected = _element(ref_values, None, c["worst_index"])
        at = "[" + ", ".join(str(i) for i in c["worst_index"]) + "]"
        if value is None or expected is None:  # a report written without the values
            lines.append(f"case {printable(case['name'])!r}: {runtime} {array}{at}: |diff| {c['max_abs_diff']:.3g}, "
                         f"{c['max_ulp']} ULP (the values are not in the report: {VALUES_FLAG} writes them)")
            continue
        lines.append(f"case {printable(case['name'])!r}: {runtime} {array}{at} = {value!r}, {reference} gives "
                     f"{expected!r} (|diff| {c['max_abs_diff']:.3g}, {c['max_ulp']} ULP)")
    if len(failing) > limit:
        lines.append(f"… and {len(failing) - limit} more failing comparison(s)")
    if not lines:
        lines.append("nothing was compared")
    return "\n".join(lines)
