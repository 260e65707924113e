// The JavaScript reference DenseLayer, driven by the native host (crosscheck/runtimes/js_chromium.py).
// This one file is both the page's script and its Web Worker: the reference runs in the worker,
// so a batch that runs too long is stopped by terminating the worker, and the page keeps answering.
//
// window.harness has the same face as harness.mjs (the Pyodide page), so one host driver fits both:
//   harness.state "booting" | "ready" | "failed";  harness.error;  harness.versions
//   harness.call("wire:runBatch", requestJson, timeoutMs) → responseJson (web_demo/wire.mjs)
// The static import (rather than an await inside the worker branch) guarantees the worker's
// onmessage is set before its first message can be dispatched.
import * as wire from "./wire.mjs";

const inWorker = typeof window === "undefined";

if (inWorker) {
  const ops = {
    boot: () => wire.runtimeVersions(),
    call({ target, argument }) {
      if (target !== "wire:runBatch") throw new Error(`js-chromium can call "wire:runBatch" only, got ${JSON.stringify(target)}`);
      return wire.runBatch(argument);
    },
  };
  self.onmessage = (event) => {
    const { id, op } = event.data;
    try {
      if (!Object.hasOwn(ops, op)) throw new Error(`unknown op ${op}`);
      postMessage({ id, ok: true, value: ops[op](event.data) });
    } catch (err) {
      postMessage({ id, ok: false, error: wire.errorRecord(err) });
    }
  };
} else {
  const status = document.getElementById("status");
  const log = document.getElementById("log");
  const started = performance.now();
  const note = (stage) => {
    const ms = performance.now() - started;
    status.textContent = stage;
    log.textContent += `${(ms / 1000).toFixed(1).padStart(6)} s  ${stage}\n`;
    if (typeof window.__harnessProgress === "function") window.__harnessProgress(stage, ms);
  };

  let worker = null;
  let nextId = 1;
  const pending = new Map();

  function spawn() {
    worker = new Worker(import.meta.url, { type: "module" });
    worker.onmessage = ({ data }) => {
      const entry = pending.get(data.id);
      if (!entry) return;
      pending.delete(data.id);
      clearTimeout(entry.timer);
      if (data.ok) entry.resolve(data.value);
      else entry.reject(Object.assign(new Error(data.error.message), { name: data.error.type, record: data.error }));
    };
    worker.onerror = (event) => {
      // A module that fails to load (missing file, syntax error) lands here.
      const err = Object.assign(new Error(event.message || "the worker failed to load"), { name: "WorkerError" });
      for (const entry of pending.values()) { clearTimeout(entry.timer); entry.reject(err); }
      pending.clear();
    };
  }

  function request(op, payload, timeoutMs) {
    if (!worker) spawn();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        worker.terminate();
        worker = null;
        for (const entry of pending.values()) { clearTimeout(entry.timer); entry.reject(new Error("the worker was stopped")); }
        pending.clear();
        reject(Object.assign(new Error(`${op} did not finish within ${(timeoutMs / 1000).toFixed(1)} s; the worker was stopped`),
          { name: "TimeoutError" }));
        harness.ready = boot();  // a fresh worker, so the page can go on
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, op, ...payload });
    });
  }

  const harness = {
    state: "booting",
    error: null,
    versions: null,
    call: (target, argument, timeoutMs = 120000) => request("call", { target, argument }, timeoutMs),
    runBatch: (requestJson, timeoutMs) => harness.call("wire:runBatch", requestJson, timeoutMs),
  };

  async function boot() {
    harness.state = "booting";
    note("loading dense-layer.mjs and math.js in a worker");
    try {
      harness.versions = await request("boot", {}, 60000);
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
}
