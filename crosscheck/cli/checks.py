"""Argument types that refuse a value which would make a check vacuous or crash later.

Each is an argparse ``type=``: a bad value becomes ``argparse.ArgumentTypeError``, which the CLI's
parser (crosscheck.cli.OneLineParser) prints as one line naming the flag, and exits 2 — before
any runtime starts and without a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Callable

# Limits that keep a run inside the machine (24 GB; a report holds every number of every runtime).
# Measured in docs/trust.md.
MAX_CASES = 5000           # cases in one run: --random plus case files plus the lesson example

MAX_SEED = 2 ** 63 - 1


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def tolerance(text: str) -> float:
    """A tolerance: finite and ≥ 0 (inf would accept anything, NaN nothing, a negative one nothing)."""
    value = _number(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number ≥ 0, got {text!r}")
    return value


def positive(text: str) -> float:
    """A duration or rate: finite and > 0 (0 would mean "no limit" to one runtime and "the default" to another)."""
    value = _number(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def positive_at_most(high: float, why: str) -> Callable[[str], float]:
    """``positive``, and at most ``high``: a finite but huge timeout still overflows the clock of a wait."""
    def parse(text: str) -> float:
        value = positive(text)
        if value > high:
            raise argparse.ArgumentTypeError(f"at most {high:g} ({why}), got {text!r}")
        return value
    parse.__name__ = "positive"
    return parse


def integer(low: int, high: int, why: str = "") -> Callable[[str], int]:
    """An integer in [low, high]; ``why`` says what the upper limit protects."""
    def parse(text: str) -> int:
        value = _integer(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an integer ≥ {low}, got {text!r}")
        if value > high:
            raise argparse.ArgumentTypeError(f"at most {high:,}{f' ({why})' if why else ''}, got {text!r}")
        return value
    parse.__name__ = "integer"
    return parse


seed = integer(0, MAX_SEED)
count = integer(0, 10 ** 9)
positive_count = integer(1, 10 ** 9)
port = integer(0, 65535)


def runtime_list(text: str) -> list[str]:
    """Comma-separated runtime names, at least one, each known (an empty list would print an empty table
    and pass)."""
    from ..runtimes import RUNTIMES

    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in RUNTIMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError((f"unknown runtime(s) {', '.join(unknown)}" if unknown else "no runtime named")
                                         + f"; known: {', '.join(RUNTIMES)}")
    return names


def output_file(text: str) -> str:
    """A file to write: its folder exists and is writable, and the path is not a folder — checked before
    any work starts, so that a long run never ends in an unwritable report."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("expected a file path, got ''")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; name a file")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write {text}: permission denied")
    return text


def output_folder(text: str) -> Path:
    """A folder to create or replace: not a file, and its nearest existing ancestor is writable."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a folder")
    ancestor = path.absolute()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot create {text}: {ancestor} is not a writable folder")
    return path


def input_file(text: str) -> str:
    """A file to read: it exists, is a file (not a folder) and is readable."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a file")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read {text}: permission denied")
    return text


class Report(dict):
    """A report read from a file, still knowing the file, so that a later error can name it."""

    path: str

    def malformed(self, exc: Exception) -> str:
        return f"error: {self.path} is not a well-formed report: {type(exc).__name__}: {exc}"


# What reading a report that has the right top level but wrong insides raises.
MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def report(path: str) -> Report:
    """A report written with --json (an argument type: a bad one is a one-line error naming it)."""
    import json

    try:
        report = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc}") from None
    if not (isinstance(report, dict) and isinstance(report.get("runtimes"), dict)
            and isinstance(report.get("cases"), list)):
        raise argparse.ArgumentTypeError(f"{path} is not a report written by `python -m crosscheck --json` "
                         f"(expected an object with \"runtimes\" and \"cases\")")
    loaded = Report(report)
    loaded.path = path
    return loaded


def is_check_report(report: dict) -> bool:
    """A report of ``check LESSONS.toml --json`` (its ``checks``), not of the dense layer's run."""
    return isinstance(report.get("checks"), list) and "cases" not in report


def any_report(path: str) -> Report:
    """A report written with --json by the dense layer's run or by ``check`` (an argument type)."""
    import json

    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc}") from None
    if isinstance(data, dict) and is_check_report(data):
        loaded = Report(data)
        loaded.path = path
        return loaded
    return report(path)


def input_folder(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is not a directory" + ("" if path.exists() else " (no such folder)"))
    if not os.access(path, os.R_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot read folder {text}: permission denied")
    return path
