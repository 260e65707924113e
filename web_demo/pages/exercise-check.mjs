// Judging the learner's arrays against the JavaScript reference, and saying what is wrong.
//
// The expected arrays are computed on the page's thread by dense-layer.mjs before the learner's
// code runs, and compared here, outside Python: nothing the learner's code does in the worker
// can reach them. NumPy and JavaScript may round a last bit differently (and so may a correct
// but differently written formula), so values match within the exercise's tolerance (facts.json).
import { decodeFlat } from "../lib/wire.mjs";
import { exactText } from "../lib/ulp.mjs";
import { EXERCISE_TOLERANCE, RESULT_ARRAYS as ARRAYS } from "../lib/facts.mjs";

export const { rtol: RTOL, atol: ATOL } = EXERCISE_TOLERANCE;
const close = (given, expected) => Math.abs(given - expected) <= ATOL + RTOL * Math.abs(expected);
const shapeText = (shape) => `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
const CASE_INPUTS = [["inputs", "inputs"], ["weights", "weights"], ["biases", "biases"], ["upstream", "dLossWrtLayerOutput"]];
const GAP_OF = { dWeights: 2, dBiases: 3, dInputs: 4 };

/** A mismatched element's expected and given values, their difference and (where it is a number) their ratio. */
export function mismatchValues(expected, given) {
  return [["expected", exactText(expected)], ["given", exactText(given)],
    ["difference", `${exactText(given - expected)} (given − expected)`],
    ...(expected !== 0 && Number.isFinite(given / expected)
      ? [["ratio", `${Number((given / expected).toPrecision(6))} (given ÷ expected)`]] : [])];
}

/** The hint for an IndentationError or TabError; `body` says where the learner's block sits. */
export function indentationHint(body) {
  return `Python reads the indentation: every line of a block starts with the same spaces, in steps of 4 (${body}), ` +
    "and no tab characters mixed with spaces. Tab and Enter in the editor indent by 4 spaces.";
}

/** First difference between an expected nested array and a given wire array, or null. */
export function firstDifference(name, expectedRows, given) {
  const expectedShape = [expectedRows.length, expectedRows[0].length];
  if (given.shape.length !== 2 || given.shape[0] !== expectedShape[0] || given.shape[1] !== expectedShape[1]) {
    return { kind: "shape", name, expectedShape, givenShape: given.shape };
  }
  const cols = expectedShape[1];
  for (let i = 0; i < expectedShape[0]; i++) {
    for (let j = 0; j < cols; j++) {
      const g = given.data[i * cols + j], e = expectedRows[i][j];
      if (!close(g, e)) return { kind: "value", name, i, j, expected: e, given: g };
    }
  }
  return null;
}

function shapeHint(d) {
  const [er, ec] = d.expectedShape, g = d.givenShape;
  if (g.length === 1 && g[0] === ec && er === 1) {
    return "It is 1-D: keep the batch axis, e.g. sum(axis=0, keepdims=True), so the shape is (1, n_neurons).";
  }
  if (g.length === 2 && g[0] === ec && g[1] === er) {
    return "It has the transposed shape: one of the factors of the product needs a transpose (.T), or they are in the wrong order.";
  }
  if (g.length === 2 && g[0] === 1 && g[1] === 1 && !(er === 1 && ec === 1)) {
    return "It is a single number: the sum runs over the batch only (axis=0), not over every element.";
  }
  return `Check the shapes: inputs is (batch, n_inputs), dZ is (batch, n_neurons), weights is (n_inputs, n_neurons).`;
}

function valueHint(d, expected, givenArrays, spec, wrongNames) {
  const batch = spec.inputs.length;
  const given = decodeFlat(givenArrays[d.name]);
  const rows = expected[d.name];
  const flatExpected = rows.flat();
  if (wrongNames.length === 3 && !wrongNames.includes("output")) {
    return "All three gradients are off while the output is right, so dZ is wrong: check gap 1, the derivative of the activation (written with a = self.output).";
  }
  if (batch > 1 && flatExpected.every((e, k) => close(given.data[k] * batch, e))) {
    return `The values are ${batch} times too small, and the batch has ${batch} rows: this looks like a mean over the batch. The gradient is the sum over the batch (each sample adds its own share).`;
  }
  const [r, c] = [rows.length, rows[0].length];
  if (r === c && flatExpected.every((e, k) => close(given.data[(k % c) * c + Math.floor(k / c)], e))) {
    return "It is the transpose of the expected array: a factor needs a transpose (.T), or the factors are in the wrong order.";
  }
  if (GAP_OF[d.name]) return `Look at gap ${GAP_OF[d.name]}, where ${d.name} is set.`;
  return "The output comes from forward(), which the exercise gives you: was it changed?";
}

/** Feedback for an error the learner's code raised; ``body`` names where its indentation starts (for the hint). */
export function errorFeedback(error, where, body) {
  const line = error.line ? ` on line ${error.line}` : "";
  const out = { passed: false, kind: "error", line: error.line || null,
    title: error.type === "Gap" ? `A gap is still open${line}` : `${error.type}${line}${where}`,
    detail: error.message, hint: null,
    // The learner's own frames, innermost last, each with the line of code it ran.
    values: (error.trace || []).filter((f) => f.code).map((f) => [`line ${f.line}`, `${f.code}   (in ${f.function})`]) };
  if (error.type === "SyntaxError") out.hint = "Python could not read the code: look at that line and the one before it (a missing bracket, colon or indentation).";
  if (error.type === "IndentationError" || error.type === "TabError") out.hint = indentationHint(body);
  if (error.type === "Gap") out.hint = "Replace the todo(...) call with your expression.";
  return out;
}

/** The layer's errors: the general feedback, and a shape hint for its products. */
function layerErrorFeedback(error, where) {
  const out = errorFeedback(error, where, "backward's body at 8");
  if (error.type !== "Gap" && /matmul|not aligned|could not be broadcast|mismatch in its core dimension/.test(error.message)) {
    out.hint = "The shapes do not fit for this product: one of the operands probably needs a transpose (.T). " +
      "inputs is (batch, n_inputs), dZ is (batch, n_neurons), weights is (n_inputs, n_neurons).";
  }
  return out;
}

const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);

/**
 * What is wrong with the reply's form, or null. The reply is built by Python after the learner's
 * code has run in the same interpreter, so that code can forge it (replace json.dumps, say): it
 * must hold one result per case, each either an error or all four arrays, decodable.
 */
export function replyProblem(cases, reply) {
  if (!isObject(reply)) return "the reply is not a JSON object";
  if ("error" in reply) {
    return isObject(reply.error) && typeof reply.error.type === "string" ? null : "its error has no type";
  }
  if (!Array.isArray(reply.results)) return "it has no list of results";
  if (reply.results.length !== cases.length) {
    return `it has ${reply.results.length} result${reply.results.length === 1 ? "" : "s"} for ${cases.length} cases`;
  }
  for (const [k, result] of reply.results.entries()) {
    const label = cases[k].label;
    if (!isObject(result) || typeof result.ok !== "boolean") return `the result for ${label} says neither ok nor failed`;
    if (!result.ok) {
      if (!isObject(result.error) || typeof result.error.type !== "string") return `the failure in ${label} has no error`;
      continue;
    }
    for (const name of ARRAYS) {
      const array = isObject(result.arrays) ? result.arrays[name] : undefined;
      try {
        if (!isObject(array) || !Array.isArray(array.shape) || typeof array.f64 !== "string") throw new Error("missing");
        decodeFlat(array);
      } catch {
        return `${name} is missing or unreadable in the result for ${label}`;
      }
    }
  }
  return null;
}

function parseReply(replyText) {
  try {
    return JSON.parse(replyText);
  } catch {
    return undefined;   // replyProblem says so
  }
}

/**
 * cases: [{label, spec}], expected: reference results per case,
 * replyText: exercise_runner.py run()'s JSON (a string; an already parsed object also works).
 * → {passed, kind, title, detail, values: [[label, text]], hint, line, caseResults: [{label, passed}]}
 */
export function judge(cases, expected, replyText) {
  const reply = typeof replyText === "string" ? parseReply(replyText) : replyText;
  // Checked first: a pass is only ever judged on a full set of arrays, compared here.
  const problem = replyProblem(cases, reply);
  if (problem) {
    return { passed: false, kind: "reply", line: null, title: "The check got an incomplete answer from Python",
      detail: `Your code ran, but what came back cannot be judged: ${problem}.`, values: [],
      hint: "Does your code replace part of json or NumPy (or the check itself)? Leave those as they are " +
        "and press Check again; if it persists, reload the page.", caseResults: [] };
  }
  if (reply.error) return { ...layerErrorFeedback(reply.error, ""), caseResults: [] };
  const caseResults = [];
  let failure = null;
  reply.results.forEach((result, k) => {
    const { label, spec } = cases[k];
    if (failure) { caseResults.push({ label, passed: null }); return; }
    if (!result.ok) {
      failure = layerErrorFeedback(result.error, ` in ${label}`);
      caseResults.push({ label, passed: false });
      return;
    }
    const differences = ARRAYS.map((name) => firstDifference(name, expected[k][name], decodeFlat(result.arrays[name]))).filter(Boolean);
    if (differences.length) {
      const d = differences[0];
      const wrongNames = differences.map((x) => x.name);
      if (d.kind === "shape") {
        failure = { passed: false, kind: "shape", title: `${d.name} has the wrong shape in ${label}`,
          detail: `expected shape ${shapeText(d.expectedShape)}, got ${shapeText(d.givenShape)}`, values: [], hint: shapeHint(d) };
      } else {
        failure = { passed: false, kind: "value", title: `${d.name} is wrong in ${label}`,
          detail: `First wrong element: ${d.name}[${d.i}][${d.j}]`,
          values: mismatchValues(d.expected, d.given),
          hint: valueHint(d, expected[k], result.arrays, spec, wrongNames) };
      }
      failure.array = d.name;
      failure.element = d.kind === "value" ? [d.i, d.j] : null;
      if (wrongNames.length > 1) failure.also = wrongNames.slice(1);
      caseResults.push({ label, passed: false });
      return;
    }
    if (!result.returnsDInputs) {
      failure = { passed: false, kind: "return", title: "Almost: backward() must return the gradient passed back",
        detail: "Every array is right, but backward() does not return self.dInputs.", values: [],
        hint: "End backward() with: return self.dInputs" };
      caseResults.push({ label, passed: false });
      return;
    }
    caseResults.push({ label, passed: true });
  });
  if (failure) {
    // The failing case's inputs, so that a hidden case can be rerun by hand (the lab takes them as they are).
    const k = caseResults.findIndex((c) => c.passed === false), { spec } = cases[k];
    failure.caseInputs = { label: cases[k].label,
      arrays: CASE_INPUTS.map(([key, name]) => [name, spec[key].map((row) => row.map(exactText).join(", ")).join("\n")]) };
    return { line: null, ...failure, caseResults };
  }
  return { passed: true, kind: "pass", title: "Correct! backward() passes every check",
    detail: `output, dWeights, dBiases and dInputs match the reference in all ${cases.length} cases.`,
    values: [], hint: null, line: null, caseResults };
}
