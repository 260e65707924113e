"""The harness as a lesson repository gets it: ``pip install`` into a fresh venv, the ``dense-parity``
console script assembling its runtime into a per-user cache on first use, the pool and ``watch`` run from
there, the pytest plugin with ``crosscheck.check`` and no conftest; and the assembled runtime as
pytest-pyodide's ``--dist-dir``.

Offline, and what a user installs from nothing: the repository's wheel (built once here with the project's
venv, as pip's isolated build would) and its dependencies' wheels from .venv/wheelhouse (pinned and
hash-checked, downloaded by scripts/setup) and nothing else, so the venv has no setuptools; the npm
packages are the checkout's (DENSE_PARITY_NODE_MODULES) and the Pyodide NumPy wheel is the one already
cached.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crosscheck.paths import CACHE_DIR, NODE_MODULES, REPO, RUNTIME_DIR
from crosscheck.site.assemble import NUMPY_WHEEL
from python_core import run_case
from python_core.facts import DEFAULT_ATOL, DEFAULT_RTOL, LESSON_EXAMPLE
from test_cli_watch import read_until_verdict

pytestmark = pytest.mark.xdist_group("install")  # under pytest -n, one worker installs once

LESSONS = Path(__file__).parent / "lessons"
WHEELHOUSE = REPO / ".venv" / "wheelhouse"
FIVE_LINE_TEST = '''import crosscheck

def test_lesson_parity():
    report = crosscheck.check(python="{folder}/dense.py", js="{folder}/dense.js", random=50)
    assert report.ok, report.explain()
'''


def pip(*args: str, cwd: Path) -> None:
    """The project venv's pip, told to read no configuration (a machine's find-links or indexes) and to
    look nowhere but where it is told."""
    done = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], cwd=cwd,
                          env={**os.environ, "PIP_CONFIG_FILE": os.devnull}, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv python, environment) with the harness pip-installed from wheels alone and a fresh per-user cache."""
    assert any(WHEELHOUSE.glob("numpy-*.whl")), f"scripts/setup downloads the dependencies' wheels into {WHEELHOUSE}"
    root = tmp_path_factory.mktemp("install")
    build = root / "build"
    shutil.copytree(REPO, build / "src", ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "pyodide", "pyodide.staging", "vendor", "artifacts", "build", "tests",
        "__pycache__", "*.egg-info", ".pytest_cache"), symlinks=True)
    pip("wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(build / "dist"),
        str(build / "src"), cwd=root)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # (--no-compile: the bytecode of 50 MB of Playwright would take longer than everything the test runs)
    pip("--python", str(python), "install", "--quiet", "--no-compile", "--no-index", "--find-links", str(WHEELHOUSE),
        *map(str, (build / "dist").glob("dense_parity-*.whl")), cwd=root)
    shutil.rmtree(build)
    probe = subprocess.run([python, "-c", "import crosscheck; print(crosscheck.__file__); import setuptools"],
                           cwd=root, capture_output=True, text=True)
    assert probe.stdout.startswith(str(venv)), probe.stdout  # the installed package, not the checkout
    assert "No module named 'setuptools'" in probe.stderr, probe.stderr
    cache = root / "cache"
    cache.mkdir()
    shutil.copy(CACHE_DIR / NUMPY_WHEEL, cache / NUMPY_WHEEL)  # as a machine that fetched it once has it
    # (no XDG_RUNTIME_DIR: the pool's folder is then in the fresh cache, and goes with it)
    env = {k: v for k, v in os.environ.items() if k not in ("DENSE_PARITY_RUNTIME_DIR", "DENSE_PARITY_POOL_DIR",
                                                            "DENSE_PARITY_RUNTIMES", "PYTHONPATH", "XDG_RUNTIME_DIR",
                                                            "VIRTUAL_ENV") and not k.startswith("PYTEST_")}
    env.update(DENSE_PARITY_CACHE=str(cache), DENSE_PARITY_NODE_MODULES=str(NODE_MODULES), DENSE_PARITY_NO_CDN="1",
               DENSE_PARITY_POOL_IDLE="300", PYTHONDONTWRITEBYTECODE="1")
    return python, env


def lesson_repo(path: Path) -> Path:
    """A lesson repository: lesson/ (correct) and wrong/ (dBiases averaged over the batch), each with the
    five-line test of docs/authors.md."""
    for folder, mistake in (("lesson", False), ("wrong", True)):
        (path / folder).mkdir(parents=True)
        text = (LESSONS / "dense.py").read_text()
        if mistake:
            text = text.replace("np.sum(dZ, axis=0, keepdims=True)", "np.mean(dZ, axis=0, keepdims=True)")
        (path / folder / "dense.py").write_text(text)
        shutil.copy(LESSONS / "dense.js", path / folder / "dense.js")
        (path / "tests").mkdir(exist_ok=True)
        (path / "tests" / f"test_{folder}.py").write_text(FIVE_LINE_TEST.format(folder=folder))
    return path


