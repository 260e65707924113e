"""Run a check's functions on cases, in every runtime, through the one runtime interface (``call_entry``).

A Session boots each runtime once for all the checks of a run (and for the shrinking after it), each
on a thread of its own that makes, starts, calls and closes it (Playwright's objects stay on the thread
that made them), so the runtimes boot and run side by side. A check's cases go to a runtime as one call
(or one per CHUNK cases). Natively, the author's Python runs in one CPython child for the whole run,
not in the harness's process; a runtime whose process died is started afresh before its next call.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from python_core.codec import decode_array

from ..author.lesson import Lesson, LessonError
from ..runtimes import RUNTIMES, Runtime, RuntimeFailure, make_runtime
from ..runtimes.base import Progress, describe_error, stderr_progress
from .cases import LessonCase, wire_case
from .manifest import Check, FunctionRef, ManifestError

PYTHON_TARGET = "python_core.functions:run_function_batch"
JS_TARGET = "functions:runBatch"
CHUNK = 512
LANGUAGE = {"python": "python", "javascript": "js"}  # a runtime's language → the check's key


def language_of(runtime: str) -> str | None:
    """"python" or "js" (the manifest's keys), or None for a runtime that runs neither (exact)."""
    return LANGUAGE.get(RUNTIMES[runtime].language)


class Sources:
    """Each file read once (its text is what runs and what the report's sha256 names) and, for
    JavaScript, bundled once: crosscheck.author.Lesson does both, one per file."""

    def __init__(self) -> None:
        self._lessons: dict[tuple[str, Path], Lesson] = {}

    def lesson(self, ref: FunctionRef) -> Lesson:
        key = (ref.language, ref.path)
        if key not in self._lessons:
            self._lessons[key] = Lesson(**{ref.language: ref.path})
        return self._lessons[key]

    def prepare(self, check: Check, bundle: bool = True) -> None:
        """Read and bundle the check's files; ManifestError (one line) when one cannot be used, and when
        the bundle's exports show the function is missing (a CommonJS file's exports show only when it runs).
        Without ``bundle``, the JavaScript is only read: the pool bundles it, once per text, for a run through it."""
        for ref in check.functions():
            try:
                lesson = self.lesson(ref)
                if ref.language == "js" and bundle:
                    bundle = lesson.bundle()
                    exports = getattr(bundle, "exports", None)
                    if exports and "default" not in exports and ref.function not in exports:
                        raise ManifestError(f"{check.manifest}: check {check.name!r}: js: {ref.path.name} exports no "
                                            f"{ref.function!r} (its exports: {', '.join(exports)})")
            except LessonError as exc:
                message = str(exc).removeprefix(f"--{ref.language} ")
                raise ManifestError(f"{check.manifest}: check {check.name!r}: {ref.language}: {message}") from None

    def files(self, check: Check) -> dict[str, dict[str, str]]:
        out = {}
        for ref in check.functions():
            info = self.lesson(ref).files()[ref.language]
            out[ref.language] = {**info, "function": ref.function}
        return out


@dataclass
class RuntimeResult:
    """One runtime's results for one check: per case {"ok", "outputs": {name: ndarray}} or {"ok": False, "error"}."""

    runtime: str
    ran: bool
    reason: str | None = None
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[str, Any] = field(default_factory=dict)


@dataclass
class Pending:
    check: Check
    runtimes: list[str]
    futures: dict[str, list]
    done: dict[str, RuntimeResult]


class FunctionNotFound(ManifestError):
    """The runtime loaded the file and found no such function: the manifest's fault (exit 2)."""


class _Here:
    """An executor that runs each job at once on the caller's thread: for runtimes lent by a pool whose
    Playwright objects are bound to the thread that made them (crosscheck.runtimes.session_pool)."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 (handed to whoever collects it, as a thread's would be)
            future.set_exception(exc)
        return future

    def shutdown(self) -> None:
        pass


class _Slot:
    """One runtime, on one thread of its own (or on the caller's, ``here``), from boot to close."""

    def __init__(self, name: str, make: Callable[[str], Runtime], progress: Progress, here: bool = False) -> None:
        self.name, self._make, self.progress = name, make, progress
        self.executor = _Here() if here else ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"check-{name}")
        self.runtime: Runtime | None = None
        self.failed: str | None = None  # why it could not boot: every call answers with it
        self.boot: Future = self.executor.submit(self._start)
        self.calls = 0

    def _start(self) -> None:
        try:
            self.runtime = self._make(self.name)
            self.runtime.start(self.progress)
        except (Exception, SystemExit) as exc:
            self.failed = exc.reason if isinstance(exc, RuntimeFailure) else f"{type(exc).__name__}: {exc}"
            self.progress(f"FAILED: {self.failed}")
            self._close()

    def _restart(self) -> None:
        self.progress("starting afresh after a failure")
        self._close()
        self.failed = None
        self._start()

    def _close(self) -> None:
        if self.runtime is not None:
            try:
                self.runtime.close()
            except Exception as exc:  # closing must not hide the outcome
                self.progress(f"(close failed: {type(exc).__name__}: {exc})")
            self.runtime = None

    def call(self, target: str, argument: str, timeout: float | None) -> Future:
        def job() -> str:
            if self.runtime is None and self.failed is None:
                self._restart()
            if self.failed is not None:
                raise RuntimeFailure(self.name, self.failed)
            self.calls += 1
            try:
                return self.runtime.call_entry(target, argument, timeout)
            except (Exception, SystemExit) as exc:
                # The process may be gone (an os._exit() in the code under test): the next call starts afresh.
                self._close()
                if isinstance(exc, RuntimeFailure):
                    raise
                raise RuntimeFailure(self.name, f"{type(exc).__name__}: {exc}") from exc
        return self.executor.submit(job)

    def versions(self) -> dict[str, Any]:
        return self.runtime.versions() if self.runtime is not None else {}

    def close(self) -> None:
        self.executor.submit(self._close).result()
        self.executor.shutdown()


def _make(name: str, boot_timeout: float | None, run_timeout: float | None, endpoint: str | None) -> Runtime:
    if name == "native":
        # One CPython child for the run: the author's file must not run in the harness's own process.
        from ..runtimes.native_process import NativeProcessRuntime

        options = {k: v for k, v in (("boot_timeout", boot_timeout), ("run_timeout", run_timeout)) if v}
        return NativeProcessRuntime(**options)
    return make_runtime(name, boot_timeout, run_timeout, endpoint)


class Session:
    """The runtimes of a run, booted once (``unavailable`` ones never started: they answer with why).
    ``here``: every boot and call on the caller's thread, one after the other (lent runtimes)."""

    def __init__(self, names: list[str], sources: Sources, unavailable: dict[str, str] | None = None,
                 boot_timeout: float | None = None, run_timeout: float | None = None,
                 browser_endpoint: str | None = None, progress: Callable[[str], Progress] = stderr_progress,
                 make: Callable[[str], Runtime] | None = None, here: bool = False) -> None:
        self.sources = sources
        self.run_timeout = run_timeout
        self.unavailable = dict(unavailable or {})
        self._maker = make or (lambda name: _make(name, boot_timeout, run_timeout, browser_endpoint))
        self._progress, self._here = progress, here
        self.slots = {name: _Slot(name, self._maker, progress(name), here) for name in names
                      if name not in self.unavailable}

    def _slot(self, name: str) -> _Slot:
        # A runtime first needed after the boot (the shrinking of a check whose results were reused) boots then.
        if name not in self.slots:
            self.slots[name] = _Slot(name, self._maker, self._progress(name), self._here)
        return self.slots[name]

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for slot in self.slots.values():
            slot.close()

    def calls(self) -> dict[str, int]:
        return {name: slot.calls for name, slot in self.slots.items()}

    def _request(self, runtime: str, check: Check, wire: list[dict[str, Any]]) -> tuple[str, str, Lesson]:
        ref = check.python if language_of(runtime) == "python" else check.js
        assert ref is not None
        lesson = self.sources.lesson(ref)
        common = {"function": ref.function, "args": list(check.args), "cases": wire}
        if ref.language == "python":
            return PYTHON_TARGET, json.dumps({"source": lesson.python_source, "filename": str(ref.path), **common}), lesson
        slot = self._slot(runtime)
        slot.boot.result()  # a page runtime knows its server's URL once started
        if slot.runtime is None:
            raise RuntimeFailure(runtime, slot.failed or "not started")
        url = slot.runtime.author_module_url(lesson)
        return JS_TARGET, json.dumps({"module": url, **common}), lesson

    def run(self, check: Check, cases: list[LessonCase], runtimes: list[str]) -> dict[str, RuntimeResult]:
        """Every case on every runtime named (side by side); FunctionNotFound when a runtime finds no such function."""
        return self.collect(self.submit(check, cases, runtimes))

    def submit(self, check: Check, cases: list[LessonCase], runtimes: list[str]) -> "Pending":
        """The calls sent, not waited for: a run submits every check before it collects the first."""
        pending: dict[str, list[tuple[Future, Lesson | None, int]]] = {}
        results: dict[str, RuntimeResult] = {}
        wire = [wire_case(check, case) for case in cases]
        for name in runtimes:
            if name in self.unavailable:
                results[name] = RuntimeResult(name, False, f"cannot run here: {self.unavailable[name]}")
                continue
            pending[name] = []
            for first in range(0, len(wire), CHUNK):
                chunk = wire[first:first + CHUNK]
                try:
                    target, argument, lesson = self._request(name, check, chunk)
                except RuntimeFailure as exc:
                    results[name] = RuntimeResult(name, False, exc.reason)
                    pending.pop(name)
                    break
                pending[name].append((self._slot(name).call(target, argument, self.run_timeout), lesson, len(chunk)))
        return Pending(check, runtimes, pending, results)

    def collect(self, handle: "Pending") -> dict[str, RuntimeResult]:
        results = dict(handle.done)
        for name, futures in handle.futures.items():
            results[name] = self._collect(name, handle.check, futures)
        return {name: results[name] for name in handle.runtimes}

    def _collect(self, name: str, check: Check, futures: list) -> RuntimeResult:
        outcomes: list[dict[str, Any]] = []
        for future, lesson, count in futures:
            try:
                response = json.loads(future.result())
            except RuntimeFailure as exc:
                return RuntimeResult(name, False, exc.reason, outcomes)
            fix = lesson.map_js_error if language_of(name) == "js" else (lambda record: record)
            if response.get("ok") is False:  # the whole call failed: the file could not load, or has no such function
                err = fix(response.get("error") or {})
                if err.get("not_found"):
                    key = language_of(name)
                    raise FunctionNotFound(f"{check.manifest}: check {check.name!r}: {key}: {err.get('message')}")
                return RuntimeResult(name, False, f"the file failed to load: {describe_error(err)}", outcomes)
            for result in response["results"]:
                if result["ok"]:
                    outcomes.append({"ok": True, "outputs": {k: decode_array(v) for k, v in result["outputs"].items()}})
                else:
                    outcomes.append({"ok": False, "error": fix(result.get("error") or {})})
            if len(response["results"]) != count:
                return RuntimeResult(name, False, f"sent {count} cases, got {len(response['results'])} results back",
                                     outcomes)
        return RuntimeResult(name, True, None, outcomes, self.slots[name].versions())
