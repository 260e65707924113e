// The cases the pages work on: the lesson's example, cases given in the URL, and the
// exercise's hidden random cases.

// The lesson's example, the activations and the matrix fields are shared facts (python_core/facts.json).
import {
  ACTIVATION_NAMES, EXERCISE_HIDDEN_SHAPES as HIDDEN_SHAPES, LESSON_EXAMPLE as EXAMPLE, MATRIX_FIELDS,
  SATURATED_EXAMPLE as SATURATED,
} from "./facts.mjs";

const { name: _name, ...example } = EXAMPLE;
export const LESSON_EXAMPLE = Object.freeze(example);
const { name: _saturatedName, ...saturated } = SATURATED;
export const SATURATED_EXAMPLE = Object.freeze(saturated);
export { ACTIVATION_NAMES, MATRIX_FIELDS };

export const cloneCase = (spec) => JSON.parse(JSON.stringify(spec));

/** Describes a case's shapes for the learner: "batch of 4, 3 inputs → 2 neurons". */
export function describeShape(spec) {
  const batch = spec.inputs.length;
  return `batch of ${batch}, ${spec.weights.length} input${spec.weights.length === 1 ? "" : "s"} → ` +
    `${spec.weights[0].length} neuron${spec.weights[0].length === 1 ? "" : "s"}`;
}

// mulberry32: a tiny seeded generator, so a failing hidden case can be reproduced from its seed.
export function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// HIDDEN_SHAPES, (batch, inputs, neurons): batches above 1 tell a sum from a mean, and non-square
// weights make a missing transpose fail loudly; the square one catches a transpose that happens to fit.

/** The exercise's hidden cases for an activation, drawn from a seed. */
export function hiddenCases(activation, seed) {
  const random = generator(seed);
  const uniform = (lo, hi) => lo + (hi - lo) * random();
  const grid = (rows, cols, lo, hi) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => uniform(lo, hi)));
  return HIDDEN_SHAPES.map(([batch, nIn, nOut]) => ({
    activation,
    weights: grid(nIn, nOut, -1, 1),
    biases: grid(1, nOut, -0.5, 0.5),
    inputs: grid(batch, nIn, -2, 2),
    upstream: grid(batch, nOut, -1, 1),
  }));
}
