"""The installed harness's per-user folder (crosscheck.paths.HOME): pages, npm packages, their bundles
and the offline Pyodide runtime, assembled once on first use, with progress on stderr.

A checkout has all of it in the repository (scripts/setup), and nothing is done here. The folder is
named by the Pyodide version and the digest of its inputs, so every project of the user shares it, and
a harness of another version gets its own. It is built in a staging folder and renamed into place
whole, so an interrupted build never looks complete.

``DENSE_PARITY_NODE_MODULES`` may name an existing node_modules with the pinned packages (then it is
linked instead of ``npm ci``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .. import paths

COMPLETE = ".complete"


def log(message: str) -> None:
    print(f"[dense-parity] {message}", file=sys.stderr, flush=True)


def home_ready() -> bool:
    return paths.CHECKOUT or (paths.HOME / COMPLETE).is_file()


def ensure_home(force: bool = False) -> Path:
    """HOME, assembled when it is not yet (or when ``force``); AssemblyError when it cannot be."""
    from .assemble import AssemblyError, assemble

    if paths.CHECKOUT:  # scripts/setup makes it all; `assemble` refreshes the runtime folder
        return paths.HOME
    home = paths.HOME
    if not force and (home / COMPLETE).is_file():
        return home
    started = time.monotonic()
    log(f"assembling the offline runtime into {home} (once per version; every project reuses it)")
    staging = home.with_name(f"{home.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        web = staging / "web_demo"
        for folder in ("lib", "harness", "pages"):
            shutil.copytree(paths.PACKAGED_WEB_DEMO / folder, web / folder)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(paths.PACKAGED_WEB_DEMO / "npm" / name, staging / name)
        (staging / "python_core").mkdir()
        for name in ("facts.json", "codec.py", "layer_contract.py"):   # what bundle_web.mjs reads of python_core
            shutil.copy(paths.PYTHON_CORE / name, staging / "python_core" / name)
        npm_ready = os.environ.get("DENSE_PARITY_NODE_MODULES")
        if npm_ready:
            log(f"1/3 npm packages: linking {npm_ready}")
            (staging / "node_modules").symlink_to(Path(npm_ready).resolve(), target_is_directory=True)
        else:
            log("1/3 npm packages: npm ci (pinned by package-lock.json)")
            npm = shutil.which("npm")
            if npm is None:
                raise AssemblyError("npm is needed to assemble the runtime (Debian: apt-get install nodejs npm)")
            subprocess.run([npm, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=staging, check=True, stdout=sys.stderr)
        log("2/3 bundling math.js, the editor and the shared facts for the pages (esbuild)")
        from ..runtimes.node.process import node_path  # $DENSE_PARITY_NODE first, as every runtime reads it

        node = node_path()
        if node is None:
            raise AssemblyError("node is needed to assemble the runtime")
        subprocess.run([node, str(Path(__file__).with_name("bundle_web.mjs")), str(staging), str(web / "vendor")],
                       check=True, stdout=sys.stderr)
        log("3/3 Pyodide, NumPy and python_core's wheel")
        assemble(force=True, runtime_dir=web / "pyodide", node_modules=staging / "node_modules")
        (staging / COMPLETE).write_text(f"assembled in {time.monotonic() - started:.1f} s\n")
        if home.exists():
            shutil.rmtree(home) if force else shutil.rmtree(staging)
        if staging.exists():
            home.parent.mkdir(parents=True, exist_ok=True)
            staging.replace(home)
    except subprocess.CalledProcessError as exc:
        raise AssemblyError(f"assembling {home} failed: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"runtime ready in {home} ({time.monotonic() - started:.1f} s)")
    return home
