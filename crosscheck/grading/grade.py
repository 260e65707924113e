"""Grading a submission: the exercise's check, run natively where the submission cannot reach
the reference.

The submission runs in a sandbox (sandbox.py: bubblewrap's namespaces, or a contained child process
where they are not available) holding only the standard library, NumPy and the page's runner
(exercise_runner.py, with the wire's codec and the lesson's DenseLayer contract beside it): neither
dense-parity's DenseLayer nor this checker exists there. The child gets the cases (inputs only) on
stdin and answers with the arrays the submission computed (its own prints go to stderr, which is
discarded). The expected arrays are computed here, in the grading process, by python_core's
DenseLayer, and judged here with the page's rules (judge.py): nothing the child says is taken on
its word, not even that the file has no DenseLayer class (that is read from the source here).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import secrets
from pathlib import Path
from typing import Any

import numpy as np

from python_core import ACTIVATIONS, run_case
from python_core.facts import EXERCISE_HIDDEN_SHAPES as HIDDEN_SHAPES  # the page's too: (batch, inputs, neurons)
from python_core.wire import encode_spec

from ..parity.cases import LESSON_EXAMPLE
from ..paths import PACKAGED_WEB_DEMO, PYTHON_CORE
from . import sandbox
from .judge import ARRAYS, judge

# The packaged copy, not the per-user runtime folder's: grading needs neither Node nor Pyodide, so an
# installed harness grades without assembling anything.
RUNNER = PACKAGED_WEB_DEMO / "pages" / "exercise_runner.py"
CODEC = PYTHON_CORE / "codec.py"   # imported by the runner as wire_codec, as in the page
CONTRACT = PYTHON_CORE / "layer_contract.py"   # imported by the runner as layer_contract, as in the page
RUNNER_FILES = {"exercise_runner.py": RUNNER, "wire_codec.py": CODEC, "layer_contract.py": CONTRACT}
RUNNER_MODULE = "exercise_runner"
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 3600.0
MAX_SOURCE_BYTES = 1_000_000


class GradeError(ValueError):
    """The submission cannot be graded: missing, not Python, or no DenseLayer class (exit 2)."""


@dataclasses.dataclass
class Verdict:
    passed: bool
    feedback: dict[str, Any]
    activation: str
    seed: int
    isolation: sandbox.Isolation | None = None

    def as_json(self) -> dict[str, Any]:
        f = self.feedback
        where = self.isolation
        return {"passed": self.passed, "activation": self.activation, "seed": self.seed,
                "isolation": None if where is None else {"sandboxed": where.sandboxed, "name": where.name,
                                                         "weaker": where.weaker},
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


def defines_dense_layer(code: str) -> bool:
    """Whether the source has a ``class DenseLayer`` statement: decided here, on the source, so that a
    submission cannot turn itself into a "bad file" (exit 2) by answering that it has none."""
    tree = compile(code, "<submission>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    return any(isinstance(node, ast.ClassDef) and node.name == "DenseLayer" for node in ast.walk(tree))


def submission_ending(code: str, cases: list[dict[str, Any]], timeout_s: float) -> sandbox.Ending:
    """The runner's reply for ``cases`` from the sandbox, or the reason there is none."""
    request = json.dumps({"code": code, "cases": [encode_spec(c) for c in cases]}).encode()
    return sandbox.run(RUNNER_FILES, RUNNER_MODULE, request, timeout_s)


def run_submission(code: str, cases: list[dict[str, Any]], timeout_s: float) -> str | None:
    """The runner's JSON reply ("" when it was more than the reply's limit), or None when it ran out of time."""
    ending = submission_ending(code, cases, timeout_s)
    if ending.reason == "timeout":
        return None
    return "" if ending.reply is None else ending.reply.decode("utf-8", errors="replace")


def _stopped(title: str, detail: str) -> dict[str, Any]:
    return {"passed": False, "kind": "timeout", "title": title, "detail": detail, "values": [], "hint": None,
            "line": None, "caseResults": []}


def grade(path: Path, activation: str = "sigmoid", timeout_s: float = DEFAULT_TIMEOUT_S,
          seed: int | None = None) -> Verdict:
    """Grades the submission at ``path``; GradeError when it is not a gradable submission."""
    if activation not in ACTIVATIONS:
        raise GradeError(f"activation {activation!r} is not one of {', '.join(ACTIVATIONS)}")
    code = read_submission(path)
    if not defines_dense_layer(code):
        raise GradeError(f"{path}: no DenseLayer class (the submission must define class DenseLayer)")
    seed = secrets.randbits(32) if seed is None else seed
    lesson = {k: v for k, v in LESSON_EXAMPLE.items() if k != "name"} | {"activation": activation}
    hidden = hidden_cases(activation, seed)
    cases = [lesson, *hidden]
    labels = ["the lesson example", *(f"hidden case {k} ({describe_shape(c)})" for k, c in enumerate(hidden, 1))]
    # The reference, here in the grading process, before and apart from the submission.
    expected = [{name: np.asarray(arrays[name]) for name in ARRAYS} for arrays in map(run_case, cases)]
    ending = submission_ending(code, cases, timeout_s)
    if ending.reason == "timeout":
        feedback = _stopped(f"Stopped: the code was still running after {timeout_s:g} s",
                            "It probably never ends (a loop whose condition stays true?), or it stopped itself.")
    elif ending.reason == "flood":
        feedback = {**_stopped("Stopped: the code wrote too much where the answer goes",
                               f"The answer may be at most {sandbox.MAX_REPLY_BYTES} bytes."), "kind": "reply"}
    else:
        feedback = judge(labels, [len(c["inputs"]) for c in cases], expected, ending.reply)
    return Verdict(bool(feedback["passed"]), feedback, activation, seed, ending.isolation)
