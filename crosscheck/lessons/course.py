"""A run of ``check``: every check of the manifests on its cases in every runtime, compared, the failing
ones shrunk to their smallest failing case, and the report (a dict, as the JSON report has it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..runtimes.base import Progress, stderr_progress
from .cases import LessonCase, case_size, draw_cases, write_case_file
from .compare import case_fails, check_declared_shapes, compare_check
from .manifest import Check, ManifestError
from .run import RuntimeResult, Session, Sources, language_of
from .shrink import shrink
from .tally import agreement

LANGUAGE_NAMES = {"python": "Python", "js": "JavaScript"}


def reference_of(check: Check, preferred: str | None = None) -> str:
    """``preferred`` (``--reference``) when it runs one of the check's languages; else the author's
    Python natively, or their JavaScript in Node when the check has no Python."""
    if preferred is not None and language_of(preferred) in {ref.language for ref in check.functions()}:
        return preferred
    return "native" if check.python is not None else "js-node"


def check_runtimes(check: Check, runtimes: list[str], preferred: str | None = None) -> list[str]:
    """The reference first, then the runtimes of the run that run one of the check's languages."""
    reference = reference_of(check, preferred)
    have = {ref.language for ref in check.functions()}
    return [reference] + [r for r in runtimes if r != reference and language_of(r) in have]


@dataclass
class Plan:
    checks: list[Check]
    cases: dict[str, list[LessonCase]]
    runtimes: list[str]
    unavailable: dict[str, str] = field(default_factory=dict)
    not_checked: dict[str, str] = field(default_factory=dict)
    seed: int = 0
    random: int = 0
    reference: str | None = None  # --reference: the runtime each check is compared with, where it can run it
    loose: dict[str, str] = field(default_factory=dict)  # --loose: {check: its loose tolerances, as the verdict names them}

    def reference_of(self, check: Check) -> str:
        return reference_of(check, self.reference)

    def runtimes_of(self, check: Check) -> list[str]:
        return check_runtimes(check, self.runtimes, self.reference)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "check"


def run_plan(plan: Plan, sources: Sources, *, shrink_failures: bool = True, case_dir: Path | None = None,
             boot_timeout: float | None = None, run_timeout: float | None = None, browser_endpoint: str | None = None,
             progress: Callable[[str], Progress] = stderr_progress, make=None, here: bool = False,
             reuse=None) -> dict[str, Any]:
    """The report; ManifestError when a runtime shows the manifest wrong (no such function, a declared
    output shape the reference's result does not have). With ``reuse`` (crosscheck.lessons.reuse.Reuse,
    watch's), a runtime's results for the same file text, check and cases are taken from it instead of
    run again, and the report says which were run (``rerun``) and which reused."""
    from .dense import is_dense, run_with_dense

    if any(is_dense(c) for c in plan.checks):
        return run_with_dense(plan, sources, run_plan, shrink_failures=shrink_failures, case_dir=case_dir,
                              boot_timeout=boot_timeout, run_timeout=run_timeout, browser_endpoint=browser_endpoint,
                              progress=progress, make=make, here=here)
    names = list(dict.fromkeys(r for check in plan.checks for r in plan.runtimes_of(check)))
    reused: dict[str, dict[str, RuntimeResult]] = {}
    if reuse is not None:
        reused = {check.name: reuse.take(check, plan.runtimes_of(check), plan.cases[check.name], sources)
                  for check in plan.checks}
    to_run = {check.name: [r for r in plan.runtimes_of(check) if r not in reused.get(check.name, {})]
              for check in plan.checks}
    booted = list(dict.fromkeys(r for runs in to_run.values() for r in runs))
    note = progress("check")
    with Session(booted, sources, plan.unavailable, boot_timeout, run_timeout, browser_endpoint, progress,
                 make, here) as session:
        handles = [session.submit(check, plan.cases[check.name], to_run[check.name]) for check in plan.checks]
        entries = []
        for check, handle in zip(plan.checks, handles):
            fresh = session.collect(handle)
            if reuse is not None:
                reuse.keep(check, fresh, plan.cases[check.name], sources)
            results = {r: fresh[r] if r in fresh else reused[check.name][r]
                       for r in plan.runtimes_of(check)}
            entries.append(_check_entry(check, plan, results, sources))
            if not entries[-1]["ok"] and shrink_failures:
                _add_minimal_case(entries[-1], check, plan.cases[check.name], session, case_dir, note)
        calls = session.calls()
    ok = all(e["ok"] for e in entries)
    return {"ok": ok, "verdict": verdict(entries, plan), "seed": plan.seed, "random": plan.random,
            "runtimes": {r: {"ran": r not in plan.unavailable, "reason": plan.unavailable.get(r)} for r in names},
            "not_checked": plan.not_checked, "round_trips": calls,
            "manifests": sorted({str(c.manifest) for c in plan.checks}), "checks": entries,
            **({"rerun": {c: rs for c, rs in to_run.items() if rs},
                "reused": {c: list(rs) for c, rs in reused.items() if rs}} if reuse is not None else {})}


