"""The child's cgroup: a fork bomb is capped by the kernel (pids.max) whatever the grader's uid, run()
returns, and neither a process nor a cgroup is left behind; a stale cgroup of a killed grader is
swept at the next grading. Run where a pids cgroup can be made (root with cgroup v1, or a delegated
cgroup v2); skipped elsewhere, with the reason.

The fork bomb is a runner module of the test's own, run through sandbox.run directly: its main()
forks until the kernel refuses and answers how many forks succeeded and with which error the next
one failed. Its processes carry a marker in /proc/self/comm, visible in the host's process list."""

from __future__ import annotations

import errno
import json
import os
import secrets
import signal
import subprocess
from pathlib import Path

import pytest

from crosscheck.grading import cgroups, sandbox
from crosscheck.grading.grade import grade

from test_grade_attacks import isolate, marked
from test_grading import GOOD

BOMB = """import errno, json, os, sys, time

def main():
    sys.stdin.read()
    forks, failure = 0, None
    while forks < 10_000:
        try:
            pid = os.fork()
        except OSError as exc:
            failure = errno.errorcode.get(exc.errno, str(exc.errno))
            break
        if pid == 0:
            with open("/proc/self/comm", "w") as comm:
                comm.write({mark!r})
            time.sleep(3600)
            os._exit(0)
        forks += 1
    sys.stdout.write(json.dumps({{"forks": forks, "failure": failure}}))
    sys.stdout.flush()
"""


def running(mark: str) -> list[int]:
    """The marked processes that still run: a killed one whose new parent (the machine's init) has not
    reaped it yet is a zombie, which holds neither memory nor a place in the cgroup."""
    alive = []
    for pid in marked(mark):
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                alive.append(pid)
        except (OSError, IndexError):   # reaped while being read
            pass
    return alive


def support() -> cgroups.Support:
    return cgroups.support(sandbox.CHILD_TASKS, sandbox.CHILD_MEMORY)


@pytest.fixture
def writable_cgroup():
    if support().summary is None:
        pytest.skip(f"no cgroup can be made here for the child: {support().why_not}")


@pytest.fixture(params=["sandbox", "fallback"])
def mode(request, monkeypatch, writable_cgroup):
    return isolate(request.param, monkeypatch)


def own_cgroups() -> list[Path]:
    """The cgroups this process made that still exist (other graders on the machine have their own pid)."""
    return [path for place in support().places for path in place.parent.glob(f"{cgroups.PREFIX}{os.getpid()}-*")]


def test_a_fork_bomb_is_capped_by_the_cgroup(tmp_path, mode, monkeypatch):
    mark = "dpg" + secrets.token_hex(4)
    (tmp_path / "bomb.py").write_text(BOMB.format(mark=mark))
    limits = {}
    made = cgroups.Cgroup.__init__

    def noting(self, places):   # the limits as the kernel holds them, read from the child's own cgroup
        made(self, places)
        for folder in self.folders:
            for name in ("pids.max", "memory.max", "memory.limit_in_bytes"):
                if (folder / name).exists():
                    limits[name] = int((folder / name).read_text())

    monkeypatch.setattr(cgroups.Cgroup, "__init__", noting)
    try:
        ending = sandbox.run({"bomb.py": tmp_path / "bomb.py"}, "bomb", b"go", timeout_s=30.0)
    finally:
        survivors = running(mark)
        for pid in survivors:   # only when the test fails: do not leave them running
            os.kill(pid, signal.SIGKILL)
    assert ending.isolation.cgroup and "at most" in ending.isolation.name, ending.isolation
    assert ending.reason == "exited", ending
    answer = json.loads(ending.reply)
    limit = limits.pop("pids.max")
    assert limit == sandbox.CHILD_TASKS
    if any(name.startswith("memory.") for place in support().places for name, _ in place.limits):
        assert list(limits.values()) == [sandbox.CHILD_MEMORY], limits
    # The bomb and its forks share the cgroup: fewer forks than pids.max, and the next one refused by it.
    assert answer["forks"] < limit and answer["failure"] == errno.errorcode[errno.EAGAIN], answer
    assert survivors == [], f"{survivors} outlived the grading"
    assert own_cgroups() == []


DOUBLE_FORK = """import os, sys, time

def main():
    ready_r, ready_w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            with open("/proc/self/comm", "w") as comm:
                comm.write({mark!r})
            os.write(ready_w, b"x")
            time.sleep(3600)
        os._exit(0)
    os.read(ready_r, 1)
    sys.stdout.write("forked")
"""


def test_a_setsid_double_fork_does_not_outlive_the_fallback(tmp_path, monkeypatch, writable_cgroup):
    # The fallback's child has its own session and is killed with its group; as root a setsid grandchild
    # leaves both, but not the cgroup, whose processes are killed too.
    monkeypatch.setenv(sandbox.FORCE_ENV, "fallback")
    mark = "dpg" + secrets.token_hex(4)
    (tmp_path / "escape.py").write_text(DOUBLE_FORK.format(mark=mark))
    try:
        ending = sandbox.run({"escape.py": tmp_path / "escape.py"}, "escape", b"", timeout_s=30.0)
    finally:
        survivors = running(mark)
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
    assert ending.reply == b"forked", ending
    assert survivors == [], f"{survivors} outlived the grading"
    assert own_cgroups() == []


