"""A parity case: a spec in, the layer's four arrays out.

This is the one path every Python runtime takes (native CPython and Pyodide alike), so a
difference between runtimes can only come from the runtime, never from a second copy of
the code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import matrix
from .activations import get_activation
from .dense_layer import DenseLayer
from .facts import RESULT_ARRAYS, SPEC_FIELDS



def normalize_spec(spec: Any) -> dict[str, Any]:
    """Check a spec's fields and shapes; return it with float64 arrays.

    Errors name the field, so that a case file's author can find the mistake.
    """
    if not isinstance(spec, dict):
        raise TypeError(f"case: expected an object with fields {list(SPEC_FIELDS)}, got {type(spec).__name__}")
    missing = [f for f in SPEC_FIELDS if f not in spec]
    if missing:
        raise ValueError(f"case: missing field(s) {missing}; a case needs {list(SPEC_FIELDS)}")
    activation = get_activation(spec["activation"]).name
    weights = matrix("weights", spec["weights"], allow_vector=False)
    n_inputs, n_neurons = weights.shape
    if n_neurons == 0:  # a layer of no neuron: nothing to compare, and DenseLayer refuses it only once running
        raise ValueError(f"weights: expected at least one column (one per neuron), got shape {weights.shape}")
    biases = matrix("biases", spec["biases"], rows=1, columns=n_neurons)
    inputs = matrix("inputs", spec["inputs"], columns=n_inputs)
    upstream = matrix("upstream", spec["upstream"], rows=inputs.shape[0], columns=n_neurons)
    return {"activation": activation, "weights": weights, "biases": biases, "inputs": inputs, "upstream": upstream}


def run_case(spec: Any) -> dict[str, np.ndarray]:
    """Forward then backward through one DenseLayer; returns output, dWeights, dBiases, dInputs."""
    spec = normalize_spec(spec)
    n_inputs, n_neurons = spec["weights"].shape
    layer = DenseLayer(n_inputs, n_neurons, activation=spec["activation"],
                       weights=spec["weights"], biases=spec["biases"])
    output = layer.forward(spec["inputs"])
    layer.backward(spec["upstream"])
    return {"output": output, "dWeights": layer.dWeights, "dBiases": layer.dBiases, "dInputs": layer.dInputs}