def _check_entry(check: Check, plan: Plan, results: dict[str, RuntimeResult], sources: Sources) -> dict[str, Any]:
    reference = plan.reference_of(check)
    cases = plan.cases[check.name]
    ref = results[reference]
    if ref.ran:
        check_declared_shapes(check, cases, ref)
    compared = compare_check(check, cases, results, reference)
    runtimes: dict[str, dict[str, Any]] = {}
    have = {ref_.language for ref_ in check.functions()}
    for name in plan.runtimes:
        if name not in results and language_of(name) not in have:
            runtimes[name] = {"ran": False, "reason": f"the check has no {LANGUAGE_NAMES[language_of(name)]} function",
                              "needed": False}
    for name, result in results.items():
        runtimes[name] = {"ran": result.ran, "reason": result.reason, "needed": True, "versions": result.versions}
    ok = all(r["ran"] for r in runtimes.values() if r["needed"]) and not compared["failing"] and \
        all(f["ok"] for out in compared["outputs"].values() for f in out["runtimes"].values())
    return {"name": check.name, "manifest": str(check.manifest), "files": sources.files(check), "reference": reference,
            "cases": len(cases), "ok": ok, "runtimes": runtimes, "outputs": compared["outputs"],
            "errors": compared["errors"],
            "agreement": agreement(results, [name for name, result in results.items() if result.ran]),
            "failing_cases": {r: [cases[i].label for i in v] for r, v in compared["failing"].items()},
            "_failing": compared["failing"]}


def _add_minimal_case(entry: dict[str, Any], check: Check, cases: list[LessonCase], session: Session,
                      case_dir: Path | None, note: Progress) -> None:
    failing: dict[str, list[int]] = entry["_failing"]
    if not failing:
        return  # a runtime that did not run: no case to shrink
    reference = entry["reference"]
    if reference in failing:  # the reference itself raised: shrink the case that makes it raise
        runtimes, start = [reference], min((cases[i] for i in failing[reference]), key=case_size)

        def fails(candidates: list[LessonCase]) -> list[bool]:
            outcomes = session.run(check, candidates, runtimes)[reference]
            return [not o["ok"] for o in outcomes.outcomes] if outcomes.ran else [False] * len(candidates)
    else:
        runtimes = [reference] + list(failing)
        start = min((cases[i] for indices in failing.values() for i in indices), key=case_size)

        def fails(candidates: list[LessonCase]) -> list[bool]:
            results = session.run(check, candidates, runtimes)
            ref = results[reference]
            if not ref.ran:
                return [False] * len(candidates)
            verdicts = []
            for index in range(len(candidates)):
                verdicts.append(any(results[r].ran and index < len(results[r].outcomes)
                                    and case_fails(check, ref.outcomes[index], results[r].outcomes[index])
                                    for r in runtimes[1:]))
            return verdicts

    note(f"shrinking the failing case of {check.name!r} ({start.label}, dims {start.dims}) on {', '.join(runtimes)}")
    minimal = shrink(check, start, fails, note)
    results = session.run(check, [minimal], runtimes)
    compared = compare_check(check, [minimal], results, reference)
    entry["minimal_case"] = minimal.to_json()
    entry["minimal_case_from"] = start.label
    entry["minimal_case_outputs"] = compared["outputs"]
    entry["minimal_case_errors"] = compared["errors"]
    if case_dir is not None:
        path = case_dir / f"minimal-case-{_slug(check.name)}.json"
        case_dir.mkdir(parents=True, exist_ok=True)
        write_case_file(path, check, minimal)
        entry["minimal_case_file"] = str(path)


def verdict(entries: list[dict[str, Any]], plan: Plan) -> str:
    failed = [e["name"] for e in entries if not e["ok"]]
    checked = [r for r in plan.runtimes if r not in plan.unavailable]
    if failed:
        return f"CHECK FAILED: {', '.join(map(repr, failed))} ({len(failed)} of {len(entries)} checks)"
    text = f"CHECK OK: {len(entries)} check{'s' * (len(entries) != 1)} on {', '.join(checked)}"
    if plan.not_checked:
        text += f"; NOT CHECKED: {', '.join(plan.not_checked)}"
    if plan.loose:
        text += " (" + "; ".join(f"{name!r} {words}" for name, words in plan.loose.items()) + ")"
    return text


def public(report: dict[str, Any]) -> dict[str, Any]:
    """The report without its internal fields (what --json writes)."""
    return {**report, "checks": [{k: v for k, v in e.items() if not k.startswith("_")} for e in report["checks"]]}


def check_names_unique(checks: list[Check]) -> None:
    seen: dict[str, Check] = {}
    for check in checks:
        if check.name in seen:
            raise ManifestError(f"{check.manifest}: check {check.name!r}: name: {seen[check.name].manifest} has a check "
                                f"of this name too")
        seen[check.name] = check
