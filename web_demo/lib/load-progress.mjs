// The loading bar of a page's Python: it moves with the bytes of Pyodide's core as they arrive (the
// page downloads and compiles it before any worker starts: pyodide-module.mjs), then with the
// stages the worker names and, within them, the bytes the worker fetches (its standard library,
// NumPy's wheel: fetch-bytes.mjs). Its text is not announced as it changes: the
// indicator is aria-busy while loading, so a screen reader hears the outcome, not every tick.
import { onCoreDownload } from "./pyodide-module.mjs";

// Share of the bar: the core's bytes fill 2–50 %; the worker's stages then set their own floor.
const STAGES = [["loading Pyodide", 50], ["loading NumPy", 60], ["importing", 85], ["ready", 100]];
const MB = (bytes) => (bytes / 1e6).toFixed(1);

export class LoadProgress {
  /** indicator: an element holding a <progress> and a .loading-text. */
  constructor(indicator) {
    this.indicator = indicator;
    this.stage = "starting";
    this.core = { loaded: 0, total: 0, done: false };
    this.floor = 2;
    this.t0 = performance.now();
    this.unsubscribe = onCoreDownload((core) => { this.core = core; this.render(); });
  }

  start(stage = "starting") {
    this.t0 = performance.now();
    this.stage = stage;
    this.floor = 2;
    this.indicator.setAttribute("aria-busy", "true");
    this.render();
  }

  /** A stage the worker named; bytes: {loaded, total} of what the worker fetched so far, if it says. */
  step(stage, bytes) {
    const k = STAGES.findIndex(([prefix]) => stage.startsWith(prefix));
    if (k >= 0) this.floor = Math.max(this.floor, STAGES[k][1]);
    if (k >= 0 && bytes && bytes.total && k + 1 < STAGES.length) {
      // within the stage's band, never back (the total grows as each new file starts)
      const [from, to] = [STAGES[k][1], STAGES[k + 1][1]];
      this.floor = Math.max(this.floor, from + (to - from) * Math.min(1, bytes.loaded / bytes.total));
    }
    this.stage = bytes && bytes.total ? `${stage}, ${MB(bytes.loaded)} of ${MB(bytes.total)} MB` : stage;
    this.render();
  }

  render() {
    const { loaded, total, done } = this.core;
    const downloading = total > 0 && !done && loaded < total;
    const fromBytes = total ? 2 + 48 * Math.min(1, loaded / total) : 2;
    this.indicator.querySelector("progress").value = Math.max(this.floor, fromBytes);
    const doing = downloading && this.floor < 50 ? `downloading Pyodide's core, ${MB(loaded)} of ${MB(total)} MB` : this.stage;
    this.indicator.querySelector(".loading-text").textContent =
      `Loading Python (Pyodide + NumPy): ${doing}… ${((performance.now() - this.t0) / 1000).toFixed(1)} s`;
  }

  /** Loading ended (ready or failed): what the indicator says now is announced. */
  end() {
    this.indicator.setAttribute("aria-busy", "false");
  }
}
