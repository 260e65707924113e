"""``python -m crosscheck bench``: how fast parity gets a verdict, and how many cases a runtime checks per second.

1. Cold start to the first verdict: every runtime started from nothing (processes, browsers, Pyodide),
   in parallel, until the lesson example's report exists. The OS file cache is whatever it is
   (warm after the first run on a machine); the figure says so.
2. Throughput once booted, one runtime at a time so they do not share the two cores: lesson-sized
   cases (2 inputs, 3 neurons, batch 1, like the lesson example) and 64×64 cases with a batch of 32.
   A case's time covers the whole round-trip: encoding on the host, transport, the runtime's work,
   decoding back. The goal: at least 1,000 lesson-sized cases per second through pyodide-chromium.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from .cases import lesson_cases
from .random_cases import ACTIVATION_ORDER
from .run import default_runtime, run_cases
from .runtimes import RUNTIMES, RuntimeFailure

GOAL_RUNTIME, GOAL_CASES_PER_S = "pyodide-chromium", 1000.0
ALL = list(RUNTIMES)


def sized_cases(count: int, n_inputs: int, n_neurons: int, batch: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [{"name": f"bench-{n_inputs}x{n_neurons}x{batch}-{i}", "activation": ACTIVATION_ORDER[i % 4],
             "weights": rng.standard_normal((n_inputs, n_neurons)) * 0.5, "biases": rng.standard_normal((1, n_neurons)),
             "inputs": rng.standard_normal((batch, n_inputs)), "upstream": rng.standard_normal((batch, n_neurons))}
            for i in range(count)]


def cold_start(names: list[str]) -> dict[str, Any]:
    started = time.monotonic()
    report = run_cases(lesson_cases(), names, progress=lambda name: (lambda stage: None))
    seconds = time.monotonic() - started
    return {"seconds": round(seconds, 2), "ok": report["ok"],
            "boot_s": {n: info.get("boot_s") for n, info in report["runtimes"].items()},
            "errors": {n: info["error"] for n, info in report["runtimes"].items() if not info.get("ok")}}


def throughput(name: str, suites: dict[str, list[dict]], batch_size: int) -> dict[str, Any]:
    runtime = default_runtime(name)
    try:
        runtime.start(lambda stage: None)
        runtime.run(suites["lesson"][:batch_size])  # warm-up: imports, JIT, first allocation
        figures: dict[str, Any] = {}
        for suite, cases in suites.items():
            started = time.monotonic()
            for first in range(0, len(cases), batch_size):
                outcomes = runtime.run(cases[first:first + batch_size])
                if not all(o["ok"] for o in outcomes):
                    raise RuntimeFailure(name, f"a {suite} case failed: {next(o for o in outcomes if not o['ok'])}")
            seconds = time.monotonic() - started
            figures[suite] = {"cases": len(cases), "seconds": round(seconds, 3),
                              "cases_per_s": round(len(cases) / seconds, 1)}
        return figures
    except RuntimeFailure as exc:
        return {"error": exc.reason}
    finally:
        runtime.close()


def add_bench(sub) -> None:
    p = sub.add_parser("bench", help="parity benchmarks: cold start to first verdict, cases per second per runtime")
    p.add_argument("--runtimes", default=",".join(ALL), help="comma-separated runtimes (default: all five)")
    p.add_argument("--lesson-cases", type=int, default=5000, metavar="N", help="lesson-sized cases (default 5000)")
    p.add_argument("--big-cases", type=int, default=200, metavar="N", help="64×64, batch-32 cases (default 200)")
    p.add_argument("--batch-size", type=int, default=500, metavar="N", help="cases per round-trip (default 500)")
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    p.set_defaults(func=cmd_bench)


def cmd_bench(args) -> int:
    names = [r.strip() for r in args.runtimes.split(",") if r.strip()]
    unknown = [n for n in names if n not in RUNTIMES]
    if unknown:
        print(f"error: unknown runtime(s) {unknown}; known: {sorted(RUNTIMES)}", file=sys.stderr)
        return 2
    print(f"cold start: {', '.join(names)} in parallel, to the lesson example's verdict …", file=sys.stderr, flush=True)
    cold = cold_start(names)
    suites = {"lesson": sized_cases(args.lesson_cases, 2, 3, 1, seed=1),
              "64x64x32": sized_cases(args.big_cases, 64, 64, 32, seed=2)}
    rates: dict[str, Any] = {}
    for name in names:
        print(f"throughput: {name} …", file=sys.stderr, flush=True)
        rates[name] = throughput(name, suites, args.batch_size)

    print(f"\ncold start to first verdict, {len(names)} runtimes in parallel: {cold['seconds']:.1f} s "
          f"({'PARITY OK' if cold['ok'] else 'PARITY FAILED'})")
    rows = [("runtime", "boot (in parallel)", "lesson-sized cases/s", "64×64 batch-32 cases/s")]
    for name in names:
        r = rates[name]
        boot = cold["boot_s"].get(name)
        cells = ("failed: " + r["error"],) * 2 if "error" in r else (
            f"{r['lesson']['cases_per_s']:,.0f}", f"{r['64x64x32']['cases_per_s']:,.1f}")
        rows.append((name, "—" if boot is None else f"{boot:.1f} s", *cells))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print(f"(batches of {args.batch_size}; {args.lesson_cases} lesson-sized and {args.big_cases} 64×64 cases; "
          f"round-trip time, host encoding and decoding included)")
    goal = rates.get(GOAL_RUNTIME, {}).get("lesson", {}).get("cases_per_s")
    if goal is not None:
        print(f"goal: ≥ {GOAL_CASES_PER_S:,.0f} lesson-sized cases/s through {GOAL_RUNTIME}: {goal:,.0f} → "
              + ("met" if goal >= GOAL_CASES_PER_S else "NOT met"))
    if args.json:
        Path(args.json).write_text(json.dumps({"cold_start": cold, "throughput": rates,
                                               "batch_size": args.batch_size}, indent=1))
    failed = cold["errors"] or any("error" in r for r in rates.values())
    return 1 if failed else 0
