"""The harness page in Firefox and in WebKit: the same page, wire format and runtime interface as
the Chromium runtimes; only the engine differs (browser/engines.py says how each is driven).

Opt-in, like exact (``default = False``): a run or bench includes them when they are named, so a
machine without Firefox or WebKit keeps its default runs whole; named and absent, each is reported
as not run, with what to install.
"""

from __future__ import annotations

from .js_chromium import JsPageRuntime
from .pyodide_chromium import PyodidePageRuntime


class PyodideFirefoxRuntime(PyodidePageRuntime):
    name = "pyodide-firefox"
    engine = "firefox"
    default = False


class PyodideWebKitRuntime(PyodidePageRuntime):
    name = "pyodide-webkit"
    engine = "webkit"
    default = False


class JsFirefoxRuntime(JsPageRuntime):
    name = "js-firefox"
    engine = "firefox"
    default = False


class JsWebKitRuntime(JsPageRuntime):
    name = "js-webkit"
    engine = "webkit"
    default = False


ENGINE_RUNTIMES = (PyodideFirefoxRuntime, JsFirefoxRuntime, PyodideWebKitRuntime, JsWebKitRuntime)
