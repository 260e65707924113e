"""The dense layer as one more check: ``layer = "dense"`` in a manifest.

```toml
[[check]]
name = "dense layer"
layer = "dense"
python = "dense.py"      # the --python convention: a DenseLayer class, or run_case(spec)
js = "dense.js"          # the --js convention: DenseLayer or runCase
```

Its cases are `run`'s own (the lesson example, then ``--random N --seed S`` drawn by
crosscheck.parity.random_cases), it runs through `run`'s runner (the same entry points in every runtime)
and is compared by `run`'s report (the dense tolerance, with each element's error bound from the
magnitude of its terms), so its verdicts and bits are those of ``run --python/--js`` by construction.
The check entry carries the dense report's cases (``dense_cases``: the spec, each runtime's arrays and
every comparison) beside the figures every check has. Shrinking and ``--case`` files stay ``run``'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .manifest import Check, FunctionRef, ManifestError, Tolerance

DENSE_KEYS = ("name", "layer", "python", "js", "tolerance")
LAYERS = ("dense",)
FUNCTION = "DenseLayer"  # what the report names; the file may define run_case(spec) instead (the --python convention)


@dataclass
class DenseCheck(Check):
    layer: str = "dense"


def is_dense(check: Check) -> bool:
    return isinstance(check, DenseCheck)


def dense_check(path: Path, name: str, table: dict[str, Any]) -> DenseCheck:
    """The check of a ``layer = "dense"`` table; ManifestError (one line) for a key it does not take."""
    from ..parity.compare import DEFAULT_ATOL, DEFAULT_RTOL

    def error(key: str, message: str) -> ManifestError:
        return ManifestError(f"{path}: check {name!r}: {key}: {message}")

    if table.get("layer") not in LAYERS:
        raise error("layer", f"expected one of {', '.join(map(repr, LAYERS))}, got {table.get('layer')!r}")
    for key in table:
        if key not in DENSE_KEYS:
            raise error(key, f"unknown key (a dense layer's check has {', '.join(DENSE_KEYS)}; its cases are run's)")
    refs = {}
    for key in ("python", "js"):
        value = table.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise error(key, f"expected a file (the --{key} convention: {FUNCTION} or run_case), got {value!r}")
        resolved = (path.parent / value).resolve()
        if not resolved.is_file():
            raise error(key, f"{value}: " + ("is a folder" if resolved.is_dir() else "no such file")
                        + f" (relative to {path.parent or '.'})")
        refs[key] = FunctionRef(key, resolved, FUNCTION)
    if not refs:
        raise error("python", "a dense layer's check needs a Python file, a JavaScript file (js), or both")
    raw = table.get("tolerance", {})
    if not isinstance(raw, dict) or any(k not in ("rtol", "atol", "exact") for k in raw):
        raise error("tolerance", f"expected a table of rtol, atol, exact, got {raw!r}")
    for key in ("rtol", "atol"):
        if key in raw and not (isinstance(raw[key], (int, float)) and not isinstance(raw[key], bool)
                               and math.isfinite(raw[key]) and raw[key] >= 0):
            raise error(f"tolerance.{key}", f"expected a finite number ≥ 0, got {raw[key]!r}")
    if "exact" in raw and not isinstance(raw["exact"], bool):
        raise error("tolerance.exact", f"expected true or false, got {raw['exact']!r}")
    tolerance = Tolerance(float(raw.get("rtol", DEFAULT_RTOL)), float(raw.get("atol", DEFAULT_ATOL)),
                          raw.get("exact", False))
    return DenseCheck(name, path, refs.get("python"), refs.get("js"), (), {}, {}, {}, tolerance)


def lesson_of(check: DenseCheck):
    """The author's files as `run` reads them (crosscheck.author.Lesson), bundled; ManifestError for bad ones."""
    from ..author import Lesson, LessonError

    try:
        lesson = Lesson(python=check.python.path if check.python else None,
                        js=check.js.path if check.js else None)
        if lesson.js is not None:
            lesson.bundle()
    except LessonError as exc:
        raise ManifestError(f"{check.manifest}: check {check.name!r}: {exc}") from None
    return lesson


