// Pyodide in a Web Worker, for the harness page and the lesson pages alike. Python runs off the
// page's thread: the page stays responsive while Python runs, and code that never ends is
// stopped by terminating this worker (a main-thread Pyodide cannot be stopped).
//
// It finds the runtime through runtime-config.mjs: the local assembled folder, or the CDN in a
// site built with `build-site --runtime cdn`.
//
// Protocol: {id, op, ...} in; {id, ok, value | error} out; {type: "progress", stage, ms} while booting.
//   {op: "boot"}                                               → versions
//   {op: "call", target: "python_core.x:fn", argument: string} → fn(argument), a string
import config from "./runtime-config.mjs";
import { errorRecord, pythonFunctions } from "./python-calls.mjs";

let pyodide = null;
let resolve = null;
const started = performance.now();
const here = (path) => new URL(path, import.meta.url).href;

function progress(stage) {
  postMessage({ type: "progress", stage, ms: Math.round(performance.now() - started) });
}

const ops = {
  async boot() {
    progress("loading Pyodide");
    const indexURL = here(config.indexURL);
    const { loadPyodide } = await import(indexURL + "pyodide.mjs");
    pyodide = await loadPyodide({ indexURL });
    progress("loading NumPy and dense-parity");
    const packages = config.packages.map((p) => (/[/:]/.test(p) ? here(p) : p));
    // Pyodide reports a package it could not load (a wheel whose sha256 differs from pyodide-lock.json
    // is refused by the browser's integrity check) only through errorCallback, and goes on; the import
    // would then fail with a bare ModuleNotFoundError. Say what happened instead.
    const loadErrors = [];
    await pyodide.loadPackage(packages, {
      messageCallback: () => {},
      errorCallback: (m) => { loadErrors.push(m); progress(m); },
    });
    if (loadErrors.length) {
      throw new Error(`could not load ${packages.join(", ")}: ${loadErrors.join("; ")}. A file of the Python ` +
        "runtime does not match the sha256 in pyodide-lock.json (changed or damaged after assembly), or is " +
        "missing; rebuild it with `python -m crosscheck assemble`");
    }
    progress("importing python_core");
    resolve = pythonFunctions(pyodide);
    const versions = JSON.parse(resolve("python_core.wire:versions_json")());
    progress("ready");
    return { ...versions, pyodide: pyodide.version, runtime: config.mode };
  },
  async call({ target, argument }) {
    if (!resolve) throw new Error("call before boot");
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
