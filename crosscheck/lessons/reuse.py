"""What `watch` keeps between runs of a course: each runtime's results for one check, reused while the
side they came from is unchanged.

A runtime's results depend on the text of its language's file (for JavaScript, the bundle, so an
imported file of the author's counts too), on the check (its name, the function, the arguments) and
on the cases, and on nothing else: the comparison, the tolerance and the report are made afresh every
run. So a save of a lesson's JavaScript re-runs that check's JavaScript runtimes only, and a save of
the manifest re-runs only the checks whose cases or functions it changed. Results of a runtime that
did not run are never kept: it is tried again next time.
"""

from __future__ import annotations

import hashlib
import json

from .cases import LessonCase, wire_case
from .manifest import Check
from .run import RuntimeResult, Sources, language_of


def cases_digest(check: Check, cases: list[LessonCase]) -> str:
    wire = [wire_case(check, case) for case in cases]
    return hashlib.sha256(json.dumps(wire, sort_keys=True).encode()).hexdigest()


def side_key(check: Check, runtime: str, cases_sha: str, sources: Sources) -> str:
    """What one runtime's results for ``check`` depend on, as one digest."""
    ref = check.python if language_of(runtime) == "python" else check.js
    assert ref is not None
    lesson = sources.lesson(ref)
    text = lesson.files()[ref.language]["sha256"]
    bundle = lesson.bundle().version if ref.language == "js" else None
    parts = [runtime, check.name, ref.language, str(ref.path), ref.function, list(check.args), text, bundle, cases_sha]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class Reuse:
    """The latest results of every (check, runtime) of one watch, with the key they were made under."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], tuple[str, RuntimeResult]] = {}

    def _keys(self, check: Check, runtimes: list[str], cases: list[LessonCase], sources: Sources) -> dict[str, str]:
        digest = cases_digest(check, cases)
        return {runtime: side_key(check, runtime, digest, sources) for runtime in runtimes}

    def take(self, check: Check, runtimes: list[str], cases: list[LessonCase],
             sources: Sources) -> dict[str, RuntimeResult]:
        """The kept results of ``runtimes`` that still hold for this check's files and cases."""
        out = {}
        for runtime, key in self._keys(check, runtimes, cases, sources).items():
            kept = self._kept.get((check.name, runtime))
            if kept is not None and kept[0] == key:
                out[runtime] = kept[1]
        return out

    def keep(self, check: Check, results: dict[str, RuntimeResult], cases: list[LessonCase],
             sources: Sources) -> None:
        ran = {runtime: result for runtime, result in results.items() if result.ran}
        for runtime, key in self._keys(check, list(ran), cases, sources).items():
            self._kept[(check.name, runtime)] = (key, ran[runtime])
