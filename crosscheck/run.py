"""Carry a list of cases through each runtime and back: spec → run → result → compare."""

from __future__ import annotations

from typing import Any, Callable

from .compare import Tolerance
from .report import build_report
from .runtimes import REFERENCE, RUNTIMES, Runtime, RuntimeFailure
from .runtimes.base import Progress, stderr_progress

DEFAULT_BATCH = 512


def run_cases(cases: list[dict[str, Any]], runtime_names: list[str], tolerance: Tolerance = Tolerance(),
              batch_size: int = DEFAULT_BATCH, make_runtime: Callable[[str], Runtime] | None = None,
              progress: Callable[[str], Progress] = stderr_progress) -> dict[str, Any]:
    """Run every case on every runtime and build the report. A runtime that fails is reported,
    never dropped; the reference runs whether or not it was named."""
    names = [REFERENCE] + [n for n in runtime_names if n != REFERENCE]
    unknown = [n for n in names if n not in RUNTIMES]
    if unknown:
        raise ValueError(f"unknown runtime(s) {unknown}; known: {sorted(RUNTIMES)}")
    make_runtime = make_runtime or (lambda name: RUNTIMES[name]())
    outcomes: dict[str, list[dict] | str] = {}
    info: dict[str, dict[str, Any]] = {}
    for name in names:
        runtime = make_runtime(name)
        report = progress(name)
        try:
            runtime.start(report)
            results: list[dict] = []
            for first in range(0, len(cases), batch_size):
                batch = cases[first:first + batch_size]
                report(f"running cases {first + 1}–{first + len(batch)} of {len(cases)}")
                results.extend(runtime.run(batch))
            outcomes[name] = results
            info[name] = {"ok": True, **runtime.versions()}
        except RuntimeFailure as exc:
            report(f"FAILED: {exc.reason}")
            outcomes[name] = exc.reason
            info[name] = {"ok": False, "error": exc.reason}
        finally:
            runtime.close()
    return build_report(cases, outcomes, REFERENCE, info, tolerance)
