"""Activation functions, each with its derivative beside it.

The lesson takes every derivative from the layer's cached *output* a = f(z), not from z:
for the functions here f'(z) can be written in a alone, which saves keeping z around and is
what the JavaScript lesson does. ``derivative(output)`` therefore means f'(z) evaluated
through a = f(z).
"""

from __future__ import annotations

import numpy as np


class Activation:
    name: str = ""

    def __call__(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, output: np.ndarray) -> np.ndarray:
        """f'(z) written in the output a = f(z); a new array, which the layer may scale in place."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z))."""

    name = "sigmoid"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        # The lesson's formula 1 / (1 + e^(−z)), step by step in one buffer: the same operations in
        # the same order as the one-line expression, so the same bits, without the temporaries
        # that cost more than the exp on a full-size batch. For z < −709 e^(−z) overflows to inf
        # and 1/(1+inf) is the correct limit 0, so the overflow warning is noise, not an error.
        with np.errstate(over="ignore"):
            z = np.asarray(z, dtype=np.float64)
            out = np.negative(z, out=np.empty_like(z))  # an array even for 0-d z, so the steps below can write into it
            np.exp(out, out=out)
            out += 1.0
            np.divide(1.0, out, out=out)
        return out if out.ndim else out[()]

    def derivative(self, output: np.ndarray) -> np.ndarray:
        """dσ/dz = σ(z)·(1 − σ(z)) = a·(1 − a)."""
        slope = 1.0 - output
        slope *= output  # in place: the same product as a·(1 − a), one full-size array fewer
        return slope


class Tanh(Activation):
    """tanh(z)."""

    name = "tanh"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    def derivative(self, output: np.ndarray) -> np.ndarray:
        """d tanh/dz = 1 − tanh²(z) = 1 − a²."""
        return 1.0 - output * output


class ReLU(Activation):
    """max(0, z)."""

    name = "relu"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0)

    def derivative(self, output: np.ndarray) -> np.ndarray:
        """d max(0, z)/dz = 1 where z > 0, else 0 (a > 0 exactly when z > 0).

        At the kink z = 0 the subgradient 0 is taken, as the lesson does.
        """
        return (output > 0.0).astype(np.float64)


class Linear(Activation):
    """The identity, f(z) = z."""

    name = "linear"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.array(z, dtype=np.float64)  # a copy: the layer caches z and output separately

    def derivative(self, output: np.ndarray) -> np.ndarray:
        """dz/dz = 1."""
        return np.ones_like(output)


ACTIVATIONS: dict[str, type[Activation]] = {cls.name: cls for cls in (Sigmoid, ReLU, Tanh, Linear)}


def get_activation(activation: str | Activation) -> Activation:
    """An activation object from its name (case-insensitive) or the object itself."""
    if isinstance(activation, Activation):
        return activation
    if not isinstance(activation, str):
        raise TypeError(f"activation: expected one of {sorted(ACTIVATIONS)} or an Activation, "
                        f"got {activation!r} ({type(activation).__name__})")
    try:
        return ACTIVATIONS[activation.lower()]()
    except KeyError:
        raise ValueError(f"activation: expected one of {sorted(ACTIVATIONS)}, got {activation!r}") from None
