"""A check's cases: drawn from the manifest (seeded), or read from a case file; and their wire form.

Drawn case ``k`` of a check depends on (seed, the check's name, k) only, so case 7 is the same in a
run of 10 and a run of 300, and adding a check to the manifest changes no other check's cases. The
first two cases take every dimension at its minimum, then at its maximum: the edges come first.
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from python_core.functions import encode_result

from .manifest import Check, InputSpec

CASE_FILE_KIND = "dense-parity lesson case"


class CaseFileError(ValueError):
    """A case file that cannot be used: one line, bad input (exit 2)."""


@dataclass
class LessonCase:
    label: str
    dims: dict[str, int]
    inputs: dict[str, np.ndarray]  # every input as an array, a scalar as a 0-d one (int64 for int inputs)

    def to_json(self) -> dict[str, Any]:
        return {"dims": dict(self.dims), "inputs": {k: v.tolist() for k, v in self.inputs.items()}}


def _resolve(bound: Any, dims: dict[str, int]) -> Any:
    return dims[bound] if isinstance(bound, str) else bound


def input_shape(spec: InputSpec, dims: dict[str, int]) -> tuple[int, ...]:
    if spec.fixed:
        return np.shape(spec.value)
    return tuple(_resolve(e, dims) for e in spec.shape)


def fixed_array(spec: InputSpec) -> np.ndarray:
    return np.asarray(spec.value, dtype=np.int64 if spec.is_int else np.float64)


def draw_input(spec: InputSpec, dims: dict[str, int], rng: np.random.Generator) -> np.ndarray:
    if spec.fixed:
        return fixed_array(spec)
    shape = input_shape(spec, dims)
    if spec.is_int:
        return rng.integers(_resolve(spec.low, dims), _resolve(spec.high, dims), size=shape, dtype=np.int64)
    return np.asarray(rng.uniform(spec.low, spec.high, size=shape), dtype=np.float64)


def case_rng(seed: int, check: Check, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(check.name.encode("utf-8")), index])


def draw_dims(check: Check, index: int, rng: np.random.Generator) -> dict[str, int]:
    if index == 0:
        return {name: low for name, (low, high) in check.dims.items()}
    if index == 1:
        return {name: high for name, (low, high) in check.dims.items()}
    return {name: int(rng.integers(low, high, endpoint=True)) for name, (low, high) in check.dims.items()}


def draw_cases(check: Check, count: int, seed: int) -> list[LessonCase]:
    cases = []
    for index in range(count):
        rng = case_rng(seed, check, index)
        dims = draw_dims(check, index, rng)
        inputs = {name: draw_input(spec, dims, rng) for name, spec in check.inputs.items()}
        cases.append(LessonCase(f"random-{seed}-{index}", dims, inputs))
    return cases


def wire_case(check: Check, case: LessonCase) -> dict[str, Any]:
    """{input name: wire array, with "int" for an integer input}: what both languages' entries decode."""
    return {name: {**encode_result(case.inputs[name]), "int": check.inputs[name].is_int} for name in check.args}


# --- case files --------------------------------------------------------------------------------
def case_file_json(check: Check, case: LessonCase) -> dict[str, Any]:
    return {"kind": CASE_FILE_KIND, "manifest": str(check.manifest), "check": check.name, **case.to_json()}


def write_case_file(path: Path, check: Check, case: LessonCase) -> None:
    path.write_text(json.dumps(case_file_json(check, case), indent=1) + "\n", encoding="utf-8")


def read_case_file(path: Path | str, checks: dict[str, Check]) -> list[tuple[Check, LessonCase]]:
    """A case file holds one case ({"check", "dims", "inputs"}) or a list of them; every case is checked
    against its check's manifest entry (its dims, each input's shape and kind) before anything runs."""
    from ..jsonin import JsonInputError, read_json

    path = Path(path)
    try:
        data = read_json(path)
    except JsonInputError as exc:
        raise CaseFileError(f"--case {exc}") from None
    entries = data if isinstance(data, list) else [data]
    out = []
    for number, entry in enumerate(entries):
        where = f"--case {path}" + (f"[{number}]" if isinstance(data, list) else "")
        if not isinstance(entry, dict) or not isinstance(entry.get("check"), str):
            raise CaseFileError(f"{where}: expected {{\"check\": NAME, \"dims\": {{…}}, \"inputs\": {{…}}}}")
        check = checks.get(entry["check"])
        if check is None:
            raise CaseFileError(f"{where}: check {entry['check']!r} is in none of the manifests "
                                f"(their checks: {', '.join(map(repr, checks))})")
        out.append((check, _case_from_json(where, check, entry, f"{path.stem}" + (f"-{number}" if isinstance(data, list) else ""))))
    return out


def _case_from_json(where: str, check: Check, entry: dict[str, Any], label: str) -> LessonCase:
    dims_raw = entry.get("dims", {})
    inputs_raw = entry.get("inputs", {})
    if not isinstance(dims_raw, dict) or not isinstance(inputs_raw, dict):
        raise CaseFileError(f"{where}: dims and inputs are JSON objects")
    dims = {}
    for name in check.dims:
        value = dims_raw.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise CaseFileError(f"{where}: dims.{name}: expected a size ≥ 0, got {value!r}")
        dims[name] = value
    inputs = {}
    for name, spec in check.inputs.items():
        if name not in inputs_raw:
            if spec.fixed:
                inputs[name] = fixed_array(spec)
                continue
            raise CaseFileError(f"{where}: inputs.{name}: missing")
        try:
            array = np.asarray(inputs_raw[name], dtype=np.float64)
        except (TypeError, ValueError):
            raise CaseFileError(f"{where}: inputs.{name}: not a number or a rectangular array of numbers") from None
        expected = input_shape(spec, dims)
        if array.shape != tuple(expected):
            raise CaseFileError(f"{where}: inputs.{name}: shape {array.shape}, the manifest's shape at these dims is "
                                f"{tuple(expected)}")
        if spec.is_int:
            if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
                raise CaseFileError(f"{where}: inputs.{name}: an int input holds integers only")
            array = array.astype(np.int64)
        inputs[name] = array
    return LessonCase(label, dims, inputs)


def case_size(case: LessonCase) -> tuple[int, int]:
    """What shrinking makes smaller first: the sum of the dims, then the elements of the inputs."""
    return sum(case.dims.values()), sum(math.prod(v.shape) for v in case.inputs.values())
