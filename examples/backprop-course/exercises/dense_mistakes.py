"""The dense layer's mistakes seen every term, each one wrong in one place only.

Each is the lesson's dense_sigmoid with that one mistake: the exercise recognises a learner's code by
giving the same numbers on the same cases.
"""
import numpy as np


def _forward(inputs, weights, biases):
    return 1.0 / (1.0 + np.exp(-(inputs @ weights + biases)))


def _result(output, dZ, inputs, weights, dBiases):
    return {"output": output, "dWeights": inputs.T @ dZ, "dBiases": dBiases, "dInputs": dZ @ weights.T}


def forgot_the_derivative(inputs, weights, biases, dLossWrtLayerOutput):
    output = _forward(inputs, weights, biases)
    dZ = dLossWrtLayerOutput * output  # the output itself, not output * (1 - output)
    return _result(output, dZ, inputs, weights, np.sum(dZ, axis=0, keepdims=True))


def mean_over_the_batch(inputs, weights, biases, dLossWrtLayerOutput):
    output = _forward(inputs, weights, biases)
    dZ = dLossWrtLayerOutput * output * (1.0 - output)
    return _result(output, dZ, inputs, weights, np.mean(dZ, axis=0, keepdims=True))


def sum_without_keepdims(inputs, weights, biases, dLossWrtLayerOutput):
    output = _forward(inputs, weights, biases)
    dZ = dLossWrtLayerOutput * output * (1.0 - output)
    return _result(output, dZ, inputs, weights, np.sum(dZ, axis=0))


def sum_of_everything(inputs, weights, biases, dLossWrtLayerOutput):
    output = _forward(inputs, weights, biases)
    dZ = dLossWrtLayerOutput * output * (1.0 - output)
    return _result(output, dZ, inputs, weights, np.sum(dZ))
