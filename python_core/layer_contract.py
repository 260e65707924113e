"""The lesson's DenseLayer contract, written once: how every harness drives a layer it did not write.

    layer = DenseLayer(n_inputs, n_neurons, activation_name)
    layer.weights = weights            # (n_inputs, n_neurons), set by the harness after construction
    layer.biases = biases              # (1, n_neurons)
    output = layer.forward(inputs)
    dInputs = layer.backward(dLossWrtLayerOutput)   # and sets layer.dWeights, layer.dBiases

``backward()``'s return value is dInputs. A backward that returns None but sets ``self.dInputs`` is
still read (from the attribute), and the run says so (``returns_dinputs`` False), so that the exercise
can tell the learner to return it.

Two hosts use it: python_core.author (an author's ``--python`` file, natively and in Pyodide) and the
exercise's runner (the learner's class, on the page and in ``grade``). The runner's interpreter holds
nothing of dense-parity, so this file is put beside it as ``layer_contract`` (the setup's bundle step
copies it to web_demo/vendor/, ``grade`` next to the runner): standard library and NumPy only, no
relative import, and no reference layer.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

RESULT_ARRAYS = ("output", "dWeights", "dBiases", "dInputs")
# Where each array comes from, for a message that tells the author or learner what to change.
_SOURCE = {"output": "forward() returned None: it must return the output",
           "dWeights": "self.dWeights is None: backward() must set it",
           "dBiases": "self.dBiases is None: backward() must set it",
           "dInputs": "backward() returned None and set no self.dInputs: it must return dInputs"}


class LayerRun(NamedTuple):
    arrays: dict[str, np.ndarray]   # the four arrays, float64, with the shapes the layer gave them
    returns_dinputs: bool           # False when dInputs was read from self.dInputs, backward() returning None


def _fresh(array: Any) -> np.ndarray:
    return np.array(array, dtype=np.float64)


def _result_array(name: str, value: Any) -> np.ndarray:
    if value is None:
        raise ValueError(_SOURCE[name])
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} is not an array of numbers ({type(value).__name__}): {exc}") from None


def run_layer(layer_class: Any, activation: str, weights: Any, biases: Any, inputs: Any, upstream: Any) -> LayerRun:
    """One case through ``layer_class`` by the contract; whatever the layer raises propagates."""
    # Fresh arrays: the layer may write into what it is given, and the caller's case stays as it was.
    weights = _fresh(weights)
    n_inputs, n_neurons = weights.shape
    layer = layer_class(n_inputs, n_neurons, activation)
    layer.weights = weights
    layer.biases = _fresh(biases)
    output = layer.forward(_fresh(inputs))
    d_inputs = layer.backward(_fresh(upstream))
    returned = d_inputs is not None
    if not returned:  # a backward that only sets the attribute
        d_inputs = getattr(layer, "dInputs", None)
    values = {"output": output, "dWeights": getattr(layer, "dWeights", None),
              "dBiases": getattr(layer, "dBiases", None), "dInputs": d_inputs}
    return LayerRun({k: _result_array(k, values[k]) for k in RESULT_ARRAYS}, returned)
