const math = require('mathjs');

const activations = {
  sigmoid: { fn: (x) => 1 / (1 + Math.exp(-x)), d: (a) => a * (1 - a) },
  relu: { fn: (x) => Math.max(0, x), d: (a) => (a > 0 ? 1 : 0) },
  tanh: { fn: (x) => Math.tanh(x), d: (a) => 1 - a * a },
  linear: { fn: (x) => x, d: () => 1 },
};

class DenseLayer {
  constructor(nInputs, nNeurons, activationName) {
    this.weights = math.multiply(0.01, math.random([nInputs, nNeurons]));
    this.biases = math.zeros(1, nNeurons);
    this.activation = activations[activationName];
  }

  forward(inputs) {
    this.inputs = inputs;
    const z = math.multiply(inputs, this.weights).map((row) => row.map((v, j) => v + this.biases[0][j]));
    this.output = z.map((row) => row.map(this.activation.fn));
    return this.output;
  }

  backward(dLossWrtLayerOutput) {
    const dZ = math.dotMultply(dLossWrtLayerOutput, this.output.map((row) => row.map(this.activation.d)));
    this.dWeights = math.multiply(math.transpose(this.inputs), dZ);
    this.dBiases = math.sum(dZ, 0);
    return math.multiply(dZ, math.transpose(this.weights));
  }
}

module.exports = { DenseLayer };