def test_console_script_assembles_once_then_pytest_checks_a_lesson_repo(installed, tmp_path):
    python, env = installed
    script = python.parent / "dense-parity"
    repo = lesson_repo(tmp_path / "repo")
    argv = [str(script), "--python", "lesson/dense.py", "--js", "lesson/dense.js", "--runtimes", "native,js-node"]
    first = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "assembling the offline runtime into" in first.stderr and "3/3 Pyodide" in first.stderr
    second = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "assembling" not in second.stderr and "PARITY OK" in second.stdout
    homes = list((Path(env["DENSE_PARITY_CACHE"]) / "runtime").iterdir())
    assert len(homes) == 1 and homes[0].name.startswith("pyodide-0.27.7-")
    # python_core's wheel, written without setuptools, is byte for byte the one the checkout's runtime folder
    # has (assembled elsewhere, at another time): the one pytest-pyodide installs in Pyodide below.
    lock = json.loads((homes[0] / "web_demo" / "pyodide" / "pyodide-lock.json").read_text())
    wheel = lock["packages"]["dense-parity"]["file_name"]
    assert (homes[0] / "web_demo" / "pyodide" / wheel).read_bytes() == (RUNTIME_DIR / wheel).read_bytes()
    assert sorted(p.name for p in (repo / "lesson").iterdir()) == ["dense.js", "dense.py"]  # nothing written there

    # pytest with the plugin from the installed distribution, no conftest: one session, runtimes booted once.
    # (Two runtimes, to keep the suite short: the lessons on all five are tests/test_author.py's.)
    done = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA"], cwd=repo,
                          env={**env, "DENSE_PARITY_RUNTIMES": "native,js-node"}, capture_output=True, text=True)
    out = done.stdout
    assert done.returncode == 1 and "1 failed, 1 passed" in out, out[-3000:] + done.stderr[-2000:]
    assert "PASSED tests/test_lesson.py::test_lesson_parity" in out
    assert "FAILED tests/test_wrong.py::test_lesson_parity" in out
    # the message names the case, the runtime, the array, the element and both values
    line = next(l for l in out.splitlines() if "dBiases[" in l and "native gives" in l)
    assert "case 'random-0-" in line and "js-node dBiases[" in line
    assert not [p for p in (repo / "lesson").iterdir() if p.name not in ("dense.js", "dense.py")]



def test_pool_run_and_watch_work_from_the_installed_harness(installed, tmp_path):
    """The pool's fingerprint covers the pages' modules in the per-user cache, apart from site-packages;
    its folder is the cache's (no $XDG_RUNTIME_DIR); `run --pool` and `watch` go through it."""
    python, env = installed
    script = str(python.parent / "dense-parity")
    lesson = lesson_repo(tmp_path / "repo") / "lesson"
    runtimes = ["--runtimes", "native,js-node"]
    files = ["--python", "dense.py", "--js", "dense.js", "--random", "3"]  # (the lesson example has a batch of 1)

    def cli(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([script, *argv], cwd=lesson, env=env, capture_output=True, text=True)

    try:
        started = cli("pool", "start", *runtimes, "--wait")
        assert started.returncode == 0, started.stdout + started.stderr
        assert {state["spare"] for state in json.loads(started.stdout).values()} == {"ready"}
        sockets = list(Path(env["DENSE_PARITY_CACHE"]).glob("pool-*/pool.sock"))
        assert len(sockets) == 1, sockets
        pooled = cli("run", "--pool", *files, *runtimes)
        assert pooled.returncode == 0 and "PARITY OK for js-node only" in pooled.stdout, pooled.stdout + pooled.stderr

        watch = subprocess.Popen([script, "watch", *files, *runtimes, "--max-runs", "2"], cwd=lesson, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            first = read_until_verdict(watch)
            assert first[-1].startswith("watch: verdict 1: PARITY OK"), first[-3:]
            # A save of the wrong lesson (dBiases averaged over the batch): the verdict is that file's.
            (lesson / "dense.py").write_text((lesson.parent / "wrong" / "dense.py").read_text())
            second = read_until_verdict(watch)
            assert second[-1].startswith("watch: verdict 2: PARITY FAILED"), second[-3:]
            assert watch.wait(timeout=60) == 0
        finally:
            watch.kill()
            watch.wait()
        assert json.loads(cli("pool", "status").stdout)["runs"] >= 3  # the pooled run and both verdicts
    finally:
        stopped = cli("pool", "stop")
    assert stopped.returncode == 0 and stopped.stdout.strip() == "stopping the pool", stopped.stdout + stopped.stderr


GRADED = (Path(__file__).parent / "lessons" / "exercise_solution.py").read_text()


def test_grade_tally_and_explain_need_no_assembled_runtime(installed, tmp_path):
    """Installed, with a fresh cache and neither npm nor node on PATH: grade, tally and explain work
    without assembling the per-user runtime folder (which needs both)."""
    python, env = installed
    script = python.parent / "dense-parity"
    cache = tmp_path / "cache"
    cache.mkdir()
    bare = {k: v for k, v in env.items() if k != "DENSE_PARITY_NODE_MODULES"}
    (tmp_path / "bin").mkdir()
    bare.update(DENSE_PARITY_CACHE=str(cache), PATH=str(tmp_path / "bin"))
    spec = {k: v for k, v in LESSON_EXAMPLE.items() if k != "name"}
    arrays = {k: v.tolist() for k, v in run_case(spec).items()}
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"runtimes": {"native": {"ok": True}, "js-node": {"ok": True}},
                                  "cases": [{"name": "lesson", "spec": spec,
                                             "results": {"native": arrays, "js-node": arrays}}]}))
    submission = tmp_path / "submission.py"
    submission.write_text(GRADED)
    for argv in (["grade", str(submission)], ["tally", str(report)], ["explain", str(report)]):
        done = subprocess.run([str(script), *argv], cwd=tmp_path, env=bare, capture_output=True, text=True)
        assert done.returncode == 0, (argv, done.stdout, done.stderr)
        assert "assembling" not in done.stderr and "npm" not in done.stderr, done.stderr
    assert not (cache / "runtime").exists()
    done = subprocess.run([str(script), "--runtimes", "native,js-node"], cwd=tmp_path, env=bare,
                          capture_output=True, text=True)  # what does drive a runtime still assembles it
    assert done.returncode == 2 and "npm is needed to assemble the runtime" in done.stderr, done.stderr


