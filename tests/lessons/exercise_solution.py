# A correct sigmoid DenseLayer, as a learner would write it: the exercise runner's and grade's tests submit it.
import numpy as np


class DenseLayer:
    def __init__(self, n_inputs, n_neurons, activation_name="sigmoid"):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)  # the check sets its own
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = 1.0 / (1.0 + np.exp(-(inputs @ self.weights + self.biases)))
        return self.output

    def backward(self, dLossWrtLayerOutput):
        dZ = dLossWrtLayerOutput * self.output * (1.0 - self.output)
        self.dWeights = self.inputs.T @ dZ
        self.dBiases = dZ.sum(axis=0, keepdims=True)
        self.dInputs = dZ @ self.weights.T
        return self.dInputs
