"""``explain``: each cause, in a case built so that only that cause is at work.

Each test writes a small report by hand: two runtimes, "a" and "b", whose arrays the test computes
itself (plain Python loops, Fractions for the exact fused multiply-add, mpmath for the correctly
rounded exp and tanh), differing in one way only. explain must name that cause for every
differing element, and nothing else.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

from crosscheck.parity.explain import explain_report, fma
from python_core import run_case

ARRAYS = ("output", "dWeights", "dBiases", "dInputs")


# --- independent arithmetic, written out ----------------------------------------------------

def seq_first(terms):
    """math.js's order: the first term, then each next one added."""
    s = terms[0]
    for t in terms[1:]:
        s = s + t
    return s


def seq_zero(terms):
    s = 0.0
    for t in terms:
        s = s + t
    return s


def fma_exact(x, y, z):
    return float(Fraction(x) * Fraction(y) + Fraction(z))


def layer(spec, out, *, dot=seq_first):
    """The backward arrays from an output, the derivative read from it, sums in the order ``dot``."""
    X, W, U = (np.array(spec[k], dtype=float) for k in ("inputs", "weights", "upstream"))
    act = spec["activation"]
    slope = {"sigmoid": lambda a: a * (1.0 - a), "tanh": lambda a: 1.0 - a * a,
             "relu": lambda a: 1.0 if a > 0 else 0.0, "linear": lambda a: 1.0}[act]
    nb, ni, no = X.shape[0], X.shape[1], W.shape[1]
    dz = [[U[r][j] * slope(out[r][j]) for j in range(no)] for r in range(nb)]
    dW = [[dot([X[r][i] * dz[r][j] for r in range(nb)]) for j in range(no)] for i in range(ni)]
    dB = [[dot([dz[r][j] for r in range(nb)]) for j in range(no)]]
    dI = [[dot([dz[r][j] * W[i][j] for j in range(no)]) for i in range(ni)] for r in range(nb)]
    return {"output": [list(map(float, row)) for row in out], "dWeights": dW, "dBiases": dB, "dInputs": dI}


def report(spec, a, b):
    listed = lambda arrays: {k: np.asarray(v, dtype=float).tolist() for k, v in arrays.items()}  # noqa: E731
    return {"runtimes": {"a": {"ok": True}, "b": {"ok": True}},
            "cases": [{"name": "built", "spec": {k: np.asarray(v).tolist() if k != "activation" else v
                                                 for k, v in spec.items()},
                       "results": {"a": listed(a), "b": listed(b)}}]}


def differing(a, b):
    return sum(int((np.asarray(a[k], float).view(np.int64) != np.asarray(b[k], float).view(np.int64)).sum())
               for k in ARRAYS)


def only(result, cause):
    assert result["unexplained"] == 0, result["unexplained_elements"]
    assert {k: v for k, v in result["causes"].items() if v} == {cause: result["differing_elements"]}


def cr(fn, x):
    with mpmath.workprec(300):
        v = (mpmath.exp if fn == "exp" else mpmath.tanh)(mpmath.mpf(x))
        return float(mpmath.nstr(v, 60))


# --- the causes ------------------------------------------------------------------------------

def test_sign_of_zero():
    # one input of 1.0, a weight of −0.0 and a bias of −0.0: every product is −0.0
    spec = {"activation": "linear", "weights": [[-0.0]], "biases": [[-0.0]], "inputs": [[1.0]], "upstream": [[2.0]]}
    z_numpy = (0.0 + 1.0 * -0.0) + -0.0      # NumPy's loop starts from +0.0
    z_mathjs = (1.0 * -0.0) + -0.0           # math.js starts from the first product
    assert math.copysign(1, z_numpy) == 1 and math.copysign(1, z_mathjs) == -1
    a = layer(spec, [[z_numpy]], dot=seq_zero)
    b = layer(spec, [[z_mathjs]], dot=seq_first)
    assert differing(a, b) == 2  # output and dInputs (2·−0.0)
    result = explain_report(report(spec, a, b)).as_json()
    only(result, "sign_of_zero")
    assert result["differing_elements"] == 2


