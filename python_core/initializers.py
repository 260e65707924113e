"""The lesson's weight initialisation strategies. Biases always start at zero."""

from __future__ import annotations

import numpy as np

from ._checks import finite_positive_float


def random_scaled(rng: np.random.Generator, n_inputs: int, n_neurons: int, scale: float) -> np.ndarray:
    """Standard normal draws times ``scale`` (the lesson's default, scale 0.01)."""
    return rng.standard_normal((n_inputs, n_neurons)) * scale


def xavier_normal(rng: np.random.Generator, n_inputs: int, n_neurons: int, scale: float) -> np.ndarray:
    """Normal with std = sqrt(2 / (in + out)), keeping activation variance steady for sigmoid/tanh."""
    return rng.normal(0.0, np.sqrt(2.0 / (n_inputs + n_neurons)), (n_inputs, n_neurons))


def he_uniform(rng: np.random.Generator, n_inputs: int, n_neurons: int, scale: float) -> np.ndarray:
    """Uniform on [−limit, limit] with limit = sqrt(6 / in), suited to ReLU."""
    limit = np.sqrt(6.0 / n_inputs)
    return rng.uniform(-limit, limit, (n_inputs, n_neurons))


WEIGHT_INITS = {f.__name__: f for f in (random_scaled, xavier_normal, he_uniform)}


def initial_weights(strategy: str, n_inputs: int, n_neurons: int, scale: float = 0.01,
                    seed: int | None = None) -> np.ndarray:
    if strategy not in WEIGHT_INITS:
        raise ValueError(f"weight_init: expected one of {sorted(WEIGHT_INITS)}, got {strategy!r}")
    scale = finite_positive_float("weight_init_scale", scale)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed: expected an integer or None, got {seed!r} ({type(seed).__name__})")
    return WEIGHT_INITS[strategy](np.random.default_rng(seed), n_inputs, n_neurons, scale)
