"""Lesson 6: one epoch of XOR training.

XOR is the smallest problem one layer cannot solve: its two classes are not separable by a line.
A hidden layer of sigmoid neurons can. An epoch shows the network each of the four rows once and
takes one gradient-descent step after each row (stochastic gradient descent), scoring the output
with binary cross-entropy. The initial weights are arguments, so that every run starts alike.
"""
import numpy as np

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def xor_epoch(weights1, biases1, weights2, biases2, lr):
    # Copies: the caller's arrays stay the initial weights.
    weights1, biases1, weights2, biases2 = (a.copy() for a in (weights1, biases1, weights2, biases2))
    losses = []
    for row in range(len(XOR_INPUTS)):
        x = XOR_INPUTS[row:row + 1]  # a batch of one row, shape (1, 2)
        y = XOR_TARGETS[row:row + 1]

        # Forward.
        hidden = sigmoid(x @ weights1 + biases1)
        output = sigmoid(hidden @ weights2 + biases2)
        clipped = np.clip(output, 1e-7, 1 - 1e-7)
        losses.append(float(np.mean(-(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))))

        # Backward: binary cross-entropy, then each sigmoid's derivative, layer by layer.
        dLossWrtLayerOutput = -(y / clipped - (1 - y) / (1 - clipped))
        dZ2 = dLossWrtLayerOutput * output * (1 - output)
        dWeights2 = hidden.T @ dZ2
        dBiases2 = np.sum(dZ2, axis=0, keepdims=True)
        dHidden = dZ2 @ weights2.T
        dZ1 = dHidden * hidden * (1 - hidden)
        dWeights1 = x.T @ dZ1
        dBiases1 = np.sum(dZ1, axis=0, keepdims=True)

        # Step against the gradient; the next row sees the updated weights.
        weights1 = weights1 - lr * dWeights1
        biases1 = biases1 - lr * dBiases1
        weights2 = weights2 - lr * dWeights2
        biases2 = biases2 - lr * dBiases2

    return {"weights1": weights1, "biases1": biases1, "weights2": weights2, "biases2": biases2,
            "losses": np.array(losses)}
