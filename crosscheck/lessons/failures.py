"""Why a ``check`` report fails, in a few lines a test's assertion message can carry: per failing check,
the runtime that did not run, the first error, and each output outside its tolerance (the runtime, the
element, both values, the case), then the smallest failing case and what it gives."""

from __future__ import annotations

import json
from typing import Any

import numpy as np


def _at(index: Any) -> str:
    if index is None or (isinstance(index, (list, tuple)) and not index):
        return ""
    return "[" + ", ".join(str(i) for i in np.atleast_1d(index).tolist()) + "]"


def _number(value: Any) -> str:
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return repr(value)


def output_lines(name: str, reference: str, outputs: dict[str, Any], prefix: str) -> list[str]:
    """One line per output and runtime outside the tolerance (or with nothing to compare)."""
    lines = []
    for output, info in outputs.items():
        for runtime, f in info["runtimes"].items():
            if f["ok"]:
                continue
            where = f"{prefix}{runtime} {output}"
            case = f"case {f['worst_case']!r}" if f.get("worst_case") else "no case"
            if f.get("reason") not in (None, "outside the tolerance"):
                lines.append(f"{where}: {f['reason']} ({case})")
                continue
            lines.append(f"{where}{_at(f.get('worst_index'))} = {_number(f.get('worst_value'))}, {reference} gives "
                         f"{_number(f.get('worst_reference'))} (|diff| {f['max_abs_diff']:.3g}, tol used "
                         f"{f['tolerance_used']:.3g}; {case})")
    return lines


def _error(runtime: str, err: dict[str, Any]) -> str:
    where = f" ({err['file']}, line {err['line']})" if err.get("file") else ""
    return f"{runtime} raised in case {err['case']!r}: {err['type']}: {err['message']}{where}"


def explain_check(entry: dict[str, Any]) -> list[str]:
    head = f"check {entry['name']!r}"
    lines = []
    for runtime, r in entry["runtimes"].items():
        if r.get("needed") and not r["ran"]:
            lines.append(f"{head}: {runtime} did not run: {r['reason']}")
    for runtime, err in entry.get("errors", {}).items():
        lines.append(f"{head}: {_error(runtime, err)}")
    lines += output_lines(entry["name"], entry["reference"], entry["outputs"], f"{head}: ")
    if "minimal_case" in entry:
        case = entry["minimal_case"]
        dims = ", ".join(f"{k}={v}" for k, v in case["dims"].items())
        values = "; ".join(f"{k} = {json.dumps(np.asarray(v).tolist())}" for k, v in case["inputs"].items())
        lines.append(f"  smallest failing case (dims {dims}): {values}")
        lines += output_lines(entry["name"], entry["reference"], entry.get("minimal_case_outputs", {}), "    there: ")
        lines += [f"    there: {_error(r, err)}" for r, err in entry.get("minimal_case_errors", {}).items()]
        if entry.get("minimal_case_file"):
            lines.append(f"    written to {entry['minimal_case_file']}")
    return lines


def explain(report: dict[str, Any]) -> str:
    """What failed, or the verdict when nothing did."""
    lines = [line for entry in report["checks"] if not entry["ok"] for line in explain_check(entry)]
    return "\n".join([*lines, report["verdict"]])
