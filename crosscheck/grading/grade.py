"""Grading a submission: the exercise's check, run natively where the submission cannot reach
the reference.

The submission runs in a child CPython started with ``-I -S`` (no site-packages, no user or
environment paths, no current folder), whose ``sys.path`` is the standard library plus a
temporary folder holding the page's runner (exercise_runner.py) and links to NumPy: neither
dense-parity's DenseLayer nor this checker can be imported there. The child gets the cases
(inputs only) on stdin and answers with the arrays the submission computed (its own prints go
to stderr, which is discarded, so a flood of them cannot fill this process's memory). The expected arrays
are computed here, in the grading process, by python_core's DenseLayer, and judged here with the
page's rules (judge.py). The child is killed after ``timeout`` seconds.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from python_core import ACTIVATIONS, run_case
from python_core.facts import EXERCISE_HIDDEN_SHAPES as HIDDEN_SHAPES  # the page's too: (batch, inputs, neurons)
from python_core.wire import encode_spec

from ..parity.cases import LESSON_EXAMPLE
from ..paths import WEB_DEMO
from .judge import ARRAYS, judge

RUNNER = WEB_DEMO / "pages" / "exercise_runner.py"
DEFAULT_TIMEOUT_S = 10.0
MAX_SOURCE_BYTES = 1_000_000
NO_CLASS = "the code must define a class DenseLayer"
BOOTSTRAP = ("import sys; sys.path += sys.argv[1:3]; del sys.argv[1:]; "
             "import exercise_runner; exercise_runner.main()")


class GradeError(ValueError):
    """The submission cannot be graded: missing, not Python, or no DenseLayer class (exit 2)."""


@dataclasses.dataclass
class Verdict:
    passed: bool
    feedback: dict[str, Any]
    activation: str
    seed: int

    def as_json(self) -> dict[str, Any]:
        f = self.feedback
        return {"passed": self.passed, "activation": self.activation, "seed": self.seed,
                "kind": f["kind"], "title": f["title"], "detail": f.get("detail"), "line": f.get("line"),
                "array": f.get("array"), "element": f.get("element"), "values": dict(f.get("values") or []),
                "hint": f.get("hint"), "cases": f.get("caseResults", [])}

    def text(self) -> str:
        f = self.feedback
        lines = [f"{'PASS' if self.passed else 'FAIL'}: {f['title']}"]
        if f.get("detail"):
            lines.append(f"  {f['detail']}")
        lines += [f"  {label}: {value}" for label, value in f.get("values") or []]
        if f.get("hint"):
            lines.append(f"  Hint: {f['hint']}")
        marks = {True: "pass", False: "FAIL", None: "not run"}
        lines += [f"  [{marks[c['passed']]}] {c['label']}" for c in f.get("caseResults") or []]
        return "\n".join(lines)


def describe_shape(spec: dict[str, Any]) -> str:
    n_in, n_out = len(spec["weights"]), len(spec["weights"][0])
    return (f"batch of {len(spec['inputs'])}, {n_in} input{'' if n_in == 1 else 's'} → "
            f"{n_out} neuron{'' if n_out == 1 else 's'}")


def hidden_cases(activation: str, seed: int) -> list[dict[str, Any]]:
    """The page's four hidden shapes, with values drawn from ``seed`` in the page's ranges."""
    rng = np.random.default_rng(seed)
    grid = lambda rows, cols, lo, hi: rng.uniform(lo, hi, (rows, cols)).tolist()  # noqa: E731
    return [{"activation": activation, "weights": grid(n_in, n_out, -1, 1), "biases": grid(1, n_out, -0.5, 0.5),
             "inputs": grid(batch, n_in, -2, 2), "upstream": grid(batch, n_out, -1, 1)}
            for batch, n_in, n_out in HIDDEN_SHAPES]


def read_submission(path: Path) -> str:
    path = Path(path)
    if not path.is_file():
        raise GradeError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    data = path.read_bytes()
    if len(data) > MAX_SOURCE_BYTES:
        raise GradeError(f"{path}: {len(data)} bytes is too large for a submission (at most {MAX_SOURCE_BYTES})")
    try:
        code = data.decode("utf-8")
    except UnicodeDecodeError:
        raise GradeError(f"{path}: not Python source (not UTF-8 text)") from None
    try:
        compile(code, str(path), "exec", dont_inherit=True)   # compiles only: nothing of it runs here
    except SyntaxError as exc:
        raise GradeError(f"{path}: not Python: SyntaxError on line {exc.lineno}: {exc.msg}") from None
    except ValueError as exc:  # e.g. a NUL byte in the source
        raise GradeError(f"{path}: not Python: {exc}") from None
    return code


def _numpy_dirs() -> list[Path]:
    """NumPy's package folder and, for a manylinux wheel, its bundled libraries next to it."""
    spec = importlib.util.find_spec("numpy")
    package = Path(next(iter(spec.submodule_search_locations)))
    return [p for p in (package, package.with_name("numpy.libs")) if p.exists()]


