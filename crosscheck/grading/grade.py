"""Grading a submission: the exercise's check, run natively where the submission cannot reach
the reference.

The submission runs in a child CPython started with ``-I -S`` (no site-packages, no user or
environment paths, no current folder), whose ``sys.path`` is the standard library plus a
temporary folder holding the page's runner (exercise_runner.py, with the wire's codec and the lesson's
DenseLayer contract beside it) and links to NumPy: neither
dense-parity's DenseLayer nor this checker can be imported there. The child gets the cases
(inputs only) on stdin and answers with the arrays the submission computed (its own prints go
to stderr, which is discarded, so a flood of them cannot fill this process's memory). The expected arrays
are computed here, in the grading process, by python_core's DenseLayer, and judged here with the
page's rules (judge.py).

Containment: the child leads a session of its own, and its whole process group is killed after
``timeout`` seconds and also as soon as the child exits, so nothing it started outlives the
grading. Resource limits bound what it can take meanwhile (address space, file size, CPU time, no
core file, and for a user other than root no new process or thread at all). This is not a sandbox:
the child has the grading user's filesystem and network access, and a descendant that starts a
session of its own escapes the group kill, so run ``grade`` as an unprivileged user in a throwaway
container (docs/pages.md).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import json
import math
import os
import resource
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from python_core import ACTIVATIONS, run_case
from python_core.facts import EXERCISE_HIDDEN_SHAPES as HIDDEN_SHAPES  # the page's too: (batch, inputs, neurons)
from python_core.wire import encode_spec

from ..parity.cases import LESSON_EXAMPLE
from ..paths import PACKAGED_WEB_DEMO, PYTHON_CORE
from .judge import ARRAYS, judge

# The packaged copy, not the per-user runtime folder's: grading needs neither Node nor Pyodide, so an
# installed harness grades without assembling anything.
RUNNER = PACKAGED_WEB_DEMO / "pages" / "exercise_runner.py"
CODEC = PYTHON_CORE / "codec.py"   # imported by the runner as wire_codec, as in the page
CONTRACT = PYTHON_CORE / "layer_contract.py"   # imported by the runner as layer_contract, as in the page
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 3600.0
MAX_SOURCE_BYTES = 1_000_000
NO_CLASS = "the code must define a class DenseLayer"
BOOTSTRAP = ("import sys; sys.path += sys.argv[1:3]; del sys.argv[1:]; "
             "import exercise_runner; exercise_runner.main()")
# The child's limits. Address space: importing NumPy and running the runner peaks near 260 MB of
# virtual memory (VmPeak, CPython 3.12, NumPy 2.0.2, one OpenBLAS thread), so 1 GiB leaves room for the
# learner's arrays but not for exhausting the grader's memory.
CHILD_ADDRESS_SPACE = 1 << 30
CHILD_FILE_SIZE = 1 << 20          # the child writes no file; a runaway write stops at 1 MiB
# RLIMIT_NPROC counts every process and thread of the user, not the child's, so no useful "at most n
# children" exists: 0 forbids the child any new process or thread (NumPy needs none with one OpenBLAS
# thread; checked as an unprivileged user). The kernel does not apply it to root.
CHILD_PROCESSES: int | None = 0
MAX_REPLY_BYTES = 16 << 20         # the runner's reply for five small cases is a few kB


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


def child_limits(timeout_s: float) -> list[tuple[int, tuple[int, int]]]:
    """The (resource, (soft, hard)) pairs for the child, never above this process's own hard limits
    (which setrlimit would refuse in the child, where the error could not be reported)."""
    cpu = math.ceil(timeout_s) + 1  # a second stop, on CPU time, should the wall-clock kill fail
    wanted = [(resource.RLIMIT_AS, CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE),
              (resource.RLIMIT_FSIZE, CHILD_FILE_SIZE, CHILD_FILE_SIZE),
              (resource.RLIMIT_CORE, 0, 0),
              (resource.RLIMIT_CPU, cpu, cpu + 1)]
    if CHILD_PROCESSES is not None:
        wanted.append((resource.RLIMIT_NPROC, CHILD_PROCESSES, CHILD_PROCESSES))
    limits = []
    for which, soft, hard in wanted:
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        limits.append((which, (soft, hard)))
    return limits


def _apply_limits(limits: list[tuple[int, tuple[int, int]]]) -> None:
    # Runs in the child between fork and exec: only system calls, on values computed before the fork.
    for which, pair in limits:
        resource.setrlimit(which, pair)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # the group is already empty
        pass


def run_contained(argv: list[str], request: bytes, timeout_s: float, cwd: str, env: dict[str, str]) -> bytes | None:
    """The child's stdout, or None when it was still running after ``timeout_s``. The child leads a new
    session; its process group is killed when it exits or times out, and only then is it reaped, so
    no process it started is left behind. The verdict waits for the child's exit, not for its stdout
    to close (a grandchild holding the pipe open would otherwise stretch every grading to the timeout)."""
    deadline = time.monotonic() + timeout_s
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=cwd, env=env, start_new_session=True,
                            preexec_fn=functools.partial(_apply_limits, child_limits(timeout_s)))
    out, pending, timed_out = bytearray(), memoryview(request), False
    selector = selectors.DefaultSelector()
    try:
        exited = os.pidfd_open(proc.pid)  # readable once the child exits
    except (AttributeError, OSError):  # no pidfd (Linux < 5.3): poll the child instead
        exited = None
    try:
        for stream in (proc.stdin, proc.stdout):
            os.set_blocking(stream.fileno(), False)
        selector.register(proc.stdout, selectors.EVENT_READ)
        selector.register(proc.stdin, selectors.EVENT_WRITE)
        if exited is not None:
            selector.register(exited, selectors.EVENT_READ)
        while proc.poll() is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _ in selector.select(remaining if exited is not None else min(remaining, 0.05)):
                if key.fileobj is proc.stdout:
                    chunk = os.read(proc.stdout.fileno(), 1 << 16)
                    if not chunk:
                        selector.unregister(proc.stdout)
                    out += chunk
                elif key.fileobj is proc.stdin:
                    try:
                        pending = pending[os.write(proc.stdin.fileno(), pending[:1 << 16]):]
                    except BrokenPipeError:  # the child stopped reading: what it answers is judged
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(proc.stdin)
                        proc.stdin.close()
            if len(out) > MAX_REPLY_BYTES:
                break
    finally:
        _kill_group(proc.pid)
        proc.wait()
        selector.close()
        if exited is not None:
            os.close(exited)
    if not timed_out:  # what the child wrote before it exited, still in the pipe
        while len(out) <= MAX_REPLY_BYTES:
            try:
                chunk = os.read(proc.stdout.fileno(), 1 << 16)
            except BlockingIOError:  # a descendant that escaped the group still holds the pipe
                break
            if not chunk:
                break
            out += chunk
    for stream in (proc.stdin, proc.stdout):
        if not stream.closed:
            stream.close()
    return None if timed_out else bytes(out[:MAX_REPLY_BYTES])


def run_submission(code: str, cases: list[dict[str, Any]], timeout_s: float) -> str | None:
    """The runner's JSON reply from a contained child process, or None when it ran out of time."""
    with tempfile.TemporaryDirectory(prefix="dense-parity-grade-") as tmp:
        runner_dir, deps_dir = Path(tmp) / "runner", Path(tmp) / "deps"
        runner_dir.mkdir()
        deps_dir.mkdir()
        shutil.copy2(RUNNER, runner_dir / "exercise_runner.py")
        shutil.copy2(CODEC, runner_dir / "wire_codec.py")
        shutil.copy2(CONTRACT, runner_dir / "layer_contract.py")
        for source in _numpy_dirs():
            (deps_dir / source.name).symlink_to(source, target_is_directory=True)
        request = json.dumps({"code": code, "cases": [encode_spec(c) for c in cases]})
        env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "LANG": "C.UTF-8", "PATH": os.defpath}
        # -B: no bytecode written, which the file-size limit would otherwise stop with SIGXFSZ
        reply = run_contained([sys.executable, "-I", "-S", "-B", "-c", BOOTSTRAP, str(runner_dir), str(deps_dir)],
                              request.encode(), timeout_s, tmp, env)
        return None if reply is None else reply.decode("utf-8", errors="replace")


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
