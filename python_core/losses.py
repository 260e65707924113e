"""Losses as objects: ``loss(output, target)`` is the number, ``loss.derivative(output, target)``
is dL/d(output), the array a network hands to its last layer's ``backward``.

Both losses average over every element of the batch (n rows × k outputs, N = n·k), so their
derivatives carry the 1/N; the layers' gradients are sums over the batch and stay so.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import float_array, matrix


def _pair(output: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    """Output and target as 2-D float64 arrays of one shape (a 1-D target is a column)."""
    output = matrix("output", output, allow_vector=False)
    target = float_array("target", target)
    if target.ndim == 1:
        target = target.reshape(-1, 1)
    if target.shape != output.shape:
        raise ValueError(f"target: expected the output's shape {output.shape}, got {target.shape}")
    return output, target


class Loss:
    name: str = ""

    def __call__(self, output: Any, target: Any) -> float:
        raise NotImplementedError

    def derivative(self, output: Any, target: Any) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    """L = (1/N) Σ (a − y)²."""

    name = "mse"

    def __call__(self, output: Any, target: Any) -> float:
        output, target = _pair(output, target)
        diff = output - target
        return float(np.mean(diff * diff))

    def derivative(self, output: Any, target: Any) -> np.ndarray:
        """dL/da = 2·(a − y) / N."""
        output, target = _pair(output, target)
        return 2.0 * (output - target) / output.size


class BinaryCrossEntropy(Loss):
    """L = −(1/N) Σ [y·log p + (1 − y)·log(1 − p)],  p = clip(a, ε, 1 − ε).

    Numerically safe by *clipping* (not the logits form): the lesson's network ends in a
    sigmoid layer whose ``backward`` wants dL/da, so the loss sees probabilities, and a
    saturated sigmoid can return exactly 0.0 or 1.0, where log would give −inf. Clipping to
    [ε, 1 − ε] with ε = 1e-7 bounds the loss per element by −log ε ≈ 16.1 and the derivative by
    1/(ε(1 − ε)·N). log(1 − p) is taken as log1p(−p), which stays accurate for small p.
    """

    name = "bce"

    def __init__(self, epsilon: float = 1e-7) -> None:
        if not 0.0 < epsilon < 0.5:
            raise ValueError(f"epsilon: expected a number in (0, 0.5), got {epsilon!r}")
        self.epsilon = float(epsilon)

    def _clipped(self, output: np.ndarray) -> np.ndarray:
        return np.clip(output, self.epsilon, 1.0 - self.epsilon)

    def __call__(self, output: Any, target: Any) -> float:
        output, target = _pair(output, target)
        p = self._clipped(output)
        return float(-np.mean(target * np.log(p) + (1.0 - target) * np.log1p(-p)))

    def derivative(self, output: Any, target: Any) -> np.ndarray:
        """dL/da = (p − y) / (p·(1 − p)) / N, with p the clipped output.

        Inside [ε, 1 − ε] this is the exact derivative. Outside, the clipped loss is flat, but
        the formula is still evaluated at the clip edge, so that a confidently wrong output
        keeps a (bounded) push in the right direction instead of none.
        """
        output, target = _pair(output, target)
        p = self._clipped(output)
        return (p - target) / (p * (1.0 - p)) / output.size

    def __repr__(self) -> str:
        return f"BinaryCrossEntropy(epsilon={self.epsilon!r})"


LOSSES: dict[str, type[Loss]] = {cls.name: cls for cls in (MeanSquaredError, BinaryCrossEntropy)}


def get_loss(loss: str | Loss) -> Loss:
    """A loss object from its name ("mse", "bce"; case-insensitive) or the object itself."""
    if isinstance(loss, Loss):
        return loss
    if not isinstance(loss, str):
        raise TypeError(f"loss: expected one of {sorted(LOSSES)} or a Loss, got {loss!r} ({type(loss).__name__})")
    try:
        return LOSSES[loss.lower()]()
    except KeyError:
        raise ValueError(f"loss: expected one of {sorted(LOSSES)}, got {loss!r}") from None
