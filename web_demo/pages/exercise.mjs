// The exercise: the learner completes DenseLayer.backward in a Python editor; Check runs it in a
// fresh Pyodide worker that holds only NumPy and exercise_runner.py (exercise-runner.mjs), on the
// lesson's case and hidden random cases, and judges the arrays against the JavaScript reference
// computed here, on the page's thread, where the learner's code cannot reach it. The verdict is
// feedback for the learner, not proof: it is computed in their browser (docs/pages.md; for
// credit, `python -m crosscheck grade`).
import { EditorView, setDiagnostics } from "../vendor/editor.mjs";
import { pythonEditorExtensions, keysNote, CHECK_KEY } from "./editor.mjs";
import { runCase } from "../lib/dense-layer.mjs";
import { encodeSpec } from "../lib/wire.mjs";
import { describeShape, hiddenCases } from "../lib/cases.mjs";
import { Embed, readParams } from "../lib/embed.mjs";
import { el, showProblems } from "../lib/dom.mjs";
import { judge } from "./exercise-check.mjs";
import { starterCode } from "./exercise-starter.mjs";
import { ExerciseRunner } from "./exercise-runner.mjs";

const params = readParams();
const activation = params.spec.activation;
const embed = new Embed("exercise", params.parentOrigins);
const $ = (id) => document.getElementById(id);
const storageKey = `dense-parity/exercise/backward/${activation}`;
const starter = starterCode(activation);
if (embed.problem) params.problems.push(embed.problem);
showProblems($("problems"), params.problems);
for (const problem of params.problems) embed.post("error", { message: problem });
$("activation-name").textContent = activation;

// --- the learner's code: kept in local storage, so it survives a reload -------------------
function loadSaved() {
  try { return localStorage.getItem(storageKey); } catch { return null; }   // storage may be blocked in a frame
}
function save(code) {
  try {
    if (code === starter) localStorage.removeItem(storageKey); else localStorage.setItem(storageKey, code);
    // Set only when it changes: the line is a live region, and each keystroke's save must not be announced.
    const said = code === starter ? "Starter code." : "Your code is saved in this browser.";
    if ($("saved").textContent !== said) $("saved").textContent = said;
  } catch {
    $("saved").textContent = "This browser does not allow saving here: copy your code before leaving.";
  }
}

// Code the embedding page sends (setCode) is shown, not saved: it never replaces the learner's own
// saved code. Saving resumes with the learner's next edit of their own.
let hostCode = false;
let saveTimer = null;
const LEARNER_EVENTS = ["input", "delete", "move", "undo", "redo"];
const view = new EditorView({
  doc: loadSaved() ?? starter,
  parent: $("editor"),
  extensions: [
    ...pythonEditorExtensions({ onCheck: () => check(), label: "Your Python code: the DenseLayer class" }),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      if (update.transactions.some((tr) => LEARNER_EVENTS.some((e) => tr.isUserEvent(e)))) hostCode = false;
      if (hostCode) return;
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => save(getCode()), 300);
    }),
  ],
});
$("editor").after(keysNote());
$("feedback").textContent = `Press Check (or ${CHECK_KEY} in the editor) when you are ready.`;
$("saved").textContent = loadSaved() ? "Your saved code was restored." : "Starter code.";
const getCode = () => view.state.doc.toString();
function setCode(code, { fromHost = false } = {}) {
  clearTimeout(saveTimer);
  hostCode = fromHost;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
  view.dispatch(setDiagnostics(view.state, []));
  if (fromHost) {
    $("saved").textContent = "Code from the lesson page: not saved over your own until you edit it.";
  } else {
    save(code);
  }
}
// Saving on the way out as well: a reload within the debounce must not lose the last keystrokes.
window.addEventListener("pagehide", () => { clearTimeout(saveTimer); if (!hostCode) save(getCode()); });

// Reset goes through the editor's history, so Ctrl+Z brings the learner's code back.
function reset({ fromHost = false } = {}) {
  setCode(starter, { fromHost });
  showFeedback({ kind: "info", title: "", detail: "The starter code is back (Ctrl+Z undoes the reset)." });
  setState("idle");
}
$("reset").addEventListener("click", () => reset());

// The last verdict, kept with the code it judged, so that a reload shows where the learner was.
const verdictKey = `${storageKey}/verdict`;
const VERDICT_FIELDS = ["passed", "kind", "title", "detail", "values", "hint", "caseInputs", "caseResults"];
function keepVerdict(feedback) {
  try {
    localStorage.setItem(verdictKey, JSON.stringify({ code: getCode(), at: new Date().toISOString(),
      feedback: Object.fromEntries(VERDICT_FIELDS.map((k) => [k, feedback[k] ?? null])) }));
  } catch { /* storage blocked: the verdict lives as long as the page */ }
}
function showCaseList(caseResults) {
  $("cases").replaceChildren(...(caseResults || []).map(({ label, passed }) =>
    el("li", { class: passed === true ? "pass" : passed === false ? "fail" : "skipped" }, passed === null ? `${label}: not run` : label)));
}
function restoreVerdict() {
  let kept;
  try { kept = JSON.parse(localStorage.getItem(verdictKey)); } catch { return; }
  if (!kept || !kept.feedback || typeof kept.feedback.title !== "string") return;
  const when = new Date(kept.at).toLocaleString();
  showFeedback({ ...kept.feedback, values: kept.feedback.values || [],
    kept: kept.code === getCode() ? `Your last check of this code (${when}), kept from before the reload.`
      : `Your last check (${when}), of an earlier version of the code: press Check to check it as it is now.` });
  showCaseList(kept.feedback.caseResults);
  $("feedback").dataset.restored = kept.code === getCode() ? "same-code" : "older-code";
}

