"""`bench-training`: the full-size training step against its floor, and seconds per epoch, natively
and in another Python runtime (crosscheck.training.bench)."""

from __future__ import annotations

import json
from pathlib import Path

from ..runtimes import PYTHON_RUNTIMES, REFERENCE
from ..training.bench import bench_training, format_figures
from . import checks


def register(sub) -> None:
    p = sub.add_parser("bench-training", help="time the full-size training step and epochs, natively and in Pyodide")
    p.add_argument("--repeats", type=checks.integer(1, 1000), default=7, help="full-size step repeats natively (default 7)")
    p.add_argument("--runtime", choices=[n for n in PYTHON_RUNTIMES if n != REFERENCE], default="pyodide-chromium",
                   help="the runtime measured beside native (default pyodide-chromium)")
    p.add_argument("--pyodide-repeats", type=checks.integer(1, 1000), default=3, help="full-size step repeats in --runtime (default 3)")
    p.add_argument("--native-only", action="store_true", help="leave --runtime out")
    p.add_argument("--xor-seeds", type=checks.integer(0, 10 ** 4), default=0, metavar="N",
                   help="also train XOR natively for seeds 0..N-1 with 2→2→1, 2→3→1 and 2→4→1 and count "
                        "the successes")
    p.add_argument("--json", metavar="PATH", type=checks.output_file, help="write the figures as JSON")
    p.set_defaults(func=main)


def main(args) -> int:
    figures, ok = bench_training(args.repeats, None if args.native_only else args.runtime, args.pyodide_repeats,
                                 args.xor_seeds)
    print(format_figures(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
        print(f"figures written to {args.json}")
    return 0 if ok else 1
