"""`watch`: run the parity check whenever a watched file is saved, and print the verdict table.

It watches the lesson's files (``--python``, ``--js``) and the ``--case`` files, and runs through the
resident pool (crosscheck.resident; started if none runs), so a verdict comes in about a second after a
save. A save that breaks a file (a syntax error, a missing DenseLayer, an unreadable case file)
prints that error in one line and goes on watching. Each run ends with one line for people and tools:
``watch: verdict N: PARITY OK|PARITY FAILED|ERROR, X.XX s after the save``. Ctrl-C stops it.

``watch COURSE.toml …`` (or ``check COURSE.toml --watch``) watches a course: the manifests, every
Python and JavaScript file their checks name, and the ``--case`` files. A run re-runs only what a save
changed: the pool keeps this watch's results of each check on each runtime and reuses them while the
file text, the check and the cases are the same (crosscheck.lessons.reuse), so a save of a lesson's
JavaScript runs that check's JavaScript runtimes only. Before the verdict line, one line says what ran:
``watch: re-ran 'mean squared error' on js-chromium, js-node (reused 53 of 55 results)``; the JSON report has
``rerun`` and ``reused``. The verdict line says CHECK OK|CHECK FAILED|ERROR.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ..parity.compare import DEFAULT_ATOL, DEFAULT_RTOL
from . import checks
from .run import BadInput, add_options, execute, prepare, write_report

POLL_S = 0.05  # how often the files' size and modification time are looked at


# What only the dense layer's run takes (with their defaults), refused beside a course's manifests.
DENSE_ONLY = {"python": None, "js": None, "batch_size": None, "reference": None, "rtol": DEFAULT_RTOL,
              "atol": DEFAULT_ATOL, "exact": False, "relative_to": "terms"}
COURSE_ONLY = {"only": [], "no_shrink": False, "case_dir": None}


def register(sub) -> None:
    p = sub.add_parser("watch", help="re-run the parity check whenever a watched file (--python, --js, --case) "
                                     "is saved, or a course's checks whenever its manifest or a file it names is "
                                     "saved (watch COURSE.toml), through the resident pool")
    p.add_argument("manifests", nargs="*", metavar="COURSE.toml", type=checks.input_file,
                   help="a course's lesson manifests (as `check` takes them): watch them and the files their checks "
                        "use; a save re-runs only the checks that use the file, on its language's runtimes")
    add_options(p)
    p.add_argument("--check", action="append", default=[], metavar="NAME", dest="only",
                   help="with COURSE.toml: watch only the check of this name; repeatable")
    p.add_argument("--no-shrink", action="store_true", help="with COURSE.toml: do not shrink a failing case")
    p.add_argument("--case-dir", metavar="DIR", type=checks.output_folder, default=None,
                   help="with COURSE.toml: where the smallest failing case of a failing check is written "
                        "(default: the current folder)")
    p.add_argument("--max-runs", type=checks.positive_count, default=None, metavar="N",
                   help="stop after N verdicts (for scripts)")
    p.set_defaults(func=main, random=None)  # a course draws 50 cases per check unless told; the dense run none


def watched_files(args) -> list[Path]:
    """What to watch: the lesson's files and the case files. (The harness's own sources are not
    watched: a change there needs `assemble` for the Pyodide runtimes, and replaces the pool.)"""
    return [Path(f).expanduser().resolve() for f in (args.python, args.js, *args.case) if f]


def _stamp(path: Path):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def wait_for_change(files: list[Path], before: dict) -> dict:
    """Block until a file's (mtime, size) differs from ``before`` and holds still for one poll."""
    while True:
        time.sleep(POLL_S)
        now = {f: _stamp(f) for f in files}
        if now != before:
            time.sleep(POLL_S)  # an editor may write in more than one step
            settled = {f: _stamp(f) for f in files}
            if settled == now:
                return now


def _option(name: str) -> str:
    return "--" + {"only": "check"}.get(name, name).replace("_", "-")


def main(args) -> int:
    if args.manifests:
        given = [n for n, default in DENSE_ONLY.items() if getattr(args, n) != default]
        if given:
            print(f"error: argument {_option(given[0])}: the dense layer's run only; a course's checks name their "
                  f"functions and tolerances in the manifest", file=sys.stderr)
            return 2
        return watch_course(args)
    given = [n for n, default in COURSE_ONLY.items() if getattr(args, n) != default]
    if given:
        print(f"error: argument {_option(given[0])}: only with a course's manifest (watch COURSE.toml)", file=sys.stderr)
        return 2
    if args.random is None:
        args.random = 0
    return watch_dense(args)


