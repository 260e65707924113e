"""An author's file cannot end, garble or outlive the run that checks it.

- sys.exit() / os._exit() in the author's Python: native is that runtime's failure, and the run still
  ends with a verdict (the author's Python runs natively in a CPython child of its own);
- what the author's code prints (console.log, process.stdout.write, print, os.write(1, …)), even a line
  shaped like a reply, never reaches the driver as a message;
- the files are read once, when the lesson is made: an edit during the run changes neither what runs
  nor the sha256 the report names.

Expected values come from python_core.author's run_author_batch called here, in this process, on the
original text (the child must give the same bits), or from the clean copy of the lesson.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crosscheck.author import Lesson
from crosscheck.parity.cases import lesson_cases
from crosscheck.parity.random_cases import random_cases
from crosscheck.parity.runner import drive, run_cases
from crosscheck.paths import REPO
from crosscheck.runtimes import JsNodeRuntime, NativeRuntime, Runtime
from crosscheck.runtimes.node.process import NodeProcessRuntime
from python_core.author import run_author_batch
from python_core.wire import decode_array, encode_spec

LESSONS = Path(__file__).parent / "lessons"
DENSE_PY = (LESSONS / "dense.py").read_text()
DENSE_JS = (LESSONS / "dense.js").read_text()
FORWARD_PY = "    def forward(self, inputs):\n"
FORWARD_JS = "  forward(inputs) {\n"
# Shaped like the driver's messages: a JSON line that is not an object, and a reply to the first
# request (id 1) that, if it were taken, would fail the call with a made-up error.
NOT_AN_OBJECT = json.dumps([1, 2])
FORGED = json.dumps({"id": 1, "ok": False, "error": {"type": "Forged", "message": "forged", "traceback": ""}})
FORGED_TOKEN = json.dumps({"token": "0" * 32, "id": 1, "ok": False,
                           "error": {"type": "Forged", "message": "forged", "traceback": ""}})


def python_with(tmp_path: Path, name: str, at_load: str = "", in_forward: str = "") -> Path:
    text = DENSE_PY + at_load
    if in_forward:
        text = text.replace(FORWARD_PY, FORWARD_PY + "        " + in_forward + "\n")
    (tmp_path / name).write_text(text)
    return tmp_path / name


def in_process(source: str, filename: str, cases) -> list[dict]:
    """The author's file run by python_core.author here, in this process: what native must equal bit for bit."""
    response = json.loads(run_author_batch(json.dumps({"source": source, "filename": filename,
                                                        "cases": [encode_spec(c) for c in cases]})))
    return response["results"]


# --- 1. an author's Python file that exits ------------------------------------------------------

