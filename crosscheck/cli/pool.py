"""`pool {start,stop,status}`: the resident pool of booted runtimes (crosscheck.resident) that `run --pool`,
`watch` and `bench` use. It starts on demand anyway; `start` boots the spares ahead of the first run."""

from __future__ import annotations

import json
import sys

from . import checks


def register(sub) -> None:
    p = sub.add_parser("pool", help="the resident pool of booted runtimes: start, stop, status")
    p.add_argument("action", choices=("start", "stop", "status"))
    p.add_argument("--runtimes", default=None,
                   help="start: comma-separated runtimes to boot spares for (default: all that can run here)")
    p.add_argument("--idle", type=checks.seconds, default=None, metavar="S",
                   help="start: stop after S seconds without a request (default $DENSE_PARITY_POOL_IDLE or 900)")
    p.add_argument("--wait", action="store_true", help="start: return once every spare has booted")
    p.set_defaults(func=main)


def main(args) -> int:
    from ..resident.client import PoolError, ensure_daemon, request, stop_daemon, wait_ready
    from ..resident.location import pool_dir
    from ..runtimes import RUNTIMES, available_runtimes

    folder = pool_dir()
    if args.action == "stop":
        print("stopping the pool" if stop_daemon(folder) else f"no pool answers at {folder}")
        return 0
    if args.action == "status":
        try:
            print(json.dumps(request(folder, {"op": "status"}), indent=1))
        except OSError:
            print(f"no pool answers at {folder}")
            return 1
        return 0
    if args.idle is not None and args.idle <= 0:
        print(f"error: --idle: expected a positive number of seconds, got {args.idle:g}", file=sys.stderr)
        return 2
    runtimes = available_runtimes()[0] if args.runtimes is None else \
        [r.strip() for r in args.runtimes.split(",") if r.strip()]
    unknown = [r for r in runtimes if r not in RUNTIMES]
    if unknown:
        print(f"error: unknown runtime(s) {', '.join(unknown)}; known: {', '.join(RUNTIMES)}", file=sys.stderr)
        return 2
    try:
        ensure_daemon(folder, runtimes, args.idle)
        if args.wait:
            states = wait_ready(folder, runtimes)
            print(json.dumps(states, indent=1))
            return 0 if all(s["spare"] == "ready" for s in states.values()) else 1
    except PoolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"pool running at {folder}")
    return 0
