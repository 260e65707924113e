"""The lab and the exercise in Firefox and in WebKit, as learners on those browsers get them: embedded
in a lesson page, both pages load and announce themselves, the lab shows python_core's numbers, a
correct backward() passes, a wrong one gets its feedback, and an endless loop is stopped while the
page goes on answering.

Each engine opens one lesson page with both pages in frames (two Pyodides booting side by side, not
four one after the other) and drives the exercise through the embedding commands, as a lesson does.
The frames are of the page's own origin (the development pages accept only that one), so the
lesson page can read what the learner sees in them. The two engines run their scenarios side by
side, started as the session starts (``start_early``); the tests judge what they saw. Every wait is on an event or on the
page's state, never on the clock. (Chromium has the full page and embedding tests: test_web_*.py.)
"""

from __future__ import annotations

import struct
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from crosscheck.parity.cases import LESSON_EXAMPLE
from crosscheck.site.exercise_answers import fill
from python_core import RESULT_ARRAYS, run_case

pytestmark = pytest.mark.xdist_group("engines")  # one worker boots the engines, once
ENGINES = ["firefox", "webkit"]
TIMEOUT_S = 3  # the exercise's limit for learner code, through the URL: keeps the endless loop short
# Only safeguards against a page that never answers; a busy two-core machine takes far less.
BOOT_LIMIT_S = 600
CHECK_LIMIT_S = 300

LESSON = f"""<!doctype html><html><head><meta charset="utf-8"><title>A lesson</title></head><body>
<iframe id="exercise" src="/pages/index.html?page=exercise&amp;activation=sigmoid&amp;timeout={TIMEOUT_S}"
        style="position:fixed;left:0;top:0;width:50%;height:100%;border:0"></iframe>
<iframe id="lab" src="/pages/index.html?page=lab" style="position:fixed;right:0;top:0;width:50%;height:100%;border:0"></iframe>
<script>
  window.received = [];
  window.addEventListener("message", (event) => {{
    if (event.origin === location.origin && event.data && event.data.source === "dense-parity") received.push(event.data);
  }});
  window.send = (frame, message) => document.getElementById(frame).contentWindow.postMessage(message, location.origin);
  window.inFrame = (frame) => document.getElementById(frame).contentWindow;
</script></body></html>"""

HAS_EVENTS = "(wanted) => wanted.every(([p, t, n]) => received.filter(m => m.page === p && m.type === t).length >= n)"
EVENTS = "([p, t]) => received.filter(m => m.page === p && m.type === t)"
FEEDBACK = """() => { const d = inFrame('exercise').document;
    return {state: d.documentElement.dataset.exercise, kind: d.getElementById('feedback').dataset.kind,
            title: d.querySelector('#feedback strong')?.textContent ?? '', text: d.getElementById('feedback').innerText,
            code: inFrame('exercise').exercise.getCode()}; }"""
LAB_CELLS = """() => [...inFrame('lab').document.querySelectorAll('td.cell')].map(td => ({
    array: td.dataset.array, i: +td.dataset.i, j: +td.dataset.j, py: td.dataset.py, js: td.dataset.js}))"""


def check(page, code: str, count: int) -> dict:
    """The lesson sends ``code`` and Check; waits for the ``count``-th result; returns it and what the learner sees."""
    page.evaluate("(code) => { send('exercise', {type: 'setCode', code}); send('exercise', {type: 'check'}); }", code)
    page.wait_for(HAS_EVENTS, CHECK_LIMIT_S, [["exercise", "result", count]])
    return {"event": page.evaluate(EVENTS, ["exercise", "result"])[count - 1], "shown": page.evaluate(FEEDBACK)}


def scenario(page, url: str) -> dict:
    seen: dict = {}
    page.goto(url)
    page.wait_for(HAS_EVENTS, BOOT_LIMIT_S, [["exercise", "ready", 1], ["lab", "ready", 1], ["lab", "result", 1]])
    seen["ready"] = {p: page.evaluate(EVENTS, [p, "ready"])[0] for p in ("exercise", "lab")}
    seen["lab"] = page.evaluate(EVENTS, ["lab", "result"])[0]
    seen["cells"] = page.evaluate(LAB_CELLS)
    seen["starter"] = starter = page.evaluate("() => inFrame('exercise').exercise.starter")
    seen["solution"] = solution = fill(starter)
    seen["correct"] = check(page, solution, 1)
    seen["wrong"] = check(page, solution.replace("self.output * (1.0 - self.output)", "self.output"), 2)
    seen["endless"] = check(page, solution.replace("return self.dInputs", "while True:\n            pass"), 3)
    # The page answers after the stop: the lesson's Reset puts the starter back.
    page.evaluate("() => send('exercise', {type: 'reset'})")
    page.wait_for("(starter) => inFrame('exercise').exercise.getCode() === starter", CHECK_LIMIT_S, starter)
    seen["after"] = page.evaluate(FEEDBACK)
    seen["spare_core"] = page.evaluate("() => inFrame('exercise').document.documentElement.dataset.spareCore")
    seen["spare_start"] = page.evaluate("() => inFrame('exercise').document.documentElement.dataset.spareStart")
    seen["errors"] = page.evaluate(EVENTS, ["exercise", "error"]) + page.evaluate(EVENTS, ["lab", "error"])
    seen["page_errors"] = list(page.errors)
    return seen