def run_submission(code: str, cases: list[dict[str, Any]], timeout_s: float) -> str | None:
    """The runner's JSON reply from a child process, or None when it ran out of time."""
    with tempfile.TemporaryDirectory(prefix="dense-parity-grade-") as tmp:
        runner_dir, deps_dir = Path(tmp) / "runner", Path(tmp) / "deps"
        runner_dir.mkdir()
        deps_dir.mkdir()
        shutil.copy2(RUNNER, runner_dir / "exercise_runner.py")
        for source in _numpy_dirs():
            (deps_dir / source.name).symlink_to(source, target_is_directory=True)
        request = json.dumps({"code": code, "cases": [encode_spec(c) for c in cases]})
        env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "LANG": "C.UTF-8", "PATH": os.defpath}
        try:
            done = subprocess.run([sys.executable, "-I", "-S", "-c", BOOTSTRAP, str(runner_dir), str(deps_dir)],
                                  input=request, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, timeout=timeout_s, cwd=tmp, env=env)
        except subprocess.TimeoutExpired:
            return None
        return done.stdout


def grade(path: Path, activation: str = "sigmoid", timeout_s: float = DEFAULT_TIMEOUT_S,
          seed: int | None = None) -> Verdict:
    """Grades the submission at ``path``; GradeError when it is not a gradable submission."""
    if activation not in ACTIVATIONS:
        raise GradeError(f"activation {activation!r} is not one of {', '.join(ACTIVATIONS)}")
    code = read_submission(path)
    seed = secrets.randbits(32) if seed is None else seed
    lesson = {k: v for k, v in LESSON_EXAMPLE.items() if k != "name"} | {"activation": activation}
    hidden = hidden_cases(activation, seed)
    cases = [lesson, *hidden]
    labels = ["the lesson example", *(f"hidden case {k} ({describe_shape(c)})" for k, c in enumerate(hidden, 1))]
    # The reference, here in the grading process, before and apart from the submission.
    expected = [{name: np.asarray(arrays[name]) for name in ARRAYS} for arrays in map(run_case, cases)]
    reply = run_submission(code, cases, timeout_s)
    if reply is None:
        feedback = {"passed": False, "kind": "timeout", "title": f"Stopped: the code was still running after {timeout_s:g} s",
                    "detail": "It probably never ends (a loop whose condition stays true?).", "values": [],
                    "hint": None, "line": None, "caseResults": []}
        return Verdict(False, feedback, activation, seed)
    try:
        parsed = json.loads(reply)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict) and parsed["error"].get("message") == NO_CLASS \
            and parsed["error"].get("stage") == "load":
        raise GradeError(f"{path}: no DenseLayer class (the submission must define class DenseLayer)")
    feedback = judge(labels, [len(c["inputs"]) for c in cases], expected, reply)
    return Verdict(bool(feedback["passed"]), feedback, activation, seed)
