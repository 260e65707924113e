// The page's side of a worker that answers requests: lib/pyodide-worker.mjs (Python) or
// harness/js-worker.mjs (the JavaScript reference). Requests have timeouts, and a worker that runs
// too long is terminated, so the page always keeps answering; the next request starts a fresh one.
//
// Worker protocol: {id, op, ...} in; {id, ok, value | error: {type, message, traceback}} out;
// {type: "progress", stage, ms} at any time (passed to onProgress).
//   {op: "boot"} → versions;   {op: "call", target, argument: string} → a string

import { FACTS } from "./facts.mjs";
import { compiledPyodide } from "./pyodide-module.mjs";

const BOOT_MS = 1000 * FACTS.timeouts_s.boot;
const RUN_MS = 1000 * FACTS.timeouts_s.run;

export class TimeoutError extends Error {
  constructor(what, ms, worker = "the Pyodide worker") {
    super(`${what} did not finish within ${(ms / 1000).toFixed(1)} s; ${worker} was stopped`);
    this.name = "TimeoutError";
  }
}

export class RemoteError extends Error {
  constructor(record) {
    super(record.message);
    this.name = record.type;
    this.record = record;
  }
}

export class WorkerClient {
  /** workerUrl: the worker module; label: how messages name it ("the Pyodide worker");
   *  batchTarget: what runBatch calls (the worker's wire.run_batch); onCallTimeout: called after a
   *  call timed out and its worker was stopped (to boot a fresh one, so the page can go on). */
  constructor({ workerUrl, label = "the worker", batchTarget = null, onProgress = () => {}, onCallTimeout = () => {} }) {
    if (!workerUrl) throw new TypeError("WorkerClient needs a workerUrl");
    Object.assign(this, { workerUrl, label, batchTarget, onProgress, onCallTimeout });
    this.worker = null;
    this.nextId = 1;
    this.pending = new Map();  // request id → {resolve, reject, timer}
    this.versions = null;
  }

  _spawn() {
    this.worker = new Worker(this.workerUrl, { type: "module" });
    this.worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === "progress") return this.onProgress(msg.stage, msg.ms, msg.bytes);
      const entry = this.pending.get(msg.id);
      if (!entry) return;
      this.pending.delete(msg.id);
      clearTimeout(entry.timer);
      msg.ok ? entry.resolve(msg.value) : entry.reject(new RemoteError(msg.error));
    };
    this.worker.onerror = (event) => {
      // A worker that fails to load its module (missing file, syntax error) lands here.
      const err = new RemoteError({ type: "WorkerError", message: event.message || `${this.label} failed to load`, traceback: "" });
      for (const entry of this.pending.values()) { clearTimeout(entry.timer); entry.reject(err); }
      this.pending.clear();
    };
  }

  _request(op, payload, timeoutMs) {
    if (!this.worker) this._spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.terminate();
        reject(new TimeoutError(op, timeoutMs, this.label));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, op, ...payload });
    });
  }

  async boot(timeoutMs = BOOT_MS) {
    this.versions = await this._request("boot", await this.bootPayload(), timeoutMs);
    return this.versions;
  }

  /** What the boot request carries beside its op (PyodideClient: the page's compiled core). */
  async bootPayload() {
    return {};
  }

  // Calls a function of the worker that takes and returns a string (JSON by convention).
  async call(target, argument, timeoutMs = RUN_MS) {
    try {
      return await this._request("call", { target, argument }, timeoutMs);
    } catch (err) {
      if (err.name === "TimeoutError") this.onCallTimeout();
      throw err;
    }
  }

  runBatch(request, timeoutMs = RUN_MS) {
    if (!this.batchTarget) throw new Error(`${this.label} has no batch target`);
    return this.call(this.batchTarget, request, timeoutMs);
  }

  terminate() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.versions = null;
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(new Error(`${this.label} was stopped`));
    }
    this.pending.clear();
  }
}

/** The Pyodide worker: python_core functions ("python_core.module:function", str → str). */
export class PyodideClient extends WorkerClient {
  constructor({ workerUrl = new URL("./pyodide-worker.mjs", import.meta.url), onProgress = () => {},
                onCallTimeout = () => {} } = {}) {
    super({ workerUrl, label: "the Pyodide worker", batchTarget: "python_core.wire:run_batch", onProgress, onCallTimeout });
  }

  /** The page's compiled Pyodide core (pyodide-module.mjs): a worker booted after a timeout reuses
   *  what the first one optimised. */
  async bootPayload() {
    return { module: await compiledPyodide() };
  }
}
