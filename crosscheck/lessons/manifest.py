"""The lesson manifest (TOML): one ``[[check]]`` per pair of functions, checked entirely when read.

Every problem is a ManifestError of one line naming the file, the check and the key, e.g.
``course.toml: check 'softmax': inputs.labels.shape[1]: dimension 'clases' is never defined (dims: batch, classes)``.
Nothing of the author's code runs here: the Python file is compiled and its top-level names read; the
JavaScript file is bundled (esbuild) and its exports read (a CommonJS file's are known only when it runs).
"""

from __future__ import annotations

import ast
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_core.facts import DEFAULT_ATOL

# A function the harness knows nothing about: each output array is compared element by element against
# the largest magnitude in the reference's array (docs/authors.md has the figures behind these).
DEFAULT_RTOL = 1e-10
DEFAULT_CHECK_ATOL = DEFAULT_ATOL
MAX_DIM = 100_000
MAX_ELEMENTS = 10_000_000  # elements of one input at the largest dims: keeps a case inside the machine
MAX_MANIFEST_BYTES = 16 * 1024 * 1024  # a course's manifest is a few kB; fixed values can make it larger

CHECK_KEYS = ("name", "python", "js", "args", "dims", "inputs", "outputs", "tolerance")
INPUT_KEYS = ("shape", "range", "int", "value")
TOLERANCE_KEYS = ("rtol", "atol", "exact")


class ManifestError(ValueError):
    """A manifest that cannot be used: one line, bad input (exit 2)."""


@dataclass(frozen=True)
class FunctionRef:
    """``FILE:FUNCTION``: the file (resolved against the manifest's folder) and the function's name."""

    language: str  # "python" or "js"
    path: Path
    function: str

    def __str__(self) -> str:
        return f"{self.path}:{self.function}"


@dataclass(frozen=True)
class Tolerance:
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_CHECK_ATOL
    exact: bool = False