def test_fused_multiply_add():
    # z = x0·w0 + x1·w1 with x0·w0 = −1 exact and x1·w1 = 1 + 2^-29 + 2^-60, which rounding drops
    x1 = 1.0 + 2.0 ** -30
    spec = {"activation": "linear", "weights": [[1.0], [x1]], "biases": [[0.0]], "inputs": [[-1.0, x1]],
            "upstream": [[1.0]]}
    plain = (-1.0 * 1.0) + x1 * x1
    fused = fma_exact(x1, x1, fma_exact(-1.0, 1.0, 0.0))
    assert fused == 2.0 ** -29 + 2.0 ** -60 and plain == 2.0 ** -29
    a = layer(spec, [[plain + 0.0]])
    b = layer(spec, [[fused + 0.0]])
    result = explain_report(report(spec, a, b)).as_json()
    only(result, "fused_multiply_add")
    assert result["differing_elements"] == 1


def test_fma_emulation_matches_fractions():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal(3000) * 10.0 ** rng.uniform(-8, 3, 3000), rng.standard_normal(3000)
    z = -(x * y) * (1 + 1e-12 * rng.standard_normal(3000))
    got = fma(x, y, z)
    assert all(got[i] == fma_exact(x[i], y[i], z[i]) for i in range(3000))


def test_pairwise_summation_of_a_one_neuron_layer():
    # 24 rows, one neuron: NumPy's sum over the contiguous axis is pairwise, math.js's sequential
    rng = np.random.default_rng(7)
    up = (rng.standard_normal((24, 1)) * 10.0 ** rng.uniform(-3, 3, (24, 1))).tolist()
    spec = {"activation": "linear", "weights": [[1.0]], "biases": [[0.0]], "inputs": [[0.0]] * 24, "upstream": up}
    a = {k: np.asarray(v) for k, v in run_case(spec).items()}     # NumPy here: add.reduce, pairwise
    b = dict(a)
    b["dBiases"] = np.array([[seq_first([row[0] for row in up])]])
    assert differing(a, b) == 1, "the draw must make the two orders differ"
    result = explain_report(report(spec, a, b)).as_json()
    only(result, "summation_order:pairwise")


def blocked_matmul(a, b, lanes=4):
    """A BLAS-like kernel written out: ``lanes`` partial sums (term k goes to lane k mod lanes), each
    step fused, s ← fma(x, w, s), then the lanes added pairwise. Which partial sums a real BLAS keeps
    depends on the CPU and the kernel OpenBLAS picks, so the test brings its own."""
    partial = [np.zeros((a.shape[0], b.shape[1])) for _ in range(lanes)]
    for k in range(a.shape[1]):
        partial[k % lanes] = fma(a[:, k:k + 1], b[k:k + 1, :], partial[k % lanes])
    while len(partial) > 1:
        partial = [partial[i] + partial[i + 1] if i + 1 < len(partial) else partial[i]
                   for i in range(0, len(partial), 2)]
    return partial[0]


def test_blocked_and_fused_sums_of_the_blas(monkeypatch):
    import crosscheck.parity.explain as explain

    monkeypatch.setattr(explain, "blas_matmul", blocked_matmul)  # "this machine's BLAS", the same on any CPU
    rng = np.random.default_rng(3)
    spec = {"activation": "linear", "weights": rng.standard_normal((24, 40)), "biases": np.zeros((1, 40)),
            "inputs": rng.standard_normal((6, 24)), "upstream": rng.standard_normal((6, 40))}
    X, W, U = spec["inputs"], spec["weights"], spec["upstream"]
    out = [[seq_first([X[r][i] * W[i][j] for i in range(24)]) + 0.0 for j in range(40)] for r in range(6)]
    b = layer(spec, out)                  # math.js's sequential sums
    a = dict(b, dInputs=blocked_matmul(U, W.T))  # the "BLAS" runtime: dZ @ Wᵀ blocked (linear: dZ = U)
    fused = np.array([[0.0] * 24 for _ in range(6)])
    for r in range(6):
        for i in range(24):
            s = 0.0
            for j in range(40):
                s = fma_exact(U[r][j], W[i][j], s)
            fused[r][i] = s
    d = a["dInputs"].view(np.int64) != np.asarray(b["dInputs"]).view(np.int64)
    by_fma = int((d & (a["dInputs"] == fused)).sum())
    blocked = int((d & (a["dInputs"] != fused)).sum())
    assert blocked > 0 and d.sum() > 0  # the draw makes the blocked order visible
    result = explain_report(report(spec, a, b)).as_json()
    assert result["unexplained"] == 0
    assert result["causes"]["summation_order:blocked"] == blocked
    assert result["causes"]["fused_multiply_add"] == by_fma
    assert result["differing_elements"] == blocked + by_fma


