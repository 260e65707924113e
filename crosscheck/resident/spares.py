"""Spares: one booted runtime per name, waiting for the next run; and the runtime a run gets from them.

Process runtimes (native in a CPython child, pyodide-node, js-node) boot on a shared thread pool and
are called from any thread. A Chromium runtime's Playwright objects belong to the thread that made
them, so each Chromium runtime has an *owner*: one thread that launches its browser once, boots its
spares (a new page, so a new worker and a new interpreter) and makes every call to them.
A spare is used by one run only and closed after it; the next one boots when that run is over
(while the client prints the verdict), so booting never competes with a run's calls.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from ..runtimes import RUNTIMES, Runtime, RuntimeFailure
from ..runtimes.base import Progress
from ..runtimes.browser.chromium import Chromium
from ..runtimes.browser.page import ChromiumPageRuntime
from ..runtimes.native_process import NativeProcessRuntime
from ..site.server import StaticServer


class Owner:
    """Where a slot's work runs: ``inline`` calls in the caller's thread, boots on ``executor``."""

    def __init__(self, executor: ThreadPoolExecutor, inline: bool) -> None:
        self.executor, self.inline = executor, inline

    def submit(self, fn: Callable[[], Any]) -> Future:
        return self.executor.submit(fn)

    def call(self, fn: Callable[[], Any]) -> Any:
        return fn() if self.inline else self.executor.submit(fn).result()

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class Slot:
    """The spare of one runtime (name, browser endpoint): boots it, hands it out once, boots the next."""

    def __init__(self, name: str, log: Callable[[str], None], shared: ThreadPoolExecutor,
                 browser_endpoint: str | None = None, boot_timeout: float | None = None) -> None:
        self.name, self.log, self.browser_endpoint = name, log, browser_endpoint
        self.boot_timeout = boot_timeout
        self.cls = RUNTIMES[name]
        self.browser = issubclass(self.cls, ChromiumPageRuntime)
        self.owner = Owner(ThreadPoolExecutor(1, thread_name_prefix=f"pool-{name}"), inline=False) if self.browser \
            else Owner(shared, inline=True)
        self._lock = threading.Lock()
        self._spare: Future | None = None
        self._closed = False
        self._server: StaticServer | None = None
        self._chromium: Chromium | None = None
        self.boots = 0
        self.last_boot_s: float | None = None

    # --- on the owner ------------------------------------------------------------------------
    def _progress(self) -> Progress:
        started = time.monotonic()
        return lambda stage: self.log(f"[{self.name} spare] {time.monotonic() - started:5.2f} s  {stage}")

    def _new_runtime(self) -> Runtime:
        options = {} if self.boot_timeout is None else {"boot_timeout": self.boot_timeout}
        if self.name == "native":
            return NativeProcessRuntime(**options)
        if not self.browser:
            return self.cls(**options)
        if self._server is None:
            self._server = StaticServer(port=StaticServer.stable_port(f"pool-{self.name}"), any_port_if_taken=True)
        if self._chromium is not None and not self._chromium.is_connected():
            self._drop_browser()
        if self._chromium is None:
            # one persistent context for the slot's pages: each spare's page then finds Pyodide's
            # compiled core in the context's cache (a new context per page would compile it again)
            self._chromium = Chromium(self.browser_endpoint, profile=f"pool-{self.name}")
        return self.cls(server=self._server, chromium=self._chromium, **options)

    def _boot(self) -> Runtime:
        started = time.monotonic()
        try:
            runtime = self._new_runtime()
            progress = self._progress()
            runtime.start(progress)
            # Warm up with the harness's own lesson example (never an author's code): lazy imports
            # and the JIT's first compilation happen now, not in the run that takes this spare.
            from ..parity.cases import lesson_cases

            runtime.run(lesson_cases())
            if runtime.language == "python":  # and the path an author's file takes, with the harness's layer
                from python_core.wire import encode_spec

                from ..author.lesson import PYTHON_TARGET

                runtime.call_entry(PYTHON_TARGET, json.dumps({
                    "source": "from python_core.dense_layer import DenseLayer\n", "filename": "<pool warm-up>",
                    "cases": [encode_spec(case) for case in lesson_cases()]}))
            progress("warmed up")
        except Exception as exc:
            reason = exc.reason if isinstance(exc, RuntimeFailure) else f"{type(exc).__name__}: {exc}"
            self.log(f"[{self.name} spare] failed: {reason}")
            if self.browser:
                self._drop_browser()  # the next boot launches a new one
            raise RuntimeFailure(self.name, reason) from None
        self.boots += 1
        self.last_boot_s = round(time.monotonic() - started, 3)
        return runtime

    def _drop_browser(self) -> None:
        if self._chromium is not None:
            try:
                self._chromium.close()
            except Exception:
                pass
            self._chromium = None

    # --- from any thread ---------------------------------------------------------------------
    def fill(self) -> None:
        """Start booting a spare unless one is booting or waiting."""
        with self._lock:
            if self._spare is None and not self._closed:
                self._spare = self.owner.submit(self._boot)

    def take(self) -> Future:
        """The spare (booted or booting) for one run; the slot is then empty until ``fill``."""
        with self._lock:
            if self._closed:
                raise RuntimeFailure(self.name, "the pool is stopping")
            spare, self._spare = self._spare, None
        return spare if spare is not None else self.owner.submit(self._boot)

    def ready(self) -> Future | None:
        with self._lock:
            return self._spare

    def discard(self, runtime: Runtime | None) -> None:
        """Close a runtime a run has used and boot the next spare, in the background (on the owner
        for a browser, whose single thread closes the old page before it boots the new one)."""
        if runtime is not None:
            self.owner.submit(runtime.close) if self.browser else self.owner.executor.submit(runtime.close)
        self.fill()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None

        def shut() -> None:
            if spare is not None:
                try:
                    spare.result().close()
                except Exception:
                    pass
            self._drop_browser()
            if self._server is not None:
                self._server.close()
                self._server = None

        try:
            self.owner.call(shut)
        finally:
            if self.browser:
                self.owner.close()

    def state(self) -> dict[str, Any]:
        spare = self.ready()
        state = "empty" if spare is None else "booting" if not spare.done() else \
            "failed" if spare.exception() is not None else "ready"
        return {"spare": state, "boots": self.boots, "last_boot_s": self.last_boot_s}


class PooledRuntime(Runtime):
    """What a run gets from the pool: start() takes the slot's spare, close() throws it away."""

    def __init__(self, slot: Slot, used: list, boot_timeout: float | None = None,
                 run_timeout: float | None = None) -> None:
        self.slot, self.name, self.used = slot, slot.name, used
        self.language, self.batch_target = slot.cls.language, slot.cls.batch_target
        self.boot_timeout, self.run_timeout = boot_timeout, run_timeout
        self.inner: Runtime | None = None

    def start(self, progress: Progress) -> None:
        spare = self.slot.take()
        if not spare.done():
            progress("waiting for the pool's spare to boot")
        try:
            self.inner = spare.result(timeout=self.boot_timeout)
        except TimeoutError:
            raise RuntimeFailure(self.name, f"the pool's spare did not boot within {self.boot_timeout:g} s") from None
        progress("took the pool's spare")

    def _inner(self) -> Runtime:
        if self.inner is None:
            raise RuntimeFailure(self.name, "not started")
        return self.inner

    def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
        inner = self._inner()
        return self.slot.owner.call(lambda: inner.call_entry(target, argument, timeout or self.run_timeout))

    def versions(self) -> dict[str, Any]:
        return self._inner().versions()

    def author_module_url(self, lesson) -> str:
        return self._inner().author_module_url(lesson)

    def close(self) -> None:
        # Not closed here: the run's verdict would wait for a process to exit. The pool closes the
        # used runtimes and boots the next spares once the report is sent (Pool.recycle).
        inner, self.inner = self.inner, None
        self.used.append((self.slot, inner))
