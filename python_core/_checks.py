"""Argument checks shared by the layer, its activations and the case runner.

Every check raises before anything is mutated, so a refused call leaves the caller's
object exactly as it was. Messages name the argument and give expected and given values,
because a learner reading them in a browser console has nothing else to go on.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` as an int, refusing bools, floats and anything below 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a positive integer, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def finite_positive_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a positive number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a finite positive number, got {value!r}")
    return value


def float_array(name: str, value: Any) -> np.ndarray:
    """Convert ``value`` to a new float64 array, refusing non-numbers, ragged lists, NaN and ±inf.

    Always copies: the layer caches what it is given, and a caller who later edits their own
    list or array must not change the layer's state behind its back.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__}")
    try:
        raw = np.array(value)
    except ValueError as exc:  # ragged nesting
        raise ValueError(f"{name}: expected a rectangular array of numbers, got ragged nesting ({exc})") from None
    if raw.dtype.kind not in "iuf":
        if raw.dtype.kind == "b":
            raise TypeError(f"{name}: expected numbers, got booleans")
        if raw.dtype.kind == "O":
            # Mixed lists such as [1, None] or [1, "2"] land here.
            bad = [v for v in raw.ravel() if isinstance(v, bool) or not isinstance(v, numbers.Real)]
            if bad:
                raise TypeError(f"{name}: expected numbers, got {bad[0]!r} ({type(bad[0]).__name__})")
        else:
            raise TypeError(f"{name}: expected numbers, got dtype {raw.dtype} (e.g. {raw.ravel()[:1].tolist()})")
    array = np.array(raw, dtype=np.float64)
    if array.size and not np.isfinite(array).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{name}: expected finite numbers, got {float(array[index])!r} at index {index}")
    return array


def matrix(name: str, value: Any, columns: int | None = None, rows: int | None = None,
           allow_vector: bool = True) -> np.ndarray:
    """A 2-D float64 array; a 1-D vector counts as a single row when ``allow_vector``."""
    array = float_array(name, value)
    if array.ndim == 1 and allow_vector:
        array = array.reshape(1, -1)
    expected = (rows if rows is not None else "n", columns if columns is not None else "m")
    if array.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array of shape {_shape(expected)}, got shape {array.shape}")
    if (rows is not None and array.shape[0] != rows) or (columns is not None and array.shape[1] != columns):
        raise ValueError(f"{name}: expected shape {_shape(expected)}, got {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name}: expected at least one row, got shape {array.shape}")
    return array


def _shape(dims: tuple) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ")"
