// The page's side of pyodide-worker.mjs: requests with timeouts, and a worker that is
// replaced when one runs too long, so the page always keeps answering.

export class TimeoutError extends Error {
  constructor(what, ms) {
    super(`${what} did not finish within ${(ms / 1000).toFixed(1)} s; the Pyodide worker was stopped`);
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

export class PyodideClient {
  constructor({ workerUrl = new URL("./pyodide-worker.mjs", import.meta.url), onProgress = () => {} } = {}) {
    this.workerUrl = workerUrl;
    this.onProgress = onProgress;
    this.worker = null;
    this.nextId = 1;
    this.pending = new Map();
    this.versions = null;
  }

  _spawn() {
    this.worker = new Worker(this.workerUrl, { type: "module" });
    this.worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === "progress") return this.onProgress(msg.stage, msg.ms);
      const entry = this.pending.get(msg.id);
      if (!entry) return;
      this.pending.delete(msg.id);
      clearTimeout(entry.timer);
      msg.ok ? entry.resolve(msg.value) : entry.reject(new RemoteError(msg.error));
    };
    this.worker.onerror = (event) => {
      // A worker that fails to load its module (missing file, syntax error) lands here.
      const err = new RemoteError({ type: "WorkerError", message: event.message || "the worker failed to load", traceback: "" });
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
        reject(new TimeoutError(op, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, op, ...payload });
    });
  }

  async boot(timeoutMs = 180000) {
    this.versions = await this._request("boot", {}, timeoutMs);
    return this.versions;
  }

  // Calls a python_core function that takes and returns a string (JSON by convention).
  call(target, argument, timeoutMs = 120000) {
    return this._request("call", { target, argument }, timeoutMs);
  }

  runBatch(request, timeoutMs = 120000) {
    return this.call("python_core.wire:run_batch", request, timeoutMs);
  }

  terminate() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.versions = null;
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(new Error("the Pyodide worker was stopped"));
    }
    this.pending.clear();
  }
}
