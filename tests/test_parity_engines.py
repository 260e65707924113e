"""The same cases in Chromium, Firefox and WebKit: every runtime within tolerance of native, and where
the engines agree bit for bit (docs/engines.md has the measured tables and the causes).

Pyodide runs the same WebAssembly NumPy and libm in every engine, so its results must not depend on
the engine. The JavaScript reference calls the engine's own Math.exp and Math.tanh, which differ
between engines; but linear and ReLU layers use only +, × and comparisons, which IEEE 754 fixes, so
for those every JavaScript engine must agree bit for bit.
"""

from __future__ import annotations

import itertools
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pytest

from crosscheck.parity.random_cases import random_cases
from crosscheck.parity.runner import run_cases
from crosscheck.pytest_plugin import ENGINE_RUNTIMES
from python_core import RESULT_ARRAYS

pytestmark = pytest.mark.xdist_group("engines")  # one worker boots the engines, once
PYODIDE = ["pyodide-chromium", "pyodide-firefox", "pyodide-webkit", "pyodide-node"]
JS = ["js-chromium", "js-firefox", "js-webkit", "js-node"]
CASES = random_cases(24, seed=13)  # six of each activation: saturation, ±0 and the kink included


def start_early(pool) -> Future:
    """The four engine runtimes boot as the session starts (conftest.started_early); engine_runtimes
    then finds them booted, or waits for the boots under way."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-engines")
    future = executor.submit(pool.boot, list(ENGINE_RUNTIMES))
    executor.shutdown(wait=False)  # its thread ends with the boots
    return future


def bits(a) -> bytes:
    return np.ascontiguousarray(a, dtype="<f8").tobytes()


def test_all_nine_runtimes_in_one_run_one_round_trip_per_batch(engine_runtimes, borrow_runtimes):
    lent: dict = {}
    report = run_cases(CASES, ["native", *PYODIDE, *JS], batch_size=8, make_runtime=borrow_runtimes(lent),
                       progress=lambda n: (lambda stage: None))
    assert report["ok"], [c for case in report["cases"] for c in case["comparisons"] if not c["ok"]][:3]
    for name in PYODIDE + JS:
        assert report["runtimes"][name]["ok"] and lent[name].calls == 3, name   # 8 + 8 + 8
    browsers = {report["runtimes"][name]["browser"].split()[0] for name in PYODIDE + JS
                if "browser" in report["runtimes"][name]}
    assert browsers == {"Chromium", "Firefox", "WebKitGTK"}

    differ: dict[tuple[str, str], list[str]] = {}
    for case in report["cases"]:
        results = case["results"]
        for family in (PYODIDE, JS):
            for a, b in itertools.combinations(family, 2):
                for array in RESULT_ARRAYS:
                    if bits(results[a][array]) != bits(results[b][array]):
                        differ.setdefault((a, b), []).append(f"{case['spec']['activation']} {array} of {case['name']}")
    # Pyodide: one engine or another, the same bits.
    assert not [pair for pair in differ if pair[0].startswith("pyodide")], differ
    # JavaScript: linear and ReLU identical everywhere; only exp and tanh may tell engines apart.
    js_diffs = [d for pair, ds in differ.items() if pair[0].startswith("js") for d in ds]
    assert not [d for d in js_diffs if d.split()[0] in ("linear", "relu")], js_diffs
