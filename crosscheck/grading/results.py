"""A declared exercise's grade as the file autograders and learning platforms read: Gradescope's ``results.json``.

Top level, the keys of Gradescope's autograder specification only: ``score``, ``output``, ``visibility``,
``stdout_visibility``, ``tests`` (one per case: ``name``, ``number``, ``score``, ``max_score``,
``status``, ``output``, ``visibility``) and ``extra_data``, the specification's place for anything else:

* ``exercise``, ``version`` (the exercise's content hash, the page's ``result`` event carries the same),
  ``seed`` (of the hidden cases), ``passed``, ``hint`` and ``mistake`` (a declared mistake matched);
* ``lti``: the score as an LTI 1.3 Assignment and Grade Services score (``scoreGiven``,
  ``scoreMaximum``, ``activityProgress``, ``gradingProgress``, ``comment``, ``timestamp``), which a
  platform posts to the line item's scores endpoint with the learner's ``userId``;
* ``scorm``: the same as SCORM 2004's ``cmi.score.raw/min/max/scaled`` and ``cmi.success_status``.

Hidden cases carry ``visibility: "hidden"`` (or ``after_published``, ``after_due_date``: ``grade
--hidden-visibility``), and their ``output`` holds no value: their inputs and values are never shown to the
learner (the score they give is).
"""

from __future__ import annotations

import datetime
from typing import Any

from .declared import DeclaredVerdict

HIDDEN_VISIBILITIES = ("hidden", "after_published", "after_due_date")   # Gradescope's, for tests a learner does not see now


def results_json(verdict: DeclaredVerdict, now: datetime.datetime | None = None,
                 hidden_visibility: str = "hidden") -> dict[str, Any]:
    tests = []
    for number, case in enumerate(verdict.cases, 1):
        tests.append({"name": case.label, "number": str(number), "score": 1.0 if case.passed else 0.0,
                      "max_score": 1.0, "status": "passed" if case.passed else "failed",
                      "output": case.message if not case.hidden or case.passed else
                      "Wrong on this hidden case (its values are not shown).",
                      "visibility": hidden_visibility if case.hidden else "visible"})
    score = float(sum(t["score"] for t in tests))
    maximum = float(sum(t["max_score"] for t in tests))
    lines = [("PASS: " if verdict.passed else "FAIL: ") + verdict.summary]
    if verdict.hint:
        lines.append(f"Hint: {verdict.hint}")
    lines.append(f"{score:g} of {maximum:g} cases pass (exercise {verdict.exercise.name!r}, version {verdict.version}).")
    output = "\n".join(lines)
    timestamp = (now or datetime.datetime.now(datetime.timezone.utc)).isoformat(timespec="seconds")
    lti = {"scoreGiven": score, "scoreMaximum": maximum, "activityProgress": "Completed",
           "gradingProgress": "FullyGraded", "comment": output, "timestamp": timestamp}
    scorm = {"cmi.score.raw": score, "cmi.score.min": 0.0, "cmi.score.max": maximum,
             "cmi.score.scaled": score / maximum if maximum else 0.0,
             "cmi.success_status": "passed" if verdict.passed else "failed", "cmi.completion_status": "completed"}
    return {"score": score, "output": output, "visibility": "visible", "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"exercise": verdict.exercise.name, "version": verdict.version, "seed": verdict.seed,
                           "passed": verdict.passed, "hint": verdict.hint, "mistake": verdict.mistake,
                           "verified": True, "lti": lti, "scorm": scorm,
                           "isolation": None if verdict.isolation is None else
                           {"sandboxed": verdict.isolation.sandboxed, "name": verdict.isolation.name,
                            "weaker": verdict.isolation.weaker}}}
