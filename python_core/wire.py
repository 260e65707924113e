"""Bit-exact transport of cases and results between a host and any runtime.

Arrays travel as the base64 of their little-endian float64 bytes, so every bit arrives,
-0.0, subnormals and the last ULP included, with no trip through decimal text. The same
format is decoded by the JavaScript side (web_demo/lib/wire.mjs).

``run_batch`` is the entry point a runtime calls: one JSON string in, one JSON string out,
one round-trip for a whole batch of cases. A case that raises becomes an error record with
the exception's type, message and traceback; the rest of the batch still runs.
"""

from __future__ import annotations

import json
import platform
import sys
from typing import Any

import numpy as np

from .cases import RESULT_ARRAYS, SPEC_FIELDS, run_case
from .codec import decode_array, encode_array  # noqa: F401  (the wire's codec, re-exported)
from .entries import entry_point, error_record

ARRAY_FIELDS = tuple(f for f in SPEC_FIELDS if f != "activation")




def encode_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Spec arrays as wire arrays; other fields (activation, name) as they are."""
    return {k: encode_array(v) if k in ARRAY_FIELDS else v for k, v in spec.items()}


def decode_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: decode_array(v) if k in ARRAY_FIELDS and isinstance(v, dict) else v for k, v in obj.items()}


def runtime_versions() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": np.__version__, "platform": sys.platform}


@entry_point
def versions_json(_: str = "") -> str:
    return json.dumps(runtime_versions())


@entry_point
def run_batch(request: str) -> str:
    """``{"cases": [wire spec, …]}`` → ``{"results": [{"ok", "arrays" | "error"}, …], "versions"}``."""
    cases = json.loads(request)["cases"]
    results = []
    for case in cases:
        try:
            arrays = run_case(decode_spec(case))
            results.append({"ok": True, "arrays": {k: encode_array(arrays[k]) for k in RESULT_ARRAYS}})
        except Exception as exc:  # reported per case; one bad case must not hide the others
            results.append({"ok": False, "error": error_record(exc)})
    return json.dumps({"results": results, "versions": runtime_versions()})
