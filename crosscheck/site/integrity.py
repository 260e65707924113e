"""Is the assembled runtime folder the one ``assemble`` made, from today's python_core?

``assemble`` writes a stamp, ``.assembled.json``, that records the sha256 of every file in the
folder and the digest of python_core's sources the wheel was built from. ``verify_runtime`` checks
both before anything loads the folder (``run``, ``serve``, ``build-site``, the runtimes' start, the
test fixtures): a file changed after assembly, a file missing or added, or python_core edited since,
is refused, naming the file, both hashes, and what to run. Hashing the whole folder (~17 MB) takes
tens of milliseconds (docs/trust.md), so nothing is cached.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from ..paths import HOME, PYTHON_CORE

STAMP = ".assembled.json"
REBUILD = "run `python -m crosscheck assemble` (it rebuilds the folder)"


class RuntimeIntegrityError(RuntimeError):
    """The runtime folder is stale or was changed after assembly; the message says which file and what to run."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha512_base64(path: Path) -> str:
    """npm's ``integrity`` form: ``sha512-<base64>``."""
    digest = hashlib.sha512()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return "sha512-" + base64.b64encode(digest.digest()).decode()


def core_files() -> list[Path]:
    """What the python_core wheel holds besides its .dist-info: the package's modules and its facts."""
    return sorted(p for p in PYTHON_CORE.rglob("*.py") if "__pycache__" not in p.parts) + [PYTHON_CORE / "facts.json"]


