"""``build-site --lessons COURSE.toml``: one exercise page per exercise the course declares.

For each exercise the site gets ``pages/exercise-NAME.html`` (declared.html naming the exercise),
``pages/exercises/NAME.json`` (what the page needs: the check's declaration, the starter, the lesson's
cases, each declared mistake's results on those cases, the optional instructions, attempts and solution,
and the exercise's version) and ``pages/exercises/NAME-reference.mjs``, the check's JavaScript file
bundled: the page's reference. The check's Python function, the grader's reference, never ships; the
mistakes ship as their results only (numbers), never as code. A declared ``solution`` ships as its source:
a determined learner can read it (docs/pages.md).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from python_core.functions import encode_result

from ..lessons.cases import wire_case
from ..lessons.exercises import Exercise, check_declaration
from ..lessons.manifest import ManifestError, load_manifest

TEMPLATE = "pages/declared.html"


def read_exercises(manifest: Path) -> list[Exercise]:
    """The course's declared exercises, every file checked, the JavaScript bundled and agreeing with the Python
    (ManifestError, one line)."""
    loaded = load_manifest(manifest)
    if not loaded.exercises:
        raise ManifestError(f"{manifest}: declares no [[exercise]]")
    check_references_agree(loaded.exercises)
    return loaded.exercises


def _wire_outputs(outputs: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if outputs is None else {k: encode_result(v) for k, v in outputs.items()}


def _reference_results(exercise: Exercise) -> tuple[list, list[dict[str, Any]]]:
    from ..grading.declared import lesson_cases, run_reference

    check = exercise.check
    cases = lesson_cases(check)
    expected = run_reference(check.python, check, cases)
    if any(r is None for r in expected):
        raise ManifestError(f"{check.manifest}: exercise {exercise.name!r}: the check's Python function raises on "
                            f"one of the lesson's cases (run `check` on the course)")
    return cases, expected


def check_references_agree(exercises: list[Exercise]) -> None:
    """The page judges by the check's JavaScript function and ``grade`` by its Python one: on the lesson's
    cases they must agree within the check's tolerance (run in js-node), or a learner's page and their grade
    would disagree. ManifestError (one line) naming the exercise, the case and the output when not."""
    from ..lessons.compare import case_differences
    from ..lessons.run import Session, Sources

    sources = Sources()
    with Session(["js-node"], sources, progress=lambda _runtime: (lambda _message: None)) as session:
        for exercise in exercises:
            check = exercise.check
            cases, expected = _reference_results(exercise)
            sources.prepare(check)
            result = session.run(check, cases, ["js-node"])["js-node"]
            where = f"{check.manifest}: exercise {exercise.name!r}: check {check.name!r}"
            if not result.ran:
                raise ManifestError(f"{where}: its JavaScript function could not be run in js-node: {result.reason}")
            for case, ref, outcome in zip(cases, expected, result.outcomes):
                if not outcome["ok"]:
                    raise ManifestError(f"{where}: its JavaScript function raised on {case.label}: "
                                        f"{outcome['error'].get('message')}")
                wrong = [n for n, d in case_differences(check, {"ok": True, "outputs": ref}, outcome).items() if not d["ok"]]
                if wrong:
                    raise ManifestError(f"{where}: its JavaScript function ({check.js.path.name}) and its Python function "
                                        f"({check.python.path.name}) disagree on {wrong[0]} in {case.label}: the page and "
                                        f"grade would judge differently (run `check` on the course)")


def exercise_json(exercise: Exercise) -> dict[str, Any]:
    from ..grading.declared import run_reference

    check = exercise.check
    cases, expected = _reference_results(exercise)
    return {
        "name": exercise.name, "slug": exercise.slug, "version": exercise.version,
        "function": exercise.function, "reference": check.js.function,
        "check": check_declaration(check), "outputs": list(expected[0]),
        "starter": exercise.starter_text, "instructions": exercise.instructions_text,
        "maxAttempts": exercise.max_attempts, "solution": exercise.solution_text(),
        "hiddenCases": exercise.hidden_cases,
        "lessonCases": [{"label": c.label, "dims": c.dims, "inputs": wire_case(check, c)} for c in cases],
        # Each mistake as its results on the lesson's cases (None where it raised): numbers, never its code.
        "mistakes": [{"hint": m.hint, "results": [_wire_outputs(r) for r in run_reference(m.python, check, cases)]}
                     for m in exercise.mistakes],
    }


def write_exercises(out: Path, exercises: list[Exercise], bundle) -> list[dict[str, str]]:
    """The pages, descriptions and reference bundles into the site at ``out``; ``bundle(js_path, dest)``
    writes a JavaScript file's site bundle. → [{name, version, page}] for the site's manifest."""
    from ..author import Lesson

    folder = out / "pages" / "exercises"
    folder.mkdir(parents=True, exist_ok=True)
    template = (out / TEMPLATE).read_text(encoding="utf-8")
    if '<html lang="en">' not in template:
        raise ManifestError(f"{TEMPLATE} no longer starts with <html lang=\"en\"> as build-site expects")
    written = []
    for exercise in exercises:
        (folder / f"{exercise.slug}.json").write_text(json.dumps(exercise_json(exercise)), encoding="utf-8")
        bundle(Lesson(js=exercise.check.js.path), folder / f"{exercise.slug}-reference.mjs")
        page = f"exercise-{exercise.slug}.html"
        (out / "pages" / page).write_text(template.replace(
            '<html lang="en">', f'<html lang="en" data-exercise="{exercise.slug}">', 1), encoding="utf-8")
        written.append({"name": exercise.name, "version": exercise.version, "page": f"pages/{page}"})
    _list_on_index(out / "pages" / "index.html", exercises)
    return written


def _list_on_index(index: Path, exercises: list[Exercise]) -> None:
    """A card on the site's landing page linking each exercise (the page names no exercise of its own)."""
    text = index.read_text(encoding="utf-8")
    if "  </main>" not in text:
        return
    items = "".join(f'<li><a href="./exercise-{e.slug}.html">{html.escape(e.name)}</a>: write '
                    f"<code>{html.escape(e.function)}</code></li>" for e in exercises)
    card = (f'    <section class="card" id="course-exercises">\n      <h2>The course\'s exercises</h2>\n'
            f"      <ul>{items}</ul>\n    </section>\n")
    index.write_text(text.replace("  </main>", card + "  </main>", 1), encoding="utf-8")