def test_a_correct_submission_passes_in_its_cgroup(tmp_path, mode):
    (tmp_path / "submission.py").write_text(GOOD)
    verdict = grade(tmp_path / "submission.py", timeout_s=10.0)
    assert verdict.passed, verdict.text()
    assert verdict.isolation.cgroup and verdict.as_json()["isolation"]["name"].endswith(support().summary)
    assert own_cgroups() == []


def test_a_killed_graders_cgroup_is_swept_at_the_next_grading(tmp_path, writable_cgroup):
    gone = subprocess.Popen(["true"])
    gone.wait()   # a grader pid that no longer runs
    stale = [place.parent / f"{cgroups.PREFIX}{gone.pid}-0" for place in support().places]
    for folder in stale:
        folder.mkdir()
    try:
        (tmp_path / "submission.py").write_text(GOOD)
        assert grade(tmp_path / "submission.py", timeout_s=10.0).passed
        assert [folder for folder in stale if folder.exists()] == []
    finally:
        for folder in stale:
            if folder.exists():
                folder.rmdir()


def test_a_child_that_cannot_join_its_cgroup_runs_without_and_says_so(tmp_path, monkeypatch, writable_cgroup):
    def refused(self):
        raise PermissionError("refused")

    monkeypatch.setattr(cgroups.Cgroup, "join", refused)
    monkeypatch.delenv(sandbox.FORCE_ENV, raising=False)
    (tmp_path / "submission.py").write_text(GOOD)
    verdict = grade(tmp_path / "submission.py", timeout_s=10.0)
    assert verdict.passed, verdict.text()
    assert not verdict.isolation.cgroup and "cgroup" not in verdict.isolation.name
    if os.getuid() == 0 and verdict.isolation.child_uid is None:
        assert "no cgroup for the child (the child could not join it)" in verdict.isolation.weaker
    assert own_cgroups() == []


@pytest.mark.parametrize("where", ["sandbox", "fallback"])
def test_without_a_cgroup_a_root_grader_says_forks_are_capped_only_by_the_timeout(monkeypatch, where):
    monkeypatch.setattr(cgroups, "support", lambda *limits: cgroups.Support((), None, "no pids cgroup here"))
    monkeypatch.setattr(sandbox, "_namespaces_or_not", lambda: sandbox._fallback("none here") if where == "fallback"
                        else sandbox.Isolation(True, "bubblewrap (bwrap)", None))
    chosen = sandbox.isolation()
    assert not chosen.cgroup and "cgroup" not in chosen.name
    if os.getuid() != 0 or chosen.child_uid is not None:   # RLIMIT_NPROC 0 forbids the child's forks
        assert chosen.weaker is None or "no cgroup" not in chosen.weaker
    else:
        assert "no cgroup for the child (no pids cgroup here): as root, the processes it starts are capped only " \
               "by the timeout" in chosen.weaker, chosen.weaker


def test_the_cgroup_folders_are_found_from_proc(tmp_path):
    # A cgroup v2 host (the grader in a delegated subtree) and a v1 host, as /proc shows them.
    (tmp_path / "v2/user.slice/grader").mkdir(parents=True)
    (tmp_path / "pids/job").mkdir(parents=True)
    (tmp_path / "mem space/job").mkdir(parents=True)
    v2 = cgroups.own_cgroups("0::/user.slice/grader\n",
                             f"30 25 0:26 / {tmp_path}/v2 rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n")
    assert v2 == {"unified": tmp_path / "v2/user.slice/grader"}
    space = str(tmp_path / "mem space").replace(" ", "\\040")
    v1 = cgroups.own_cgroups("8:pids:/job\n4:memory:/job\n2:cpu,cpuacct:/job\n0::/\n",
                             f"31 25 0:27 / {tmp_path}/pids rw - cgroup cgroup rw,pids\n"
                             f"32 25 0:28 / {space} rw - cgroup cgroup rw,memory\n"
                             f"33 25 0:29 /job {tmp_path}/cpu rw - cgroup cgroup rw,cpu,cpuacct\n")
    assert v1 == {"pids": tmp_path / "pids/job", "memory": tmp_path / "mem space/job"}


def test_on_cgroup_v2_the_limits_go_where_the_controllers_are_handed_down(tmp_path):
    # Plain files standing for a v2 cgroup's: which limits a child cgroup is given, from what the
    # grader's cgroup offers and hands down.
    (tmp_path / "cgroup.controllers").write_text("cpu memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("memory pids\n")
    [place] = cgroups._places({"unified": tmp_path}, 8, 1 << 30)
    assert place.parent == tmp_path
    assert dict(place.limits) == {"pids.max": "8", "memory.max": str(1 << 30)}
    assert dict(place.optional) == {"memory.swap.max": "0", "memory.oom.group": "1"}
    (tmp_path / "cgroup.controllers").write_text("cpu io\n")
    (tmp_path / "cgroup.subtree_control").write_text("cpu\n")
    assert cgroups._places({"unified": tmp_path}, 8, 1 << 30) == []
