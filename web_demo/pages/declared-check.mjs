// Judging a declared exercise: the learner's results (function_runner.py's reply) against the check's
// JavaScript function's, computed on the page's thread before the learner's code ran, with the check's
// tolerance (|a − ref| ≤ atol + rtol · max|ref| per output, or bit identity); and the author's hint
// when the learner's results equal a declared mistake's on the lesson's cases (the mistakes' results
// on those cases come from the build, as numbers).
import { decodeFlat } from "../lib/wire.mjs";
import { exactText } from "../lib/ulp.mjs";
import { errorFeedback, mismatchValues } from "./exercise-check.mjs";

const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const shapeText = (shape) => `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
const sameShape = (a, b) => a.length === b.length && a.every((n, i) => n === b[i]);

export function toleranceOf(check, output) {
  return check.outputs?.[output]?.tolerance ?? check.tolerance;
}

function scaleOf(data) {
  let scale = 0;
  for (const x of data) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  return scale;
}

function bits(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

/** The flat index of the first element outside the rule, or -1 (shapes are equal). */
export function firstWrong(given, expected, tol) {
  const bound = tol.atol + tol.rtol * scaleOf(expected);
  for (let k = 0; k < expected.length; k++) {
    const g = given[k], e = expected[k];
    if (tol.exact ? bits(g) !== bits(e) : !(g === e || (Number.isNaN(g) && Number.isNaN(e)) || Math.abs(g - e) <= bound)) return k;
  }
  return -1;
}

function indexOf(flat, shape) {
  const index = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/** {name: {shape, data}} given against expected: null when they agree, else what differs first. */
export function difference(check, expected, given) {
  for (const name of Object.keys(expected)) {
    if (!(name in given)) return { kind: "missing", name, gives: Object.keys(given) };
  }
  for (const name of Object.keys(given)) {
    if (!(name in expected)) return { kind: "extra", name, expected: Object.keys(expected) };
  }
  for (const [name, e] of Object.entries(expected)) {
    const g = given[name];
    if (!sameShape(g.shape, e.shape)) return { kind: "shape", name, expectedShape: e.shape, givenShape: g.shape };
    const k = firstWrong(g.data, e.data, toleranceOf(check, name));
    if (k >= 0) return { kind: "value", name, index: indexOf(k, e.shape), expected: e.data[k], given: g.data[k] };
  }
  return null;
}

export const decodeOutputs = (outputs) => Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, decodeFlat(v)]));

const functionErrorFeedback = (error, where) => errorFeedback(error, where, "a function's body at 4");

/** What is wrong with the reply's form, or null (learner code shares the interpreter that builds it). */
export function replyProblem(cases, reply) {
  if (!isObject(reply)) return "the reply is not a JSON object";
  if ("error" in reply) return isObject(reply.error) && typeof reply.error.type === "string" ? null : "its error has no type";
  if (!Array.isArray(reply.results) || reply.results.length !== cases.length) return `it does not hold one result per case (${cases.length})`;
  for (const [k, result] of reply.results.entries()) {
    if (!isObject(result) || typeof result.ok !== "boolean") return `the result for ${cases[k].label} says neither ok nor failed`;
    if (!result.ok) {
      if (!isObject(result.error) || typeof result.error.type !== "string") return `the failure in ${cases[k].label} has no error`;
      continue;
    }
    try {
      if (!isObject(result.outputs)) throw new Error("no outputs");
      decodeOutputs(result.outputs);
    } catch {
      return `an output is missing or unreadable in the result for ${cases[k].label}`;
    }
  }
  return null;
}

function caseFeedback(d, label) {
  const base = { passed: false, array: d.name, element: null, values: [], hint: null };
  if (d.kind === "missing") return { ...base, kind: "shape", title: `${d.name} is missing in ${label}`, detail: `The function's result gives ${d.gives.join(", ") || "nothing"}; the exercise asks for ${d.name} too.` };
  if (d.kind === "extra") return { ...base, kind: "shape", title: `${d.name} is not one of the results in ${label}`, detail: `The exercise asks for ${d.expected.join(", ")}.` };
  if (d.kind === "shape") return { ...base, kind: "shape", title: `${d.name} has the wrong shape in ${label}`, detail: `expected shape ${shapeText(d.expectedShape)}, got ${shapeText(d.givenShape)}` };
  const where = d.index.map((i) => `[${i}]`).join("");
  return { ...base, kind: "value", title: `${d.name} is wrong in ${label}`, element: d.index,
    detail: where ? `First wrong element: ${d.name}${where}` : `${d.name} is a single number, and it is not the expected one`,
    values: mismatchValues(d.expected, d.given) };
}

