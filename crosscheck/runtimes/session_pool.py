"""Runtimes booted once and lent to many runs: one static server, one Chromium, each runtime on first use.

The pytest plugin (crosscheck.pytest_plugin) keeps one pool per test session, so every test and every
``crosscheck.check(...)`` shares the same boots. Use it from the thread that made it (Playwright's
sync objects are bound to it).
"""

from __future__ import annotations

from typing import Any

from . import (JsChromiumRuntime, JsNodeRuntime, NativeRuntime, PyodideChromiumRuntime, PyodideNodeRuntime,
                       Runtime)
from .base import stderr_progress


class Borrowed(Runtime):
    """A pooled runtime lent to one run: start and close do nothing (the pool owns it), and every
    round-trip is counted in ``calls``."""

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

    def versions(self) -> dict[str, Any]:
        return self.inner.versions()


class RuntimePool:
    def __init__(self) -> None:
        self._home_ready = False
        self._server = None
        self._chromium = None
        self._runtimes: dict[str, Runtime] = {}

    def _ensure_home(self) -> None:
        """Installed: the per-user runtime folder, assembled when a runtime is first needed (not when a
        session merely starts: the plugin loads into every pytest session of the environment)."""
        if not self._home_ready:
            from ..site.home import ensure_home
            ensure_home()
            self._home_ready = True

    @property
    def server(self):
        self._ensure_home()
        if self._server is None:
            from ..site.server import StaticServer
            self._server = StaticServer()
        return self._server

    @property
    def chromium(self):
        if self._chromium is None:
            from .browser.chromium import Chromium
            self._chromium = Chromium()
        return self._chromium

    def get(self, name: str) -> Runtime:
        """The runtime ``name``, booted (once); RuntimeFailure when it cannot boot."""
        if name == NativeRuntime.name:
            return NativeRuntime()
        self._ensure_home()
        if name not in self._runtimes:
            if name == PyodideChromiumRuntime.name:
                runtime: Runtime = PyodideChromiumRuntime(server=self.server, chromium=self.chromium)
            elif name == JsChromiumRuntime.name:
                runtime = JsChromiumRuntime(server=self.server, chromium=self.chromium)
            elif name == PyodideNodeRuntime.name:
                runtime = PyodideNodeRuntime()
            elif name == JsNodeRuntime.name:
                runtime = JsNodeRuntime()
            else:
                raise ValueError(f"unknown runtime {name!r}")
            try:
                runtime.start(stderr_progress(name))
            except BaseException:
                runtime.close()
                raise
            self._runtimes[name] = runtime
        return self._runtimes[name]

    def lend(self, lent: dict | None = None):
        """A ``make_runtime`` for crosscheck.parity.runner.run_cases that lends this pool's runtimes
        (recorded in ``lent`` by name when given)."""
        def make_runtime(name: str) -> Runtime:
            runtime = Borrowed(self.get(name))
            if lent is not None:
                lent[name] = runtime
            return runtime
        return make_runtime

    def close(self) -> None:
        for runtime in self._runtimes.values():
            try:
                runtime.close()
            except Exception:
                pass
        self._runtimes.clear()
        if self._chromium is not None:
            self._chromium.close()
            self._chromium = None
        if self._server is not None:
            self._server.close()
            self._server = None
