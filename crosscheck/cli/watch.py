"""`watch`: run the parity check whenever a watched file is saved, and print the verdict table.

It watches the lesson's files (``--python``, ``--js``) and the ``--case`` files, and runs through the
resident pool (crosscheck.resident; started if none runs), so a verdict comes in about a second after a
save. A save that breaks a file (a syntax error, a missing DenseLayer, an unreadable case file)
prints that error in one line and goes on watching. Each run ends with one line for people and tools:
``watch: verdict N: PARITY OK|PARITY FAILED|ERROR, X.XX s after the save``. Ctrl-C stops it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from . import checks
from .run import BadInput, add_options, execute, prepare, write_report

POLL_S = 0.05  # how often the files' size and modification time are looked at


def register(sub) -> None:
    p = sub.add_parser("watch", help="re-run the parity check whenever a watched file (--python, --js, --case) "
                                     "is saved, through the resident pool")
    add_options(p)
    p.add_argument("--max-runs", type=checks.positive_count, default=None, metavar="N",
                   help="stop after N verdicts (for scripts)")
    p.set_defaults(func=main)


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


def main(args) -> int:
    from ..parity.report import format_table
    from ..resident import PoolError
    from ..resident.client import ensure_daemon

    files = watched_files(args)
    if not files:
        print("error: nothing to watch: name a --python, --js or --case file", file=sys.stderr)
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
    print(f"watching {', '.join(str(f) for f in files)} (Ctrl-C stops)", flush=True)
    stamps = {f: _stamp(f) for f in files}
    runs, changed_at = 0, time.monotonic()
    try:
        while True:
            try:
                plan = prepare(args)
                report = execute(args, plan, pool=True)
                print(format_table(report))
                if args.json:
                    write_report(report, args.json, args.json_values)
                verdict = "PARITY OK" if report["ok"] else "PARITY FAILED"
            except (BadInput, PoolError) as exc:
                print(f"error: {exc}", flush=True)
                verdict = "ERROR"
            runs += 1
            since = "the save" if runs > 1 else "watch started"
            print(f"watch: verdict {runs}: {verdict}, {time.monotonic() - changed_at:.2f} s after {since} "
                  f"({time.strftime('%H:%M:%S')})", flush=True)
            if args.max_runs is not None and runs >= args.max_runs:
                return 0
            print("watch: waiting for a save", file=sys.stderr, flush=True)
            stamps = wait_for_change(files, stamps)
            changed_at = time.monotonic()
            print(f"\nwatch: saved at {time.strftime('%H:%M:%S')}, running …", flush=True)
    except KeyboardInterrupt:
        return 0
