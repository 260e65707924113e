"""Lesson 1: a dense layer, forward and backward, followed by its activation.

The layer computes output = activation(inputs @ weights + biases). Going backward it receives
dLossWrtLayerOutput (how the loss changes with each of its outputs) and hands back the three
gradients that training needs: dWeights and dBiases to update the layer, dInputs to pass on to the
layer before it.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# Each derivative is written in terms of the activation's output, not its input: the forward pass
# already has the output at hand, so the backward pass needs nothing else.
ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda output: output * (1.0 - output)),
    "tanh": (np.tanh, lambda output: 1.0 - output * output),
    "relu": (lambda z: np.maximum(z, 0.0), lambda output: (output > 0).astype(float)),
    "linear": (lambda z: z, lambda output: np.ones_like(output)),
}


def dense_layer(inputs, weights, biases, dLossWrtLayerOutput, activation):
    activate, derivative = ACTIVATIONS[activation]

    # Forward: every row of inputs is one sample; biases (1 x neurons) is added to every row.
    z = inputs @ weights + biases
    output = activate(z)

    # Backward: the chain rule through the activation first...
    dZ = dLossWrtLayerOutput * derivative(output)
    # ...then through the weighted sum. Each weight touched every sample, so its gradient sums the
    # samples' contributions, which is what the matrix product inputs.T @ dZ does.
    dWeights = inputs.T @ dZ
    # A bias is added to every sample's sum, so its gradient is dZ summed over the batch.
    dBiases = np.sum(dZ, axis=0, keepdims=True)
    # Each input fed every neuron through its weight: the way back goes through weights.T.
    dInputs = dZ @ weights.T

    return {"output": output, "dWeights": dWeights, "dBiases": dBiases, "dInputs": dInputs}


# One entry per activation, so that each is checked on its own.
def dense_sigmoid(inputs, weights, biases, dLossWrtLayerOutput):
    return dense_layer(inputs, weights, biases, dLossWrtLayerOutput, "sigmoid")


def dense_tanh(inputs, weights, biases, dLossWrtLayerOutput):
    return dense_layer(inputs, weights, biases, dLossWrtLayerOutput, "tanh")


def dense_relu(inputs, weights, biases, dLossWrtLayerOutput):
    return dense_layer(inputs, weights, biases, dLossWrtLayerOutput, "relu")


def dense_linear(inputs, weights, biases, dLossWrtLayerOutput):
    return dense_layer(inputs, weights, biases, dLossWrtLayerOutput, "linear")
