"""Where things live. Everything generated sits in git-ignored places listed here.

In a checkout (scripts/setup beside this package) everything is in the repository, as the README's
commands expect. Installed by pip, the pages, the npm packages, their bundles and the offline
Pyodide runtime are assembled on first use into a per-user cache folder, HOME: one folder per
Pyodide version and digest of its inputs, shared by every project of the user
(crosscheck.site.home.ensure_home).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PYODIDE_VERSION = "0.27.7"
REPO = Path(__file__).resolve().parent.parent  # the checkout, or site-packages when installed
CHECKOUT = (REPO / "scripts" / "setup").is_file()
PYTHON_CORE = REPO / "python_core"
PACKAGED_WEB_DEMO = REPO / "web_demo"  # the pages and modules as they are in git (or in the wheel)
CACHE_DIR = Path(os.environ.get("DENSE_PARITY_CACHE",
                                Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dense-parity"))
# What the installed harness assembles from: the packaged pages, the npm lock, the bundler, python_core.
HOME_INPUTS = ("web_demo/lib", "web_demo/harness", "web_demo/pages", "web_demo/npm", "python_core",
               "crosscheck/site/bundle_web.mjs", "crosscheck/site/assemble.py")


def home_digest() -> str:
    digest = hashlib.sha256(PYODIDE_VERSION.encode())
    for name in HOME_INPUTS:
        path = REPO / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if "__pycache__" in f.parts:
                continue
            digest.update(str(f.relative_to(REPO)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


if CHECKOUT:
    HOME = REPO
    WEB_DEMO = REPO / "web_demo"
else:
    HOME = CACHE_DIR / "runtime" / f"pyodide-{PYODIDE_VERSION}-{home_digest()[:16]}"
    WEB_DEMO = HOME / "web_demo"
NODE_MODULES = HOME / "node_modules"
# The assembled offline runtime, served at /pyodide/ next to the pages that load it.
RUNTIME_DIR = Path(os.environ.get("DENSE_PARITY_RUNTIME_DIR", WEB_DEMO / "pyodide"))
