"""The project's own fixtures on top of the crosscheck pytest plugin (crosscheck/pytest_plugin.py), which
gives every session one static server, one Chromium and each runtime booted once (the fixtures a
lesson repository gets when it installs the harness). When Chromium or a runtime is missing those
fixtures raise, and the tests that need them error: they are never skipped.
"""

from __future__ import annotations

import os
from contextlib import nullcontext

import pytest

from crosscheck.paths import REPO
from crosscheck.runtimes import NativeRuntime

# WebKit's optimizing WebAssembly tier (OMG) recompiles Pyodide's hot functions in the background
# while it boots: about half the CPU of a boot in WebKit (9 → 4 s for the harness page), and the suite
# boots several on two cores. WebAssembly's float semantics are fixed whatever the tier, so the bits
# do not change; the CLI and `bench` keep WebKit as shipped (docs/engines.md).
os.environ.setdefault("JSC_useOMGJIT", "false")

# The plugin a lesson repository gets through the pytest11 entry point; here the repository is not
# installed, so it is named. (Where it is installed, the entry point has loaded it already.)
try:
    from importlib.metadata import entry_points
    _installed = any(ep.value == "crosscheck.pytest_plugin" for ep in entry_points(group="pytest11"))
except Exception:  # pragma: no cover
    _installed = False
pytest_plugins = [] if _installed else ["crosscheck.pytest_plugin"]


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): run in one pytest-xdist worker (also without xdist)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """The tests of an xdist_group first (a module sharing one page or site, the pool, the engines),
    in their order: pytest-xdist hands out work in collection order, each group as one unit, so the
    long units start first and the single quick tests fill the two workers' ends. (Alphabetically the
    page modules come last, and a worker would run one alone while the other had finished.)"""
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)


@pytest.fixture(scope="session")
def verified_runtime():
    """The assembled runtime, checked against its stamp before any page or runtime loads it: a stale or
    changed folder errors the tests that need it, naming the file and what to run."""
    from crosscheck.paths import RUNTIME_DIR
    from crosscheck.site.integrity import verify_runtime

    verify_runtime(RUNTIME_DIR)
    return RUNTIME_DIR


# --- work started early, so that it overlaps the tests before the ones that need it ------------

@pytest.fixture(scope="session", autouse=True)
def started_early(request, crosscheck_pool):
    """{module name: what each selected test module's ``start_early(pool)`` returned (a
    concurrent.futures.Future, or a dict of them)},
    called as the session starts. For what mostly waits on other processes (Firefox and WebKit
    booting Pyodide), whose drivers are not bound to a thread: the tests in between go on meanwhile.
    Serial runs only: a pytest-xdist worker cannot know which tests it will be sent; there each engine
    test boots what it needs where it runs, while the other worker goes on."""
    if hasattr(request.config, "workerinput"):
        yield {}
        return
    modules = {item.module for item in request.session.items if getattr(item, "module", None) is not None}
    starters = [m for m in modules if hasattr(m, "start_early")]
    if starters:
        crosscheck_pool.server  # noqa: B018 (made on this thread, before the work started early shares it)
    futures = {m.__name__: m.start_early(crosscheck_pool) for m in sorted(starters, key=lambda m: m.__name__)}
    yield futures
    for started in futures.values():  # finished before the pool closes what it started
        for future in started.values() if isinstance(started, dict) else [started]:
            future.exception()


# --- the lesson pages (lab, exercise) --------------------------------------------------------
class LessonPages:
    """Opens lesson pages in the session's Chromium and saves screenshots as test artifacts.

    Each page boots its own Pyodide worker (seconds), so tests share pages through module-scoped
    fixtures and open as few as they can.
    """

    DESKTOP = {"width": 1280, "height": 900}
    PHONE = {"width": 390, "height": 844}

    def __init__(self, server, chromium, shots_dir):
        self.server, self.chromium, self.shots_dir = server, chromium, shots_dir

    def open(self, path: str, viewport=None, wait_python: bool = True, base_url: str | None = None,
             init_script: str | None = None):
        page = self.chromium.new_page(viewport=viewport or self.DESKTOP)
        if init_script:  # runs in the page before its own scripts
            page.add_init_script(init_script)
        page.errors = []
        page.on("pageerror", lambda err: page.errors.append(str(err)))
        page.goto((base_url or self.server.url) + path)
        if wait_python:
            self.wait_python(page)
        return page

    def wait_python(self, page, timeout_s: float = 120):
        page.wait_for_function("() => ['ready', 'failed'].includes(document.documentElement.dataset.python)",
                               timeout=timeout_s * 1000, polling=100)
        state = page.evaluate("document.documentElement.dataset.python")
        assert state == "ready", f"Python failed to load in {page.url}: {page.inner_text('#loading')}" \
                                 f" (missing files: {self.server.missing})"

    def screenshot(self, page, name: str, viewport=None) -> None:
        """Full-page PNG under artifacts/screenshots/; at ``viewport`` when given, then back."""
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        before = page.viewport_size
        if viewport:
            page.set_viewport_size(viewport)
            # two animation frames: the resize has been laid out and painted
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.evaluate("window.scrollTo(0, 0)")  # sticky parts sit where a reader first sees them
        page.screenshot(path=str(self.shots_dir / f"{name}.png"), full_page=True)
        if viewport:
            page.set_viewport_size(before)


    AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"  # pinned in package.json

    def serious_violations(self, page, where: str) -> list[str]:
        """axe-core's serious and critical violations on ``page`` as it is now, at desktop and then
        phone width (then back): one line each, naming the rule and the elements."""
        found = []
        before = page.viewport_size
        for name, viewport in (("desktop", self.DESKTOP), ("phone", self.PHONE)):
            page.set_viewport_size(viewport)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            if not page.evaluate("typeof window.axe === 'object'"):
                page.add_script_tag(path=str(self.AXE))
            found += page.evaluate("""async (where) => {
                const { violations } = await axe.run(document, { resultTypes: ["violations"] });
                return violations.filter(v => v.impact === "serious" || v.impact === "critical")
                  .map(v => `${where}: ${v.id} (${v.impact}): ${v.help}: ` +
                            v.nodes.slice(0, 4).map(n => n.target.join(" ")).join(", ") +
                            ` (${(v.nodes[0].any[0] || v.nodes[0].all[0] || {}).message || ""})`);
            }""", f"{where} at {name} width")
        page.set_viewport_size(before)
        return found

    def assert_accessible(self, page, where: str) -> None:
        found = self.serious_violations(page, where)
        assert not found, "axe-core:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def lesson_pages(static_server, chromium, verified_runtime):
    return LessonPages(static_server, chromium, REPO / "artifacts" / "screenshots")


# --- shared runtimes, lent to run_cases ------------------------------------------------------

@pytest.fixture(scope="session")
def lend():
    """``lend({name: runtime})`` → an opener for crosscheck.training.session.train_task that lends those
    runtimes (already booted; the session closes them) and makes native ones here."""
    def opener_for(runtimes: dict):
        return lambda name: nullcontext(NativeRuntime() if name == "native" else runtimes[name])
    return opener_for
