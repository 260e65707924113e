// The exercise's worker: a fresh Pyodide for ONE check of the learner's code, then thrown away.
//
// It loads Pyodide, NumPy, exercise_runner.py, the wire's codec and the lesson's DenseLayer contract, nothing
// else: not the dense-parity package,
// so no reference DenseLayer and no checker are within reach of the learner's code. It computes
// no expected values; the page judges the arrays it sends back against the JavaScript reference.
//
// Protocol (exercise-runner.mjs is the other side):
//   {op: "boot", module?, snapshot?} on the worker's global channel (the page's compiled Pyodide core
//        and a started interpreter's memory snapshot, lib/pyodide-module.mjs)
//        → {type: "progress", stage, ms}…, then {type: "booted", ok, versions | error}
//   {op: "check", request, runner?} with a MessagePort transferred in the same message (runner "function":
//        function_runner.py's run, a course's declared exercise; else exercise_runner.py's)
//        → ONE reply on that port: {ok: true, reply: string} | {ok: false, error}; and, with a second port transferred
//        beside it, now and then the line of the learner's code that is running (a number), from
//        exercise_runner.py's watch_loops
// Learner code runs in this worker's JavaScript realm (Pyodide's `js` module is its global
// scope), so it can post on the global channel and patch globals and prototypes. The reply
// cannot be forged through any of them: the port lives only in this module's scope, never on
// a global; the function that posts on it is bound before learner code runs (a later patch of
// MessagePort.prototype.postMessage does not reach a bound function); and the page takes the
// check's reply only from that port, and nothing from the global channel once a check started.
import config from "../lib/runtime-config.mjs";
import { instantiatePyodideFrom } from "../lib/pyodide-module.mjs";
import { countFetchBytes } from "../lib/fetch-bytes.mjs";

const started = performance.now();
const here = (path) => new URL(path, import.meta.url).href;
let runner = null;        // the runner's run(), a Python function: string → string
let functionRunner = null;   // function_runner.py's run(), for a course's declared exercises
let watchLoops = {};   // per runner, exercise_runner.py's watch_loops(report): reports the loop the learner's code entered last
let checked = false;
const bindPost = Function.prototype.bind.bind(MessagePort.prototype.postMessage);   // taken at load

let stageNow = "starting";
let counter = null;   // the bytes fetched per stage while booting (fetch-bytes.mjs)
function progress(stage, bytes) {   // bytes: {loaded, total} of what this boot fetched so far (fetch-bytes.mjs)
  if (!bytes) { stageNow = stage; counter?.newStage(); }
  postMessage({ type: "progress", stage: stageNow, ms: Math.round(performance.now() - started), ...(bytes ? { bytes } : {}) });
}

const describe = (err) => ({ type: err?.name || "Error", message: String(err?.message ?? err) });

async function boot(module, snapshot) {
  progress("loading Pyodide");
  const indexURL = here(config.indexURL);
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  let core = instantiatePyodideFrom(module);
  counter = countFetchBytes((bytes) => progress(stageNow, bytes));   // undone before any learner code
  let pyodide = null, start = "boot";
  if (snapshot instanceof Uint8Array) {
    try {   // a started interpreter's memory, made by the page before any learner code (pyodide-module.mjs)
      pyodide = await loadPyodide({ indexURL, _loadSnapshot: snapshot });
      start = "snapshot";
    } catch {
      core = instantiatePyodideFrom(module);   // the hook was used up: a plain start, as without a snapshot
    }
  }
  pyodide ??= await loadPyodide({ indexURL });
  progress("loading NumPy");
  // NumPy only: the lock (local runtime or the CDN's) names it; dense-parity stays out.
  await pyodide.loadPackage(["numpy"], { messageCallback: () => {}, errorCallback: (m) => progress(m) });
  progress("importing the exercise runner");
  const fetchText = async (path) => {
    const response = await fetch(here(path));
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.text();
  };
  const [codec, contract, source, functionSource] = await Promise.all([
    fetchText("../vendor/wire_codec.py"), fetchText("../vendor/layer_contract.py"), fetchText("./exercise_runner.py"),
    fetchText("./function_runner.py")]);
  // The wire's codec (python_core/codec.py) and the lesson's DenseLayer contract (python_core/layer_contract.py):
  // the two modules the runner imports beside NumPy, neither of them a reference layer.
  pyodide.FS.mkdirTree("/exercise");
  pyodide.FS.writeFile("/exercise/wire_codec.py", codec);
  pyodide.FS.writeFile("/exercise/layer_contract.py", contract);
  pyodide.runPython("import sys; sys.path.insert(0, '/exercise')", { globals: pyodide.globals.get("dict")() });
  // In a namespace of its own, not in sys.modules: nothing imports it by name.
  const namespace = pyodide.globals.get("dict")();
  namespace.set("__name__", "exercise_runner");
  pyodide.runPython(source, { globals: namespace, filename: "exercise_runner.py" });
  counter.stop();
  runner = namespace.get("run");
  watchLoops.layer = namespace.get("watch_loops");
  // A declared exercise's runner takes the learner's gaps and errors from exercise_runner, by import.
  pyodide.FS.writeFile("/exercise/exercise_runner.py", source);
  const functions = pyodide.globals.get("dict")();
  functions.set("__name__", "function_runner");
  pyodide.runPython(functionSource, { globals: functions, filename: "function_runner.py" });
  functionRunner = functions.get("run");
  watchLoops.function = functions.get("watch_loops");   // the imported exercise_runner's, which function_runner re-arms
  const versions = JSON.parse(pyodide.runPython(
    "import json, platform, sys, numpy\njson.dumps({'python': platform.python_version(), 'numpy': numpy.__version__})",
    { globals: pyodide.globals.get("dict")() }));
  progress("ready");
  return { ...versions, pyodide: pyodide.version, runtime: config.mode, core: core(), start };
}

self.onmessage = async (event) => {
  const { op } = event.data || {};
  if (op === "boot") {
    try {
      postMessage({ type: "booted", ok: true, versions: await boot(event.data.module, event.data.snapshot) });
    } catch (err) {
      postMessage({ type: "booted", ok: false, error: describe(err) });
    }
    return;
  }
  if (op !== "check" || checked || !runner || !event.ports.length) return;
  checked = true;
  self.onmessage = null;   // one check per worker
  const port = event.ports[0];
  const send = bindPost(port);   // bound before learner code runs
  const request = event.data.request;
  let message;
  try {
    const kind = event.data.runner === "function" ? "function" : "layer";
    if (event.ports[1]) watchLoops[kind](bindPost(event.ports[1]));
    const reply = (kind === "function" ? functionRunner : runner)(request);
    message = typeof reply === "string" ? { ok: true, reply } : { ok: false, error: { type: "TypeError", message: "the runner returned no text" } };
  } catch (err) {
    // Learner code may have patched what describing an error uses: keep it to what cannot fail.
    message = { ok: false, error: { type: "RunnerError", message: typeof err?.message === "string" ? err.message : "the runner failed" } };
  }
  send(message);
};
