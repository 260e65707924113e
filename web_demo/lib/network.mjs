// The lesson's network in JavaScript: DenseLayers (./dense-layer.mjs, math.js) chained, trained by
// full-batch gradient descent — the JavaScript twin of python_core/network.py, losses.py and
// training.py. It holds no maths of its own beyond the losses: every product, activation and
// gradient is a DenseLayer's.
//
//   forward:   a_l = layer_l.forward(a_{l−1}),   prediction a_L
//   backward:  g_L = dLoss/da_L,   g_{l−1} = layer_l.backward(g_l)
//   update:    W_l ← W_l − η·dWeights_l,   b_l ← b_l − η·dBiases_l
//
// Initialisation from the same numbers: the weights Python drew (python_core.initializers, NumPy's
// generator) are handed in as `state`, so both runtimes start from the same bits. Without them the
// layers draw their own (standard normal × scale, Math.random), which no other runtime can repeat.
//
// trainJson / putDataJson speak exactly the JSON of python_core.training:train_json / put_data_json,
// so a host trains JavaScript and Python through one code path, in chunks (state out, state in).
import { DenseLayer, MATHJS_VERSION } from "./dense-layer.mjs";
import { decodeFlat, encodeFlat, runtimeVersions } from "./wire.mjs";

// -- sums as NumPy takes them ----------------------------------------------------------------------

/** NumPy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src, pairwise_sum), so that a mean
 * over a contiguous array adds in NumPy's order: below 8 terms one by one; up to 128 in eight
 * interleaved partial sums; above, the two halves (the first a multiple of 8) each summed so. */
export function pairwiseSum(a, start = 0, n = a.length - start) {
  if (n < 8) {
    let res = 0;  // NumPy starts from -0.0 and adds; 0 + x and -0 + x differ only for x = -0
    if (n > 0) {
      res = a[start];
      for (let i = 1; i < n; i++) res += a[start + i];
    }
    return res;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let k = 0; k < 8; k++) r[k] += a[start + i + k];
    }
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

const flatten = (m) => {
  const out = new Float64Array(m.length * m[0].length);
  let k = 0;
  for (const row of m) for (const v of row) out[k++] = v;
  return out;
};
const mapPair = (a, b, f) => a.map((row, i) => row.map((v, j) => f(v, b[i][j])));

// -- losses (python_core/losses.py, the same expressions in the same order) ---------------------------

function checkPair(output, target) {
  if (output.length !== target.length || output[0].length !== target[0].length) {
    throw new Error(`target: expected the output's shape (${output.length}, ${output[0].length}), `
      + `got (${target.length}, ${target[0].length})`);
  }
}

export const LOSSES = Object.freeze({
  /** L = (1/N) Σ (a − y)²;  dL/da = 2·(a − y) / N. */
  mse: Object.freeze({
    name: "mse",
    value(output, target) {
      checkPair(output, target);
      const sq = flatten(mapPair(output, target, (a, y) => { const d = a - y; return d * d; }));
      return pairwiseSum(sq) / sq.length;
    },
    derivative(output, target) {
      checkPair(output, target);
      const n = output.length * output[0].length;
      return mapPair(output, target, (a, y) => (2.0 * (a - y)) / n);
    },
  }),
  /** L = −(1/N) Σ [y·log p + (1 − y)·log(1 − p)], p = clip(a, ε, 1 − ε), ε = 1e-7; log(1 − p) as log1p(−p);
   *  dL/da = (p − y) / (p·(1 − p)) / N. */
  bce: Object.freeze({
    name: "bce",
    epsilon: 1e-7,
    clip(a) { return Math.min(Math.max(a, this.epsilon), 1.0 - this.epsilon); },
    value(output, target) {
      checkPair(output, target);
      const terms = flatten(mapPair(output, target, (a, y) => {
        const p = this.clip(a);
        return y * Math.log(p) + (1.0 - y) * Math.log1p(-p);
      }));
      return -(pairwiseSum(terms) / terms.length);
    },
    derivative(output, target) {
      checkPair(output, target);
      const n = output.length * output[0].length;
      return mapPair(output, target, (a, y) => { const p = this.clip(a); return (p - y) / (p * (1.0 - p)) / n; });
    },
  }),
});

export function getLoss(name) {
  const key = typeof name === "string" ? name.toLowerCase() : name;
  if (!Object.hasOwn(LOSSES, key)) throw new Error(`loss: expected one of ${Object.keys(LOSSES).join(", ")}, got ${JSON.stringify(name)}`);
  return LOSSES[key];
}

