// What every exercise page does around its own question: the Python editor (editor.mjs) with the
// learner's code saved in this browser, the last verdict kept across a reload, the Check button
// (aria-disabled while it cannot run, so the learner's focus stays on it), a fresh Pyodide worker per
// check (exercise-runner.mjs) with its loading bar, the feedback box, and the embed protocol's
// check/setCode/reset. The page says what its exercise is: how to run and judge a check (`run`),
// and what it tells the embedding page afterwards (`afterCheck`).
import { EditorView, setDiagnostics } from "../vendor/editor.mjs";
import { pythonEditorExtensions, keysNote, CHECK_KEY } from "./editor.mjs";
import { el } from "../lib/dom.mjs";
import { ExerciseRunner } from "./exercise-runner.mjs";

const $ = (id) => document.getElementById(id);

/** localStorage that never throws: storage may be blocked in a frame, and then the page works without it. */
export const storage = {
  get(key) { try { return localStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, value); return true; } catch { return false; } },
  remove(key) { try { localStorage.removeItem(key); } catch { /* blocked */ } },
  keys() { try { return Object.keys(localStorage); } catch { return []; } },
};

/** The feedback for a check stopped at the time limit, naming the loop it was going round when the worker said. */
export function stoppedFeedback(timeoutS, line) {
  return { passed: false, kind: "timeout", line: line ?? null,
    title: line ? `Stopped after ${timeoutS} s: it was running the loop on line ${line}`
      : `Stopped: your code was still running after ${timeoutS} s`,
    detail: "It probably never ends (a loop whose condition stays true?). The Python worker was stopped (every check " +
      "gets a fresh one); your code is kept. Fix it and press Check again.", values: [], hint: null, caseResults: [] };
}

/** The feedback for a check that could not run at all (the page or the runtime, not the learner's code). */
export function brokenFeedback(err, hint) {
  return { passed: false, kind: "failure", title: "The check could not run", detail: `${err.name}: ${err.message}`,
    values: [], hint, caseResults: [] };
}

const VERDICT_FIELDS = ["passed", "kind", "title", "detail", "values", "hint", "caseInputs", "caseResults"];
const LEARNER_EVENTS = ["input", "delete", "move", "undo", "redo"];

/**
 * Sets up the page's shell. Options:
 *   embed, timeoutS       the page's Embed and time limit
 *   codeKey, verdictKey   where the learner's code and the last verdict are kept
 *   starter, initialCode  the starter, and what the editor shows first (saved code, or the starter)
 *   label                 the editor's accessible name
 *   runner                "layer" (exercise_runner.py) or "function" (function_runner.py)
 *   run(code, seed, runtime) → feedback (never rejects: the page turns its errors into feedback)
 *   afterCheck(feedback, seed)   what the page does with a verdict besides showing it
 *   describe(runtime), readyDetails()   the footer's text and the `ready` event's details
 * → {getCode, setCode, check, reset, showFeedback, setState, runtime, view}
 */
