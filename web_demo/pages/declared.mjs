// A course's declared exercise (`build-site --lessons COURSE.toml`): the learner writes one check's Python
// function; Check runs it in a fresh Pyodide worker (exercise-runner.mjs, function_runner.py) on the
// lesson's cases and fresh hidden ones, and judges its results against the check's own JavaScript
// function, run here on the page's thread before the learner's code runs. The exercise's description
// (exercises/NAME.json: the check's declaration, the starter, the lesson's cases, the declared mistakes'
// results on them) and the JavaScript function's bundle (exercises/NAME-reference.mjs) come from the build;
// the check's Python function never ships. The verdict is feedback, marked unverified in the `result`
// event: `grade --lessons` gives credit (docs/pages.md). The editor, saving, the kept verdict and the runner
// are exercise-shell.mjs's, shared with the DenseLayer exercise.
import { runFunctionBatch } from "../lib/functions.mjs";
import { drawCases } from "../lib/lesson-cases.mjs";
import { Embed, readParams } from "../lib/embed.mjs";
import { el, showProblems } from "../lib/dom.mjs";
import { decodeOutputs, judge } from "./declared-check.mjs";
import { exerciseShell, storage, stoppedFeedback, brokenFeedback } from "./exercise-shell.mjs";

const $ = (id) => document.getElementById(id);
const params = readParams();
const embed = new Embed("exercise", params.parentOrigins);
const slug = document.documentElement.dataset.exercise || new URLSearchParams(location.search).get("exercise") || "";
if (embed.problem) params.problems.push(embed.problem);

async function loadExercise() {
  if (!/^[a-z0-9-]+$/.test(slug)) throw new Error("this page names no exercise (build it with build-site --lessons)");
  const response = await fetch(new URL(`./exercises/${slug}.json`, import.meta.url));
  if (!response.ok) throw new Error(`exercises/${slug}.json: HTTP ${response.status}`);
  return response.json();
}

let exercise;
try {
  exercise = await loadExercise();
} catch (err) {
  params.problems.push(`The exercise could not be loaded: ${err.message}`);
}
showProblems($("problems"), params.problems);
for (const problem of params.problems) embed.post("error", { message: problem });
if (exercise) start(exercise);

