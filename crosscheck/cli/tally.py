"""`tally REPORT.json`: pairwise bit-identity of runtimes per activation and array (the dense layer's
report), or per check and output (a ``check`` report)."""

from __future__ import annotations

import sys

from . import checks

from ..parity.tally import ValuesOmitted, format_tally, tally


def register(sub) -> None:
    p = sub.add_parser("tally", help="pairwise bit-identity of runtimes per activation and array, from a report")
    p.add_argument("report", type=checks.any_report, help="a report written with --json (by a run or by check)")
    p.set_defaults(func=main, needs_home=False)


def main(args) -> int:
    report = args.report
    if checks.is_check_report(report):
        return _check_report(report)
    try:
        counts = tally(report)
    except ValuesOmitted as exc:
        print(f"error: {report.path}: {exc}", file=sys.stderr)
        return 2
    except checks.MALFORMED as exc:
        print(report.malformed(exc), file=sys.stderr)
        return 2
    print(format_tally(counts))
    return 0


def _check_report(report) -> int:
    from ..lessons.tally import NoAgreement, format_tally, tally

    try:
        rows = tally(report)
    except NoAgreement as exc:
        print(f"error: {report.path}: {exc}", file=sys.stderr)
        return 2
    except checks.MALFORMED as exc:
        print(report.malformed(exc), file=sys.stderr)
        return 2
    print(format_tally(rows))
    return 0
