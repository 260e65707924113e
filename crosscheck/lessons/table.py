"""The verdict table of ``check``: per check, one row per runtime and output (worst over the cases), the rule
that decided each output, the first error of each runtime with the author's file and line, the smallest
failing case; then the verdict."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

HEADER = ("runtime", "output", "cases", "bit-identical", "tol used", "max abs diff", "worst case", "verdict")


def _fmt(value: float | None, spec: str = ".3g") -> str:
    if value is None:
        return "—"
    if value == float("inf"):
        return "inf"
    return "0" if value == 0 else format(value, spec)


def _where(f: dict[str, Any]) -> str:
    if f.get("worst_case") is None or (f["ok"] and not f.get("tolerance_used")):
        return "—"
    index = f.get("worst_index")
    where = f["worst_case"] + (f" {index}" if index else "")
    if f.get("reason") and f["reason"] != "outside the tolerance":
        return f"{where}: {f['reason']}"
    if not f["ok"] and f.get("worst_value") is not None:
        where += f" ({f['worst_value']!r} vs {f['worst_reference']!r})"
    return where


def _rows(entry: dict[str, Any], outputs: dict[str, Any]) -> list[tuple[str, ...]]:
    rows = []
    for output, info in outputs.items():
        for runtime, f in info["runtimes"].items():
            rows.append((runtime, output, str(f["cases"]), f"{f['bit_identical']}/{f['cases']}",
                         _fmt(f["tolerance_used"], ".2g"), _fmt(f["max_abs_diff"]), _where(f),
                         "ok" if f["ok"] else "FAIL"))
    for runtime, r in entry["runtimes"].items():
        if r["needed"] and not r["ran"]:
            rows.append((runtime, "—", str(entry["cases"]), "—", "—", "—", "—", "DID NOT RUN"))
    return rows


def _grid(rows: list[tuple[str, ...]]) -> list[str]:
    rows = [HEADER, *sorted(rows, key=lambda r: (r[0], r[1]))]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _error_line(runtime: str, err: dict[str, Any]) -> str:
    where = f" ({err['file']}, line {err['line']})" if err.get("file") else ""
    return f"  {runtime}: first error, case {err['case']}: {err['type']}: {err['message']}{where}"


def _short(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if relative.startswith("..") else relative


def _compact(value: Any) -> str:
    return json.dumps(np.asarray(value).tolist())


def format_check(entry: dict[str, Any]) -> list[str]:
    files = " · ".join(f"{lang} {_short(info['path'])}:{info['function']}" for lang, info in entry["files"].items())
    lines = [f"check {entry['name']!r} ({entry['cases']} cases; {files}; reference {entry['reference']})"]
    lines += _grid(_rows(entry, entry["outputs"]))
    for output, info in entry["outputs"].items():
        decided = sorted({f["decided_by"] for f in info["runtimes"].values() if f.get("decided_by")})
        lines.append(f"  {output}: {info['rule']}" + (f"; decided by {', '.join(decided)}" if decided else ""))
    for runtime, r in entry["runtimes"].items():
        if r["needed"] and not r["ran"]:
            lines.append(f"  {runtime}: DID NOT RUN: {r['reason']}")
    for runtime, err in entry["errors"].items():
        lines.append(_error_line(runtime, err))
    if "minimal_case" in entry:
        case = entry["minimal_case"]
        lines.append(f"  smallest failing case (shrunk from {entry['minimal_case_from']}): dims {case['dims']}")
        for name, value in case["inputs"].items():
            lines.append(f"    {name} = {_compact(value)}")
        for output, info in entry.get("minimal_case_outputs", {}).items():
            for runtime, f in info["runtimes"].items():
                if not f["ok"]:
                    lines.append(f"    {runtime} {output}: {_where(f)}")
        for runtime, err in entry.get("minimal_case_errors", {}).items():
            lines.append("  " + _error_line(runtime, err))
        if entry.get("minimal_case_file"):
            lines.append(f"  written to {entry['minimal_case_file']} (rerun: check MANIFEST --case "
                         f"{entry['minimal_case_file']})")
    return lines


def format_report(report: dict[str, Any]) -> str:
    lines: list[str] = []
    for entry in report["checks"]:
        lines += format_check(entry)
        lines.append("")
    lines.append("tol used: max |a−ref| / (atol + rtol·max|ref|) over the elements and cases (above 1 fails)")
    for runtime, why in (report.get("not_checked") or {}).items():
        lines.append(f"  {runtime}: NOT CHECKED: {why}")
    lines.append(report["verdict"])
    return "\n".join(lines)
