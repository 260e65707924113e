"""A course's declared exercises: the manifest's [[exercise]] tables (one-line errors), and
``grade --lessons COURSE.toml --exercise NAME``: a correct, a wrong and a mistaken submission give exit
0/1/1 and a results.json of Gradescope's shape, with the author's hint for the mistake."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crosscheck.lessons.manifest import ManifestError, load_manifest
from crosscheck.paths import REPO

COURSE = REPO / "examples" / "backprop-course"

GOOD = '''import numpy as np


def mean_squared_error(predictions, targets):
    samples, outputs = predictions.shape
    loss = np.mean(np.mean((predictions - targets) ** 2, axis=1))
    return {"loss": float(loss), "dPredictions": 2.0 * (predictions - targets) / (samples * outputs)}
'''
MISTAKEN = GOOD.replace("2.0 * (predictions - targets)", "(predictions - targets)")      # the factor 2 forgotten
WRONG = GOOD.replace("2.0 * (predictions - targets)", "2.0 * (predictions - 0.9 * targets)")
ENDLESS = GOOD.replace("    samples, outputs", "    while True:\n        pass\n    samples, outputs")

# Gradescope's autograder results specification: the keys it reads, and the values it accepts.
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def assert_gradescope_shape(results: dict) -> None:
    assert set(results) <= TOP_KEYS, set(results) - TOP_KEYS
    assert isinstance(results["score"], float) and isinstance(results["output"], str)
    assert results["visibility"] in VISIBILITY and results["stdout_visibility"] in VISIBILITY
    assert isinstance(results["tests"], list) and results["tests"]
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITY
    assert results["score"] == sum(t["score"] for t in results["tests"])


def grade(tmp_path: Path, source: str, *extra: str, exercise: str = "mse"):
    submission, results = tmp_path / "submission.py", tmp_path / "results.json"
    submission.write_text(source)
    done = subprocess.run([sys.executable, "-m", "crosscheck", "grade", "--lessons", str(COURSE / "course.toml"),
                           "--exercise", exercise, str(submission), "--results", str(results), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    return done, (json.loads(results.read_text()) if results.exists() else None)


def test_a_correct_submission_gets_full_marks_and_exit_0(tmp_path):
    done, results = grade(tmp_path, GOOD)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_gradescope_shape(results)
    maximum = sum(t["max_score"] for t in results["tests"])
    assert results["score"] == maximum == 7.0   # three lesson cases and the exercise's four hidden ones
    assert [t["visibility"] for t in results["tests"]] == ["visible"] * 3 + ["hidden"] * 4
    extra = results["extra_data"]
    assert extra["version"] == load_manifest(COURSE / "course.toml").exercises[2].version and extra["passed"] is True
    assert extra["lti"] | {"comment": "", "timestamp": ""} == {
        "scoreGiven": 7.0, "scoreMaximum": 7.0, "activityProgress": "Completed", "gradingProgress": "FullyGraded",
        "comment": "", "timestamp": ""}
    assert extra["scorm"] == {"cmi.score.raw": 7.0, "cmi.score.min": 0.0, "cmi.score.max": 7.0,
                              "cmi.score.scaled": 1.0, "cmi.success_status": "passed",
                              "cmi.completion_status": "completed"}


def test_a_declared_mistake_gets_the_authors_hint_and_exit_1(tmp_path):
    done, results = grade(tmp_path, MISTAKEN, "--hidden-visibility", "after_published")
    assert [t["visibility"] for t in results["tests"]] == ["visible"] * 3 + ["after_published"] * 4
    assert done.returncode == 1, done.stdout + done.stderr
    assert_gradescope_shape(results)
    assert results["score"] < sum(t["max_score"] for t in results["tests"])
    hint = "the factor 2 is missing"
    assert hint in results["extra_data"]["hint"] and hint in results["output"] and hint in done.stdout
    assert results["extra_data"]["mistake"] == "forgot_the_two"
    assert results["extra_data"]["lti"]["scoreGiven"] == results["score"]


def test_a_wrong_submission_names_output_case_and_element_and_exits_1(tmp_path):
    done, results = grade(tmp_path, WRONG)
    assert done.returncode == 1, done.stdout + done.stderr
    assert_gradescope_shape(results)
    assert results["score"] < sum(t["max_score"] for t in results["tests"])
    assert results["extra_data"]["hint"] is None and results["extra_data"]["scorm"]["cmi.success_status"] == "failed"
    first = results["tests"][0]["output"]
    assert first.startswith("dPredictions is wrong in lesson case 1 (batch=1, outputs=1): first wrong element "
                            "dPredictions[0][0]: expected "), first
    # The lesson case's expected value, worked out here from the loss's definition: d/dp (p - t)² = 2 (p - t).
    from crosscheck.lessons.cases import draw_cases

    case = draw_cases(load_manifest(COURSE / "course.toml").exercises[2].check, 1, 0)[0]
    p, t = case.inputs["predictions"][0, 0], case.inputs["targets"][0, 0]
    expected, given = first.split("expected ")[1].split(", given ")
    assert float(expected) == pytest.approx(2 * (p - t), rel=1e-12)
    assert float(given) == pytest.approx(2 * (p - 0.9 * t), rel=1e-12)
    # Hidden cases say they failed, never their values.
    assert all("expected" not in t["output"] for t in results["tests"] if t["visibility"] == "hidden")


def test_an_endless_loop_is_stopped_and_fails(tmp_path):
    done, results = grade(tmp_path, ENDLESS, "--timeout", "1")
    assert done.returncode == 1 and results["score"] == 0.0, done.stdout + done.stderr
    assert "still running after 1 s" in results["output"]


@pytest.mark.parametrize("source, named", [
    (GOOD.replace("2.0 * (predictions", "(1 + 0j) * 2.0 * (predictions"), "complex numbers"),
    (GOOD.replace("import numpy as np\n", "import numpy as np, os, sys\n"
                  "sys.path[:] = [p for p in sys.path] + [os.path.dirname(os.path.realpath(np.__file__)) + '/..']\n"
                  "from python_core.functions import mean_squared_error as _ref\n"), "ModuleNotFoundError"),
])
def test_a_declared_exercise_runs_in_grades_sandbox_and_real_floats_only(tmp_path, source, named):
    # The sandbox of the layer exercise holds here too: NumPy's own folder leads nowhere near the harness,
    # and an imaginary part is named, not dropped.
    done, results = grade(tmp_path, source)
    assert done.returncode == 1 and results["score"] == 0.0, done.stdout + done.stderr
    assert named in results["output"] + json.dumps(results["tests"]), results
    assert "Traceback" not in done.stderr


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    done, _ = grade(tmp_path, GOOD, exercise="nope")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "no exercise named 'nope' (its exercises: 'dense-sigmoid', 'softmax-ce', 'mse')" in done.stderr
    done, _ = grade(tmp_path, "def mean_squared_error(:\n")
    assert done.returncode == 2 and "SyntaxError" in done.stderr and done.stderr.count("\n") == 1


@pytest.fixture
def course(tmp_path: Path) -> Path:
    shutil.copytree(COURSE, tmp_path / "course", ignore=shutil.ignore_patterns("node_modules"))
    return tmp_path / "course" / "course.toml"


@pytest.mark.parametrize("old, new, message", [
    ('check = "softmax cross-entropy"', 'check = "softmax"',
     "exercise 'softmax-ce': check: no check named 'softmax' (the manifest's checks: 'dense layer (sigmoid)'"),
    ("exercises/mse_starter.py", "exercises/missing.py",
     "exercise 'mse': starter: exercises/missing.py: no such file"),
    ("mse_mistakes.py:forgot_the_two", "mse_mistakes.py:forgot-the-two",
     "exercise 'mse': mistake[0].python: expected \"FILE:FUNCTION\" with a function name"),
    ("mse_mistakes.py:forgot_the_two", "mse_mistakes.py:forgot_two",
     "exercise 'mse': mistake[0].python: mse_mistakes.py defines no 'forgot_two'"),
    ("solutions.py:mean_squared_error", "solutions.py:mse", "exercise 'mse': solution: solutions.py defines no 'mse'"),
    ("hidden_cases = 4\nmax_attempts", "hidden_cases = 4.5\nmax_attempts",
     "exercise 'mse': hidden_cases: expected an integer in [0, 100], got 4.5"),
    ('hint = "The sign', 'hnt = "The sign', "exercise 'mse': mistake[2].hnt: unknown key (a mistake has python, hint)"),
])
def test_an_exercise_error_is_one_line_naming_the_exercise_and_key(course, old, new, message):
    text = course.read_text()
    assert old in text
    course.write_text(text.replace(old, new, 1))
    with pytest.raises(ManifestError) as caught:
        load_manifest(course)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_starter_without_the_checks_function_is_refused(course):
    (course.parent / "exercises" / "mse_starter.py").write_text("def mse(p, t):\n    return todo('x')\n")
    with pytest.raises(ManifestError, match="exercise 'mse': starter: mse_starter.py defines no function "
                                            "'mean_squared_error'"):
        load_manifest(course)


def test_the_version_follows_the_exercises_content(course):
    before = {e.name: e.version for e in load_manifest(course).exercises}
    assert before == {e.name: e.version for e in load_manifest(course).exercises}   # the same content, the same version
    hint = (course.parent / "exercises" / "mse_mistakes.py")
    course.write_text(course.read_text().replace("the factor 2 is missing", "the 2 is missing"))
    after = {e.name: e.version for e in load_manifest(course).exercises}
    assert after["mse"] != before["mse"] and after["softmax-ce"] == before["softmax-ce"]
    hint.write_text(hint.read_text() + "\n# an edit of a mistake's file\n")
    assert load_manifest(course).exercises[2].version != after["mse"]


def test_build_site_refuses_a_broken_exercise_in_one_line_before_building(course, tmp_path, capsys):
    from crosscheck.cli import main as cli_main

    course.write_text(course.read_text().replace("exercises/mse_starter.py", "exercises/gone.py"))
    out = tmp_path / "site"
    assert cli_main(["build-site", "--lessons", str(course), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --lessons ") and "exercise 'mse': starter: exercises/gone.py: no such file" in err
    assert err.count("\n") == 1 and not out.exists()


def test_grade_lessons_needs_its_exercise(tmp_path):
    submission = tmp_path / "s.py"
    submission.write_text(GOOD)
    done = subprocess.run([sys.executable, "-m", "crosscheck", "grade", "--lessons", str(COURSE / "course.toml"),
                           str(submission)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--exercise NAME is missing" in done.stderr and done.stderr.count("\n") == 1


def test_build_site_refuses_a_page_reference_that_disagrees_with_the_graders(course, tmp_path, capsys):
    """The page judges by the check's JavaScript function, grade by its Python one: they must agree."""
    from crosscheck.cli import main as cli_main

    text = course.read_text()
    course.write_text(text[:text.index("[[exercise]]")] + text[text.index('[[exercise]]\nname = "mse"'):])  # mse alone
    js = course.parent / "losses.js"
    js.write_text(js.read_text().replace("return { loss, dPredictions }", "return { loss, dPredictions: dPredictions.map((r) => r.map((v) => 1.01 * v)) }", 1))
    out = tmp_path / "site"
    assert cli_main(["build-site", "--lessons", str(course), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "exercise 'mse': check 'mean squared error': its JavaScript function (losses.js) and its Python function " \
           "(losses.py) disagree on dPredictions in lesson case 1" in err and err.count("\n") == 1 and not out.exists()
