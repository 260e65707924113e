// The exercise's starter code: the lesson's DenseLayer with backward() left open in four gaps.
// Each gap is a call to todo(...), which the checker provides; it raises until it is replaced.
// The class follows the lesson's contract (python_core/layer_contract.py): the check constructs
// DenseLayer(n_inputs, n_neurons, activation_name), sets weights and biases, and reads what backward()
// returns as dInputs.

import { ACTIVATIONS } from "../lib/facts.mjs";

export function starterCode(activation) {
  const { title, python_forward: formula } = ACTIVATIONS[activation];
  return `import numpy as np


def activation(z):
    """${title[0].toUpperCase() + title.slice(1)}, element-wise."""
    return ${formula}


class DenseLayer:
    def __init__(self, n_inputs, n_neurons, activation_name="${activation}"):
        # This layer computes one activation, the function above.
        if activation_name != "${activation}":
            raise ValueError(f"this DenseLayer computes ${activation}, not {activation_name}")
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)  # (n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))                      # (1, n_neurons)

    def forward(self, inputs):
        self.inputs = inputs                          # (batch, n_inputs)
        self.z = inputs @ self.weights + self.biases  # (batch, n_neurons)
        self.output = activation(self.z)              # a = f(z)
        return self.output

    def backward(self, dLossWrtLayerOutput):
        # Chain rule through the activation: dL/dz = dL/da * da/dz.
        # Gap 1: da/dz, the derivative of ${title},
        # written with the cached output a = self.output.
        dActivation = todo("the derivative of the activation")
        dZ = dLossWrtLayerOutput * dActivation  # (batch, n_neurons)

        # Chain rule through z = inputs @ weights + biases.
        # Gap 2: dL/dweights, shape (n_inputs, n_neurons).
        self.dWeights = todo("dWeights")
        # Gap 3: dL/dbiases, shape (1, n_neurons).
        self.dBiases = todo("dBiases")
        # Gap 4: dL/dinputs, the gradient passed back to the
        # layer before, shape (batch, n_inputs).
        self.dInputs = todo("dInputs, the gradient passed back")
        return self.dInputs
`;
}
