"""`grade --lessons COURSE.toml --exercise NAME SUBMISSION.py --results results.json`: a declared exercise."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..grading import GradeError
from ..grading.declared import grade_declared
from ..grading.results import results_json


def main(args) -> int:
    if args.lessons is None or args.exercise is None:
        missing = "--exercise NAME" if args.lessons is not None else "--lessons COURSE.toml"
        print(f"error: grade: a declared exercise needs --lessons and --exercise ({missing} is missing)", file=sys.stderr)
        return 2
    try:
        verdict = grade_declared(args.lessons, args.exercise, args.submission, args.timeout)
    except GradeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = results_json(verdict, hidden_visibility=args.hidden_visibility)
    # Written before anything is printed: a results file that could not be written must not leave a
    # verdict on the screen that a script could take for the grade.
    if args.results:
        try:
            Path(args.results).write_text(json.dumps(results, indent=1) + "\n")
        except OSError as exc:
            print(f"error: cannot write --results {args.results}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    # Hidden cases by name only, as the learner sees them in results.json.
    print("\n".join([results["output"], *(f"  [{t['status']}] {t['output'] if t['visibility'] != 'hidden' else t['name']}"
                                          for t in results["tests"])]))
    if verdict.isolation is not None and verdict.isolation.weaker:
        print(f"note: {verdict.isolation.weaker}", file=sys.stderr)
    return 0 if verdict.passed else 1
