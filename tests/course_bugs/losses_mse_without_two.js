// SEEDED BUG (test data for `check`): meanSquaredError's dPredictions lacks the factor 2 of the square's derivative.
// Lesson 2: two losses and their gradients, mean squared error and binary cross-entropy.
//
// A loss turns the network's predictions into one number to make smaller. Both losses here are means:
// first over a sample's outputs, then over the samples. Their gradients, dPredictions, carry the same
// two divisions, so that the size of a step does not grow with the batch or the number of outputs.
import * as math from "mathjs";

export function meanSquaredError(predictions, targets) {
  const samples = predictions.length;
  const outputs = predictions[0].length;
  const errors = math.subtract(targets, predictions);
  const sampleLosses = errors.map((row) => math.mean(row.map((e) => e * e)));
  const loss = math.mean(sampleLosses);
  // d/dp of (t - p)² is -2 (t - p); the two means divide it by the outputs and by the samples.
  const dPredictions = math.map(errors, (e) => -e / outputs / samples); // BUG: the 2 of the square's derivative is lost
  return { loss, dPredictions };
}

export function binaryCrossEntropy(predictions, targets) {
  const samples = predictions.length;
  const outputs = predictions[0].length;
  // log(0) is -Infinity: predictions are kept a hair away from 0 and 1, in the loss and in its gradient.
  const clipped = math.map(predictions, (p) => Math.min(Math.max(p, 1e-7), 1 - 1e-7));
  const sampleLosses = clipped.map((row, i) =>
    math.mean(row.map((p, j) => -(targets[i][j] * Math.log(p) + (1 - targets[i][j]) * Math.log(1 - p)))),
  );
  const loss = math.mean(sampleLosses);
  const dPredictions = clipped.map((row, i) =>
    row.map((p, j) => -(targets[i][j] / p - (1 - targets[i][j]) / (1 - p)) / outputs / samples),
  );
  return { loss, dPredictions };
}
