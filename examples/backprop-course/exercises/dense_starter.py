import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class DenseLayer:
    """A dense layer with the sigmoid activation: output = sigmoid(inputs @ weights + biases)."""

    def __init__(self, weights, biases):
        self.weights = weights  # (n_inputs, n_neurons)
        self.biases = biases    # (1, n_neurons)

    def forward(self, inputs):
        self.inputs = inputs                          # (batch, n_inputs)
        self.z = inputs @ self.weights + self.biases  # (batch, n_neurons)
        self.output = sigmoid(self.z)                 # a = sigmoid(z)
        return self.output

    def backward(self, dLossWrtLayerOutput):
        # Chain rule through the activation: dL/dz = dL/da * da/dz.
        # Gap 1: da/dz, the derivative of the sigmoid, written with the cached output a = self.output.
        dActivation = todo("the derivative of the activation")
        dZ = dLossWrtLayerOutput * dActivation  # (batch, n_neurons)

        # Chain rule through z = inputs @ weights + biases.
        # Gap 2: dL/dweights, shape (n_inputs, n_neurons).
        self.dWeights = todo("dWeights")
        # Gap 3: dL/dbiases, shape (1, n_neurons).
        self.dBiases = todo("dBiases")
        # Gap 4: dL/dinputs, the gradient passed back to the layer before, shape (batch, n_inputs).
        self.dInputs = todo("dInputs, the gradient passed back")
        return self.dInputs


def dense_sigmoid(inputs, weights, biases, dLossWrtLayerOutput):
    """What the check calls: one forward and one backward pass of your layer."""
    layer = DenseLayer(weights, biases)
    output = layer.forward(inputs)
    dInputs = layer.backward(dLossWrtLayerOutput)
    return {"output": output, "dWeights": layer.dWeights, "dBiases": layer.dBiases, "dInputs": dInputs}
