// The JavaScript reference DenseLayer in a Web Worker, for harness.html?runtime=js: a batch that runs too
// long is stopped by terminating this worker, and the page keeps answering. It speaks the protocol
// of pyodide-worker.mjs (see pyodide-client.mjs), so one WorkerClient drives both.
//   {op: "boot"}                                          → versions (math.js, the browser)
//   {op: "call", target: "wire:runBatch", argument: json} → wire.runBatch(argument)
//   {op: "call", target: "network:trainJson" | "network:putDataJson", argument: json} → training (network.mjs)
// The imports are static, so onmessage is set before the first message can be dispatched, and a
// module that fails to load surfaces as the worker's error event.
import { runBatch, runtimeVersions } from "../lib/wire.mjs";
import { errorRecord } from "../lib/error-record.mjs";
import { TRAINING_ENTRIES } from "../lib/network.mjs";

const ops = {
  boot: () => runtimeVersions(),
  call({ target, argument }) {
    if (Object.hasOwn(TRAINING_ENTRIES, target)) return TRAINING_ENTRIES[target](argument);
    if (target !== "wire:runBatch") throw new Error(`js-chromium can call "wire:runBatch", ${Object.keys(TRAINING_ENTRIES).join(", ")} only, got ${JSON.stringify(target)}`);
    return runBatch(argument);
  },
};

self.onmessage = (event) => {
  const { id, op } = event.data;
  try {
    if (!Object.hasOwn(ops, op)) throw new Error(`unknown op ${op}`);
    postMessage({ id, ok: true, value: ops[op](event.data) });
  } catch (err) {
    postMessage({ id, ok: false, error: errorRecord(err) });
  }
};
