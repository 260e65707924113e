// A course author's own JavaScript layer, bundled by the host (crosscheck/author/lesson.py) into one
// ES module, run on the harness's cases in Node and in the browser's worker alike.
// Argument {module: URL of the bundle, cases: [wire spec]} → the wire response of runBatch.
// The module is an ES module with named exports, or CommonJS (its module.exports is the bundle's
// default export). By convention it offers a class DenseLayer(nInputs, nNeurons, activationName) whose
// weights and biases the harness sets, forward(inputs) and backward(dLossWrtLayerOutput), which returns
// the gradient for the inputs and sets dWeights and dBiases; or runCase(spec) (sync or async), which
// is preferred when present.
import { errorRecord } from "./error-record.mjs";
import { decodeSpec, encodeArray, runtimeVersions } from "./wire.mjs";
import { RESULT_ARRAYS } from "./facts.mjs";

const modules = new Map();

/** The author's module at ``url``, imported once (an import that failed is tried again on the next call). */
export async function importOnce(url) {
  if (!modules.has(url)) modules.set(url, import(url));
  try {
    return await modules.get(url);
  } catch (err) {
    modules.delete(url);
    throw err;
  }
}

function exported(mod, name) {
  if (mod && Object.hasOwn(mod, name)) return mod[name];
  const cjs = mod && mod.default;
  if (cjs && (typeof cjs === "object" || typeof cjs === "function") && name in cjs) return cjs[name];
  if (name === "DenseLayer" && typeof cjs === "function") return cjs; // module.exports = DenseLayer
  return undefined;
}

// math.js matrices and typed arrays → plain nested arrays, as the wire encodes them.
function plain(name, value) {
  if (value === null || value === undefined) throw new TypeError(`${name}: the author's layer gave ${value}`);
  if (typeof value.toArray === "function") value = value.toArray();
  if (ArrayBuffer.isView(value)) return Array.from(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === "number" ? v : plain(name, v)));
  if (typeof value === "number") return [value];
  throw new TypeError(`${name}: expected an array of numbers, got ${typeof value}`);
}

async function runOne(mod, spec) {
  const runCase = exported(mod, "runCase");
  let out;
  if (typeof runCase === "function") {
    out = await runCase(spec);
    if (!out || typeof out !== "object") throw new TypeError(`runCase returned ${out}, expected {${RESULT_ARRAYS.join(", ")}}`);
  } else {
    const DenseLayer = exported(mod, "DenseLayer");
    if (typeof DenseLayer !== "function") throw new Error("the file exports neither a DenseLayer class nor a runCase(spec) function");
    const layer = new DenseLayer(spec.weights.length, spec.weights[0].length, spec.activation);
    layer.weights = spec.weights;
    layer.biases = spec.biases;
    const output = await layer.forward(spec.inputs);
    let dInputs = await layer.backward(spec.upstream);
    if (dInputs === undefined) dInputs = layer.dInputs;
    out = { output, dWeights: layer.dWeights, dBiases: layer.dBiases, dInputs };
  }
  return Object.fromEntries(RESULT_ARRAYS.map((k) => [k, encodeArray(plain(k, out[k]))]));
}

export async function runAuthorBatch(argument) {
  const { module: url, cases } = JSON.parse(argument);
  let mod;
  try {
    mod = await importOnce(url);
  } catch (err) {
    return JSON.stringify({ ok: false, error: errorRecord(err) });
  }
  const results = [];
  for (const wireCase of cases) {
    try {
      results.push({ ok: true, arrays: await runOne(mod, decodeSpec(wireCase)) });
    } catch (err) { // reported per case, with the author's stack
      results.push({ ok: false, error: errorRecord(err) });
    }
  }
  return JSON.stringify({ results, versions: runtimeVersions() });
}
