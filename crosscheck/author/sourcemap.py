"""Positions in a bundle mapped back to the author's file, through the bundle's source map (v3).

Node and Chromium print a bundled module's frames as positions in the bundle; the author wants
their own file and line. Only what that needs is here: decode the mappings, look one position up.
"""

from __future__ import annotations

import bisect
import json
from pathlib import Path

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _vlq(segment: str) -> list[int]:
    values, shift, value = [], 0, 0
    for char in segment:
        digit = _B64[char]
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            values.append(-(value >> 1) if value & 1 else value >> 1)
            shift, value = 0, 0
    return values


class SourceMap:
    """``lookup(line, column)`` (1-based line, 1-based column, as stack traces print them) →
    (absolute source path, 1-based line) or None."""

    def __init__(self, path: Path) -> None:
        data = json.loads(Path(path).read_text())
        base = Path(path).parent
        self.sources = [str((base / s).resolve()) for s in data["sources"]]
        self.lines: list[tuple[list[int], list[tuple[int, int]]]] = []
        source = orig_line = 0
        for text in data["mappings"].split(";"):
            columns: list[int] = []
            targets: list[tuple[int, int]] = []
            column = 0
            for segment in filter(None, text.split(",")):
                fields = _vlq(segment)
                column += fields[0]
                if len(fields) >= 4:
                    source += fields[1]
                    orig_line += fields[2]
                    columns.append(column)
                    targets.append((source, orig_line))
            self.lines.append((columns, targets))

    def lookup(self, line: int, column: int) -> tuple[str, int] | None:
        if not 1 <= line <= len(self.lines):
            return None
        columns, targets = self.lines[line - 1]
        at = bisect.bisect_right(columns, column - 1) - 1
        if at < 0:
            if not targets:
                return None
            at = 0
        source, orig_line = targets[at]
        return self.sources[source], orig_line + 1
