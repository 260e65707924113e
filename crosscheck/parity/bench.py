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

import time
from typing import Any

import numpy as np

from .cases import lesson_cases
from .random_cases import ACTIVATION_ORDER
from .runner import run_cases
from ..runtimes import make_runtime
from ..runtimes import RUNTIMES, RuntimeFailure

GOAL_RUNTIME, GOAL_CASES_PER_S = "pyodide-chromium", 1000.0
ALL = [name for name, cls in RUNTIMES.items() if cls.default]


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
    runtime = make_runtime(name)
    try:
        started = time.monotonic()
        runtime.start(lambda stage: None)  # alone: its browser or process and its boot, nothing else running
        figures: dict[str, Any] = {"boot_alone_s": round(time.monotonic() - started, 2)}
        runtime.run(suites["lesson"][:batch_size])  # warm-up: imports, JIT, first allocation
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
