// The page the native driver opens (crosscheck/runtimes/browser/page.py). One worker per page:
//   harness.html                 python_core in Pyodide (lib/pyodide-worker.mjs)
//   harness.html?runtime=js      the JavaScript reference (harness/js-worker.mjs, through lib/wire.mjs)
// and one face for the host, so one driver fits both:
//   harness.state  "booting" | "ready" | "failed";   harness.error  the reason when failed
//   harness.call(target, argument, timeoutMs) → the target function's string result
//   harness.runBatch(requestJson, timeoutMs) → responseJson (the wire format)
// Progress goes to the page and, when the host exposes it, to window.__harnessProgress.
import { WorkerClient } from "../lib/worker-client.mjs";
import { FACTS } from "../lib/facts.mjs";

const WORKERS = {
  pyodide: { workerUrl: "../lib/pyodide-worker.mjs", label: "the Pyodide worker",
             batchTarget: "python_core.wire:run_batch", bootMs: 1000 * FACTS.timeouts_s.boot },
  js: { workerUrl: "./js-worker.mjs", label: "the JavaScript reference worker",
        batchTarget: "wire:runBatch", bootMs: 1000 * FACTS.timeouts_s.boot_js },
};

const status = document.getElementById("status");
const log = document.getElementById("log");
const started = performance.now();
const kind = new URLSearchParams(location.search).get("runtime") || "pyodide";

function onProgress(stage, ms = performance.now() - started) {
  status.textContent = `${stage} (${(ms / 1000).toFixed(1)} s)`;
  log.textContent += `${(ms / 1000).toFixed(1).padStart(6)} s  ${stage}\n`;
  if (typeof window.__harnessProgress === "function") window.__harnessProgress(stage, ms);
}

const spec = WORKERS[kind];
// After a call times out its worker is gone: boot a fresh one so the page can go on.
const client = spec && new WorkerClient({ ...spec, workerUrl: new URL(spec.workerUrl, import.meta.url), onProgress,
                                          onCallTimeout: () => { harness.ready = boot(); } });
const harness = {
  state: "booting",
  error: null,
  versions: null,
  runBatch(request, timeoutMs) {
    return harness.call(spec.batchTarget, request, timeoutMs);
  },
  call(target, argument, timeoutMs) {
    return client.call(target, argument, timeoutMs);
  },
};

async function boot() {
  harness.state = "booting";
  document.body.dataset.state = "booting";
  try {
    if (!spec) throw new Error(`unknown runtime ${JSON.stringify(kind)}; expected one of ${Object.keys(WORKERS).join(", ")}`);
    if (kind === "js") onProgress("loading dense-layer.mjs and math.js in a worker");
    harness.versions = await client.boot(spec.bootMs);
    harness.state = "ready";
    document.body.dataset.state = "ready";
    if (kind === "js") onProgress("ready");
  } catch (err) {
    harness.state = "failed";
    harness.error = `${err.name}: ${err.message}`;
    status.textContent = `failed: ${harness.error}`;
    document.body.dataset.state = "failed";
  }
}

document.getElementById("what").textContent = kind === "js" ? "the JavaScript reference DenseLayer (math.js)" : "python_core in Pyodide";
window.harness = harness;
harness.ready = boot();
