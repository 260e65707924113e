"""`check --pool` gives the report a cold `check` gives; `watch COURSE.toml` re-runs, on a save, only the
check that uses the saved file and only that file's language's runtimes (read from watch's re-ran line and
its JSON report); a broken save is one error line and watching goes on. A course of two lessons in files
of their own (tests/lessons_watch) on native, js-node and pyodide-node, each test with a pool of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from crosscheck.cli import main as cli
from crosscheck.paths import REPO
from crosscheck.resident.client import stop_daemon
from test_cli_watch import read_until_verdict

COURSE = REPO / "tests" / "lessons_watch"
RUNTIMES = "native,js-node,pyodide-node"
PYTHON_SIDE, JS_SIDE = ["native", "pyodide-node"], ["js-node"]
EVERY = ["native", "js-node", "pyodide-node"]
# A bug that shows from two elements on: the last element's gradient is taken from the first.
TWO_ELEMENT_BUG = ("x.map((v) => 2 * v)", "x.map((v, i) => 2 * (i === x.length - 1 ? x[0] : v))")


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    shutil.copytree(COURSE, folder)
    return folder


@pytest.fixture
def pool_env(tmp_path, monkeypatch):
    folder = tmp_path / "pool"
    monkeypatch.setenv("DENSE_PARITY_POOL_DIR", str(folder))
    monkeypatch.setenv("DENSE_PARITY_POOL_IDLE", "600")
    yield {**os.environ}
    stop_daemon(folder)


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_check_through_the_pool_gives_the_cold_report_shrinking_included(course, pool_env, tmp_path, capsys):
    edit(course / "squares.js", *TWO_ELEMENT_BUG)
    reports = {}
    for way in ("cold", "pool"):
        out_dir = tmp_path / way
        out_dir.mkdir()
        code = cli(["check", str(course / "course.toml"), "--runtimes", RUNTIMES, "--random", "12", "--seed", "3",
                    "--case-dir", str(out_dir), "--json", str(out_dir / "report.json"),
                    *(["--pool"] if way == "pool" else [])])
        assert code == 1, capsys.readouterr().out
        reports[way] = json.loads((out_dir / "report.json").read_text())
        for entry in reports[way]["checks"]:
            if "minimal_case_file" in entry:  # each run wrote its own; the same case
                assert (out_dir / "minimal-case-squares.json").read_text() == \
                    (tmp_path / "cold" / "minimal-case-squares.json").read_text()
                entry["minimal_case_file"] = os.path.basename(entry["minimal_case_file"])
    cold, pool = reports["cold"], reports["pool"]
    assert pool == cold
    squares = next(e for e in pool["checks"] if e["name"] == "squares")
    assert squares["minimal_case"]["dims"] == {"n": 2} and not squares["ok"]
    assert pool["verdict"] == "CHECK FAILED: 'squares' (1 of 2 checks)"
    assert "rerun" not in pool  # a run through the pool reuses nothing


def test_check_through_the_pool_refuses_a_javascript_file_that_does_not_bundle_in_one_line(course, pool_env, capsys):
    (course / "squares.js").write_text("export function sumOfSquares(x) {\n  return {;\n}\n")
    code = cli(["check", str(course / "course.toml"), "--runtimes", "native,js-node", "--random", "2", "--pool"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith(f"error: {course / 'course.toml'}: check 'squares': js:") and "squares.js" in err[0]


# --- watch ----------------------------------------------------------------------------------------
read_run = read_until_verdict   # the lines watch prints up to its next verdict line


@pytest.fixture
def watching(course, pool_env):
    report = course / "report.json"
    process = subprocess.Popen([sys.executable, "-m", "crosscheck", "watch", str(course / "course.toml"),
                                "--runtimes", RUNTIMES, "--random", "6", "--json", str(report), "--max-runs", "6"],
                               cwd=REPO, env=pool_env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield process, course, report
    finally:
        process.kill()
        process.wait()


def test_a_save_reruns_only_the_checks_that_use_the_file_on_its_languages_runtimes(watching):
    process, course, report = watching
    first = read_run(process)
    assert first[-1].startswith("watch: verdict 1: CHECK OK"), first[-4:]
    assert json.loads(report.read_text())["rerun"] == {"affine": EVERY, "squares": EVERY}

    edit(course / "squares.js", "let loss = 0;", "let loss = 0;  // saved")
    second = read_run(process)
    assert second[-1].startswith("watch: verdict 2: CHECK OK") and "after the save" in second[-1], second[-4:]
    data = json.loads(report.read_text())
    assert data["rerun"] == {"squares": JS_SIDE}
    assert data["reused"] == {"affine": EVERY, "squares": ["native", "pyodide-node"]}
    assert second[-2] == "watch: re-ran 'squares' on js-node (reused 5 of 6 results)"

    edit(course / "affine.py", "return", "return  ")
    third = read_run(process)
    assert third[-1].startswith("watch: verdict 3: CHECK OK"), third[-4:]
    assert json.loads(report.read_text())["rerun"] == {"affine": PYTHON_SIDE}
    assert third[-2] == "watch: re-ran 'affine' on native, pyodide-node (reused 4 of 6 results)"

    # a save of the manifest that changes one check's cases re-runs that check on both sides
    edit(course / "course.toml", "dims = { n = [1, 6] }", "dims = { n = [1, 7] }")
    fourth = read_run(process)
    assert fourth[-1].startswith("watch: verdict 4: CHECK OK"), fourth[-4:]
    assert json.loads(report.read_text())["rerun"] == {"squares": EVERY}


def test_a_broken_save_is_one_error_line_and_watching_goes_on(watching):
    process, course, report = watching
    first = read_run(process)
    assert first[-1].startswith("watch: verdict 1: CHECK OK"), first[-4:]
    good = (course / "squares.js").read_text()

    (course / "squares.js").write_text(good + "export function broken( {\n")
    second = read_run(process)
    assert second[-1].startswith("watch: verdict 2: ERROR"), second[-4:]
    errors = [line for line in second if line.startswith("error:")]
    assert len(errors) == 1 and "squares.js" in errors[0], second
    assert not any(line.startswith("watch: re-ran") for line in second)

    (course / "squares.py").write_text("def sum_of_squares(x:\n")
    third = read_run(process)
    assert third[-1].startswith("watch: verdict 3: ERROR"), third[-4:]
    assert [line for line in third if line.startswith("error:")] == [
        f"error: {course / 'course.toml'}: check 'squares': python: {course / 'squares.py'}:1: SyntaxError: "
        f"'(' was never closed"]

    shutil.copy(COURSE / "squares.py", course / "squares.py")
    (course / "squares.js").write_text(good + "// fixed\n")
    fourth = read_run(process)
    assert fourth[-1].startswith("watch: verdict 4: CHECK OK"), fourth[-4:]
    # the Python is the text of the first run again: its results are reused
    assert json.loads(report.read_text())["rerun"] == {"squares": JS_SIDE}


def test_watch_of_a_course_refuses_the_dense_layers_options_in_one_line(capsys):
    assert cli(["watch", str(COURSE / "course.toml"), "--python", str(COURSE / "affine.py")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: argument --python: the dense layer's run only; a course's checks name their functions and "
        "tolerances in the manifest"]
    assert cli(["watch", "--python", str(COURSE / "affine.py"), "--no-shrink"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: argument --no-shrink: only with a course's manifest (watch COURSE.toml)"]


def test_check_watch_is_watch_of_the_course(course, pool_env, capsys):
    code = cli(["check", str(course / "course.toml"), "--watch", "--max-runs", "1", "--runtimes", "native,js-node",
                "--random", "3"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and lines[-1].startswith("watch: verdict 1: CHECK OK, "), lines[-3:]
    assert lines[-2] == "watch: re-ran 'affine' on native, js-node; 'squares' on native, js-node (reused 0 of 4 results)"
    assert cli(["check", str(course / "course.toml"), "--max-runs", "1"]) == 2
    assert capsys.readouterr().err.strip() == "error: argument --max-runs: only with --watch"