// -- the network -------------------------------------------------------------------------------------

export class Network {
  /** new Network([784, 196, 1], {activations: "sigmoid", loss: "bce", state: {weights, biases}, weightInitScale}) */
  constructor(layerSizes, { activations = "sigmoid", loss = "mse", state = null, weightInitScale = 0.01 } = {}) {
    if (!Array.isArray(layerSizes) || layerSizes.length < 2 || !layerSizes.every((n) => Number.isInteger(n) && n > 0)) {
      throw new Error(`layer_sizes: expected at least two positive integers, got ${JSON.stringify(layerSizes)}`);
    }
    const count = layerSizes.length - 1;
    const acts = typeof activations === "string" ? new Array(count).fill(activations) : activations;
    if (acts.length !== count) throw new Error(`activations: expected ${count} (one per layer), got ${acts.length}`);
    this.layerSizes = [...layerSizes];
    this.loss = getLoss(loss);
    this.layers = layerSizes.slice(0, -1).map((nIn, i) => {
      const nOut = layerSizes[i + 1];
      const given = state ? { weights: state.weights[i], biases: state.biases[i] } : {};
      const layer = new DenseLayer(nIn, nOut, acts[i], given);
      if (!state && weightInitScale !== 0.01) layer.weights = layer.weights.map((r) => r.map((w) => (w / 0.01) * weightInitScale));
      return layer;
    });
    if (state && (state.weights.length !== count || state.biases.length !== count)) {
      throw new Error(`state: expected ${count} weight and bias arrays, got ${state.weights.length} and ${state.biases.length}`);
    }
  }

  forward(inputs) {
    let output = inputs;
    for (const layer of this.layers) output = layer.forward(output);
    return output;
  }

  backward(dLossWrtNetworkOutput) {
    let gradient = dLossWrtNetworkOutput;
    for (let i = this.layers.length - 1; i >= 0; i--) gradient = this.layers[i].backward(gradient);
    return gradient;
  }

  /** W ← W − η·dW, b ← b − η·db, as python_core's DenseLayer.update writes it. */
  update(learningRate) {
    for (const layer of this.layers) {
      layer.weights = mapPair(layer.weights, layer.dWeights, (w, g) => w - learningRate * g);
      layer.biases = mapPair(layer.biases, layer.dBiases, (b, g) => b - learningRate * g);
    }
  }

  /** One full-batch step; the loss before the update. */
  trainStep(inputs, targets, learningRate) {
    const output = this.forward(inputs);
    const loss = this.loss.value(output, targets);
    this.backward(this.loss.derivative(output, targets));
    this.update(learningRate);
    return loss;
  }

