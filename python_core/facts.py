"""The facts both languages read (facts.json beside this file): the lesson example and the lab's saturated
case, the activations, the lab's bits-lost flag,
the spec fields and result arrays, default tolerances (the harness's and the exercise's), timeouts, the
exercise's hidden shapes, the runtime folder's files.

The JSON ships inside the dense-parity wheel, so python_core reads the same file in Pyodide.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

FACTS: dict[str, Any] = json.loads(resources.files(__package__).joinpath("facts.json").read_text(encoding="utf-8"))

LESSON_EXAMPLE: dict[str, Any] = FACTS["lesson_example"]
SATURATED_EXAMPLE: dict[str, Any] = FACTS["saturated_example"]
FLAG_BITS_LOST: float = FACTS["flag_bits_lost"]
ACTIVATION_FACTS: dict[str, dict[str, Any]] = FACTS["activations"]
ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATION_FACTS)
SPEC_FIELDS: tuple[str, ...] = tuple(FACTS["spec_fields"])
RESULT_ARRAYS: tuple[str, ...] = tuple(FACTS["result_arrays"])
DEFAULT_RTOL: float = FACTS["tolerance"]["rtol"]
DEFAULT_ATOL: float = FACTS["tolerance"]["atol"]
EXERCISE_RTOL: float = FACTS["exercise"]["tolerance"]["rtol"]
EXERCISE_ATOL: float = FACTS["exercise"]["tolerance"]["atol"]
EXERCISE_HIDDEN_SHAPES: tuple[tuple[int, int, int], ...] = tuple(tuple(s) for s in FACTS["exercise"]["hidden_shapes"])
TIMEOUTS_S: dict[str, float] = {k: float(v) for k, v in FACTS["timeouts_s"].items()}
PYODIDE_FILES: tuple[str, ...] = tuple(FACTS["pyodide_files"])