def dense_cases(check: DenseCheck, count: int, seed: int, from_files: list) -> list[dict[str, Any]]:
    """`run`'s cases: the lesson example, then ``count`` drawn from ``seed`` exactly as ``run --random`` draws them."""
    from ..parity.cases import lesson_cases
    from ..parity.random_cases import random_cases
    from .plan import PlanError

    if from_files:
        raise PlanError(f"--case: check {check.name!r} is the dense layer; its case files run with "
                        f"`run --python/--js --case FILE`")
    return lesson_cases() + random_cases(count, seed)


# --- the run ------------------------------------------------------------------------------------
def run_with_dense(plan, sources, run_plan: Callable[..., dict[str, Any]], *, boot_timeout=None, run_timeout=None,
                   browser_endpoint=None, progress=None, make=None, here: bool = False, **options) -> dict[str, Any]:
    """The report of a plan that holds dense checks: those run through `run`'s runner, the others through
    ``run_plan`` (on the same plan without them); the entries in the manifests' order."""
    from dataclasses import replace

    from ..runtimes.base import stderr_progress
    from .course import verdict

    progress = progress or stderr_progress
    others = [c for c in plan.checks if not is_dense(c)]
    rest = None
    if others:
        rest = run_plan(replace(plan, checks=others), sources, boot_timeout=boot_timeout, run_timeout=run_timeout,
                        browser_endpoint=browser_endpoint, progress=progress, make=make, here=here, **options)
    entries = {e["name"]: e for e in (rest["checks"] if rest else [])}
    for check in plan.checks:
        if is_dense(check):
            entries[check.name] = run_dense(check, plan, boot_timeout=boot_timeout, run_timeout=run_timeout,
                                            browser_endpoint=browser_endpoint, progress=progress, make=make)
    ordered = [entries[c.name] for c in plan.checks]
    names = list(dict.fromkeys(r for c in plan.checks for r in plan.runtimes_of(c)))
    return {"ok": all(e["ok"] for e in ordered), "verdict": verdict(ordered, plan), "seed": plan.seed,
            "random": plan.random,
            "runtimes": {r: {"ran": r not in plan.unavailable, "reason": plan.unavailable.get(r)} for r in names},
            "not_checked": plan.not_checked, "round_trips": (rest or {}).get("round_trips", {}),
            "manifests": sorted({str(c.manifest) for c in plan.checks}), "checks": ordered}


def run_dense(check: DenseCheck, plan, *, boot_timeout=None, run_timeout=None, browser_endpoint=None,
              progress=None, make=None) -> dict[str, Any]:
    """One dense check's entry, from `run`'s report on its cases and runtimes."""
    from ..parity.compare import Tolerance as ParityTolerance
    from ..parity.runner import run_cases

    lesson = lesson_of(check)
    runtimes = plan.runtimes_of(check)
    reference = plan.reference_of(check)
    tol = check.tolerance
    options = {}
    if make is not None:  # lent runtimes (crosscheck.check_lessons): the dense layer's, as crosscheck.check borrows them
        from .. import checking

        if checking.SESSION_POOL is not None:
            options = {"make_runtime": checking.SESSION_POOL.lend(), "parallel": False}
    report = run_cases(plan.cases[check.name], runtimes, ParityTolerance(tol.rtol, tol.atol, tol.exact),
                       boot_timeout=boot_timeout, run_timeout=run_timeout, browser_endpoint=browser_endpoint,
                       reference=reference, unavailable={r: plan.unavailable[r] for r in runtimes if r in plan.unavailable},
                       lesson=lesson, progress=progress, **options)
    return dense_entry(check, report)


