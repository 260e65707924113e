"""The lab's exact values (web_demo/lib/exact.mjs, BigInt arithmetic in the browser) against the
`exact` runtime (crosscheck/parity/exact.py, mpmath on the host): two computations that share no
code must give the same float64 for every element. And the lab's bits of error are accuracy.py's."""

from __future__ import annotations

import json
import subprocess

import numpy as np
from test_parity_exact import hard_cases

from crosscheck.parity.accuracy import bits_of_error
from crosscheck.parity.compare import ulp_distance
from crosscheck.parity.exact import exact_case
from crosscheck.paths import WEB_DEMO
from crosscheck.runtimes.node.process import node_path
from python_core import RESULT_ARRAYS, run_case
from python_core.facts import SATURATED_EXAMPLE

# Reads JSON from stdin, runs one exported function of a web_demo/lib module on each item, prints JSON.
NODE = """
const lib = new URL("./lib/", "file://" + process.cwd() + "/");
const [exact, ulp] = await Promise.all([import(new URL("exact.mjs", lib)), import(new URL("ulp.mjs", lib))]);
let text = ""; for await (const chunk of process.stdin) text += chunk;
const { cases, pairs } = JSON.parse(text);
const hex = (x) => ulp.bitsHex(x);
console.log(JSON.stringify({
  exact: cases.map((spec) => { try { const r = exact.exactCase(spec);
    return Object.fromEntries(Object.entries(r).map(([k, rows]) => [k, rows.map((row) => row.map(hex))]));
  } catch (err) { return { error: err.message }; } }),
  bits: pairs.map(([a, b]) => { const x = Buffer.from(a, "hex").readDoubleBE(), y = Buffer.from(b, "hex").readDoubleBE();
    return ulp.bitsOfError(ulp.ulpsFromExact(x, y)); }),
}));
"""


def _hex(x: float) -> str:
    return np.float64(x).byteswap().tobytes().hex()


def _from_hex(rows: list[list[str]]) -> np.ndarray:
    return np.array([[np.frombuffer(bytes.fromhex(h), ">f8")[0] for h in row] for row in rows], dtype=np.float64)


def run_js(cases: list[dict], pairs: list[tuple[float, float]] = ()) -> dict:
    plain = [{k: (np.asarray(v, np.float64).tolist() if k != "activation" else v) for k, v in c.items()} for c in cases]
    payload = json.dumps({"cases": plain, "pairs": [(_hex(a), _hex(b)) for a, b in pairs]})
    out = subprocess.run([node_path(), "--input-type=module", "-e", NODE], input=payload, capture_output=True,
                         text=True, cwd=WEB_DEMO, timeout=120)
    assert out.returncode == 0, out.stderr.strip().splitlines()[-1:]
    return json.loads(out.stdout)


def test_the_browsers_exact_values_are_the_exact_runtimes_bit_for_bit():
    """Saturated units (|z| up to ~1,000), subnormal results, exact zeros, all four activations, and the
    lab's saturated case: every element the same float64, a zero's sign included."""
    # beyond |z| = 2^14 (where exact.mjs encloses e^(−y) in [0, 2^(−23637)]), tiny and zero z, huge products
    edges = [{"activation": act, "weights": [[1e5, -3e4, 1e-300, 0.0]], "biases": [[0.0, 1.0, 0.0, 0.0]],
              "inputs": [[1.0], [0.5], [-1e300]], "upstream": [[1e300, -2.0, 1e300, 3.0], [3.0, 1e-300, -1.0, -1.0],
                                                            [1.0, 1.0, 1.0, 1.0]]} for act in ("sigmoid", "tanh")]
    cases = hard_cases(5, 48) + edges + [SATURATED_EXAMPLE, {**SATURATED_EXAMPLE, "activation": "sigmoid"}]
    cases = [{k: v for k, v in c.items() if k != "name"} for c in cases]
    js = run_js(cases)["exact"]
    elements = 0
    for spec, got in zip(cases, js):
        assert "error" not in got, (spec["activation"], got)
        truth = exact_case(spec)
        for name in RESULT_ARRAYS:
            mine = _from_hex(got[name])
            assert mine.shape == truth[name].shape
            assert int(ulp_distance(mine, truth[name]).max()) == 0, (spec, name, mine, truth[name])
            # and the same bits: a zero's sign too
            np.testing.assert_array_equal(mine.view(np.uint64), truth[name].view(np.uint64), err_msg=name)
            elements += mine.size
    assert elements > 1000


def test_bits_of_error_are_written_the_same_in_both_languages():
    """The lab's log2(1 + ULPs) and accuracy.py's, on distances from 0 ULP to NaN against a number."""
    big = 1.7976931348623157e308
    pairs = [(1.0, 1.0), (1.0, np.nextafter(1.0, 2)), (0.1, 0.1 + 2e-17 * 5), (-0.0, 0.0), (1e-300, -1e-300),
             (5e-324, 0.0), (float("inf"), big), (float("inf"), float("inf")), (float("nan"), 1.0),
             (float("nan"), float("nan")), (0.0, 1.0), (-big, big), (2.5e-5, 2.5000000001e-5)]
    js = run_js([], pairs)["bits"]
    for (a, b), got in zip(pairs, js):
        want = float(bits_of_error(ulp_distance(np.array([a]), np.array([b])))[0])
        assert got == want or abs(got - want) <= 1e-12 * want, (a, b, got, want)


def test_the_saturated_case_loses_bits_where_the_lab_says():
    """The facts' saturated case is what the lab's button promises: some gradient cells of the lesson's
    layer lose ≥ 10 bits against the exact value, others do not (measured on the host)."""
    from python_core.facts import FLAG_BITS_LOST

    spec = {k: v for k, v in SATURATED_EXAMPLE.items() if k != "name"}
    got, truth = run_case(spec), exact_case(spec)
    lost = {name: bits_of_error(ulp_distance(got[name], truth[name])) for name in RESULT_ARRAYS}
    gradient = np.concatenate([lost[n].ravel() for n in ("dWeights", "dBiases", "dInputs")])
    assert (gradient >= FLAG_BITS_LOST).any() and (gradient < FLAG_BITS_LOST).any()
    assert lost["output"].max() < FLAG_BITS_LOST
