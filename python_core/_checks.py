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


def check_seed(seed: Any) -> None:
    """A seed is None or a non-negative integer: a wrong type is a TypeError, a negative one a ValueError."""
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected a non-negative integer or None, got {seed!r} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"seed: expected a non-negative integer or None, got {seed!r}")


def finite_positive_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a positive number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a finite positive number, got {value!r}")
    return value


def float_array(name: str, value: Any, copy: bool = True, finite: bool = True) -> np.ndarray:
    """Convert ``value`` to a new float64 array, refusing non-numbers, ragged lists, NaN and ±inf.

    Copies by default: the layer caches what it is given, and a caller who later edits their own
    list or array must not change the layer's state behind its back. ``copy=False`` is for
    arguments that are only read, never kept (a float64 array then comes back as it is).
    ``finite=False`` leaves the NaN/±inf check to the caller, who must then call
    ``require_finite`` (DenseLayer.forward does, on a smaller array first).
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__}")
    try:
        raw = np.array(value) if copy else np.asarray(value)
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
    # raw is already a fresh array when copying, so a float64 one is not copied a second time
    # (on the lesson's 11,272 × 784 batch each copy is 70 MB).
    array = raw.astype(np.float64, copy=False)
    if finite:
        require_finite(name, array)
    return array


def require_finite(name: str, array: np.ndarray) -> None:
    """Refuse an array holding NaN or ±inf, naming the argument, the value and its index."""
    if array.size and not all_finite(array):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{name}: expected finite numbers, got {float(array[index])!r} at index {index}")


def all_finite(array: np.ndarray) -> bool:
    """True when no element is NaN or ±inf.

    A sum is finite only if every term is: NaN and ±inf absorb whatever is added to them, and
    inf + (−inf) is NaN. Summing reads the array once and allocates nothing, several times
    cheaper on a large batch than ``isfinite(array).all()``. A non-finite sum may also be an
    overflow of finite terms (1e308 + 1e308), so only then is every element looked at.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(array, axis=None)):
            return True
    return bool(np.isfinite(array).all())


def matrix(name: str, value: Any, columns: int | None = None, rows: int | None = None,
           allow_vector: bool = True, copy: bool = True, finite: bool = True) -> np.ndarray:
    """A 2-D float64 array; a 1-D vector counts as a single row when ``allow_vector``."""
    array = float_array(name, value, copy=copy, finite=finite)
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
