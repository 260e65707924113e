"""`assemble`: the offline Pyodide runtime folder (idempotent)."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("assemble", help="assemble the offline Pyodide runtime (idempotent)")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.set_defaults(func=main)


def main(args) -> int:
    from ..site.assemble import AssemblyError, assemble

    try:
        assemble(force=args.force)
    except AssemblyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
