"""How large a rounding difference each result element may honestly carry: the magnitude of its terms.

Two correct float64 evaluations of a sum Σ tᵢ that add in different orders (or fuse a multiply
into an add) differ by up to about n·ε·Σ|tᵢ| — Higham's bound for dot products — which may be far
more than ε·|Σ tᵢ| when the terms cancel. So a relative tolerance measured against the result
alone fails correct runtimes on every cancelling sum, and measured against Σ|tᵢ| it does not.

This module carries that bound through the layer, first order, from the case's spec and the
reference's output (it is an error bound, not another evaluation of the layer: every quantity
is a magnitude):

    |Δz|        ≲ ε·zS,   zS  = |inputs|·|weights| + |biases|
    |Δoutput|   ≲ ε·aS,   aS  = |a| + g·zS              g = |f'(z)| (sigmoid, tanh, read from a);
                                                        1 for ReLU and linear (their slope is 0 or 1,
                                                        and ReLU's may jump at the kink)
    |ΔdZ|       ≲ ε·dZS,  dZS = |upstream| ⊙ (|f'(a)| + L·aS)   L = max |d f'/da|: 1 sigmoid, 2 tanh, 0 else
    dWeights: |inputs|ᵀ·dZS     dBiases: Σ_batch dZS     dInputs: dZS·|weights|ᵀ

The comparison then accepts |value − reference| ≤ atol + rtol·max(|reference|, scale).

When the reference ran an author's file, what multiplies the derivative in its dZ is not known: the
upstream gradient (the lesson's formula), or nothing (a file that forgets it). ``upstream="unknown"``
bounds that factor by max(|upstream|, 1), so that a file compared with itself in another runtime is
judged against its own rounding, not against the lesson's (crosscheck.parity.report adds the array's own
largest magnitude for a factor anywhere else; docs/parity.md has the figures).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from python_core import get_activation, normalize_spec
from python_core.facts import ACTIVATION_FACTS

# max over a of |d f'(a) / da| with f' written in the output a: sigmoid a(1−a) → |1−2a| ≤ 1,
# tanh 1−a² → |2a| ≤ 2; ReLU and linear have a piecewise-constant f'.
DERIVATIVE_LIPSCHITZ = {name: facts["derivative_lipschitz"] for name, facts in ACTIVATION_FACTS.items()}
SMOOTH = tuple(name for name, lipschitz in DERIVATIVE_LIPSCHITZ.items() if lipschitz > 0)


def term_magnitudes(spec: dict[str, Any], output: np.ndarray, upstream: str = "known") -> dict[str, np.ndarray]:
    """Per result array, the magnitude its rounding errors scale with (see the module docstring);
    ``upstream="unknown"`` when the code that computed them may not multiply the derivative by it."""
    spec = normalize_spec(spec)
    name = spec["activation"]
    x, w, b, u = (np.abs(spec[k]) for k in ("inputs", "weights", "biases", "upstream"))
    if upstream == "unknown":
        u = np.maximum(u, 1.0)
    a = np.asarray(output, dtype=np.float64)
    slope = np.abs(get_activation(name).derivative(a))
    z_scale = x @ w + b
    a_scale = np.abs(a) + (slope if name in SMOOTH else 1.0) * z_scale
    dz_scale = u * (slope + DERIVATIVE_LIPSCHITZ[name] * a_scale)
    return {"output": a_scale, "dWeights": x.T @ dz_scale, "dBiases": dz_scale.sum(axis=0, keepdims=True),
            "dInputs": dz_scale @ w.T}
