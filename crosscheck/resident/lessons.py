"""The pool's ``check`` op: a course's checks run through the pool's spares, as ``check`` runs them cold.

The client settles the plan (the manifests read, the cases drawn, the runtimes chosen) and sends it;
the daemon reads the manifests again for the checks, bundles the JavaScript (once per file text: the
pool keeps each file's Lesson while its bytes are unchanged, so a second run bundles nothing), and
runs crosscheck.lessons.course.run_plan with runtimes taken from the spares: a fresh interpreter per
run. A request may name a *reuse* token (``watch``'s): the pool then keeps that watch's results of
each (check, runtime) and reuses those whose file text, check and cases are unchanged
(crosscheck.lessons.reuse), so only the side a save changed runs again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..author.lesson import Lesson
from ..lessons.cases import LessonCase
from ..lessons.course import Plan, public, run_plan
from ..lessons.manifest import Check, FunctionRef, ManifestError, load_manifest
from ..lessons.reuse import Reuse
from ..lessons.run import Sources
from .spares import PooledRuntime

MAX_WATCHES = 8  # reuse stores kept at once (one per watch); the oldest is dropped first


# --- the plan, both ways ----------------------------------------------------------------------------
def plan_message(plan: Plan) -> dict[str, Any]:
    """The plan as JSON: the checks by manifest and name, every case's values (floats by repr: every bit)."""
    return {"checks": [{"manifest": str(c.manifest), "name": c.name} for c in plan.checks],
            "cases": {name: [{"label": case.label, **case.to_json()} for case in cases]
                      for name, cases in plan.cases.items()},
            "runtimes": plan.runtimes, "unavailable": plan.unavailable, "not_checked": plan.not_checked,
            "seed": plan.seed, "random": plan.random, "loose": bool(plan.loose)}


def plan_from_message(message: dict[str, Any]) -> Plan:
    """The plan again, its checks read from the manifests as they are now; ManifestError when a manifest
    no longer has a check the client saw (saved in between: the next run sees the new one)."""
    manifests: dict[str, dict[str, Check]] = {}
    checks = []
    for ref in message["checks"]:
        if ref["manifest"] not in manifests:
            manifests[ref["manifest"]] = {c.name: c for c in load_manifest(ref["manifest"]).checks}
        check = manifests[ref["manifest"]].get(ref["name"])
        if check is None:
            raise ManifestError(f"{ref['manifest']}: check {ref['name']!r}: changed while the run started; run again")
        checks.append(check)
    cases = {}
    for check in checks:
        cases[check.name] = [
            LessonCase(raw["label"], {k: int(v) for k, v in raw["dims"].items()},
                       {name: np.asarray(raw["inputs"][name], dtype=np.int64 if spec.is_int else np.float64)
                        for name, spec in check.inputs.items()})
            for raw in message["cases"][check.name]]
    from ..lessons.plan import CLI, loose_tolerances

    # Read again: a manifest saved since the client planned may now declare a loose tolerance.
    loose = loose_tolerances(checks, bool(message.get("loose")), CLI)
    return Plan(checks, cases, list(message["runtimes"]), dict(message["unavailable"]), dict(message["not_checked"]),
                message["seed"], message["random"], loose=loose)


# --- what the pool keeps between runs ---------------------------------------------------------------
class Courses:
    """The pool's lessons (by file, while its bytes are unchanged) and the watches' reuse stores."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lessons: dict[tuple[str, Path], Lesson] = {}
        self.watches: OrderedDict[str, Reuse] = OrderedDict()

    def lesson(self, ref: FunctionRef) -> Lesson:
        """The kept Lesson of the file when its bytes (and, for JavaScript, its bundle on disk) are the
        ones it was made from; else a new one, bundled now. Under the lock: two runs bundle a file once."""
        with self.lock:
            key = (ref.language, ref.path)
            kept = self.lessons.get(key)
            if kept is not None and _unchanged(kept, ref):
                return kept
            lesson = Lesson(**{ref.language: ref.path})
            if ref.language == "js":
                lesson.bundle()
            self.lessons[key] = lesson
            return lesson

    def reuse(self, token: str | None) -> Reuse | None:
        if not token:
            return None
        with self.lock:
            store = self.watches.pop(token, None) or Reuse()
            self.watches[token] = store
            while len(self.watches) > MAX_WATCHES:
                self.watches.popitem(last=False)
            return store


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _unchanged(lesson: Lesson, ref: FunctionRef) -> bool:
    if _sha256(ref.path) != lesson.files()[ref.language]["sha256"]:
        return False
    if ref.language == "js":
        # The bundle's file is per source path: a cold run elsewhere may have bundled other text into it.
        bundle = lesson.bundle()
        return (_sha256(bundle.file) or "")[:16] == bundle.version
    return True


class PoolSources(Sources):
    """One run's files: each taken from the pool's Courses once, then the same Lesson for the whole run."""

    def __init__(self, courses: Courses) -> None:
        super().__init__()
        self._courses = courses

    def lesson(self, ref: FunctionRef) -> Lesson:
        key = (ref.language, ref.path)
        if key not in self._lessons:
            self._lessons[key] = self._courses.lesson(ref)
        return self._lessons[key]


# --- the op -----------------------------------------------------------------------------------------
def run_check(request: dict[str, Any], courses: Courses, slot: Callable, used: list,
              send: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The report (as JSON) of the request's plan, its runtimes taken from the spares (``slot(name, endpoint)``);
    ManifestError (bad input) for what the manifest or its files get wrong."""
    plan = plan_from_message(request["plan"])
    sources = PoolSources(courses)
    for check in plan.checks:
        sources.prepare(check)  # a file that cannot be used, a JavaScript export missing: one line
    endpoint = request.get("browser_endpoint")
    boot_timeout, run_timeout = request.get("boot_timeout"), request.get("run_timeout")

    def make(name: str):
        return PooledRuntime(slot(name, endpoint), used, boot_timeout, run_timeout)

    def progress(name: str):
        return lambda stage: send({"type": "progress", "runtime": name, "stage": stage})

    case_dir = request.get("case_dir")
    report = run_plan(plan, sources, shrink_failures=request.get("shrink", True),
                      case_dir=Path(case_dir) if case_dir else None, boot_timeout=boot_timeout,
                      run_timeout=run_timeout, browser_endpoint=endpoint, progress=progress, make=make,
                      reuse=courses.reuse(request.get("reuse")))
    return json.loads(json.dumps(public(report), default=_plain))


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
