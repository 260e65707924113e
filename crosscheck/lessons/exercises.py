"""A course's declared exercises: ``[[exercise]]`` tables of the lesson manifest, checked when it is read.

An exercise asks the learner to write the Python function of one of the manifest's checks:

```toml
[[exercise]]
name = "softmax-ce"
check = "softmax cross-entropy"             # the check whose Python function the learner writes
starter = "exercises/softmax_starter.py"     # what the editor shows first
hidden_cases = 4                             # drawn from the check's inputs, a fresh seed each time
# instructions = "exercises/softmax.md", max_attempts = 5, solution = "FILE:FUNCTION" (optional)

[[exercise.mistake]]
python = "exercises/softmax_mistakes.py:forgot_the_mean"
hint = "Both the loss and dLogits are averages over the batch: divide by the number of rows."
```

Every problem is one ManifestError line naming the file, the exercise and the key, as for checks. The
check's Python function is the grader's reference and its JavaScript function the page's, so the check
needs both. An exercise's ``version`` is a hash of everything that decides what the learner sees and how
they are judged (the starter, the check's declaration and its files, the cases, the mistakes and their
hints, the instructions, the solution): the page and ``grade`` both report it, so a platform can tell
when the two judged different exercises.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .manifest import Check, FunctionRef, ManifestError, _function, _is_int

EXERCISE_KEYS = ("name", "check", "starter", "hidden_cases", "instructions", "max_attempts", "solution", "mistake")
MISTAKE_KEYS = ("python", "hint")
LESSON_CASES = 3          # the cases every learner sees: the check's cases 0-2 at seed 0 (smallest, largest, one drawn)
LESSON_SEED = 0
MAX_HIDDEN_CASES = 100
MAX_ATTEMPTS = 1000
MAX_TEXT_BYTES = 200_000  # a starter, instructions


@dataclass(frozen=True)
class Mistake:
    python: FunctionRef
    hint: str


@dataclass
class Exercise:
    name: str
    manifest: Path
    check: Check
    starter: Path
    starter_text: str
    hidden_cases: int
    instructions: Path | None = None
    instructions_text: str | None = None
    max_attempts: int | None = None
    solution: FunctionRef | None = None
    mistakes: tuple[Mistake, ...] = ()

    @property
    def slug(self) -> str:
        return slug(self.name)

    @property
    def function(self) -> str:
        """The name of the function the learner writes: the check's Python function's."""
        assert self.check.python is not None
        return self.check.python.function

    @property
    def version(self) -> str:
        return exercise_version(self)

    def solution_text(self) -> str | None:
        return function_source(self.solution) if self.solution is not None else None


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "exercise"


class _Where:
    def __init__(self, path: Path, exercise: str) -> None:
        self.path, self.exercise = path, exercise

    def error(self, key: str, message: str) -> ManifestError:
        return ManifestError(f"{self.path}: exercise {self.exercise}: {key}: {message}")


def _text_file(where: _Where, manifest: Path, key: str, value: Any, suffix: str | None = None) -> tuple[Path, str]:
    if not isinstance(value, str) or not value:
        raise where.error(key, f"expected a file's path relative to the manifest, got {value!r}")
    path = (manifest.parent / value).resolve()
    if not path.is_file():
        raise where.error(key, f"{value}: " + ("is a folder" if path.is_dir() else "no such file")
                          + f" (relative to {manifest.parent or '.'})")
    data = path.read_bytes()
    if len(data) > MAX_TEXT_BYTES:
        raise where.error(key, f"{value}: {len(data)} bytes; at most {MAX_TEXT_BYTES}")
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise where.error(key, f"{value}: not UTF-8 text (byte {exc.start})") from None
    return path, text


def _python_function(where: _Where, manifest: Path, key: str, value: Any) -> FunctionRef:
    """``FILE:FUNCTION`` of a Python file that defines the function (read, not run)."""
    ref = _function(_KeyedWhere(where, key), manifest, "python", value)
    if ref is None:
        raise where.error(key, "missing (\"FILE:FUNCTION\")")
    return ref


class _KeyedWhere:
    """manifest._function's errors name the key "python"; here they name the exercise's own key."""

    def __init__(self, where: _Where, key: str) -> None:
        self.where, self.key = where, key

    def error(self, _key: str, message: str) -> ManifestError:
        return self.where.error(self.key, message)


def _starter_defines(where: _Where, path: Path, text: str, function: str) -> None:
    try:
        tree = ast.parse(text, str(path))
    except SyntaxError as exc:
        raise where.error("starter", f"{path.name}:{exc.lineno}: SyntaxError: {exc.msg}") from None
    except ValueError as exc:
        raise where.error("starter", f"{path.name}: not Python source ({exc})") from None
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if function not in names:
        raise where.error("starter", f"{path.name} defines no function {function!r}, the check's Python function "
                                     f"that the learner writes")


def parse_exercises(path: Path, raw: Any, checks: list[Check]) -> list["Exercise"]:
    """The manifest's ``exercise`` array of tables → Exercises; ManifestError (one line) for any problem."""
    if not isinstance(raw, list):
        raise ManifestError(f"{path}: exercise: expected [[exercise]] tables")
    by_name = {c.name: c for c in checks}
    exercises: list[Exercise] = []
    seen: dict[str, str] = {}
    for number, table in enumerate(raw, 1):
        exercise = _exercise(path, number, table, by_name)
        if exercise.slug in seen:
            raise ManifestError(f"{path}: exercise {exercise.name!r}: name: another exercise has this name "
                                f"(or {seen[exercise.slug]!r}, the same page name {exercise.slug!r})")
        seen[exercise.slug] = exercise.name
        exercises.append(exercise)
    return exercises


