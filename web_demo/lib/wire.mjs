// The JavaScript side of python_core/wire.py: arrays travel as the base64 of their little-endian
// float64 bytes, so every bit arrives (-0.0, subnormals and the last ULP included) with no trip
// through decimal text. runBatch speaks exactly the JSON that python_core.wire.run_batch speaks,
// so the host drives the JavaScript reference and Python through one code path.
import { runCase, MATHJS_VERSION } from "./dense-layer.mjs";
import { errorRecord } from "./error-record.mjs";
import { MATRIX_FIELDS as ARRAY_FIELDS, RESULT_ARRAYS } from "./facts.mjs";

const CHUNK = 0x8000; // String.fromCharCode takes its bytes as arguments; keep under engine limits

function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Float64Array (or plain numbers) + shape → {shape, f64}. DataView fixes the byte order. */
export function encodeFlat(values, shape) {
  const view = new DataView(new ArrayBuffer(8 * values.length));
  for (let i = 0; i < values.length; i++) view.setFloat64(8 * i, values[i], true);
  return { shape: [...shape], f64: bytesToBase64(new Uint8Array(view.buffer)) };
}

/** {shape, f64} → {shape, data: Float64Array}. */
export function decodeFlat(obj) {
  const bytes = base64ToBytes(obj.f64);
  const shape = obj.shape.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== 8 * count) {
    throw new Error(`wire: ${bytes.length} bytes cannot hold a float64 array of shape (${shape.join(", ")})`);
  }
  const view = new DataView(bytes.buffer);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i, true);
  return { shape, data };
}

/** A 2-D nested array (rows of numbers) → wire array; a flat array or Float64Array → a 1-D one. */
export function encodeArray(nested) {
  if (ArrayBuffer.isView(nested) || (nested.length > 0 && typeof nested[0] === "number")) {
    return encodeFlat(nested, [nested.length]);
  }
  const rows = nested.length;
  const cols = rows ? nested[0].length : 0;
  const flat = new Float64Array(rows * cols);
  nested.forEach((row, i) => flat.set(row, i * cols));
  return encodeFlat(flat, [rows, cols]);
}

/** Wire array → nested arrays (1-D → a plain array, 2-D → rows). */
export function decodeArray(obj) {
  const { shape, data } = decodeFlat(obj);
  if (shape.length === 1) return Array.from(data);
  if (shape.length !== 2) throw new Error(`wire: expected a 1-D or 2-D array, got shape (${shape.join(", ")})`);
  const [rows, cols] = shape;
  return Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));
}

export function encodeSpec(spec) {
  return Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, ARRAY_FIELDS.includes(k) ? encodeArray(v) : v]));
}

export function decodeSpec(obj) {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) =>
    [k, ARRAY_FIELDS.includes(k) && v && typeof v === "object" && !Array.isArray(v) ? decodeArray(v) : v]));
}

export function runtimeVersions() {
  const versions = { mathjs: MATHJS_VERSION };
  if (typeof process !== "undefined" && process.versions && process.versions.node) {
    versions.node = process.versions.node;
    versions.v8 = process.versions.v8;
  } else if (typeof navigator !== "undefined") {
    versions.userAgent = navigator.userAgent;
  }
  return versions;
}

/** {"cases": [wire spec, …]} → {"results": [{ok, arrays} | {ok: false, error}], "versions"} (JSON text). */
export function runBatch(request) {
  const { cases } = JSON.parse(request);
  const results = cases.map((wireCase) => {
    try {
      const arrays = runCase(decodeSpec(wireCase));
      return { ok: true, arrays: Object.fromEntries(RESULT_ARRAYS.map((k) => [k, encodeArray(arrays[k])])) };
    } catch (err) { // reported per case; one bad case must not hide the others
      return { ok: false, error: errorRecord(err) };
    }
  });
  return JSON.stringify({ results, versions: runtimeVersions() });
}

/** {"x": wire array} → {"Math.exp": wire array, "Math.tanh": wire array} (JSON text): this engine's
 *  exp and tanh on every argument, for `python -m crosscheck probe-libm`. */
export function probeLibm(request) {
  const { data, shape } = decodeFlat(JSON.parse(request).x);
  const exp = new Float64Array(data.length);
  const tanh = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    exp[i] = Math.exp(data[i]);
    tanh[i] = Math.tanh(data[i]);
  }
  return JSON.stringify({ "Math.exp": encodeFlat(exp, shape), "Math.tanh": encodeFlat(tanh, shape),
                          versions: runtimeVersions() });
}