def _activation_case(act, xs, lib_b):
    """One input per row, weight 1, bias 0 (so z = x in every order); "a" uses the correctly rounded
    exp/tanh, "b" the same but one ULP off where ``lib_b`` says so."""
    spec = {"activation": act, "weights": [[1.0]], "biases": [[0.0]], "inputs": [[x] for x in xs],
            "upstream": [[1.0]] * len(xs)}
    fn = "exp" if act == "sigmoid" else "tanh"
    out_a, out_b = [], []
    for x in xs:
        arg = -x if act == "sigmoid" else x
        e_a = cr(fn, arg)
        e_b = lib_b(e_a)
        f = (lambda e: 1.0 / (1.0 + e)) if act == "sigmoid" else (lambda e: e)
        out_a.append([f(e_a)])
        out_b.append([f(e_b)])
    return spec, layer(spec, out_a), layer(spec, out_b)


def test_exp_rounding():
    xs = np.linspace(-0.9, 0.9, 37).tolist()  # |1 − 2a|/(1 − a) < 1 here: no cancellation
    spec, a, b = _activation_case("sigmoid", xs, lambda e: math.nextafter(e, math.inf))
    assert differing(a, b) > 0
    result = explain_report(report(spec, a, b)).as_json()
    only(result, "exp_rounding")


def test_tanh_rounding():
    xs = np.linspace(-0.6, 0.6, 31).tolist()  # 2a²/(1 − a²) < 2 here: under a bit lost
    xs = [x for x in xs if x != 0]
    spec, a, b = _activation_case("tanh", xs, lambda t: math.nextafter(t, -math.inf))
    assert differing(a, b) > 0
    result = explain_report(report(spec, a, b)).as_json()
    only(result, "tanh_rounding")


def test_derivative_cancellation_in_saturated_tanh():
    xs = np.linspace(3.0, 9.0, 13).tolist()  # a close to 1: 1 − a² cancels
    spec, a, b = _activation_case("tanh", xs, lambda t: math.nextafter(t, -math.inf))
    result = explain_report(report(spec, a, b)).as_json()
    assert result["unexplained"] == 0
    causes = {k: v for k, v in result["causes"].items() if v}
    assert set(causes) == {"tanh_rounding", "derivative_cancellation"}
    assert causes["tanh_rounding"] == len(xs)  # every output, one ULP apart
    # every gradient element differs, through 1 − a², and loses at least 5 bits there
    assert causes["derivative_cancellation"] == differing(a, b) - len(xs)
    a_out = np.array(a["output"])
    expected_bits = np.log2(2 * a_out ** 2 / (1 - a_out ** 2)).max()
    assert result["derivative_cancellation_bits_lost"]["max"] >= 5
    assert abs(result["derivative_cancellation_bits_lost"]["max"] - expected_bits) < 1.5


def test_the_unexplained_are_listed_with_case_array_and_index():
    spec = {"activation": "linear", "weights": [[1.0]], "biases": [[0.0]], "inputs": [[1.0]], "upstream": [[1.0]]}
    a = layer(spec, [[1.0]])
    b = dict(a)
    b["dWeights"] = [[1.5]]  # no recipe gives this
    result = explain_report(report(spec, a, b)).as_json()
    assert result["unexplained"] == 1
    assert result["unexplained_elements"][0]["case"] == "built"
    assert result["unexplained_elements"][0]["array"] == "dWeights"
    assert result["unexplained_elements"][0]["index"] == [0, 0]


