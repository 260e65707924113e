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
    print(format_tally(tally(report)))
    return 0
