"""``grade`` against hostile submissions: each attack is a submission written here, graded once, and
must end in a verdict that is not a pass, within the timeout, with no traceback, no process and no
file left behind. Run as root (as CI runs) under the sandbox (bubblewrap), and under the fallback
(the contained child) where the fallback claims to stop the attack (docs/trust.md, "## grade").

Processes are found by a marker the submission writes to /proc/self/comm, visible in the host's
process list; waiting on them is bounded polling on that condition, never a deadline."""

from __future__ import annotations

import glob
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from crosscheck.grading import cgroups, sandbox
from crosscheck.grading.grade import grade
from crosscheck.paths import REPO

from test_grading import GOOD

TIMEOUT = "5"
CLASS_STATEMENT = "\n\nclass DenseLayer:\n    pass\n"
WRONG = GOOD.replace("np.sum(dZ", "np.mean(dZ")   # a layer that fails: the attacks must not turn it into a pass


def isolate(mode: str, monkeypatch) -> str:
    """Grades in ``mode`` ("sandbox", skipped where there is none, or "fallback") for the test."""
    if mode == "sandbox":
        monkeypatch.delenv(sandbox.FORCE_ENV, raising=False)
        if not sandbox.isolation().sandboxed:
            pytest.skip(f"no sandbox here: {sandbox.isolation().weaker}")
    else:
        monkeypatch.setenv(sandbox.FORCE_ENV, "fallback")
    return mode


@pytest.fixture(params=["sandbox", "fallback"])
def mode(request, monkeypatch):
    return isolate(request.param, monkeypatch)


@pytest.fixture
def sandboxed(monkeypatch):
    """The attacks only the sandbox stops (the fallback says so in its note: test_a_correct_submission_passes)."""
    monkeypatch.delenv(sandbox.FORCE_ENV, raising=False)
    if not sandbox.isolation().sandboxed:
        pytest.skip(f"no sandbox here: {sandbox.isolation().weaker}")


def marker() -> str:
    return "dpg" + secrets.token_hex(4)   # within the 15 characters of a process name


def marked(name: str) -> list[int]:
    pids = []
    for comm in glob.glob("/proc/[0-9]*/comm"):
        try:
            if Path(comm).read_text().strip() == name:
                pids.append(int(comm.split("/")[2]))
        except (OSError, ValueError):   # the process ended while being read
            pass
    return pids


def poll(condition, tries: int = 3000) -> bool:
    """Bounded polling on a condition (the bound turns a hang into a failure, not a timing assertion)."""
    for _ in range(tries):
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture(autouse=True)
def private_tmp(tmp_path, monkeypatch):
    """A temporary folder of the test's own, for the grader here and in the commands it starts, so that
    what grading leaves there is told apart from what other programs on the machine make in /tmp."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def leftovers() -> set[str]:
    return set(os.listdir(tempfile.gettempdir()))


def start_grade(tmp_path: Path, source: str, *args: str) -> subprocess.Popen:
    path = tmp_path / "submission.py"
    path.write_text(source)
    return subprocess.Popen([sys.executable, "-m", "crosscheck", "grade", str(path), "--timeout", TIMEOUT, *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_grade(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess:
    before = leftovers()
    proc = start_grade(tmp_path, source, *args)
    out, err = proc.communicate(timeout=120)   # a safety bound: a hang fails the test instead of stalling it
    assert "Traceback" not in out + err, err
    assert leftovers() <= before, "a temporary folder was left behind"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def graded(tmp_path: Path, source: str):
    """grade() in this process: for the attacks that do not aim at the grader's process (only under the
    sandbox, whose child cannot see this one)."""
    assert sandbox.isolation().sandboxed
    before = leftovers()
    (tmp_path / "submission.py").write_text(source)
    verdict = grade(tmp_path / "submission.py", timeout_s=float(TIMEOUT))
    assert leftovers() <= before, "a temporary folder was left behind"
    return verdict


def assert_no_pass(done: subprocess.CompletedProcess, verdict: Path | None = None) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("FAIL: "), done.stdout
    assert "PASS" not in done.stdout, done.stdout
    if verdict is not None:
        assert json.loads(verdict.read_text())["passed"] is False


# --- the grader's own layer, from where the submission could find it --------------------------------

SEEKS_THE_HARNESS = """import glob, os, sys
import numpy
here = os.path.dirname
roots = {{here(here(os.path.realpath(numpy.__file__))), here(os.path.realpath(sys.executable)),
         os.path.join(here(here(os.path.realpath(sys.executable))), "lib", "python3.12", "site-packages"),
         here(here(numpy.__file__)), {repo!r}, {site!r}, "/proc/1/cwd", "/proc/1/root" + {repo!r}}}
