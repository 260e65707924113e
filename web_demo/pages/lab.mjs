// The lab: the lesson's case, editable; the layer run in Python (Pyodide) and in JavaScript;
// every cell of output, dWeights, dBiases and dInputs shown side by side with its ULP distance,
// and each one's bits of error against the exact value (lib/exact.mjs, on this thread: it needs
// no Python, so it works offline and before Pyodide is up).
//
// The reference is the JavaScript layer (dense-layer.mjs, the lesson's own code). Python runs
// python_core.wire.run_batch, the very path the parity harness runs, and comes back bit-exact
// on the wire, so the numbers shown are the float64s NumPy computed.
import { runCase } from "../lib/dense-layer.mjs";
import { encodeSpec, decodeArray } from "../lib/wire.mjs";
import { LESSON_EXAMPLE, MATRIX_FIELDS, SATURATED_EXAMPLE, cloneCase } from "../lib/cases.mjs";
import { ACTIVATIONS, RESULT_ARRAYS, TOLERANCE } from "../lib/facts.mjs";
import { Embed, readParams } from "../lib/embed.mjs";
import { el, showProblems } from "../lib/dom.mjs";
import { formatMatrix, parseMatrix, shapeProblems } from "../lib/matrix-text.mjs";
import { PythonRuntime } from "../lib/python-runtime.mjs";
import { bitsHex, bitsOfError, exactText, sameValue, ulpDistance, ulpsFromExact } from "../lib/ulp.mjs";
import { FLAG_BITS_LOST, derivativeFlag, gradientBitsLost } from "../lib/conditioning.mjs";
import { exactCase } from "../lib/exact.mjs";

// The harness's default rtol and atol (crosscheck/parity/compare.py), applied to |reference| alone: the
// harness can also widen it to the magnitude of the terms summed (it knows them; the lab does not).
const { rtol: RTOL, atol: ATOL } = TOLERANCE;
const PY_TIMEOUT_MS = 30000;
const LABELS = {
  weights: ["weights", "inputs × neurons"], biases: ["biases", "1 × neurons"],
  inputs: ["inputs", "batch × inputs"], upstream: ["upstream gradient", "batch × neurons"],
};

const params = readParams();
const embed = new Embed("lab", params.parentOrigins);
const $ = (id) => document.getElementById(id);
if (embed.problem) params.problems.push(embed.problem);
showProblems($("problems"), params.problems);
for (const problem of params.problems) embed.post("error", { message: problem });

// One text field per matrix, each with its inline message.
const fields = {};
for (const name of MATRIX_FIELDS) {
  const [label, shape] = LABELS[name];
  const textarea = el("textarea", { id: `field-${name}`, rows: 3, wrap: "off", spellcheck: "false", autocomplete: "off",
    "aria-describedby": `error-${name}` });
  const error = el("div", { class: "field-error", id: `error-${name}`, role: "alert", "aria-live": "polite" });
  $("fields").append(el("div", { class: "field", dataset: { field: name } },
    el("label", { for: textarea.id }, label, " ", el("span", { class: "shape" }, `(${shape})`)), textarea, error));
  textarea.addEventListener("input", () => scheduleRun());
  fields[name] = { textarea, error };
}
// The activations offered are the shared facts' (python_core/facts.json).
$("activation").replaceChildren(...Object.keys(ACTIVATIONS).map((name) => el("option", { value: name }, name)));
$("activation").addEventListener("change", () => scheduleRun(0));
$("run").addEventListener("click", () => run());
$("example").addEventListener("click", () => { loadCase(cloneCase(LESSON_EXAMPLE)); run(); });
$("saturated").addEventListener("click", () => { loadCase(cloneCase(SATURATED_EXAMPLE)); run(); });
$("flag-bits").textContent = String(FLAG_BITS_LOST);
const showExact = () => $("results").classList.toggle("show-exact", $("show-exact").checked);
$("show-exact").addEventListener("change", showExact);
showExact(); // a reload can keep the box ticked

function loadCase(spec) {
  $("activation").value = spec.activation;
  for (const name of MATRIX_FIELDS) fields[name].textarea.value = formatMatrix(spec[name]);
}

/** Reads every field; shows inline messages; returns the spec, or null when something is wrong. */
function readCase() {
  const parsed = {}, errors = {};
  for (const name of MATRIX_FIELDS) {
    const result = parseMatrix(fields[name].textarea.value);
    if (result.error) errors[name] = result.error; else parsed[name] = result.rows;
  }
  Object.assign(errors, Object.fromEntries(Object.entries(shapeProblems(parsed)).filter(([k]) => !errors[k])));
  for (const name of MATRIX_FIELDS) {
    fields[name].error.textContent = errors[name] || "";
    fields[name].textarea.setAttribute("aria-invalid", errors[name] ? "true" : "false");
  }
  // Tall enough for every row of the largest field, so a batch is seen at a glance.
  const lines = Math.max(...MATRIX_FIELDS.map((n) => fields[n].textarea.value.trim().split("\n").length));
  for (const name of MATRIX_FIELDS) fields[name].textarea.rows = Math.min(8, Math.max(3, lines));
  return Object.keys(errors).length ? null : { activation: $("activation").value, ...parsed };
}

