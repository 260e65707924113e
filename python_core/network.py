"""A network of the lesson's DenseLayers, trained by full-batch gradient descent.

The network holds no maths of its own: every product, activation and gradient is a
DenseLayer's. It only chains them. For layers 1…L with a_0 = X:

    forward:   a_l = layer_l.forward(a_{l−1}),                 prediction a_L
    backward:  g_L = dLoss/da_L  (the loss's derivative)
               g_{l−1} = layer_l.backward(g_l) = dL/da_{l−1}  (each layer applies the chain rule
               through its activation and affine map and keeps dWeights, dBiases on the way)
    update:    W_l ← W_l − η·dWeights_l,  b_l ← b_l − η·dBiases_l

so dL/dW_l = a_{l−1}ᵀ · (g_l ⊙ f′_l), exactly as one layer computes it, composed L times.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ._checks import check_seed, finite_positive_float, float_array, matrix, positive_int
from .activations import Activation, get_activation
from .dense_layer import DenseLayer
from .losses import Loss, get_loss

EpochCallback = Callable[[int, float], None]


def layer_seeds(seed: int | None, count: int) -> list[int | None]:
    """One independent seed per layer from the network's seed (NumPy's SeedSequence.spawn).

    SeedSequence hashes with 32-bit integer arithmetic only, so it gives the same seeds on
    every platform, the 32-bit WebAssembly of Pyodide included.
    """
    if seed is None:
        return [None] * count
    check_seed(seed)
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(int(seed)).spawn(count)]


class Network:
    """``Network([2, 3, 1], activations="sigmoid", loss="mse", seed=0)``: layers 2→3 and 3→1.

    ``activations`` is one name for every layer or a list with one per layer.
    """

    def __init__(self, layer_sizes: Sequence[int],
                 activations: str | Activation | Sequence[str | Activation] = "sigmoid", loss: str | Loss = "mse",
                 weight_init: str = "random_scaled", weight_init_scale: float | None = None,
                 seed: int | None = None) -> None:
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
            raise TypeError(f"layer_sizes: expected a list of positive integers, got {layer_sizes!r}")
        if len(layer_sizes) < 2:
            raise ValueError(f"layer_sizes: expected at least two sizes (inputs and outputs), got {list(layer_sizes)}")
        sizes = [positive_int(f"layer_sizes[{i}]", n) for i, n in enumerate(layer_sizes)]
        n_layers = len(sizes) - 1
        if isinstance(activations, (str, Activation)):
            activations = [activations] * n_layers
        activations = list(activations)
        if len(activations) != n_layers:
            raise ValueError(f"activations: expected {n_layers} (one per layer), got {len(activations)}")
        activations = [get_activation(a) for a in activations]
        self.loss = get_loss(loss)
        self.layer_sizes = sizes
        self.seed = seed
        self.layers = [DenseLayer(n_in, n_out, activation=act, weight_init=weight_init,
                                  weight_init_scale=weight_init_scale, seed=s)
                       for n_in, n_out, act, s in zip(sizes[:-1], sizes[1:], activations, layer_seeds(seed, n_layers))]

    # -- the three moves of a training step ------------------------------------------------

    def forward(self, inputs: Any) -> np.ndarray:
        """a_L: each layer's output is the next layer's input. Every layer caches its own."""
        output = inputs
        for layer in self.layers:
            output = layer.forward(output)
        return output

    def backward(self, dLossWrtNetworkOutput: Any) -> np.ndarray:
        """Hand dL/da_L to the last layer and each layer's dInputs to the one before it.

        Returns dL/dX, the first layer's dInputs.
        """
        gradient = dLossWrtNetworkOutput
        for layer in reversed(self.layers):
            gradient = layer.backward(gradient)
        return gradient

    def update(self, learning_rate: float) -> None:
        for layer in self.layers:
            layer.update(learning_rate)

    # -- training and use --------------------------------------------------------------------

    def train_step(self, inputs: Any, targets: Any, learning_rate: float) -> float:
        """One full-batch step; returns the loss *before* the update (the loss at the weights
        whose gradient was taken)."""
        output = self.forward(inputs)
        loss = self.loss(output, targets)
        self.backward(self.loss.derivative(output, targets))
        self.update(learning_rate)
        return loss

    def fit(self, inputs: Any, targets: Any, epochs: int, learning_rate: float,
            on_epoch: EpochCallback | None = None) -> np.ndarray:
        """Full-batch gradient descent for ``epochs`` steps; returns the loss of every epoch.

        ``on_epoch(epoch, loss)`` is called after each step (epoch counts from 1), e.g. for
        a progress bar. Arguments are checked before the first step, so a refused call
        leaves the weights as they were.
        """
        epochs = positive_int("epochs", epochs)
        learning_rate = finite_positive_float("learning_rate", learning_rate)
        inputs, targets = self.check_data(inputs, targets)
        losses = np.empty(epochs)
        for epoch in range(epochs):
            losses[epoch] = self.train_step(inputs, targets, learning_rate)
            if on_epoch is not None:
                on_epoch(epoch + 1, float(losses[epoch]))
        return losses

    def predict(self, inputs: Any) -> np.ndarray:
        """The network's output a_L for ``inputs`` (a forward pass; the layers' caches change)."""
        return self.forward(inputs)

    def classify(self, inputs: Any, threshold: float = 0.5) -> np.ndarray:
        """0/1 labels: 1 where the output is at least ``threshold``."""
        return (self.predict(inputs) >= threshold).astype(np.int64)

    def check_data(self, inputs: Any, targets: Any) -> tuple[np.ndarray, np.ndarray]:
        """Inputs (n, first size) and targets (n, last size); a 1-D target is a column."""
        inputs = matrix("inputs", inputs, columns=self.layer_sizes[0])
        targets = float_array("targets", targets)
        if targets.ndim == 1:
            targets = targets.reshape(-1, 1)
        expected = (inputs.shape[0], self.layer_sizes[-1])
        if targets.shape != expected:
            raise ValueError(f"targets: expected shape {expected} (one row per input row, one column per "
                             f"output), got {targets.shape}")
        return inputs, targets

    # -- state -------------------------------------------------------------------------------

    def get_state(self) -> dict[str, list[np.ndarray]]:
        """Copies of every layer's weights and biases: all the state gradient descent has."""
        return {"weights": [layer.weights.copy() for layer in self.layers],
                "biases": [layer.biases.copy() for layer in self.layers]}

    def set_state(self, state: dict[str, Sequence[Any]]) -> None:
        """Replace every layer's weights and biases; all are checked before any is replaced."""
        weights, biases = list(state["weights"]), list(state["biases"])
        if len(weights) != len(self.layers) or len(biases) != len(self.layers):
            raise ValueError(f"state: expected {len(self.layers)} weight and bias arrays, "
                             f"got {len(weights)} and {len(biases)}")
        checked = [(matrix(f"weights[{i}]", w, rows=layer.n_inputs, columns=layer.n_neurons, allow_vector=False),
                    matrix(f"biases[{i}]", b, rows=1, columns=layer.n_neurons))
                   for i, (layer, w, b) in enumerate(zip(self.layers, weights, biases))]
        for layer, (w, b) in zip(self.layers, checked):
            layer.weights, layer.biases = w, b

    def __repr__(self) -> str:
        acts = [layer.activation.name for layer in self.layers]
        return f"Network({self.layer_sizes}, activations={acts}, loss={self.loss.name!r})"


def accuracy(output: Any, targets: Any, threshold: float = 0.5) -> float:
    """Share of rows whose thresholded outputs all equal the 0/1 targets."""
    output = np.asarray(output, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64).reshape(output.shape)
    return float(np.mean(np.all((output >= threshold) == (targets >= 0.5), axis=1)))
