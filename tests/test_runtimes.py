"""Every runtime runs the lesson example and gives what the chain rule, written out by hand, gives."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from crosscheck.parity.cases import LESSON_EXAMPLE
from crosscheck.runtimes import NativeRuntime

# The engine runtimes in the "engines" xdist_group: one worker boots them, once (conftest.py).
RUNTIMES = ["native", "pyodide_chromium", "pyodide_node", "js_chromium", "js_node",
            *(pytest.param(name, marks=pytest.mark.xdist_group("engines"))
              for name in ("pyodide_firefox", "js_firefox", "pyodide_webkit", "js_webkit"))]


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return NativeRuntime() if request.param == "native" else request.getfixturevalue(request.param)


def lesson_by_hand() -> dict[str, np.ndarray]:
    """The lesson example's four arrays in plain Python floats, one element at a time, sums by fsum."""
    W, b, x, u = (LESSON_EXAMPLE[k] for k in ("weights", "biases", "inputs", "upstream"))
    x, b, u = x[0], b[0], u[0]
    n_in, n_out = len(W), len(W[0])
    z = [math.fsum([x[i] * W[i][j] for i in range(n_in)] + [b[j]]) for j in range(n_out)]
    a = [1.0 / (1.0 + math.exp(-zj)) for zj in z]
    dz = [u[j] * a[j] * (1.0 - a[j]) for j in range(n_out)]          # dL/dz = dL/da · σ(1 − σ)
    return {"output": np.array([a]),
            "dWeights": np.array([[x[i] * dz[j] for j in range(n_out)] for i in range(n_in)]),  # xᵀ·dz
            "dBiases": np.array([dz]),
            "dInputs": np.array([[math.fsum(dz[j] * W[i][j] for j in range(n_out)) for i in range(n_in)]])}


def finite_difference_dweights(h: float = 1e-6) -> np.ndarray:
    """dL/dW for L = Σ upstream · σ(x·W + b), by central differences: the gradient's definition."""
    W = np.array(LESSON_EXAMPLE["weights"])
    b, x, u = (np.array(LESSON_EXAMPLE[k]) for k in ("biases", "inputs", "upstream"))
    loss = lambda w: float(np.sum(u / (1.0 + np.exp(-(x @ w + b)))))  # noqa: E731
    grad = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[index] = h
        grad[index] = (loss(W + step) - loss(W - step)) / (2 * h)
    return grad


def test_each_runtime_gives_the_lesson_example_by_hand(runtime):
    [outcome] = runtime.run([dict(LESSON_EXAMPLE)])
    assert outcome["ok"], outcome.get("error")
    expected = lesson_by_hand()
    for name, want in expected.items():
        got = outcome["arrays"][name]
        assert got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-18, err_msg=f"{runtime.name} {name}")
    np.testing.assert_allclose(outcome["arrays"]["dWeights"], finite_difference_dweights(), rtol=1e-6)


def test_each_runtime_says_what_it_is(runtime):
    versions = runtime.versions()
    if runtime.name.startswith("js"):
        assert versions["mathjs"] == "15.2.0"  # pinned in package.json
    else:
        assert versions["numpy"] == "2.0.2" and versions["python"].startswith("3.12")
    if runtime.name.startswith("pyodide"):
        assert versions["pyodide"] == "0.27.7"
    engine = runtime.name.rpartition("-")[2]
    if engine in ENGINE_NAMES:  # the browser it ran in, by the driver's account and by the page's own
        assert versions["browser"].startswith(ENGINE_NAMES[engine] + " "), versions
        user_agent = runtime.page.evaluate("() => navigator.userAgent")
        assert ENGINE_USER_AGENT[engine].search(user_agent), user_agent


ENGINE_NAMES = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKitGTK"}
ENGINE_USER_AGENT = {"chromium": re.compile(r"HeadlessChrome/"), "firefox": re.compile(r"Gecko/\d+ Firefox/"),
                     "webkit": re.compile(r"AppleWebKit/605\.1\.15 .*Safari/(?!.*Chrome)")}
