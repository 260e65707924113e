# A correct sigmoid DenseLayer, as a learner would write it: the exercise runner's and grade's tests submit it.
import numpy as np


class DenseLayer:
    def __init__(self, n_inputs, n_neurons, weights=None, biases=None):
        self.weights, self.biases = weights, biases

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
