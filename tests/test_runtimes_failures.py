"""Failures are reported with their reason: a runtime that cannot start, an exception inside a
runtime, and a runtime that takes too long. None of them is ever counted as parity."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import pytest

from crosscheck.paths import REPO
from crosscheck.runtimes import (JsChromiumRuntime, JsFirefoxRuntime, JsNodeRuntime, JsWebKitRuntime, NativeRuntime,
                                 PyodideChromiumRuntime, PyodideFirefoxRuntime, PyodideNodeRuntime,
                                 PyodideWebKitRuntime, RuntimeFailure, available_runtimes)
from crosscheck.parity.random_cases import random_cases
from crosscheck.parity.runner import run_cases
from crosscheck.site.server import StaticServer

BAD_CASE = {"name": "bad", "activation": "relu", "weights": [[1.0, 2.0]], "biases": [[0.0, 0.0]],
            "inputs": [[1.0, 2.0]], "upstream": [[1.0, 1.0]]}  # inputs has 2 columns, weights 1 row


def engines(*fixtures: str) -> list:
    """The engine runtimes' cases, in the "engines" xdist_group: one worker boots them, once (conftest.py)."""
    return [pytest.param(f, marks=pytest.mark.xdist_group("engines")) for f in fixtures]


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crosscheck", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_a_runtime_that_cannot_start_fails_the_run(tmp_path):
    # A "node" that dies at once, as a broken install would: js-node must be reported, not dropped.
    fake = tmp_path / "node"
    fake.write_text("#!/bin/sh\necho 'node: broken install' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    out = tmp_path / "r.json"
    result = run_cli("--runtimes", "native,js-node", "--json", str(out), env={"DENSE_PARITY_NODE": str(fake)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PARITY FAILED" in result.stdout and "js-node: FAILED" in result.stdout
    report = json.loads(out.read_text())
    assert report["ok"] is False
    reason = report["runtimes"]["js-node"]["error"]
    assert "exited (code 3)" in reason and "broken install" in reason
    assert all(not c["ok"] and "did not run" in c["reason"] for c in report["cases"][0]["comparisons"])


def test_a_missing_node_or_runtime_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("DENSE_PARITY_NODE", str(tmp_path / "no-such-node"))
    with pytest.raises(RuntimeFailure, match="DENSE_PARITY_NODE=.*not an executable"):
        JsNodeRuntime().start(lambda stage: None)
    monkeypatch.delenv("DENSE_PARITY_NODE")
    with pytest.raises(RuntimeFailure, match="lacks pyodide.mjs.*assemble"):
        PyodideNodeRuntime(runtime_dir=tmp_path).start(lambda stage: None)


PYODIDE_FILES = "pyodide.mjs, pyodide.asm.js, pyodide.asm.wasm, python_stdlib.zip, pyodide-lock.json"


def test_js_chromium_runs_without_the_pyodide_runtime_which_pyodide_chromium_names(chromium, tmp_path):
    empty = tmp_path / "runtime"
    empty.mkdir()
    with StaticServer(runtime_dir=empty) as server:
        def make(name):
            return NativeRuntime() if name == "native" else JsChromiumRuntime(server=server, chromium=chromium)

        # The JavaScript reference needs the pages and math.js only; it is compared with native.
        report = run_cases(random_cases(3, seed=5), ["native", "js-chromium"], make_runtime=make,
                           progress=lambda name: (lambda stage: None))
        assert report["ok"] and report["runtimes"]["js-chromium"]["ok"], report["runtimes"]
        assert not [path for path in server.missing if path.startswith("/pyodide/")]

        pyodide = PyodideChromiumRuntime(server=server, chromium=chromium)
        with pytest.raises(RuntimeFailure) as failure:
            pyodide.start(lambda stage: None)
        assert pyodide.page is None  # named before a page opened, never waited on
        pyodide.close()
    assert failure.value.reason == (f"the offline Pyodide runtime is not assembled: {empty} lacks {PYODIDE_FILES}; "
                                    f"run `python -m crosscheck assemble`, or scripts/setup")


@pytest.mark.parametrize("runtime", [PyodideChromiumRuntime, PyodideNodeRuntime, JsChromiumRuntime, JsNodeRuntime,
                                     PyodideFirefoxRuntime, JsFirefoxRuntime, PyodideWebKitRuntime, JsWebKitRuntime])
def test_each_runtime_names_its_own_missing_files(runtime, tmp_path):
    assert runtime.required_files
    reason = runtime.missing_reason(tmp_path)
    own, other = ("Pyodide", "JavaScript") if runtime.name.startswith("pyodide") else ("JavaScript", "Pyodide")
    assert f"{own} " in reason and other not in reason, reason
    assert f"{tmp_path} lacks " in reason and all(f in reason for f in runtime.required_files), reason


def test_skip_unavailable_leaves_out_only_what_cannot_run(tmp_path):
    # Without the Pyodide runtime, --skip-unavailable leaves both Pyodide runtimes out with the
    # reason, and both JavaScript runtimes still run and agree with native.
    result = run_cli("--random", "2", "--skip-unavailable", env={"DENSE_PARITY_RUNTIME_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("pyodide-chromium", "pyodide-node"):
        assert (f"  {name}: NOT CHECKED: skipped with --skip-unavailable: the offline Pyodide runtime is not "
                f"assembled: {tmp_path} lacks {PYODIDE_FILES}; run") in result.stdout
    for name in ("js-chromium", "js-node"):
        assert re.search(rf"^  {name}: (\d+)/\1 cases ran", result.stdout, re.M), result.stdout
        assert f"{name}: NOT CHECKED" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("PARITY OK for js-chromium, js-node only")


def test_a_failed_runtime_keeps_the_others_results():
    def make(name):  # pyodide-node pointed at a runtime folder that is not there
        return PyodideNodeRuntime(runtime_dir="/nonexistent") if name == "pyodide-node" else NativeRuntime()

    report = run_cases(random_cases(2, seed=1), ["native", "pyodide-node"], make_runtime=make,
                       progress=lambda name: (lambda stage: None))
    assert not report["ok"] and report["runtimes"]["native"]["ok"]
    assert "/nonexistent lacks pyodide.mjs" in report["runtimes"]["pyodide-node"]["error"]
    assert all("output" in case["results"]["native"] for case in report["cases"])


@pytest.mark.parametrize("fixture", ["pyodide_chromium", "pyodide_node", *engines("pyodide_firefox", "pyodide_webkit")])
def test_a_python_exception_in_pyodide_reaches_the_host(request, fixture):
    runtime = request.getfixturevalue(fixture)
    # Per case: type, message and the traceback from inside Pyodide.
    [outcome] = runtime.run([BAD_CASE])
    error = outcome["error"]
    assert error["type"] == "ValueError"
    assert "inputs" in error["message"] and "(n, 1)" in error["message"]
    assert "Traceback" in error["traceback"] and "python_core/cases.py" in error["traceback"]
    # Whole call: an exception escaping the entry point comes back in the entry points' one envelope.
    response = json.loads(runtime.call_entry("python_core.wire:run_batch", "this is not JSON"))
    assert response["ok"] is False and response["error"]["type"] == "JSONDecodeError"
    # Only registered entry points can be called: a private helper of a module is not one.
    with pytest.raises(RuntimeFailure, match="not a python_core entry point"):
        runtime.call_entry("python_core.wire:decode_array", "{}")


def test_a_batch_call_answered_with_the_error_envelope_fails_the_runtime():
    class Misrouted(NativeRuntime):  # its batches go to an entry point that cannot read them
        batch_target = "python_core.training:train_json"

    with pytest.raises(RuntimeFailure, match="python_core.training:train_json failed: ValueError: network: missing field"):
        Misrouted().run([BAD_CASE])


@pytest.mark.parametrize("fixture", ["js_chromium", "js_node", *engines("js_firefox", "js_webkit")])
def test_a_javascript_exception_comes_back_with_its_message(request, fixture):
    runtime = request.getfixturevalue(fixture)
    [outcome] = runtime.run([BAD_CASE])
    assert outcome["error"]["message"] == "inputs: expected shape (n, 1), got (1, 2)"
    assert outcome["error"]["type"] == "Error" and "dense-layer.mjs" in outcome["error"]["traceback"]


# Calls and boots that never answer, so that a timeout is the only way out: the tests wait on that,
# never on a piece of work happening to take longer than the timeout on this machine.
NEVER_ANSWERS_JS = "export function runCase(spec) { return new Promise(() => {}); }  // never settles\n"
NEVER_BOOTS_NODE = """import { serve } from %s;
setInterval(() => {}, 1 << 30);  // the process stays, as a hung boot would
await serve({ boot: () => new Promise(() => {}), call: () => "" });
"""


@pytest.fixture
def never_answers(tmp_path):
    from crosscheck.author import Lesson

    (tmp_path / "hangs.js").write_text(NEVER_ANSWERS_JS)
    lesson = Lesson(js=tmp_path / "hangs.js")
    lesson.bundle()
    return lesson


def test_a_run_that_takes_too_long_is_stopped_js_node(never_answers):
    runtime = JsNodeRuntime(run_timeout=0.02)
    runtime.start(lambda stage: None)
    try:
        with pytest.raises(RuntimeFailure, match="did not finish within 0.02 s; the Node process was stopped"):
            runtime.run(random_cases(1, seed=3), never_answers)
        assert runtime.process is None  # killed, not left running
    finally:
        runtime.close()


@pytest.mark.parametrize("fixture", ["js_chromium", *engines("js_firefox", "js_webkit")])
def test_a_run_that_takes_too_long_is_stopped_in_the_page(request, fixture, never_answers):
    from python_core.wire import encode_spec

    runtime = request.getfixturevalue(fixture)
    target, argument = runtime.author_call(never_answers, [encode_spec(c) for c in random_cases(1, seed=3)])
    with pytest.raises(RuntimeFailure, match="did not finish within"):
        runtime.call_entry(target, argument, timeout=0.02)
    # The page replaced its worker and goes on answering.
    runtime.wait_ready(30)
    [outcome] = runtime.run(random_cases(1, seed=3))
    assert outcome["ok"]


ABSENT = {"DENSE_PARITY_FIREFOX": "no-such-firefox", "DENSE_PARITY_WEBKIT_DRIVER": "no-such-driver"}


def test_an_absent_engine_is_a_runtime_that_did_not_run_with_its_reason(tmp_path, monkeypatch):
    env = {variable: str(tmp_path / name) for variable, name in ABSENT.items()}
    reasons = {engine: f"{variable}={tmp_path / name} is not an executable file"
               for engine, (variable, name) in zip(("firefox", "webkit"), ABSENT.items())}
    out = tmp_path / "r.json"
    result = run_cli("--runtimes", "native,js-node,js-firefox,pyodide-webkit", "--json", str(out), env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(out.read_text())
    assert report["runtimes"]["js-node"]["ok"] and not report["ok"]
    for name, engine in (("js-firefox", "firefox"), ("pyodide-webkit", "webkit")):
        assert reasons[engine] in report["runtimes"][name]["error"], report["runtimes"][name]
        assert all(not c["ok"] and "did not run" in c["reason"]
                   for c in report["cases"][0]["comparisons"] if c["runtime"] == name)
    assert "PARITY FAILED" in result.stdout
    # Not named, they stay out of a default run, which the absent engines do not fail.
    for variable, path in env.items():
        monkeypatch.setenv(variable, path)
    can_run, left_out = available_runtimes()
    assert not {"js-firefox", "pyodide-firefox", "js-webkit", "pyodide-webkit"} & (set(can_run) | set(left_out))
    assert PyodideFirefoxRuntime.unavailable_reason() == reasons["firefox"]
    assert JsWebKitRuntime.unavailable_reason() == reasons["webkit"]


def test_an_engine_that_is_not_installed_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no firefox-esr, WebKitWebDriver or Xvfb on it
    for variable in (*ABSENT, "DENSE_PARITY_MINIBROWSER"):
        monkeypatch.delenv(variable, raising=False)
    assert "apt-get install firefox-esr" in PyodideFirefoxRuntime.unavailable_reason()
    assert "apt-get install webkit2gtk-driver xvfb" in JsWebKitRuntime.unavailable_reason()
    runtime = JsFirefoxRuntime()
    try:
        with pytest.raises(RuntimeFailure, match="apt-get install firefox-esr"):
            runtime.start(lambda stage: None)
        assert runtime.page is None  # nothing was launched
    finally:
        runtime.close()


def test_a_boot_that_takes_too_long_is_stopped(tmp_path, static_server, chromium):
    from crosscheck.runtimes.node.process import NODE_SCRIPTS

    script = tmp_path / "never_boots.mjs"
    script.write_text(NEVER_BOOTS_NODE % json.dumps((NODE_SCRIPTS / "protocol.mjs").as_uri()))

    class NeverBootsNode(PyodideNodeRuntime):
        pass

    NeverBootsNode.script = str(script)  # absolute: NODE_SCRIPTS / script is the script itself
    runtime = NeverBootsNode(boot_timeout=0.3)
    with pytest.raises(RuntimeFailure, match="boot did not finish within 0.3 s"):
        runtime.start(lambda stage: None)
    assert runtime.process is None  # killed, not left running
    runtime.close()

    class NeverBootsPage(PyodideChromiumRuntime):
        page_path = "/harness/no-such-page.html"  # no window.harness: it never leaves "booting"

    page_runtime = NeverBootsPage(server=static_server, chromium=chromium, boot_timeout=0.3)
    try:
        with pytest.raises(RuntimeFailure, match="did not boot within 0.3 s"):
            page_runtime.start(lambda stage: None)
    finally:
        page_runtime.close()
