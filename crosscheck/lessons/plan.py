"""What a run of ``check`` will do, decided before anything boots: the manifests' checks, their cases
(drawn, and from case files), the runtimes (which cannot run here, which were left out and why) and
the reference. The CLI and ``crosscheck.check_lessons`` share it, so both refuse the same bad input
with the same one line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from .manifest import ManifestError, load_manifest

if TYPE_CHECKING:  # the run's modules load NumPy and the runtimes: only once a plan is made
    from .course import Plan
    from .run import Sources

EXACT_REFUSED = ("exact is the dense layer's correctly rounded reference; a course's functions have none "
                 "(check compares with native, or js-node for a JavaScript-only check)")


class PlanError(ValueError):
    """Bad input found while planning (an unknown runtime or check, a case file that does not fit): one line."""


@dataclass(frozen=True)
class Wording:
    """How the caller names its options in a one-line error: the CLI's flags, or the function's keywords."""

    runtimes: str = "argument --runtimes"
    reference: str = "argument --reference"
    only: str = "argument --check"
    skip: str = "--skip-unavailable"
    not_named: str = "not named in --runtimes"
    random: str = "--random 0"
    loose: str = "--loose"


CLI = Wording()
API = Wording(runtimes="runtimes", reference="reference", only="checks", skip="allow_missing",
              not_named="not named in runtimes", random="random=0", loose="loose=True")


def make_plan(manifests: list[Path | str], *, random: int | None = None, seed: int = 0,
              runtimes: list[str] | None = None, reference: str | None = None, skip_unavailable: bool = False,
              case_files: list[Path | str] = (), only: list[str] = (), wording: Wording = CLI,
              bundle: bool = True, loose: bool = False) -> tuple["Plan", "Sources"]:
    """(the plan, the authors' files read and bundled); ManifestError or PlanError (one line) for bad input.
    Without ``bundle`` the JavaScript files are only read (the pool bundles them). A declared tolerance of
    rtol or atol ≥ 1e-3 is refused unless ``loose`` (then the verdict names it)."""
    from ..runtimes import RUNTIMES, unavailable_reason
    from .cases import CaseFileError, draw_cases, read_case_file
    from .course import Plan, check_names_unique
    from .run import Sources, language_of

    checks_ = [c for path in manifests for c in load_manifest(path).checks]
    check_names_unique(checks_)
    loose_checks = loose_tolerances(checks_, loose, wording)
    if only:
        unknown = [n for n in only if n not in {c.name for c in checks_}]
        if unknown:
            raise PlanError(f"{wording.only}: no check {unknown[0]!r} (checks: {', '.join(c.name for c in checks_)})")
        checks_ = [c for c in checks_ if c.name in only]
    by_name = {c.name: c for c in checks_}
    case_cases: dict[str, list] = {}
    try:
        for path in case_files:
            for check, case in read_case_file(path, by_name):
                case_cases.setdefault(check.name, []).append(case)
    except CaseFileError as exc:
        raise PlanError(str(exc)) from None
    if case_files:
        checks_ = [c for c in checks_ if c.name in case_cases]  # a case file reruns its own check
    count = random if random is not None else (0 if case_files else 50)
    from .dense import dense_cases, is_dense

    cases = {c.name: dense_cases(c, count, seed, case_cases.get(c.name, [])) if is_dense(c)
             else case_cases.get(c.name, []) + draw_cases(c, count, seed) for c in checks_}
    empty = [name for name, cs in cases.items() if not cs]
    if empty:
        raise PlanError(f"no cases for {', '.join(map(repr, empty))}: {wording.random} and no case file for it")
    default = [name for name, cls in RUNTIMES.items() if cls.default]
    if runtimes is None:
        names = default
    else:
        names = list(dict.fromkeys(r.strip() for r in runtimes if r.strip()))
        unknown = [r for r in names if r not in RUNTIMES]
        if unknown:
            raise PlanError(f"{wording.runtimes}: unknown runtime(s) {', '.join(unknown)}; known: {', '.join(RUNTIMES)}")
        foreign = [r for r in names if language_of(r) is None]
        if foreign:
            why = EXACT_REFUSED if foreign[0] == "exact" else f"{foreign[0]} runs the dense layer only"
            raise PlanError(f"{wording.runtimes}: {why}")
    if reference is not None:
        if reference not in RUNTIMES:
            raise PlanError(f"{wording.reference}: unknown runtime {reference!r}; known: {', '.join(RUNTIMES)}")
        if language_of(reference) is None:
            raise PlanError(f"{wording.reference}: {EXACT_REFUSED}")
    plan = Plan(checks_, cases, names, seed=seed, random=count, reference=reference,
                loose={name: words for name, words in loose_checks.items() if name in cases})
    references = {plan.reference_of(c) for c in checks_}
    names = list(dict.fromkeys([*sorted(references), *names]))
    not_checked = {n: wording.not_named for n in default if n not in names}
    unavailable = {n: why for n in names for why in [unavailable_reason(n)] if why}
    if skip_unavailable:
        for name in [n for n in unavailable if n not in references]:
            not_checked[name] = f"skipped with {wording.skip}: {unavailable.pop(name)}"
            names.remove(name)
    if any(getattr(RUNTIMES[r], "uses_pyodide_folder", False) and r not in unavailable for r in names):
        from ..paths import RUNTIME_DIR
        from ..site.integrity import RuntimeIntegrityError, verify_runtime

        try:
            verify_runtime(RUNTIME_DIR)
        except RuntimeIntegrityError as exc:
            raise PlanError(str(exc)) from None
    sources = Sources()
    for check in checks_:
        if is_dense(check):
            from .dense import lesson_of

            lesson_of(check)  # read and bundled as run does: bad files are one line before anything boots
        else:
            sources.prepare(check, bundle=bundle)
    plan.runtimes, plan.unavailable, plan.not_checked = names, unavailable, not_checked
    return plan, sources


def loose_tolerances(checks_, loose: bool, wording: Wording) -> dict[str, str]:
    """{check name: how its loose tolerances read} (``loose: rtol 0.01, atol 0``); PlanError for the first
    loose one when ``loose`` is not given: such a tolerance passes results wrong in their third digit."""
    from ..cli.checks import loose_problem
    from ..parity.compare import is_loose, loose_words

    found: dict[str, str] = {}
    for check in checks_:
        declared = [("tolerance", check.tolerance)] + [
            (f"outputs.{name}", spec.tolerance) for name, spec in getattr(check, "outputs", {}).items()
            if getattr(spec, "tolerance", None) is not None]
        for key, tol in declared:
            if not is_loose(tol.rtol, tol.atol, tol.exact):
                continue
            problem = loose_problem(tol.rtol, tol.atol, loose, tol.exact, wording.loose)
            if problem:
                raise PlanError(f"{check.manifest}: check {check.name!r}: {key}: {problem}")
            words = loose_words(tol.rtol, tol.atol) + ("" if key == "tolerance" else f" for {key[8:]}")
            found[check.name] = f"{found[check.name]}; {words}" if check.name in found else words
    return found


__all__ = ["API", "CLI", "EXACT_REFUSED", "ManifestError", "PlanError", "Wording", "make_plan"]
