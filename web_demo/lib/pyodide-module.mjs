// Pyodide's core WebAssembly (pyodide.asm.wasm, 10 MB), compiled once by the page and handed to every
// worker that boots Pyodide from it; and, for the exercise's workers, a memory snapshot of a freshly
// started interpreter, so that each starts from it instead of running Python's start-up again.
//
// Why: the exercise throws its worker away after each check and boots a fresh one, and an engine
// keeps the machine code it optimises for hot functions in the compiled module. A worker that
// instantiates the page's module runs code the earlier workers made hot; one that compiles the file
// itself optimises the same functions again, on the learner's cores, at every check. The snapshot
// skips Python's start-up in each worker. What both save: `bench-pages`, docs/benchmarks.md.
//
// Nothing here changes what runs: the bytes are the same file Pyodide would fetch (same URL), a
// compiled module is immutable, and each worker makes its own instance (its own memory). Where the
// module cannot be had or sent, each worker compiles its own, as before.
import config from "./runtime-config.mjs";

const CORE = "pyodide.asm.wasm";
let compiled = null;   // Promise<WebAssembly.Module | null>, one per page
let snapshotStarted = false;   // one snapshot per page, made once
let snapshotMade = null;   // the snapshot once made

// A boot waits this long for the page's module at most, then goes on without it: a download that
// stalls must not hold a boot past its own timeout (the worker's boot has one; this wait has not).
const WAIT_MS = 20000;
const SNAPSHOT_WAIT_MS = 80000;   // making the snapshot is a Python start of its own; past this, none

// How much of the core file has arrived: the largest download of a page's start (10 of about 17 MB),
// for the loading bars (load-progress.mjs).
const download = { loaded: 0, total: 0, done: false };
const downloadListeners = new Set();
/** listener({loaded, total, done}) now and on every chunk of the core's download; → unsubscribe. */
export function onCoreDownload(listener) {
  downloadListeners.add(listener);
  listener({ ...download });
  return () => downloadListeners.delete(listener);
}
function reportDownload(update) {
  Object.assign(download, update);
  for (const listener of downloadListeners) listener({ ...download });
}

/** The response with its body counted as it streams through (headers kept: compileStreaming needs
 *  the application/wasm type). */
function counted(response) {
  if (!response.ok || !response.body) return response;
  reportDownload({ total: Number(response.headers.get("content-length")) || 0 });
  let loaded = 0;
  const body = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) { loaded += chunk.byteLength; reportDownload({ loaded }); controller.enqueue(chunk); },
    flush() { reportDownload({ loaded, done: true }); },
  }));
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Page side: the compiled core module, or null when it cannot be had or sent to a worker, or is not
 *  ready within WAIT_MS (the workers then compile the file themselves). */
export function compiledPyodide() {
  if (!compiled) {
    const url = new URL(config.indexURL + CORE, import.meta.url);
    compiled = WebAssembly.compileStreaming(fetch(url).then(counted)).then(sendable, () => null);
  }
  return Promise.race([compiled, new Promise((resolve) => setTimeout(() => resolve(null), WAIT_MS))]);
}

/** Page side: starts making the snapshot (once, in a worker of its own, only with the page's module:
 *  a snapshot restores into the module it was made with); → the snapshot when it is already made,
 *  else null (a boot never waits for it: it boots as before). */
export function pyodideSnapshot() {
  if (!snapshotStarted) {
    snapshotStarted = true;
    compiledPyodide().then((module) => module && new Promise((resolve) => {
      const worker = new Worker(new URL("./pyodide-snapshot-worker.mjs", import.meta.url), { type: "module" });
      const done = (value) => { worker.terminate(); resolve(value); };
      const timer = setTimeout(() => done(null), SNAPSHOT_WAIT_MS);
      worker.onmessage = (event) => { clearTimeout(timer); done(event.data?.ok ? event.data.snapshot : null); };
      worker.onerror = () => { clearTimeout(timer); done(null); };
      worker.postMessage({ module });
    })).then((made) => { snapshotMade = made instanceof Uint8Array ? made : null; });
  }
  return snapshotMade;
}

function sendable(module) {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(module);   // DataCloneError where the engine cannot send a module to a worker
    return module;
  } catch {
    return null;
  } finally {
    port1.close();
    port2.close();
  }
}

/** Worker side, before loadPyodide: its one WebAssembly.instantiateStreaming of the core file makes an
 *  instance of `module` instead of compiling the file again (loadPyodide takes no module option).
 *  Anything else, or no module, goes to the engine's own function. → () => "page" once the page's
 *  module was instantiated, else "own" (what the boot's versions record as `core`). */
export function instantiatePyodideFrom(module) {
  let core = "own";
  if (module instanceof WebAssembly.Module) {
    const original = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = async (source, imports) => {
      const response = await source;
      if (!String(response?.url ?? "").split("?")[0].endsWith("/" + CORE)) return original(response, imports);
      WebAssembly.instantiateStreaming = original;
      response.body?.cancel().catch(() => {});
      const instance = await WebAssembly.instantiate(module, imports);
      core = "page";
      return { module, instance };
    };
  }
  return () => core;
}