def test_without_the_numpy_wheel_nor_pip_the_first_run_says_what_to_do(installed, tmp_path):
    """The venv has no pip (as uv makes them): with the CDN out of reach and nothing cached, the Pyodide NumPy
    wheel cannot be fetched from PyPI either; one line says so and what to do, and nothing half-built stays."""
    python, env = installed
    done = subprocess.run([str(python.parent / "dense-parity"), "--runtimes", "native,js-node"], cwd=tmp_path,
                          env={**env, "DENSE_PARITY_CACHE": str(tmp_path / "cache")}, capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    error = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "pip (to fetch it from PyPI" in error[0] and f"put {NUMPY_WHEEL}" in error[0], error
    assert not (tmp_path / "cache" / "runtime").exists() or not any((tmp_path / "cache" / "runtime").iterdir())


PYODIDE_TEST = '''import json

from pytest_pyodide import run_in_pyodide



@run_in_pyodide(packages=["dense-parity"])
def pyodide_arrays(selenium, spec):
    from python_core import run_case
    return {k: v.tolist() for k, v in run_case(spec).items()}


@run_in_pyodide
async def load_unshipped(selenium):
    import pyodide_js
    from pyodide.ffi import create_proxy
    said = []
    try:
        await pyodide_js.loadPackage("pandas", errorCallback=create_proxy(said.append),
                                     messageCallback=create_proxy(said.append))
    except Exception as exc:
        said.append(str(exc))
    return " | ".join(said)


def test_harness_bits(selenium):
    with open("out.json", "w") as f:
        json.dump({"arrays": pyodide_arrays(selenium, json.load(open("spec.json"))),
                   "unshipped": load_unshipped(selenium)}, f)
'''


@pytest.fixture(scope="module", autouse=True)
def pytest_pyodide_run(tmp_path_factory):
    """pytest-pyodide in a subprocess pytest (its plugins stay out of this session), started when the
    module starts so that its Pyodide boot overlaps the install test; the test waits for it to exit."""
    target = REPO / ".venv" / "pytest-pyodide"
    assert (target / "pytest_pyodide").is_dir(), "scripts/setup installs pytest-pyodide into .venv/pytest-pyodide"
    folder = tmp_path_factory.mktemp("pytest_pyodide")
    spec = {k: v for k, v in LESSON_EXAMPLE.items() if k != "name"}
    (folder / "spec.json").write_text(json.dumps(spec))
    (folder / "pytest.ini").write_text("[pytest]\n")
    (folder / "test_in_pyodide.py").write_text(PYODIDE_TEST)
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--runtime", "node",
                                "--dist-dir", str(RUNTIME_DIR), "test_in_pyodide.py"], cwd=folder,
                               env={**os.environ, "PYTHONPATH": str(target)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        yield process, folder, spec
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_pytest_pyodide_takes_the_runtime_folder_as_its_dist_dir(pytest_pyodide_run):
    process, folder, spec = pytest_pyodide_run
    stdout, stderr = process.communicate()
    assert process.returncode == 0, stdout[-3000:] + stderr[-2000:]
    out = json.loads((folder / "out.json").read_text())
    expected = run_case(spec)  # python_core natively
    for name, value in out["arrays"].items():
        np.testing.assert_allclose(value, expected[name], rtol=DEFAULT_RTOL, atol=DEFAULT_ATOL)
    # the pruned lock: an unshipped package is unknown, not a download that fails
    assert "No known package with name 'pandas'" in out["unshipped"] and "fetch" not in out["unshipped"].lower()
