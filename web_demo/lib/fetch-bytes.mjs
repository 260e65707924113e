// Worker side: counts the bytes of what Pyodide fetches while it boots (its standard library, NumPy's
// wheel, the harness's), for the page's loading bar (load-progress.mjs). Pyodide's core is left as it
// is: the page downloads and counts it (pyodide-module.mjs), and the worker instantiates the page's
// module from that response (its URL must stay).
const STEP = 64 * 1024;   // a report at most every 64 KB, and at each file's end

/** Wraps fetch until stop(); report({loaded, total}) over the files fetched since the last newStage()
 *  (a file begun in one stage and ended in the next can make loaded pass total there). */
export function countFetchBytes(report) {
  const original = self.fetch;
  let loaded = 0, total = 0, reported = 0, base = { loaded: 0, total: 0 };
  const tell = (force) => {
    if (force || loaded - reported >= STEP) {
      reported = loaded;
      report({ loaded: loaded - base.loaded, total: total - base.total });
    }
  };
  self.fetch = async (...args) => {
    const response = await original(...args);
    const size = Number(response.headers.get("content-length")) || 0;
    if (!response.ok || !response.body || !size || response.url.split("?")[0].endsWith(".wasm")) return response;
    total += size;
    tell(true);
    const body = response.body.pipeThrough(new TransformStream({
      transform(chunk, controller) { loaded += chunk.byteLength; tell(false); controller.enqueue(chunk); },
      flush() { tell(true); },
    }));
    const counted = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    Object.defineProperty(counted, "url", { value: response.url });
    return counted;
  };
  return {
    newStage() { base = { loaded, total }; },
    stop() { self.fetch = original; },
  };
}
