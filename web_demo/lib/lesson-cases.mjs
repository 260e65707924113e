// A course check's cases drawn in the page, from the check's declaration as the manifest gives it
// (crosscheck/lessons/exercises.py's check_declaration): the JavaScript side of crosscheck/lessons/cases.py's
// drawing, for an exercise's hidden cases. The draws are not Python's (NumPy's generator is not here):
// the lesson cases, which the grader uses too, come from the build; these are fresh ones each Check.
import { generator } from "./cases.mjs";
import { encodeFlat } from "./wire.mjs";

const resolve = (bound, dims) => (typeof bound === "string" ? dims[bound] : bound);

function flatten(value, shape = []) {
  if (!Array.isArray(value)) return { shape, flat: [value] };
  const parts = value.map((v) => flatten(v));
  return { shape: [value.length, ...(parts[0]?.shape ?? [])], flat: parts.flatMap((p) => p.flat) };
}

/** One input as a wire input ({shape, f64, int}): a fixed value, or drawn in its range at these dims. */
function drawInput(spec, dims, random) {
  if (spec.value !== undefined) {
    const { shape, flat } = flatten(spec.value);
    return { ...encodeFlat(flat, shape), int: spec.int };
  }
  const shape = spec.shape.map((e) => resolve(e, dims));
  const count = shape.reduce((a, b) => a * b, 1);
  const low = resolve(spec.low, dims), high = resolve(spec.high, dims);
  const flat = Array.from({ length: count }, () => (spec.int
    ? low + Math.floor(random() * (high - low))          // half-open [low, high), as Python's range
    : low + random() * (high - low)));
  return { ...encodeFlat(flat, shape), int: spec.int };
}

/** `count` cases of `check` ({dims: {name: [min, max]}, inputs: {name: spec}}), every dimension drawn,
 *  from `seed`: [{label, dims, inputs: {name: wire input}}]. */
export function drawCases(check, count, seed, labelPrefix = "hidden case") {
  const random = generator(seed);
  return Array.from({ length: count }, (_, k) => {
    const dims = Object.fromEntries(Object.entries(check.dims).map(([name, [min, max]]) =>
      [name, min + Math.floor(random() * (max - min + 1))]));
    const inputs = Object.fromEntries(Object.entries(check.inputs).map(([name, spec]) => [name, drawInput(spec, dims, random)]));
    return { label: `${labelPrefix} ${k + 1}` + describeDims(dims), dims, inputs };
  });
}

export function describeDims(dims) {
  const parts = Object.entries(dims).map(([k, v]) => `${k}=${v}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}