def _exercise(path: Path, number: int, table: Any, checks: dict[str, Check]) -> Exercise:
    if not isinstance(table, dict):
        raise ManifestError(f"{path}: exercise #{number}: expected a table")
    name = table.get("name")
    where = _Where(path, repr(name) if isinstance(name, str) and name.strip() else f"#{number}")
    if not isinstance(name, str) or not name.strip():
        raise where.error("name", "missing (every exercise needs a name, e.g. name = \"softmax-ce\")")
    for key in table:
        if key not in EXERCISE_KEYS:
            raise where.error(key, f"unknown key (an exercise has {', '.join(EXERCISE_KEYS)})")
    check_name = table.get("check")
    if not isinstance(check_name, str) or check_name not in checks:
        known = ", ".join(map(repr, checks)) or "none"
        raise where.error("check", f"no check named {check_name!r} (the manifest's checks: {known})")
    check = checks[check_name]
    if getattr(check, "layer", None) is not None or check.python is None or check.js is None:
        raise where.error("check", f"check {check_name!r} must name a Python function (the grader's reference) and "
                                   f"a JavaScript function (the page's), each as \"FILE:FUNCTION\"")
    if "starter" not in table:
        raise where.error("starter", "missing (the Python file the editor shows first)")
    starter, starter_text = _text_file(where, path, "starter", table["starter"])
    _starter_defines(where, starter, starter_text, check.python.function)
    hidden = table.get("hidden_cases", 0)
    if not _is_int(hidden) or not 0 <= hidden <= MAX_HIDDEN_CASES:
        raise where.error("hidden_cases", f"expected an integer in [0, {MAX_HIDDEN_CASES}], got {hidden!r}")
    instructions = instructions_text = None
    if "instructions" in table:
        instructions, instructions_text = _text_file(where, path, "instructions", table["instructions"])
    attempts = table.get("max_attempts")
    if attempts is not None and not (_is_int(attempts) and 1 <= attempts <= MAX_ATTEMPTS):
        raise where.error("max_attempts", f"expected an integer in [1, {MAX_ATTEMPTS}], got {attempts!r}")
    solution = _python_function(where, path, "solution", table["solution"]) if "solution" in table else None
    mistakes_raw = table.get("mistake", [])
    if not isinstance(mistakes_raw, list):
        raise where.error("mistake", "expected [[exercise.mistake]] tables")
    mistakes = []
    for k, entry in enumerate(mistakes_raw):
        key = f"mistake[{k}]"
        if not isinstance(entry, dict):
            raise where.error(key, "expected a table with python and hint")
        for sub in entry:
            if sub not in MISTAKE_KEYS:
                raise where.error(f"{key}.{sub}", f"unknown key (a mistake has {', '.join(MISTAKE_KEYS)})")
        hint = entry.get("hint")
        if not isinstance(hint, str) or not hint.strip():
            raise where.error(f"{key}.hint", "missing (what the learner is told when their results match this mistake's)")
        if "python" not in entry:
            raise where.error(f"{key}.python", "missing (\"FILE:FUNCTION\": the mistaken function)")
        mistakes.append(Mistake(_python_function(where, path, f"{key}.python", entry["python"]), hint.strip()))
    return Exercise(name.strip(), path, check, starter, starter_text, hidden, instructions, instructions_text,
                    attempts, solution, tuple(mistakes))


def function_source(ref: FunctionRef) -> str:
    """The source of the top-level function ``ref.function`` (as the file writes it), for the page's solution."""
    text = ref.path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == ref.function:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return "\n".join(text.splitlines()[start - 1:node.end_lineno]) + "\n"
    return text


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ref(ref: FunctionRef | None) -> dict[str, str] | None:
    return None if ref is None else {"file": ref.path.name, "sha256": _file_sha(ref.path), "function": ref.function}


def check_declaration(check: Check) -> dict[str, Any]:
    """The check as declared (what its cases and comparison depend on), in a form JSON keeps."""
    return {"name": check.name, "args": list(check.args),
            "dims": {k: list(v) for k, v in check.dims.items()},
            "inputs": {name: {"shape": list(s.shape), "int": s.is_int, "low": s.low, "high": s.high,
                              **({"value": s.value} if s.fixed else {})} for name, s in check.inputs.items()},
            "outputs": {name: {"shape": None if o.shape is None else list(o.shape),
                               "tolerance": None if o.tolerance is None else vars(o.tolerance)}
                        for name, o in check.outputs.items()},
            "tolerance": vars(check.tolerance)}


def exercise_version(exercise: Exercise) -> str:
    """16 hex digits of the sha256 of the exercise's content (see the module's docstring)."""
    content = {"name": exercise.name, "check": check_declaration(exercise.check),
               "python": _ref(exercise.check.python), "js": _ref(exercise.check.js),
               "starter": exercise.starter_text, "hidden_cases": exercise.hidden_cases,
               "lesson_cases": [LESSON_CASES, LESSON_SEED],
               "instructions": exercise.instructions_text, "max_attempts": exercise.max_attempts,
               "solution": _ref(exercise.solution),
               "mistakes": [{**_ref(m.python), "hint": m.hint} for m in exercise.mistakes]}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def find_exercise(exercises: list[Exercise], name: str, manifest: Path) -> Exercise:
    for exercise in exercises:
        if exercise.name == name:
            return exercise
    known = ", ".join(repr(e.name) for e in exercises) or "none declared"
    raise ManifestError(f"{manifest}: no exercise named {name!r} (its exercises: {known})")
