import numpy as np


class DenseLayer:
    def __init__(self, n_inputs, n_neurons, activation_name):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))
        self.activation_name = activation_name

    def activate(self, z):
        if self.activation_name == "sigmoid":
            return 1.0 / (1.0 + np.exp(-z))
        if self.activation_name == "relu":
            return np.maximum(z, 0.0)
        if self.activation_name == "tanh":
            return np.tanh(z)
        return z

    def derivative(self, a):
        if self.activation_name == "sigmoid":
            return a * (1 - a)
        if self.activation_name == "relu":
            return (a > 0).astype(float)
        if self.activation_name == "tanh":
            return 1 - a * a
        return np.ones_like(a)

    def forward(self, inputs):
        self.inputs = inputs
        self.output = self.activate(inputs @ self.weights + self.biases)
        return self.output

    def backward(self, dLossWrtLayerOutput):
        dZ = dLossWrtLayerOutput * self.derivative(self.output)
        self.dWeights = todo("dWeights")
        self.dBiases = todo("dBiases")
        return todo("dInputs, the gradient passed back")
