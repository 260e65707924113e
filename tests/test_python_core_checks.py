"""Bad input gets a clear error naming the argument, and a refused call changes nothing."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from python_core import DenseLayer


def make_layer():
    layer = DenseLayer(2, 3, "sigmoid", weights=[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], biases=[[0.01, 0.02, 0.03]])
    layer.forward([[0.5, -0.2]])
    layer.backward([[0.1, -0.2, 0.05]])
    return layer


CONSTRUCTOR_ERRORS = [
    (dict(n_inputs=0, n_neurons=3), ValueError, ["n_inputs", "positive integer", "0"]),
    (dict(n_inputs=-2, n_neurons=3), ValueError, ["n_inputs", "-2"]),
    (dict(n_inputs=2.5, n_neurons=3), TypeError, ["n_inputs", "2.5", "float"]),
    (dict(n_inputs=2, n_neurons=True), TypeError, ["n_neurons", "True"]),
    (dict(n_inputs=2, n_neurons="3"), TypeError, ["n_neurons", "'3'"]),
    (dict(n_inputs=2, n_neurons=3, activation="softmax"), ValueError, ["activation", "softmax", "sigmoid"]),
    (dict(n_inputs=2, n_neurons=3, activation=3), TypeError, ["activation"]),
    (dict(n_inputs=2, n_neurons=3, weights=np.ones((3, 2))), ValueError, ["weights", "(2, 3)", "(3, 2)"]),
    (dict(n_inputs=2, n_neurons=3, weights=np.ones(6)), ValueError, ["weights", "2-D", "(6,)"]),
    (dict(n_inputs=2, n_neurons=3, weights=[[1, 2, np.nan], [1, 2, 3]]), ValueError, ["weights", "nan", "(0, 2)"]),
    (dict(n_inputs=2, n_neurons=3, weights=[[1, 2, 3], [1, np.inf, 3]]), ValueError, ["weights", "inf", "(1, 1)"]),
    (dict(n_inputs=2, n_neurons=3, weights=[["a", "b", "c"], ["d", "e", "f"]]), TypeError, ["weights", "numbers"]),
    (dict(n_inputs=2, n_neurons=3, weights=[[1, None, 3], [1, 2, 3]]), TypeError, ["weights", "None"]),
    (dict(n_inputs=2, n_neurons=3, weights=[[1, 2, 3], [1, 2]]), ValueError, ["weights", "ragged"]),
    (dict(n_inputs=2, n_neurons=3, biases=[1, 2]), ValueError, ["biases", "(1, 3)", "(1, 2)"]),
    (dict(n_inputs=2, n_neurons=3, biases=[[0, float("nan"), 0]]), ValueError, ["biases", "nan"]),
    (dict(n_inputs=2, n_neurons=3, weight_init="zeros"), ValueError, ["weight_init", "zeros", "he_uniform"]),
    (dict(n_inputs=2, n_neurons=3, weight_init_scale=-1), ValueError, ["weight_init_scale", "-1"]),
    (dict(n_inputs=2, n_neurons=3, seed=1.5), TypeError, ["seed", "1.5"]),
    (dict(n_inputs=2, n_neurons=3, seed=-5), ValueError, ["seed", "-5", "non-negative"]),
    # a scale that the strategy would ignore is refused, not silently dropped
    (dict(n_inputs=2, n_neurons=3, weight_init="xavier_normal", weight_init_scale=5.0), ValueError,
     ["weight_init_scale", "random_scaled only", "xavier_normal"]),
]


@pytest.mark.parametrize("kwargs,error,fragments", CONSTRUCTOR_ERRORS)
def test_constructor_refuses_bad_arguments(kwargs, error, fragments):
    with pytest.raises(error) as info:
        DenseLayer(**kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)


CALL_ERRORS = [
    ("forward", [[0.5, -0.2, 0.1]], ValueError, ["inputs", "(n, 2)", "(1, 3)"]),
    ("forward", [[[0.5, -0.2]]], ValueError, ["inputs", "2-D", "(1, 1, 2)"]),
    ("forward", [[np.nan, 1.0]], ValueError, ["inputs", "nan", "(0, 0)"]),
    ("forward", [[1.0, -np.inf]], ValueError, ["inputs", "-inf", "(0, 1)"]),
    ("forward", "0.5, -0.2", TypeError, ["inputs", "str"]),
    ("forward", [[True, False]], TypeError, ["inputs", "booleans"]),
    ("forward", np.zeros((0, 2)), ValueError, ["inputs", "at least one row"]),
    ("backward", [[0.1, -0.2]], ValueError, ["dLossWrtLayerOutput", "(1, 3)", "(1, 2)"]),
    ("backward", [[0.1, -0.2, 0.05], [0.1, 0.2, 0.3]], ValueError, ["dLossWrtLayerOutput", "(1, 3)", "(2, 3)"]),
    ("backward", [[0.1, np.nan, 0.05]], ValueError, ["dLossWrtLayerOutput", "nan"]),
    ("backward", [["x", "y", "z"]], TypeError, ["dLossWrtLayerOutput", "numbers"]),
    ("update", float("nan"), ValueError, ["learning_rate", "nan"]),
    ("update", -0.1, ValueError, ["learning_rate", "-0.1"]),
    ("update", "0.1", TypeError, ["learning_rate", "'0.1'"]),
]


def snapshot(layer):
    return {k: copy.deepcopy(v) for k, v in vars(layer).items() if k != "activation"}


def assert_same_state(before, after):
    assert before.keys() == after.keys()
    for key in before:
        if isinstance(before[key], np.ndarray):
            assert np.array_equal(before[key], after[key]), key
        else:
            assert before[key] == after[key], key


@pytest.mark.parametrize("method,argument,error,fragments", CALL_ERRORS)
def test_refused_calls_change_nothing_and_layer_stays_usable(method, argument, error, fragments):
    layer = make_layer()
    before = snapshot(layer)
    with pytest.raises(error) as info:
        getattr(layer, method)(argument)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert_same_state(before, snapshot(layer))
    # Still usable: a full good round runs afterwards.
    layer.forward([[0.1, 0.2]])
    layer.backward([[1.0, 1.0, 1.0]])
    layer.update(0.1)


def test_backward_before_forward_is_an_error():
    layer = DenseLayer(2, 3, seed=0)
    with pytest.raises(RuntimeError, match=r"backward\(\) called before forward\(\)"):
        layer.backward([[0.1, 0.2, 0.3]])


def test_update_before_backward_is_an_error():
    layer = DenseLayer(2, 3, seed=0)
    with pytest.raises(RuntimeError, match=r"update\(\) called before backward\(\)"):
        layer.update(0.1)
    layer.forward([[1.0, 2.0]])
    with pytest.raises(RuntimeError, match=r"update\(\) called before backward\(\)"):
        layer.update(0.1)


def test_a_new_forward_discards_stale_gradients():
    layer = make_layer()
    layer.forward([[1.0, 1.0]])
    assert layer.dWeights is None
    with pytest.raises(RuntimeError):
        layer.update(0.1)
