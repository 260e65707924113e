"""The smallest failing case: fewest rows and columns first, then simpler values.

A greedy shrinker that sends its candidates in batches, rather than Hypothesis's: Hypothesis's shrinker
asks for one example at a time (here a round-trip through a Node child or a browser's worker for each,
hundreds per shrink), and it shrinks only what it generated itself, so it would first have to find the
failure again from scratch, which a bug that shows in one case of fifty may not give it within its budget.
Here each round makes every candidate of one step (each dimension made smaller, by slicing the inputs,
so the failing values stay; then each value made simpler: 0, ±1, fewer decimals) and runs them all as one
batch on the reference and the runtimes that disagreed; the smallest candidate that still fails is taken.
A few round-trips per runtime, whatever the number of candidates.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .cases import LessonCase, case_size
from .manifest import Check, InputSpec

MAX_ROUNDS = 40
MAX_VALUE_CANDIDATES = 600  # one round's batch of simpler values

Fails = Callable[[list[LessonCase]], list[bool]]


def _bound(value, dims: dict[str, int]):
    return dims[value] if isinstance(value, str) else value


def resize(check: Check, case: LessonCase, dims: dict[str, int]) -> LessonCase:
    """``case`` at smaller ``dims``: each input keeps its leading rows and columns; an integer that a
    smaller bound leaves outside its range is folded back into it."""
    inputs = {}
    for name, spec in check.inputs.items():
        array = case.inputs[name]
        if not spec.fixed:
            index = tuple(slice(0, dims[e]) if isinstance(e, str) else slice(None) for e in spec.shape)
            array = array[index].copy() if index else array.copy()
            if spec.is_int:
                low, high = _bound(spec.low, dims), _bound(spec.high, dims)
                array = np.where((array >= low) & (array < high), array, low + (array - low) % (high - low))
        inputs[name] = array
    return LessonCase(f"{case.label}-shrunk", dict(dims), inputs)


def _dim_candidates(check: Check, case: LessonCase) -> list[LessonCase]:
    out = []
    minimal = {name: low for name, (low, _) in check.dims.items()}
    if minimal != case.dims:
        out.append(resize(check, case, minimal))
    for name, (low, _) in check.dims.items():
        current = case.dims[name]
        values = list(range(low, current))
        if len(values) > 16:
            values = sorted(set(values[:8] + [current // 2, (current + low) // 2] + values[-4:]))
        for value in values:
            out.append(resize(check, case, {**case.dims, name: value}))
    return out


def _decimals(value: float) -> int:
    for digits in range(17):
        if round(value, digits) == value:
            return digits
    return 17


def _complexity(value: float) -> tuple[int, float]:
    return (_decimals(value), abs(value))


def _simpler(spec: InputSpec, value, dims: dict[str, int]) -> list:
    """Simpler values than ``value`` within the input's range, simplest first."""
    if spec.is_int:
        low = _bound(spec.low, dims)
        targets = [t for t in (low, 0, 1) if low <= t < _bound(spec.high, dims)]
        return sorted({t for t in targets if abs(t) < abs(value) or (t == low and value != low)}, key=abs)
    value = float(value)
    low, high = float(spec.low), float(spec.high)
    targets = [0.0, 1.0, -1.0, float(round(value)), round(value, 1), round(value, 2), round(value, 4)]
    if low > 0 or high < 0:  # a range away from zero: its round bounds
        targets += [float(math.ceil(low)), float(math.floor(high)), round(low, 1), round(high, 1)]
    ok = {t for t in targets if low <= t <= high and _complexity(t) < _complexity(value)}
    return sorted(ok, key=_complexity)


def _value_singles(check: Check, case: LessonCase) -> list[tuple[str, tuple, object]]:
    singles = []
    for name, spec in check.inputs.items():
        if spec.fixed:
            continue
        array = case.inputs[name]
        for index in np.ndindex(array.shape):
            simpler = _simpler(spec, array[index], case.dims)
            singles.extend((name, index, v) for v in simpler[:2])
    return singles


def _apply(case: LessonCase, changes) -> LessonCase:
    inputs = {k: v.copy() for k, v in case.inputs.items()}
    for name, index, value in changes:
        inputs[name][index] = value
    return LessonCase(case.label, dict(case.dims), inputs)


def _whole_array(check: Check, case: LessonCase) -> list[LessonCase]:
    out = []
    for name, spec in check.inputs.items():
        if spec.fixed or case.inputs[name].size < 2:
            continue
        array = case.inputs[name]
        for pick in (0, 1):  # every element at its simplest, then at its second simplest
            changes = []
            for index in np.ndindex(array.shape):
                simpler = _simpler(spec, array[index], case.dims)
                if len(simpler) > pick:
                    changes.append((name, index, simpler[pick]))
            if changes:
                out.append(_apply(case, changes))
    return out


def shrink(check: Check, case: LessonCase, fails: Fails, progress: Callable[[str], None] = lambda s: None) -> LessonCase:
    """The smallest case that still fails, starting from the failing ``case``."""
    current = case
    for _ in range(MAX_ROUNDS):
        candidates = [c for c in _dim_candidates(check, current) if case_size(c) < case_size(current)]
        if not candidates:
            break
        verdicts = fails(candidates)
        failing = [c for c, bad in zip(candidates, verdicts) if bad]
        if not failing:
            break
        current = min(failing, key=case_size)
        progress(f"shrunk to dims {current.dims}")
    for _ in range(MAX_ROUNDS):
        wholes = _whole_array(check, current)
        singles = _value_singles(check, current)[:MAX_VALUE_CANDIDATES]
        if not wholes and not singles:
            break
        verdicts = fails(wholes + [_apply(current, [s]) for s in singles])
        failing_wholes = [c for c, bad in zip(wholes, verdicts) if bad]
        if failing_wholes:
            current = failing_wholes[0]
            continue
        good = {}
        for single, bad in zip(singles, verdicts[len(wholes):]):
            if bad and (single[0], single[1]) not in good:  # the simplest failing value of each element
                good[(single[0], single[1])] = single
        if not good:
            break
        # Every change that fails alone, applied together as far as the failure stays: one more batch.
        ordered = list(good.values())
        prefixes = [_apply(current, ordered[:k]) for k in range(1, len(ordered) + 1)]
        verdicts = fails(prefixes)
        if not any(verdicts):  # a flaky failure: keep what is known to fail
            break
        current = prefixes[max(k for k, bad in enumerate(verdicts) if bad)]
    progress(f"minimal case: dims {current.dims}")
    return LessonCase("minimal", current.dims, current.inputs)
