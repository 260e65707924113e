// Pyodide in a Web Worker: the page stays responsive while Python runs, and a runaway
// computation is stopped by terminating the worker (a main-thread Pyodide cannot be).
//
// Protocol: {id, op, ...} in; {id, ok, value | error} out; {type: "progress", stage, ms} while booting.
//   {op: "boot"}                                    → versions
//   {op: "call", target: "python_core.x:fn", argument: string} → fn(argument), a string
// Only functions of python_core can be called: the worker runs the project's code, not the page's.
import { loadPyodide } from "./pyodide/pyodide.mjs";

let pyodide = null;
const started = performance.now();
const functions = new Map();

function progress(stage) {
  postMessage({ type: "progress", stage, ms: Math.round(performance.now() - started) });
}

function errorRecord(err) {
  // A Python exception surfaces as PythonError whose message is the formatted traceback;
  // its last line is "Type: message".
  if (err && err.type && err.constructor && err.constructor.name === "PythonError") {
    const lines = String(err.message).trim().split("\n");
    const last = lines[lines.length - 1];
    const message = last.startsWith(err.type + ": ") ? last.slice(err.type.length + 2) : last;
    return { type: err.type, message, traceback: err.message };
  }
  return { type: (err && err.name) || "Error", message: String((err && err.message) || err), traceback: (err && err.stack) || "" };
}

function resolve(target) {
  const match = /^(python_core(?:\.\w+)*):(\w+)$/.exec(target || "");
  if (!match) throw new Error(`call target must look like "python_core.module:function", got ${JSON.stringify(target)}`);
  if (!functions.has(target)) {
    const module = pyodide.pyimport(match[1]);
    functions.set(target, module[match[2]]);
  }
  return functions.get(target);
}

const ops = {
  async boot() {
    progress("loading Pyodide");
    pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href });
    progress("loading numpy and dense-parity");
    await pyodide.loadPackage("dense-parity", { messageCallback: () => {}, errorCallback: (m) => progress(m) });
    progress("importing python_core");
    const versions = JSON.parse(resolve("python_core.wire:versions_json")());
    progress("ready");
    return { ...versions, pyodide: pyodide.version };
  },
  async call({ target, argument }) {
    if (!pyodide) throw new Error("call before boot");
    return resolve(target)(argument);
  },
};

self.onmessage = async (event) => {
  const { id, op } = event.data;
  try {
    if (!Object.hasOwn(ops, op)) throw new Error(`unknown op ${op}`);
    postMessage({ id, ok: true, value: await ops[op](event.data) });
  } catch (err) {
    postMessage({ id, ok: false, error: errorRecord(err) });
  }
};