_LESSON_URLS: dict[int, str] = {}


def lesson_url(pool) -> str:
    """The lesson page, written once per pool into a folder the pool's server serves."""
    if id(pool) not in _LESSON_URLS:
        folder = Path(tempfile.mkdtemp(prefix="engine-lesson-"))
        (folder / "lesson.html").write_text(LESSON)
        _LESSON_URLS[id(pool)] = pool.server.url + pool.server.mount(folder) + "lesson.html"
    return _LESSON_URLS[id(pool)]


def start_early(pool) -> dict[str, Future]:
    """Both engines' scenarios, side by side, started as the session starts (conftest.started_early):
    they mostly wait on Firefox and WebKit booting Pyodide, which the tests before these need not wait for."""
    url = lesson_url(pool)
    executor = ThreadPoolExecutor(max_workers=len(ENGINES), thread_name_prefix="lesson")
    futures = {engine: executor.submit(run_scenario, pool, engine, url) for engine in ENGINES}
    executor.shutdown(wait=False)  # its threads end with the scenarios
    return futures


def run_scenario(pool, engine: str, url: str):
    """What the lesson page saw in ``engine``, or the exception that stopped it."""
    page = None
    try:
        page = pool.browser(engine).new_page(viewport={"width": 1280, "height": 900})
        return scenario(page, url)
    finally:
        if page is not None:
            page.close()  # at once: the exercise's next spare Python would boot on, for no one


# One test per engine, not one per check: each runs its engine's scenario exactly once wherever it is
# sent (a pytest-xdist worker, or a serial run that started it early), and says which check failed.
@pytest.mark.parametrize("engine", ENGINES)
def test_the_lab_and_the_exercise_embedded_in_a_lesson(engine, started_early, crosscheck_pool):
    early = started_early.get(__name__)
    s = early[engine].result() if early else run_scenario(crosscheck_pool, engine, lesson_url(crosscheck_pool))

    # Both pages load and announce themselves to the lesson.
    for page in ("exercise", "lab"):
        assert s["ready"][page]["versions"]["pyodide"] == "0.27.7", s["ready"][page]
    assert s["errors"] == [] and s["page_errors"] == [], (s["errors"], s["page_errors"])

    # The lab shows python_core's numbers.
    assert s["lab"]["passed"] is True and s["lab"]["details"]["verdict"] in ("identical", "agree"), s["lab"]
    native = run_case(dict(LESSON_EXAMPLE))  # the other runtime: NumPy natively
    assert len(s["cells"]) == sum(native[name].size for name in RESULT_ARRAYS)
    for cell in s["cells"]:
        reference = float(native[cell["array"]][cell["i"], cell["j"]])
        for side in ("py", "js"):  # the exact float64 each language computed in this engine, as hex bits
            value = struct.unpack(">d", bytes.fromhex(cell[side]))[0]
            assert abs(value - reference) <= 1e-15 + 1e-12 * abs(reference), ("lab", cell, side)

    # A correct backward() passes.
    event, shown = s["correct"]["event"], s["correct"]["shown"]
    assert event["passed"] is True and event["details"]["kind"] == "pass", ("correct", event)
    assert [c["passed"] for c in event["details"]["cases"]] == [True] * 5, ("correct", event)
    assert shown["state"] == "passed" and shown["kind"] == "pass" and "all 5 cases" in shown["text"], ("correct", shown)

    # A wrong one gets its feedback, and the lesson hears what the learner sees.
    event, shown = s["wrong"]["event"], s["wrong"]["shown"]
    assert event["passed"] is False and event["details"]["array"] == "dWeights", ("wrong", event)
    assert shown["state"] == "value" and shown["title"] == "dWeights is wrong in the lesson example", ("wrong", shown)
    assert event["details"]["title"] == shown["title"], ("wrong", event, shown)

    # An endless loop is stopped, the learner's code is kept, and the page obeys the Reset after it.
    event, shown = s["endless"]["event"], s["endless"]["shown"]
    assert event["passed"] is False and event["details"]["kind"] == "timeout", ("endless", event)
    assert shown["state"] == "timeout", ("endless", shown)
    loop = next(n for n, text in enumerate(shown["code"].splitlines(), 1) if "while True" in text)
    assert shown["title"] == f"Stopped after {TIMEOUT_S} s: it was running the loop on line {loop}", ("endless", shown)
    assert shown["code"] != s["solution"] and "while True" in shown["code"], ("endless", shown)
    assert s["after"]["code"] == s["starter"], ("reset", s["after"])
    # Each check's fresh worker instantiates the page's compiled Pyodide core (lib/pyodide-module.mjs).
    assert s["spare_core"] == "page", s["spare_core"]
    assert s["spare_start"] == "snapshot", s["spare_start"]
