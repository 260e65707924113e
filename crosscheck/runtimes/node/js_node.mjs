// The JavaScript reference DenseLayer (web_demo/dense-layer.mjs) under Node, behind web_demo/wire.mjs:
// the very module files a page loads, so js-node and js-chromium run the same code.
// Usage: node js_node.mjs <web_demo dir>     (then line-delimited JSON, see protocol.mjs)
import { pathToFileURL } from "node:url";
import { join, resolve } from "node:path";
import { serve, progress } from "./protocol.mjs";
// Imported statically (it imports nothing), so that a wire.mjs that fails to load is still reported.
import { errorRecord } from "../../../web_demo/lib/error-record.mjs";

const webDemo = resolve(process.argv[2] || join(import.meta.dirname, "..", "..", "..", "web_demo"));
let wire = null;
let training = null;  // web_demo/lib/network.mjs: the training entry points (TRAINING_ENTRIES)

await serve({
  errorRecord,
  async boot() {
    progress("importing web_demo/lib/wire.mjs");
    wire = await import(pathToFileURL(join(webDemo, "lib", "wire.mjs")).href);
    training = (await import(pathToFileURL(join(webDemo, "lib", "network.mjs")).href)).TRAINING_ENTRIES;
    return wire.runtimeVersions();
  },
  async call(target, argument) {
    if (Object.hasOwn(training, target)) return training[target](argument);
    if (target !== "wire:runBatch") throw new Error(`js-node can call "wire:runBatch", ${Object.keys(training).join(", ")} only, got ${JSON.stringify(target)}`);
    return wire.runBatch(argument);
  },
});
