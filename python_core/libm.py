"""This runtime's exp and tanh on given arguments, for ``python -m crosscheck probe-libm``.

One entry point, ``probe_libm``: ``{"x": wire array}`` in, the results of ``numpy.exp``,
``numpy.tanh`` (what the layer uses) and of the C library's ``math.exp``/``math.tanh`` out, each a
wire array, so every bit comes back. NumPy and the standard library only: it runs in Pyodide too.
"""

from __future__ import annotations

import json
import math

import numpy as np

from .entries import entry_point
from .wire import decode_array, encode_array, runtime_versions


@entry_point
def probe_libm(request: str) -> str:
    x = decode_array(json.loads(request)["x"])
    with np.errstate(all="ignore"):
        results = {"numpy.exp": np.exp(x), "numpy.tanh": np.tanh(x)}

    def exp(v: float) -> float:
        try:
            return math.exp(v)
        except OverflowError:
            return math.inf

    results["math.exp"] = np.array([exp(v) for v in x.tolist()], dtype=np.float64)
    results["math.tanh"] = np.array([math.tanh(v) for v in x.tolist()], dtype=np.float64)
    return json.dumps({**{k: encode_array(v) for k, v in results.items()}, "versions": runtime_versions()})
