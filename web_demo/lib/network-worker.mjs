// The JavaScript network (network.mjs, math.js DenseLayers) in a Web Worker, for the training page:
// training runs off the page's thread, so the page stays responsive, and a run is stopped by
// terminating this worker. It speaks the protocol of pyodide-worker.mjs (see worker-client.mjs):
//   {op: "boot"}                                                    → versions (math.js, the browser)
//   {op: "call", target: "network:trainJson" | "network:putDataJson", argument: json} → a JSON string
import { TRAINING_ENTRIES } from "./network.mjs";
import { runtimeVersions } from "./wire.mjs";
import { errorRecord } from "./error-record.mjs";

const ops = {
  boot: () => runtimeVersions(),
  call({ target, argument }) {
    if (!Object.hasOwn(TRAINING_ENTRIES, target)) {
      throw new Error(`the JavaScript network worker can call ${Object.keys(TRAINING_ENTRIES).join(", ")} only, got ${JSON.stringify(target)}`);
    }
    return TRAINING_ENTRIES[target](argument);
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