@pytest.mark.parametrize("at_load, in_forward", [
    ("import sys; sys.exit(0)\n", ""),
    ("import os; os._exit(0)\n", ""),
    ("", "import sys; sys.exit(0)"),
    ("", "import os; os._exit(0)"),
], ids=["sys.exit-at-load", "os._exit-at-load", "sys.exit-in-forward", "os._exit-in-forward"])
def test_an_authors_file_that_exits_fails_native_and_the_run_still_has_a_verdict(tmp_path, at_load, in_forward):
    lesson = python_with(tmp_path, "exits.py", at_load, in_forward)
    done = subprocess.run([sys.executable, "-m", "crosscheck", "--python", str(lesson), "--runtimes", "native,js-node"],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("PARITY FAILED"), done.stdout
    summary = done.stdout.split("summary:")[1]
    if at_load:  # the file never loaded: native has nothing to compare with
        assert "native: FAILED" in summary and "Traceback" not in done.stderr.split("[native]")[0]
    else:  # each case failed in native
        assert "native: 0/1 cases ran" in summary or "native: FAILED" in summary, summary


def test_sys_exit_in_the_authors_file_is_reported_per_case_with_its_line(tmp_path):
    path = python_with(tmp_path, "exits.py", in_forward="raise SystemExit(3)")
    [result] = in_process(path.read_text(), str(path), lesson_cases())
    line = path.read_text().splitlines().index("        raise SystemExit(3)") + 1
    assert result["ok"] is False
    assert (result["error"]["type"], result["error"]["message"], result["error"]["line"]) == ("SystemExit", "3", line)


def test_a_runtime_that_raises_system_exit_is_that_runtimes_failure():
    class Exits(Runtime):
        name = "native"

        def run(self, cases, lesson=None):
            raise SystemExit(0)

    run = drive(Exits(), "native", lesson_cases(), 512, lambda stage: None)
    assert run.info["ok"] is False and run.info["error"] == "SystemExit: 0"


def test_native_runs_the_authors_python_in_a_child_with_the_same_bits(tmp_path):
    path = python_with(tmp_path, "dense.py", at_load="import os\nPID = os.getpid()\n",
                       in_forward="assert os.getpid() != %d, 'ran in the harness process'" % __import__("os").getpid())
    cases = lesson_cases() + random_cases(30, 7)
    lesson = Lesson(python=path)
    got = NativeRuntime().run(cases, lesson)
    expected = in_process(DENSE_PY, str(path), cases)
    assert all(o["ok"] for o in got), [o.get("error") for o in got if not o["ok"]][:1]
    for outcome, want in zip(got, expected, strict=True):
        for name, array in outcome["arrays"].items():
            assert array.tobytes() == decode_array(want["arrays"][name]).tobytes(), name


# --- 7. what the author's code prints is never a message -----------------------------------------

def test_js_node_ignores_the_authors_stdout_even_a_forged_reply(tmp_path):
    prints = (f"console.log({NOT_AN_OBJECT!r}); console.log({FORGED!r}); process.stdout.write({FORGED!r} + '\\n'); "
              f"console.log({FORGED_TOKEN!r}); process.stdout.write('no newline'); "
              f"process.getBuiltinModule('fs').writeSync(1, {FORGED!r} + '\\n'); process.getBuiltinModule('fs').writeSync(1, 'partial');")
    (tmp_path / "noisy.js").write_text(DENSE_JS.replace(FORWARD_JS, FORWARD_JS + "    " + prints + "\n"))
    (tmp_path / "clean.js").write_text(DENSE_JS)
    cases = lesson_cases() + random_cases(5, 3)
    outcomes = {}
    for name in ("noisy", "clean"):
        lesson = Lesson(js=tmp_path / f"{name}.js")
        lesson.bundle()
        with JsNodeRuntime() as runtime:  # a fresh process: its first request has id 1, as forged
            outcomes[name] = runtime.run(cases, lesson)
    assert all(o["ok"] for o in outcomes["noisy"]), [o.get("error") for o in outcomes["noisy"]][:1]
    for noisy, clean in zip(outcomes["noisy"], outcomes["clean"], strict=True):
        for name in clean["arrays"]:
            assert noisy["arrays"][name].tobytes() == clean["arrays"][name].tobytes()


PRINTS_PY = (f"print({NOT_AN_OBJECT!r}); print({FORGED!r}); print({FORGED_TOKEN!r}); "
             f"os.write(1, ({FORGED!r} + '\\n').encode()); print('partial', end='', flush=True)")


def test_native_child_ignores_the_authors_prints_even_a_forged_reply(tmp_path):
    path = python_with(tmp_path, "noisy.py", at_load="import os\n", in_forward=PRINTS_PY)
    cases = lesson_cases() + random_cases(5, 3)
    got = NativeRuntime().run(cases, Lesson(python=path))
    expected = in_process(DENSE_PY, str(path), cases)
    assert all(o["ok"] for o in got), [o.get("error") for o in got if not o["ok"]][:1]
    for outcome, want in zip(got, expected, strict=True):
        for name, array in outcome["arrays"].items():
            assert array.tobytes() == decode_array(want["arrays"][name]).tobytes(), name


def test_pyodide_node_ignores_the_authors_prints_even_a_forged_reply(tmp_path, pyodide_node):
    noisy = python_with(tmp_path, "noisy.py", at_load="import os\n", in_forward=PRINTS_PY)
    clean = python_with(tmp_path, "clean.py")
    cases = lesson_cases() + random_cases(5, 3)
    # Borrowed: its next request ids are not 1, so the forged reply carries the pool's next id too.
    forged_next = json.dumps({"id": pyodide_node._next_id, "ok": False,
                              "error": {"type": "Forged", "message": "forged", "traceback": ""}})
    noisy.write_text(noisy.read_text().replace(f"print({FORGED!r})", f"print({forged_next!r})"))
    got = pyodide_node.run(cases, Lesson(python=noisy))
    want = pyodide_node.run(cases, Lesson(python=clean))
    assert all(o["ok"] for o in got), [o.get("error") for o in got if not o["ok"]][:1]
    for g, w in zip(got, want, strict=True):
        for name in w["arrays"]:
            assert g["arrays"][name].tobytes() == w["arrays"][name].tobytes()


def test_only_well_formed_messages_with_the_token_are_read():
    runtime = NodeProcessRuntime(REPO)
    token = runtime._token
    good = [{"type": "progress", "stage": "x", "ms": 1}, {"type": "ready", "versions": {}},
            {"type": "failed", "error": {"type": "E", "message": "m"}}, {"id": 3, "ok": True, "value": "{}"},
            {"id": 3, "ok": False, "error": {"type": "E"}}, {"id": None, "ok": False, "error": {}}]
    for message in good:
        assert runtime._message(json.dumps({"token": token, **message})) == message
    bad = [[1, 2], "text", None, {"id": 3, "ok": True, "value": "{}"},  # no token
           {"token": "f" * 32, "id": 3, "ok": True, "value": "{}"}]
    bad += [{"token": token, **m} for m in ({"id": 3, "ok": True}, {"id": 3, "ok": True, "value": 5},
                                            {"id": "3", "ok": True, "value": "{}"}, {"id": 3, "ok": 1, "value": "{}"},
                                            {"id": 3, "ok": False, "error": "e"}, {"type": "ready"},
                                            {"type": "progress", "stage": 1}, {"type": "other"})]
    for message in bad:
        assert runtime._message(json.dumps(message)) is None, message
    assert runtime._message("not json") is None


# --- 20. the files as they were when the lesson was made -----------------------------------------

def test_a_file_edited_during_the_run_changes_neither_what_runs_nor_its_sha256(tmp_path):
    py, js = tmp_path / "dense.py", tmp_path / "dense.js"
    py.write_text(DENSE_PY)
    js.write_text(DENSE_JS)
    lesson = Lesson(python=py, js=js)
    # Edited after the lesson was read, before anything was bundled or run: both now fail every case.
    py.write_text(DENSE_PY.replace(FORWARD_PY, FORWARD_PY + "        raise ValueError('edited')\n"))
    js.write_text(DENSE_JS.replace(FORWARD_JS, FORWARD_JS + "    throw new Error('edited');\n"))
    lesson.bundle()
    report = run_cases(lesson_cases(), ["native", "js-node"], lesson=lesson, progress=lambda name: lambda stage: None)
    assert report["ok"], report["runtimes"]
    assert report["files"] == {"python": {"path": str(py.resolve()), "sha256": hashlib.sha256(DENSE_PY.encode()).hexdigest()},
                               "js": {"path": str(js.resolve()), "sha256": hashlib.sha256(DENSE_JS.encode()).hexdigest()}}
    [want] = in_process(DENSE_PY, str(py.resolve()), lesson_cases())
    for name, value in report["cases"][0]["results"]["native"].items():
        assert np.asarray(value).tobytes() == decode_array(want["arrays"][name]).tobytes()