export function exerciseShell({ embed, timeoutS, codeKey, verdictKey, starter, initialCode, label, runner,
  run, afterCheck = () => {}, describe = (runtime) => runtime.describe(), readyDetails = () => ({}) }) {
  // --- the learner's code, kept in this browser ---------------------------------------------
  function save(code) {
    let said;
    if (code === starter) {
      storage.remove(codeKey);
      said = "Starter code.";
    } else {
      said = storage.set(codeKey, code) ? "Your code is saved in this browser."
        : "This browser does not allow saving here: copy your code before leaving.";
    }
    // Set only when it changes: the line is a live region, and each keystroke's save must not be announced.
    if ($("saved").textContent !== said) $("saved").textContent = said;
  }

  // Code the embedding page sends (setCode) is shown, not saved: it never replaces the learner's own
  // saved code. Saving resumes with the learner's next edit of their own.
  let hostCode = false;
  let saveTimer = null;
  const view = new EditorView({
    doc: initialCode,
    parent: $("editor"),
    extensions: [
      ...pythonEditorExtensions({ onCheck: () => check(), label }),
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
  $("saved").textContent = initialCode !== starter && storage.get(codeKey) === initialCode ? "Your saved code was restored." : "Starter code.";
  const getCode = () => view.state.doc.toString();
  function setCode(code, { fromHost = false } = {}) {
    clearTimeout(saveTimer);
    hostCode = fromHost;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
    view.dispatch(setDiagnostics(view.state, []));
    if (fromHost) $("saved").textContent = "Code from the lesson page: not saved over your own until you edit it.";
    else save(code);
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

  // --- feedback, and the last verdict kept with the code it judged ---------------------------------
  function setState(state) { document.documentElement.dataset.exercise = state; }

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

  function showCaseList(caseResults) {
    $("cases").replaceChildren(...(caseResults || []).map(({ label: name, passed }) =>
      el("li", { class: passed === true ? "pass" : passed === false ? "fail" : "skipped" }, passed === null ? `${name}: not run` : name)));
  }

  function keepVerdict(feedback) {
    storage.set(verdictKey, JSON.stringify({ code: getCode(), at: new Date().toISOString(),
      feedback: Object.fromEntries(VERDICT_FIELDS.map((k) => [k, feedback[k] ?? null])) }));
  }

  function restoreVerdict() {
    let kept;
    try { kept = JSON.parse(storage.get(verdictKey)); } catch { return; }
    if (!kept || !kept.feedback || typeof kept.feedback.title !== "string") return;
    const when = new Date(kept.at).toLocaleString();
    const same = kept.code === getCode();
    showFeedback({ ...kept.feedback, values: kept.feedback.values || [],
      kept: same ? `Your last check of this code (${when}), kept from before the reload.`
        : `Your last check (${when}), of an earlier version of the code: press Check to check it as it is now.` });
    showCaseList(kept.feedback.caseResults);
    $("feedback").dataset.restored = same ? "same-code" : "older-code";
  }

  function markLine(line, message) {
    if (!line || line > view.state.doc.lines) return;
    const { from, to } = view.state.doc.line(line);
    view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message }]));
    view.dispatch({ effects: EditorView.scrollIntoView(from, { y: "center" }) });
  }

  // --- checking ---------------------------------------------------------------------------------
  const runtime = new ExerciseRunner($("loading"), { onStateChange: () => updateButton(), runner });
  let checking = false;

  function updateButton() {
    const button = $("check");
    // aria-disabled, not disabled: a disabled button drops the focus of the learner who pressed it.
    button.disabled = false;
    button.setAttribute("aria-disabled", String(checking || runtime.state !== "ready"));
    button.textContent = checking ? "Checking…" : runtime.state === "ready" ? "Check" :
      runtime.state === "failed" ? "Check (Python failed to load)" : "Check (Python loading…)";
  }

  async function check() {
    if (checking || runtime.state !== "ready") return;
    checking = true;
    updateButton();
    setState("checking");
    view.dispatch(setDiagnostics(view.state, []));
    $("check-status").textContent = runtime.spare?.state === "ready" ? `Running your code (stopped after ${timeoutS} s)…`
      : "Starting a fresh Python for this check…";
    const seed = crypto.getRandomValues(new Uint32Array(1))[0];
    let feedback;
    try {
      feedback = await run(getCode(), seed, runtime);
    } finally {
      checking = false;
      updateButton();
      $("check-status").textContent = "";
    }
    showFeedback(feedback);
    keepVerdict(feedback);
    if (feedback.line) markLine(feedback.line, `${feedback.title}: ${feedback.detail}`);
    showCaseList(feedback.caseResults);
    setState(feedback.passed ? "passed" : feedback.mistake ? "mistake" : feedback.kind);
    afterCheck(feedback, seed);
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

  setState("booting");
  updateButton();
  restoreVerdict();
  runtime.boot().then(() => {
    $("meta").textContent = describe(runtime);
    if (runtime.state === "ready") {
      setState("idle");
      embed.post("ready", { versions: runtime.versions, ...readyDetails() });
    } else {
      embed.post("error", { message: `Python could not be loaded: ${runtime.error}` });
    }
  });

  return { getCode, setCode, check, reset, showFeedback, setState, runtime, view };
}
