"""An exercise-only site (build-site --exercise-only) in headless Chromium: the learner's code, which can
fetch any URL of the page's origin, finds the harness's python_core wheel (the exercise's answer) at
none of them, and a correct backward() still passes there. One page, one Pyodide boot."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from crosscheck.site.exercise_answers import fill
from test_web_exercise import check  # the same module pytest collected (tests/ is on sys.path)

WHEEL = "dense_parity-0.1.0-py3-none-any.whl"
# Every URL that served the wheel to the exercise's worker: the runtime folder and a CDN build's wheels/,
# relative to the worker's script (pages/exercise-worker.mjs) and from the root.
WHEEL_URLS = [f"../pyodide/{WHEEL}", f"../wheels/{WHEEL}", f"/pyodide/{WHEEL}", f"/wheels/{WHEEL}"]
FOUND = "../pyodide/pyodide-lock.json"  # beside them: the requests do reach the server
FETCH = """
from js import XMLHttpRequest

statuses = []
for url in %r:
    request = XMLHttpRequest.new()
    request.open("GET", url, False)  # synchronous, as the attack did: allowed in a worker
    request.send()
    statuses.append(request.status)
if statuses != %r:
    raise RuntimeError(f"statuses {statuses}")
"""


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def exercise_site(tmp_path_factory, verified_runtime):
    from crosscheck.site.build import build_site
    from crosscheck.site.server import StaticServer

    out = tmp_path_factory.mktemp("exercise-site") / "site"
    manifest = build_site(out, exercise_only=True)
    assert manifest["wheel"] is None and not any(WHEEL in f for f in manifest["files"])
    with StaticServer(root=out, runtime_dir=out / "pyodide") as server:
        yield server


def test_the_wheel_is_out_of_the_exercise_workers_reach(lesson_pages, exercise_site):
    for path in (f"/pyodide/{WHEEL}", f"/wheels/{WHEEL}", "/pages/lab.html"):
        assert _status(exercise_site.url + path) == 404, path
    page = lesson_pages.open("/pages/exercise.html?activation=sigmoid&timeout=20", base_url=exercise_site.url)
    try:
        page.evaluate("localStorage.clear()")
        # One check (one fresh Python): the learner's code asks for the wheel at every URL that served it,
        # then defines a correct layer. It passes only if every request reached the server (the lock
        # beside the wheel: 200) and none found the wheel (404), and shows the exercise works without it.
        probe = FETCH % ([FOUND] + WHEEL_URLS, [200] + [404] * len(WHEEL_URLS))
        shown = check(page, probe + fill(page.evaluate("exercise.starter")))
        assert shown["state"] == "passed" and shown["kind"] == "pass", shown
    finally:
        page.close()
