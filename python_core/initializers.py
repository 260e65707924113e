"""The lesson's weight initialisation strategies. Biases always start at zero."""

from __future__ import annotations

import numpy as np

from ._checks import check_seed, finite_positive_float


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


# Only random_scaled takes a scale; xavier_normal and he_uniform derive theirs from the layer's size.
DEFAULT_SCALE = 0.01


def initial_weights(strategy: str, n_inputs: int, n_neurons: int, scale: float | None = None,
                    seed: int | None = None) -> np.ndarray:
    if strategy not in WEIGHT_INITS:
        raise ValueError(f"weight_init: expected one of {sorted(WEIGHT_INITS)}, got {strategy!r}")
    if scale is not None and strategy != "random_scaled":
        raise ValueError(f"weight_init_scale: applies to random_scaled only; {strategy} takes its scale from the "
                         f"layer's size, so leave weight_init_scale out (got {scale!r})")
    scale = finite_positive_float("weight_init_scale", DEFAULT_SCALE if scale is None else scale)
    check_seed(seed)
    return WEIGHT_INITS[strategy](np.random.default_rng(seed), n_inputs, n_neurons, scale)
