"""DenseLayer against independent computations: loops written out, and central finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from python_core import ACTIVATIONS, DenseLayer, get_activation

ACTIVATION_NAMES = sorted(ACTIVATIONS)


def scalar_activation(name: str, z: float) -> float:
    """The textbook definitions, written out with the math module (not NumPy, not python_core)."""
    return {"sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)), "tanh": math.tanh,
            "relu": lambda v: max(v, 0.0), "linear": lambda v: v}[name](z)


def away_from_kinks(rng: np.random.Generator, shape, low=0.2, high=1.5) -> np.ndarray:
    """Values with |v| in [low, high] so that ReLU's kink at 0 stays out of every difference quotient."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_forward_matches_loops(name):
    rng = np.random.default_rng(1)
    W, b, X = rng.normal(size=(3, 4)), rng.normal(size=(1, 4)), rng.normal(size=(5, 3))
    layer = DenseLayer(3, 4, activation=name, weights=W, biases=b)
    out = layer.forward(X)
    for i in range(5):
        for j in range(4):
            z = sum(X[i, k] * W[k, j] for k in range(3)) + b[0, j]
            assert layer.z[i, j] == pytest.approx(z, rel=1e-13, abs=1e-15)
            assert out[i, j] == pytest.approx(scalar_activation(name, z), rel=1e-13, abs=1e-15)
    assert layer.output is out and np.array_equal(layer.inputs, X)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_derivative_matches_finite_difference(name):
    act = get_activation(name)
    z = away_from_kinks(np.random.default_rng(2), (50,))
    h = 1e-6
    numeric = (act(z + h) - act(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(act(z)), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_backward_matches_central_differences(name):
    """For L = Σ output ⊙ G, dL/d(output) = G; every gradient is checked element by element."""
    rng = np.random.default_rng(3)
    n_in, n_out, batch = 3, 4, 5
    W, b = rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out)) * 0.1
    X, G = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_out))
    if name == "relu":  # keep every z at least 0.05 away from the kink
        z = X @ W + b
        b = b + np.where(np.abs(z).min(axis=0) < 0.05, 0.3, 0.0)
        assert np.abs(X @ W + b).min() > 0.05

    def loss(W_, b_, X_):
        return float(np.sum(DenseLayer(n_in, n_out, name, weights=W_, biases=b_).forward(X_) * G))

    layer = DenseLayer(n_in, n_out, name, weights=W, biases=b)
    layer.forward(X)
    returned = layer.backward(G)
    h = 1e-6

    def numeric(param_index):
        params = [W.copy(), b.copy(), X.copy()]
        grad = np.zeros_like(params[param_index])
        for idx in np.ndindex(grad.shape):
            plus = [p.copy() for p in params]
            minus = [p.copy() for p in params]
            plus[param_index][idx] += h
            minus[param_index][idx] -= h
            grad[idx] = (loss(*plus) - loss(*minus)) / (2 * h)
        return grad

    np.testing.assert_allclose(layer.dWeights, numeric(0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.dBiases, numeric(1), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.dInputs, numeric(2), rtol=1e-6, atol=1e-8)
    assert returned is layer.dInputs
    assert layer.dBiases.shape == (1, n_out)


def test_gradients_are_sums_over_the_batch():
    """Stacking two copies of a batch doubles dWeights and dBiases (no hidden 1/n)."""
    rng = np.random.default_rng(4)
    W, X, G = rng.normal(size=(2, 3)), rng.normal(size=(4, 2)), rng.normal(size=(4, 3))
    one, two = DenseLayer(2, 3, "tanh", weights=W), DenseLayer(2, 3, "tanh", weights=W)
    one.forward(X), one.backward(G)
    two.forward(np.vstack([X, X])), two.backward(np.vstack([G, G]))
    np.testing.assert_allclose(two.dWeights, 2 * one.dWeights, rtol=1e-14)
    np.testing.assert_allclose(two.dBiases, 2 * one.dBiases, rtol=1e-14)


def test_one_dimensional_inputs_and_biases_are_a_batch_of_one():
    layer = DenseLayer(2, 3, weights=np.ones((2, 3)), biases=[0.1, 0.2, 0.3])
    assert layer.biases.shape == (1, 3)
    assert layer.forward([0.5, -0.2]).shape == (1, 3)


def test_update_is_a_plain_gradient_step():
    rng = np.random.default_rng(5)
    W, b = rng.normal(size=(2, 3)), rng.normal(size=(1, 3))
    layer = DenseLayer(2, 3, "sigmoid", weights=W, biases=b)
    layer.forward(rng.normal(size=(3, 2)))
    layer.backward(rng.normal(size=(3, 3)))
    dW, db = layer.dWeights.copy(), layer.dBiases.copy()
    layer.update(0.5)
    np.testing.assert_array_equal(layer.weights, W - 0.5 * dW)
    np.testing.assert_array_equal(layer.biases, b - 0.5 * db)


def test_given_arrays_are_copied_not_aliased():
    W = np.ones((2, 2))
    X = np.ones((1, 2))
    layer = DenseLayer(2, 2, "linear", weights=W)
    layer.forward(X)
    W[0, 0] = X[0, 0] = 99.0
    assert layer.weights[0, 0] == 1.0 and layer.inputs[0, 0] == 1.0


@pytest.mark.parametrize("strategy,expected_std", [
    ("random_scaled", lambda n_in, n_out: 0.01),
    ("xavier_normal", lambda n_in, n_out: math.sqrt(2.0 / (n_in + n_out))),
    ("he_uniform", lambda n_in, n_out: math.sqrt(6.0 / n_in) / math.sqrt(3.0)),  # std of U(−l, l) is l/√3
])
def test_weight_init_strategies_have_the_lesson_spread(strategy, expected_std):
    n_in, n_out = 400, 300
    layer = DenseLayer(n_in, n_out, weight_init=strategy, seed=7)
    std = expected_std(n_in, n_out)
    assert layer.weights.shape == (n_in, n_out)
    assert abs(layer.weights.mean()) < 0.02 * std * 10
    assert layer.weights.std() == pytest.approx(std, rel=0.02)
    assert np.array_equal(layer.biases, np.zeros((1, n_out)))
    if strategy == "he_uniform":
        assert np.abs(layer.weights).max() <= math.sqrt(6.0 / n_in)


def test_weight_init_scale_and_seed():
    a = DenseLayer(20, 30, weight_init_scale=0.5, seed=3)
    b = DenseLayer(20, 30, weight_init_scale=0.5, seed=3)
    c = DenseLayer(20, 30, weight_init_scale=0.5, seed=4)
    assert np.array_equal(a.weights, b.weights) and not np.array_equal(a.weights, c.weights)
    assert a.weights.std() == pytest.approx(0.5, rel=0.15)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activations_take_scalars_and_integer_arrays(name):
    act = get_activation(name)
    assert float(act(0.5)) == pytest.approx(scalar_activation(name, 0.5), rel=1e-15)
    np.testing.assert_allclose(act(np.array([-2, 3])), [scalar_activation(name, -2.0), scalar_activation(name, 3.0)],
                               rtol=1e-15)