def watch_dense(args) -> int:
    from ..parity.report import format_table
    from ..resident import PoolError
    from ..resident.client import ensure_daemon

    files = watched_files(args)
    if not files:
        print("error: nothing to watch: name a --python, --js or --case file, or a course's manifest", file=sys.stderr)
        return 2
    try:
        plan = prepare(args)  # bad options and missing files: one line, exit 2, before the pool starts
        ensure_daemon(runtimes=plan.runtimes)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PoolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    def run_once() -> str:
        report = execute(args, prepare(args), pool=True)
        print(format_table(report))
        if args.json:
            write_report(report, args.json, args.json_values)
        return "PARITY OK" if report["ok"] else "PARITY FAILED"

    return watch_loop(files, run_once, (BadInput, PoolError), args.max_runs)


def course_files(args, plan) -> list[Path]:
    """A course's watched files: the manifests, every file their checks name, the case files."""
    named = [ref.path for check in plan.checks for ref in check.functions()]
    return list(dict.fromkeys(Path(f).expanduser().resolve() for f in (*args.manifests, *named, *args.case)))


def rerun_line(report: dict) -> str:
    """Which (check, runtime) results this run made, and how many it reused."""
    rerun, reused = report.get("rerun", {}), report.get("reused", {})
    made = sum(map(len, rerun.values()))
    total = made + sum(map(len, reused.values()))
    ran = "; ".join(f"{name!r} on {', '.join(runtimes)}" for name, runtimes in rerun.items()) or "nothing"
    return f"watch: re-ran {ran} (reused {total - made} of {total} results)"


def watch_course(args) -> int:
    """`watch COURSE.toml` / `check COURSE.toml --watch`: the course's checks through the pool, on every save,
    re-running only what the save changed."""
    import secrets

    from ..lessons.manifest import ManifestError
    from ..lessons.table import format_report
    from ..resident import PoolError
    from ..resident.client import check_via_pool, ensure_daemon
    from .check import BadInput as CheckBadInput, prepare as prepare_check, write_json

    case_dir = (args.case_dir if args.case_dir is not None else Path.cwd()).resolve()
    try:
        plan, _ = prepare_check(args, bundle=False)  # bad input: one line, exit 2, before the pool starts
        ensure_daemon(runtimes=[r for r in plan.runtimes if r not in plan.unavailable])
    except (CheckBadInput, ManifestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PoolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    files = course_files(args, plan)
    reuse = secrets.token_hex(8)  # this watch's results, kept by the pool

    def run_once() -> str:
        plan, _ = prepare_check(args, bundle=False)
        files[:] = course_files(args, plan)   # a file the save names is watched from now
        report = check_via_pool(plan, shrink=not args.no_shrink, case_dir=case_dir, reuse=reuse,
                                boot_timeout=args.boot_timeout, run_timeout=args.run_timeout,
                                browser_endpoint=args.browser_endpoint)
        print(format_report(report))
        if args.json:
            write_json(report, args.json)
        print(rerun_line(report), flush=True)
        return "CHECK OK" if report["ok"] else "CHECK FAILED"

    return watch_loop(files, run_once, (CheckBadInput, ManifestError, PoolError), args.max_runs)


def watch_loop(files: list[Path], run_once, errors: tuple[type[BaseException], ...], max_runs: int | None) -> int:
    """Runs ``run_once`` (which prints its report and returns the verdict; it may change ``files`` in place)
    now and after every save of ``files``, until Ctrl-C or ``max_runs`` runs. One of ``errors`` is one line,
    and watching goes on."""
    print(f"watching {', '.join(str(f) for f in files)} (Ctrl-C stops)", flush=True)
    stamps = {f: _stamp(f) for f in files}
    runs, changed_at = 0, time.monotonic()
    try:
        while True:
            try:
                verdict = run_once()
            except errors as exc:
                print(f"error: {exc}", flush=True)
                verdict = "ERROR"
            runs += 1
            since = "the save" if runs > 1 else "watch started"
            print(f"watch: verdict {runs}: {verdict}, {time.monotonic() - changed_at:.2f} s after {since} "
                  f"({time.strftime('%H:%M:%S')})", flush=True)
            if max_runs is not None and runs >= max_runs:
                return 0
            print("watch: waiting for a save", file=sys.stderr, flush=True)
            stamps = {f: stamps.get(f, _stamp(f)) for f in files}
            stamps = wait_for_change(files, stamps)
            changed_at = time.monotonic()
            print(f"\nwatch: saved at {time.strftime('%H:%M:%S')}, running …", flush=True)
    except KeyboardInterrupt:
        return 0