// --- Python ------------------------------------------------------------------------------
const runtime = new ExerciseRunner($("loading"), { onStateChange: () => updateButton() });
let checking = false;

function updateButton() {
  const button = $("check");
  // aria-disabled, not disabled: a disabled button drops the focus of the learner who pressed it.
  button.disabled = false;
  button.setAttribute("aria-disabled", String(checking || runtime.state !== "ready"));
  button.textContent = checking ? "Checking…" : runtime.state === "ready" ? "Check" :
    runtime.state === "failed" ? "Check (Python failed to load)" : "Check (Python loading…)";
}

function setState(state) {
  document.documentElement.dataset.exercise = state;
}

function showFeedback({ kind, title, detail, values = [], hint = null, caseInputs = null, kept = null }) {
  const box = $("feedback");
  box.className = `message ${kind === "pass" ? "ok" : kind === "info" ? "info" : "bad"}`;
  box.dataset.kind = kind;
  box.replaceChildren(...[
    title && el("strong", {}, title),
    detail && el("div", { class: "detail" }, detail),
    values.length && el("div", { class: "values" }, values.flatMap(([k, v]) => [el("span", {}, k), el("span", { dataset: { value: k } }, v)])),
    hint && el("div", { class: "hint" }, "Hint: ", hint),
    caseInputs && el("details", { class: "case-inputs" }, el("summary", {}, `The inputs of ${caseInputs.label}`),
      el("div", { class: "values" }, caseInputs.arrays.flatMap(([k, v]) => [el("span", {}, k), el("pre", { dataset: { input: k } }, v)]))),
    kept && el("div", { class: "kept" }, kept),
  ].filter(Boolean));
}

function markLine(line, message) {
  if (!line || line > view.state.doc.lines) return;
  const { from, to } = view.state.doc.line(line);
  view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message }]));
  view.dispatch({ effects: EditorView.scrollIntoView(from, { y: "center" }) });
}

async function check() {
  if (checking || runtime.state !== "ready") return;
  checking = true;
  updateButton();
  setState("checking");
  view.dispatch(setDiagnostics(view.state, []));
  $("check-status").textContent = runtime.spare?.state === "ready" ? `Running your code (stopped after ${params.timeoutS} s)…`
    : "Starting a fresh Python for this check…";
  const seed = crypto.getRandomValues(new Uint32Array(1))[0];
  let feedback;
  try {
    feedback = await runChecks(seed);
  } finally {
    checking = false;
    updateButton();
    $("check-status").textContent = "";
  }
  showFeedback(feedback);
  keepVerdict(feedback);
  if (feedback.line) markLine(feedback.line, `${feedback.title}: ${feedback.detail}`);
  showCaseList(feedback.caseResults);
  setState(feedback.passed ? "passed" : feedback.kind);
  // Never the learner's source: an error's values quote their lines, so only expected/given go out.
  const values = Object.fromEntries((feedback.values || []).filter(([k]) => k === "expected" || k === "given"));
  embed.post("result", { passed: feedback.passed, details: {
    kind: feedback.kind, title: feedback.title, detail: feedback.detail, line: feedback.line ?? null,
    array: feedback.array ?? null, element: feedback.element ?? null,
    values, hint: feedback.hint, cases: feedback.caseResults, seed } });
}

/** Runs the learner's code on every case and judges it; always resolves to a feedback object. */
async function runChecks(seed) {
  try {
    // The reference is computed now, before the learner's code runs, and stays on this thread.
    const cases = [{ label: params.custom ? "the lesson's case" : "the lesson example", spec: params.spec },
      ...hiddenCases(activation, seed).map((spec, k) => ({ label: `hidden case ${k + 1} (${describeShape(spec)})`, spec }))];
    const expected = cases.map(({ spec }) => runCase(spec));
    const reply = await runtime.check(
      JSON.stringify({ code: getCode(), cases: cases.map(({ spec }) => encodeSpec(spec)) }), params.timeoutS * 1000);
    return judge(cases, expected, reply);
  } catch (err) {
    if (err.name === "TimeoutError") {
      return { passed: false, kind: "timeout", title: `Stopped: your code was still running after ${params.timeoutS} s`,
        detail: "It probably never ends (a loop whose condition stays true?). The Python worker was stopped (every check " +
          "gets a fresh one); your code is kept. Fix it and press Check again.", values: [], hint: null, caseResults: [] };
    }
    const feedback = { passed: false, kind: "failure", title: "The check could not run", detail: `${err.name}: ${err.message}`,
      values: [], hint: "Reload the page; if it happens again, the runtime is broken, not your code.", caseResults: [] };
    embed.post("error", { message: feedback.detail });
    return feedback;
  }
}
$("check").addEventListener("click", () => check());

// --- embedding ------------------------------------------------------------------------------
embed.on("check", () => check());
embed.on("setCode", (message) => {
  if (typeof message.code !== "string") return;
  setCode(message.code, { fromHost: true });
  embed.post("codeSet", {});   // an acknowledgement, without the code
});
embed.on("reset", () => reset({ fromHost: true }));   // shown, not saved over the learner's code
// For tests and for hosts on the same origin.
window.exercise = { getCode, setCode, check, starter, get state() { return document.documentElement.dataset.exercise; } };

setState("booting");
updateButton();
restoreVerdict();
let announced = false;
runtime.boot().then(() => {
  $("meta").textContent = runtime.describe();
  if (runtime.state === "ready") {
    setState("idle");
    if (!announced) embed.post("ready", { versions: runtime.versions });
    announced = true;
  } else {
    embed.post("error", { message: `Python could not be loaded: ${runtime.error}` });
  }
});
