"""Runtimes booted once and lent to many runs: one static server, one browser per engine, each runtime
on first use.

The pytest plugin (crosscheck.pytest_plugin) keeps one pool per test session, so every test and every
``crosscheck.check(...)`` shares the same boots. Use it from the thread that made it (Playwright's
sync objects are bound to it); ``boot(names)`` alone boots the Firefox and WebKit runtimes side by
side, since their drivers are not bound to a thread.
"""

from __future__ import annotations

import threading
from typing import Any

from . import RUNTIMES, NativeRuntime, PageRuntime, Runtime
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
        self._browsers: dict[str, Any] = {}  # Firefox and WebKit by engine key
        self._runtimes: dict[str, Runtime] = {}
        self._lock = threading.Lock()
        self._booting: dict[str, threading.Lock] = {}
        self._engine_locks = {"firefox": threading.Lock(), "webkit": threading.Lock()}

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

    def browser(self, engine: str):
        """The session's browser of ``engine`` (engines.ENGINES), launched on first use; a page
        runtime's pages open in it."""
        from .browser.engines import ENGINES, ChromiumBrowser

        if engine == "chromium":
            return ChromiumBrowser(self.chromium)
        with self._engine_locks[engine]:
            if engine not in self._browsers:
                self._browsers[engine] = ENGINES[engine].launch()
            return self._browsers[engine]

    def _make(self, name: str) -> Runtime:
        cls = RUNTIMES.get(name)
        if cls is None or cls.in_process:
            raise ValueError(f"unknown runtime {name!r}")
        if issubclass(cls, PageRuntime):
            from .base import RuntimeFailure
            from .browser.chromium import BrowserUnavailable

            try:
                return cls(server=self.server, browser=self.browser(cls.engine))
            except BrowserUnavailable as exc:
                raise RuntimeFailure(name, str(exc)) from exc
        return cls()

    def get(self, name: str) -> Runtime:
        """The runtime ``name``, booted (once); RuntimeFailure when it cannot boot."""
        if name == NativeRuntime.name:
            return NativeRuntime()
        self._ensure_home()
        with self._lock:
            booting = self._booting.setdefault(name, threading.Lock())
        with booting:  # a boot under way elsewhere (boot()'s threads) is waited for, never repeated
            if name not in self._runtimes:
                runtime = self._make(name)
                try:
                    runtime.start(stderr_progress(name))
                except BaseException:
                    runtime.close()
                    raise
                self._runtimes[name] = runtime
        return self._runtimes[name]

    def native_child(self) -> Runtime:
        """The reference in a CPython child of its own (NativeProcessRuntime), booted once: an author's
        functions (``crosscheck.check_lessons``) run there, never in the test session's process."""
        with self._lock:
            booting = self._booting.setdefault("native-child", threading.Lock())
        with booting:
            if "native-child" not in self._runtimes:
                from .native_process import NativeProcessRuntime

                runtime = NativeProcessRuntime()
                try:
                    runtime.start(stderr_progress("native"))
                except BaseException:
                    runtime.close()
                    raise
                self._runtimes["native-child"] = runtime
        return self._runtimes["native-child"]

    def discard(self, runtime: Runtime) -> None:
        """Closes and forgets a pooled runtime (its process ended under the code it ran): the next
        ``get`` boots it afresh."""
        for key, owned in list(self._runtimes.items()):
            if owned is runtime:
                del self._runtimes[key]
                try:
                    runtime.close()
                except Exception:
                    pass

    def boot(self, names: list[str]) -> dict[str, Exception]:
        """Boots the Firefox and WebKit runtimes among ``names`` side by side, each in a thread of its own,
        and the others here, one after the other; {name: why it did not boot}. Callable from any thread
        when ``names`` holds only Firefox and WebKit runtimes."""
        self.server  # noqa: B018 (made here, on this thread, before the threads share it)
        failed: dict[str, Exception] = {}

        def boot_one(name: str) -> None:
            try:
                self.get(name)
            except Exception as exc:
                failed[name] = exc

        free = [n for n in names if n not in self._runtimes and getattr(RUNTIMES.get(n), "engine", "") in self._engine_locks]
        threads = [threading.Thread(target=boot_one, args=(n,), name=f"boot-{n}", daemon=True) for n in free]
        for thread in threads:
            thread.start()
        for name in names:
            if name not in free:
                boot_one(name)
        for thread in threads:
            thread.join()
        return failed

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
        # Runtimes before the browsers their pages live in; one that fails to close stops no other.
        for owned in (self._runtimes, self._browsers):
            for thing in owned.values():
                try:
                    thing.close()
                except Exception:
                    pass
            owned.clear()
        if self._chromium is not None:
            self._chromium.close()
            self._chromium = None
        if self._server is not None:
            self._server.close()
            self._server = None
