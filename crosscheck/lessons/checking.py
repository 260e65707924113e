"""``crosscheck.check_lessons("course.toml", random=50)`` → LessonsReport: ``check LESSONS.toml`` for tests.

    report = crosscheck.check_lessons("course.toml", random=50)
    assert report.ok, report.explain()

Inside pytest (with the crosscheck plugin) the runtimes are the session's, booted once, and the author's
Python runs in the session's one CPython child; elsewhere each call boots its own, side by side.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable



class LessonsReport(dict):
    """The report ``check --json`` writes, with ``ok``, ``verdict``, ``explain()`` and ``table()``."""

    @property
    def ok(self) -> bool:
        return bool(self["ok"])

    @property
    def verdict(self) -> str:
        return self["verdict"]

    @property
    def not_checked(self) -> dict[str, str]:
        return dict(self.get("not_checked") or {})

    def check(self, name: str) -> dict[str, Any]:
        """The entry of the check ``name``."""
        for entry in self["checks"]:
            if entry["name"] == name:
                return entry
        raise KeyError(f"no check {name!r} in the report (checks: {', '.join(e['name'] for e in self['checks'])})")

    def explain(self) -> str:
        """Per failing check: the runtime that did not run, the first error, every output outside its
        tolerance (runtime, element, both values, case), then the smallest failing case; the verdict last."""
        from .failures import explain
        return explain(self)

    def table(self) -> str:
        from .table import format_report
        return format_report(self)

    def __str__(self) -> str:
        return self.explain()


def _lender(pool) -> Callable[[str], Any]:
    """A ``make`` for the run's Session lending the session pool's runtimes (native: its CPython child);
    one whose process the author's code ended is booted afresh."""
    from ..runtimes.session_pool import Borrowed

    def make(name: str):
        get = pool.native_child if name == "native" else (lambda: pool.get(name))
        runtime = get()
        if getattr(runtime, "process", True) is None:
            pool.discard(runtime)
            runtime = get()
        return Borrowed(runtime)
    return make


def check_lessons(*manifests: str | Path, random: int | None = None, seed: int = 0,
                  runtimes: list[str] | None = None, reference: str | None = None, allow_missing: bool = False,
                  cases: list[str | Path] = (), checks: list[str] = (), shrink: bool = True,
                  case_dir: str | Path | None = None, run_timeout: float | None = None,
                  loose: bool = False) -> LessonsReport:
    """Every check of the manifests on ``random`` drawn cases (default 50; 0 with ``cases``) and the case
    files in ``cases``, on ``runtimes`` (default: $DENSE_PARITY_RUNTIMES, comma-separated, else the five
    default ones), as ``check`` runs them. ``checks`` keeps only the checks of those names.

    As the CLI: a runtime in the run that cannot run here fails the report (DID NOT RUN, with why)
    unless ``allow_missing=True``; what was left out is in ``report.not_checked`` and named by the verdict.
    A failing check's smallest case is in the report; it is written as a case file only into ``case_dir``.
    Bad input (a manifest error, an unknown runtime or check) raises ValueError with the CLI's one line."""
    from .. import checking
    from .course import public, run_plan
    from .plan import API, make_plan

    if not manifests:
        raise ValueError("check_lessons: name at least one manifest (LESSONS.toml)")
    from ..site.home import ensure_home

    ensure_home()
    if runtimes is None and os.environ.get(checking.RUNTIMES_ENV):  # CI's choice, e.g. "native,js-node"
        runtimes = [r.strip() for r in os.environ[checking.RUNTIMES_ENV].split(",") if r.strip()]
    if isinstance(runtimes, str):
        runtimes = runtimes.split(",")
    plan, sources = make_plan(list(manifests), random=random, seed=seed, runtimes=runtimes, reference=reference,
                              skip_unavailable=allow_missing, case_files=list(cases), only=list(checks), wording=API,
                              loose=loose)
    pool = checking.SESSION_POOL
    report = run_plan(plan, sources, shrink_failures=shrink, case_dir=Path(case_dir) if case_dir else None,
                      run_timeout=run_timeout, make=_lender(pool) if pool is not None else None,
                      here=pool is not None)
    return LessonsReport(public(report))
