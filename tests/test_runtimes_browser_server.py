"""The Chromium runtimes in a browser that runs elsewhere: a Playwright browser server (here on
loopback), reached with --browser-endpoint, gives the same bits as a local Chromium."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from crosscheck.parity.cases import lesson_cases
from crosscheck.parity.runner import run_cases


@pytest.fixture(scope="module")
def browser_server():
    """`python -m playwright run-server` on a free loopback port; its endpoint once it listens. In a
    session of its own, stopped as a group: the Python wrapper's Node driver would outlive it."""
    proc = subprocess.Popen([sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1", "--port", "0",
                             "--unsafe"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        line = proc.stdout.readline()  # the server says where it listens once it does
        assert line.startswith("Listening on ws://127.0.0.1:"), line
        yield line.split()[-1]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_the_chromium_runtimes_pass_the_lesson_example_through_a_browser_server(browser_server, pyodide_chromium,
                                                                                js_chromium):
    report = run_cases(lesson_cases(), ["native", "pyodide-chromium", "js-chromium"], browser_endpoint=browser_server,
                       progress=lambda name: (lambda stage: None))
    assert report["ok"], json.dumps(report["summary"])
    # The very bits a local Chromium gives (the session's runtimes launched their own browser).
    [case] = report["cases"]
    for runtime, local in (("pyodide-chromium", pyodide_chromium), ("js-chromium", js_chromium)):
        [outcome] = local.run(lesson_cases())
        assert case["results"][runtime] == {k: v.tolist() for k, v in outcome["arrays"].items()}
    assert report["runtimes"]["pyodide-chromium"]["platform"] == "emscripten"


def test_an_endpoint_that_does_not_answer_is_a_failure_with_its_reason():
    report = run_cases(lesson_cases(), ["native", "js-chromium"], browser_endpoint="ws://127.0.0.1:9/",
                       boot_timeout=30, progress=lambda name: (lambda stage: None))
    assert report["ok"] is False and report["runtimes"]["native"]["ok"]
    assert "could not launch or reach the browser server at ws://127.0.0.1:9/" in report["runtimes"]["js-chromium"]["error"]
