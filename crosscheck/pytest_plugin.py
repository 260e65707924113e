"""The crosscheck pytest plugin (entry point ``pytest11``): a lesson repository that installed the
harness gets, with no conftest of its own, session-scoped fixtures for each runtime (booted once per
session, on first use) and ``crosscheck.check(...)`` running on them.

Fixtures: ``crosscheck_pool`` (crosscheck.runtimes.session_pool.RuntimePool), ``static_server``, ``chromium``,
``firefox`` and ``webkit`` (the engines' browsers, crosscheck.runtimes.browser.engines), ``native``,
``pyodide_chromium``, ``pyodide_node``, ``js_chromium``, ``js_node``, ``pyodide_firefox``, ``js_firefox``,
``pyodide_webkit``, ``js_webkit``, ``booted_runtimes`` (the four non-native default ones by name),
``engine_runtimes`` (the four Firefox and WebKit ones by name, booted side by side) and ``borrow_runtimes``.
When a runtime cannot boot, the tests that need it error: they are never skipped.
"""

from __future__ import annotations

import pytest

from . import checking as _check
from .runtimes.session_pool import RuntimePool


@pytest.fixture(scope="session", autouse=True)
def crosscheck_pool():
    """The session's runtimes. Made for every session (cheap: nothing boots, and nothing is assembled,
    until a test asks for a runtime or calls check()), so that check() uses it."""
    pool = RuntimePool()
    _check.SESSION_POOL = pool
    try:
        yield pool
    finally:
        _check.SESSION_POOL = None
        pool.close()


@pytest.fixture(scope="session")
def static_server(crosscheck_pool):
    return crosscheck_pool.server


@pytest.fixture(scope="session")
def chromium(crosscheck_pool):
    return crosscheck_pool.chromium


def _runtime_fixture(name: str):
    """A session fixture named like the runtime (pyodide-chromium → pyodide_chromium), booted on first use."""
    @pytest.fixture(scope="session", name=name.replace("-", "_"))
    def runtime(crosscheck_pool):
        return crosscheck_pool.get(name)
    return runtime


native, pyodide_chromium, pyodide_node, js_chromium, js_node = (
    _runtime_fixture(name) for name in ("native", "pyodide-chromium", "pyodide-node", "js-chromium", "js-node"))
pyodide_firefox, js_firefox, pyodide_webkit, js_webkit = (
    _runtime_fixture(name) for name in ("pyodide-firefox", "js-firefox", "pyodide-webkit", "js-webkit"))
ENGINE_RUNTIMES = ("pyodide-firefox", "js-firefox", "pyodide-webkit", "js-webkit")


def _engine_fixture(engine: str):
    @pytest.fixture(scope="session", name=engine)
    def browser(crosscheck_pool):
        return crosscheck_pool.browser(engine)
    return browser


firefox, webkit = _engine_fixture("firefox"), _engine_fixture("webkit")


@pytest.fixture(scope="session")
def engine_runtimes(crosscheck_pool):
    """The Firefox and WebKit runtimes by name, booted side by side (borrow them; never close them).
    One that cannot boot raises here with its reason."""
    failed = crosscheck_pool.boot(list(ENGINE_RUNTIMES))
    if failed:
        raise next(iter(failed.values()))
    return {name: crosscheck_pool.get(name) for name in ENGINE_RUNTIMES}


@pytest.fixture(scope="session")
def booted_runtimes(pyodide_chromium, pyodide_node, js_chromium, js_node):
    """The four non-native default runtimes by name, booted and shared (borrow them; never close them)."""
    return {r.name: r for r in (pyodide_chromium, pyodide_node, js_chromium, js_node)}


@pytest.fixture(scope="session")
def borrow_runtimes(crosscheck_pool):
    """``borrow_runtimes(lent)`` → a ``make_runtime`` for run_cases lending the session's runtimes
    (each recorded in ``lent`` by name, its round-trips counted in ``calls``)."""
    return crosscheck_pool.lend