  /** `epochs` steps; the loss of each (Float64Array). onEpoch(epoch, loss) after each. */
  fit(inputs, targets, epochs, learningRate, onEpoch = null) {
    if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs: expected a positive integer, got ${epochs}`);
    if (!(Number.isFinite(learningRate) && learningRate > 0)) throw new Error(`learning_rate: expected a finite positive number, got ${learningRate}`);
    const losses = new Float64Array(epochs);
    for (let e = 0; e < epochs; e++) {
      losses[e] = this.trainStep(inputs, targets, learningRate);
      if (onEpoch) onEpoch(e + 1, losses[e]);
    }
    return losses;
  }

  predict(inputs) { return this.forward(inputs); }

  getState() {
    return { weights: this.layers.map((l) => l.weights.map((r) => [...r])), biases: this.layers.map((l) => l.biases.map((r) => [...r])) };
  }
}

/** Share of rows whose thresholded outputs all equal the 0/1 targets (python_core.network.accuracy). */
export function accuracy(output, targets, threshold = 0.5) {
  let right = 0;
  output.forEach((row, i) => { if (row.every((v, j) => (v >= threshold) === (targets[i][j] >= 0.5))) right++; });
  return right / output.length;
}

// -- the entry points (python_core/training.py's JSON) ----------------------------------------------

const NETWORK_FIELDS = ["layer_sizes", "activations", "loss", "weight_init", "weight_init_scale", "seed"];
const DATA_ARRAYS = ["X", "y", "X_test", "y_test"];
let dataCache = {};  // one data set, by key, as in python_core.training

const rowsOf = ({ shape, data }) => {
  const [rows, cols] = shape.length === 2 ? shape : [shape[0], 1];
  return Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));
};
const wireOf = (nested) => encodeFlat(flatten(nested), [nested.length, nested[0].length]);
const encodeState = (s) => ({ weights: s.weights.map(wireOf), biases: s.biases.map(wireOf) });
const decodeState = (s) => ({ weights: s.weights.map((w) => rowsOf(decodeFlat(w))), biases: s.biases.map((b) => rowsOf(decodeFlat(b))) });

function dataFor(spec) {
  const key = spec && spec.key;
  if (typeof key !== "string" || !key) throw new Error("data: expected a non-empty string 'key' naming the data set");
  if ("X" in spec) {
    dataCache = { [key]: Object.fromEntries(DATA_ARRAYS.filter((n) => n in spec).map((n) => [n, rowsOf(decodeFlat(spec[n]))])) };
  }
  const held = dataCache[key];
  if (!held) throw new Error(`data: no arrays were sent under key ${JSON.stringify(key)} yet; send 'X' and 'y' with it first`);
  for (const [name, value] of Object.entries(held)) {
    if (value.blocks) held[name] = value.blocks.flat();
  }
  if (!held.X || !held.y) throw new Error(`data: the arrays under key ${JSON.stringify(key)} lack 'X' or 'y'`);
  return held;
}

/** {key, arrays: {X: wire, …}, append} → {ok, rows}: a block of rows of a data set (put_data_json). */
export function putDataJson(request) {
  const req = JSON.parse(request);
  const key = req.key;
  if (typeof key !== "string" || !key) throw new Error("data: expected a non-empty string 'key' naming the data set");
  const unknown = Object.keys(req.arrays || {}).filter((n) => !DATA_ARRAYS.includes(n));
  if (unknown.length) throw new Error(`data: unknown array(s) ${unknown.join(", ")}; known: ${DATA_ARRAYS.join(", ")}`);
  if (!req.append) dataCache = { [key]: {} };
  else if (!dataCache[key]) throw new Error(`data: cannot append to key ${JSON.stringify(key)}: its first block was not sent`);
  const held = dataCache[key];
  for (const [name, obj] of Object.entries(req.arrays)) {
    if (!held[name]) held[name] = { blocks: [] };
    else if (!held[name].blocks) held[name] = { blocks: [held[name]] };
    held[name].blocks.push(rowsOf(decodeFlat(obj)));
  }
  const rows = Object.fromEntries(Object.entries(held).map(([n, v]) => [n, v.blocks ? v.blocks.reduce((s, b) => s + b.length, 0) : v.length]));
  return JSON.stringify({ ok: true, rows });
}

/** The JavaScript side of python_core.training:train_json: the same request, the same response. A
 * request should carry `state` (the weights Python drew) for the runs to be comparable; with
 * `"initial": true` the state it started from is echoed as `initial_state`. */
export function train(req) {
  const config = req.network || {};
  const unknown = Object.keys(config).filter((k) => !NETWORK_FIELDS.includes(k));
  if (unknown.length) throw new Error(`network: unknown field(s) ${unknown.join(", ")}; known: ${NETWORK_FIELDS.join(", ")}`);
  const data = dataFor(req.data);
  const state = req.state ? decodeState(req.state) : null;
  const net = new Network(config.layer_sizes, { activations: config.activations ?? "sigmoid", loss: config.loss ?? "mse",
    state, weightInitScale: config.weight_init_scale ?? 0.01 });
  const response = { ok: true };
  if (!state || req.initial) response.initial_state = encodeState(net.getState());
  const started = performance.now();
  const losses = net.fit(data.X, data.y, req.epochs, req.learning_rate);
  response.seconds = (performance.now() - started) / 1000;
  response.losses = encodeFlat(losses, [losses.length]);
  response.state = encodeState(net.getState());
  if (req.outputs) {
    for (const [split, x, y] of [["train", data.X, data.y], ["test", data.X_test, data.y_test]]) {
      if (!x) continue;
      const output = net.predict(x);
      response[split] = { output: wireOf(output), accuracy: accuracy(output, y), loss: net.loss.value(output, y) };
    }
  }
  response.versions = { ...runtimeVersions(), mathjs: MATHJS_VERSION };
  return response;
}

export function trainJson(request) {
  return JSON.stringify(train(JSON.parse(request)));
}

/** The targets a JavaScript runtime's call_entry reaches for training (see js_node.mjs, js-worker.mjs). */
export const TRAINING_ENTRIES = Object.freeze({ "network:trainJson": trainJson, "network:putDataJson": putDataJson });
