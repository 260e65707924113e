"""Grading a course's declared exercise (``grade --lessons COURSE.toml --exercise NAME``).

The learner's function runs in the contained child CPython of ``grade`` (grade.py's containment, with
web_demo/pages/function_runner.py as the runner), on the exercise's lesson cases (the check's cases 0-2 at
seed 0, the ones the page shows) and ``hidden_cases`` more drawn from a fresh seed. The expected results
come from the check's Python function, run here in the grading process before the learner's code runs;
each output is held to the check's tolerance. A declared mistake matches when its function's results
equal the learner's, within the same tolerance, on every case where both gave results: its hint is then
the feedback.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from pathlib import Path
from typing import Any

import numpy as np

from python_core.codec import decode_array
from python_core.functions import run_function_batch

from ..lessons.cases import LessonCase, draw_cases, wire_case
from ..lessons.exercises import LESSON_CASES, LESSON_SEED, Exercise, find_exercise
from ..lessons.manifest import Check, FunctionRef, ManifestError, Tolerance, load_manifest
from ..paths import PACKAGED_WEB_DEMO
from . import bounded_json, sandbox
from .grade import CODEC, CONTRACT, DEFAULT_TIMEOUT_S, GradeError, read_submission

RUNNERS = PACKAGED_WEB_DEMO / "pages"
RUNNER_FILES = {"function_runner.py": RUNNERS / "function_runner.py", "exercise_runner.py": RUNNERS / "exercise_runner.py",
                "wire_codec.py": CODEC, "layer_contract.py": CONTRACT}


@dataclasses.dataclass
class CaseResult:
    label: str
    hidden: bool
    passed: bool
    message: str                       # what the learner is told about this case
    output: str | None = None          # the output found wrong, and where
    element: list[int] | None = None
    expected: float | None = None
    given: float | None = None


@dataclasses.dataclass
class DeclaredVerdict:
    exercise: Exercise
    version: str
    seed: int
    cases: list[CaseResult]
    summary: str                       # one line: passed, or the first failure
    hint: str | None = None
    mistake: str | None = None         # the matched mistake's function
    line: int | None = None
    timed_out: bool = False
    isolation: sandbox.Isolation | None = None   # where the learner's code ran (the sandbox or its fallback)

    @property
    def passed(self) -> bool:
        return bool(self.cases) and all(c.passed for c in self.cases)


def load_exercise(manifest: Path | str, name: str) -> Exercise:
    try:
        loaded = load_manifest(manifest)
        return find_exercise(loaded.exercises, name, Path(manifest))
    except ManifestError as exc:
        raise GradeError(str(exc)) from None


def describe_dims(dims: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in dims.items())


def lesson_cases(check: Check) -> list[LessonCase]:
    cases = draw_cases(check, LESSON_CASES, LESSON_SEED)
    for k, case in enumerate(cases, 1):
        case.label = f"lesson case {k}" + (f" ({describe_dims(case.dims)})" if case.dims else "")
    return cases


def hidden_cases(check: Check, count: int, seed: int) -> list[LessonCase]:
    """Drawn dims and values (the check's cases from index 2 on, where every dimension is drawn)."""
    cases = draw_cases(check, 2 + count, seed)[2:]
    for k, case in enumerate(cases, 1):
        case.label = f"hidden case {k}" + (f" ({describe_dims(case.dims)})" if case.dims else "")
    return cases


def run_reference(ref: FunctionRef, check: Check, cases: list[LessonCase]) -> list[dict[str, np.ndarray] | None]:
    """A course function's results per case (None where it raised), run here: the course's own code."""
    request = {"source": ref.path.read_text(encoding="utf-8"), "filename": str(ref.path), "function": ref.function,
               "args": list(check.args), "cases": [wire_case(check, c) for c in cases]}
    reply = json.loads(run_function_batch(json.dumps(request)))
    if reply.get("ok") is False:
        raise GradeError(f"{ref}: the course's function cannot run: {reply['error'].get('message')}")
    return [{k: decode_array(v) for k, v in r["outputs"].items()} if r["ok"] else None for r in reply["results"]]


def run_learner(code: str, exercise: Exercise, cases: list[LessonCase], timeout_s: float) -> sandbox.Ending:
    """The function runner's reply from grade's sandbox, or the reason there is none."""
    check = exercise.check
    request = json.dumps({"code": code, "function": exercise.function, "args": list(check.args),
                          "cases": [wire_case(check, c) for c in cases]})
    return sandbox.run(RUNNER_FILES, "function_runner", request.encode(), timeout_s)


# --- comparing ------------------------------------------------------------------------------------
def _scale(reference: np.ndarray) -> float:
    finite = np.abs(reference[np.isfinite(reference)])
    return float(finite.max()) if finite.size else 0.0


def first_wrong(given: np.ndarray, expected: np.ndarray, tol: Tolerance) -> tuple[int, ...] | None:
    """The first element (in row-major order) outside the check's rule |a − ref| ≤ atol + rtol · max|ref|
    (bit identity for an exact output; NaN matches NaN). The shapes are equal."""
    same = (given == expected) | (np.isnan(given) & np.isnan(expected))
    if tol.exact:
        bad = given.view(np.int64) != expected.view(np.int64)
    else:
        with np.errstate(invalid="ignore"):
            bad = ~(same | (np.abs(given - expected) <= tol.atol + tol.rtol * _scale(expected)))
    if not bad.any():
        return None
    return tuple(int(i) for i in np.argwhere(bad)[0])


def agrees(check: Check, given: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> bool:
    return set(given) == set(expected) and all(
        given[n].shape == expected[n].shape and first_wrong(given[n], expected[n], check.output_tolerance(n)) is None
        for n in expected)


def _number(x: float) -> str:
    return repr(float(x)).removesuffix(".0") if np.isfinite(x) else str(x)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def judge_case(check: Check, case: LessonCase, hidden: bool, expected: dict[str, np.ndarray],
               given: dict[str, np.ndarray]) -> CaseResult:
    label = case.label
    missing = [n for n in expected if n not in given]
    if missing:
        gives = ", ".join(given) or "nothing"
        return CaseResult(label, hidden, False, f"{label}: the result has no {missing[0]!r} (it gives {gives})",
                          output=missing[0])
    extra = [n for n in given if n not in expected]
    if extra:
        return CaseResult(label, hidden, False, f"{label}: {extra[0]!r} is not among the results the exercise asks for "
                                                f"({', '.join(expected)})", output=extra[0])
    for name, ref in expected.items():
        value = given[name]
        if value.shape != ref.shape:
            return CaseResult(label, hidden, False, f"{name} has the wrong shape in {label}: expected shape "
                                                    f"{_shape(ref.shape)}, got {_shape(value.shape)}", output=name)
        index = first_wrong(value, ref, check.output_tolerance(name))
        if index is not None:
            where = "".join(f"[{i}]" for i in index)
            e, g = float(ref[index]), float(value[index])
            element = f"first wrong element {name}{where}" if index else name
            return CaseResult(label, hidden, False, f"{name} is wrong in {label}: {element}: "
                                                    f"expected {_number(e)}, given {_number(g)}",
                              output=name, element=list(index), expected=e, given=g)
    return CaseResult(label, hidden, True, f"{label}: every result matches")


def _error_text(error: dict[str, Any], where: str = "") -> str:
    line = f" on line {error['line']}" if error.get("line") else ""
    if error.get("type") == "Gap":
        return f"A gap is still open{line}: {error.get('message', '')} (replace the todo(...) call with your expression)"
    return f"{error.get('type', 'Error')}{line}{where}: {error.get('message', '')}"


def _reply(text: str | bytes, count: int) -> tuple[dict[str, Any] | None, list[dict[str, Any]] | None, str | None]:
    """(the whole-code error, per-case results with decoded outputs, a problem with the reply's form)."""
    try:
        reply = bounded_json.loads(text, sandbox.MAX_REPLY_BYTES)
    except ValueError as exc:
        return None, None, f"the reply is not JSON that can be read ({exc})"
    if not isinstance(reply, dict):
        return None, None, "the reply is not a JSON object"
    if "error" in reply:
        if isinstance(reply["error"], dict) and isinstance(reply["error"].get("type"), str):
            return reply["error"], None, None
        return None, None, "its error has no type"
    results = reply.get("results")
    if not isinstance(results, list) or len(results) != count:
        return None, None, f"it does not hold one result per case ({count})"
    decoded = []
    for result in results:
        if not isinstance(result, dict) or not isinstance(result.get("ok"), bool):
            return None, None, "a result says neither ok nor failed"
        if not result["ok"]:
            error = result.get("error")
            if not isinstance(error, dict) or not isinstance(error.get("type"), str):
                return None, None, "a failure has no error"
            decoded.append({"error": error})
            continue
        try:
            decoded.append({"outputs": {str(k): decode_array(v) for k, v in result["outputs"].items()}})
        except Exception:  # any malformed entry: the reply cannot be judged
            return None, None, "an output is missing or unreadable"
    return None, decoded, None


def grade_declared(manifest: Path | str, name: str, submission: Path, timeout_s: float = DEFAULT_TIMEOUT_S,
                   seed: int | None = None) -> DeclaredVerdict:
    """GradeError (exit 2) for a manifest, exercise or submission that cannot be graded."""
    exercise = load_exercise(manifest, name)
    code = read_submission(submission)
    check = exercise.check
    seed = secrets.randbits(32) if seed is None else seed
    visible = lesson_cases(check)
    hidden = hidden_cases(check, exercise.hidden_cases, seed)
    cases = visible + hidden
    flags = [False] * len(visible) + [True] * len(hidden)
    # The reference and the mistakes, here, before and apart from the learner's code.
    expected = run_reference(check.python, check, cases)
    for case, result in zip(cases, expected):
        if result is None:
            raise GradeError(f"{check.python}: the check's Python function raised on {case.label}: the exercise "
                             f"cannot be graded (run `check` on the course)")
    mistakes = [(m, run_reference(m.python, check, cases)) for m in exercise.mistakes]
    version = exercise.version
    ending = run_learner(code, exercise, cases, timeout_s)
    if ending.reason != "exited":
        message = (f"Stopped: the code was still running after {timeout_s:g} s (a loop that never ends?)"
                   if ending.reason == "timeout" else
                   f"Stopped: the code wrote more than {sandbox.MAX_REPLY_BYTES} bytes where the answer goes")
        results = [CaseResult(c.label, h, False, message) for c, h in zip(cases, flags)]
        return DeclaredVerdict(exercise, version, seed, results, message, timed_out=ending.reason == "timeout",
                               isolation=ending.isolation)
    verdict = _judged(exercise, version, seed, cases, flags, expected, mistakes, ending.reply or b"")
    return dataclasses.replace(verdict, isolation=ending.isolation)


def _judged(exercise: Exercise, version: str, seed: int, cases: list[LessonCase], flags: list[bool],
            expected: list[dict[str, np.ndarray]], mistakes: list, reply: bytes) -> DeclaredVerdict:
    check = exercise.check
    error, decoded, problem = _reply(reply, len(cases))
    if problem:
        message = f"The check got an answer it cannot judge: {problem} (does the code replace json or NumPy?)"
        return DeclaredVerdict(exercise, version, seed, [CaseResult(c.label, h, False, message)
                                                         for c, h in zip(cases, flags)], message)
    if error is not None:
        message = _error_text(error)
        return DeclaredVerdict(exercise, version, seed, [CaseResult(c.label, h, False, message)
                                                         for c, h in zip(cases, flags)], message, line=error.get("line"))
    results: list[CaseResult] = []
    line = None
    for case, hidden_case, ref, got in zip(cases, flags, expected, decoded):
        if "error" in got:
            line = line or got["error"].get("line")
            results.append(CaseResult(case.label, hidden_case, False, _error_text(got["error"], f" in {case.label}")))
        else:
            results.append(judge_case(check, case, hidden_case, ref, got["outputs"]))
    failed = [r for r in results if not r.passed]
    if not failed:
        return DeclaredVerdict(exercise, version, seed, results,
                               f"Correct! {exercise.function} passes all {len(results)} cases", line=None)
    first = failed[0]
    summary = first.message if not first.hidden else f"{first.label}: wrong (its details are hidden)"
    hint = mistake = None
    for declared, outcomes in mistakes:
        pairs = [(m, g) for m, g in zip(outcomes, decoded) if m is not None]
        if pairs and all("outputs" in g and agrees(check, g["outputs"], m) for m, g in pairs):
            hint, mistake = declared.hint, declared.python.function
            break
    return DeclaredVerdict(exercise, version, seed, results, summary, hint, mistake, line)
