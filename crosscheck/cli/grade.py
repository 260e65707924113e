"""`grade`: the exercise's check on a submission file, natively, on hidden random cases."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from python_core import ACTIVATIONS

from ..grading import GradeError, grade
from ..grading.grade import DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S
from . import checks


def register(sub) -> None:
    p = sub.add_parser("grade", help="grade an exercise submission (a file with class DenseLayer) on hidden "
                                     "random cases; exit 0 pass, 1 fail, 2 bad submission")
    p.add_argument("submission", type=Path, help="the learner's Python file, defining class DenseLayer (with --lessons: the exercise's function)")
    p.add_argument("--activation", default="sigmoid", choices=sorted(ACTIVATIONS),
                   help="the activation of the exercise the submission answers (default sigmoid)")
    p.add_argument("--json", type=checks.output_file, metavar="PATH",
                   help="also write the verdict and feedback as JSON to PATH (a regular file)")
    p.add_argument("--lessons", type=Path, metavar="COURSE.toml",
                   help="grade a course's declared exercise (with --exercise) instead of the DenseLayer exercise")
    p.add_argument("--exercise", metavar="NAME", help="the declared exercise's name in --lessons")
    p.add_argument("--results", type=checks.output_file, metavar="PATH",
                   help="with --lessons: write Gradescope's results.json (with LTI and SCORM scores) to PATH")
    p.add_argument("--hidden-visibility", choices=("hidden", "after_published", "after_due_date"), default="hidden",
                   help="with --results: when Gradescope shows the hidden cases' tests to the learner (default hidden: never)")
    p.add_argument("--timeout", type=checks.positive_at_most(MAX_TIMEOUT_S, "a grader waits for one submission at a time"),
                   default=DEFAULT_TIMEOUT_S,
                   help=f"seconds the submission may run (default {DEFAULT_TIMEOUT_S:g})")
    p.set_defaults(func=main, needs_home=False)


def main(args) -> int:
    if args.lessons is not None or args.exercise is not None or args.results is not None:
        from .grade_declared import main as declared

        return declared(args)
    try:
        verdict = grade(args.submission, args.activation, args.timeout)
    except GradeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:   # the machine's, not the submission's: no process or pipe to start it with
        print(f"error: cannot run the submission: {exc.strerror or exc}", file=sys.stderr)
        return 2
    # The JSON first: a verdict whose record could not be written is not printed, least of all as PASS.
    if args.json:
        try:
            with open(args.json, "w") as out:
                out.write(json.dumps(verdict.as_json(), indent=1) + "\n")
        except OSError as exc:
            print(f"error: cannot write --json {args.json}: {exc.strerror or exc}; no verdict given", file=sys.stderr)
            return 2
    if verdict.isolation is not None and verdict.isolation.weaker:
        print(f"note: {verdict.isolation.weaker}", file=sys.stderr)
    print(verdict.text())
    return 0 if verdict.passed else 1
