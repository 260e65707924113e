"""`bench`: cold start to first verdict and cases per second per runtime (crosscheck.parity.bench)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ..parity.bench import ALL, GOAL_CASES_PER_S, GOAL_RUNTIME, cold_start, sized_cases, throughput
from ..runtimes import RUNTIMES
from . import checks


def register(sub) -> None:
    p = sub.add_parser("bench", help="parity benchmarks: cold start to first verdict, cases per second per runtime")
    p.add_argument("--runtimes", default=",".join(ALL), help="comma-separated runtimes (default: all but the opt-in ones; name pyodide-firefox, js-webkit etc. to add them)")
    p.add_argument("--lesson-cases", type=checks.integer(1, 10 ** 6, "a bench holds every case in memory"), default=5000, metavar="N", help="lesson-sized cases (default 5000)")
    p.add_argument("--big-cases", type=checks.integer(1, 10 ** 4, "a bench holds every case in memory"), default=200, metavar="N", help="64×64, batch-32 cases (default 200)")
    p.add_argument("--batch-size", type=checks.positive_count, default=500, metavar="N", help="cases per round-trip (default 500)")
    p.add_argument("--latency-only", action="store_true",
                   help="only the latency figures (cold start, a verdict through the pool, watch of the dense "
                        "lesson and of the example course), not the throughput")
    p.add_argument("--json", metavar="PATH", type=checks.output_file, help="also write the figures as JSON")
    p.set_defaults(func=main)


COLD_PAIR = ["native", "pyodide-chromium"]
GOAL_COLD_PAIR_S = 3.0


def _met(figure: dict) -> str:
    return f"goal ≤ {figure['goal_s']:g} s: {'met' if figure['met'] else 'NOT met'}"


def latency_figures(names: list[str]) -> dict[str, dict]:
    """The latency figures, printed as they come: cold start of native + pyodide-chromium to the first
    verdict; a verdict through a running pool (command start to exit); watch, save to verdict; and watch of
    the example course, a save of one lesson's JavaScript to verdict."""
    from ..resident.bench import course_watch_verdict, pool_verdict, watch_verdict

    print("latency: cold start of native + pyodide-chromium …", file=sys.stderr, flush=True)
    cold = cold_start(COLD_PAIR)
    cold.update(goal_s=GOAL_COLD_PAIR_S, met=cold["ok"] and cold["seconds"] <= GOAL_COLD_PAIR_S, runtimes=COLD_PAIR)
    print(f"cold start to first verdict, native + pyodide-chromium: {cold['seconds']:.2f} s ({_met(cold)})", flush=True)
    print("latency: a verdict through a running pool (a pool of its own) …", file=sys.stderr, flush=True)
    pool = pool_verdict(names)
    print(f"pool running, lesson example on {len(names)} runtimes, command start to verdict: {pool['seconds']:.2f} s "
          f"(median of {', '.join(f'{t:.2f}' for t in pool['runs_s'])}; {_met(pool)})", flush=True)
    print("latency: watch, save to verdict …", file=sys.stderr, flush=True)
    watch = watch_verdict(names)
    print(f"watch, lesson example + 20 random cases on {len(names)} runtimes, save to verdict: {watch['seconds']:.2f} s "
          f"(median of {', '.join(f'{t:.2f}' for t in watch['saves_s'])}; {_met(watch)})", flush=True)
    print("latency: watch of the example course, a save of one lesson's JavaScript to verdict …", file=sys.stderr,
          flush=True)
    course = course_watch_verdict(names)
    rerun = sorted({f"{check}: {', '.join(runtimes)}" for save in course["rerun"] for check, runtimes in save.items()})
    print(f"watch of examples/backprop-course ({course['checks']} checks, {course['cases_per_check']} random cases "
          f"each, on {len(names)} runtimes), a save of {course['saved']} to verdict: {course['seconds']:.2f} s "
          f"(median of {', '.join(f'{t:.2f}' for t in course['saves_s'])}; re-ran {'; '.join(rerun) or 'nothing'})",
          flush=True)
    return {"cold_start_native_pyodide_chromium": cold, "pool_verdict": pool, "watch_verdict": watch,
            "course_watch_verdict": course}


def main(args) -> int:
    names = [r.strip() for r in args.runtimes.split(",") if r.strip()]
    unknown = [n for n in names if n not in RUNTIMES]
    if unknown or not names:
        print("error: argument --runtimes: " + (f"unknown runtime(s) {unknown}" if unknown else "no runtime named")
              + f"; known: {sorted(RUNTIMES)}", file=sys.stderr)
        return 2
    latency = latency_figures(names)
    if args.latency_only:
        if args.json:
            Path(args.json).write_text(json.dumps({"latency": latency}, indent=1))
        return 0 if all(f["ok"] for f in latency.values()) else 1
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
    rows = [("runtime", "boot (in parallel)", "boot (alone)", "lesson-sized cases/s", "64×64 batch-32 cases/s")]
    for name in names:
        r = rates[name]
        boot = cold["boot_s"].get(name)
        cells = ("failed: " + r["error"],) * 3 if "error" in r else (
            f"{r['boot_alone_s']:.1f} s", f"{r['lesson']['cases_per_s']:,.0f}", f"{r['64x64x32']['cases_per_s']:,.1f}")
        rows.append((name, "—" if boot is None else f"{boot:.1f} s", *cells))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
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
        Path(args.json).write_text(json.dumps({"latency": latency, "cold_start": cold, "throughput": rates,
                                               "batch_size": args.batch_size}, indent=1))
    failed = cold["errors"] or any("error" in r for r in rates.values()) or not all(f["ok"] for f in latency.values())
    return 1 if failed else 0
