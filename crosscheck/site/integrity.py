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
    try:
        stamp = json.loads((Path(folder) / STAMP).read_text())
    except (OSError, ValueError):
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
