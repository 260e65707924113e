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
# A report of MAX_CASES cases on every runtime with every value (--json-values full) stays below this
# (1000 cases on two runtimes wrote 74 MB); a larger file is not one of the harness's reports.
MAX_REPORT_BYTES = 2 * 1024 ** 3
# Any wait: far beyond any boot or run (minutes), and far below what a timer can hold.
MAX_SECONDS = 86_400


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


# Every wait a flag sets (a boot, a run, an idle pool): 1e300 would overflow the clock of the wait, late.
seconds = positive_at_most(MAX_SECONDS, "one day")


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


# Kernel and device file systems: a write there is a request to the kernel, never a report (as root,
# /proc and /sys files look writable and regular to stat and access).
SPECIAL_TREES = (Path("/proc"), Path("/sys"), Path("/dev"))


def _in_special_tree(path: Path) -> str | None:
    real = Path(os.path.realpath(path))
    for tree in SPECIAL_TREES:
        if real == tree or tree in real.parents:
            return f"{real} is in {tree}, a kernel or device file system, not a place for a file"
    return None


def output_problem(text: str) -> str | None:
    """Why ``text`` cannot be written as an output file, or None: its folder exists and is writable, and
    the path is not a folder, not an existing file other than a regular one (a FIFO, /dev/full), and
    not under /proc, /sys or /dev."""
    import stat

    if not text:
        return "expected a file path, got ''"
    path = Path(text)
    if path.is_dir():
        return f"{text} is a folder; name a file"
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return f"cannot write {text}: folder {folder} does not exist"
    special = _in_special_tree(path)
    if special:
        return f"cannot write {text}: {special}"
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        return f"cannot write {text}: {exc.strerror or exc}"
    if mode is not None and not stat.S_ISREG(mode):
        return f"cannot write {text}: it exists and is not a regular file (a device, FIFO or socket)"
    if not os.access(folder, os.W_OK | os.X_OK) or (mode is not None and not os.access(path, os.W_OK)):
        return f"cannot write {text}: permission denied"
    return None


def output_file(text: str) -> str:
    """A file to write (an argument type): see ``output_problem``. Checked before any work starts, so
    that a long run never ends in an unwritable report."""
    problem = output_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def output_folder(text: str) -> Path:
    """A folder to create or replace: not a file, and its nearest existing ancestor is writable."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a folder")
    special = _in_special_tree(path)
    if special:
        raise argparse.ArgumentTypeError(f"cannot create {text}: {special}")
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


def _read_report(path: str):
    from ..jsonin import JsonInputError, read_json

    try:
        return read_json(path, MAX_REPORT_BYTES)
    except JsonInputError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {exc}") from None


def report(path: str, data=None) -> Report:
    """A report written with --json (an argument type: a bad one is a one-line error naming it)."""
    report = _read_report(path) if data is None else data
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
    data = _read_report(path)
    if isinstance(data, dict) and is_check_report(data):
        loaded = Report(data)
        loaded.path = path
        return loaded
    return report(path, data)


def input_folder(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is not a directory" + ("" if path.exists() else " (no such folder)"))
    if not os.access(path, os.R_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot read folder {text}: permission denied")
    return path


def loose_problem(rtol: float, atol: float, loose: bool, exact: bool = False, flag: str = "--loose") -> str | None:
    """Why a tolerance cannot be used without ``--loose``, or None (crosscheck.parity.compare.is_loose)."""
    from ..parity.compare import LOOSE_TOLERANCE, is_loose

    if loose or not is_loose(rtol, atol, exact):
        return None
    which = " and ".join(f"{name} {value:g}" for name, value in (("rtol", rtol), ("atol", atol))
                         if value >= LOOSE_TOLERANCE)
    return (f"{which}: a tolerance of {LOOSE_TOLERANCE:g} or more passes wrong results (an error in the third "
            f"digit); give {flag} to use it anyway (the verdict then names it)")


def origin(text: str) -> str:
    """An origin (an argument type): ``scheme://host[:port]``, http or https, a valid host name or IP
    address, nothing else (no path, query, fragment, credentials, whitespace or wildcard); the browser's
    form of it (lower case, default port dropped). It goes into a Content-Security-Policy header and the
    pages' list of who may drive them, where one stray ``*`` lets every site in."""
    from ..site.origins import OriginError, normalize_origin

    try:
        return normalize_origin(text)
    except OriginError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
