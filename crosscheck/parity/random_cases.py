"""Seeded random cases that go looking for differences between runtimes.

Drawn natively with NumPy's PCG64 from one seed, so the same seed gives the same cases on any
machine (NumPy pins its generator streams). Each case picks:

- an activation, in turn, so that every activation gets a quarter of the cases;
- n_inputs and n_neurons from 1 to 64 and a batch from 1 to 32, with the edges (1, 64, 32) and
  small lesson-like sizes drawn more often than a uniform draw would;
- a scale per array from 10⁻⁶ to 10³, so products and sums span many decades;
- for sigmoid and tanh, often a large bias (|b| up to 10³) that drives z deep into saturation,
  past where e^(−z) overflows (z < −709) and where tanh rounds to ±1;
- exact zeros: zero inputs, zero weight columns with a zero (or −0.0) bias, which put z exactly at
  ReLU's kink (and test the sign of zero everywhere else).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from python_core.facts import ACTIVATION_FACTS, ACTIVATION_NAMES

ACTIVATION_ORDER = ACTIVATION_NAMES
SATURATING = tuple(name for name, facts in ACTIVATION_FACTS.items() if facts["saturates"])
MAX_SIZE, MAX_BATCH = 64, 32


def _size(rng: np.random.Generator, high: int) -> int:
    """1..high: a fifth at an edge, two fifths log-uniform (small sizes, as lessons use), the rest uniform."""
    roll = rng.random()
    if roll < 0.2:
        return int(rng.choice([1, high]))
    if roll < 0.6:
        return int(min(high, np.floor(np.exp(rng.uniform(0.0, np.log(high + 1))))))
    return int(rng.integers(1, high + 1))


def _scaled(rng: np.random.Generator, shape: tuple[int, int], low: float = -6.0, high: float = 3.0) -> np.ndarray:
    """Standard normal draws times one scale 10^U(low, high) for the whole array."""
    return rng.standard_normal(shape) * 10.0 ** rng.uniform(low, high)


def random_case(rng: np.random.Generator, activation: str, name: str) -> dict[str, Any]:
    n_inputs, n_neurons, batch = _size(rng, MAX_SIZE), _size(rng, MAX_SIZE), _size(rng, MAX_BATCH)
    weights = _scaled(rng, (n_inputs, n_neurons))
    biases = _scaled(rng, (1, n_neurons))
    inputs = _scaled(rng, (batch, n_inputs))
    upstream = _scaled(rng, (batch, n_neurons))
    if activation in SATURATING and rng.random() < 0.4:
        # Saturation: z is dominated by a bias of ±10..±1000.
        biases = rng.choice([-1.0, 1.0], (1, n_neurons)) * 10.0 ** rng.uniform(1.0, 3.0, (1, n_neurons))
    if rng.random() < 0.5:
        # Exact zeros scattered through the inputs.
        inputs[rng.random(inputs.shape) < 0.2] = 0.0
    if rng.random() < 0.5:
        # z exactly 0 (ReLU's kink): a zero weight column with a zero bias gives z = 0 in every row,
        # and a zero input row gives z = b, so a zero bias there gives z = 0 as well. The bias is
        # sometimes −0.0, which makes the sign of a zero z depend on the runtime's summation.
        columns = rng.random(n_neurons) < 0.3
        weights[:, columns] = 0.0
        zero_bias = columns | (rng.random(n_neurons) < 0.3)
        biases[0, zero_bias] = rng.choice([0.0, -0.0], int(zero_bias.sum()))
        inputs[rng.random(batch) < 0.3, :] = 0.0
    return {"name": name, "activation": activation, "weights": weights, "biases": biases, "inputs": inputs,
            "upstream": upstream}


def random_cases(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` cases from ``seed``; the same seed always gives the same cases."""
    if count < 0:
        raise ValueError(f"--random: expected a count ≥ 0, got {count}")
    rng = np.random.default_rng(seed)
    start = int(rng.integers(len(ACTIVATION_ORDER)))
    return [random_case(rng, ACTIVATION_ORDER[(start + i) % len(ACTIVATION_ORDER)], f"random-{seed}-{i + 1}")
            for i in range(count)]
