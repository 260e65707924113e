// The lesson's dense layer in JavaScript: the reference a lesson page shows beside the Python.
// One ES module for Chromium and Node alike; math.js (bundled into ./vendor/) does the matrix work,
// as it does in the lesson.
//
// Shapes, for a batch of b rows:
//   inputs (b × in) · weights (in × out) + biases (1 × out) = z (b × out);   output = f(z)
// backward(dLossWrtLayerOutput) applies the chain rule:
//   dZ       = dLossWrtLayerOutput ⊙ f'(z)     f' read from the cached output a = f(z), as in python_core
//   dWeights = inputsᵀ · dZ                    dL/dW, summed over the batch
//   dBiases  = Σ_batch dZ                      dL/db, 1 × out
//   dInputs  = dZ · weightsᵀ                   dL/d(inputs), handed to the layer before
import { create, all } from "../vendor/mathjs.mjs";

const math = create(all, { number: "number" });
export const MATHJS_VERSION = math.version;

// Each activation carries its derivative written in terms of its own output a = f(z).
export const ACTIVATIONS = Object.freeze({
  sigmoid: Object.freeze({
    fn: (x) => 1 / (1 + Math.exp(-x)),          // the lesson's formula, literally (same as python_core)
    derivative: (a) => a * (1 - a),             // σ' = σ(1 − σ)
  }),
  relu: Object.freeze({
    fn: (x) => Math.max(0, x),
    derivative: (a) => (a > 0 ? 1 : 0),         // subgradient 0 at the kink, as the lesson takes it
  }),
  tanh: Object.freeze({
    fn: (x) => Math.tanh(x),
    derivative: (a) => 1 - a * a,               // tanh' = 1 − tanh²
  }),
  linear: Object.freeze({
    fn: (x) => x,
    derivative: () => 1,
  }),
});

function activationByName(activation) {
  if (typeof activation !== "string") {
    throw new TypeError(`activation: expected one of ${Object.keys(ACTIVATIONS).join(", ")}, got ${describe(activation)}`);
  }
  const name = activation.toLowerCase();
  if (!Object.hasOwn(ACTIVATIONS, name)) {
    throw new Error(`activation: expected one of ${Object.keys(ACTIVATIONS).join(", ")}, got ${JSON.stringify(activation)}`);
  }
  return name;
}

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}

function positiveInt(name, value) {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`${name}: expected a positive integer, got ${describe(value)}`);
  }
  return value;
}

const shapeText = (rows, cols) => `(${rows ?? "n"}, ${cols ?? "m"})`;

// A fresh rows × cols array of finite numbers; a flat vector counts as one row when allowVector.
// Copies, so that a caller editing their own array later cannot change the layer's cached state.
function matrix(name, value, { rows = null, cols = null, allowVector = true } = {}) {
  if (ArrayBuffer.isView(value)) value = Array.from(value);
  if (!Array.isArray(value)) {
    throw new TypeError(`${name}: expected a 2-D array of shape ${shapeText(rows, cols)}, got ${describe(value)}`);
  }
  let grid = value;
  if (value.length > 0 && !value.some((row) => Array.isArray(row) || ArrayBuffer.isView(row))) {
    if (!allowVector) throw new Error(`${name}: expected a 2-D array of shape ${shapeText(rows, cols)}, got a flat vector of length ${value.length}`);
    grid = [value];
  }
  if (grid.length === 0) throw new Error(`${name}: expected at least one row, got an empty array`);
  const width = grid[0] && grid[0].length;
  const out = grid.map((row, i) => {
    if (!Array.isArray(row) && !ArrayBuffer.isView(row)) {
      throw new TypeError(`${name}: row ${i} is ${describe(row)}, expected an array of numbers`);
    }
    if (row.length !== width) {
      throw new Error(`${name}: ragged array: row 0 has ${width} entries, row ${i} has ${row.length}`);
    }
    return Array.from(row, (v, j) => {
      if (typeof v !== "number") throw new TypeError(`${name}: expected numbers, got ${describe(v)} at [${i}][${j}]`);
      if (!Number.isFinite(v)) throw new Error(`${name}: expected finite numbers, got ${v} at [${i}][${j}]`);
      return v;
    });
  });
  if (width === 0) throw new Error(`${name}: expected at least one column, got shape (${out.length}, 0)`);
  if ((rows !== null && out.length !== rows) || (cols !== null && width !== cols)) {
    throw new Error(`${name}: expected shape ${shapeText(rows, cols)}, got (${out.length}, ${width})`);
  }
  return out;
}

