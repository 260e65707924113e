"""Reading JSON that something untrusted wrote (a graded child's reply): bounded in size and depth.

Python's json module recurses once per nesting level, so 200,000 ``[`` raise RecursionError (or
worse, exhaust the C stack) instead of a ValueError. The reply goes through the harness's one reader of
JSON from outside (``crosscheck.jsonin``: depth measured without recursion, numbers within float64),
with a reply's own limits.
"""

from __future__ import annotations

import sys
from typing import Any

from ..jsonin import parse, scan

MAX_DEPTH = 32


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (0 for a scalar), strings excepted."""
    return scan(text.encode("utf-8", "surrogatepass"), "the reply", max_depth=sys.maxsize)


def loads(text: str | bytes, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for untrusted text; ValueError (never RecursionError) when it is too large,
    too deep, not UTF-8 or not JSON."""
    if len(text) > max_bytes:
        raise ValueError(f"{len(text)} bytes is more than the {max_bytes} allowed")
    return parse(text, "the reply", max_depth)
