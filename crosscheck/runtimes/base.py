"""The one interface every runtime offers, whatever drives it (this process, a Node child, a browser):
start, ``call_entry(target, argument, timeout)`` (JSON text in, JSON text out), versions, close;
and on top of it ``run(cases)``, which carries a batch of cases as one wire request.

All runtimes speak python_core.wire: a batch of cases goes out as one JSON request and comes
back as one JSON response, so a case takes the same path everywhere.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from python_core.wire import decode_array, encode_spec

if TYPE_CHECKING:
    from ..author.lesson import Lesson

Progress = Callable[[str], None]


def describe_error(err: dict[str, Any]) -> str:
    """"Type: message", and where in the author's file it was raised when that is known."""
    where = f" ({err['file']}, line {err['line']})" if err.get("file") else ""
    return f"{err.get('type')}: {err.get('message')}{where}"


class RuntimeFailure(RuntimeError):
    """A runtime could not start or could not finish a batch; ``reason`` says why."""

    def __init__(self, runtime: str, reason: str) -> None:
        super().__init__(f"{runtime}: {reason}")
        self.runtime, self.reason = runtime, reason


def stderr_progress(runtime: str) -> Progress:
    started = time.monotonic()

    def report(stage: str) -> None:
        print(f"[{runtime}] {time.monotonic() - started:5.1f} s  {stage}", file=sys.stderr, flush=True)

    return report


class Runtime:
    """``with runtime:`` starts it (progress on stderr) and closes it; or call start() and close()."""

    name = ""
    language = "python"  # or "javascript": which implementation of the layer runs in it
    batch_target = "python_core.wire:run_batch"  # what run() calls
    in_process = False  # runs in this process: no boot or batch timeouts
    default = True      # part of the default run (opt-in runtimes are run only when named)
    # What start() needs on disk, checked before anything is launched, so that a missing file is
    # named instead of surfacing as a loader's stack trace or a boot timeout. The files lie under
    # one folder; a subclass says what a missing one means and what to run then.
    required_files: tuple[str, ...] = ()
    missing_means = ""  # e.g. "the offline Pyodide runtime is not assembled"
    missing_hint = ""   # what to run when one is missing

    @classmethod
    def missing_reason(cls, folder: Path | str) -> str | None:
        """Why ``folder`` cannot serve this runtime (the required files it lacks), or None."""
        folder = Path(folder)
        missing = [f for f in cls.required_files if not (folder / f).exists()]
        if not missing:
            return None
        return f"{cls.missing_means}: {folder} lacks {', '.join(missing)}; run {cls.missing_hint}"

    @classmethod
    def integrity_reason(cls, folder: Path | str) -> str | None:
        """Why the files in ``folder`` cannot be trusted (changed after they were built, or stale), or None."""
        return None

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """Why this runtime cannot run on this machine, or None when it can: a cheap check of
        its prerequisites with the default folders, nothing is launched."""
        return None

    def start(self, progress: Progress) -> None:
        """Boot the runtime; raise RuntimeFailure with the reason when it cannot."""

    def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
        """Call the entry point ``target`` (str → str) in the runtime; RuntimeFailure with the reason when
        the runtime cannot answer (within ``timeout`` seconds, or its default)."""
        raise NotImplementedError

    def call(self, request: str) -> str:
        """Send one wire request, return the wire response."""
        return self.call_entry(self.batch_target, request)

    def versions(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        """Release what start() took. Safe to call more than once."""

    def author_module_url(self, lesson: "Lesson") -> str:
        """Where this runtime imports the author's bundled JavaScript from (JavaScript runtimes only)."""
        raise RuntimeFailure(self.name, "cannot run an author's JavaScript file")

    def author_call(self, lesson: "Lesson", wire_cases: list[dict[str, Any]]) -> tuple[str, str]:
        """(target, argument) that runs the lesson's file for this runtime's language on the cases."""
        from ..author.lesson import JS_TARGET, PYTHON_TARGET

        if self.language == "python":
            return PYTHON_TARGET, lesson.python_argument(wire_cases)
        lesson.bundle()
        return JS_TARGET, json.dumps({"module": self.author_module_url(lesson), "cases": wire_cases})

    def run(self, cases: list[dict[str, Any]], lesson: "Lesson | None" = None) -> list[dict[str, Any]]:
        """One round-trip for the whole batch. Each outcome is ``{"ok": True, "arrays": {name: ndarray}}``
        or ``{"ok": False, "error": {"type", "message", "traceback"}}``. With a ``lesson`` whose file is in
        this runtime's language, the author's file runs instead of the built-in layer."""
        fix = (lambda record: record)
        if lesson is not None and lesson.replaces(self.language):
            target, argument = self.author_call(lesson, [encode_spec(case) for case in cases])
            response = json.loads(self.call_entry(target, argument))
            if self.language == "javascript":
                fix = lesson.map_js_error
        else:
            target = self.batch_target
            request = json.dumps({"cases": [encode_spec(case) for case in cases]})
            response = json.loads(self.call(request))
        if response.get("ok") is False:  # the entry points' error envelope: the whole call failed
            err = fix(response.get("error") or {})
            raise RuntimeFailure(self.name, f"{target} failed: {describe_error(err)}\n{err.get('traceback', '')}")
        outcomes = []
        for result in response["results"]:
            if result["ok"]:
                outcomes.append({"ok": True, "arrays": {k: decode_array(v) for k, v in result["arrays"].items()}})
            else:
                outcomes.append({**result, "error": fix(result.get("error") or {})})
        if len(outcomes) != len(cases):
            raise RuntimeFailure(self.name, f"sent {len(cases)} cases, got {len(outcomes)} results back")
        return outcomes

    def __enter__(self) -> "Runtime":
        try:
            self.start(stderr_progress(self.name))
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()
