"""`probe-libm [--runtimes …] [--samples N] [--seed S] [--json PATH]`: the share of each runtime's
exp and tanh results that are not correctly rounded (crosscheck.parity.libm)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import checks


def register(sub) -> None:
    p = sub.add_parser("probe-libm", help="how often each runtime's exp and tanh are not correctly rounded")
    p.add_argument("--runtimes", type=checks.runtime_list, default=None,
                   help="comma-separated runtimes (default: all that can run here)")
    p.add_argument("--samples", type=checks.integer(1, 10 ** 7, "each argument is recomputed with mpmath"), default=100_000, help="arguments drawn (default 100,000)")
    p.add_argument("--seed", type=checks.seed, default=0, help="seed of the arguments (default 0)")
    p.add_argument("--json", metavar="PATH", type=checks.output_file, help="write the table as JSON")
    p.set_defaults(func=main)


def main(args) -> int:
    from python_core.wire import decode_array, encode_array

    from ..parity.libm import correct_values, draw_arguments, format_libm, tally_libm, target_for
    from ..runtimes import RUNTIMES, RuntimeFailure, available_runtimes, make_runtime

    if args.runtimes is None:
        names, left_out = available_runtimes()
        for name, why in left_out.items():
            print(f"note: {name} cannot run here and is left out ({why})", file=sys.stderr)
    else:
        names = args.runtimes
    x, ranges = draw_arguments(args.samples, args.seed)
    request = json.dumps({"x": encode_array(x)})
    results, failures, versions = {}, {}, {}
    for name in names:
        try:
            with make_runtime(name) as runtime:
                reply = json.loads(runtime.call_entry(target_for(RUNTIMES[name]), request, 600))
                versions[name] = reply.pop("versions", runtime.versions())
        except (RuntimeFailure, OSError) as exc:
            failures[name] = getattr(exc, "reason", str(exc))
            print(f"error: {name}: {failures[name]}", file=sys.stderr)
            continue
        if reply.get("ok") is False:
            failures[name] = f"{reply['error']['type']}: {reply['error']['message']}"
            print(f"error: {name}: {failures[name]}", file=sys.stderr)
            continue
        results[name] = {k: decode_array(v) for k, v in reply.items()}
    rows = tally_libm(results, correct_values(x), ranges)
    print(format_libm(rows))
    print(f"\n{args.samples} arguments, seed {args.seed}; reference: correctly rounded (mpmath 160 bits, checked at 320)")
    if args.json:
        try:
            Path(args.json).write_text(json.dumps({"samples": args.samples, "seed": args.seed, "rows": rows,
                                                   "versions": versions, "failures": failures}, indent=1))
        except OSError as exc:
            print(f"error: cannot write --json {args.json}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    return 1 if failures else 0
