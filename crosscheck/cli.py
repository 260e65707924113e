"""``python -m crosscheck [run|assemble] …``: run is the default action."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .compare import DEFAULT_ATOL, DEFAULT_RTOL, Tolerance

DEFAULT_RUNTIMES = "native,pyodide-chromium"


def _add_run(sub) -> None:
    p = sub.add_parser("run", help="check parity of the cases across runtimes (the default)")
    p.add_argument("--runtimes", default=DEFAULT_RUNTIMES,
                   help=f"comma-separated runtimes (default: {DEFAULT_RUNTIMES}); native is the reference")
    p.add_argument("--case", action="append", default=[], metavar="FILE",
                   help="run cases from a JSON file (the report's spec format); repeatable")
    p.add_argument("--json", metavar="PATH", help="write the full report as JSON")
    p.add_argument("--rtol", type=float, default=DEFAULT_RTOL, help=f"relative tolerance (default {DEFAULT_RTOL:g})")
    p.add_argument("--atol", type=float, default=DEFAULT_ATOL, help=f"absolute tolerance (default {DEFAULT_ATOL:g})")
    p.add_argument("--exact", action="store_true", help="demand bit identity")
    p.set_defaults(func=cmd_run)


def cmd_run(args) -> int:
    from .cases import CaseFileError, lesson_cases, load_case_file
    from .run import run_cases

    try:
        cases = lesson_cases()
        for path in args.case:
            cases.extend(load_case_file(path))
    except CaseFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runtimes = [r.strip() for r in args.runtimes.split(",") if r.strip()]
    try:
        report = run_cases(cases, runtimes, Tolerance(args.rtol, args.atol, args.exact))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .report import format_table

    print(format_table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
        print(f"report written to {args.json}")
    return 0 if report["ok"] else 1


def _add_assemble(sub) -> None:
    p = sub.add_parser("assemble", help="assemble the offline Pyodide runtime (idempotent)")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.set_defaults(func=cmd_assemble)


def cmd_assemble(args) -> int:
    from .assemble import AssemblyError, assemble

    try:
        assemble(force=args.force)
    except AssemblyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


COMMANDS = (_add_run, _add_assemble)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m crosscheck",
                                     description="Cross-runtime parity for the lesson's DenseLayer.")
    sub = parser.add_subparsers(dest="command")
    for add in COMMANDS:
        add(sub)
    if not argv or (argv[0] not in sub.choices and argv[0] not in ("-h", "--help")):
        argv.insert(0, "run")
    args = parser.parse_args(argv)
    return args.func(args)
