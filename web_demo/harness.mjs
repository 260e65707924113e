// The page the native driver opens: boots Pyodide in a worker and exposes window.harness.
//   harness.state  "booting" | "ready" | "failed";   harness.error  the reason when failed
//   harness.call(target, argument, timeoutMs) → python_core function's string result
//   harness.runBatch(requestJson, timeoutMs) → responseJson (python_core.wire.run_batch)
// Progress goes to the page and, when the host exposes it, to window.__harnessProgress.
import { PyodideClient } from "./pyodide-client.mjs";

const status = document.getElementById("status");
const log = document.getElementById("log");

function onProgress(stage, ms) {
  status.textContent = `${stage} (${(ms / 1000).toFixed(1)} s)`;
  log.textContent += `${(ms / 1000).toFixed(1).padStart(6)} s  ${stage}\n`;
  if (typeof window.__harnessProgress === "function") window.__harnessProgress(stage, ms);
}

const client = new PyodideClient({ onProgress });
const harness = {
  state: "booting",
  error: null,
  versions: null,
  runBatch(request, timeoutMs) {
    return harness.call("python_core.wire:run_batch", request, timeoutMs);
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
  try {
    harness.versions = await client.boot();
    harness.state = "ready";
    document.body.dataset.state = "ready";
  } catch (err) {
    harness.state = "failed";
    harness.error = `${err.name}: ${err.message}`;
    status.textContent = `failed: ${harness.error}`;
    document.body.dataset.state = "failed";
  }
}

window.harness = harness;
harness.ready = boot();