/**
 * cases: [{label}], expected: [{name: {shape, data}}] per case, replyText: function_runner.py's JSON,
 * exercise: the build's description (check, mistakes with their results on the lesson cases, the first
 * lessonCount cases being the lesson's).
 * → {passed, kind, title, detail, values, hint, line, caseResults: [{label, passed}], score, maxScore, mistake}
 */
export function judge(exercise, cases, expected, replyText) {
  let reply;
  try { reply = typeof replyText === "string" ? JSON.parse(replyText) : replyText; } catch { reply = undefined; }
  const maxScore = cases.length;
  const problem = replyProblem(cases, reply);
  if (problem) {
    return { passed: false, kind: "reply", line: null, title: "The check got an incomplete answer from Python",
      detail: `Your code ran, but what came back cannot be judged: ${problem}.`, values: [],
      hint: "Does your code replace part of json or NumPy? Leave those as they are and press Check again.",
      caseResults: cases.map(({ label }) => ({ label, passed: false })), score: 0, maxScore };
  }
  if (reply.error) return { ...functionErrorFeedback(reply.error, ""), caseResults: cases.map(({ label }) => ({ label, passed: false })), score: 0, maxScore };
  const given = reply.results.map((r) => (r.ok ? decodeOutputs(r.outputs) : null));
  const caseResults = [];
  let failure = null;
  reply.results.forEach((result, k) => {
    const { label } = cases[k];
    if (!result.ok) {
      failure ??= functionErrorFeedback(result.error, ` in ${label}`);
      caseResults.push({ label, passed: false });
      return;
    }
    const d = difference(exercise.check, expected[k], given[k]);
    if (d) failure ??= caseFeedback(d, label);
    caseResults.push({ label, passed: !d });
  });
  const score = caseResults.filter((c) => c.passed).length;
  if (!failure) {
    return { passed: true, kind: "pass", title: `Correct! ${exercise.function} passes every check`,
      detail: `Every result matches the lesson's in all ${cases.length} cases.`, values: [], hint: null, line: null,
      caseResults, score, maxScore };
  }
  const mistake = matchMistake(exercise, given);
  if (mistake) {
    failure.hint = mistake.hint;
    failure.mistake = true;
  }
  // The failing case's inputs (a hidden one's too), so that it can be rerun by hand.
  const k = caseResults.findIndex((c) => !c.passed);
  failure.caseInputs = caseInputs(exercise, cases[k]);
  return { line: null, ...failure, caseResults, score, maxScore };
}

/** A case's inputs as text, one row per line, each number exact: {label, arrays: [[name, text]]}. */
export function caseInputs(exercise, { label, inputs }) {
  const number = (x, isInt) => (isInt ? String(Math.round(x)) : exactText(x));
  const text = (wire) => {
    const { shape, data } = decodeFlat(wire);
    const cols = shape.length ? shape[shape.length - 1] : 1;
    const rows = [];
    for (let k = 0; k < data.length; k += cols || 1) rows.push(Array.from(data.slice(k, k + cols), (x) => number(x, wire.int)).join(", "));
    return shape.length ? rows.join("\n") || "(empty)" : rows[0];
  };
  return { label, arrays: exercise.check.args.filter((arg) => arg in inputs).map((arg) => [arg, text(inputs[arg])]) };
}

/** The first declared mistake whose results equal the learner's on every lesson case where it gave results. */
export function matchMistake(exercise, given) {
  for (const mistake of exercise.mistakes) {
    const pairs = mistake.results.map((m, k) => [m, given[k]]).filter(([m]) => m !== null);
    if (pairs.length && pairs.every(([m, g]) => g !== null && !difference(exercise.check, decodeOutputs(m), g))) return mistake;
  }
  return null;
}
