"""`explain REPORT.json [--json PATH]`: the cause of every element where two runtimes differ."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import checks


def register(sub) -> None:
    p = sub.add_parser("explain", help="attribute every element where two runtimes differ to a cause, by recomputation")
    p.add_argument("report", type=checks.any_report, help="a report written with --json")
    p.add_argument("--json", metavar="PATH", type=checks.output_file, help="write the attribution as JSON")
    p.set_defaults(func=main, needs_home=False)


def main(args) -> int:
    from ..parity.explain import explain_report, format_explanation

    report = args.report
    if checks.is_check_report(report):
        print(f"error: {report.path} is a `check` report: explain attributes the dense layer's differences only "
              "(`tally` shows which runtimes agree bit for bit per check and output)", file=sys.stderr)
        return 2
    try:
        result = explain_report(report).as_json()
    except checks.MALFORMED as exc:
        print(report.malformed(exc), file=sys.stderr)
        return 2
    if result.get("omitted_cases") and result["omitted_cases"] == len(report["cases"]):
        print(f"error: {report.path}: no case holds its values (the report was written without "
              f"--json-values full, and no case failed): nothing to explain", file=sys.stderr)
        return 2
    print(format_explanation(result))
    if args.json:
        try:
            Path(args.json).write_text(json.dumps(result, indent=1))
        except OSError as exc:
            print(f"error: cannot write --json {args.json}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"attribution written to {args.json}")
    return 0
