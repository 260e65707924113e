"""Where things live. Everything generated sits in git-ignored places listed here."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON_CORE = REPO / "python_core"
WEB_DEMO = REPO / "web_demo"
NODE_MODULES = REPO / "node_modules"
# The assembled offline runtime, served at /pyodide/ next to the pages that load it.
RUNTIME_DIR = Path(os.environ.get("DENSE_PARITY_RUNTIME_DIR", WEB_DEMO / "pyodide"))
CACHE_DIR = Path(os.environ.get("DENSE_PARITY_CACHE",
                                Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dense-parity"))
