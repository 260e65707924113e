"""Session-wide fixtures: one static server, one Chromium and one booted Pyodide per test session.

Pyodide takes seconds to boot, so it boots once and every browser test shares it. When
Chromium or the runtime is missing the fixtures raise, and the tests that need them error:
they are never skipped.
"""

from __future__ import annotations

import pytest

from crosscheck.browser import Chromium
from crosscheck.runtimes import PyodideChromiumRuntime
from crosscheck.runtimes.base import stderr_progress
from crosscheck.server import StaticServer


@pytest.fixture(scope="session")
def static_server():
    with StaticServer() as server:
        yield server


@pytest.fixture(scope="session")
def chromium():
    with Chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def pyodide_chromium(static_server, chromium):
    runtime = PyodideChromiumRuntime(server=static_server, chromium=chromium)
    runtime.start(stderr_progress(runtime.name))
    yield runtime
    runtime.close()
