"""How the lesson pages feel to a learner, measured in headless Chromium: page to Python ready, a check's
verdict, how long after its timeout an endless loop is stopped, how soon Reset answers while the
stopped worker's replacement boots, and what the fresh Python each check takes costs: from Check to
the next worker's Python ready, in seconds and in the machine's CPU-seconds, with the page's compiled
Pyodide core and started-interpreter snapshot (web_demo/lib/pyodide-module.mjs) and with each worker
compiling and starting its own.

These are figures, not assertions: the page tests wait on the page's own events (data-* states) and
check what is shown; how fast it is shown is measured here, with the machine's load beside it.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
from typing import Any, Callable

from .exercise_answers import fill

READY = "() => ['ready', 'failed'].includes(document.documentElement.dataset.python)"
SETTLED = "() => !['stale', 'checking'].includes(document.documentElement.dataset.exercise)"
LAB_SETTLED = "() => ['done', 'failed', 'invalid'].includes(document.documentElement.dataset.lab)"
WAIT_MS = 180_000


class PageBenchFailure(RuntimeError):
    """The page did not reach the state a figure is taken at: the figure would be meaningless."""


def machine() -> dict[str, Any]:
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "host": platform.node(), "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "load_average_1min": os.getloadavg()[0]}


def _seconds(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# In the page, before its modules load: the page's compile of the Pyodide core fails, so each worker
# compiles its own and starts Python itself (no module, no snapshot), as where a module cannot be had
# or sent (lib/pyodide-module.mjs).
OWN_CORE = "WebAssembly.compileStreaming = () => Promise.reject(new Error('bench-pages: each worker compiles its own'))"
SPARE = "() => ['ready', 'failed'].includes(document.documentElement.dataset.spare)"


def busy_cpu_s() -> float:
    """CPU-seconds this machine has been busy (all processes: the browser's too), from /proc/stat."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _open(chromium, url: str, settled: str, init_script: str | None = None):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    if init_script:
        page.add_init_script(init_script)
    seconds = _seconds(lambda: (page.goto(url), page.wait_for_function(settled, timeout=WAIT_MS, polling=50)))
    return page, seconds


def _open_exercise(chromium, url: str, init_script: str | None = None):
    """The exercise at ``url``, its Python ready and its saved code cleared; → (page, seconds to ready)."""
    page, load = _open(chromium, url, READY, init_script)
    if page.evaluate("document.documentElement.dataset.python") != "ready":
        raise PageBenchFailure(f"the exercise's Python did not load: {page.inner_text('#loading')}")
    page.evaluate("localStorage.clear()")
    return page, load


def _check(page, code: str) -> tuple[float, str]:
    page.evaluate("code => exercise.setCode(code)", code)
    page.evaluate("document.documentElement.dataset.exercise = 'stale'")
    seconds = _seconds(lambda: (page.click("#check"), page.wait_for_function(SETTLED, timeout=WAIT_MS, polling=20)))
    return seconds, page.evaluate("document.documentElement.dataset.exercise")


def _passing_check(page, solution: str) -> float:
    """Seconds from Check to the verdict of a correct solution, which must pass."""
    seconds, state = _check(page, solution)
    if state != "passed":
        raise PageBenchFailure(f"the correct solution was judged '{state}'")
    return seconds


def _next_python(page, solution: str, repeats: int, progress, what: str) -> dict[str, Any]:
    """Check, then wait for the next worker's Python, ``repeats`` times: seconds and machine CPU-seconds
    from Check to ready (the spare boots from the moment the check starts), and how it started."""
    seconds, cpu_s, cores = [], [], set()
    for i in range(repeats):
        progress(f"exercise ({what}): check {i + 1}/{repeats} …")
        page.wait_for_function(SPARE, timeout=WAIT_MS, polling=20)   # as a learner who reads the feedback
        cpu0 = busy_cpu_s()
        verdict = _passing_check(page, solution)
        ready = _seconds(lambda: page.wait_for_function(SPARE, timeout=WAIT_MS, polling=20))
        if page.evaluate("document.documentElement.dataset.spare") != "ready":
            raise PageBenchFailure("the next check's Python did not load")
        seconds.append(verdict + ready)
        cpu_s.append(busy_cpu_s() - cpu0)
        cores.add(page.evaluate("(d => `${d.spareCore} core, start: ${d.spareStart}`)(document.documentElement.dataset)"))
    return {"check_to_next_python_ready_s": seconds, "median_s": statistics.median(seconds),
            "machine_cpu_s": cpu_s, "median_cpu_s": statistics.median(cpu_s), "core": sorted(cores)}


def bench_exercise(chromium, base: str, repeats: int, timeout_s: int, progress) -> dict[str, Any]:
    url = f"{base}/pages/exercise.html?activation=sigmoid&timeout={timeout_s}"
    page, load = _open_exercise(chromium, url)
    try:
        starter = page.evaluate("exercise.starter")
        solution = fill(starter)
        spare = "() => document.documentElement.dataset.spare === 'ready'"
        verdicts = []
        for i in range(repeats):
            progress(f"exercise: check {i + 1}/{repeats} …")
            page.wait_for_function(spare, timeout=WAIT_MS, polling=20)   # as a learner who reads the feedback
            verdicts.append(_passing_check(page, solution))
        next_python = _next_python(page, solution, repeats, progress, "the page's core and snapshot")
        progress(f"exercise: an endless loop, stopped after {timeout_s} s …")
        page.wait_for_function(spare, timeout=WAIT_MS, polling=20)
        stopped, state = _check(page, solution.replace("return self.dInputs", "while True:\n            pass"))
        if state != "timeout":
            raise PageBenchFailure(f"the endless loop ended as '{state}', not 'timeout'")
        reset = _seconds(lambda: page.click("#reset"))
        if page.evaluate("exercise.getCode()") != starter:
            raise PageBenchFailure("Reset did not put the starter back")
        return {"load_to_python_ready_s": load, "verdict_s": verdicts, "verdict_median_s": statistics.median(verdicts),
                "timeout_s": timeout_s, "endless_loop_verdict_s": stopped, "stop_after_timeout_s": stopped - timeout_s,
                "reset_while_worker_boots_s": reset, "next_python": next_python}
    finally:
        page.close()


def bench_own_core(chromium, base: str, repeats: int, progress) -> dict[str, Any]:
    """The next check's Python where each worker compiles the Pyodide core and starts Python itself."""
    page, _ = _open_exercise(chromium, f"{base}/pages/exercise.html?activation=sigmoid", init_script=OWN_CORE)
    try:
        return _next_python(page, fill(page.evaluate("exercise.starter")), repeats, progress, "each worker's own core and start")
    finally:
        page.evaluate("localStorage.clear()")
        page.close()


def bench_lab(chromium, base: str) -> dict[str, Any]:
    page, load = _open(chromium, f"{base}/pages/lab.html", LAB_SETTLED)
    try:
        state = page.evaluate("document.documentElement.dataset.lab")
        if state != "done":
            raise PageBenchFailure(f"the lab ended as '{state}', not 'done'")
        return {"load_to_first_result_s": load}
    finally:
        page.close()


def bench_pages(repeats: int, timeout_s: int, progress) -> dict[str, Any]:
    from ..paths import RUNTIME_DIR
    from ..runtimes.browser.chromium import Chromium
    from .integrity import verify_runtime
    from .server import StaticServer

    verify_runtime(RUNTIME_DIR)
    with StaticServer() as server, Chromium() as chromium:
        progress("lab: page to first result …")
        lab = bench_lab(chromium, server.url)
        exercise = bench_exercise(chromium, server.url, repeats, timeout_s, progress)
        own_core = bench_own_core(chromium, server.url, repeats, progress)
        return {"machine": machine(), "browser": f"chromium {chromium.version}", "lab": lab, "exercise": exercise,
                "own_core": own_core}
