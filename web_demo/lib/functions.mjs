// Any function of a course author's JavaScript file (bundled by the host, crosscheck/author/lesson.py),
// run on a batch of cases in Node and in the browser's worker alike: the JavaScript side of
// python_core/functions.py.
// Argument {module: URL of the bundle, function, args: [input names], cases: [{name: wire input}]} →
// {results: [{ok: true, outputs: {name: wire array}} | {ok: false, error}], versions}.
// Inputs arrive as nested arrays of numbers (shape [] as a number), positionally in the order of args.
// The function (sync or async) returns a plain object of named results or one result (named "result");
// a result may be a number, nested arrays, a math.js matrix or a typed array.
import { importOnce } from "./author.mjs";
import { errorRecord } from "./error-record.mjs";
import { decodeFlat, encodeFlat, runtimeVersions } from "./wire.mjs";

const SINGLE_RESULT = "result";

function exported(mod, name) {
  if (mod && Object.hasOwn(mod, name)) return mod[name];
  const cjs = mod && mod.default;  // CommonJS: module.exports is the bundle's default export
  if (cjs && typeof cjs === "object" && name in cjs) return cjs[name];
  if (typeof cjs === "function") return cjs.name === name ? cjs : cjs[name];  // module.exports = function name
  return undefined;
}

function exportNames(mod) {
  const names = Object.keys(mod || {}).filter((k) => k !== "default");
  const cjs = mod && mod.default;
  if (cjs && (typeof cjs === "object" || typeof cjs === "function")) names.push(...Object.keys(cjs));
  return names;
}

function nested(data, shape, offset = 0) {
  if (shape.length === 0) return data[offset];
  const [n, ...rest] = shape;
  const step = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => nested(data, rest, offset + i * step));
}

function decodeInput(obj) {
  const { shape, data } = decodeFlat(obj);
  return nested(data, shape);
}

// A result → {shape, flat}: numbers, nested arrays (rectangular), typed arrays, math.js matrices
// (toArray) and BigNumbers (toNumber).
function flatten(name, value) {
  if (typeof value === "number") return { shape: [], flat: [value] };
  if (typeof value === "boolean") return { shape: [], flat: [Number(value)] };
  if (value === null || value === undefined) throw new TypeError(`result ${JSON.stringify(name)} is ${value}`);
  if (typeof value.toArray === "function") return flatten(name, value.toArray());
  if (typeof value.toNumber === "function") return flatten(name, value.toNumber());
  if (ArrayBuffer.isView(value)) return { shape: [value.length], flat: Array.from(value, Number) };
  if (Array.isArray(value)) {
    const parts = value.map((v) => flatten(name, v));
    const inner = parts.length ? parts[0].shape : [];
    for (const part of parts) {
      if (part.shape.length !== inner.length || part.shape.some((n, i) => n !== inner[i])) {
        throw new TypeError(`result ${JSON.stringify(name)} is a ragged array (rows of shapes [${inner}] and [${part.shape}])`);
      }
    }
    return { shape: [value.length, ...inner], flat: parts.flatMap((p) => p.flat) };
  }
  throw new TypeError(`result ${JSON.stringify(name)} is not a number or an array of numbers (${typeof value})`);
}

function isPlainObject(value) {
  if (!value || typeof value !== "object" || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function namedResults(out) {
  const entries = isPlainObject(out) && typeof out.toArray !== "function" ? Object.entries(out) : [[SINGLE_RESULT, out]];
  if (!entries.length) throw new TypeError("the function returned an empty object");
  return Object.fromEntries(entries.map(([k, v]) => {
    const { shape, flat } = flatten(k, v);
    return [k, encodeFlat(flat, shape)];
  }));
}

export async function runFunctionBatch(argument) {
  const { module: url, function: name, args, cases } = JSON.parse(argument);
  let mod;
  try {
    mod = await importOnce(url);
  } catch (err) {
    return JSON.stringify({ ok: false, error: errorRecord(err) });
  }
  const fn = exported(mod, name);
  if (typeof fn !== "function") {
    const known = exportNames(mod);
    const message = `the file exports no function ${JSON.stringify(name)}` +
      (known.length ? ` (its exports: ${known.join(", ")})` : " (it exports nothing)");
    return JSON.stringify({ ok: false, error: { type: "LookupError", message, traceback: "", not_found: true } });
  }
  const results = [];
  for (const wireCase of cases) {
    try {
      const inputs = args.map((arg) => decodeInput(wireCase[arg]));
      results.push({ ok: true, outputs: namedResults(await fn(...inputs)) });
    } catch (err) { // reported per case, with the author's stack
      results.push({ ok: false, error: errorRecord(err) });
    }
  }
  return JSON.stringify({ results, versions: runtimeVersions() });
}
