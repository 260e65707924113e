"""`run` (the default): check parity of the cases across runtimes and print the verdict table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..parity.compare import DEFAULT_ATOL, DEFAULT_RTOL, Tolerance


def register(sub) -> None:
    p = sub.add_parser("run", help="check parity of the cases across runtimes (the default)")
    p.add_argument("--runtimes", default=None,
                   help="comma-separated runtimes: native, pyodide-chromium, pyodide-node, js-chromium, js-node "
                        "(default: all that can run here); native is the reference and always runs")
    p.add_argument("--case", action="append", default=[], metavar="FILE",
                   help="run cases from a JSON file (the report's spec format); repeatable")
    p.add_argument("--python", metavar="FILE", default=None,
                   help="an author's Python file (a DenseLayer class by the convention, or run_case(spec)) "
                        "in place of python_core: natively and in every Pyodide runtime")
    p.add_argument("--js", metavar="FILE", default=None,
                   help="an author's JavaScript file (ES module or CommonJS; DenseLayer or runCase) in place "
                        "of the JavaScript reference, in every JavaScript runtime")
    p.add_argument("--random", type=int, default=0, metavar="N", help="add N seeded random cases")
    p.add_argument("--seed", type=int, default=0, help="seed of the random cases (default 0)")
    p.add_argument("--batch-size", type=int, default=None, metavar="N",
                   help="cases per round-trip to a runtime (default 512)")
    p.add_argument("--boot-timeout", type=float, default=None, metavar="S",
                   help="seconds a runtime may take to start (default: 60 for js-node, 180 for the others)")
    p.add_argument("--run-timeout", type=float, default=None, metavar="S",
                   help="seconds one batch may take in a runtime before it is stopped (default 120)")
    p.add_argument("--json", metavar="PATH", help="write the full report as JSON")
    p.add_argument("--rtol", type=float, default=DEFAULT_RTOL, help=f"relative tolerance (default {DEFAULT_RTOL:g})")
    p.add_argument("--atol", type=float, default=DEFAULT_ATOL, help=f"absolute tolerance (default {DEFAULT_ATOL:g})")
    p.add_argument("--exact", action="store_true", help="demand bit identity")
    p.add_argument("--relative-to", choices=("terms", "result"), default="terms",
                   help="what rtol multiplies: max(|reference|, magnitude of the summed terms) (default), "
                        "or |reference| alone")
    p.set_defaults(func=main)


def write_report(report: dict, path: str) -> None:
    # Indented JSON for small reports, compact for large ones (a 300-case run holds millions of numbers).
    indent = 1 if len(report["cases"]) <= 50 else None
    Path(path).write_text(json.dumps(report, indent=indent))


def main(args) -> int:
    from ..parity.cases import CaseFileError, lesson_cases, load_case_file
    from ..parity.random_cases import random_cases
    from ..parity.runner import DEFAULT_BATCH, run_cases
    from ..runtimes import REFERENCE, available_runtimes

    # Every case is checked before any runtime starts.
    try:
        cases = lesson_cases()
        for path in args.case:
            cases.extend(load_case_file(path))
        cases.extend(random_cases(args.random, args.seed))
    except (CaseFileError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    lesson = None
    if args.python or args.js:
        from ..author import Lesson, LessonError

        try:
            lesson = Lesson(python=args.python, js=args.js)
            if lesson.js is not None:
                lesson.bundle()  # an import that cannot be resolved is bad input, named before anything boots
        except LessonError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    reference = REFERENCE if lesson is None else lesson.reference
    if args.runtimes is None:
        runtimes, left_out = available_runtimes()
        for name, why in left_out.items():
            print(f"note: {name} cannot run here and is left out ({why}); name it in --runtimes to make "
                  f"that a failure", file=sys.stderr)
    else:
        runtimes = [r.strip() for r in args.runtimes.split(",") if r.strip()]
    if not [r for r in runtimes if r != reference]:
        # A run of the reference alone compares nothing, and must not read as parity.
        print(f"error: nothing to compare: {reference} is the reference and no other runtime "
              + ("was named in --runtimes" if args.runtimes is not None else "can run here (see the notes above)"),
              file=sys.stderr)
        return 2
    try:
        report = run_cases(cases, runtimes, Tolerance(args.rtol, args.atol, args.exact, args.relative_to),
                           batch_size=DEFAULT_BATCH if args.batch_size is None else args.batch_size, boot_timeout=args.boot_timeout,
                           run_timeout=args.run_timeout, lesson=lesson)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from ..parity.report import format_table

    print(format_table(report))
    if args.json:
        write_report(report, args.json)
        print(f"report written to {args.json}")
    return 0 if report["ok"] else 1