let timer = null;
function scheduleRun(ms = 250) {
  clearTimeout(timer);
  timer = setTimeout(run, ms);
}

let runId = 0;
async function run() {
  clearTimeout(timer);
  const id = ++runId;
  const spec = readCase();
  if (!spec) {
    setVerdict("failed", "✗", "Fix the highlighted field to run the layer", "");
    $("results").replaceChildren();
    $("accuracy").textContent = "";   // it spoke of the results just cleared
    document.documentElement.dataset.lab = "invalid";
    return;
  }
  let js;
  try {
    js = runCase(spec);
  } catch (err) { // the fields are checked above, so this would be a bug; still, say so in the page
    setVerdict("failed", "✗", "The JavaScript layer refused the case", err.message);
    return;
  }
  let exact = null, exactError = null;
  try {
    exact = exactCase(spec);
  } catch (err) {
    exactError = err.message;
  }
  if (runtime.state !== "ready") {
    showAccuracy(render(spec, js, null, exact), exactError);
    setVerdict("pending", "…", "JavaScript is done; Python is still loading", "the Python column fills in when it is ready");
    document.documentElement.dataset.lab = "waiting";
    await runtime.ready;
    if (id !== runId || runtime.state !== "ready") return;
  }
  let py = null, pyError = null;
  try {
    const reply = JSON.parse(await runtime.call("python_core.wire:run_batch",
      JSON.stringify({ cases: [encodeSpec(spec)] }), PY_TIMEOUT_MS));
    const result = reply.results[0];
    if (result.ok) py = Object.fromEntries(RESULT_ARRAYS.map((k) => [k, decodeArray(result.arrays[k])]));
    else pyError = `${result.error.type}: ${result.error.message}`;
  } catch (err) {
    pyError = `${err.name}: ${err.message}`;
  }
  if (id !== runId) return;   // a newer edit has started its own run
  const summary = render(spec, js, py, exact);
  showAccuracy(summary, exactError);
  if (pyError) {
    setVerdict("failed", "✗", "Python did not run", pyError);
    embed.post("error", { message: `Python did not run: ${pyError}` });
  } else {
    const { maxUlp, outside } = summary;
    if (maxUlp === 0n) setVerdict("identical", "✓", "Python and JavaScript agree bit for bit", "0 ULP in every cell");
    else if (!outside) setVerdict("agree", "✓", "Python and JavaScript agree within the tolerance", `largest difference ${maxUlp} ULP`);
    else setVerdict("differ", "✗", "Python and JavaScript differ", `${outside} cell${outside === 1 ? "" : "s"} outside the tolerance; largest difference ${maxUlp} ULP`);
    embed.post("result", { passed: !outside, details: { verdict: $("verdict").dataset.verdict, maxUlp: Number(maxUlp),
      cellsOutsideTolerance: outside, activation: spec.activation, python: py, javascript: js } });
  }
  document.documentElement.dataset.lab = pyError ? "failed" : "done";
  $("meta").textContent = runtime.describe();
}

function setVerdict(kind, badge, text, sub) {
  const verdict = $("verdict");
  verdict.className = `verdict ${kind}`;
  verdict.dataset.verdict = kind;
  verdict.replaceChildren(el("span", { class: "badge", "aria-hidden": "true" }, badge),
    el("span", {}, text, sub ? el("span", { class: "sub" }, ` · ${sub}`) : null));
}

const fmtBits = (b) => (b === null ? "…" : Number.isInteger(b) ? String(b) : b.toFixed(1));

function showAccuracy({ maxBits, flagged }, exactError) {
  const line = $("accuracy");
  if (exactError) { line.textContent = `No exact value for this case: ${exactError}`; return; }
  const parts = Object.entries(maxBits).filter(([, b]) => b !== null)
    .map(([who, b]) => `${who} at most ${fmtBits(b)} bit${b === 1 ? "" : "s"} of error`);
  line.textContent = `Against the exact value: ${parts.join(", ")}`
    + (flagged ? `; ${flagged} cell${flagged === 1 ? "" : "s"} marked ⚠ where the lesson's derivative lost ≥ ${FLAG_BITS_LOST} bits.` : ".");
}