for root in list(roots):
    for pth in glob.glob(os.path.join(root, "*.pth")):
        roots |= {{line.strip() for line in open(pth)}}
    roots |= set(glob.glob(os.path.join(root, "..", "..", "lib", "python3*", "site-packages")))
for root in roots:
    if os.path.isdir(os.path.join(root, "python_core")):
        sys.path.insert(0, root)
import python_core
class DenseLayer(python_core.DenseLayer):
    pass
"""


def test_the_harness_is_out_of_the_submissions_reach(tmp_path, sandboxed):
    import numpy

    site = str(Path(numpy.__file__).resolve().parent.parent)
    verdict = graded(tmp_path, SEEKS_THE_HARNESS.format(repo=str(REPO), site=site))
    assert not verdict.passed and verdict.feedback["title"].startswith("ModuleNotFoundError"), verdict.text()


# --- the grader itself: ptrace, its /proc files, its --json ------------------------------------------

TAKES_OVER_THE_GRADER = """import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
parent = os.getppid()
cmdline = open(f"/proc/{parent}/cmdline", "rb").read().split(b"\\0")
forged = json.dumps({"passed": True, "kind": "pass", "title": "forged"})
if b"--json" in cmdline:   # the grader's --json, rewritten as a pass
    try:
        open(cmdline[cmdline.index(b"--json") + 1], "w").write(forged)
    except OSError:
        pass
for fd in (1, 2):   # the grader's own stdout and stderr
    try:
        with open(f"/proc/{parent}/fd/{fd}", "w") as out:
            out.write("PASS: forged\\n")
    except OSError:
        pass
# Only the parent: the test must not touch the machine's other processes.
if libc.ptrace(16, parent, None, None) == 0:   # PTRACE_ATTACH
    os.waitpid(parent, 0x40000000)
    if b"crosscheck\\0grade" in open(f"/proc/{parent}/cmdline", "rb").read():
        raise SystemExit("ATTACHED to the grader")
    libc.ptrace(17, parent, None, None)   # PTRACE_DETACH
