"""Where the pool lives, and which code it runs.

The folder is $DENSE_PARITY_POOL_DIR, else one per checkout (or per installed harness: per venv) under
$XDG_RUNTIME_DIR (when set) or the user's cache (crosscheck.paths.CACHE_DIR):
``pool-<hash of the checkout's path, or of the site-packages holding crosscheck>/`` with
``pool.sock`` (the socket), ``pool.lock`` (held by the daemon: one per folder) and ``pool.log``.
The daemon answers only a client whose *fingerprint* of the harness's sources is its own, so a
pool started before an edit is replaced, never used.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from ..paths import CACHE_DIR, PYTHON_CORE, REPO, RUNTIME_DIR, WEB_DEMO

POOL_DIR_ENV = "DENSE_PARITY_POOL_DIR"
IDLE_ENV = "DENSE_PARITY_POOL_IDLE"
DEFAULT_IDLE_S = 900.0
_SOURCES = ((REPO / "crosscheck", (".py", ".mjs")), (PYTHON_CORE, (".py", ".json")),
            (WEB_DEMO / "lib", (".mjs",)), (WEB_DEMO / "harness", (".mjs", ".html")))


def pool_dir() -> Path:
    configured = os.environ.get(POOL_DIR_ENV)
    if configured:
        return Path(configured)
    key = hashlib.sha256(str(REPO).encode()).hexdigest()[:12]
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime_dir) / "dense-parity" if runtime_dir and os.path.isdir(runtime_dir) else CACHE_DIR
    return base / f"pool-{key}"


def socket_path(folder: Path) -> Path:
    return folder / "pool.sock"


def idle_seconds() -> float:
    return float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_S))


def fingerprint() -> str:
    """The harness's sources (path, size, mtime), the assembled runtime's lock and this Python."""
    digest = hashlib.sha256(sys.executable.encode())
    for folder, suffixes in _SOURCES:
        for path in sorted(folder.rglob("*")):
            if path.suffix in suffixes and "__pycache__" not in path.parts:
                stat = path.stat()
                # (absolute: installed, the pages' modules live in the per-user cache, apart from the package)
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for name in ("pyodide-lock.json", ".assembled.json"):  # a re-assembled runtime folder: a new pool
        path = RUNTIME_DIR / name
        if path.exists():
            digest.update(f"{name}:{path.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