def dense_entry(check: DenseCheck, report: dict[str, Any]) -> dict[str, Any]:
    """A check entry (the figures ``check`` reports for every check) from a dense run's report."""
    import numpy as np

    from ..runtimes.base import describe_error
    from .run import RuntimeResult
    from .tally import agreement

    reference = report["reference"]
    rule = "bit-identical" if check.tolerance.exact else report["tolerance"]["rule"]
    outputs: dict[str, dict[str, Any]] = {}
    failing: dict[str, list[str]] = {}
    errors: dict[str, dict[str, Any]] = {}
    for case in report["cases"]:
        for c in case["comparisons"]:
            info = outputs.setdefault(c["array"], {"rule": rule, "rtol": check.tolerance.rtol,
                                                   "atol": check.tolerance.atol, "exact": check.tolerance.exact,
                                                   "runtimes": {}})
            if c.get("did_not_run"):
                continue
            f = info["runtimes"].setdefault(c["runtime"], _figures())
            _add(f, case["name"], c, "bit-identical" if check.tolerance.exact else "rtol·max(|ref|, terms)")
            if not c["ok"] and case["name"] not in failing.setdefault(c["runtime"], []):
                failing[c["runtime"]].append(case["name"])
        for runtime, result in case["results"].items():
            if isinstance(result, dict) and "error" in result and result["error"].get("type") != "RuntimeFailure":
                errors.setdefault(runtime, {"case": case["name"], "type": result["error"].get("type"),
                                            "message": describe_error(result["error"]),
                                            "file": result["error"].get("file"), "line": result["error"].get("line")})
    runtimes = {name: {"ran": bool(info.get("ok")), "reason": None if info.get("ok") else info.get("error"),
                       "needed": True, "versions": {k: v for k, v in info.items()
                                                    if k not in ("ok", "error", "round_trips", "boot_s", "total_s")}}
                for name, info in report["runtimes"].items()}
    files = {kind: {**info, "function": FUNCTION} for kind, info in report.get("files", {}).items()}
    ran = [name for name, r in runtimes.items() if r["ran"]]
    outcomes = {name: RuntimeResult(name, True, outcomes=[_outcome(case["results"][name], case["results"][reference])
                                                          for case in report["cases"]]) for name in ran}
    return {"name": check.name, "manifest": str(check.manifest), "layer": check.layer, "files": files,
            "reference": reference, "cases": len(report["cases"]), "ok": report["ok"], "runtimes": runtimes,
            "outputs": outputs, "errors": errors, "failing_cases": failing, "agreement": agreement(outcomes, ran),
            "tolerance": report["tolerance"], "summary": report["summary"],
            # Each case as `run --json` writes it: the spec, every runtime's arrays, every comparison.
            "dense_cases": report["cases"], "_failing": {}}


def _figures() -> dict[str, Any]:
    return {"cases": 0, "bit_identical": 0, "ok": True, "tolerance_used": 0.0, "decided_by": None,
            "max_abs_diff": 0.0, "max_ulp": 0, "ulp_at_scale": 0.0, "worst_case": None, "worst_index": None,
            "worst_value": None, "worst_reference": None, "reason": None}


def _add(f: dict[str, Any], case: str, c: dict[str, Any], rule: str) -> None:
    f["cases"] += 1
    f["bit_identical"] += int(c["bit_identical"])
    if c.get("max_abs_diff") is None:  # nothing comparable: the runtime or the reference raised, or a shape
        if f["ok"]:
            f.update(ok=False, reason=c.get("reason"), worst_case=case, tolerance_used=float("inf"),
                     decided_by="error")
        return
    f["ok"] = f["ok"] and c["ok"]
    f["max_abs_diff"] = max(f["max_abs_diff"], c["max_abs_diff"])
    f["max_ulp"] = max(f["max_ulp"], c["max_ulp"])
    used = c.get("tolerance_used") or 0.0
    if f["decided_by"] != "error" and (f["worst_case"] is None or used > f["tolerance_used"]):
        f.update(tolerance_used=used, worst_case=case, worst_index=c.get("worst_tolerance_index"),
                 worst_value=c.get("worst_value"), worst_reference=c.get("worst_reference"),
                 ulp_at_scale=c.get("ulp_at_scale"), decided_by=rule)
    if not c["ok"] and f["reason"] is None:
        f["reason"] = "outside the tolerance"


def _outcome(arrays: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """One runtime's arrays of one case as the tally counts them: a (n,) gradient against the reference's
    (1, n) as the comparison takes it (element by element)."""
    import numpy as np

    from ..parity.compare import _row_and_vector

    if "error" in arrays:
        return {"ok": False, "outputs": {}}
    outputs = {}
    for name, values in arrays.items():
        value = np.asarray(values, dtype=np.float64)
        ref = reference.get(name) if "error" not in reference else None
        if ref is not None and _row_and_vector(value.shape, np.shape(ref)):
            value = value.reshape(np.shape(ref))
        outputs[name] = value
    return {"ok": True, "outputs": outputs}