def source_digest() -> str:
    """Hash of everything that goes into the python_core wheel: its sources, its facts, its .dist-info files."""
    from .assemble import CORE_DIST_INFO  # (assemble imports this module)

    digest = hashlib.sha256()
    for path in core_files():
        digest.update(str(path.relative_to(PYTHON_CORE.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name, text in sorted(CORE_DIST_INFO.items()):
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


def folder_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` but the stamp, by path relative to it (POSIX form)."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): sha256_file(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != STAMP}


def read_stamp(folder: Path) -> dict | None:
    from ..jsonin import JsonInputError, read_json

    try:
        stamp = read_json(Path(folder) / STAMP, LOCK_BYTES)
    except JsonInputError:
        return None
    return stamp if isinstance(stamp, dict) else None


def problems(folder: Path, check_sources: bool = True) -> list[str]:
    """What is wrong with ``folder`` (empty when it is exactly what assemble made from today's sources)."""
    folder = Path(folder)
    stamp = read_stamp(folder)
    if stamp is None or not isinstance(stamp.get("files"), dict):
        return [f"{folder / STAMP} is missing or records no file hashes (made by an older assemble, or not by "
                f"assemble at all)"]
    found: list[str] = []
    if check_sources and stamp.get("python_core") != (now := source_digest()):
        found.append(f"python_core changed since the runtime was assembled: its wheel was built from sources with "
                     f"digest {stamp.get('python_core')}, the sources now have digest {now}; Pyodide would run "
                     f"the old code")
    recorded: dict[str, str] = stamp["files"]
    actual = folder_hashes(folder)
    for name, expected in recorded.items():
        got = actual.get(name)
        if got is None:
            found.append(f"{folder / name} is missing (sha256 expected {expected})")
        elif got != expected:
            found.append(f"{folder / name} was changed after assembly: sha256 expected {expected}, found {got}")
    for name in sorted(set(actual) - set(recorded)):
        found.append(f"{folder / name} was added after assembly (sha256 {actual[name]})")
    if check_sources:
        found += wheel_problems(folder)
    return found


LOCK = "pyodide-lock.json"
CORE_PACKAGE = "dense-parity"
LOCK_BYTES = 16 * 1024 * 1024
WHEEL_MEMBER_BYTES = 16 * 1024 * 1024  # no module of python_core comes near; a bigger member is not one


def _wheel_differences(wheel: Path, expected: list[tuple[str, bytes]]) -> list[str]:
    """Which members of ``wheel`` differ from what today's sources make (names only: a reason, not a diff)."""
    import zipfile

    wanted = dict(expected)
    try:
        with zipfile.ZipFile(wheel) as zf:
            infos = {info.filename: info for info in zf.infolist()}
            changed = sorted(name for name, info in infos.items() if name in wanted and (
                info.file_size != len(wanted[name]) or info.file_size > WHEEL_MEMBER_BYTES
                or zf.read(info) != wanted[name]))
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError) as exc:
        return [f"it is not a readable wheel ({exc})"]
    found = [f"{name} differs from the sources" for name in changed]
    found += [f"{name} is missing" for name in sorted(set(wanted) - set(infos))]
    found += [f"{name} is not in the sources" for name in sorted(set(infos) - set(wanted))]
    return found or ["its bytes differ from the wheel the sources make"]


def wheel_problems(folder: Path) -> list[str]:
    """The Pyodide runtimes load python_core from the folder's wheel, named in its pyodide-lock.json: both
    are compared with what today's python_core sources make (the wheel is built byte for byte the same
    from the same sources), so that an edited wheel fails however the stamp and the lock were updated
    to match it. Cheap: a few tens of kB of sources zipped in memory."""
    from ..jsonin import JsonInputError, read_json
    from .assemble import CORE_WHEEL_NAME, NUMPY_SHA256, NUMPY_WHEEL, core_wheel_bytes, core_wheel_entries

    folder = Path(folder)
    expected = core_wheel_bytes()
    expected_sha = hashlib.sha256(expected).hexdigest()
    stale = "stale runtime: the python_core Pyodide would run is not today's sources: "
    found: list[str] = []
    wheel = folder / CORE_WHEEL_NAME
    try:
        actual_sha = sha256_file(wheel)
    except OSError as exc:
        actual_sha = None
        found.append(f"{stale}{wheel} cannot be read ({exc.strerror or exc})")
    if actual_sha is not None and actual_sha != expected_sha:
        found.append(f"{stale}{wheel}: " + "; ".join(_wheel_differences(wheel, core_wheel_entries()))
                     + f" (sha256 {actual_sha}, the sources make {expected_sha})")
    try:
        lock = read_json(folder / LOCK, LOCK_BYTES)
        packages = lock["packages"]
        entries = list(packages.items())
    except (JsonInputError, KeyError, TypeError, AttributeError) as exc:
        return found + [f"{folder / LOCK} is not a Pyodide lock ({exc})"]
    for key, entry in entries:
        if not isinstance(entry, dict):
            found.append(f"{folder / LOCK}: package {key!r} is not an object")
            continue
        imports = entry.get("imports") if isinstance(entry.get("imports"), list) else []
        if key == CORE_PACKAGE or "python_core" in imports:
            if key != CORE_PACKAGE or entry.get("file_name") != CORE_WHEEL_NAME or entry.get("sha256") != expected_sha:
                found.append(f"{stale}{folder / LOCK}: package {key!r} (python_core) is {entry.get('file_name')!r} "
                             f"with sha256 {entry.get('sha256')}, the sources make {CORE_WHEEL_NAME} with sha256 "
                             f"{expected_sha}")
        elif entry.get("file_name") == NUMPY_WHEEL:
            if entry.get("sha256") != NUMPY_SHA256:   # the browser and pyodide-node check the file against this
                found.append(f"{folder / LOCK}: {NUMPY_WHEEL} has sha256 {entry.get('sha256')}, the pinned one "
                             f"is {NUMPY_SHA256}")
        else:
            found.append(f"{folder / LOCK}: package {key!r} ({entry.get('file_name')!r}) is not one assemble puts "
                         f"in the folder (NumPy and python_core only)")
    if CORE_PACKAGE not in packages:
        found.append(f"{folder / LOCK} has no {CORE_PACKAGE!r} package (python_core)")
    return found


def verify_runtime(folder: Path, check_sources: bool = True) -> None:
    """Raise RuntimeIntegrityError naming every problem of ``folder`` and what to run."""
    found = problems(folder, check_sources)
    if found:
        raise RuntimeIntegrityError(f"the Pyodide runtime in {folder} cannot be trusted: {'; '.join(found)}; "
                                    f"{REBUILD}")


def npm_lock_integrity(package: str, lock_path: Path | None = None) -> tuple[str, str]:
    """(version, integrity) of node_modules/<package> in package-lock.json (default: HOME's, the checkout's
    or, installed, the per-user folder's)."""
    lock = json.loads(Path(lock_path or HOME / "package-lock.json").read_text())
    entry = lock.get("packages", {}).get(f"node_modules/{package}", {})
    if not entry.get("integrity") or not entry.get("version"):
        raise RuntimeIntegrityError(f"package-lock.json has no version and integrity for {package}")
    return entry["version"], entry["integrity"]
