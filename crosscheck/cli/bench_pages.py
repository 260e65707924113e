"""`bench-pages`: how the lab and the exercise feel in Chromium (crosscheck.site.bench)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import checks


def register(sub) -> None:
    p = sub.add_parser("bench-pages", help="page benchmarks: the lab's first result, the exercise's verdicts, "
                                           "how soon an endless loop is stopped and Reset answers, the next check's Python")
    p.add_argument("--repeats", type=checks.integer(1, 100, "each repeat is a full check"), default=5, metavar="N",
                   help="checks of a correct solution (default 5)")
    p.add_argument("--timeout", type=checks.integer(1, 60, "the learner waits that long"), default=3, metavar="S",
                   help="the exercise's timeout for the endless loop, in seconds (default 3)")
    p.add_argument("--json", metavar="PATH", type=checks.output_file, help="also write the figures as JSON")
    p.set_defaults(func=main)


def main(args) -> int:
    from ..runtimes.browser.chromium import BrowserUnavailable
    from ..site.assemble import AssemblyError
    from ..site.bench import PageBenchFailure, bench_pages
    from ..site.integrity import RuntimeIntegrityError

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    try:
        figures = bench_pages(args.repeats, args.timeout, progress)
    except (BrowserUnavailable, AssemblyError, RuntimeIntegrityError, PageBenchFailure) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    lab, ex, m = figures["lab"], figures["exercise"], figures["machine"]
    print(f"\n{figures['browser']}, {m['cores']} cores, load {m['load_average_1min']:.1f}, {m['date']}")
    print(f"lab: page to first result                  {lab['load_to_first_result_s']:.2f} s")
    print(f"exercise: page to Python ready             {ex['load_to_python_ready_s']:.2f} s")
    print(f"exercise: Check to verdict (median of {len(ex['verdict_s'])})    {ex['verdict_median_s']:.2f} s "
          f"(each a fresh interpreter; min {min(ex['verdict_s']):.2f}, max {max(ex['verdict_s']):.2f})")
    print(f"exercise: endless loop stopped             {ex['stop_after_timeout_s']:.2f} s after its "
          f"{ex['timeout_s']} s timeout")
    print(f"exercise: Reset answers, worker rebooting  {ex['reset_while_worker_boots_s'] * 1000:.0f} ms")
    for label, nxt in (("the page's core and snapshot", ex["next_python"]),
                       ("each worker's own core and start", figures["own_core"])):
        print(f"exercise: Check to next Python ready, {label}: {nxt['median_s']:.2f} s, "
              f"{nxt['median_cpu_s']:.2f} CPU-s (medians of {len(nxt['machine_cpu_s'])}; {'; '.join(nxt['core'])})")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
        print(f"figures written to {args.json}")
    return 0
