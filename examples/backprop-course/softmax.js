// Lesson 3: softmax with cross-entropy, and the gradient of the pair with respect to the logits.
//
// Softmax turns each row of logits into probabilities; cross-entropy is minus the log of the
// probability given to the correct class. Taken together their gradient is remarkably simple:
// (probabilities - one-hot labels), divided by the number of samples because the loss is a mean.
import * as math from "mathjs";

export function softmax(logits) {
  // Math.exp overflows past about 709. Softmax does not change when the same number is subtracted from
  // a whole row, so subtracting the row's maximum keeps every exponent <= 0 and the result the same.
  return logits.map((row) => {
    const largest = math.max(row);
    const exponentials = row.map((value) => Math.exp(value - largest));
    const total = math.sum(exponentials);
    return exponentials.map((value) => value / total);
  });
}

export function softmaxCrossEntropy(logits, labels) {
  const samples = logits.length;
  const probabilities = softmax(logits);
  // labels are class indices: pick each row's probability of its correct class.
  const correctConfidences = labels.map((label, i) => Math.min(Math.max(probabilities[i][label], 1e-7), 1 - 1e-7));
  const loss = math.mean(correctConfidences.map((p) => -Math.log(p)));

  const dLogits = probabilities.map((row, i) => row.map((p, j) => (j === labels[i] ? p - 1 : p) / samples));
  return { probabilities, loss, dLogits };
}