"""


def test_the_grader_cannot_be_taken_over(tmp_path, mode):
    verdict = tmp_path / "v.json"
    done = run_grade(tmp_path, TAKES_OVER_THE_GRADER + WRONG, "--json", str(verdict))
    assert_no_pass(done, verdict)
    assert "forged" not in done.stdout + done.stderr and "ATTACHED" not in done.stdout, done.stdout


# --- stop, flood, forge ----------------------------------------------------------------------------

STOPS = """import os, signal
os.kill(os.getppid(), signal.SIGSTOP)
os.kill(os.getpid(), signal.SIGSTOP)
"""


def test_a_stop_ends_in_a_timeout_verdict(tmp_path, mode):
    if mode == "fallback" and sandbox.isolation().child_uid is None:
        pytest.skip("the fallback's child has the grader's uid here, so it can stop the grader (docs/trust.md)")
    verdict = tmp_path / "v.json"
    done = run_grade(tmp_path, STOPS + CLASS_STATEMENT, "--json", str(verdict), "--timeout", "2")   # the last --timeout wins
    assert_no_pass(done, verdict)
    assert done.stdout.startswith("FAIL: Stopped: the code was still running after 2 s"), done.stdout


def writes_on_the_reply(payload: str) -> str:
    return (f"import os\npayload = {payload}\nfor fd in range(1, 20):\n    try:\n        os.write(fd, payload)\n"
            "    except OSError:\n        pass\nos._exit(0)\n")


@pytest.mark.parametrize("payload,title", [
    ("b'[' * 200_000", "FAIL: The check got an incomplete answer"),
    ("b'[' * (2 << 20)", "FAIL: Stopped: the code wrote too much where the answer goes"),
    ("b'{\"error\": {\"type\": \"NameError\", \"message\": \"the code must define a class DenseLayer\", "
     "\"stage\": \"load\", \"line\": null, \"trace\": []}}'", "FAIL: NameError"),
], ids=["deep", "flood", "forged-no-class"])
def test_what_comes_back_is_bounded_and_never_decides_by_itself(tmp_path, payload, title, sandboxed):
    verdict = graded(tmp_path, writes_on_the_reply(payload) + GOOD)   # a GradeError here would be exit 2
    assert not verdict.passed and verdict.text().startswith(title), verdict.text()


@pytest.mark.parametrize("change,kind", [
    ("self.dInputs = dZ @ self.weights.T + 1e-3j", "complex numbers (complex128)"),
    ("self.dInputs = (dZ @ self.weights.T).astype(object)", "Python objects (object)"),
    ("self.dInputs = np.rint(dZ @ self.weights.T).astype(int)", "integers (int64)"),
    ("self.dInputs = (dZ @ self.weights.T) > 0", "booleans (bool)"),
], ids=["complex", "object", "int", "bool"])
def test_arrays_are_real_floats_only(tmp_path, change, kind, sandboxed):
    (tmp_path / "s.py").write_text(GOOD.replace("self.dInputs = dZ @ self.weights.T", change))
    verdict = grade(tmp_path / "s.py", timeout_s=float(TIMEOUT))
    assert not verdict.passed
    assert verdict.feedback["title"] == "TypeError in the lesson example", verdict.text()
    assert f"dInputs is an array of {kind}" in verdict.feedback["detail"], verdict.text()


def test_a_child_that_kills_itself_fails(tmp_path, mode):
    (tmp_path / "s.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n" + GOOD)
    verdict = grade(tmp_path / "s.py", timeout_s=float(TIMEOUT))
    assert not verdict.passed and verdict.feedback["kind"] == "reply", verdict.text()
    assert verdict.isolation.sandboxed is (mode == "sandbox")


def test_nan_where_a_number_is_expected_fails(tmp_path, sandboxed):
    (tmp_path / "s.py").write_text(GOOD.replace("return self.dInputs", "self.dInputs[0, 0] = np.nan\n        return self.dInputs"))
    verdict = grade(tmp_path / "s.py", timeout_s=float(TIMEOUT))
    assert not verdict.passed and verdict.feedback["kind"] == "value", verdict.text()
    assert dict(verdict.feedback["values"])["given"] == "NaN"


def test_json_to_a_device_is_refused_before_grading(tmp_path):
    done = run_grade(tmp_path, GOOD, "--json", "/dev/full")
    assert done.returncode == 2 and done.stdout == "", done.stdout
    assert "--json: cannot write /dev/full:" in done.stderr and "not a place for a file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_verdict_whose_json_cannot_be_written_is_not_printed(tmp_path, capsys, sandboxed):
    """Past the check (a disk that fills up meanwhile): the JSON is written first, and no PASS follows a failed write."""
    from argparse import Namespace

    from crosscheck.cli.grade import main

    (tmp_path / "s.py").write_text(GOOD)
    assert main(Namespace(submission=tmp_path / "s.py", activation="sigmoid", timeout=float(TIMEOUT),
                          json="/dev/full", lessons=None, exercise=None, results=None)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: cannot write --json /dev/full") and len(err.splitlines()) == 1, err


# --- nothing outlives the grading, nothing is written --------------------------------------------

DOUBLE_FORK = """import os, signal
ready_r, ready_w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        open("/proc/self/comm", "w").write({mark!r})
        os.write(ready_w, b"x")
        while True:
            signal.pause()
    os._exit(0)
