// The exercise: the learner completes DenseLayer.backward in a Python editor; Check runs it in a
// fresh Pyodide worker that holds only NumPy and exercise_runner.py (exercise-runner.mjs), on the
// lesson's case and hidden random cases, and judges the arrays against the JavaScript reference
// computed here, on the page's thread, where the learner's code cannot reach it. The verdict is
// feedback for the learner, not proof: it is computed in their browser (docs/pages.md; for
// credit, `python -m crosscheck grade`). The editor, saving, the kept verdict and the runner are
// exercise-shell.mjs's, shared with a course's declared exercises.
import { runCase } from "../lib/dense-layer.mjs";
import { encodeSpec } from "../lib/wire.mjs";
import { describeShape, hiddenCases } from "../lib/cases.mjs";
import { Embed, readParams } from "../lib/embed.mjs";
import { showProblems } from "../lib/dom.mjs";
import { judge } from "./exercise-check.mjs";
import { starterCode } from "./exercise-starter.mjs";
import { exerciseShell, storage, stoppedFeedback, brokenFeedback } from "./exercise-shell.mjs";

const params = readParams();
const activation = params.spec.activation;
const embed = new Embed("exercise", params.parentOrigins);
const $ = (id) => document.getElementById(id);
const codeKey = `dense-parity/exercise/backward/${activation}`;
const starter = starterCode(activation);
if (embed.problem) params.problems.push(embed.problem);
showProblems($("problems"), params.problems);
for (const problem of params.problems) embed.post("error", { message: problem });
$("activation-name").textContent = activation;

/** Runs the learner's code on every case and judges it; always resolves to a feedback object. */
async function runChecks(code, seed, runtime) {
  try {
    // The reference is computed now, before the learner's code runs, and stays on this thread.
    const cases = [{ label: params.custom ? "the lesson's case" : "the lesson example", spec: params.spec },
      ...hiddenCases(activation, seed).map((spec, k) => ({ label: `hidden case ${k + 1} (${describeShape(spec)})`, spec }))];
    const expected = cases.map(({ spec }) => runCase(spec));
    const reply = await runtime.check(
      JSON.stringify({ code, cases: cases.map(({ spec }) => encodeSpec(spec)) }), params.timeoutS * 1000);
    return judge(cases, expected, reply);
  } catch (err) {
    if (err.name === "TimeoutError") return stoppedFeedback(params.timeoutS, err.line);
    embed.post("error", { message: `${err.name}: ${err.message}` });
    return brokenFeedback(err, "Reload the page; if it happens again, the runtime is broken, not your code.");
  }
}

function afterCheck(feedback, seed) {
  // Never the learner's source: an error's values quote their lines, so only expected/given go out.
  const values = Object.fromEntries((feedback.values || []).filter(([k]) => k === "expected" || k === "given"));
  embed.post("result", { passed: feedback.passed, details: {
    kind: feedback.kind, title: feedback.title, detail: feedback.detail, line: feedback.line ?? null,
    array: feedback.array ?? null, element: feedback.element ?? null,
    values, hint: feedback.hint, cases: feedback.caseResults, seed } });
}

const shell = exerciseShell({
  embed, timeoutS: params.timeoutS, codeKey, verdictKey: `${codeKey}/verdict`, starter,
  initialCode: storage.get(codeKey) ?? starter, label: "Your Python code: the DenseLayer class", runner: "layer",
  run: runChecks, afterCheck,
});
// For tests and for hosts on the same origin.
window.exercise = { getCode: shell.getCode, setCode: shell.setCode, check: shell.check, starter,
  get state() { return document.documentElement.dataset.exercise; } };
