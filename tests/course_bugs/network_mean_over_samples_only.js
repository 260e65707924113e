// SEEDED BUG (test data for `check`): the loss's gradient forgets the mean over the outputs; it only shows with two or more outputs.
// Lesson 4: a two-layer network's forward and backward pass.
//
// inputs -> dense layer 1 -> sigmoid -> hidden -> dense layer 2 (linear) -> output, scored by mean
// squared error against targets. The backward pass walks the same road in reverse: every layer turns
// the gradient of its output (dLossWrtLayerOutput) into gradients for its weights and biases and the
// gradient of its inputs, which is the previous layer's dLossWrtLayerOutput.
import * as math from "mathjs";

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

export function twoLayerNetwork(inputs, weights1, biases1, weights2, biases2, targets) {
  const samples = targets.length;
  const outputs = targets[0].length;

  // Forward.
  const hidden = math.map(math.add(math.multiply(inputs, weights1), biases1), (z) => sigmoid(z));
  const output = math.add(math.multiply(hidden, weights2), biases2);
  const errors = math.subtract(output, targets);
  const loss = math.mean(errors.map((row) => math.mean(row.map((e) => e * e))));

  // Backward through the loss: a mean over the outputs and over the samples.
  const dLossWrtLayerOutput = math.map(errors, (e) => (2 * e) / samples); // BUG: the mean over the outputs is forgotten

  // Layer 2 is linear, so its dZ is dLossWrtLayerOutput itself.
  const dWeights2 = math.multiply(math.transpose(hidden), dLossWrtLayerOutput);
  const dBiases2 = [math.sum(dLossWrtLayerOutput, 0)];
  const dHidden = math.multiply(dLossWrtLayerOutput, math.transpose(weights2));

  // Layer 1: the hidden layer's output gradient goes through the sigmoid's derivative first.
  const dZ1 = hidden.map((row, i) => row.map((h, j) => dHidden[i][j] * h * (1 - h)));
  const dWeights1 = math.multiply(math.transpose(inputs), dZ1);
  const dBiases1 = [math.sum(dZ1, 0)];
  const dInputs = math.multiply(dZ1, math.transpose(weights1));

  return { hidden, output, loss, dLossWrtLayerOutput, dWeights2, dBiases2, dHidden, dWeights1, dBiases1, dInputs };
}
