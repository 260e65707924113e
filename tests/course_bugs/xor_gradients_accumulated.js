// SEEDED BUG (test data for `check`): the gradients are accumulated across the epoch's steps instead of being taken afresh for each row; it only shows from the second step on.
// Lesson 6: one epoch of XOR training.
//
// XOR is the smallest problem one layer cannot solve: its two classes are not separable by a line.
// A hidden layer of sigmoid neurons can. An epoch shows the network each of the four rows once and
// takes one gradient-descent step after each row (stochastic gradient descent), scoring the output
// with binary cross-entropy. The initial weights are arguments, so that every run starts alike.
import * as math from "mathjs";

const XOR_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_TARGETS = [[0], [1], [1], [0]];

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

export function xorEpoch(weights1, biases1, weights2, biases2, lr) {
  const losses = [];
  // BUG: gradients are added up across the steps and never reset.
  let sum = null;
  for (let row = 0; row < XOR_INPUTS.length; row++) {
    const x = [XOR_INPUTS[row]]; // a batch of one row, shape 1 × 2
    const y = [XOR_TARGETS[row]];

    // Forward.
    const hidden = math.map(math.add(math.multiply(x, weights1), biases1), (z) => sigmoid(z));
    const output = math.map(math.add(math.multiply(hidden, weights2), biases2), (z) => sigmoid(z));
    const clipped = math.map(output, (p) => Math.min(Math.max(p, 1e-7), 1 - 1e-7));
    const p = clipped[0][0];
    const t = y[0][0];
    losses.push(-(t * Math.log(p) + (1 - t) * Math.log(1 - p)));

    // Backward: binary cross-entropy, then each sigmoid's derivative, layer by layer.
    const dLossWrtLayerOutput = [[-(t / p - (1 - t) / (1 - p))]];
    const dZ2 = math.map(dLossWrtLayerOutput, (d, [i, j]) => d * output[i][j] * (1 - output[i][j]));
    const dWeights2 = math.multiply(math.transpose(hidden), dZ2);
    const dBiases2 = [math.sum(dZ2, 0)];
    const dHidden = math.multiply(dZ2, math.transpose(weights2));
    const dZ1 = math.map(dHidden, (d, [i, j]) => d * hidden[i][j] * (1 - hidden[i][j]));
    const dWeights1 = math.multiply(math.transpose(x), dZ1);
    const dBiases1 = [math.sum(dZ1, 0)];
    const fresh = [dWeights1, dBiases1, dWeights2, dBiases2];
    sum = sum === null ? fresh : sum.map((g, k) => math.add(g, fresh[k]));

    // Step against the gradient; the next row sees the updated weights.
    weights1 = math.subtract(weights1, math.multiply(lr, sum[0]));
    biases1 = math.subtract(biases1, math.multiply(lr, sum[1]));
    weights2 = math.subtract(weights2, math.multiply(lr, sum[2]));
    biases2 = math.subtract(biases2, math.multiply(lr, sum[3]));
  }
  return { weights1, biases1, weights2, biases2, losses };
}
