"""`check LESSONS.toml …`: every lesson of a course (any pair of functions, Python and JavaScript) on drawn
cases across the runtimes; the verdict table per check, the smallest failing case, the JSON report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import checks


def register(sub) -> None:
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
    p.add_argument("--skip-unavailable", action="store_true",
                   help="leave out the runtimes that cannot run here instead of failing (listed as NOT CHECKED)")
    p.add_argument("--case", action="append", default=[], metavar="FILE", type=checks.input_file,
                   help="run the case(s) of a case file (as the smallest failing case is written); repeatable")
    p.add_argument("--check", action="append", default=[], metavar="NAME", dest="only",
                   help="run only the check of this name; repeatable")
    p.add_argument("--json", metavar="PATH", type=checks.output_file, help="write the report as JSON")
    p.add_argument("--no-shrink", action="store_true", help="do not shrink a failing case")
    p.add_argument("--case-dir", metavar="DIR", type=checks.output_folder, default=None,
                   help="where the smallest failing case of each failing check is written (default: the current folder)")
    p.add_argument("--boot-timeout", type=checks.positive, default=None, metavar="S",
                   help="seconds a runtime may take to start")
    p.add_argument("--run-timeout", type=checks.positive, default=None, metavar="S",
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


class BadInput(ValueError):
    """One line, exit 2."""


def prepare(args, bundle: bool = True):
    """The plan and its sources; without ``bundle`` the JavaScript files are only read (the pool bundles them)."""
    from ..lessons.cases import CaseFileError, draw_cases, read_case_file
    from ..lessons.course import Plan, check_names_unique
    from ..lessons.manifest import load_manifest
    from ..lessons.run import Sources, language_of
    from ..runtimes import RUNTIMES, unavailable_reason

    checks_ = [c for path in args.manifests for c in load_manifest(path).checks]
    check_names_unique(checks_)
    if args.only:
        unknown = [n for n in args.only if n not in {c.name for c in checks_}]
        if unknown:
            raise BadInput(f"argument --check: no check {unknown[0]!r} (checks: {', '.join(c.name for c in checks_)})")
        checks_ = [c for c in checks_ if c.name in args.only]
    by_name = {c.name: c for c in checks_}
    case_cases: dict[str, list] = {}
    try:
        for path in args.case:
            for check, case in read_case_file(path, by_name):
                case_cases.setdefault(check.name, []).append(case)
    except CaseFileError as exc:
        raise BadInput(str(exc)) from None
    if args.case:
        checks_ = [c for c in checks_ if c.name in case_cases]  # a case file reruns its own check
    random = args.random if args.random is not None else (0 if args.case else 50)
    cases = {c.name: case_cases.get(c.name, []) + draw_cases(c, random, args.seed) for c in checks_}
    empty = [name for name, cs in cases.items() if not cs]
    if empty:
        raise BadInput(f"no cases for {', '.join(map(repr, empty))}: --random 0 and no case file for it")
    default = [name for name, cls in RUNTIMES.items() if cls.default]
    if args.runtimes is None:
        runtimes = default
    else:
        runtimes = list(dict.fromkeys(r.strip() for r in args.runtimes.split(",") if r.strip()))
        unknown = [r for r in runtimes if r not in RUNTIMES]
        if unknown:
            raise BadInput(f"argument --runtimes: unknown runtime(s) {', '.join(unknown)}; known: {', '.join(RUNTIMES)}")
        foreign = [r for r in runtimes if language_of(r) is None]
        if foreign:
            raise BadInput(f"argument --runtimes: {foreign[0]} runs the dense layer only, not a course's functions")
    references = {("native" if c.python else "js-node") for c in checks_}
    runtimes = list(dict.fromkeys([*sorted(references), *runtimes]))
    not_checked = {n: "not named in --runtimes" for n in default if n not in runtimes}
    unavailable = {n: why for n in runtimes for why in [unavailable_reason(n)] if why}
    if args.skip_unavailable:
        for name in [n for n in unavailable if n not in references]:
            not_checked[name] = f"skipped with --skip-unavailable: {unavailable.pop(name)}"
            runtimes.remove(name)
    if any(getattr(RUNTIMES[r], "uses_pyodide_folder", False) and r not in unavailable for r in runtimes):
        from ..paths import RUNTIME_DIR
        from ..site.integrity import RuntimeIntegrityError, verify_runtime

        try:
            verify_runtime(RUNTIME_DIR)
        except RuntimeIntegrityError as exc:
            raise BadInput(str(exc)) from None
    sources = Sources()
    for check in checks_:
        sources.prepare(check, bundle=bundle)
    return Plan(checks_, cases, runtimes, unavailable, not_checked, args.seed, random), sources


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