/** Draws the four arrays; returns the largest ULP distance, how many cells are outside the tolerance,
 *  the largest bits of error against the exact value and how many cells are flagged. */
function render(spec, js, py, exact) {
  let maxUlp = 0n, outside = 0, flagged = 0;
  const maxBits = { Python: py && exact ? 0 : null, JavaScript: exact ? 0 : null };
  const blocks = RESULT_ARRAYS.map((name) => {
    const rows = js[name];
    const table = el("table", { class: "cells", dataset: { array: name } },
      el("tbody", {}, rows.map((row, i) => el("tr", {}, row.map((jsValue, j) => {
        const pyValue = py ? py[name][i][j] : null;
        const ulp = py ? ulpDistance(pyValue, jsValue) : null;
        // The same value is within any tolerance, equal infinities too (where inf − inf is NaN).
        const within = py && (sameValue(pyValue, jsValue) || Math.abs(pyValue - jsValue) <= ATOL + RTOL * Math.abs(jsValue));
        if (ulp !== null && ulp > maxUlp) maxUlp = ulp;
        if (py && !within) outside += 1;
        const cls = !py ? "cell" : ulp === 0n ? "cell u0" : within ? "cell uclose" : "cell ufar";
        const exactValue = exact ? exact[name][i][j] : null;
        const jsBits = exact ? bitsOfError(ulpsFromExact(jsValue, exactValue)) : null;
        const pyBits = py && exact ? bitsOfError(ulpsFromExact(pyValue, exactValue)) : null;
        if (jsBits !== null) maxBits.JavaScript = Math.max(maxBits.JavaScript, jsBits);
        if (pyBits !== null) maxBits.Python = Math.max(maxBits.Python, pyBits);
        // Flagged where this cell is far from the truth and the lesson's derivative, read from the
        // output, is why.
        const derivativeBits = name === "output" ? 0 : gradientBitsLost(spec.activation, js.output, name, i, j);
        const flag = exact ? derivativeFlag(spec.activation, Math.max(jsBits, pyBits ?? 0), derivativeBits) : null;
        if (flag) flagged += 1;
        return el("td", { class: flag ? `${cls} ill` : cls, dataset: { array: name, i, j, js: bitsHex(jsValue),
          py: py ? bitsHex(pyValue) : undefined, ulp: ulp === null ? undefined : String(ulp),
          exact: exact ? bitsHex(exactValue) : undefined, bitsJs: jsBits ?? undefined, bitsPy: pyBits ?? undefined,
          ...(flag ? { derivativeBitsLost: derivativeBits.toFixed(1) } : {}) } },
          el("div", { class: "py" }, el("span", { class: "k" }, "py"), py ? exactText(pyValue) : "…"),
          el("div", { class: "js" }, el("span", { class: "k" }, "js"), exactText(jsValue)),
          exact ? el("div", { class: "exact" }, el("span", { class: "k" }, "ex"), exactText(exactValue)) : null,
          el("div", { class: "ulp" }, ulp === null ? "\u00a0" : `${ulp} ULP`),
          exact ? el("div", { class: "bits", title: `exact value, correctly rounded: ${exactText(exactValue)}` },
            `bits of error: py ${fmtBits(pyBits)} · js ${fmtBits(jsBits)}`) : null,
          flag ? el("div", { class: "cond" }, flag) : null);
      })))));
    return el("div", { class: "result" },
      el("h3", {}, name, " ", el("span", { class: "shape" }, `${rows.length} × ${rows[0].length}`)),
      // A region that may scroll sideways (a phone): reachable by keyboard, named, and cued when it does.
      el("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": `${name}, ${rows.length} × ${rows[0].length}` }, table));
  });
  $("results").replaceChildren(...blocks);
  for (const box of $("results").querySelectorAll(".scroll")) overflowWatch.observe(box);
  return { maxUlp, outside, maxBits, flagged };
}

// Marks the tables wider than their box, so the page shows that they scroll (pages.css).
const overflowWatch = new ResizeObserver((entries) => {
  for (const { target } of entries) target.classList.toggle("overflows", target.scrollWidth > target.clientWidth + 1);
});

const runtime = new PythonRuntime($("loading"));
loadCase(params.spec);
embed.on("run", () => run());
embed.on("setCase", (message) => {
  try { loadCase({ ...cloneCase(LESSON_EXAMPLE), ...message.case }); } catch (err) { embed.post("error", { message: `setCase: ${err.message}` }); return; }
  run();
});
runtime.boot().then(() => {
  if (runtime.state === "ready") embed.post("ready", { versions: runtime.versions });
  else embed.post("error", { message: `Python could not be loaded: ${runtime.error}` });
});
run();
