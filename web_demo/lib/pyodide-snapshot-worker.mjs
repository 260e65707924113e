// Makes the memory snapshot of a freshly started Pyodide (the interpreter, before any package or any
// code of a learner) that lib/pyodide-module.mjs hands to the exercise's workers, then is thrown away.
// Its own worker: Pyodide wraps the JavaScript globals of an interpreter that may be snapshotted, so
// no worker that runs learner code is started that way.
//   {module?} → {ok: true, snapshot: Uint8Array} (transferred) | {ok: false, error}
import config from "./runtime-config.mjs";
import { instantiatePyodideFrom } from "./pyodide-module.mjs";

self.onmessage = async (event) => {
  try {
    instantiatePyodideFrom(event.data?.module);
    const indexURL = new URL(config.indexURL, import.meta.url).href;
    const { loadPyodide } = await import(indexURL + "pyodide.mjs");
    // Pyodide 0.27's snapshot options, named with an underscore (not a stable API): where they are gone
    // or fail, the page goes on without a snapshot.
    const pyodide = await loadPyodide({ indexURL, _makeSnapshot: true });
    const snapshot = pyodide.makeMemorySnapshot();
    postMessage({ ok: true, snapshot }, [snapshot.buffer]);
  } catch (err) {
    postMessage({ ok: false, error: String(err?.message ?? err) });
  }
};
