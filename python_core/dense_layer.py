"""The lesson's fully connected layer: forward, backward and a gradient-descent step.

Shapes, for a batch of ``b`` rows:

    inputs (b, in) @ weights (in, out) + biases (1, out) = z (b, out);  output = f(z)

Backward receives dL/d(output) of shape (b, out) and applies the chain rule:

    dZ       = dL/d(output) * f'(z)              (element-wise; f' read from the cached output)
    dWeights = inputs.T @ dZ                     dL/dW, summed over the batch
    dBiases  = sum of dZ over the batch          dL/db, shape (1, out)
    dInputs  = dZ @ weights.T                    dL/d(inputs), handed to the layer before

Gradients are sums over the batch: a loss that averages carries its own 1/n.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import all_finite, finite_positive_float, matrix, positive_int, require_finite
from .activations import Activation, get_activation
from .initializers import initial_weights


class DenseLayer:
    """A dense layer whose public names match the JavaScript lesson (``dWeights``, ``dInputs``, …)."""

    def __init__(self, n_inputs: int, n_neurons: int, activation: str | Activation = "sigmoid",
                 weights: Any = None, biases: Any = None, weight_init: str = "random_scaled",
                 weight_init_scale: float | None = None, seed: int | None = None) -> None:
        self.n_inputs = positive_int("n_inputs", n_inputs)
        self.n_neurons = positive_int("n_neurons", n_neurons)
        self.activation = get_activation(activation)
        if weights is None:
            self.weights = initial_weights(weight_init, self.n_inputs, self.n_neurons, weight_init_scale, seed)
        else:
            self.weights = matrix("weights", weights, rows=self.n_inputs, columns=self.n_neurons,
                                  allow_vector=False)
        if biases is None:
            self.biases = np.zeros((1, self.n_neurons))
        else:
            self.biases = matrix("biases", biases, rows=1, columns=self.n_neurons)
        self.inputs: np.ndarray | None = None
        self.z: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self._clear_gradients()

    def _clear_gradients(self) -> None:
        self.dZ: np.ndarray | None = None
        self.dWeights: np.ndarray | None = None
        self.dBiases: np.ndarray | None = None
        self.dInputs: np.ndarray | None = None

    def forward(self, inputs: Any) -> np.ndarray:
        """output = f(inputs @ weights + biases); caches ``inputs``, ``z`` and ``output``."""
        inputs = matrix("inputs", inputs, columns=self.n_inputs, finite=False)
        with np.errstate(invalid="ignore"):  # inf − inf from non-finite inputs: refused just below
            z = inputs @ self.weights
            z += self.biases  # in place: the same sum as z + biases, without a second (batch, out) array
        # NaN/±inf inputs are refused, but looked for in z first, which is 4× smaller on the
        # lesson's batch: every product x·w is formed (BLAS and NumPy's own loops alike) and
        # NaN·w, inf·w and inf·0 are all NaN or ±inf, so a non-finite input always leaves a
        # non-finite z. Only then is every input looked at (z can also overflow from finite inputs).
        if not all_finite(z):
            require_finite("inputs", inputs)
        output = self.activation(z)
        self.inputs, self.z, self.output = inputs, z, output
        # Gradients from an earlier batch no longer belong to the cached inputs.
        self._clear_gradients()
        return output

    def backward(self, dLossWrtLayerOutput: Any) -> np.ndarray:
        """Chain rule through f and the affine map; sets dWeights, dBiases, dInputs; returns dInputs."""
        if self.output is None:
            raise RuntimeError("backward() called before forward(): there is no cached output to differentiate")
        batch = self.output.shape[0]
        # Read, never kept (dZ below is a new array), so the caller's array need not be copied.
        upstream = matrix("dLossWrtLayerOutput", dLossWrtLayerOutput, rows=batch, columns=self.n_neurons,
                          copy=False)
        # dL/dz = dL/da · da/dz, with da/dz = f'(z) written in terms of a = output.
        slope = self.activation.derivative(self.output)
        if (isinstance(slope, np.ndarray) and slope.dtype == np.float64 and slope.shape == upstream.shape
                and not np.may_share_memory(slope, self.output)):
            slope *= upstream  # in place (the same products), sparing a full-size array on a large batch
            dZ = slope
        else:  # an activation of the caller's that returns something else than a fresh array
            dZ = upstream * slope
        # z = inputs @ W + b  ⇒  dL/dW = inputs.T @ dZ,  dL/db = Σ_batch dZ,  dL/dinputs = dZ @ W.T
        self.dZ = dZ
        self.dWeights = self.inputs.T @ dZ
        self.dBiases = dZ.sum(axis=0, keepdims=True)
        self.dInputs = dZ @ self.weights.T
        return self.dInputs

    def update(self, learning_rate: float) -> None:
        """One plain gradient-descent step: W ← W − η·dL/dW, b ← b − η·dL/db."""
        learning_rate = finite_positive_float("learning_rate", learning_rate)
        if self.dWeights is None:
            raise RuntimeError("update() called before backward(): there are no gradients to apply")
        self.weights = self.weights - learning_rate * self.dWeights
        self.biases = self.biases - learning_rate * self.dBiases

    def __repr__(self) -> str:
        return f"DenseLayer({self.n_inputs}, {self.n_neurons}, activation={self.activation.name!r})"
