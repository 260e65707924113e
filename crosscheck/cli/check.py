"""`check LESSONS.toml …`: every lesson of a course (any pair of functions, Python and JavaScript) on drawn
cases across the runtimes; the verdict table per check, the smallest failing case, the JSON report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..lessons.plan import PlanError as BadInput  # noqa: F401 (one line, exit 2; the name callers import)
from . import checks


def register(sub) -> None:
    from ..parity.compare import LOOSE_TOLERANCE

    p = sub.add_parser("check", help="check a course's lessons (a TOML manifest of function pairs) across runtimes")
    p.add_argument("manifests", nargs="+", metavar="LESSONS.toml", type=checks.input_file,
                   help="lesson manifests: [[check]] tables naming a Python and a JavaScript function, their "
                        "arguments, the named sizes and the inputs to draw (docs/authors.md)")
    p.add_argument("--random", type=checks.integer(0, checks.MAX_CASES, "cases per check"), default=None, metavar="N",
                   help="drawn cases per check (default 50; 0 with --case); the first two take every dimension at its "
                        "minimum, then at its maximum")
    p.add_argument("--seed", type=checks.seed, default=0, help="seed of the drawn cases (default 0)")
    p.add_argument("--runtimes", default=None,
                   help="comma-separated runtimes (default: native, pyodide-chromium, pyodide-node, js-chromium, "
                        "js-node; pyodide-firefox, js-firefox, pyodide-webkit, js-webkit when named); each check runs "
                        "in the runtimes of its languages, and its reference (native, or js-node for a JavaScript-only "
                        "check) always runs")
    p.add_argument("--reference", metavar="RUNTIME", default=None,
                   help="the runtime each check is compared with, where it runs one of the check's languages "
                        "(default: native, or js-node for a JavaScript-only check)")
    p.add_argument("--skip-unavailable", action="store_true",
                   help="leave out the runtimes that cannot run here instead of failing (listed as NOT CHECKED)")
    p.add_argument("--case", action="append", default=[], metavar="FILE", type=checks.input_file,
                   help="run the case(s) of a case file (as the smallest failing case is written); repeatable")
    p.add_argument("--check", action="append", default=[], metavar="NAME", dest="only",
                   help="run only the check of this name; repeatable")
    p.add_argument("--json", metavar="PATH", type=checks.output_file, help="write the report as JSON")
    p.add_argument("--no-shrink", action="store_true", help="do not shrink a failing case")
    p.add_argument("--loose", action="store_true",
                   help=f"allow a manifest's rtol or atol of {LOOSE_TOLERANCE:g} or more (refused otherwise: it "
                        "passes results wrong in their third digit); the verdict then names the checks and tolerances")
    p.add_argument("--case-dir", metavar="DIR", type=checks.output_folder, default=None,
                   help="where the smallest failing case of each failing check is written (default: the current folder)")
    p.add_argument("--boot-timeout", type=checks.seconds, default=None, metavar="S",
                   help="seconds a runtime may take to start")
    p.add_argument("--run-timeout", type=checks.seconds, default=None, metavar="S",
                   help="seconds one call (a check's cases) may take in a runtime before it is stopped (default 120)")
    p.add_argument("--browser-endpoint", metavar="WS_URL",
                   help="run the Chromium runtimes in a Playwright browser server (ws://host:port/)")
    p.add_argument("--pool", action="store_true",
                   help="run in the resident pool's booted runtimes (started when none runs; a fresh interpreter "
                        "for every run; the same report; see `pool --help`)")
    p.add_argument("--watch", action="store_true",
                   help="re-run whenever the manifest or a file its checks use is saved, through the pool: only the "
                        "checks that use the saved file, and only its language's runtimes (as `watch COURSE.toml`)")
    p.add_argument("--max-runs", type=checks.positive_count, default=None, metavar="N",
                   help="with --watch: stop after N verdicts (for scripts)")
    p.set_defaults(func=main)


def prepare(args, bundle: bool = True):
    """(the plan, the sources) from the parsed arguments; BadInput or ManifestError (one line) for bad input.
    Without ``bundle`` the JavaScript files are only read (the pool bundles them)."""
    from ..lessons.plan import make_plan

    runtimes = args.runtimes.split(",") if args.runtimes is not None else None
    return make_plan(args.manifests, random=args.random, seed=args.seed, runtimes=runtimes,
                     reference=getattr(args, "reference", None), skip_unavailable=args.skip_unavailable,
                     case_files=args.case, only=args.only, bundle=bundle, loose=getattr(args, "loose", False))


def main(args) -> int:
    from ..lessons.course import run_plan
    from ..lessons.manifest import ManifestError
    from ..lessons.table import format_report
    from ..resident import PoolError

    if args.watch:
        from .watch import watch_course

        return watch_course(args)
    if args.max_runs is not None:
        print("error: argument --max-runs: only with --watch", file=sys.stderr)
        return 2
    try:
        plan, sources = prepare(args, bundle=not args.pool)
        case_dir = args.case_dir if args.case_dir is not None else Path.cwd()
        if args.pool:
            from ..resident.client import check_via_pool

            report = check_via_pool(plan, shrink=not args.no_shrink, case_dir=Path(case_dir).resolve(), boot_timeout=args.boot_timeout,
                                    run_timeout=args.run_timeout, browser_endpoint=args.browser_endpoint)
            for entry in report["checks"]:  # named as a cold run names it (the pool wrote it by its full path)
                if entry.get("minimal_case_file"):
                    entry["minimal_case_file"] = str(Path(case_dir) / Path(entry["minimal_case_file"]).name)
        else:
            report = run_plan(plan, sources, shrink_failures=not args.no_shrink, case_dir=case_dir,
                              boot_timeout=args.boot_timeout, run_timeout=args.run_timeout,
                              browser_endpoint=args.browser_endpoint)
    except (BadInput, ManifestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PoolError as exc:  # status 2: the pool found the input bad (a file that does not bundle)
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    print(format_report(report))
    if args.json:
        try:
            write_json(report, args.json)
        except OSError as exc:
            print(f"error: argument --json: cannot write {args.json}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"report written to {args.json}")
    return 0 if report["ok"] else 1


def write_json(report: dict, path: str) -> None:
    from ..lessons.course import public

    Path(path).write_text(json.dumps(public(report), indent=1, default=_jsonable))


def _jsonable(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
