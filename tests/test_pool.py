"""The resident pool (crosscheck.resident): a run through it gives the bits a cold run gives, and a run
never sees what an earlier run left in its interpreter (every run gets fresh ones)."""

from __future__ import annotations

import fcntl
import json
import textwrap

import pytest

# one worker runs these under pytest -n (conftest.py: --dist loadgroup), so they share one daemon
pytestmark = pytest.mark.xdist_group("pool")

from crosscheck.author import Lesson
from crosscheck.cli import main as cli
from crosscheck.parity.cases import lesson_cases
from crosscheck.parity.random_cases import random_cases
from crosscheck.parity.runner import run_cases
from crosscheck.resident.client import run_via_pool, start_daemon, stop_daemon, wait_ready
from crosscheck.runtimes import RUNTIMES
from crosscheck.runtimes.native_process import NativeProcessRuntime

ALL = [name for name, cls in RUNTIMES.items() if cls.default]  # the five; exact is opt-in
PYTHON = ["native", "pyodide-node", "pyodide-chromium"]


def quiet(name):
    return lambda stage: None


def quiet2(name, stage):
    pass


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    """A daemon of its own (not the user's), with spares for the five runtimes; stopped, and waited
    for, at the end (its lock is free once it has exited)."""
    folder = tmp_path_factory.mktemp("pool")
    start_daemon(folder, ALL, idle_s=1800)
    yield folder
    stop_daemon(folder)
    with open(folder / "pool.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # blocks until the daemon has closed everything and exited


def bits(report):
    """Everything a report says of the cases, as text: floats by repr, so -0.0, NaN and every bit count."""
    return json.dumps({"ok": report["ok"], "cases": report["cases"], "summary": report["summary"]}, sort_keys=True)


def test_two_runs_through_the_pool_give_the_bits_of_a_run_without_it(pool, borrow_runtimes):
    cases = lesson_cases() + random_cases(8, seed=13)
    # the session's runtimes, booted the way a cold run boots them (run_cases' own path)
    cold = json.loads(json.dumps(run_cases(cases, ALL, make_runtime=borrow_runtimes({}), progress=quiet)))
    first = run_via_pool(cases, ALL, folder=pool, progress=quiet2)
    second = run_via_pool(cases, ALL, folder=pool, progress=quiet2)
    assert cold["ok"], cold["summary"]
    assert bits(first) == bits(cold) and bits(second) == bits(cold)
    assert list(first["runtimes"]) == ALL and all(first["runtimes"][r]["ok"] for r in ALL)
    # each run took fresh spares: after two runs every runtime has booted at least three
    states = wait_ready(pool, ALL)
    assert all(state["spare"] == "ready" and state["boots"] >= 3 for state in states.values()), states


LEAKY = '''
import numpy as np
import python_core
from python_core.dense_layer import DenseLayer

np.seterr(over="raise")
np.set_printoptions(precision=3)
python_core.left_by_an_earlier_run = True
'''

LOOKS = '''
import numpy as np
import python_core
from python_core.dense_layer import DenseLayer

LEFT = [what for what, seen in (("python_core.left_by_an_earlier_run", hasattr(python_core, "left_by_an_earlier_run")),
                                ("np.seterr", np.geterr()["over"] == "raise"),
                                ("np.set_printoptions", np.get_printoptions()["precision"] == 3)) if seen]
if LEFT:
    raise RuntimeError("state from an earlier run: " + ", ".join(LEFT))
'''


@pytest.fixture
def lesson_files(tmp_path):
    leaky, looks = tmp_path / "leaky.py", tmp_path / "looks.py"
    leaky.write_text(textwrap.dedent(LEAKY))
    looks.write_text(textwrap.dedent(LOOKS))
    return leaky, looks


def test_state_set_by_one_run_is_not_visible_in_the_next(pool, lesson_files):
    leaky, looks = lesson_files
    # The check can fail: in one interpreter kept between runs, the second file sees the first's state.
    kept = NativeProcessRuntime()
    kept.start(lambda stage: None)
    try:
        assert kept.run(lesson_cases(), Lesson(python=leaky))[0]["ok"]
        with pytest.raises(Exception, match="state from an earlier run: python_core.left_by_an_earlier_run, "
                                            "np.seterr, np.set_printoptions"):
            kept.run(lesson_cases(), Lesson(python=looks))
    finally:
        kept.close()
    # Through the pool, in every Python runtime: the first run sets it, the next does not see it.
    assert run_via_pool(lesson_cases(), PYTHON, lesson=Lesson(python=leaky), folder=pool,
                        progress=quiet2)["ok"]
    report = run_via_pool(lesson_cases(), PYTHON, lesson=Lesson(python=looks), folder=pool,
                          progress=quiet2)
    assert report["ok"], {name: info.get("error") for name, info in report["runtimes"].items()}


def test_bad_input_to_run_pool_is_one_line_and_exit_2(capsys):
    assert cli(["run", "--pool", "--runtimes", "native,no-such-runtime"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: argument --runtimes: unknown runtime(s) no-such-runtime; known: " + ", ".join(RUNTIMES)]


def test_a_runtime_that_cannot_run_is_did_not_run_through_the_pool_too(pool, tmp_path, monkeypatch, capsys):
    """The pool never reports parity for a runtime that did not run: an unassembled Pyodide folder
    makes pyodide-node DID NOT RUN, and the run fails, as a cold run does."""
    monkeypatch.setenv("DENSE_PARITY_POOL_DIR", str(pool))
    monkeypatch.setattr(RUNTIMES["pyodide-node"], "unavailable_reason", classmethod(lambda cls: "no runtime here"))
    assert cli(["run", "--pool", "--runtimes", "native,js-node,pyodide-node"]) == 1
    out = capsys.readouterr().out
    assert "DID NOT RUN" in out and "no runtime here" in out and "PARITY OK" not in out
