// A course's declared exercise (`build-site --lessons COURSE.toml`): the learner writes one check's Python
// function; Check runs it in a fresh Pyodide worker (exercise-runner.mjs, function_runner.py) on the
// lesson's cases and fresh hidden ones, and judges its results against the check's own JavaScript
// function, run here on the page's thread before the learner's code runs. The exercise's description
// (exercises/NAME.json: the check's declaration, the starter, the lesson's cases, the declared mistakes'
// results on them) and the JavaScript function's bundle (exercises/NAME-reference.mjs) come from the build;
// the check's Python function never ships. The verdict is feedback, marked unverified in the `result`
// event: `grade --lessons` gives credit (docs/pages.md).
import { EditorView, basicSetup, keymap, indentWithTab, python, setDiagnostics, lintGutter } from "../vendor/editor.mjs";
import { runFunctionBatch } from "../lib/functions.mjs";
import { drawCases } from "../lib/lesson-cases.mjs";
import { Embed, readParams } from "../lib/embed.mjs";
import { el, showProblems } from "../lib/dom.mjs";
import { decodeOutputs, judge } from "./declared-check.mjs";
import { ExerciseRunner } from "./exercise-runner.mjs";

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

  // --- the learner's code, saved per exercise and version --------------------------------------
  const prefix = `dense-parity/exercise/${slug}/`;
  const storageKey = prefix + version;
  const attemptsKey = `dense-parity/attempts/${slug}/${version}`;
  const storage = {
    get(key) { try { return localStorage.getItem(key); } catch { return null; } },
    set(key, value) { try { localStorage.setItem(key, value); return true; } catch { return false; } },
    remove(key) { try { localStorage.removeItem(key); } catch { /* storage blocked in a frame */ } },
    older() {
      try {
        return Object.keys(localStorage).filter((k) => k.startsWith(prefix) && k !== storageKey);
      } catch { return []; }
    },
  };
  function save(code) {
    if (code === starter) {
      storage.remove(storageKey);
      $("saved").textContent = "Starter code.";
    } else {
      $("saved").textContent = storage.set(storageKey, code) ? "Your code is saved in this browser."
        : "This browser does not allow saving here: copy your code before leaving.";
    }
  }
  const saved = storage.get(storageKey);
  const older = saved === null ? storage.older() : [];

  let hostCode = false, saveTimer = null;
  const LEARNER_EVENTS = ["input", "delete", "move", "undo", "redo"];
  const view = new EditorView({
    doc: saved ?? starter,
    parent: $("editor"),
    extensions: [
      basicSetup, python(), lintGutter(),
      keymap.of([{ key: "Mod-Enter", run: () => { check(); return true; } }, indentWithTab]),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        if (update.transactions.some((tr) => LEARNER_EVENTS.some((e) => tr.isUserEvent(e)))) hostCode = false;
        if (hostCode) return;
        clearTimeout(saveTimer);
        saveTimer = setTimeout(() => save(getCode()), 300);
      }),
    ],
  });
  $("saved").textContent = saved !== null ? "Your saved code was restored." : "Starter code.";
  const getCode = () => view.state.doc.toString();
  function setCode(code, { fromHost = false } = {}) {
    clearTimeout(saveTimer);
    hostCode = fromHost;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
    view.dispatch(setDiagnostics(view.state, []));
    if (fromHost) $("saved").textContent = "Code from the lesson page: not saved over your own until you edit it.";
    else save(code);
  }
  window.addEventListener("pagehide", () => { clearTimeout(saveTimer); if (!hostCode) save(getCode()); });

  // Code saved under an earlier version of the exercise: kept, and offered beside the new starter.
  if (older.length) {
    const oldKey = older[older.length - 1];
    const notice = $("version-notice");
    notice.hidden = false;
    document.documentElement.dataset.versionNotice = "shown";
    const settle = () => { older.forEach((k) => storage.remove(k)); notice.hidden = true; document.documentElement.dataset.versionNotice = "settled"; };
    $("use-saved").addEventListener("click", () => { const code = storage.get(oldKey); settle(); if (code !== null) setCode(code); });
    $("keep-starter").addEventListener("click", () => settle());
  }

  function reset({ fromHost = false } = {}) {
    setCode(starter, { fromHost });
    showFeedback({ kind: "info", title: "", detail: "The starter code is back (Ctrl+Z undoes the reset)." });
    setState("idle");
  }
  $("reset").addEventListener("click", () => reset());

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
  const runtime = new ExerciseRunner($("loading"), { onStateChange: () => updateButton(), runner: "function" });
  let checking = false;
  function updateButton() {
    const button = $("check");
    button.disabled = checking || runtime.state !== "ready";
    button.textContent = checking ? "Checking…" : runtime.state === "ready" ? "Check" :
      runtime.state === "failed" ? "Check (Python failed to load)" : "Check (Python loading…)";
  }
  function setState(state) { document.documentElement.dataset.exercise = state; }
  function showFeedback({ kind, title, detail, values = [], hint = null }) {
    const box = $("feedback");
    box.className = `message ${kind === "pass" ? "ok" : kind === "info" ? "info" : "bad"}`;
    box.dataset.kind = kind;
    box.replaceChildren(...[
      title && el("strong", {}, title),
      detail && el("div", { class: "detail" }, detail),
      values.length && el("div", { class: "values" }, values.flatMap(([k, v]) => [el("span", {}, k), el("span", { dataset: { value: k } }, v)])),
      hint && el("div", { class: "hint" }, "Hint: ", hint),
    ].filter(Boolean));
  }
  function markLine(line, message) {
    if (!line || line > view.state.doc.lines) return;
    const { from, to } = view.state.doc.line(line);
    view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message }]));
  }

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

  async function runChecks(seed) {
    const cases = [...exercise.lessonCases, ...drawCases(exercise.check, exercise.hiddenCases, seed)];
    try {
      const expected = await reference(cases);   // before the learner's code runs, on this thread
      const reply = await runtime.check(JSON.stringify({ code: getCode(), function: exercise.function,
        args: exercise.check.args, cases: cases.map((c) => c.inputs) }), params.timeoutS * 1000);
      return judge(exercise, cases, expected, reply);
    } catch (err) {
      const caseResults = cases.map(({ label }) => ({ label, passed: false }));
      if (err.name === "TimeoutError") {
        return { passed: false, kind: "timeout", title: `Stopped: your code was still running after ${params.timeoutS} s`,
          detail: "It probably never ends (a loop whose condition stays true?). The Python worker was stopped (every check " +
            "gets a fresh one); your code is kept. Fix it and press Check again.", values: [], hint: null, caseResults,
          score: 0, maxScore: cases.length };
      }
      embed.post("error", { message: `${err.name}: ${err.message}` });
      return { passed: false, kind: "failure", title: "The check could not run", detail: `${err.name}: ${err.message}`,
        values: [], hint: "Reload the page; if it happens again, the page is broken, not your code.", caseResults,
        score: 0, maxScore: cases.length };
    }
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
    attempts += 1;
    storage.set(attemptsKey, String(attempts));
    showFeedback(feedback);
    if (feedback.line) markLine(feedback.line, `${feedback.title}: ${feedback.detail}`);
    $("cases").replaceChildren(...feedback.caseResults.map(({ label, passed }) =>
      el("li", { class: passed ? "pass" : "fail" }, label)));
    showAttempts(feedback.passed);
    setState(feedback.passed ? "passed" : feedback.mistake ? "mistake" : feedback.kind);
    const values = Object.fromEntries((feedback.values || []).filter(([k]) => k === "expected" || k === "given"));
    // The same exercise and version as grade's results.json; computed in the learner's browser, so unverified.
    lastResult = { passed: feedback.passed, exercise: name, version, score: feedback.score,
      max_score: feedback.maxScore, verified: false,
      tests: feedback.caseResults.map(({ label, passed }) => ({ name: label, score: passed ? 1 : 0, max_score: 1 })),
      details: { kind: feedback.kind, title: feedback.title, detail: feedback.detail, line: feedback.line ?? null,
        array: feedback.array ?? null, element: feedback.element ?? null, values, hint: feedback.hint, seed } };
    embed.post("result", lastResult);
  }
  let lastResult = null;
  $("check").addEventListener("click", () => check());

  embed.on("check", () => check());
  embed.on("setCode", (message) => {
    if (typeof message.code !== "string") return;
    setCode(message.code, { fromHost: true });
    embed.post("codeSet", {});
  });
  embed.on("reset", () => reset({ fromHost: true }));
  window.exercise = { getCode, setCode, check, starter, version, name, get lastResult() { return lastResult; },
    get state() { return document.documentElement.dataset.exercise; } };

  setState("booting");
  updateButton();
  runtime.boot().then(() => {
    $("meta").textContent = `${runtime.describe()} · exercise ${name}, version ${version}`;
    if (runtime.state === "ready") {
      setState("idle");
      embed.post("ready", { versions: runtime.versions, exercise: name, version });
    } else {
      embed.post("error", { message: `Python could not be loaded: ${runtime.error}` });
    }
  });
}
