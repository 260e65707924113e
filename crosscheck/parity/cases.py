"""The cases a run checks: the lesson example, and cases an author brings in a JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from python_core import SPEC_FIELDS, normalize_spec
from python_core.facts import LESSON_EXAMPLE

# The lesson's example (python_core/facts.json): 2 inputs, 3 sigmoid neurons, one sample. The lesson
# draws its weights at random (standard normal × 0.01), which no other runtime could reproduce, so a
# fixed draw at that scale is written out there; the biases are small and non-zero so that every term
# of z = x·W + b is exercised.
class CaseFileError(ValueError):
    pass


# Limits that keep one run inside the machine's memory (see docs/trust.md).
MAX_CASE_FILE_BYTES = 256 * 1024 * 1024
MAX_ARRAY_ELEMENTS = 1 << 20  # a 1024×1024 matrix


def lesson_cases() -> list[dict[str, Any]]:
    return [json.loads(json.dumps(LESSON_EXAMPLE))]  # a deep copy: a caller may edit its case


def _nonfinite(token: str) -> float:
    # Python's json reads NaN/Infinity; they are let through here so that the check below can
    # refuse them with the case and field they sit in, which a parse error could not name.
    return float(token)


def load_case_file(path: str | Path) -> list[dict[str, Any]]:
    """Cases from a JSON file: a list of specs, or ``{"cases": [...]}`` (a report's own format works).

    Every case is checked before anything runs; an error names the file, the case and the field.
    """
    from ..jsonin import JsonInputError, read_json

    path = Path(path)
    try:
        data = read_json(path, MAX_CASE_FILE_BYTES, parse_constant=_nonfinite)
    except JsonInputError as exc:
        raise CaseFileError(str(exc)) from None
    specs = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(specs, list) or not specs:
        raise CaseFileError(f"{path}: expected a non-empty list of cases, or an object with a \"cases\" list")
    cases = []
    # A report written with the failing cases' values only: its other cases have no spec to rerun.
    kept = [raw for raw in specs if not (isinstance(raw, dict) and raw.get("spec_omitted"))]
    if not kept:
        raise CaseFileError(f"{path}: a report that keeps no case's spec (no case failed, and it was written "
                            f"without --json-values full): nothing to rerun")
    for index, raw in enumerate(kept):
        name = raw.get("name") if isinstance(raw, dict) and isinstance(raw.get("name"), str) else f"#{index}"
        spec = raw.get("spec", raw) if isinstance(raw, dict) else raw  # report entries nest the spec
        try:
            normalized = normalize_spec(spec)
        except (TypeError, ValueError) as exc:
            raise CaseFileError(f"{path}: case {name!r} (index {index}): {exc}") from None
        big = [f"{k} has {normalized[k].size:,}" for k in SPEC_FIELDS[1:] if normalized[k].size > MAX_ARRAY_ELEMENTS]
        if big:
            raise CaseFileError(f"{path}: case {name!r} (index {index}): {', '.join(big)} elements; an array may "
                                f"hold at most {MAX_ARRAY_ELEMENTS:,}")
        cases.append({"name": name, **{k: spec[k] for k in SPEC_FIELDS}, "activation": normalized["activation"]})
    return cases


def spec_for_report(case: dict[str, Any]) -> dict[str, Any]:
    """The spec as JSON-ready lists. Python writes floats by their shortest round-trip repr,
    so the decimal text in the report still parses back to the same bits."""
    spec = normalize_spec(case)
    return {"activation": spec["activation"], **{f: spec[f].tolist() for f in SPEC_FIELDS[1:]}}
