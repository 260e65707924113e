"""The wire's array codec: a float64 array as the base64 of its little-endian bytes, every bit kept.

Standard library and NumPy only, and no relative import: besides being python_core's (through
wire.py), this file is what the exercise's runner imports as ``wire_codec``, in an interpreter that
holds none of dense-parity (the page fetches it from vendor/, where the setup's bundle step copies it;
``grade`` copies it next to the runner). One codec, so what the learner's check sends is decoded by
the page exactly as every runtime's results are.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np


def encode_array(array: Any) -> dict[str, Any]:
    array = np.ascontiguousarray(array, dtype="<f8")
    return {"shape": list(array.shape), "f64": base64.b64encode(array.tobytes()).decode("ascii")}


def decode_array(obj: dict[str, Any]) -> np.ndarray:
    data = base64.b64decode(obj["f64"], validate=True)
    shape = tuple(int(n) for n in obj["shape"])
    if len(data) != 8 * int(np.prod(shape)):
        raise ValueError(f"wire: {len(data)} bytes cannot hold a float64 array of shape {shape}")
    return np.frombuffer(data, dtype="<f8").reshape(shape).astype(np.float64)
