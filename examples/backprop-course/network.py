"""Lesson 4: a two-layer network's forward and backward pass.

inputs -> dense layer 1 -> sigmoid -> hidden -> dense layer 2 (linear) -> output, scored by mean
squared error against targets. The backward pass walks the same road in reverse: every layer turns
the gradient of its output (dLossWrtLayerOutput) into gradients for its weights and biases and the
gradient of its inputs, which is the previous layer's dLossWrtLayerOutput.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def two_layer_network(inputs, weights1, biases1, weights2, biases2, targets):
    samples, outputs = targets.shape

    # Forward.
    hidden = sigmoid(inputs @ weights1 + biases1)
    output = hidden @ weights2 + biases2
    loss = np.mean(np.mean((output - targets) ** 2, axis=-1))

    # Backward through the loss: a mean over the outputs and over the samples.
    dLossWrtLayerOutput = 2.0 * (output - targets) / outputs / samples

    # Layer 2 is linear, so its dZ is dLossWrtLayerOutput itself.
    dWeights2 = hidden.T @ dLossWrtLayerOutput
    dBiases2 = np.sum(dLossWrtLayerOutput, axis=0, keepdims=True)
    dHidden = dLossWrtLayerOutput @ weights2.T

    # Layer 1: the hidden layer's output gradient goes through the sigmoid's derivative first.
    dZ1 = dHidden * hidden * (1.0 - hidden)
    dWeights1 = inputs.T @ dZ1
    dBiases1 = np.sum(dZ1, axis=0, keepdims=True)
    dInputs = dZ1 @ weights1.T

    return {"hidden": hidden, "output": output, "loss": float(loss),
            "dLossWrtLayerOutput": dLossWrtLayerOutput, "dWeights2": dWeights2, "dBiases2": dBiases2,
            "dHidden": dHidden, "dWeights1": dWeights1, "dBiases1": dBiases1, "dInputs": dInputs}
