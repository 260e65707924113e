"""Each lesson of examples/backprop-course with a seeded bug (tests/course_bugs/) in one of its two
languages: check must fail that lesson's check, and shrink the failing case to the smallest dims at
which the bug shows. Those dims come from tests/course_bugs/expected.py, worked out from each bug by
hand and confirmed by brute force over the dims, not from the shrinker. Native against js-node (the
buggy Python against the correct JavaScript, or the reverse), through ``crosscheck.check_lessons``
(the run `check` makes) on the session's runtimes, each course variant in a tmp folder."""

from __future__ import annotations

import importlib.util
import shutil
import tomllib
from pathlib import Path

import pytest

import crosscheck
from crosscheck.paths import REPO

COURSE = REPO / "examples" / "backprop-course"
BUGS = Path(__file__).parent / "course_bugs"


def _expected() -> dict[str, dict]:
    spec = importlib.util.spec_from_file_location("course_bugs_expected", BUGS / "expected.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPECTED


EXPECTED = _expected()


def lesson_file(bug: str) -> str:
    """dense_first_row_biases.py → dense.py: the lesson file the bug replaces."""
    stem, _, rest = bug.partition("_")
    return f"{stem}{Path(rest).suffix}"


def course_with(tmp_path: Path, bug: str) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(COURSE, folder, ignore=shutil.ignore_patterns("node_modules", "README.md"))
    target = folder / lesson_file(bug)
    assert target.is_file(), f"{bug} replaces {target.name}, which the course does not have"
    shutil.copy(BUGS / bug, target)
    return folder / "course.toml"


def test_every_lesson_has_a_seeded_bug():
    checks = tomllib.loads((COURSE / "course.toml").read_text())["check"]
    lessons = {check[lang].split(":")[0].split(".")[0] for check in checks for lang in ("python", "js") if lang in check}
    assert {lesson_file(bug).split(".")[0] for bug in EXPECTED} == lessons
    assert {p.name for p in BUGS.glob("*_*.*") if p.name != "expected.py"} == set(EXPECTED)


@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_check_catches_the_bug_and_shrinks_it(tmp_path, bug, crosscheck_pool):
    expected = EXPECTED[bug]
    report = crosscheck.check_lessons(course_with(tmp_path, bug), random=20, seed=1, runtimes=["native", "js-node"],
                                      checks=[expected["check"]])
    assert not report.ok, report.table()
    entry = report.check(expected["check"])
    assert entry["runtimes"]["native"]["ran"] and entry["runtimes"]["js-node"]["ran"]
    assert entry["minimal_case"]["dims"] == expected["min_dims"], report.explain()
    assert f"check {expected['check']!r}: js-node " in report.explain()
    assert "minimal_case_file" not in entry and not list(tmp_path.rglob("minimal-case-*.json"))


def test_a_bug_that_needs_two_rows_shrinks_to_two_rows(tmp_path, crosscheck_pool):
    bug = "dense_first_row_biases.py"
    assert EXPECTED[bug]["min_dims"]["batch"] == 2
    report = crosscheck.check_lessons(course_with(tmp_path, bug), random=20, seed=1, runtimes=["native", "js-node"],
                                      checks=["dense layer (sigmoid)"])
    case = report.check("dense layer (sigmoid)")["minimal_case"]
    assert len(case["inputs"]["inputs"]) == len(case["inputs"]["dLossWrtLayerOutput"]) == 2
    # Only dBiases is wrong, and the shrunk case still shows it.
    failing = {o for o, info in report.check("dense layer (sigmoid)")["minimal_case_outputs"].items()
               if not info["runtimes"]["js-node"]["ok"]}
    assert failing == {"dBiases"}
