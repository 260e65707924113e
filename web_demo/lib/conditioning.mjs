// How many bits the lesson's derivative loses when it is read from the output a = f(z) instead of z.
// f' written in a has condition number κ(a) = |a·g'(a) / g(a)| for g = f' as a function of a:
//   sigmoid  g(a) = a·(1 − a):  κ = |1 − 2a| / |1 − a|     (a → 1: 1 − a cancels)
//   tanh     g(a) = 1 − a²:     κ = 2a² / |1 − a²|         (a → ±1: 1 − a² cancels)
// so one rounding of a (half an ULP) becomes about κ/2 ULPs of f', i.e. log2(κ) bits lost
// (crosscheck/parity/explain.py uses the same measure). ReLU and linear lose nothing.
import { ACTIVATIONS, FLAG_BITS_LOST } from "./facts.mjs";

export { FLAG_BITS_LOST };

export function bitsLost(activation, a) {
  let kappa;
  if (activation === "sigmoid") kappa = Math.abs(1 - 2 * a) / Math.abs(1 - a);
  else if (activation === "tanh") kappa = (2 * a * a) / Math.abs(1 - a * a);
  else return 0;
  if (!Number.isFinite(kappa)) return 53; // 1 − a² = 0 where the truth is not: every bit lost
  return Math.min(53, Math.max(0, Math.log2(kappa)));
}

/** For a gradient cell, the most bits lost among the outputs its dZ entries come from:
 *  dWeights[i][j] and dBiases[0][j] sum column j of dZ, dInputs[i][·] row i. */
export function gradientBitsLost(activation, output, array, i, j) {
  const entries = array === "dInputs" ? output[i] : output.map((row) => row[j]);
  return Math.max(0, ...entries.map((a) => bitsLost(activation, a)));
}

/**
 * The one line a flagged cell carries, or null when it is not flagged: the cell is ≥ FLAG_BITS_LOST
 * bits from the exact value and the lesson's derivative at one of its units loses as many, so the
 * cause is the derivative (a cancelling sum alone is not flagged, a saturated unit whose loss a
 * larger term swamps neither).
 */
export function derivativeFlag(activation, cellBits, derivativeBits) {
  if (!(cellBits >= FLAG_BITS_LOST && derivativeBits >= FLAG_BITS_LOST)) return null;
  const facts = ACTIVATIONS[activation];
  return `⚠ ${Math.round(cellBits)} bits lost: the unit saturates, so ${facts.derivative_from_output} cancels; `
    + `well-conditioned: ${facts.well_conditioned_derivative}`;
}
