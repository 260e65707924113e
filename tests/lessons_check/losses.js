// The same two lessons in math.js, written as a course would: loops where the course loops, math.js elsewhere.
const math = require('mathjs');

function mse(predictions, targets) {
  const diff = math.subtract(predictions, targets);
  const n = predictions.length * predictions[0].length;
  let sum = 0;
  for (const row of diff) for (const d of row) sum += d * d;
  return { loss: sum / n, dPredictions: math.divide(math.multiply(2, diff), n) };
}

function softmaxCrossEntropy(logits, labels) {
  const probs = logits.map((row) => {
    const top = Math.max(...row);
    const exps = row.map((z) => Math.exp(z - top));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
  let loss = 0;
  labels.forEach((label, i) => { loss -= Math.log(probs[i][label]); });
  const dLogits = probs.map((row, i) => row.map((p, j) => (p - (j === labels[i] ? 1 : 0)) / labels.length));
  return { loss: loss / labels.length, dLogits: math.matrix(dLogits) };
}

function scale(x, factor) {
  return new Float64Array(x.map((v) => v * factor));
}

module.exports = { mse, softmaxCrossEntropy, scale };
