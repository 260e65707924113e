"""Reading JSON that something untrusted wrote (a graded child's reply): bounded in size and depth.

Python's json module recurses once per nesting level, so 200,000 ``[`` raise RecursionError (or
worse, exhaust the C stack) instead of a ValueError. The depth is measured first, without recursion,
on the text with its strings taken out, and the text is parsed only when it is shallow enough.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

MAX_DEPTH = 32
# A JSON string: the possessive forms never backtrack, so a long string cannot make the match slow.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_OPEN, _CLOSE = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (0 for a scalar), strings excepted. An
    unterminated string's brackets are counted, which can only make the answer larger."""
    # Vectorised: a megabyte of brackets is measured in milliseconds.
    chars = np.frombuffer(_STRING.sub("", text).encode("utf-8", errors="replace"), np.uint8)
    steps = np.isin(chars, _OPEN).astype(np.int64) - np.isin(chars, _CLOSE)
    return int(max(0, np.cumsum(steps).max(initial=0)))


def loads(text: str | bytes, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for untrusted text; ValueError (never RecursionError) when it is too large,
    too deep, not UTF-8 or not JSON."""
    if len(text) > max_bytes:
        raise ValueError(f"{len(text)} bytes is more than the {max_bytes} allowed")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8: {exc.reason}") from None
    found = depth(text)
    if found > max_depth:
        raise ValueError(f"nested {found} levels deep, more than the {max_depth} allowed")
    try:
        return json.loads(text)
    except RecursionError:  # cannot happen below max_depth; kept so that no traceback can ever escape
        raise ValueError("nested too deeply") from None
