// The page's side of the exercise worker (exercise-worker.mjs): a fresh Pyodide for every check.
//
// A worker runs the learner's code once and is terminated, so nothing that code patches outlives
// its check. Booting Pyodide takes seconds, so the next worker boots while the learner reads the
// feedback and edits: a Check after the first finds it ready. The check's reply is taken only
// from a MessagePort handed to the worker with the check (the worker keeps it out of reach of
// the learner's code); anything the worker posts on its global channel after the check started
// is ignored. Each worker gets the page's compiled Pyodide core (lib/pyodide-module.mjs).
// While the learner's code runs, the worker reports now and then which of its lines is running, on a
// second port of the check's own: at the time limit, the page can say where the code was.
import { compiledPyodide, pyodideSnapshot } from "../lib/pyodide-module.mjs";
import { LoadProgress } from "../lib/load-progress.mjs";

export class TimeoutError extends Error {
  /** line: the line of the learner's code the worker last said it was running, or null */
  constructor(ms, line = null) {
    super(`the check did not finish within ${(ms / 1000).toFixed(1)} s; its worker was stopped`);
    this.name = "TimeoutError";
    this.line = line;
  }
}

const BOOT_TIMEOUT_MS = 180000;
const WORKER_URL = new URL("./exercise-worker.mjs", import.meta.url);

/** One worker, booting or booted; `ready` resolves to its versions or rejects. */
class Spare {
  constructor(onProgress) {
    this.worker = new Worker(WORKER_URL, { type: "module" });
    this.state = "booting";
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Python did not boot within ${BOOT_TIMEOUT_MS / 1000} s`)), BOOT_TIMEOUT_MS);
      this.worker.onmessage = (event) => {
        const msg = event.data || {};
        if (msg.type === "progress") return onProgress(msg.stage, msg.ms, msg.bytes);
        if (msg.type !== "booted") return;
        clearTimeout(timer);
        this.worker.onmessage = null;   // nothing more is read on the global channel
        msg.ok ? resolve(msg.versions) : reject(new Error(`${msg.error.type}: ${msg.error.message}`));
      };
      this.worker.onerror = (event) => {
        clearTimeout(timer);
        reject(new Error(event.message || "the exercise worker failed to load"));
      };
    });
    this.ready.then(() => { this.state = "ready"; }, () => { this.state = "failed"; });
    // With the page's compiled Pyodide core: the fresh worker reuses what earlier ones optimised.
    // and the snapshot of a started interpreter, once the page has made it (the first boots go without).
    compiledPyodide().then((module) => this.worker.postMessage({ op: "boot", module, snapshot: module && pyodideSnapshot() }));
  }

  terminate() {
    this.worker.terminate();
  }
}

export class ExerciseRunner {
  /** indicator: an element holding a <progress> and a .loading-text (shown for the first boot). */
  constructor(indicator, { onStateChange = () => {}, runner = "layer" } = {}) {
    Object.assign(this, { indicator, onStateChange, runner, state: "booting", versions: null, error: null });
    this.spare = null;  // the next check's worker, booting or ready
    this.checks = 0;
  }

  _setState(state) {
    this.state = state;
    document.documentElement.dataset.python = state;
    this.onStateChange(state);
  }

  _progress(stage, ms, bytes) {
    if (this.versions) return;   // later boots happen in the background
    this.loadProgress.step(stage, bytes);
  }

  /** Starts the next worker booting; resolves when it is ready, never rejects. */
  boot() {
    const spare = new Spare((stage, ms, bytes) => this._progress(stage, ms, bytes));
    this.spare = spare;
    document.documentElement.dataset.spare = "booting";
    if (!this.versions) {
      this._setState("booting");
      this.indicator.hidden = false;
      this.indicator.classList.remove("failed");
      this.loadProgress ??= new LoadProgress(this.indicator);
      this.loadProgress.start();
      const end = () => this.loadProgress.end();
      spare.ready.then(end, end);
    }
    this.ready = spare.ready.then(
      (versions) => {
        if (this.spare !== spare) return;
        document.documentElement.dataset.spare = "ready";
        document.documentElement.dataset.spareCore = versions.core;   // "page": it reuses the page's compiled core
        document.documentElement.dataset.spareStart = versions.start;   // "snapshot": it started from the page's snapshot
        this.versions = versions;
        this.indicator.hidden = true;
        this._setState("ready");
      },
      (err) => {
        if (this.spare !== spare) return;
        document.documentElement.dataset.spare = "failed";
        this.error = err.message;
        this.indicator.hidden = false;
        this.indicator.classList.add("failed");
        this.indicator.querySelector(".loading-text").textContent =
          `Python could not be loaded (${this.error}). Reload the page to try again.`;
        this._setState("failed");
      },
    );
    return this.ready;
  }

  /** Runs one check in the ready worker (waiting for it if it is still booting), then throws
   *  that worker away and boots the next. Resolves to the runner's reply text. */
  async check(request, timeoutMs) {
    const spare = this.spare || (this.boot(), this.spare);
    await spare.ready;   // a boot failure rejects here
    this.boot();   // the next check's worker, booting while this one runs and the learner reads
    const channel = new MessageChannel();
    const lines = new MessageChannel();
    let line = null;   // only ever shown to the learner whose code may have sent it: a positive integer, nothing more
    lines.port1.onmessage = (event) => { if (Number.isSafeInteger(event.data) && event.data > 0) line = event.data; };
    this.checks += 1;
    try {
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new TimeoutError(timeoutMs, line)), timeoutMs);
        channel.port1.onmessage = (event) => {
          clearTimeout(timer);
          const msg = event.data || {};
          msg.ok && typeof msg.reply === "string" ? resolve(msg.reply)
            : reject(Object.assign(new Error(msg.error?.message || "the worker sent no reply"), { name: msg.error?.type || "Error" }));
        };
        spare.worker.onerror = (event) => {
          clearTimeout(timer);
          reject(new Error(event.message || "the exercise worker failed"));
        };
        spare.worker.postMessage({ op: "check", request, runner: this.runner }, [channel.port2, lines.port2]);
      });
    } finally {
      spare.terminate();
      channel.port1.close();
      lines.port1.close();
    }
  }

  describe() {
    const v = this.versions;
    return v ? `Pyodide ${v.pyodide} · Python ${v.python} · NumPy ${v.numpy} · runtime: ${v.runtime === "cdn" ? "CDN" : "local folder"}` +
      " · a fresh Python for every check" : "";
  }
}
