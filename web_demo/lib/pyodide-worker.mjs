// Pyodide in a Web Worker, for the harness page and the lesson pages alike. Python runs off the
// page's thread: the page stays responsive while Python runs, and code that never ends is
// stopped by terminating this worker (a main-thread Pyodide cannot be stopped).
//
// It finds the runtime through runtime-config.mjs: the local assembled folder, or the CDN in a
// site built with `build-site --runtime cdn`.
//
// Ops (worker-protocol.mjs): {op: "boot", module?} → versions (module: the page's compiled Pyodide
// core, pyodide-module.mjs); {op: "call", target, argument} → a string, for python_core entry points
// only; {type: "progress", stage, ms, bytes?: {loaded, total}} while booting.
import config from "./runtime-config.mjs";
import { bootPyodide } from "./pyodide-boot.mjs";
import { instantiatePyodideFrom } from "./pyodide-module.mjs";
import { serveWorker } from "./worker-protocol.mjs";
import { countFetchBytes } from "./fetch-bytes.mjs";

let resolve = null;
const started = performance.now();
const here = (path) => new URL(path, import.meta.url).href;

let stageNow = "starting";
let counter = null;   // the bytes fetched per stage while booting (fetch-bytes.mjs)
function progress(stage, bytes) {
  if (!bytes) { stageNow = stage; counter?.newStage(); }
  postMessage({ type: "progress", stage: stageNow, ms: Math.round(performance.now() - started), ...(bytes ? { bytes } : {}) });
}

serveWorker({
  async boot({ module }) {
    progress("loading Pyodide");
    const core = instantiatePyodideFrom(module);   // the page's compiled core, when it sent one
    counter = countFetchBytes((bytes) => progress(stageNow, bytes));
    const indexURL = here(config.indexURL);
    const { loadPyodide } = await import(indexURL + "pyodide.mjs");
    const packages = config.packages.map((p) => (/[/:]/.test(p) ? here(p) : p));
    const booted = await bootPyodide({ loadPyodide, options: { indexURL }, packages, progress });
    counter.stop();
    resolve = booted.resolve;
    progress("ready");
    return { ...booted.versions, runtime: config.mode, ...(module ? { core: core() } : {}) };
  },
  call({ target, argument }) {
    if (!resolve) throw new Error("call before boot");
    return resolve(target)(argument);
  },
});
