"""`run` (the default): check parity of the cases across runtimes and print the verdict table."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..parity.compare import DEFAULT_ATOL, DEFAULT_RTOL, LOOSE_TOLERANCE, Tolerance
from . import checks


def register(sub) -> None:
    p = sub.add_parser("run", help="check parity of the cases across runtimes (the default)")
    add_options(p)
    p.add_argument("--pool", action="store_true",
                   help="run in the resident pool's booted runtimes (started when none runs, stopped when idle; "
                        "a fresh interpreter for every run; see `pool --help`)")
    p.set_defaults(func=main)


def add_options(p) -> None:
    """What chooses the cases, the lesson files, the runtimes and the verdict (shared by run and watch)."""
    p.add_argument("--runtimes", default=None,
                   help="comma-separated runtimes: native, pyodide-chromium, pyodide-node, js-chromium, js-node; "
                        "only when named: pyodide-firefox, js-firefox, pyodide-webkit, js-webkit (the same page in "
                        "Firefox and WebKit) and exact (the correctly rounded truth) (default: the first five); the "
                        "reference (--reference) always runs. A runtime named (or in the default set) that cannot "
                        "run here is reported as DID NOT RUN and fails the run")
    p.add_argument("--skip-unavailable", action="store_true",
                   help="leave out the runtimes that cannot run here instead of failing; they are listed as "
                        "NOT CHECKED, and the verdict says what was and was not checked")
    p.add_argument("--case", action="append", default=[], metavar="FILE", type=checks.input_file,
                   help="run cases from a JSON file (the report's spec format); repeatable")
    p.add_argument("--python", metavar="FILE", default=None,
                   help="an author's Python file (a DenseLayer class by the convention, or run_case(spec)) "
                        "in place of python_core: natively and in every Pyodide runtime")
    p.add_argument("--js", metavar="FILE", default=None,
                   help="an author's JavaScript file (ES module or CommonJS; DenseLayer or runCase) in place "
                        "of the JavaScript reference, in every JavaScript runtime")
    p.add_argument("--random", type=checks.integer(0, checks.MAX_CASES - 1, "cases in one run"), default=0,
                   metavar="N", help=f"add N seeded random cases (at most {checks.MAX_CASES - 1})")
    p.add_argument("--seed", type=checks.seed, default=0, help="seed of the random cases (default 0)")
    p.add_argument("--batch-size", type=checks.positive_count, default=None, metavar="N",
                   help="cases per round-trip to a runtime (default 512)")
    p.add_argument("--boot-timeout", type=checks.seconds, default=None, metavar="S",
                   help="seconds a runtime may take to start (default: 60 for js-node, 180 for the others)")
    p.add_argument("--run-timeout", type=checks.seconds, default=None, metavar="S",
                   help="seconds one batch may take in a runtime before it is stopped (default 120)")
    p.add_argument("--browser-endpoint", metavar="WS_URL",
                   help="run the Chromium runtimes in a Playwright browser server (ws://host:port/, e.g. "
                        "`python -m playwright run-server --unsafe`) instead of a local Chromium")
    p.add_argument("--reference", default=None, metavar="NAME",
                   help="the runtime the others are compared with (default native; `exact` for the truth)")
    p.add_argument("--json", metavar="PATH", type=checks.output_file,
                   help="write the report as JSON (the values of the failing cases only, unless --json-values full)")
    p.add_argument("--json-values", choices=("failing", "full"), default="failing",
                   help="which cases' specs and results --json writes: those of the cases that failed (default: "
                        "the report grows with what failed), or every case's (what `tally` and a full `explain` need)")
    p.add_argument("--rtol", type=checks.tolerance, default=DEFAULT_RTOL, help=f"relative tolerance (default {DEFAULT_RTOL:g})")
    p.add_argument("--atol", type=checks.tolerance, default=DEFAULT_ATOL, help=f"absolute tolerance (default {DEFAULT_ATOL:g})")
    p.add_argument("--loose", action="store_true",
                   help=f"allow --rtol or --atol of {LOOSE_TOLERANCE:g} or more (refused otherwise: it passes "
                        f"results wrong in their third digit); the verdict then names the tolerance")
    p.add_argument("--exact", action="store_true", help="demand bit identity")
    p.add_argument("--relative-to", choices=("terms", "result"), default="terms",
                   help="what rtol multiplies: max(|reference|, magnitude of the summed terms) (default), "
                        "or |reference| alone")
    p.add_argument("--strict-shapes", action="store_true",
                   help="fail an array of shape (n,) where the reference's is (1, n), or the reverse (by default "
                        "the same numbers are compared element by element, and the shapes noted)")


def write_report(report: dict, path: str, values: str = "failing") -> None:
    """The report as JSON: every case's values (``values="full"``), or only the failing cases' (the
    default, crosscheck.parity.report.for_json)."""
    from ..parity.report import for_json

    out = for_json(report, values)
    # Indented JSON for small reports, compact for large ones (a 300-case run holds millions of numbers).
    indent = 1 if len(out["cases"]) <= 50 else None
    Path(path).write_text(json.dumps(out, indent=indent))


class BadInput(ValueError):
    """A case file, a lesson file or an option that cannot be used: one line, exit status 2."""


@dataclass
class Plan:
    """What a run will do, settled (and every input checked) before anything boots."""

    cases: list
    lesson: Any
    runtimes: list[str]
    reference: str
    unavailable: dict[str, str] = field(default_factory=dict)
    not_checked: dict[str, str] = field(default_factory=dict)


def prepare(args) -> Plan:
    """The plan from the options; BadInput (one line) for anything that cannot be used."""
    from ..parity.cases import CaseFileError, lesson_cases, load_case_file
    from ..parity.random_cases import random_cases
    from ..runtimes import REFERENCE, RUNTIMES, unavailable_reason

    loose = checks.loose_problem(args.rtol, args.atol, getattr(args, "loose", False), args.exact)
    if loose:
        raise BadInput(loose)
    # Every case is checked before any runtime starts.
    try:
        cases = lesson_cases()
        for path in args.case:
            cases.extend(load_case_file(path))
        cases.extend(random_cases(args.random, args.seed))
    except (CaseFileError, ValueError) as exc:
        raise BadInput(str(exc)) from None
    if len(cases) > checks.MAX_CASES:
        raise BadInput(f"{len(cases)} cases; a run takes at most {checks.MAX_CASES:,} (split the case files)")
    lesson = None
    if args.python or args.js:
        from ..author import Lesson, LessonError

        try:
            lesson = Lesson(python=args.python, js=args.js)
            if lesson.js is not None:
                lesson.bundle()  # an import that cannot be resolved is bad input, named before anything boots
        except LessonError as exc:
            raise BadInput(str(exc)) from None
    # The reference: --reference when given, else the author's Python natively (or their JavaScript in Node).
    reference = args.reference or (REFERENCE if lesson is None else lesson.reference)
    if reference not in RUNTIMES:
        raise BadInput(f"argument --reference: unknown runtime {reference!r}; known: {', '.join(RUNTIMES)}")
    default = [name for name, cls in RUNTIMES.items() if cls.default]  # all but the opt-in ones (exact, Firefox, WebKit)
    if args.runtimes is None:
        runtimes = default
    else:
        runtimes = [r.strip() for r in args.runtimes.split(",") if r.strip()]
        unknown = [r for r in runtimes if r not in RUNTIMES]
        if unknown:
            raise BadInput(f"argument --runtimes: unknown runtime(s) {', '.join(unknown)}; "
                           f"known: {', '.join(RUNTIMES)}")
    not_checked = {name: "not named in --runtimes" for name in default if name not in runtimes and name != reference}
    # Checked here, cheaply (nothing is launched): a runtime that cannot run is reported as DID NOT RUN,
    # or, with --skip-unavailable, left out and listed as NOT CHECKED.
    unavailable = {name: why for name in runtimes if name != reference
                   for why in [unavailable_reason(name)] if why}
    if args.skip_unavailable:
        for name, why in unavailable.items():
            not_checked[name] = f"skipped with --skip-unavailable: {why}"
        runtimes = [r for r in runtimes if r not in unavailable]
        unavailable = {}
    # A Pyodide runtime folder that is stale (python_core edited since) or changed after assembly is
    # refused before anything starts: it would run other code than native, or files nobody checked.
    if any(getattr(RUNTIMES[r], "uses_pyodide_folder", False) and r not in unavailable for r in runtimes):
        from ..paths import RUNTIME_DIR
        from ..site.integrity import RuntimeIntegrityError, verify_runtime
        try:
            verify_runtime(RUNTIME_DIR)
        except RuntimeIntegrityError as exc:
            raise BadInput(str(exc)) from None
    if not [r for r in runtimes if r != reference]:
        # A run of the reference alone compares nothing, and must not read as parity.
        raise BadInput(f"nothing to compare: {reference} is the reference and no other runtime "
                       + ("was named in --runtimes" if not args.skip_unavailable else "can run here: "
                          + "; ".join(f"{n}: {why}" for n, why in not_checked.items())))
    return Plan(cases, lesson, runtimes, reference, unavailable, not_checked)


def execute(args, plan: Plan, pool: bool = False) -> dict:
    """The report, from runtimes booted here, or (``pool``) from the resident pool (crosscheck.resident).
    BadInput for what the runner refuses; PoolError when the pool cannot be had."""
    from ..parity.runner import DEFAULT_BATCH, run_cases

    tolerance = Tolerance(args.rtol, args.atol, args.exact, args.relative_to, args.strict_shapes)
    batch_size = DEFAULT_BATCH if args.batch_size is None else args.batch_size
    if pool:
        from ..resident.client import PoolError, run_via_pool

        try:
            return run_via_pool(plan.cases, plan.runtimes, tolerance, batch_size, args.boot_timeout,
                                args.run_timeout, args.browser_endpoint, lesson=plan.lesson,
                                reference=plan.reference, unavailable=plan.unavailable,
                                not_checked=plan.not_checked)
        except PoolError as exc:
            if exc.status == 2:
                raise BadInput(str(exc)) from None
            raise
    try:
        return run_cases(plan.cases, plan.runtimes, tolerance, batch_size=batch_size,
                         boot_timeout=args.boot_timeout, run_timeout=args.run_timeout,
                         browser_endpoint=args.browser_endpoint, reference=plan.reference,
                         unavailable=plan.unavailable, not_checked=plan.not_checked, lesson=plan.lesson)
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def main(args) -> int:
    from ..resident import PoolError

    try:
        plan = prepare(args)
        report = execute(args, plan, pool=getattr(args, "pool", False))
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PoolError as exc:  # the pool could not be started or reached: no verdict, and no parity
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from ..parity.report import format_table

    print(format_table(report))
    if args.json:
        try:
            write_report(report, args.json, args.json_values)
        except OSError as exc:
            print(f"error: argument --json: cannot write {args.json}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"report written to {args.json}")
    return 0 if report["ok"] else 1