function instructions(text) {
  // Paragraphs, with `code` spans: the author's Markdown kept to what a task's text needs, built as DOM.
  return text.trim().split(/\n\s*\n/).map((para) => el("p", {},
    ...para.replace(/\s*\n\s*/g, " ").split(/(`[^`]+`)/).map((part) =>
      part.startsWith("`") && part.endsWith("`") && part.length > 1 ? el("code", {}, part.slice(1, -1)) : part)));
}

function start(exercise) {
  const { name, version, starter } = exercise;
  document.title = `Exercise: ${name} · dense-parity`;
  $("exercise-title").textContent = name;
  $("function-name").textContent = `${exercise.function}(${exercise.check.args.join(", ")})`;
  $("instructions").replaceChildren(...(exercise.instructions ? instructions(exercise.instructions)
    : [el("p", {}, "Write the function in the editor. ", el("strong", {}, "Check"), " runs it in Python (in your browser) on the lesson's cases and on hidden random ones, and compares every result with the lesson's.")]));
  $("task").textContent = `It returns ${exercise.outputs.join(", ")}; ` +
    `checked on ${exercise.lessonCases.length} lesson cases and ${exercise.hiddenCases} hidden ones.`;

  // --- the learner's code and last verdict, kept per exercise and version ------------------------
  const prefix = `dense-parity/exercise/${slug}/`;
  const codeKey = prefix + version;
  const attemptsKey = `dense-parity/attempts/${slug}/${version}`;
  const saved = storage.get(codeKey);
  const older = saved === null ? storage.keys().filter((k) => k.startsWith(prefix) && k !== codeKey) : [];

  // --- attempts and the solution ----------------------------------------------------------------
  let attempts = Number(storage.get(attemptsKey)) || 0;
  function showAttempts(passed = false) {
    const max = exercise.maxAttempts;
    if (max) $("attempts").textContent = `Checks so far: ${attempts}` + (attempts < max && !passed ? ` (the solution shows after ${max})` : "");
    if (exercise.solution && (passed || (max && attempts >= max))) {
      $("solution-code").textContent = exercise.solution;
      $("solution").hidden = false;
    }
  }
  showAttempts();

  // --- checking -----------------------------------------------------------------------------------
  const referenceModule = new URL(`./exercises/${slug}-reference.mjs`, import.meta.url).href;
  async function reference(cases) {
    const reply = JSON.parse(await runFunctionBatch(JSON.stringify({ module: referenceModule, function: exercise.reference,
      args: exercise.check.args, cases: cases.map((c) => c.inputs) })));
    if (reply.ok === false) throw new Error(`the lesson's function could not run: ${reply.error.message}`);
    return reply.results.map((r, k) => {
      if (!r.ok) throw new Error(`the lesson's function failed on ${cases[k].label}: ${r.error.message}`);
      return decodeOutputs(r.outputs);
    });
  }

  async function runChecks(code, seed, runtime) {
    const cases = [...exercise.lessonCases, ...drawCases(exercise.check, exercise.hiddenCases, seed)];
    const unjudged = (feedback) => ({ ...feedback, caseResults: cases.map(({ label }) => ({ label, passed: false })),
      score: 0, maxScore: cases.length });
    try {
      const expected = await reference(cases);   // before the learner's code runs, on this thread
      const reply = await runtime.check(JSON.stringify({ code, function: exercise.function,
        args: exercise.check.args, cases: cases.map((c) => c.inputs) }), params.timeoutS * 1000);
      return judge(exercise, cases, expected, reply);
    } catch (err) {
      if (err.name === "TimeoutError") return unjudged(stoppedFeedback(params.timeoutS, err.line));
      embed.post("error", { message: `${err.name}: ${err.message}` });
      return unjudged(brokenFeedback(err, "Reload the page; if it happens again, the page is broken, not your code."));
    }
  }

  let lastResult = null;
  function afterCheck(feedback, seed) {
    attempts += 1;
    storage.set(attemptsKey, String(attempts));
    showAttempts(feedback.passed);
    const values = Object.fromEntries((feedback.values || []).filter(([k]) => k === "expected" || k === "given"));
    // The same exercise and version as grade's results.json; computed in the learner's browser, so unverified.
    lastResult = { passed: feedback.passed, exercise: name, version, score: feedback.score,
      max_score: feedback.maxScore, verified: false,
      tests: feedback.caseResults.map(({ label, passed }) => ({ name: label, score: passed ? 1 : 0, max_score: 1 })),
      details: { kind: feedback.kind, title: feedback.title, detail: feedback.detail, line: feedback.line ?? null,
        array: feedback.array ?? null, element: feedback.element ?? null, values, hint: feedback.hint, seed } };
    embed.post("result", lastResult);
  }

  const verdicts = `dense-parity/verdict/${slug}/`, verdictKey = verdicts + version;
  const shell = exerciseShell({
    embed, timeoutS: params.timeoutS, codeKey, verdictKey, starter,
    initialCode: saved ?? starter, label: `Your Python code: the function ${exercise.function}`, runner: "function",
    run: runChecks, afterCheck,
    describe: (runtime) => `${runtime.describe()} · exercise ${name}, version ${version}`,
    readyDetails: () => ({ exercise: name, version }),
  });
  window.exercise = { getCode: shell.getCode, setCode: shell.setCode, check: shell.check, starter, version, name,
    get lastResult() { return lastResult; }, get state() { return document.documentElement.dataset.exercise; } };

  // Code saved under an earlier version of the exercise: kept, and offered beside the new starter.
  if (older.length) {
    const oldKey = older[older.length - 1];
    const notice = $("version-notice");
    notice.hidden = false;
    document.documentElement.dataset.versionNotice = "shown";
    const settle = () => {
      // The earlier versions' code goes, and their verdicts with it (judged against an exercise that is no more).
      [...older, ...storage.keys().filter((k) => k.startsWith(verdicts) && k !== verdictKey)].forEach((k) => storage.remove(k));
      notice.hidden = true;
      document.documentElement.dataset.versionNotice = "settled";
    };
    $("use-saved").addEventListener("click", () => { const code = storage.get(oldKey); settle(); if (code !== null) shell.setCode(code); });
    $("keep-starter").addEventListener("click", () => settle());
  }
}
