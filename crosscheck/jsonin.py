"""The one reader of JSON that comes from outside: case files, reports given to ``tally``/``explain``,
a built site's manifest, the runtime folder's stamp and lock.

Such a file can be anything its name points at, so it is refused, in one line naming it, when it is
not a regular file (a FIFO would block the read forever, ``/dev/zero`` would fill the memory, a
folder is not a document), when it is larger than the caller's limit, nested deeper than
``MAX_DEPTH`` (Python's parser and every walker after it recurse), or holds a number that is no
float64 (a 400-digit integer, ``1e400``: the first overflows where it is converted, the second
silently becomes infinity).
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any, Callable

# No document of the harness nests deeper than ~10 (a report: runtimes → cases → arrays → rows);
# this leaves room for an author's nested inputs and stays far from Python's recursion limit.
MAX_DEPTH = 64
MAX_BYTES = 256 * 1024 * 1024  # a case file's limit; a report's is set by its reader

# The tokens a scan before parsing looks at: brackets (their nesting) and strings as a whole (a bracket
# or a digit inside a string is text). Where the text may hold a number outside float64, also what every
# such number has: a run of 20 or more digits, or a positive exponent of three digits (below both, a
# number is under 1e20 · 1e99); each such candidate is then read as a float. The parse itself runs
# without a Python call per number.
_NESTING = re.compile(rb'[\[\]{}]|"[^"\\]*(?:\\.[^"\\]*)*"')
_TOKENS = re.compile(rb'[\[\]{}]|"[^"\\]*(?:\\.[^"\\]*)*"|(?<![0-9])[0-9]{20,}|[eE]\+?[0-9]{3,}')
# Every digit as 0, E as e: a candidate anywhere (strings included) is then a plain substring search.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789E", b"000000000e")
_NUMBER = re.compile(rb'-?[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]+)?')
_NUMBER_CHARS = frozenset(b"0123456789.eE+-")


class JsonInputError(ValueError):
    """A file that cannot be read as the JSON it should be: one line naming it."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes``; JsonInputError otherwise."""
    path = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever, before fstat could refuse it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise JsonInputError(f"{path}: no such file") from None
    except OSError as exc:
        raise JsonInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise JsonInputError(f"{path}: is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > max_bytes:
            raise JsonInputError(f"{path}: {info.st_size:,} bytes; at most {max_bytes:,} are read")
        chunks, size = [], 0
        while True:  # bounded even for a file that grows while it is read (or whose size lies, as /proc's do)
            block = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
            if size > max_bytes:
                raise JsonInputError(f"{path}: more than {max_bytes:,} bytes; at most {max_bytes:,} are read")
        return b"".join(chunks)
    except OSError as exc:
        raise JsonInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _outside_float64(data: bytes, at: int) -> bytes | None:
    """The number token around ``data[at]``, when it is no float64 (an integer above 1.8e308 included)."""
    start = at
    while start > 0 and data[start - 1] in _NUMBER_CHARS:
        start -= 1
    token = _NUMBER.match(data, start).group()
    try:
        value = float(token)
    except (ValueError, OverflowError):
        return token
    return token if value in (float("inf"), float("-inf")) else None


def scan(data: bytes, where: str, max_depth: int = MAX_DEPTH) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped); JsonInputError for nesting
    deeper than ``max_depth`` or a number outside float64."""
    squashed = data.translate(_DIGITS_AS_ZERO)
    candidates = b"0" * 20 in squashed or b"e000" in squashed or b"e+000" in squashed
    depth = deepest = 0
    for match in (_TOKENS if candidates else _NESTING).finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
        elif token in (b"]", b"}"):
            depth -= 1
        elif token[:1] != b'"':
            number = _outside_float64(data, match.start())
            if number is not None:
                shown = number.decode("ascii", "replace")
                shown = shown if len(shown) <= 40 else f"{shown[:12]}… ({len(shown)} characters)"
                raise JsonInputError(f"{where}: the number {shown} is outside float64")
    if deepest > max_depth:
        raise JsonInputError(f"{where}: nested {deepest} levels deep; at most {max_depth} are read")
    return deepest


def parse(data: bytes | str, where: str, max_depth: int = MAX_DEPTH,
          parse_constant: Callable[[str], Any] | None = None) -> Any:
    """JSON text → Python, refusing what ``read_json`` refuses (``where`` names the source in errors)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonInputError(f"{where}: not UTF-8 text, so not JSON (byte {exc.start}: {exc.reason})") from None
    scan(raw, where, max_depth)
    try:
        return json.loads(data, **({"parse_constant": parse_constant} if parse_constant else {}))
    except RecursionError:  # the scan above makes this unreachable; kept as a last guard
        raise JsonInputError(f"{where}: nested too deeply to read") from None
    except ValueError as exc:
        raise JsonInputError(f"{where}: not valid JSON ({exc})") from None


def read_json(path: str | Path, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
              parse_constant: Callable[[str], Any] | None = None) -> Any:
    """The JSON document in ``path``, bounded in size and depth, its numbers float64; JsonInputError
    (one line naming the file) otherwise. NaN and ±Infinity, which the harness's reports write, are read
    as floats unless ``parse_constant`` decides."""
    return parse(read_bytes(path, max_bytes), str(path), max_depth, parse_constant)
