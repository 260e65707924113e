"""`watch`: a save of the author's --python or --js file re-runs the check through the pool; a save that
breaks a file prints one error line, and watching goes on to the next save."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from crosscheck.cli import main as cli
from crosscheck.paths import REPO
from crosscheck.resident.client import stop_daemon

LESSONS = REPO / "tests" / "lessons"


def read_until_verdict(process) -> list[str]:
    """The lines watch prints up to its next verdict line (watch prints it after each run)."""
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("watch: verdict"):
            return lines
    raise AssertionError("watch ended before a verdict:\n" + "\n".join(lines))


def errors(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("error:")]


@pytest.fixture
def watching(tmp_path):
    python, js = tmp_path / "dense.py", tmp_path / "dense.js"
    shutil.copy(LESSONS / "dense.py", python)
    shutil.copy(LESSONS / "dense.js", js)
    env = {**os.environ, "DENSE_PARITY_POOL_DIR": str(tmp_path / "pool"), "DENSE_PARITY_POOL_IDLE": "600"}
    process = subprocess.Popen([sys.executable, "-m", "crosscheck", "watch", "--python", str(python), "--js", str(js),
                                "--runtimes", "native,js-node", "--max-runs", "5"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield process, python, js
    finally:
        process.kill()
        process.wait()
        stop_daemon(tmp_path / "pool")


def test_a_save_reruns_and_a_broken_save_is_one_error_line_and_watching_goes_on(watching):
    process, python, js = watching
    good_python, good_js = python.read_text(), js.read_text()
    first = read_until_verdict(process)
    assert first[-1].startswith("watch: verdict 1: PARITY OK"), first[-3:]

    python.write_text(good_python + "def broken(:\n")
    second = read_until_verdict(process)
    assert second[-1].startswith("watch: verdict 2: ERROR"), second[-3:]
    assert errors(second) == [f"error: --python {python}:{good_python.count(chr(10)) + 1}: SyntaxError: invalid syntax"]

    python.write_text(good_python + "# fixed\n")
    third = read_until_verdict(process)
    assert third[-1].startswith("watch: verdict 3: PARITY OK"), third[-3:]

    js.write_text(good_js + "\nimport { nothing } from './no-such-module.js';\n")
    fourth = read_until_verdict(process)
    assert fourth[-1].startswith("watch: verdict 4: ERROR"), fourth[-3:]
    assert len(errors(fourth)) == 1 and "no-such-module" in errors(fourth)[0], fourth

    js.write_text(good_js + "// fixed\n")
    fifth = read_until_verdict(process)
    assert fifth[-1].startswith("watch: verdict 5: PARITY OK"), fifth[-3:]
    assert process.wait(timeout=60) == 0


def test_watch_with_nothing_to_watch_is_one_line_and_exit_2(capsys):
    assert cli(["watch", "--runtimes", "native,js-node"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: nothing to watch: name a --python, --js or --case file, or a course's manifest"]


def test_watch_of_a_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert cli(["watch", "--python", str(tmp_path / "nope.py"), "--runtimes", "native,js-node"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"error: --python {tmp_path / 'nope.py'}: no such file"]
