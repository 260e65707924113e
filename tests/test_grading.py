"""``python -m crosscheck grade``: the exercise's check on a submission file, natively, in a child
process that can import neither the harness's DenseLayer nor its checker, against a reference
computed in the grading process; exit 0 pass, 1 fail (with the page's feedback), 2 bad file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crosscheck.grading.grade import grade
from crosscheck.paths import REPO

GOOD = """import numpy as np


def activation(z):
    return 1.0 / (1.0 + np.exp(-z))


class DenseLayer:
    def __init__(self, n_inputs, n_neurons, activation_name="sigmoid"):  # the grader sets weights and biases
        self.weights, self.biases = np.zeros((n_inputs, n_neurons)), np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = activation(inputs @ self.weights + self.biases)
        return self.output

    def backward(self, dLossWrtLayerOutput):
        dZ = dLossWrtLayerOutput * self.output * (1.0 - self.output)
        self.dWeights = self.inputs.T @ dZ
        self.dBiases = np.sum(dZ, axis=0, keepdims=True)
        self.dInputs = dZ @ self.weights.T
        return self.dInputs
"""


# A class statement for submissions that never reach it: without one, the file is not gradable (exit 2).
CLASS_STATEMENT = "\n\nclass DenseLayer:\n    pass\n"


def run_grade(tmp_path: Path, source: str | bytes | None, *args: str, name: str = "submission.py"):
    path = tmp_path / name
    if isinstance(source, bytes):
        path.write_bytes(source)
    elif source is not None:
        path.write_text(source)
    return subprocess.run([sys.executable, "-m", "crosscheck", "grade", str(path), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_a_correct_submission_passes_with_exit_0(tmp_path):
    done = run_grade(tmp_path, GOOD, "--json", str(tmp_path / "verdict.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("PASS: Correct! backward() passes every check")
    verdict = json.loads((tmp_path / "verdict.json").read_text())
    assert verdict["passed"] is True and verdict["kind"] == "pass" and verdict["activation"] == "sigmoid"
    assert [c["passed"] for c in verdict["cases"]] == [True] * 5


def test_a_mean_instead_of_a_sum_fails_with_the_pages_feedback(tmp_path):
    done = run_grade(tmp_path, GOOD.replace("np.sum(dZ", "np.mean(dZ"), "--json", str(tmp_path / "v.json"))
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("FAIL: dBiases is wrong in hidden case 1 (batch of 3, 2 inputs → 3 neurons)")
    assert "First wrong element: dBiases[0][0]" in done.stdout and "mean over the batch" in done.stdout
    verdict = json.loads((tmp_path / "v.json").read_text())
    assert verdict["passed"] is False and verdict["array"] == "dBiases" and verdict["element"] == [0, 0]
    assert float(verdict["values"]["given"]) * 3 == pytest.approx(float(verdict["values"]["expected"]), rel=1e-12)


def test_the_activation_is_the_exercises(tmp_path):
    """The reference follows --activation: a sigmoid layer fails the ReLU exercise, a ReLU one passes."""
    assert run_grade(tmp_path, GOOD, "--activation", "relu").returncode == 1
    relu = (GOOD.replace("1.0 / (1.0 + np.exp(-z))", "np.maximum(z, 0.0)")
            .replace("self.output * (1.0 - self.output)", "(self.output > 0)"))
    done = run_grade(tmp_path, relu, "--activation", "relu")
    assert done.returncode == 0, done.stdout


def test_an_open_gap_and_an_error_name_their_line(tmp_path):
    done = run_grade(tmp_path, GOOD.replace("self.inputs.T @ dZ", 'todo("dWeights")'))
    assert done.returncode == 1 and done.stdout.startswith("FAIL: A gap is still open on line 19"), done.stdout
    done = run_grade(tmp_path, GOOD.replace("self.inputs.T @ dZ", "self.inputs @ dZ"))
    assert done.returncode == 1 and done.stdout.startswith("FAIL: ValueError on line 19 in the lesson example")
    assert "transpose" in done.stdout


@pytest.mark.parametrize("module", ["python_core", "python_core.dense_layer", "crosscheck", "crosscheck.grading"])
def test_the_harness_cannot_be_imported_by_the_submission(tmp_path, module):
    done = run_grade(tmp_path, f"from {module} import *\n" + GOOD)
    assert done.returncode == 1, done.stdout
    assert done.stdout.startswith("FAIL: ModuleNotFoundError on line 1"), done.stdout


def test_the_submissions_path_holds_only_the_standard_library_the_runner_and_numpy(tmp_path):
    done = run_grade(tmp_path, "import sys\nraise RuntimeError('PATH=' + repr(sys.path))\n" + CLASS_STATEMENT)
    assert done.returncode == 1
    path = eval(done.stdout.split("PATH=", 1)[1].splitlines()[0])  # noqa: S307 (a list of strings, from this test)
    assert not any(str(REPO) in p or "site-packages" in p for p in path), path
    extra = [Path(p) for p in path if not p.startswith(sys.base_prefix)]
    assert [p.name for p in extra] == ["runner", "deps"], path


def test_the_child_gets_the_cases_never_the_expected_values(tmp_path, monkeypatch):
    sent = []
    module = sys.modules["crosscheck.grading.sandbox"]
    real_run = module.run

    def spy(files, runner, request, *args):
        sent.append(json.loads(request))
        return real_run(files, runner, request, *args)

    monkeypatch.setattr(module, "run", spy)
    (tmp_path / "s.py").write_text(GOOD)
    assert grade(tmp_path / "s.py").passed
    [request] = sent
    assert set(request) == {"code", "cases"} and len(request["cases"]) == 5
    for case in request["cases"]:
        assert set(case) == {"activation", "weights", "biases", "inputs", "upstream"}


def test_hidden_cases_change_from_one_grading_to_the_next(tmp_path):
    (tmp_path / "s.py").write_text(GOOD)
    assert grade(tmp_path / "s.py").seed != grade(tmp_path / "s.py").seed


def test_a_forged_reply_is_refused(tmp_path):
    """The submission can write to the reply's file descriptor and stop; what it writes is judged
    like anything else: without the arrays, there is no pass."""
    forged = '{"results": [' + ", ".join(['{"ok": true, "returnsDInputs": true}'] * 5) + "]}"
    code = f"import os\nfor fd in range(3, 20):\n    try:\n        os.write(fd, {forged!r}.encode())\n" \
           "    except OSError:\n        pass\nos._exit(0)\n" + CLASS_STATEMENT
    done = run_grade(tmp_path, code)
    assert done.returncode == 1 and done.stdout.startswith("FAIL: The check got an incomplete answer"), done.stdout


def test_an_endless_loop_is_stopped(tmp_path):
    done = run_grade(tmp_path, "while True:\n    pass\n" + CLASS_STATEMENT, "--timeout", "2", "--json", str(tmp_path / "v.json"))
    assert done.returncode == 1 and done.stdout.startswith("FAIL: Stopped: the code was still running after 2 s")
    assert json.loads((tmp_path / "v.json").read_text())["kind"] == "timeout"


@pytest.mark.parametrize("source,name,message", [
    (None, "missing.py", "missing.py: no such file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "picture.py", "not Python source (not UTF-8 text)"),
    ("def backward(:\n", "broken.py", "not Python: SyntaxError on line 1"),
    ("import numpy as np\nx = 1\n", "noclass.py", "no DenseLayer class"),
    ("DenseLayer = 3\n", "notaclass.py", "no DenseLayer class"),
], ids=["missing", "binary", "syntax", "no-class", "not-a-class"])
def test_a_bad_submission_exits_2_with_one_line(tmp_path, source, name, message):
    done = run_grade(tmp_path, source, name=name)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_bad_options_are_one_line_errors(tmp_path):
    done = run_grade(tmp_path, GOOD, "--activation", "softmax")
    assert done.returncode == 2 and "invalid choice: 'softmax'" in done.stderr and "Traceback" not in done.stderr
    done = run_grade(tmp_path, GOOD, "--json", str(tmp_path / "no" / "such" / "dir.json"))
    assert done.returncode == 2 and "argument --json: cannot write" in done.stderr and "Traceback" not in done.stderr


# --- containment: nothing the submission starts outlives the grading ------------------------------

FORKS_A_SLEEPER = """import os, signal
# A grandchild that holds the test's FIFO open for writing, so that the test sees it die as the FIFO's
# end of file; the submission carries on only once the grandchild has written its pid.
ready_r, ready_w = os.pipe()
if os.fork() == 0:
    fifo = os.open({fifo!r}, os.O_WRONLY)
    os.write(fifo, str(os.getpid()).encode() + b"\\n")
    os.write(ready_w, b"x")
    while True:
        signal.pause()