@dataclass(frozen=True)
class InputSpec:
    name: str
    shape: tuple[str | int, ...] = ()   # () is a scalar
    is_int: bool = False
    low: float | int | str = -1.0       # an int input's bounds may name a dimension
    high: float | int | str = 1.0       # int ranges are half-open [low, high), float ranges closed
    value: Any = None                   # a fixed value (a number or nested lists), when not None

    @property
    def fixed(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class OutputSpec:
    name: str
    shape: tuple[str | int, ...] | None = None  # None: whatever the function gives
    tolerance: Tolerance | None = None


@dataclass
class Check:
    name: str
    manifest: Path
    python: FunctionRef | None
    js: FunctionRef | None
    args: tuple[str, ...]
    dims: dict[str, tuple[int, int]]
    inputs: dict[str, InputSpec]
    outputs: dict[str, OutputSpec] = field(default_factory=dict)
    tolerance: Tolerance = Tolerance()

    def functions(self) -> list[FunctionRef]:
        return [f for f in (self.python, self.js) if f is not None]

    def output_tolerance(self, output: str) -> Tolerance:
        spec = self.outputs.get(output)
        return spec.tolerance if spec is not None and spec.tolerance is not None else self.tolerance


@dataclass
class Manifest:
    path: Path
    checks: list[Check]
    exercises: list = field(default_factory=list)  # lessons.exercises.Exercise, declared by [[exercise]]


class _Where:
    """The prefix of every error about one check."""

    def __init__(self, path: Path, check: str) -> None:
        self.path, self.check = path, check

    def error(self, key: str, message: str) -> ManifestError:
        return ManifestError(f"{self.path}: check {self.check}: {key}: {message}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _nesting(text: str) -> int:
    """An upper bound of how deep brackets and braces nest (strings and comments counted too: a bound)."""
    depth = deepest = 0
    for char in re.findall(r"[\[\]{}]", text):
        depth = max(0, depth + (1 if char in "[{" else -1))
        deepest = max(deepest, depth)
    return deepest


def load_manifest(path: Path | str) -> Manifest:
    from ..jsonin import MAX_DEPTH, JsonInputError, read_bytes

    path = Path(path)
    try:
        text = read_bytes(path, MAX_MANIFEST_BYTES).decode("utf-8")
    except JsonInputError as exc:
        raise ManifestError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if _nesting(text) > MAX_DEPTH:  # tomllib recurses into nested arrays and inline tables
        raise ManifestError(f"{path}: arrays or tables nested more than {MAX_DEPTH} levels deep")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: not TOML: {exc}") from None
    except RecursionError:
        raise ManifestError(f"{path}: nested too deeply to read") from None
    unknown = [k for k in data if k not in ("check", "exercise")]
    if unknown:
        raise ManifestError(f"{path}: {unknown[0]}: unknown top-level key (a manifest holds [[check]] and "
                            f"[[exercise]] tables)")
    raw = data.get("check")
    if not isinstance(raw, list) or not raw:
        raise ManifestError(f"{path}: no [[check]] table")
    checks: list[Check] = []
    seen: set[str] = set()
    for number, table in enumerate(raw, 1):
        check = _check(path, number, table)
        if check.name in seen:
            raise ManifestError(f"{path}: check {check.name!r}: name: another check has this name")
        seen.add(check.name)
        checks.append(check)
    exercises = []
    if "exercise" in data:
        from .exercises import parse_exercises

        exercises = parse_exercises(path, data["exercise"], checks)
    return Manifest(path, checks, exercises)


def _check(path: Path, number: int, table: dict[str, Any]) -> Check:
    name = table.get("name")
    where = _Where(path, repr(name) if isinstance(name, str) and name else f"#{number}")
    if not isinstance(name, str) or not name.strip():
        raise where.error("name", "missing (every check needs a name, e.g. name = \"softmax\")")
    if "layer" in table:  # a layer the harness knows (the dense layer): its cases and comparison are run's
        from .dense import dense_check

        return dense_check(path, name.strip(), table)
    for key in table:
        if key not in CHECK_KEYS:
            raise where.error(key, f"unknown key (a check has {', '.join(CHECK_KEYS)})")
    python = _function(where, path, "python", table.get("python"))
    js = _function(where, path, "js", table.get("js"))
    if python is None and js is None:
        raise where.error("python", "a check needs a Python function, a JavaScript function (js), or both")
    args = table.get("args")
    if not isinstance(args, list) or not all(isinstance(a, str) and a for a in args):
        raise where.error("args", "expected a list of input names, e.g. args = [\"logits\", \"labels\"]")
    if len(set(args)) != len(args):
        raise where.error("args", "an input is named twice")
    dims = _dims(where, table.get("dims", {}))
    inputs_raw = table.get("inputs", {})
    if not isinstance(inputs_raw, dict):
        raise where.error("inputs", "expected a table of inputs, e.g. inputs.x = { shape = [\"batch\"] }")
    for arg in args:
        if arg not in inputs_raw:
            raise where.error(f"args[{args.index(arg)}]", f"{arg!r} has no inputs.{arg} table")
    inputs = {}
    for key, spec in inputs_raw.items():
        if key not in args:
            raise where.error(f"inputs.{key}", f"not in args ({', '.join(args) or 'none'}): no function would receive it")
        inputs[key] = _input(where, key, spec, dims)
    tolerance = _tolerance(where, "tolerance", table.get("tolerance", {}), Tolerance())
    outputs = _outputs(where, table.get("outputs", {}), dims, tolerance)
    return Check(name.strip(), path, python, js, tuple(args), dims, {a: inputs[a] for a in args}, outputs, tolerance)


def _function(where: _Where, manifest: Path, key: str, value: Any) -> FunctionRef | None:
    if value is None:
        return None
    if not isinstance(value, str) or ":" not in value:
        raise where.error(key, f"expected \"FILE:FUNCTION\", got {value!r}")
    file, _, function = value.rpartition(":")
    if not function.isidentifier() or not file:
        raise where.error(key, f"expected \"FILE:FUNCTION\" with a function name, got {value!r}")
    resolved = (manifest.parent / file).resolve()
    if not resolved.is_file():
        raise where.error(key, f"{file}: " + ("is a folder" if resolved.is_dir() else "no such file")
                          + f" (relative to {manifest.parent or '.'})")
    ref = FunctionRef(key, resolved, function)
    if key == "python":
        _python_defines(where, ref)
    return ref


def _python_defines(where: _Where, ref: FunctionRef) -> None:
    """The file compiles and binds ``ref.function`` at its top level (a def, a class, an assignment or
    an import): read from its syntax tree, nothing of it runs."""
    try:
        text = ref.path.read_bytes().decode("utf-8")
        tree = ast.parse(text, str(ref.path))
    except SyntaxError as exc:
        raise where.error("python", f"{ref.path}:{exc.lineno}: {type(exc).__name__}: {exc.msg}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise where.error("python", f"{ref.path}: not Python source ({exc})") from None
    names: set[str] = set()
    star = False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                star |= alias.name == "*"
                names.add(alias.asname or alias.name.split(".")[0])
        else:  # assignments, and names bound inside a top-level if/try/with
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
                elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(sub.name)
    if ref.function not in names and not star:
        defined = sorted(n for n in names if not n.startswith("_"))
        raise where.error("python", f"{ref.path.name} defines no {ref.function!r}"
                          + (f" (its top-level names: {', '.join(defined[:12])})" if defined else ""))


def _dims(where: _Where, raw: Any) -> dict[str, tuple[int, int]]:
    if not isinstance(raw, dict):
        raise where.error("dims", "expected a table of named sizes, e.g. dims = { batch = [1, 8] }")
    dims = {}
    for name, value in raw.items():
        key = f"dims.{name}"
        if not name.isidentifier():
            raise where.error(key, "a dimension's name is an identifier")
        if _is_int(value):
            value = [value, value]
        if not (isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value)):
            raise where.error(key, f"expected [min, max] (integers, inclusive) or one integer, got {value!r}")
        low, high = value
        if low < 0 or high > MAX_DIM:
            raise where.error(key, f"sizes lie in [0, {MAX_DIM}], got {value!r}")
        if low > high:
            raise where.error(key, f"min {low} is above max {high}")
        dims[name] = (low, high)
    return dims


def _shape(where: _Where, key: str, raw: Any, dims: dict[str, tuple[int, int]]) -> tuple[str | int, ...]:
    if not isinstance(raw, list):
        raise where.error(key, f"expected a list of dimension names and sizes, e.g. [\"batch\", 3], got {raw!r}")
    shape: list[str | int] = []
    for i, entry in enumerate(raw):
        if isinstance(entry, str):
            if entry not in dims:
                known = ", ".join(dims) or "none"
                raise where.error(f"{key}[{i}]", f"dimension {entry!r} is never defined (dims: {known})")
        elif not (_is_int(entry) and entry > 0):
            raise where.error(f"{key}[{i}]", f"expected a dimension's name or a positive integer, got {entry!r}")
        shape.append(entry)
    largest = math.prod(dims[e][1] if isinstance(e, str) else e for e in shape)
    if largest > MAX_ELEMENTS:
        raise where.error(key, f"{largest:,} elements at the largest dims; at most {MAX_ELEMENTS:,}")
    return tuple(shape)


def _input(where: _Where, name: str, raw: Any, dims: dict[str, tuple[int, int]]) -> InputSpec:
    key = f"inputs.{name}"
    if not isinstance(raw, dict):
        raise where.error(key, f"expected a table, e.g. {{ shape = [\"batch\"], range = [-1.0, 1.0] }}, got {raw!r}")
    for k in raw:
        if k not in INPUT_KEYS:
            raise where.error(f"{key}.{k}", f"unknown key (an input has {', '.join(INPUT_KEYS)})")
    is_int = raw.get("int", False)
    if not isinstance(is_int, bool):
        raise where.error(f"{key}.int", f"expected true or false, got {is_int!r}")
    if "value" in raw:
        if "range" in raw or "shape" in raw:
            raise where.error(f"{key}.value", "a fixed value takes neither shape nor range")
        value = raw["value"]
        _fixed_value(where, f"{key}.value", value, is_int)
        return InputSpec(name, shape=(), is_int=is_int, value=value)
    shape = _shape(where, f"{key}.shape", raw.get("shape", []), dims)
    if "range" not in raw:
        if is_int:
            raise where.error(f"{key}.range", "an int input needs range = [low, high) (high may name a dimension)")
        return InputSpec(name, shape)
    rng = raw["range"]
    rkey = f"{key}.range"
    if not (isinstance(rng, list) and len(rng) == 2):
        raise where.error(rkey, f"expected [low, high], got {rng!r}")
    if is_int:
        for i, bound in enumerate(rng):
            if isinstance(bound, str):
                if bound not in dims:
                    raise where.error(f"{rkey}[{i}]", f"dimension {bound!r} is never defined (dims: {', '.join(dims) or 'none'})")
            elif not _is_int(bound):
                raise where.error(f"{rkey}[{i}]", f"an int input's bound is an integer or a dimension's name, got {bound!r}")
        # The smallest high against the largest low: the range must hold a value for every draw of the dims.
        low_max = dims[rng[0]][1] if isinstance(rng[0], str) else rng[0]
        high_min = dims[rng[1]][0] if isinstance(rng[1], str) else rng[1]
        if high_min <= low_max:
            raise where.error(rkey, f"[{rng[0]!r}, {rng[1]!r}) can be empty (int ranges are half-open: [0, 2) is 0 or 1)")
        return InputSpec(name, shape, True, rng[0], rng[1])
    if not all(_is_number(b) for b in rng):
        raise where.error(rkey, f"expected two finite numbers, got {rng!r}")
    low, high = float(rng[0]), float(rng[1])
    if low > high:
        raise where.error(rkey, f"low {low!r} is above high {high!r}")
    return InputSpec(name, shape, False, low, high)


def _fixed_value(where: _Where, key: str, value: Any, is_int: bool) -> None:
    def walk(v: Any, depth: int) -> tuple[int, ...]:
        if isinstance(v, list):
            if not v:
                raise where.error(key, "an empty list")
            shapes = {walk(x, depth + 1) for x in v}
            if len(shapes) != 1:
                raise where.error(key, "a ragged list (rows of different lengths)")
            return (len(v), *shapes.pop())
        if (is_int and not _is_int(v)) or not _is_number(v):
            raise where.error(key, f"expected {'integers' if is_int else 'finite numbers'}, got {v!r}")
        return ()
    walk(value, 0)


def _tolerance(where: _Where, key: str, raw: Any, base: Tolerance) -> Tolerance:
    if not isinstance(raw, dict):
        raise where.error(key, f"expected a table, e.g. {{ rtol = 1e-12, atol = 1e-15 }}, got {raw!r}")
    values = {"rtol": base.rtol, "atol": base.atol, "exact": base.exact}
    for k, v in raw.items():
        if k not in TOLERANCE_KEYS:
            raise where.error(f"{key}.{k}", f"unknown key (a tolerance has {', '.join(TOLERANCE_KEYS)})")
        if k == "exact":
            if not isinstance(v, bool):
                raise where.error(f"{key}.{k}", f"expected true or false, got {v!r}")
        elif not (_is_number(v) and v >= 0):
            raise where.error(f"{key}.{k}", f"expected a finite number ≥ 0, got {v!r}")
        values[k] = float(v) if k != "exact" else v
    return Tolerance(**values)


def _outputs(where: _Where, raw: Any, dims: dict[str, tuple[int, int]], base: Tolerance) -> dict[str, OutputSpec]:
    """``outputs.NAME = { shape = [...], rtol = …, atol = …, exact = … }``, all optional: the shape the
    result must have, and a tolerance for this output alone."""
    if not isinstance(raw, dict):
        raise where.error("outputs", "expected a table, e.g. outputs.loss = { shape = [] }")
    outputs = {}
    for name, spec in raw.items():
        key = f"outputs.{name}"
        if not isinstance(spec, dict):
            raise where.error(key, f"expected a table, e.g. {{ shape = [\"batch\"] }}, got {spec!r}")
        for k in spec:
            if k not in ("shape", *TOLERANCE_KEYS):
                raise where.error(f"{key}.{k}", "unknown key (an output has shape, rtol, atol, exact)")
        shape = _shape(where, f"{key}.shape", spec["shape"], dims) if "shape" in spec else None
        tol_raw = {k: v for k, v in spec.items() if k in TOLERANCE_KEYS}
        tolerance = _tolerance(where, key, tol_raw, base) if tol_raw else None
        outputs[name] = OutputSpec(name, shape, tolerance)
    return outputs
