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

    @property
    def verdict(self) -> str:
        """The CLI's last line: PARITY OK only when every runtime ran and agreed; otherwise it names
        what was not checked (or says PARITY FAILED)."""
        from .parity.report import verdict_line
        return verdict_line(self)

    @property
    def not_checked(self) -> dict[str, str]:
        """The runtimes left out of the run (allow_missing=True, or not in ``runtimes``), and why."""
        return dict(self.get("not_checked") or {})

    def explain(self, limit: int = 5) -> str:
        """What failed: the case, the runtime, the array, the element and both values (or why a runtime did
        not run); for a passing run that left runtimes out, the verdict naming them."""
        from .parity.report import explain
        if self.ok and self.not_checked:
            return self.verdict
        return explain(self, limit)

    def table(self) -> str:
        from .parity.report import format_table
        return format_table(self)


def check(python: str | Path | None = None, js: str | Path | None = None, random: int = 0, seed: int = 0,
          cases: list[str | Path] | None = None, runtimes: list[str] | None = None, exact: bool = False,
          rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, allow_missing: bool = False,
          strict_shapes: bool = False, loose: bool = False) -> Report:
    """Run the lesson's example, the case files in ``cases`` and ``random`` seeded random cases through the
    author's files on ``runtimes`` (default: $DENSE_PARITY_RUNTIMES, comma-separated, else all five).

    As the CLI: a runtime in the run that cannot run here fails the report (DID NOT RUN, with why),
    unless ``allow_missing=True``, which leaves it out. Runtimes left out, or not in ``runtimes``, are in
    ``report.not_checked`` and named by ``report.verdict``: never a bare PARITY OK. ``strict_shapes``: a
    (n,) array where the reference's is (1, n) fails instead of being compared element by element.
    ``rtol`` or ``atol`` ≥ 1e-3 raises ValueError unless ``loose=True`` (then the verdict names them)."""
    from .author import Lesson
    from .parity.cases import load_case_file, lesson_cases
    from .parity.compare import Tolerance
    from .parity.random_cases import random_cases
    from .parity.runner import run_cases
    from .runtimes import RUNTIMES, unavailable_reason

    from .cli.checks import loose_problem
    from .site.home import ensure_home

    problem = loose_problem(rtol, atol, loose, exact, "loose=True")
    if problem:
        raise ValueError(problem)
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
    default = [name for name, cls in RUNTIMES.items() if cls.default]
    names = list(runtimes) if runtimes is not None else default
    unknown = [n for n in names if n not in RUNTIMES]
    if unknown:
        raise ValueError(f"runtimes: unknown runtime(s) {', '.join(unknown)}; known: {', '.join(RUNTIMES)}")
    reference = lesson.reference
    # The reasons are kept, as the CLI keeps them: a runtime that cannot run is never silently dropped.
    not_checked = {n: "not named in runtimes" for n in default if n not in names and n != reference}
    unavailable = {n: why for n in names if n != reference for why in [unavailable_reason(n)] if why}
    if allow_missing:
        not_checked.update({n: f"skipped with allow_missing: {why}" for n, why in unavailable.items()})
        names = [n for n in names if n not in unavailable]
        unavailable = {}
    if not [n for n in names if n != reference]:
        # The reference alone compares nothing, and must not read as parity.
        raise ValueError(f"nothing to compare: {reference} is the reference and no other runtime "
                         + ("was named" if not not_checked else "can run: " + "; ".join(
                             f"{n}: {why}" for n, why in not_checked.items())))
    tolerance = Tolerance(rtol, atol, exact, strict_shapes=strict_shapes)
    make = SESSION_POOL.lend() if SESSION_POOL is not None else None
    report = run_cases(all_cases, names, tolerance, make_runtime=make, parallel=False if make else None,
                       unavailable=unavailable, not_checked=not_checked, lesson=lesson)
    return Report(report)
