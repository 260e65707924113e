"""``grade``: the exercise's check run natively, for platforms that give credit.

The exercise page's verdict is computed in the learner's browser, so it is feedback, never
proof. ``grade`` runs the same check where the learner cannot reach it: the submission runs in a
sandbox (sandbox.py) holding only the standard library, the page's runner
(web_demo/pages/exercise_runner.py) and NumPy, on hidden random cases drawn here; the expected arrays come from python_core's
DenseLayer computed in this (the grading) process, and the arrays are judged here with the
page's rules and feedback (judge.py, a port of web_demo/pages/exercise-check.mjs).
"""

from .grade import GradeError, Verdict, grade

__all__ = ["GradeError", "Verdict", "grade"]
