"""Carry a list of cases through each runtime and back: spec → run → result → compare.

Each runtime is driven from start to close by one worker thread of its own (a thread pool with
a worker per runtime), so independent runtimes boot (and run) in parallel, and Playwright's sync
objects stay on the thread that made them.
Cases go out in batches: one round-trip per runtime per batch.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable

from .compare import Tolerance
from .contracts import CaseOutcome, Report, RuntimeRun
from .report import build_report
from ..runtimes import REFERENCE, RUNTIMES, Runtime, RuntimeFailure
from ..runtimes import make_runtime as new_runtime
from ..runtimes.base import Progress, stderr_progress

if TYPE_CHECKING:
    from ..author.lesson import Lesson

DEFAULT_BATCH = 512


def _failure_outcome(reason: str) -> CaseOutcome:
    return {"ok": False, "error": {"type": "RuntimeFailure", "message": reason, "traceback": ""}}


def drive(runtime: Runtime, name: str, cases: list[dict[str, Any]], batch_size: int, report: Progress,
          lesson: "Lesson | None" = None) -> RuntimeRun:
    """Start ``runtime``, run every batch, close it.

    A failure part-way keeps the batches already done and marks the rest as failed with the reason:
    nothing that ran is lost, and nothing that did not run is counted as passing.
    """
    results: list[CaseOutcome] = []
    started = time.monotonic()
    round_trips = 0
    boot_seconds = None
    try:
        runtime.start(report)
        boot_seconds = time.monotonic() - started
        for first in range(0, len(cases), batch_size):
            batch = cases[first:first + batch_size]
            report(f"running cases {first + 1}–{first + len(batch)} of {len(cases)}")
            round_trips += 1
            results.extend(runtime.run(batch) if lesson is None else runtime.run(batch, lesson))
        versions = dict(runtime.versions())
        if lesson is not None and lesson.replaces(runtime.language):
            versions.update(lesson.versions(runtime.language))  # what computed the results: the author's packages
        return RuntimeRun(name, results, {"ok": True, **versions, "round_trips": round_trips,
                                          "boot_s": round(boot_seconds, 3),
                                          "total_s": round(time.monotonic() - started, 3)})
    except (Exception, SystemExit) as exc:  # a crash of any kind is that runtime's failure, reported with its reason
        # (SystemExit too: code that runs in this process, native's, must not end the whole run without a verdict)
        reason = exc.reason if isinstance(exc, RuntimeFailure) else f"{type(exc).__name__}: {exc}"
        report(f"FAILED: {reason}")
        if not results:
            return RuntimeRun.did_not_run(name, reason, round_trips)
        return RuntimeRun(name, results + [_failure_outcome(reason)] * (len(cases) - len(results)),
                          {"ok": False, "error": reason, "round_trips": round_trips})
    finally:
        try:
            runtime.close()
        except Exception as exc:  # closing must not hide the outcome
            report(f"(close failed: {type(exc).__name__}: {exc})")


def run_cases(cases: list[dict[str, Any]], runtime_names: list[str], tolerance: Tolerance = Tolerance(),
              batch_size: int = DEFAULT_BATCH, make_runtime: Callable[[str], Runtime] | None = None,
              progress: Callable[[str], Progress] = stderr_progress, parallel: bool | None = None,
              boot_timeout: float | None = None, run_timeout: float | None = None,
              browser_endpoint: str | None = None, reference: str | None = None,
              unavailable: dict[str, str] | None = None, not_checked: dict[str, str] | None = None,
              lesson: "Lesson | None" = None) -> Report:
    """Run every case on every runtime and build the report. A runtime that fails is reported,
    never dropped; the reference runs whether or not it was named.

    ``unavailable`` maps runtimes of ``runtime_names`` that cannot run here to why: they are not
    started, and stand in the report as DID NOT RUN with that reason (which fails the run).
    ``not_checked`` maps the runtimes deliberately left out of the run to why (not named, or
    skipped with --skip-unavailable): they are listed in the report, never counted as agreeing.

    ``parallel`` defaults to True when the runtimes are made here, and to False when the caller
    hands in ``make_runtime`` (its runtimes may share objects bound to the caller's thread).

    With a ``lesson`` (crosscheck.author.Lesson), its files run instead of the built-in layers, and
    its reference (the author's Python natively, or their JavaScript in Node) is the reference.
    """
    if batch_size < 1:
        raise ValueError(f"batch size: expected a positive integer, got {batch_size}")
    if reference is None:
        reference = REFERENCE if lesson is None else lesson.reference
    names = [reference] + [n for n in dict.fromkeys(runtime_names) if n != reference]
    unknown = [n for n in names if n not in RUNTIMES]
    if unknown:
        raise ValueError(f"unknown runtime(s) {unknown}; known: {sorted(RUNTIMES)}")
    if parallel is None:
        parallel = make_runtime is None
    make = make_runtime or (lambda name: new_runtime(name, boot_timeout, run_timeout, browser_endpoint))
    unavailable = dict(unavailable or {})

    def job(name: str) -> RuntimeRun:
        report = progress(name)
        if name in unavailable:
            reason = f"cannot run here: {unavailable[name]}"
            report(f"DID NOT RUN: {reason}")
            run = RuntimeRun.did_not_run(name, reason)
            run.info["did_not_run"] = True
            return run
        try:
            runtime = make(name)
        except Exception as exc:
            reason = f"could not be created: {type(exc).__name__}: {exc}"
            report(f"FAILED: {reason}")
            return RuntimeRun.did_not_run(name, reason)
        return drive(runtime, name, cases, batch_size, report, lesson)

    if parallel:
        with ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="runtime") as pool:
            done = dict(zip(names, pool.map(job, names)))
    else:
        done = {name: job(name) for name in names}
    author_reference = lesson is not None and lesson.replaces(RUNTIMES[reference].language)
    report = build_report(cases, [done[name] for name in names], reference, tolerance,
                          {n: why for n, why in (not_checked or {}).items() if n not in names},
                          author_reference=author_reference)
    if lesson is not None:
        report["files"] = lesson.files()
    return report