def test_the_command_prints_and_writes_the_json(tmp_path, capsys):
    from crosscheck.cli import main as cli_main

    spec = {"activation": "linear", "weights": [[-0.0]], "biases": [[-0.0]], "inputs": [[1.0]], "upstream": [[2.0]]}
    a = layer(spec, [[0.0]], dot=seq_zero)
    b = layer(spec, [[-0.0]], dot=seq_first)
    path, out = tmp_path / "r.json", tmp_path / "e.json"
    path.write_text(__import__("json").dumps(report(spec, a, b)))
    assert cli_main(["explain", str(path), "--json", str(out)]) == 0
    result = __import__("json").loads(out.read_text())
    assert {"differing_elements", "causes", "unexplained", "examples"} <= set(result)
    assert result["differing_elements"] == 2 and result["causes"]["sign_of_zero"] == 2
    assert result["examples"]["sign_of_zero"][0]["case"] == "built"
    assert "sign_of_zero" in capsys.readouterr().out


# --- arrays whose shape is not the case's: skipped, counted and said so --------------------------

def _transposed_case():
    spec = {"activation": "linear", "weights": [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], "biases": [[0.0, 0.1, 0.2]],
            "inputs": [[1.0, 2.0]], "upstream": [[1.0, -1.0, 0.5]]}
    out = (np.array(spec["inputs"]) @ np.array(spec["weights"]) + np.array(spec["biases"])).tolist()
    return spec, layer(spec, out)


def test_explain_skips_a_gradient_both_runtimes_transposed_and_says_so(tmp_path, capsys):
    from crosscheck.cli import main as cli_main

    spec, a = _transposed_case()
    a["dWeights"] = np.asarray(a["dWeights"]).T.tolist()  # (3, 2): both runtimes agree on the wrong shape
    b = dict(a)
    b["dInputs"] = [[float(np.nextafter(a["dInputs"][0][0], np.inf)), a["dInputs"][0][1]]]  # one element differs
    path = tmp_path / "r.json"
    path.write_text(__import__("json").dumps(report(spec, a, b)))
    assert cli_main(["explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "not explained: 2 arrays whose shape is not the case's" in out and "a dWeights in 1 case" in out, out
    result = explain_report(report(spec, a, b)).as_json()
    assert result["skipped_shapes"] == {"a dWeights": 1, "b dWeights": 1} and result["skipped_arrays"] == 2
    assert result["differing_elements"] == 1


def test_explain_leaves_out_a_runtime_whose_output_has_another_shape():
    spec, a = _transposed_case()
    b = dict(a)
    b["output"] = np.asarray(a["output"]).T.tolist()
    result = explain_report(report(spec, a, b)).as_json()
    assert result["skipped_shapes"] == {"b output": 1, "b dWeights": 1, "b dBiases": 1, "b dInputs": 1}
    assert result["differing_elements"] == 0


def test_tally_counts_arrays_of_two_shapes_as_not_compared(tmp_path, capsys):
    from crosscheck.cli import main as cli_main
    from crosscheck.parity.tally import tally

    spec, a = _transposed_case()
    b = dict(a)
    b["dWeights"] = np.asarray(a["dWeights"]).T.tolist()
    b["dBiases"] = a["dBiases"][0]  # (n,) against (1, n): the same numbers, compared
    counts = tally(report(spec, a, b))
    assert counts[("a", "b", "linear", "dWeights")] | {} == {"arrays": 1, "identical": 0, "equal": 0, "max_ulp": 0,
                                                             "signed_zero": 0, "shape_differs": 1}
    assert counts[("a", "b", "linear", "dBiases")]["identical"] == 1
    path = tmp_path / "r.json"
    path.write_text(__import__("json").dumps(report(spec, a, b)))
    assert cli_main(["tally", str(path)]) == 0
    out = capsys.readouterr().out
    assert "not compared: 1 array pairs of two shapes" in out and "a ~ b linear dWeights ×1" in out, out
    assert "bit-identical for no activation" in out  # a transposed gradient is never agreement
