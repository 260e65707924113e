// The JavaScript reference DenseLayer in a Web Worker, for harness.html?runtime=js: a batch that runs too
// long is stopped by terminating this worker, and the page keeps answering. It answers the ops of
// pyodide-worker.mjs (lib/worker-protocol.mjs), so one WorkerClient drives both:
//   {op: "boot"} → versions (math.js, the browser);  {op: "call", target, argument} → lib/js-entries.mjs
// The imports are static, so onmessage is set before the first message can be dispatched, and a
// module that fails to load surfaces as the worker's error event.
import { callEntry, runtimeVersions } from "../lib/js-entries.mjs";
import { serveWorker } from "../lib/worker-protocol.mjs";

serveWorker({
  boot: () => runtimeVersions(),
  call: ({ target, argument }) => callEntry(target, argument),
});
