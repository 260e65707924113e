// Python for a page: Pyodide in pyodide-worker.mjs, driven by PyodideClient, with a loading
// indicator that shows progress while Pyodide and NumPy load (they take seconds).
import { PyodideClient } from "./worker-client.mjs";
import { FACTS } from "./facts.mjs";
import { LoadProgress } from "./load-progress.mjs";

const BOOT_TIMEOUT_MS = 1000 * FACTS.timeouts_s.boot;

export class PythonRuntime {
  /** indicator: an element holding a <progress> and a .loading-text. */
  constructor(indicator, { onStateChange = () => {} } = {}) {
    this.indicator = indicator;
    this.onStateChange = onStateChange;
    this.state = "booting";
    this.versions = null;
    this.error = null;
    this.progress = new LoadProgress(indicator);
    this.client = new PyodideClient({
      workerUrl: new URL("./pyodide-worker.mjs", import.meta.url),
      onProgress: (stage, ms, bytes) => this.progress.step(stage, bytes),
      // After a timeout the worker is gone: a fresh one boots at once, so the page can go on.
      onCallTimeout: () => this.boot("restarting after the timeout"),
    });
  }

  _setState(state) {
    this.state = state;
    document.documentElement.dataset.python = state;
    this.onStateChange(state);
  }


  /** Boots (or re-boots) the worker; resolves when Python is ready, never rejects. */
  boot(reason = "") {
    this._setState("booting");
    this.indicator.hidden = false;
    this.indicator.classList.remove("failed");
    this.progress.start(reason || "starting");
    const tick = setInterval(() => this.progress.render(), 200);
    this.ready = this.client.boot(BOOT_TIMEOUT_MS).then(
      (versions) => {
        this.versions = versions;
        this.indicator.hidden = true;
        this._setState("ready");
      },
      (err) => {
        this.error = `${err.name}: ${err.message}`;
        this.indicator.classList.add("failed");
        this.indicator.querySelector(".loading-text").textContent =
          `Python could not be loaded (${this.error}). Reload the page to try again.`;
        this._setState("failed");
      },
    ).finally(() => { clearInterval(tick); this.progress.end(); });
    return this.ready;
  }

  /** Calls a python_core entry point (string → string); a TimeoutError after a restart began. */
  call(target, argument, timeoutMs) {
    return this.client.call(target, argument, timeoutMs);
  }

  describe() {
    const v = this.versions;
    return v ? `Pyodide ${v.pyodide} · Python ${v.python} · NumPy ${v.numpy} · runtime: ${v.runtime === "cdn" ? "CDN" : "local folder"}` : "";
  }
}
