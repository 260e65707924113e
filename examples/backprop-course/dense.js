// Lesson 1: a dense layer, forward and backward, followed by its activation.
//
// The layer computes output = activation(inputs · weights + biases). Going backward it receives
// dLossWrtLayerOutput (how the loss changes with each of its outputs) and hands back the three
// gradients that training needs: dWeights and dBiases to update the layer, dInputs to pass on to the
// layer before it.
import * as math from "mathjs";

// Each derivative is written in terms of the activation's output, not its input: the forward pass
// already has the output at hand, so the backward pass needs nothing else.
const activations = {
  sigmoid: { fn: (z) => 1 / (1 + Math.exp(-z)), derivative: (output) => output * (1 - output) },
  tanh: { fn: (z) => Math.tanh(z), derivative: (output) => 1 - output * output },
  relu: { fn: (z) => Math.max(0, z), derivative: (output) => (output > 0 ? 1 : 0) },
  linear: { fn: (z) => z, derivative: () => 1 },
};

export function denseLayer(inputs, weights, biases, dLossWrtLayerOutput, activation) {
  const { fn, derivative } = activations[activation];

  // Forward: every row of inputs is one sample; biases (1 × neurons) is added to every row.
  const z = math.add(math.multiply(inputs, weights), biases);
  const output = math.map(z, (value) => fn(value));

  // Backward: the chain rule through the activation first...
  const dZ = math.dotMultiply(dLossWrtLayerOutput, math.map(output, (value) => derivative(value)));
  // ...then through the weighted sum. Each weight touched every sample, so its gradient sums the
  // samples' contributions, which is what the matrix product inputsᵀ · dZ does.
  const dWeights = math.multiply(math.transpose(inputs), dZ);
  // A bias is added to every sample's sum, so its gradient is dZ summed over the batch (kept as one
  // row, the shape of biases).
  const dBiases = [math.sum(dZ, 0)];
  // Each input fed every neuron through its weight: the way back goes through weightsᵀ.
  const dInputs = math.multiply(dZ, math.transpose(weights));

  return { output, dWeights, dBiases, dInputs };
}

// One entry per activation, so that each is checked on its own.
export const denseSigmoid = (inputs, weights, biases, dLossWrtLayerOutput) =>
  denseLayer(inputs, weights, biases, dLossWrtLayerOutput, "sigmoid");
export const denseTanh = (inputs, weights, biases, dLossWrtLayerOutput) =>
  denseLayer(inputs, weights, biases, dLossWrtLayerOutput, "tanh");
export const denseRelu = (inputs, weights, biases, dLossWrtLayerOutput) =>
  denseLayer(inputs, weights, biases, dLossWrtLayerOutput, "relu");
export const denseLinear = (inputs, weights, biases, dLossWrtLayerOutput) =>
  denseLayer(inputs, weights, biases, dLossWrtLayerOutput, "linear");
