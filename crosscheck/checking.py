"""``crosscheck.check(python=…, js=…, random=N)`` → Report: parity of an author's lesson files, for tests.

    report = crosscheck.check(python="lesson/dense.py", js="lesson/dense.js", random=50)
    assert report.ok, report.explain()

Inside pytest (with the crosscheck plugin, registered on install) the runtimes are the session's,
booted once; elsewhere each call boots its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from python_core.facts import DEFAULT_ATOL, DEFAULT_RTOL

RUNTIMES_ENV = "DENSE_PARITY_RUNTIMES"  # the runtimes check() uses when not told (default: all that can run)
# Set by crosscheck.pytest_plugin for the length of a test session.
SESSION_POOL = None


class Report(dict):
    """The parity report (the dict ``--json`` writes), with ``ok`` and ``explain()``."""

    @property
    def ok(self) -> bool:
        return bool(self["ok"])

    def explain(self, limit: int = 5) -> str:
        """What failed: the case, the runtime, the array, the element and both values (or why a runtime did not run)."""
        from .parity.report import explain
        return explain(self, limit)

    def table(self) -> str:
        from .parity.report import format_table
        return format_table(self)


def check(python: str | Path | None = None, js: str | Path | None = None, random: int = 0, seed: int = 0,
          cases: list[str | Path] | None = None, runtimes: list[str] | None = None, exact: bool = False,
          rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> Report:
    """Run the lesson's example, the case files in ``cases`` and ``random`` seeded random cases through the
    author's files on ``runtimes`` (default: $DENSE_PARITY_RUNTIMES, comma-separated, else every runtime
    that can run here)."""
    from .author import Lesson
    from .parity.cases import load_case_file, lesson_cases
    from .parity.compare import Tolerance
    from .parity.random_cases import random_cases
    from .parity.runner import run_cases
    from .runtimes import available_runtimes

    from .site.home import ensure_home

    ensure_home()
    lesson = Lesson(python=python, js=js)
    if lesson.js is not None:
        lesson.bundle()
    all_cases: list[dict[str, Any]] = lesson_cases()
    for path in cases or []:
        all_cases.extend(load_case_file(path))
    all_cases.extend(random_cases(random, seed))
    if runtimes is None and os.environ.get(RUNTIMES_ENV):  # CI's choice, e.g. "native,js-node"
        runtimes = [r.strip() for r in os.environ[RUNTIMES_ENV].split(",") if r.strip()]
    names = list(runtimes) if runtimes is not None else available_runtimes()[0]
    tolerance = Tolerance(rtol, atol, exact)
    if SESSION_POOL is not None:
        report = run_cases(all_cases, names, tolerance, make_runtime=SESSION_POOL.lend(), parallel=False,
                           lesson=lesson)
    else:
        from .site.home import ensure_home
        ensure_home()
        report = run_cases(all_cases, names, tolerance, lesson=lesson)
    return Report(report)
