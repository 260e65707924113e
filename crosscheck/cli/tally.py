"""`tally REPORT.json`: pairwise bit-identity of runtimes per activation and array."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..parity.tally import format_tally, tally


def register(sub) -> None:
    p = sub.add_parser("tally", help="pairwise bit-identity of runtimes per activation and array, from a report")
    p.add_argument("report", help="a report written with --json")
    p.set_defaults(func=main)


def main(args) -> int:
    try:
        report = json.loads(Path(args.report).read_text())
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {args.report}: {exc}", file=sys.stderr)
        return 2
    if not (isinstance(report, dict) and isinstance(report.get("runtimes"), dict)
            and isinstance(report.get("cases"), list)):
        print(f"error: {args.report} is not a report written by `python -m crosscheck --json` "
              f"(expected an object with \"runtimes\" and \"cases\")", file=sys.stderr)
        return 2
    try:
        counts = tally(report)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        print(f"error: {args.report} is not a well-formed report: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(format_tally(counts))
    return 0