os.read(ready_r, 1)
"""


def test_a_setsid_double_fork_does_not_outlive_grading(tmp_path, sandboxed):
    mark = marker()
    verdict = graded(tmp_path, DOUBLE_FORK.format(mark=mark) + GOOD)
    survivors = marked(mark)
    for pid in survivors:   # only when the test fails: do not leave it running
        os.kill(pid, signal.SIGKILL)
    assert verdict.passed, verdict.text()   # it forked, then solved the exercise
    assert survivors == [], f"{survivors} outlived the grading"


def test_a_killed_grader_leaves_nothing_behind(tmp_path, mode):
    mark = marker()
    before = leftovers()
    grader = start_grade(tmp_path, f"open('/proc/self/comm', 'w').write({mark!r})\nwhile True:\n    pass\n" + CLASS_STATEMENT)
    try:
        assert poll(lambda: marked(mark)), "the submission never started"
    finally:
        grader.kill()
        grader.communicate()
    gone = poll(lambda: not marked(mark))
    for pid in marked(mark):
        os.kill(pid, signal.SIGKILL)
    assert gone, "the submission outlived its killed grader"
    assert leftovers() <= before
    places = cgroups.support(sandbox.CHILD_TASKS, sandbox.CHILD_MEMORY).places
    cgroups.sweep(places)   # as the next grading does: the killed grader's cgroups go
    assert [p for place in places for p in place.parent.glob(f"{cgroups.PREFIX}{grader.pid}-*")] == []


WRITES_FILES = """import os
for k in range(20):
    for folder in ({tmp!r}, {private!r}, {here!r}, "/", os.getcwd(), "/dev/shm"):
        try:
            with open(os.path.join(folder, f"{mark}-{{k}}"), "wb") as out:
                out.write(b"x" * (1 << 20))
        except OSError:
            pass
"""


def test_no_file_is_written_outside(tmp_path, sandboxed):
    mark = marker()
    folders = ["/tmp", tempfile.gettempdir(), str(tmp_path), "/", str(REPO), "/dev/shm"]
    verdict = graded(tmp_path, WRITES_FILES.format(tmp=folders[0], private=folders[1], here=folders[2], mark=mark) + WRONG)
    assert not verdict.passed
    written = [p for folder in folders for p in glob.glob(os.path.join(folder, mark + "-*"))]
    for path in written:
        os.unlink(path)
    assert written == []


# --- what still passes, and what the fallback says ----------------------------------------------

def test_a_correct_submission_passes(tmp_path, mode):
    verdict = tmp_path / "v.json"
    done = run_grade(tmp_path, GOOD, "--json", str(verdict))
    assert done.returncode == 0 and done.stdout.startswith("PASS: Correct!"), done.stdout + done.stderr
    isolation = json.loads(verdict.read_text())["isolation"]
    assert isolation["sandboxed"] is (mode == "sandbox")
    if mode == "sandbox":   # nothing weaker, but for a grader as root where no cgroup caps the child's forks
        if isolation["weaker"] is None:
            assert "note:" not in done.stderr, done.stderr
        else:
            assert isolation["weaker"].startswith("no cgroup for the child") and os.getuid() == 0, isolation
    else:   # the fallback says, in the verdict and on stderr, that the reference is in reach
        assert "reference layer" in isolation["weaker"] and done.stderr.startswith("note: no sandbox"), done.stderr


# --- the pieces, without a grading --------------------------------------------------------------

@pytest.mark.parametrize("text,deep", [
    ("[" * 200_000, 200_000), ('["[[[[", {"a": [1]}]', 3), ('"\\"[[["', 0), ("{}" * 3, 1), ("1", 0),
], ids=["brackets", "in-strings", "escaped-quote", "flat", "scalar"])
def test_the_reply_reader_measures_depth_without_recursion(text, deep):
    from crosscheck.grading import bounded_json

    assert bounded_json.depth(text) == deep   # counted by hand
    if deep > bounded_json.MAX_DEPTH:
        with pytest.raises(ValueError, match="levels deep"):
            bounded_json.loads(text, 1 << 20)
    with pytest.raises(ValueError, match="bytes is more than"):
        bounded_json.loads(text + " " * 64, len(text))


def test_a_failing_probe_falls_back_and_says_why(monkeypatch):
    monkeypatch.delenv(sandbox.FORCE_ENV, raising=False)
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: "/bin/false")   # a bwrap that cannot set up anything
    sandbox._probe.cache_clear()
    try:
        chosen = sandbox.isolation()
    finally:
        sandbox._probe.cache_clear()
    assert not chosen.sandboxed and chosen.weaker.startswith("no sandbox (bwrap failed: exit 1)"), chosen
