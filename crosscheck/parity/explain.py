"""``explain``: attribute every element where two runtimes differ to a cause, by recomputation.

For each case of a report and each pair of runtimes that ran it (``exact`` aside: it is the truth,
not a way of computing), every element whose bits differ gets one cause, and a cause is named only
when a recomputation reproduces the bits:

``sign_of_zero``
    the values are equal and only the sign of a zero differs (a sum that starts from +0.0, as
    NumPy's loops and add.reduce do, against one that starts from its first term, as math.js does).
``summation_order:pairwise``
    one value is NumPy's ``sum(axis=0)`` over a contiguous axis (a one-neuron layer), which a
    reimplementation of NumPy's 8-accumulator pairwise sum reproduces, the other a sequential sum.
``summation_order:blocked``
    one value is reproduced only by this machine's BLAS on the same operands (its kernels keep
    several partial sums and fuse multiply-adds in an order of their own), not by any sequential
    order with or without fused steps, the other by a sequential sum.
``fused_multiply_add``
    one value is the sequential sum with every step fused, s ← fma(x, w, s) (emulated exactly),
    the other the same sum rounded after every product.
``exp_rounding`` / ``tanh_rounding``
    the two outputs come from the same z, and each is reproduced by the lesson's formula with an
    exp (tanh) result within two ULPs of the correctly rounded one (glibc documents 2 ULP for
    tanh; ``probe-libm`` measures each runtime), or with this machine's NumPy: the libraries round
    the last bits differently. Also counted here when z differs too but the swap of z alone does not
    reproduce the other runtime.
``derivative_cancellation``
    a gradient element whose difference comes from the outputs it depends on (the runtime's own
    recipe fed the other runtime's outputs reproduces the other's bits), amplified by the
    derivative taken from the output: 1 − a² and a·(1 − a) have condition number 2a²/(1 − a²)
    and |1 − 2a|/(1 − a) in a, so ``bits_lost`` = log2 of it (≥ 1 to be named so). Below one
    bit the gradient element takes the cause of the output difference it inherits.
``unexplained``
    everything else, listed with case, array, index and the two runtimes.

A difference in z (the forward sum) is attributed as a sum is: each runtime's z recipe (``z_recipes``
in the JSON) is identified over the whole report as the one that, through its activation,
reproduces most of its outputs, and an output difference is put on z when one activation applied
to the two runtimes' own z reproduces both outputs.

The BLAS recomputation calls this machine's NumPy: a report made on another machine (another
BLAS, another CPU) leaves the native runtime's BLAS differences unexplained.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from typing import Any

import mpmath
import numpy as np

from python_core import RESULT_ARRAYS

from .exact import round_dyadic

EXACT = "exact"
SIGN, PAIRWISE, BLOCKED, FMA = "sign_of_zero", "summation_order:pairwise", "summation_order:blocked", "fused_multiply_add"
EXP, TANH, CANCEL, UNEXPLAINED = "exp_rounding", "tanh_rounding", "derivative_cancellation", "unexplained"
CAUSES = (SIGN, PAIRWISE, BLOCKED, FMA, EXP, TANH, CANCEL)
EXAMPLES_PER_CAUSE = 5


# ---------------------------------------------------------------------------------------------
# exact floating-point building blocks

def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def same_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _bits(a) == _bits(b)


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    c = 134217729.0 * a  # 2^27 + 1
    hi = c - (c - a)
    return hi, a - hi


def _two_prod(a, b):
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma(x, y, z):
    """Correctly rounded x·y + z, element-wise (Boldo and Melquiond's emulation with round-to-odd:
    RN(th + RO(tl + ul)) where x·y = uh + ul and z + uh = th + tl exactly). Exact barring overflow
    and underflow of the partial products; ``fma_exact`` is the slow reference it is tested with."""
    with np.errstate(all="ignore"):
        x, y, z = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (x, y, z)))
        uh, ul = _two_prod(x, y)
        th, tl = _two_sum(z, uh)
        vh, vl = _two_sum(tl, ul)
        even = (_bits(vh) & 1) == 0
        odd = np.where((vl != 0) & even & np.isfinite(vh), np.nextafter(vh, np.where(vl > 0, np.inf, -np.inf)), vh)
        out = th + odd
        # where a product is not finite or is zero the plain expression is already the answer
        plain = ~np.isfinite(uh) | (x == 0) | (y == 0)
        return np.where(plain, x * y + z, out)


def fma_exact(x: float, y: float, z: float) -> float:
    """x·y + z rounded once, with integers (the reference for ``fma``)."""
    from fractions import Fraction

    if x == 0 or y == 0 or not all(map(math.isfinite, (x, y, z))):
        return x * y + z
    exact = Fraction(x) * Fraction(y) + Fraction(z)
    if exact == 0:
        return 0.0 if not (math.copysign(1, x * y) < 0 and math.copysign(1, z) < 0) else -0.0
    return float(exact)


# ---------------------------------------------------------------------------------------------
# the recipes a runtime may have followed

def matmul_seq0(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """NumPy's loop (no BLAS, as in Pyodide): s = +0.0, then s += a_k·b_k in order."""
    s = np.zeros((a.shape[0], b.shape[1]))
    for k in range(a.shape[1]):
        s = s + a[:, k:k + 1] * b[k:k + 1, :]
    return s


