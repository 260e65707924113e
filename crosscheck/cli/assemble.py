"""`assemble`: the offline Pyodide runtime folder (idempotent)."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("assemble", help="assemble the offline Pyodide runtime (idempotent; installed: into the per-user cache)")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.set_defaults(func=main, needs_home=False)


def main(args) -> int:
    from ..paths import CHECKOUT
    from ..site.assemble import AssemblyError, assemble
    from ..site.home import ensure_home

    try:
        if CHECKOUT:
            assemble(force=args.force)
        else:  # installed: the whole per-user folder (pages, npm packages, bundles, runtime)
            ensure_home(force=args.force)
    except AssemblyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
