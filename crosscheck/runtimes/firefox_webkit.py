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
    name, engine, default = "pyodide-firefox", "firefox", False


class PyodideWebKitRuntime(PyodidePageRuntime):
    name, engine, default = "pyodide-webkit", "webkit", False


class JsFirefoxRuntime(JsPageRuntime):
    name, engine, default = "js-firefox", "firefox", False


class JsWebKitRuntime(JsPageRuntime):
    name, engine, default = "js-webkit", "webkit", False


ENGINE_RUNTIMES = (PyodideFirefoxRuntime, JsFirefoxRuntime, PyodideWebKitRuntime, JsWebKitRuntime)
