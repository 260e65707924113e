"""Session-wide fixtures: one static server, one Chromium, and each runtime booted once per session.

Pyodide takes seconds to boot, so it boots once and every browser test shares it. When
Chromium or the runtime is missing the fixtures raise, and the tests that need them error:
they are never skipped.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

import pytest

from crosscheck.runtimes.browser.chromium import Chromium
from crosscheck.paths import REPO
from crosscheck.runtimes import (JsChromiumRuntime, JsNodeRuntime, NativeRuntime, PyodideChromiumRuntime,
                                 PyodideNodeRuntime, Runtime)
from crosscheck.runtimes.base import stderr_progress
from crosscheck.site.server import StaticServer


@contextmanager
def booted(runtime: Runtime):
    runtime.start(stderr_progress(runtime.name))
    try:
        yield runtime
    finally:
        runtime.close()


@pytest.fixture(scope="session")
def static_server():
    with StaticServer() as server:
        yield server


@pytest.fixture(scope="session")
def chromium():
    with Chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def pyodide_chromium(static_server, chromium):
    with booted(PyodideChromiumRuntime(server=static_server, chromium=chromium)) as runtime:
        yield runtime


@pytest.fixture(scope="session")
def pyodide_node():
    with booted(PyodideNodeRuntime()) as runtime:
        yield runtime


@pytest.fixture(scope="session")
def js_node():
    with booted(JsNodeRuntime()) as runtime:
        yield runtime


@pytest.fixture(scope="session")
def js_chromium(static_server, chromium):
    with booted(JsChromiumRuntime(server=static_server, chromium=chromium)) as runtime:
        yield runtime


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

    def open(self, path: str, viewport=None, wait_python: bool = True, base_url: str | None = None):
        page = self.chromium.new_page(viewport=viewport or self.DESKTOP)
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


@pytest.fixture(scope="session")
def lesson_pages(static_server, chromium):
    return LessonPages(static_server, chromium, REPO / "artifacts" / "screenshots")


# --- shared runtimes, lent to run_cases ------------------------------------------------------

@pytest.fixture(scope="session")
def booted_runtimes(pyodide_chromium, pyodide_node, js_chromium, js_node):
    """The four non-native runtimes by name, booted and shared (borrow them; never close them)."""
    return {r.name: r for r in (pyodide_chromium, pyodide_node, js_chromium, js_node)}


@pytest.fixture(scope="session")
def lend():
    """``lend({name: runtime})`` → an opener for crosscheck.training.session.train_task that lends those
    runtimes (already booted; the session closes them) and makes native ones here."""
    def opener_for(runtimes: dict):
        return lambda name: nullcontext(NativeRuntime() if name == "native" else runtimes[name])
    return opener_for


@pytest.fixture(scope="session")
def borrow_runtimes(booted_runtimes):
    """A ``make_runtime`` for crosscheck.run.run_cases that lends the session's booted runtimes:
    start and close do nothing (the session owns them), and every round-trip is counted in ``calls``."""
    class Borrowed(Runtime):
        def __init__(self, runtime: Runtime) -> None:
            self.inner, self.name, self.calls = runtime, runtime.name, 0
            self.language, self.batch_target = runtime.language, runtime.batch_target

        def call(self, request: str) -> str:
            self.calls += 1
            return self.inner.call(request)

        def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
            self.calls += 1
            return self.inner.call_entry(target, argument, timeout)

        def author_module_url(self, lesson) -> str:
            return self.inner.author_module_url(lesson)

        def versions(self):
            return self.inner.versions()

    def make(lent: dict):
        def make_runtime(name: str) -> Runtime:
            runtime = NativeRuntime() if name == "native" else booted_runtimes[name]
            lent[name] = Borrowed(runtime)
            return lent[name]
        return make_runtime

    return make