def matmul_first(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """math.js: s = a_0·b_0, then s += a_k·b_k in order."""
    s = a[:, 0:1] * b[0:1, :]
    for k in range(1, a.shape[1]):
        s = s + a[:, k:k + 1] * b[k:k + 1, :]
    return s


def matmul_fma(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sequential sum with every step fused: s = +0.0, then s = fma(a_k, b_k, s)."""
    s = np.zeros((a.shape[0], b.shape[1]))
    for k in range(a.shape[1]):
        s = fma(a[:, k:k + 1], b[k:k + 1, :], s)
    return s


def blas_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """This machine's BLAS on the same operands: which partial sums it keeps depends on the CPU and the
    kernel OpenBLAS picks for it, so the one recipe that is not written out here (a test replaces it with
    a blocked sum of its own to show the cause on any machine)."""
    return a @ b


def pairwise_sum(values: list[float]) -> float:
    """NumPy's pairwise summation of a contiguous run (numpy/_core/src/umath/loops_utils.h.src)."""
    n = len(values)
    if n < 8:
        res = 0.0
        for v in values:
            res += v
        return res
    if n <= 128:
        r = list(values[:8])
        i = 8
        while i < n - n % 8:
            for j in range(8):
                r[j] += values[i + j]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for v in values[i:]:
            res += v
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return pairwise_sum(values[:n2]) + pairwise_sum(values[n2:])


def column_sums(dz: np.ndarray) -> dict[str, np.ndarray]:
    seq0 = np.zeros((1, dz.shape[1]))
    for r in range(dz.shape[0]):
        seq0 = seq0 + dz[r:r + 1]
    first = dz[0:1].copy()
    for r in range(1, dz.shape[0]):
        first = first + dz[r:r + 1]
    pair = np.array([[0.0 + pairwise_sum(dz[:, j].tolist()) for j in range(dz.shape[1])]])
    return {"seq0": seq0, "first": first, "numpy": dz.sum(axis=0, keepdims=True), "pairwise": pair}


_CR_CACHE: dict[tuple[str, float], float] = {}


def correctly_rounded(fn: str, x: float) -> float:
    """exp(x) or tanh(x) correctly rounded (mpmath at 160 bits; checked against 320)."""
    key = (fn, x)
    if key not in _CR_CACHE:
        vals = []
        for prec in (160, 320):
            with mpmath.workprec(prec):
                v = (mpmath.exp if fn == "exp" else mpmath.tanh)(mpmath.mpf(x))
            sign, man, exp, _ = v._mpf_
            vals.append(round_dyadic(-int(man) if sign else int(man), int(exp)) if man else 0.0)
        if vals[0] != vals[1]:
            raise ArithmeticError(f"{fn}({x!r}) not settled at 320 bits")
        _CR_CACHE[key] = vals[1] if not (fn == "tanh" and x == 0) else x
    return _CR_CACHE[key]


def activation_candidates(name: str, z: np.ndarray) -> dict[str, np.ndarray]:
    """The output each activation implementation would give for this z."""
    with np.errstate(all="ignore"):
        if name == "linear":
            return {"identity": z.copy()}
        if name == "relu":
            return {"numpy": np.maximum(z, 0.0), "js": np.where(z > 0, z, 0.0)}
        fn = "exp" if name == "sigmoid" else "tanh"
        arg = -z if name == "sigmoid" else z
        cr = np.vectorize(lambda v: correctly_rounded(fn, float(v)), otypes=[np.float64])(arg) if arg.size else arg
        down, up = np.nextafter(cr, -np.inf), np.nextafter(cr, np.inf)
        libs = {"numpy": np.exp(arg) if fn == "exp" else np.tanh(arg), "cr": cr, "cr-1": down, "cr+1": up,
                "cr-2": np.nextafter(down, -np.inf), "cr+2": np.nextafter(up, np.inf)}
        if name == "sigmoid":
            return {k: 1.0 / (1.0 + v) for k, v in libs.items()}
        return libs


def derivative_dz(name: str, out: np.ndarray, upstream: np.ndarray) -> np.ndarray:
    """dZ as every runtime forms it: the derivative from the output, times the upstream gradient."""
    if name == "sigmoid":
        slope = (1.0 - out) * out
    elif name == "tanh":
        slope = 1.0 - out * out
    elif name == "relu":
        slope = (out > 0.0).astype(np.float64)
    else:
        slope = np.ones_like(out)
    return slope * upstream


def bits_lost(name: str, out: np.ndarray) -> np.ndarray:
    """log2 of the condition number of the derivative written in the output (0 where ≤ 1)."""
    with np.errstate(all="ignore"):
        if name == "sigmoid":
            cond = np.abs(1.0 - 2.0 * out) / np.abs(1.0 - out)
        elif name == "tanh":
            cond = 2.0 * out * out / np.abs(1.0 - out * out)
        else:
            return np.zeros(out.shape)
        cond = np.where(np.isnan(cond), np.inf, cond)
        # capped at 53: every bit of the derivative lost (1 − a² = 0 where the truth is not)
        return np.minimum(53.0, np.maximum(0.0, np.log2(np.maximum(cond, 1e-300))))


# ---------------------------------------------------------------------------------------------

def case_shapes(spec: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """The shape of each result array that the case's operands make."""
    batch, (n_in, n_out) = len(spec["inputs"]), np.shape(spec["weights"])
    return {"output": (batch, n_out), "dWeights": (n_in, n_out), "dBiases": (1, n_out), "dInputs": (batch, n_in)}


def _shaped(value: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """``value`` as an array of ``shape``; a (n,) for (1, n) is the same numbers (math.js's sums give
    vectors); None for any other shape, which no recipe can be compared with element by element."""
    array = np.array(value, dtype=np.float64)
    if array.shape == shape:
        return array
    if array.ndim == 1 and shape == (1, array.shape[0]):
        return array.reshape(shape)
    return None


class _Case:
    """One case's operands and, per runtime, its arrays and the recipes that reproduce them."""

    def __init__(self, case: dict[str, Any], runtimes: list[str], z_recipes: dict[str, str] | None = None):
        spec = case["spec"]
        self.name, self.act = case["name"], spec["activation"]
        f = lambda k: np.array(spec[k], dtype=np.float64)  # noqa: E731
        self.X, self.W, self.b, self.U = f("inputs"), f("weights"), f("biases").reshape(1, -1), f("upstream")
        # every array has the case's shape here: explain_report leaves out the rest (skipped_shapes)
        shapes = case_shapes(spec)
        self.values = {r: {a: _shaped(case["results"][r][a], shapes[a]) for a in RESULT_ARRAYS}
                       for r in runtimes}
        with np.errstate(all="ignore"):
            prod = {"seq0": matmul_seq0(self.X, self.W), "first": matmul_first(self.X, self.W),
                    "fma": matmul_fma(self.X, self.W), "blas": blas_matmul(self.X, self.W)}
            self.z = {k: v + self.b for k, v in prod.items()}
            self.act_out = {c: activation_candidates(self.act, z) for c, z in self.z.items()}
        self.scores = {r: self._forward_scores(r) for r in runtimes}
        # each runtime's z recipe: the one that reproduces most of its outputs over the whole report
        # (``z_recipes``), else in this case; its activation: the best one with that z
        self.recipe = {}
        for r in runtimes:
            zr = (z_recipes or {}).get(r) or max(self.scores[r], key=lambda k: (self.scores[r][k][0], k == "blas"))
            libs = self.scores[r][zr][1]
            self.recipe[r] = (zr, max(libs, key=lambda lib: (libs[lib], lib == "numpy")))
        self.dz = {r: derivative_dz(self.act, self.values[r]["output"], self.U) for r in runtimes}
        self._back: dict[tuple[str, int], dict[str, dict[str, np.ndarray]]] = {}

    def _forward_scores(self, r: str) -> dict[str, tuple[int, dict[str, int]]]:
        """Per z recipe: (outputs reproduced with its best activation, {activation: outputs reproduced})."""
        out = self.values[r]["output"]
        scores = {}
        for c, libs in self.act_out.items():
            per_lib = {lib: int(same_bits(v, out).sum()) for lib, v in libs.items() if v.shape == out.shape}
            scores[c] = (max(per_lib.values(), default=0), per_lib)
        return scores

    def backward(self, r: str, dz_of: str) -> dict[str, dict[str, np.ndarray]]:
        """Every recipe's dWeights, dBiases, dInputs from runtime ``dz_of``'s dZ."""
        key = (dz_of, 0)
        if key not in self._back:
            dz, Xt, Wt = self.dz[dz_of], self.X.T, self.W.T
            with np.errstate(all="ignore"):
                self._back[key] = {
                    "dWeights": {"seq0": matmul_seq0(Xt, dz), "first": matmul_first(Xt, dz),
                                 "fma": matmul_fma(Xt, dz), "blas": blas_matmul(Xt, dz)},
                    "dBiases": column_sums(dz),
                    "dInputs": {"seq0": matmul_seq0(dz, Wt), "first": matmul_first(dz, Wt),
                                "fma": matmul_fma(dz, Wt), "blas": blas_matmul(dz, Wt)}}
        return self._back[key]

    def back_recipe(self, r: str, array: str) -> str:
        cands = self.backward(r, r)[array]
        v = self.values[r][array]
        order = ["numpy", "seq0", "first", "fma", "blas", "pairwise"]
        return max(cands, key=lambda c: (int(same_bits(cands[c], v).sum()), -order.index(c)))


def _family(recipe: str) -> str:
    return {"seq0": "seq", "first": "seq", "numpy": "numpy", "pairwise": "pairwise", "fma": "fma",
            "blas": "blas"}[recipe]


class Explanation:
    def __init__(self) -> None:
        self.differing = 0
        self.causes: Counter[str] = Counter()
        self.examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.unexplained: list[dict[str, Any]] = []
        self.by_pair: dict[str, Counter[str]] = defaultdict(Counter)
        self.cancel_bits: list[float] = []
        self.z_recipes: dict[str, str] = {}
        # {"runtime array": cases} whose array has another shape than the case's: not explained, and said so
        self.skipped_shapes: Counter[str] = Counter()
        # cases written without their values (a report of the failing cases' values only)
        self.omitted_cases = 0

    def add(self, cause: str, case: _Case, array: str, idx: tuple[int, ...], a: str, b: str, **detail) -> None:
        self.differing += 1
        self.by_pair[f"{a} ~ {b}"][cause] += 1
        record = {"case": case.name, "activation": case.act, "array": array, "index": [int(i) for i in idx],
                  "runtimes": [a, b], "values": [float(case.values[a][array][idx]), float(case.values[b][array][idx])],
                  **detail}
        if cause == UNEXPLAINED:
            self.unexplained.append(record)
            return
        self.causes[cause] += 1
        if cause == CANCEL:
            self.cancel_bits.append(detail["bits_lost"])
        if len(self.examples[cause]) < EXAMPLES_PER_CAUSE:
            self.examples[cause].append(record)

    def as_json(self, listed: int = 1000) -> dict[str, Any]:
        out = {"differing_elements": self.differing,
               "causes": {c: self.causes.get(c, 0) for c in CAUSES},
               "unexplained": len(self.unexplained),
               "unexplained_share": (len(self.unexplained) / self.differing) if self.differing else 0.0,
               "examples": {c: self.examples[c] for c in CAUSES if self.examples.get(c)},
               "unexplained_elements": self.unexplained[:listed],
               "by_pair": {p: dict(c) for p, c in sorted(self.by_pair.items())},
               "z_recipes": self.z_recipes,
               "skipped_arrays": sum(self.skipped_shapes.values()),
               "skipped_shapes": dict(sorted(self.skipped_shapes.items())),
               "omitted_cases": self.omitted_cases}
        if self.cancel_bits:
            out["derivative_cancellation_bits_lost"] = {"max": max(self.cancel_bits),
                                                        "mean": sum(self.cancel_bits) / len(self.cancel_bits)}
        return out


def _sum_cause(match_a: list[str], match_b: list[str]) -> str | None:
    """The cause of a difference between two sums, from the recipes that reproduce each side."""
    fa, fb = {_family(r) for r in match_a}, {_family(r) for r in match_b}
    for mine, other in ((fa, fb), (fb, fa)):
        if "seq" in other and "seq" not in mine:
            if "pairwise" in mine:
                return PAIRWISE
            if "fma" in mine:
                return FMA
            if "blas" in mine:
                return BLOCKED
        if "fma" in other and "blas" in mine and not mine & {"seq", "fma"}:
            return BLOCKED
    return None


def explain_pair_output(ex: Explanation, case: _Case, a: str, b: str, diff_idx, out_causes: dict) -> None:
    va, vb = case.values[a]["output"], case.values[b]["output"]
    la, lb = case.recipe[a][1], case.recipe[b][1]
    act_cause = EXP if case.act == "sigmoid" else TANH
    for idx in diff_idx:
        cause = None
        if va[idx] == vb[idx]:
            cause = SIGN
        else:
            # the same activation on both sides (a's, then b's): do the z recipes explain it?
            za, zb = case.z[case.recipe[a][0]][idx], case.z[case.recipe[b][0]][idx]
            for lib in dict.fromkeys((la, lb)):
                # the recipes that give this runtime's own z here, if its value follows from them
                ca = [c for c in case.z if same_bits(case.z[c][idx], za)
                      and same_bits(case.act_out[c][lib][idx], va[idx])]
                cb = [c for c in case.z if same_bits(case.z[c][idx], zb)
                      and same_bits(case.act_out[c][lib][idx], vb[idx])]
                if ca and cb and not any(same_bits(case.z[x][idx], case.z[y][idx]) for x in ca for y in cb):
                    cause = _sum_cause(ca, cb)
                    if cause:
                        break
            if cause is None and case.act in ("sigmoid", "tanh"):
                ok_a = any(same_bits(v[idx], va[idx]) for v in case.act_out[case.recipe[a][0]].values())
                ok_b = any(same_bits(v[idx], vb[idx]) for v in case.act_out[case.recipe[b][0]].values())
                if ok_a and ok_b:
                    cause = act_cause
        cause = cause or UNEXPLAINED
        out_causes[idx] = cause
        ex.add(cause, case, "output", idx, a, b)


def explain_pair_backward(ex: Explanation, case: _Case, a: str, b: str, array: str, diff_idx,
                          out_causes: dict) -> None:
    va, vb = case.values[a][array], case.values[b][array]
    ra, rb = case.back_recipe(a, array), case.back_recipe(b, array)
    dza, dzb = case.dz[a], case.dz[b]
    dz_differs = ~same_bits(dza, dzb)
    lost = np.maximum(bits_lost(case.act, case.values[a]["output"]), bits_lost(case.act, case.values[b]["output"]))
    for idx in diff_idx:
        if va[idx] == vb[idx]:
            ex.add(SIGN, case, array, idx, a, b)
            continue
        # the output entries (of the layer) this element depends on
        if array == "dInputs":
            deps = [(idx[0], j) for j in range(dza.shape[1])]
        else:
            deps = [(r, idx[1]) for r in range(dza.shape[0])]
        differing = [d for d in deps if dz_differs[d]]
        cands_a, cands_b = case.backward(a, a)[array], case.backward(b, b)[array]
        match_a = [c for c, v in cands_a.items() if same_bits(v[idx], va[idx])]
        match_b = [c for c, v in cands_b.items() if same_bits(v[idx], vb[idx])]
        if not match_a or not match_b:
            ex.add(UNEXPLAINED, case, array, idx, a, b)
            continue
        pa = ra if ra in match_a else match_a[0]
        pb = rb if rb in match_b else match_b[0]
        if differing:
            # holding either runtime's recipe, does swapping in the other's dZ move this element?
            a_on_b = case.backward(a, b)[array][pa][idx]
            b_on_a = case.backward(b, a)[array][pb][idx]
            if not same_bits(a_on_b, va[idx]) or not same_bits(b_on_a, vb[idx]):
                worst = max(lost[d] for d in differing)
                if worst >= 1.0:
                    ex.add(CANCEL, case, array, idx, a, b, bits_lost=round(float(worst), 2))
                    continue
                inherited = Counter(out_causes.get(d) for d in differing if out_causes.get(d))
                if inherited:
                    ex.add(inherited.most_common(1)[0][0], case, array, idx, a, b, inherited_from_output=True)
                    continue
        cause = _sum_cause(match_a, match_b)
        ex.add(cause or UNEXPLAINED, case, array, idx, a, b)


def _well_shaped(ex: Explanation, case: dict[str, Any], runtimes: list[str]) -> tuple[list[str], set[tuple[str, str]]]:
    """(the runtimes whose output has the case's shape, {(runtime, array) of another shape}), each
    array of another shape counted in ``ex.skipped_shapes``: a runtime can return a transposed
    gradient, and both runtimes of a pair can agree on it, but the recomputation has the case's shapes.
    Without its output's shape a runtime's derivative cannot be recomputed, so it leaves the case."""
    shapes = case_shapes(case["spec"])
    kept, wrong = [], set()
    for r in runtimes:
        for array in RESULT_ARRAYS:
            if _shaped(case["results"][r][array], shapes[array]) is None:
                wrong.add((r, array))
                ex.skipped_shapes[f"{r} {array}"] += 1
        if (r, "output") not in wrong:
            kept.append(r)
        else:
            ex.skipped_shapes.update(f"{r} {a}" for a in RESULT_ARRAYS if (r, a) not in wrong)
    return kept, wrong


def explain_report(report: dict[str, Any]) -> Explanation:
    runtimes = [r for r, info in report["runtimes"].items() if info.get("ok") and r != EXACT]
    ex = Explanation()
    ran_by_case, wrong_by_case = [], []
    ex.omitted_cases = sum(1 for case in report["cases"] if case.get("values_omitted"))
    # Without its values a case cannot be recomputed: it is left out, and the explanation says how many.
    report = {**report, "cases": [case for case in report["cases"] if not case.get("values_omitted")]}
    for case in report["cases"]:
        ran, wrong = _well_shaped(ex, case, [r for r in runtimes if "error" not in case["results"].get(r, {"error": 1})])
        ran_by_case.append(ran)
        wrong_by_case.append(wrong)
    # first pass: which z recipe reproduces most of each runtime's outputs, over the whole report
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for case, ran in zip(report["cases"], ran_by_case):
        if len(ran) >= 2:
            for r, per_recipe in _Case(case, ran).scores.items():
                for recipe, (count, _) in per_recipe.items():
                    totals[r][recipe] += count
    order = ("seq0", "first", "fma", "blas")
    z_recipes = {r: max(order, key=lambda c: (t[c], -order.index(c))) for r, t in totals.items()}
    ex.z_recipes = z_recipes
    for case, ran, wrong in zip(report["cases"], ran_by_case, wrong_by_case):
        if len(ran) < 2:
            continue
        c = _Case(case, ran, z_recipes)
        for a, b in itertools.combinations(ran, 2):
            out_causes: dict = {}
            for array in RESULT_ARRAYS:
                if (a, array) in wrong or (b, array) in wrong:
                    continue
                va, vb = c.values[a][array], c.values[b][array]
                diff = np.argwhere(~same_bits(va, vb))
                idxs = [tuple(int(i) for i in d) for d in diff]
                if not idxs:
                    continue
                if array == "output":
                    explain_pair_output(ex, c, a, b, idxs, out_causes)
                else:
                    explain_pair_backward(ex, c, a, b, array, idxs, out_causes)
    return ex


def format_explanation(result: dict[str, Any]) -> str:
    n = result["differing_elements"]
    lines = [f"differing elements (over every pair of runtimes): {n}"]
    for cause, count in sorted(result["causes"].items(), key=lambda kv: -kv[1]):
        lines.append(f"  {cause:26s} {count:9d}  {100 * count / n if n else 0:6.2f} %")
    lines.append(f"  {'unexplained':26s} {result['unexplained']:9d}  {100 * result['unexplained_share']:6.2f} %")
    if "derivative_cancellation_bits_lost" in result:
        b = result["derivative_cancellation_bits_lost"]
        lines.append(f"derivative cancellation: up to {b['max']:.1f} bits lost (mean {b['mean']:.1f})")
    lines.append("")
    lines.append("by pair:")
    for pair, counts in result["by_pair"].items():
        lines.append(f"  {pair}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])))
    if result.get("skipped_arrays"):
        lines.append(f"not explained: {result['skipped_arrays']} arrays whose shape is not the case's "
                     "(their elements are not counted above): "
                     + ", ".join(f"{k} in {v} case{'s' if v != 1 else ''}" for k, v in result["skipped_shapes"].items()))
    if result.get("omitted_cases"):
        lines.append(f"not explained: {result['omitted_cases']} cases whose values are not in the report (it keeps "
                     "the failing cases' only; write it with --json-values full to explain every case)")
    for u in result["unexplained_elements"][:20]:
        lines.append(f"unexplained: {u['case']} {u['array']} {u['index']} {u['runtimes'][0]} {u['values'][0]!r} "
                     f"~ {u['runtimes'][1]} {u['values'][1]!r}")
    return "\n".join(lines)
