"""python_core inside Pyodide, in a Web Worker of web_demo/harness/harness.html, in headless Chromium
(and, through PyodidePageRuntime, in Firefox and WebKit: firefox_webkit.py)."""

from __future__ import annotations

# PYODIDE_FILES: what loadPyodide and loadPackage("dense-parity") read from the assembled runtime
# folder; shared with pyodide-node, which loads the same folder.
from python_core.facts import PYODIDE_FILES

from .browser.page import ChromiumPageRuntime, PageRuntime

PYODIDE_MISSING = "the offline Pyodide runtime is not assembled"
PYODIDE_HINT = "`python -m crosscheck assemble`, or scripts/setup"


class PyodideFolder:
    """What a runtime that loads the assembled Pyodide folder needs of it: its files, and its stamp."""

    uses_pyodide_folder = True
    required_files = PYODIDE_FILES
    missing_means = PYODIDE_MISSING
    missing_hint = PYODIDE_HINT

    @classmethod
    def integrity_reason(cls, folder) -> str | None:
        """The folder's stamp check (crosscheck.site.integrity), as a reason or None."""
        from ..site.integrity import RuntimeIntegrityError, verify_runtime

        try:
            verify_runtime(folder)
        except RuntimeIntegrityError as exc:
            return str(exc)
        return None


class PyodidePageRuntime(PyodideFolder, PageRuntime):
    page_path = "/harness/harness.html"
    label = "Pyodide"
    files_in = "runtime"


class PyodideChromiumRuntime(PyodidePageRuntime, ChromiumPageRuntime):
    name = "pyodide-chromium"
