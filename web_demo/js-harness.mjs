// The page the native driver opens for the JavaScript reference (crosscheck/runtimes/js_chromium.py).
// The reference runs in js-harness-worker.mjs, driven by the same WorkerClient as Pyodide's worker,
// and window.harness has the same face as harness.mjs (the Pyodide page), so one host driver fits both:
//   harness.state "booting" | "ready" | "failed";  harness.error;  harness.versions
//   harness.call("wire:runBatch", requestJson, timeoutMs) → responseJson (web_demo/wire.mjs)
import { WorkerClient } from "./pyodide-client.mjs";

const status = document.getElementById("status");
const log = document.getElementById("log");
const started = performance.now();

function note(stage) {
  const ms = performance.now() - started;
  status.textContent = stage;
  log.textContent += `${(ms / 1000).toFixed(1).padStart(6)} s  ${stage}\n`;
  if (typeof window.__harnessProgress === "function") window.__harnessProgress(stage, ms);
}

const client = new WorkerClient({
  workerUrl: new URL("./js-harness-worker.mjs", import.meta.url),
  label: "the JavaScript reference worker",
  batchTarget: "wire:runBatch",
});

const harness = {
  state: "booting",
  error: null,
  versions: null,
  runBatch(request, timeoutMs) {
    return harness.call("wire:runBatch", request, timeoutMs);
  },
  async call(target, argument, timeoutMs) {
    try {
      return await client.call(target, argument, timeoutMs);
    } catch (err) {
      // The worker is gone after a timeout; boot a fresh one so the page can go on.
      if (err.name === "TimeoutError") harness.ready = boot();
      throw err;
    }
  },
};

async function boot() {
  harness.state = "booting";
  document.body.dataset.state = "booting";
  note("loading dense-layer.mjs and math.js in a worker");
  try {
    harness.versions = await client.boot(60000);
    harness.state = "ready";
    document.body.dataset.state = "ready";
    note("ready");
  } catch (err) {
    harness.state = "failed";
    harness.error = `${err.name}: ${err.message}`;
    document.body.dataset.state = "failed";
    note(`failed: ${harness.error}`);
  }
}

window.harness = harness;
harness.ready = boot();
