"""Cases and results cross every runtime boundary bit for bit: subnormals and the sign of zero included.

The expected bits are worked out here from IEEE 754 rules, per runtime family, because the two
families really do differ in one respect (a finding, see the README): NumPy starts its sums
(matmul without BLAS, add.reduce) from +0.0, math.js from the first term. So −0.0 + … stays −0.0
in JavaScript and becomes +0.0 in Python. What must hold everywhere is that the bits each runtime
computed arrive unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest

from crosscheck.runtimes import NativeRuntime

TINY = 5e-324                      # the smallest subnormal, 2⁻¹⁰⁷⁴
SUB = 3 * 2.0 ** -1070            # another subnormal, with more than one bit set
# The engine runtimes in the "engines" xdist_group: one worker boots them, once (conftest.py).
RUNTIMES = ["native", "pyodide_chromium", "pyodide_node", "js_chromium", "js_node",
            *(pytest.param(name, marks=pytest.mark.xdist_group("engines"))
              for name in ("pyodide_firefox", "js_firefox", "pyodide_webkit", "js_webkit"))]

# Linear activation, one input, batch 2. Every product is by 1.0 or 0.5·2ᵏ and is exact, so each
# result is one term plus zeros and its value is known exactly; only the sign of zero depends on
# where the sum starts.
CASE = {
    "name": "signed-zero-and-subnormals",
    "activation": "linear",
    "weights": [[1.0, 0.5, -1.0]],
    "biases": [[-0.0, 0.0, -0.0]],
    "inputs": [[-0.0], [SUB]],
    "upstream": [[-0.0, TINY, -TINY], [-SUB, -0.0, 2 * SUB]],
}


def expected(starts_at_zero: bool) -> dict[str, np.ndarray]:
    """The case's arrays with sums written out in the given order: from +0.0 (NumPy) or the first term."""
    def total(terms):
        acc = 0.0 if starts_at_zero else terms[0]
        for t in (terms if starts_at_zero else terms[1:]):
            acc = acc + t
        return acc

    W, b, x, u = (CASE[k] for k in ("weights", "biases", "inputs", "upstream"))
    rows, cols = len(x), len(W[0])
    # z = (x·W) + b: the matmul is a one-term sum, then the bias is added.
    z = [[total([x[r][0] * W[0][j]]) + b[0][j] for j in range(cols)] for r in range(rows)]
    dz = [[u[r][j] * 1.0 for j in range(cols)] for r in range(rows)]          # linear: f' = 1
    return {
        "output": np.array(z),
        "dWeights": np.array([[total([x[r][0] * dz[r][j] for r in range(rows)]) for j in range(cols)]]),
        "dBiases": np.array([[total([dz[r][j] for r in range(rows)]) for j in range(cols)]]),
        "dInputs": np.array([[total([dz[r][j] * W[0][j] for j in range(cols)])] for r in range(rows)]),
    }


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return NativeRuntime() if request.param == "native" else request.getfixturevalue(request.param)


def bits(a: np.ndarray) -> list[str]:
    return [f"{v:016x}" for v in np.ascontiguousarray(a, dtype="<f8").view("<u8").ravel()]


def test_results_arrive_bit_for_bit(runtime):
    [outcome] = runtime.run([CASE])
    assert outcome["ok"], outcome.get("error")
    want = expected(starts_at_zero=not runtime.name.startswith("js"))
    for name, value in want.items():
        assert bits(outcome["arrays"][name]) == bits(value), f"{runtime.name} {name}"


def test_the_case_has_what_it_claims_to_test():
    # Guard the guard: both orders give subnormals, and the JavaScript order gives -0.0 results,
    # which could only come back if a -0.0 input went in (+0.0·1 + -0.0 would be +0.0).
    js, py = expected(starts_at_zero=False), expected(starts_at_zero=True)
    assert np.signbit(js["output"][0, 0]) and js["output"][0, 0] == 0
    assert not np.signbit(py["output"][0, 0])
    values = np.concatenate([v.ravel() for v in js.values()])
    assert ((values != 0) & (np.abs(values) < np.finfo(float).tiny)).sum() >= 4


def test_wire_mjs_gives_back_every_bit_python_sent():
    # Python encodes, web_demo/lib/wire.mjs decodes to JavaScript numbers and encodes again, Python decodes:
    # every finite bit pattern, the edges of the subnormal range and random ones, comes back unchanged.
    import json
    import subprocess

    from crosscheck.paths import WEB_DEMO
    from crosscheck.runtimes.node.process import node_path
    from python_core.wire import decode_array, encode_array

    tiny = np.finfo(float).tiny
    edges = [-0.0, 0.0, TINY, -TINY, np.nextafter(tiny, 0), tiny, np.finfo(float).max, -np.finfo(float).max, 1 / 3]
    patterns = np.random.default_rng(0).integers(0, 2**63, 4000, dtype=np.int64).view(np.float64)
    sent = np.concatenate([edges, patterns[np.isfinite(patterns)]]).reshape(-1, 1)
    script = ("import { readFileSync } from 'node:fs'; "
              f"const w = await import({json.dumps((WEB_DEMO / 'lib' / 'wire.mjs').as_uri())}); "
              "const nested = w.decodeArray(JSON.parse(readFileSync(0, 'utf8'))); "
              "process.stdout.write(JSON.stringify(w.encodeArray(nested)));")
    done = subprocess.run([node_path(), "--input-type=module", "-e", script], input=json.dumps(encode_array(sent)),
                          capture_output=True, text=True, timeout=60, check=True)
    back = decode_array(json.loads(done.stdout))
    assert bits(back) == bits(sent)