const mapMatrix = (m, f) => m.map((row) => row.map((v) => f(v)));

export class DenseLayer {
  constructor(nInputs, nNeurons, activation = "sigmoid", { weights, biases } = {}) {
    this.nInputs = positiveInt("nInputs", nInputs);
    this.nNeurons = positiveInt("nNeurons", nNeurons);
    this.activation = activationByName(activation);
    this.activationFn = ACTIVATIONS[this.activation].fn;
    this.activationDerivativeFn = ACTIVATIONS[this.activation].derivative;
    // The lesson's default initialisation: standard normal × 0.01 (Box–Muller), biases zero.
    this.weights = weights === undefined
      ? Array.from({ length: nInputs }, () => Array.from({ length: nNeurons }, () => 0.01 * gaussian()))
      : matrix("weights", weights, { rows: nInputs, cols: nNeurons, allowVector: false });
    this.biases = biases === undefined
      ? [new Array(nNeurons).fill(0)]
      : matrix("biases", biases, { rows: 1, cols: nNeurons });
    this.inputs = null;
    this.z = null;
    this.output = null;
    this.dWeights = null;
    this.dBiases = null;
    this.dInputs = null;
  }

  /** output = f(inputs · weights + biases); caches inputs, z and output. */
  forward(inputs) {
    inputs = matrix("inputs", inputs, { cols: this.nInputs });
    const product = math.multiply(inputs, this.weights);
    // The 1 × out bias row is added to every row of the batch (broadcast).
    const z = product.map((row) => row.map((v, j) => v + this.biases[0][j]));
    this.inputs = inputs;
    this.z = z;
    this.output = mapMatrix(z, this.activationFn);
    // Gradients from an earlier batch no longer belong to the cached inputs.
    this.dWeights = this.dBiases = this.dInputs = null;
    return this.output;
  }

  /** Chain rule through f and the affine map; sets dWeights, dBiases, dInputs; returns dInputs. */
  backward(dLossWrtLayerOutput) {
    if (this.output === null) {
      throw new Error("backward() called before forward(): there is no cached output to differentiate");
    }
    const upstream = matrix("dLossWrtLayerOutput", dLossWrtLayerOutput,
      { rows: this.output.length, cols: this.nNeurons });
    // dL/dz = dL/da · da/dz, with da/dz written in terms of a = output.
    const dZ = math.dotMultiply(upstream, mapMatrix(this.output, this.activationDerivativeFn));
    this.dZ = dZ;
    this.dWeights = math.multiply(math.transpose(this.inputs), dZ);
    this.dBiases = [math.sum(dZ, 0)];   // Σ over the batch (rows), kept 1 × out
    this.dInputs = math.multiply(dZ, math.transpose(this.weights));
    return this.dInputs;
  }
}

function gaussian() {
  const u = 1 - Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

const SPEC_FIELDS = ["activation", "weights", "biases", "inputs", "upstream"];

/** One parity case: spec {activation, weights, biases, inputs, upstream} → {output, dWeights, dBiases, dInputs}. */
export function runCase(spec) {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new TypeError(`case: expected an object with fields ${SPEC_FIELDS.join(", ")}, got ${describe(spec)}`);
  }
  const missing = SPEC_FIELDS.filter((f) => !(f in spec));
  if (missing.length) throw new Error(`case: missing field(s) ${missing.join(", ")}; a case needs ${SPEC_FIELDS.join(", ")}`);
  const weights = matrix("weights", spec.weights, { allowVector: false });
  const layer = new DenseLayer(weights.length, weights[0].length, spec.activation, { weights, biases: spec.biases });
  const output = layer.forward(spec.inputs);
  // Checked here too so that a bad case names its own field, not the method's argument.
  layer.backward(matrix("upstream", spec.upstream, { rows: output.length, cols: layer.nNeurons }));
  return { output, dWeights: layer.dWeights, dBiases: layer.dBiases, dInputs: layer.dInputs };
}
