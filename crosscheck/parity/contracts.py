"""The named shapes a case takes on its way through the harness (spec → wire → run → wire → compare).

In memory a runtime's run is a ``RuntimeRun``; what the report holds, and what ``--json`` writes,
are the TypedDicts below (plain JSON, so a report written today reads back as the same shapes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

import numpy as np


class ErrorRecord(TypedDict, total=False):
    """An exception, from any runtime and either language: the same three fields everywhere."""
    type: str
    message: str
    traceback: str


class CaseOutcome(TypedDict, total=False):
    """One case in one runtime: ``{"ok": True, "arrays": {name: ndarray}}`` or ``{"ok": False, "error": …}``."""
    ok: bool
    arrays: dict[str, np.ndarray]
    error: ErrorRecord


class RuntimeInfo(TypedDict, total=False):
    """What the report says of a runtime: whether it ran, its versions, round-trips and times, or its error."""
    ok: bool
    error: str
    round_trips: int
    boot_s: float
    total_s: float


class Comparison(TypedDict, total=False):
    """One array of one case, one runtime against the reference (crosscheck.parity.compare)."""
    runtime: str
    reference: str
    array: str
    ok: bool
    bit_identical: bool
    max_abs_diff: float | None
    max_ulp: int | None
    worst_index: list[int] | None
    reason: str
    # with the exact runtime in the run (crosscheck.parity.accuracy): {"max", "mean"} each
    ulp_vs_exact: dict[str, float]
    bits_error_vs_exact: dict[str, float]


class ReportCase(TypedDict):
    name: str
    spec: dict[str, Any]
    results: dict[str, Any]
    comparisons: list[Comparison]
    accuracy: NotRequired[list[dict[str, Any]]]  # every runtime against exact, when exact ran


class Report(TypedDict):
    """The report: the verdict, the tolerance, every case with every runtime's arrays, and a summary."""
    ok: bool
    tolerance: dict[str, Any]
    reference: str
    cases: list[ReportCase]
    runtimes: dict[str, RuntimeInfo]
    summary: dict[str, dict[str, Any]]
    accuracy: NotRequired[dict[str, Any]]  # per activation and array: the runtime closest to exact


@dataclass
class RuntimeRun:
    """A runtime's part of a run: its outcomes, one per case, or, when it never ran a case, why not."""
    name: str
    outcomes: list[CaseOutcome] | None
    info: RuntimeInfo = field(default_factory=dict)  # type: ignore[assignment]

    @property
    def ran(self) -> bool:
        return self.outcomes is not None

    @property
    def reason(self) -> str:
        return self.info.get("error", "")

    @classmethod
    def did_not_run(cls, name: str, reason: str, round_trips: int = 0) -> "RuntimeRun":
        return cls(name, None, {"ok": False, "error": reason, "round_trips": round_trips})
