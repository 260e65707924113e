// How many bits the lesson's derivative loses when it is read from the output a = f(z) instead of z.
// f' written in a has condition number κ(a) = |a·g'(a) / g(a)| for g = f' as a function of a:
//   sigmoid  g(a) = a·(1 − a):  κ = |1 − 2a| / |1 − a|     (a → 1: 1 − a cancels)
//   tanh     g(a) = 1 − a²:     κ = 2a² / |1 − a²|         (a → ±1: 1 − a² cancels)
// so one rounding of a (half an ULP) becomes about κ/2 ULPs of f', i.e. log2(κ) bits lost
// (crosscheck/parity/explain.py uses the same measure). ReLU and linear lose nothing.
export const MIN_BITS_FLAGGED = 10;

export function bitsLost(activation, a) {
  let kappa;
  if (activation === "sigmoid") kappa = Math.abs(1 - 2 * a) / Math.abs(1 - a);
  else if (activation === "tanh") kappa = (2 * a * a) / Math.abs(1 - a * a);
  else return 0;
  if (!Number.isFinite(kappa)) return 53; // 1 − a² = 0 where the truth is not: every bit lost
  return Math.min(53, Math.max(0, Math.log2(kappa)));
}

export const WHY = {
  sigmoid: "a·(1 − a) is taken from a rounded a close to 1, where 1 − a cancels",
  tanh: "1 − a² is taken from a rounded a close to ±1, where 1 − a² cancels",
};

export const WELL_CONDITIONED = {
  sigmoid: "σ′(z) = e^(−|z|) / (1 + e^(−|z|))², from z",
  tanh: "tanh′(z) = 4·e^(−2|z|) / (1 + e^(−2|z|))², from z",
};

/** For a gradient cell, the most bits lost among the outputs its dZ entries come from:
 *  dWeights[i][j] and dBiases[0][j] sum column j of dZ, dInputs[i][·] row i. */
export function gradientBitsLost(activation, output, array, i, j) {
  const entries = array === "dInputs" ? output[i] : output.map((row) => row[j]);
  return Math.max(0, ...entries.map((a) => bitsLost(activation, a)));
}