os.read(ready_r, 1)
"""


def grandchild_dies(fifo_reader: int) -> tuple[int, bool]:
    """(the grandchild's pid, whether every writer of the FIFO closed it, i.e. the grandchild is dead).
    Waits on the FIFO's events; the bound only turns a surviving grandchild into a failure, not a hang."""
    import os
    import select

    data = b""
    while True:
        ready, _, _ = select.select([fifo_reader], [], [], 60)
        if not ready:
            return int(data or 0), False
        chunk = os.read(fifo_reader, 64)
        if not chunk:
            return int(data or 0), True
        data += chunk


@pytest.fixture
def fifo(tmp_path, monkeypatch):
    """A FIFO the submission's grandchild writes to, opened for reading first (so its open does not block);
    forks allowed in the child (RLIMIT_NPROC would refuse them to a user other than root)."""
    import os
    import signal

    # The sandbox hides the test's FIFO from the child: these check the fallback's containment.
    monkeypatch.setenv("DENSE_PARITY_SANDBOX", "fallback")
    monkeypatch.setattr(sys.modules["crosscheck.grading.sandbox"], "CHILD_PROCESSES", None)
    path = tmp_path / "grandchild.fifo"
    os.mkfifo(path)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    pids = []
    yield path, reader, pids
    os.close(reader)
    for pid in pids:  # only when the test failed: do not leave it running
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_grandchild_of_an_endless_submission_is_killed_with_it(tmp_path, fifo):
    path, reader, pids = fifo
    (tmp_path / "s.py").write_text(FORKS_A_SLEEPER.format(fifo=str(path)) + "while True:\n    pass\n" + CLASS_STATEMENT)
    verdict = grade(tmp_path / "s.py", timeout_s=3)
    assert not verdict.passed and verdict.feedback["kind"] == "timeout"
    pid, died = grandchild_dies(reader)
    pids.append(pid)
    assert pid > 0 and died, f"the submission's grandchild {pid} outlived the grading"


def test_a_grandchild_of_a_submission_that_exits_is_killed_and_does_not_hold_up_the_verdict(tmp_path, fifo):
    path, reader, pids = fifo
    (tmp_path / "s.py").write_text(FORKS_A_SLEEPER.format(fifo=str(path)) + GOOD)
    verdict = grade(tmp_path / "s.py", timeout_s=60)  # the grandchild holds stdout open: the verdict must not wait for it
    pid, died = grandchild_dies(reader)
    pids.append(pid)
    assert verdict.passed, verdict.text()
    assert pid > 0 and died, f"the submission's grandchild {pid} outlived the grading"


def test_the_submission_runs_under_resource_limits(tmp_path):
    from crosscheck.grading.sandbox import CHILD_ADDRESS_SPACE, CHILD_FILE_SIZE

    (tmp_path / "s.py").write_text(
        "import resource\n"
        "raise RuntimeError(repr([resource.getrlimit(getattr(resource, 'RLIMIT_' + n)) "
        "for n in ('AS', 'FSIZE', 'CORE', 'CPU', 'NPROC')]))\n" + CLASS_STATEMENT)
    verdict = grade(tmp_path / "s.py", timeout_s=7)
    assert not verdict.passed
    text = verdict.text()
    expected = [(CHILD_ADDRESS_SPACE,) * 2, (CHILD_FILE_SIZE,) * 2, (0, 0), (8, 9), (0, 0)]
    assert repr(expected) in text, text

